//! The state machine: [`Engine::handle`] takes one [`Event`] at a time and returns the
//! [`Effects`] to carry out.
//!
//! This module holds the [`Engine`], its queries and the routing of each event to the
//! module of its concern: [`call`] (the call table and each call's per-phase state),
//! [`push`] (PushKit and the push table), [`provider`] (`CXProviderDelegate` actions and
//! the audio session), [`transaction`] (`CXCallController` requests), [`signalling`]
//! (the app's signalling stack) and [`timer`] (armed timers and their firing).

mod call;
mod in_call;
mod phase;
mod provider;
mod push;
mod push_table;
mod signalling;
mod teardown;
#[cfg(test)]
mod testing;
mod timer;
mod transaction;

use crate::config::Config;
use crate::effect::Effect;
use crate::error::Error;
use crate::event::Event;
use crate::limits::{DEFAULT_MAX_CALLS, DEFAULT_MAX_EFFECTS, DEFAULT_MAX_PENDING_PUSHES};
use crate::log::log_transition;
use crate::types::{CallEndedReason, CallId, Instant};
use crate::{effects::Effects, limits::effects_needed};

use call::Progress;
use call::{CallTable, Ctx};
use in_call::InCall;
use push::{on_credentials, Arrival};
use push_table::PushTable;
use transaction::TransactionTable;

pub use call::Call;
pub use phase::{CallPhase, Direction};

/// The CallKit/PushKit call state machine.
///
/// Const parameters, all capacities fixed at compile time:
/// - `CALLS`: live calls (default [`DEFAULT_MAX_CALLS`] = 4);
/// - `PUSHES`: pushes awaiting their PushKit completion (default
///   [`DEFAULT_MAX_PENDING_PUSHES`] = 8);
/// - `EFFECTS`: effects one step can return (default [`DEFAULT_MAX_EFFECTS`]); must be at
///   least [`effects_needed`]`(CALLS, PUSHES)`, or [`Engine::with_capacities`] fails to compile.
///
/// See the crate documentation for the run-loop rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Engine<
    const CALLS: usize = DEFAULT_MAX_CALLS,
    const PUSHES: usize = DEFAULT_MAX_PENDING_PUSHES,
    const EFFECTS: usize = DEFAULT_MAX_EFFECTS,
> {
    config: Config,
    now: Instant,
    calls: CallTable<CALLS, PUSHES>,
    pushes: PushTable<PUSHES>,
    transactions: TransactionTable,
    audio_active: bool,
}

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    const CAPACITIES_OK: () = {
        assert!(CALLS >= 1, "an engine needs at least one call slot");
        assert!(
            PUSHES >= 1,
            "an engine needs at least one pending-push slot"
        );
        assert!(
            EFFECTS >= effects_needed(CALLS, PUSHES),
            "EFFECTS is below effects_needed(CALLS, PUSHES)"
        );
    };

    /// A new engine with its type's capacities, no calls, at time zero:
    /// `Engine::<2, 2, 12>::with_capacities(config)`.
    ///
    /// Fails to compile (post-monomorphisation) when `EFFECTS` is below
    /// [`effects_needed`]`(CALLS, PUSHES)` or a capacity is zero.
    pub fn with_capacities(config: Config) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CAPACITIES_OK;
        Engine {
            config,
            now: Instant::from_millis(0),
            calls: CallTable::new(),
            pushes: PushTable::new(),
            transactions: TransactionTable::new(),
            audio_active: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The time of the last accepted event.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The live call with this UUID.
    pub fn call(&self, id: CallId) -> Option<&Call> {
        self.calls.get(id)
    }

    /// Every live call, in slot order (a call that ends leaves its slot to the last one,
    /// so this is not arrival order once a call has ended).
    pub fn calls(&self) -> impl Iterator<Item = &Call> + '_ {
        self.calls.iter()
    }

    /// Number of pushes whose PushKit completion is still owed.
    pub fn pending_pushes(&self) -> usize {
        self.pushes.len()
    }

    /// Number of `CXCallController` requests awaiting their completion.
    pub fn pending_transactions(&self) -> usize {
        self.transactions.len()
    }

    /// Whether the audio session is active (between `didActivate` and `didDeactivate`).
    pub fn audio_session_active(&self) -> bool {
        self.audio_active
    }

    /// Whether the engine's internal indexes agree with the state they index: each call's
    /// lookup key, the count of calls deferring an action, and every end kept for a call
    /// with no slot waiting with a pending push. Not part of the public API (hidden, and
    /// exempt from semver): always true, and kept only so that the crate's own tests and
    /// fuzz targets can check it after every step.
    #[doc(hidden)]
    pub fn indexes_consistent(&self) -> bool {
        self.calls.consistent() && self.calls.endings_pending(|p| self.pushes.is_pending(p))
    }

    /// No calls, no pending pushes, no pending transactions, and so no timers.
    pub fn is_idle(&self) -> bool {
        self.calls.is_empty() && self.pushes.len() == 0 && self.transactions.len() == 0
    }

    /// Feed one event at time `now`; returns the effects to carry out, in order.
    ///
    /// Call after each thing the host observes, with its monotonic time in milliseconds.
    /// On `Err`, nothing changed (not even the clock) and there is nothing to do.
    /// [`Event::VoipPushReceived`] never fails: a push that arrives with `now` earlier
    /// than the last event's time is handled at the last event's time.
    ///
    /// Returns the effects by value (`size_of::<Effects<EFFECTS>>()` bytes, 1,552 with
    /// the defaults); [`Engine::handle_into`] fills a container the caller keeps instead.
    pub fn handle(&mut self, now: Instant, event: Event<'_>) -> Result<Effects<EFFECTS>, Error> {
        let mut out = Effects::new();
        self.handle_into(now, event, &mut out)?;
        Ok(out)
    }

    /// [`Engine::handle`], writing the effects into `out` (cleared first) instead of
    /// returning them: a host that keeps one `Effects` saves copying the container on
    /// every event. On `Err`, `out` is left empty and nothing changed.
    pub fn handle_into(
        &mut self,
        now: Instant,
        event: Event<'_>,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        out.clear();
        if let Event::VoipPushReceived {
            push,
            payload,
            fallback_call,
            must_report,
            received_at_unix_ms,
        } = event
        {
            self.now = self.now.max(now);
            let arrival = Arrival {
                must_report,
                received_at_unix_ms,
            };
            self.on_push(push, payload, fallback_call, arrival, out);
            log_transition!("push handled: {=usize} effects", out.len());
            return Ok(());
        }
        if now < self.now {
            return Err(Error::TimeWentBackwards {
                last: self.now,
                now,
            });
        }
        let before = self.now;
        self.now = now;
        match self.dispatch(event, out) {
            Ok(()) => {
                log_transition!(
                    "{} at {=u64} ms: {=usize} effects",
                    event,
                    now.as_millis(),
                    out.len()
                );
                Ok(())
            }
            Err(error) => {
                self.now = before;
                out.clear();
                log_transition!("{} refused: {}", event, error);
                Err(error)
            }
        }
    }

    /// Routes `event` to its handler. Every handler validates first and changes state
    /// only once it cannot fail. Kept out of line so that a push, which
    /// [`Engine::handle_into`] hands to [`Engine::on_push`] directly, does not pay for the
    /// stack frame of every other handler.
    #[inline(never)]
    fn dispatch(&mut self, event: Event<'_>, out: &mut Effects<EFFECTS>) -> Result<(), Error> {
        match event {
            Event::VoipPushReceived { .. } | Event::ProviderDidBegin => Ok(()),
            Event::PushCredentialsUpdated { token } => on_credentials(token, out),
            Event::PushCredentialsInvalidated => {
                out.push(Effect::UnregisterPushToken);
                Ok(())
            }
            Event::IncomingCallReported { report, result } => self.on_reported(report, result, out),
            Event::ProviderDidReset => {
                self.on_reset(out);
                Ok(())
            }
            Event::PerformStartCall {
                action,
                call,
                handle,
                handle_type,
                video,
            } => self.on_perform_start(action, call, handle, handle_type, video, out),
            Event::PerformAnswerCall { action, call } => self.on_perform_answer(action, call, out),
            Event::PerformEndCall { action, call } => self.on_perform_end(action, call, out),
            Event::PerformSetHeld {
                action,
                call,
                on_hold,
            } => self.on_perform_in_call(action, call, InCall::Held(on_hold), out),
            Event::PerformSetMuted {
                action,
                call,
                muted,
            } => self.on_perform_in_call(action, call, InCall::Muted(muted), out),
            Event::PerformSetGroup {
                action,
                call,
                group_with,
            } => self.on_perform_group(action, call, group_with, out),
            Event::PerformPlayDtmf {
                action,
                call,
                digits,
                kind,
            } => self.on_perform_in_call(action, call, InCall::Dtmf(digits, kind), out),
            Event::PerformSetTranslating {
                action,
                call,
                translating,
                local_language,
                remote_language,
            } => self.on_perform_translating(
                action,
                call,
                translating,
                (local_language, remote_language),
                out,
            ),
            Event::TimedOutPerforming { action } => self.on_timed_out_performing(action, out),
            Event::DidActivateAudioSession => {
                self.on_audio_session(true, out);
                Ok(())
            }
            Event::DidDeactivateAudioSession => {
                self.on_audio_session(false, out);
                Ok(())
            }
            Event::RequestStartCall {
                call,
                handle,
                handle_type,
                video,
            } => self.on_request_start(call, handle, handle_type, video, out),
            Event::RequestEndCall { call } => self.on_request_end(call, out),
            Event::RequestAnswerCall { call } => self.on_request_answer(call, out),
            Event::RequestSetHeld { call, on_hold } => {
                self.on_request_in_call(call, InCall::Held(on_hold), out)
            }
            Event::RequestSetMuted { call, muted } => {
                self.on_request_in_call(call, InCall::Muted(muted), out)
            }
            Event::RequestPlayDtmf { call, digits, kind } => {
                self.on_request_in_call(call, InCall::Dtmf(digits, kind), out)
            }
            Event::TransactionCompleted {
                transaction,
                result,
            } => self.on_transaction_completed(transaction, result, out),
            Event::OutgoingCallConnecting { call } => {
                self.on_outgoing_progress(call, Progress::Connecting, out)
            }
            Event::OutgoingCallConnected { call } => {
                self.on_outgoing_progress(call, Progress::Connected, out)
            }
            Event::OutgoingCallRefused { call, reason } => {
                self.on_outgoing_refused(call, reason, out)
            }
            Event::IncomingCallConnected { call } => self.on_incoming_connected(call, out),
            Event::RemoteEnded { call } => {
                self.on_remote_end(call, CallEndedReason::RemoteEnded, out)
            }
            Event::AnsweredElsewhere { call } => {
                self.on_remote_end(call, CallEndedReason::AnsweredElsewhere, out)
            }
            Event::DeclinedElsewhere { call } => {
                self.on_remote_end(call, CallEndedReason::DeclinedElsewhere, out)
            }
            Event::ConnectionFailed { call } => {
                self.on_remote_end(call, CallEndedReason::Failed, out)
            }
            Event::TimerFired { timer } => self.on_timer(timer, out),
            Event::CallDetailsChanged {
                call,
                caller_name,
                has_video,
            } => self.on_details_changed(call, caller_name, has_video, out),
            Event::OutgoingCallRinging { call } => {
                self.on_outgoing_progress(call, Progress::Ringing, out)
            }
            Event::IncomingCallAnnounced {
                call,
                handle,
                handle_type,
                caller_name,
                video,
            } => self.on_announced(call, handle, handle_type, caller_name, video, out),
        }
    }

    /// What a call's transitions need from the engine now.
    #[inline]
    fn ctx(&self) -> Ctx {
        Ctx {
            now: self.now,
            audio_active: self.audio_active,
            audio_timeout_ms: self.config.audio_activation_timeout_ms,
            start_timeout_ms: self.config.start_connect_timeout_ms,
            no_answer_timeout_ms: self.config.no_answer_timeout_ms,
        }
    }
}

impl Engine {
    /// A new engine with the default capacities (4 calls, 8 pending pushes, 32 effects a
    /// step), no calls, at time zero: `Engine::new(config)` needs no type annotation.
    /// Other capacities: [`Engine::with_capacities`].
    pub fn new(config: Config) -> Self {
        Engine::with_capacities(config)
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(Config::default())
    }
}
