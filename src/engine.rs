//! The state machine: [`Engine::handle`] takes one [`Event`] at a time and returns the
//! [`Effects`] to carry out.

use core::fmt::Write as _;

use heapless::{HistoryBuf, Vec};

use crate::config::Config;
use crate::effect::{effects_needed, CallAction, CallUpdate, Effect, Effects, RejectReason};
use crate::error::Error;
use crate::event::{Event, ReportResult, Timer, TransactionResult};
use crate::log::log_transition;
use crate::payload::{PushKind, PushPayload, OPAQUE_ID_NAMESPACE};
use crate::types::{
    ActionId, CallEndedReason, CallId, CallerName, Handle, HandleType, IncomingCallError, Instant,
    PushId, TransactionId, MAX_DTMF_DIGITS, MAX_PUSH_TOKEN_LEN,
};

/// Default number of live calls an [`Engine`] holds (its `CALLS` parameter).
pub const DEFAULT_MAX_CALLS: usize = 4;

/// Default number of VoIP pushes an [`Engine`] tracks between their arrival and their
/// PushKit completion (its `PUSHES` parameter).
pub const DEFAULT_MAX_PENDING_PUSHES: usize = 8;

/// Default effect capacity of one step (its `EFFECTS` parameter):
/// [`effects_needed`]`(4, 8)` = 28.
pub const DEFAULT_MAX_EFFECTS: usize =
    effects_needed(DEFAULT_MAX_CALLS, DEFAULT_MAX_PENDING_PUSHES);

/// Number of `CXCallController` requests that can await their completion at once.
pub const MAX_PENDING_TRANSACTIONS: usize = 8;

/// Number of ended call UUIDs the engine remembers, so that a late or duplicate push for
/// a call that already ended is reported and ended at once instead of ringing again, and
/// an outgoing call cannot reuse a UUID CallKit may still hold.
pub const RECENTLY_ENDED_CALLS: usize = 8;

/// Number of completed push ids the engine remembers, so that CallKit's late answer to
/// the report of a push already completed (at its deadline, on overflow or at reset) is
/// accepted with no effect instead of being refused as unknown.
pub const RECENTLY_COMPLETED_PUSHES: usize = 16;

/// Whether a call came in (push) or goes out (app request).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Direction {
    /// Reported with `reportNewIncomingCall`.
    Incoming,
    /// Started with a `CXStartCallAction`.
    Outgoing,
}

/// Where a live call stands.
///
/// Incoming: `Ringing` -> (`Answering`) -> `Answered`. Outgoing: `Requested` ->
/// `Starting` -> `Connecting` -> `Connected`. A call that ends leaves the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallPhase {
    /// Incoming, reported (or its report pending), not answered; the ring timer runs.
    Ringing,
    /// Incoming, the user answered but the connection is not ready: the
    /// `CXAnswerCallAction` is held until [`Event::IncomingCallConnected`] or the answer
    /// time-out.
    Answering,
    /// Incoming, answered.
    Answered,
    /// Outgoing, the `CXStartCallAction` was requested from `CXCallController`.
    Requested,
    /// Outgoing, the start action is being performed: signalling was asked to start and
    /// the action is held until it starts connecting.
    Starting,
    /// Outgoing, `startedConnectingAt` reported, start action fulfilled.
    Connecting,
    /// Outgoing, `connectedAt` reported.
    Connected,
}

impl CallPhase {
    /// Whether the call is up or coming up on this device: answered, or an outgoing call
    /// whose start action was performed. Media may run only in these phases.
    pub const fn media_allowed(self) -> bool {
        matches!(
            self,
            CallPhase::Answered
                | CallPhase::Starting
                | CallPhase::Connecting
                | CallPhase::Connected
        )
    }

    /// Whether hold, group and DTMF apply: answered, or outgoing and connecting or
    /// connected.
    pub const fn is_established(self) -> bool {
        matches!(
            self,
            CallPhase::Answered | CallPhase::Connecting | CallPhase::Connected
        )
    }
}

/// An end that could not be reported yet, kept until CallKit knows the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum PendingEnd {
    /// The remote side ended it, a cancel push arrived, or the ring timed out: report
    /// with `reason` and release the signalling leg as `release` says.
    Remote {
        reason: CallEndedReason,
        release: Release,
    },
    /// The app asked to end it: request a `CXEndCallAction`.
    Local,
}

/// A live call, as the engine sees it. Read with [`Engine::call`] / [`Engine::calls`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    id: CallId,
    direction: Direction,
    phase: CallPhase,
    report_push: Option<PushId>,
    awaiting_report: bool,
    pending_end: Option<PendingEnd>,
    connection_ready: bool,
    held_action: Option<ActionId>,
    ring_deadline: Option<Instant>,
    ring_backstop: bool,
    answer_deadline: Option<Instant>,
    media: bool,
    on_hold: bool,
    muted: bool,
    group: CallId,
    handle: Option<Handle>,
    caller_name: Option<CallerName>,
    has_video: bool,
}

impl Call {
    fn new(id: CallId, direction: Direction, phase: CallPhase) -> Self {
        Call {
            id,
            direction,
            phase,
            report_push: None,
            awaiting_report: false,
            pending_end: None,
            connection_ready: false,
            held_action: None,
            ring_deadline: None,
            ring_backstop: false,
            answer_deadline: None,
            media: false,
            on_hold: false,
            muted: false,
            group: id,
            handle: None,
            caller_name: None,
            has_video: false,
        }
    }

    /// The call's UUID.
    pub fn id(&self) -> CallId {
        self.id
    }
    /// Incoming or outgoing.
    pub fn direction(&self) -> Direction {
        self.direction
    }
    /// Where the call stands.
    pub fn phase(&self) -> CallPhase {
        self.phase
    }
    /// Whether the `reportNewIncomingCall` that created the call has not called back.
    pub fn report_pending(&self) -> bool {
        self.awaiting_report
    }
    /// Whether an end arrived while CallKit could not take it yet, and waits.
    pub fn end_pending(&self) -> bool {
        self.pending_end.is_some()
    }
    /// Whether the incoming call's connection is ready to answer.
    pub fn connection_ready(&self) -> bool {
        self.connection_ready
    }
    /// The answer or start action held for this call, if any.
    pub fn held_action(&self) -> Option<ActionId> {
        self.held_action
    }
    /// Whether media was started and not stopped.
    pub fn media_running(&self) -> bool {
        self.media
    }
    /// Whether the call is on hold.
    pub fn is_on_hold(&self) -> bool {
        self.on_hold
    }
    /// Whether the call is muted.
    pub fn is_muted(&self) -> bool {
        self.muted
    }
    /// The group label: calls with equal labels are grouped (a call alone is its own).
    pub fn group(&self) -> CallId {
        self.group
    }
    /// The remote handle, if known.
    pub fn handle(&self) -> Option<&Handle> {
        self.handle.as_ref()
    }
    /// The caller name, if known.
    pub fn caller_name(&self) -> Option<&CallerName> {
        self.caller_name.as_ref()
    }
    /// Whether the call has video.
    pub fn has_video(&self) -> bool {
        self.has_video
    }
    /// The ring time-out's deadline while the call rings.
    pub fn ring_deadline(&self) -> Option<Instant> {
        self.ring_deadline
    }
    /// The answer time-out's deadline while the answer action is held.
    pub fn answer_deadline(&self) -> Option<Instant> {
        self.answer_deadline
    }
}

/// A push between its arrival and its PushKit completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingPush {
    push: PushId,
    call: CallId,
    deadline: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TransactionKind {
    Start,
    End,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingTransaction {
    id: TransactionId,
    call: CallId,
    kind: TransactionKind,
}

/// How to release a call's signalling leg when it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Release {
    /// Signalling already knows (it told us), or never started.
    Nothing,
    /// Release the leg whatever the phase.
    HangUp,
    /// Reject an unanswered incoming call with this reason, hang up anything else,
    /// nothing for a call whose signalling never started.
    Auto(RejectReason),
}

/// The CallKit/PushKit call state machine.
///
/// Const parameters, all capacities fixed at compile time:
/// - `CALLS`: live calls (default [`DEFAULT_MAX_CALLS`] = 4);
/// - `PUSHES`: pushes awaiting their PushKit completion (default
///   [`DEFAULT_MAX_PENDING_PUSHES`] = 8);
/// - `EFFECTS`: effects one step can return (default [`DEFAULT_MAX_EFFECTS`]); must be at
///   least [`effects_needed`]`(CALLS, PUSHES)`, or [`Engine::new`] fails to compile.
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
    calls: Vec<Call, CALLS>,
    pushes: Vec<PendingPush, PUSHES>,
    transactions: Vec<PendingTransaction, MAX_PENDING_TRANSACTIONS>,
    recently_ended: HistoryBuf<CallId, RECENTLY_ENDED_CALLS>,
    completed_pushes: HistoryBuf<PushId, RECENTLY_COMPLETED_PUSHES>,
    audio_active: bool,
    next_transaction: u64,
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

    /// A new engine with no calls, at time zero.
    ///
    /// Fails to compile (post-monomorphisation) when `EFFECTS` is below
    /// [`effects_needed`]`(CALLS, PUSHES)` or a capacity is zero.
    pub fn new(config: Config) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CAPACITIES_OK;
        Engine {
            config,
            now: Instant::from_millis(0),
            calls: Vec::new(),
            pushes: Vec::new(),
            transactions: Vec::new(),
            recently_ended: HistoryBuf::new(),
            completed_pushes: HistoryBuf::new(),
            audio_active: false,
            next_transaction: 0,
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
        self.calls.iter().find(|c| c.id == id)
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

    /// No calls, no pending pushes, no pending transactions, and so no timers.
    pub fn is_idle(&self) -> bool {
        self.calls.is_empty() && self.pushes.is_empty() && self.transactions.is_empty()
    }

    /// Every armed timer and its deadline (the timers started and neither fired nor
    /// cancelled).
    pub fn timers(&self) -> impl Iterator<Item = (Timer, Instant)> + '_ {
        let pushes = self
            .pushes
            .iter()
            .map(|p| (Timer::PushCompletion(p.push), p.deadline));
        let rings = self
            .calls
            .iter()
            .filter_map(|c| c.ring_deadline.map(|d| (Timer::Ring(c.id), d)));
        let answers = self
            .calls
            .iter()
            .filter_map(|c| c.answer_deadline.map(|d| (Timer::AnswerConnect(c.id), d)));
        pushes.chain(rings).chain(answers)
    }

    /// The earliest timer deadline, quinn-style: a host that prefers one wake-up to one
    /// timer per [`Effect::StartTimer`] sleeps until then and fires every timer due
    /// (from [`Engine::timers`]). `None` when no timer is armed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers().map(|(_, deadline)| deadline).min()
    }

    /// The armed timer to fire next at time `now`: among the timers whose deadline is at
    /// or before `now`, the one with the earliest deadline, ties broken by [`Timer`]'s
    /// `Ord`. `None` when no timer is due.
    ///
    /// This is the one due order: a host (or test driver) that wakes up late fires
    /// `next_due_timer(now)` with [`Event::TimerFired`], and repeats until it returns
    /// `None`, since firing one timer can cancel or arm others.
    pub fn next_due_timer(&self, now: Instant) -> Option<(Timer, Instant)> {
        self.timers()
            .filter(|&(_, deadline)| deadline <= now)
            .min_by_key(|&(timer, deadline)| (deadline, timer))
    }

    /// Feed one event at time `now`; returns the effects to carry out, in order.
    ///
    /// Call after each thing the host observes, with its monotonic time in milliseconds.
    /// On `Err`, nothing changed (not even the clock) and there is nothing to do.
    /// [`Event::VoipPushReceived`] never fails: a push that arrives with `now` earlier
    /// than the last event's time is handled at the last event's time.
    ///
    /// Returns the effects by value (`size_of::<Effects<EFFECTS>>()` bytes, 1,368 with
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
        } = event
        {
            self.now = self.now.max(now);
            self.on_push(push, payload, fallback_call, out);
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

    /// Every handler validates first and changes state only once it cannot fail.
    fn dispatch(&mut self, event: Event<'_>, out: &mut Effects<EFFECTS>) -> Result<(), Error> {
        match event {
            Event::VoipPushReceived { .. } => Ok(()),
            Event::PushCredentialsUpdated { token } => {
                let token_hex = hex_token(token).ok_or(Error::InvalidPushToken)?;
                out.set_push_token_hex(token_hex);
                out.push(Effect::RegisterPushToken);
                Ok(())
            }
            Event::PushCredentialsInvalidated => {
                out.push(Effect::UnregisterPushToken);
                Ok(())
            }
            Event::IncomingCallReported { push, result } => self.on_reported(push, result, out),
            Event::ProviderDidBegin => Ok(()),
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
            Event::PerformEndCall { action, call } => {
                // For a call the engine does not know, CallKit still wants it gone:
                // fulfilling lets it go, failing would leave CallKit's UI ringing.
                if let Some(idx) = self.locate(action, call)? {
                    self.teardown(idx, Release::Auto(RejectReason::Declined), None, out);
                }
                out.push(Effect::FulfillAction { action });
                Ok(())
            }
            Event::PerformSetHeld {
                action,
                call,
                on_hold,
            } => {
                let supports = self.config.capabilities.supports_holding;
                self.perform_simple(action, call, out, |c| {
                    (supports && c.phase.is_established()).then(|| {
                        c.on_hold = on_hold;
                        Effect::SetHold {
                            call: c.id,
                            on_hold,
                        }
                    })
                })
            }
            Event::PerformSetMuted {
                action,
                call,
                muted,
            } => self.perform_simple(action, call, out, |c| {
                c.phase.media_allowed().then(|| {
                    c.muted = muted;
                    Effect::SetMute { call: c.id, muted }
                })
            }),
            Event::PerformSetGroup {
                action,
                call,
                group_with,
            } => {
                self.locate(action, call)?;
                if self.set_group(call, group_with) {
                    out.push(Effect::SetGroup { call, group_with });
                    out.push(Effect::FulfillAction { action });
                } else {
                    out.push(Effect::FailAction { action });
                }
                Ok(())
            }
            Event::PerformPlayDtmf {
                action,
                call,
                digits,
                kind,
            } => {
                let supports = self.config.capabilities.supports_dtmf;
                let digits = dtmf_digits(digits);
                let valid = digits.is_some();
                self.perform_simple(action, call, out, |c| {
                    (valid && supports && c.phase.is_established())
                        .then_some(Effect::SendDtmf { call: c.id, kind })
                })?;
                if let (Some(digits), Some(Effect::FulfillAction { .. })) = (digits, out.last()) {
                    out.set_dtmf_digits(digits);
                }
                Ok(())
            }
            Event::TimedOutPerforming { action } => {
                let idx = self
                    .calls
                    .iter()
                    .position(|c| c.held_action == Some(action))
                    .ok_or(Error::UnknownAction(action))?;
                if let Some(c) = self.calls.get_mut(idx) {
                    // CallKit gave up on it: it must be neither fulfilled nor failed.
                    c.held_action = None;
                }
                self.teardown(
                    idx,
                    Release::Auto(RejectReason::Failed),
                    Some(CallEndedReason::Failed),
                    out,
                );
                Ok(())
            }
            Event::DidActivateAudioSession => {
                self.audio_active = true;
                for c in self.calls.iter_mut() {
                    if c.phase.media_allowed() && !c.media {
                        c.media = true;
                        out.push(Effect::StartMedia { call: c.id });
                    }
                }
                Ok(())
            }
            Event::DidDeactivateAudioSession => {
                self.audio_active = false;
                for c in self.calls.iter_mut() {
                    if c.media {
                        c.media = false;
                        out.push(Effect::StopMedia { call: c.id });
                    }
                }
                Ok(())
            }
            Event::RequestStartCall {
                call,
                handle,
                handle_type,
                video,
            } => self.on_request_start(call, handle, handle_type, video, out),
            Event::RequestEndCall { call } => self.on_request_end(call, out),
            Event::RequestSetHeld { call, on_hold } => {
                let supports = self.config.capabilities.supports_holding;
                self.request_simple(call, out, |c| {
                    if !c.phase.is_established() {
                        return Err(Error::WrongPhase(c.id));
                    }
                    if !supports {
                        return Err(Error::NotSupported(c.id));
                    }
                    Ok(CallAction::SetHeld {
                        call: c.id,
                        on_hold,
                    })
                })
            }
            Event::RequestSetMuted { call, muted } => self.request_simple(call, out, |c| {
                if !c.phase.media_allowed() {
                    return Err(Error::WrongPhase(c.id));
                }
                Ok(CallAction::SetMuted { call: c.id, muted })
            }),
            Event::RequestPlayDtmf { call, digits, kind } => {
                let supports = self.config.capabilities.supports_dtmf;
                let result = self.request_simple(call, out, |c| {
                    if !c.phase.is_established() {
                        return Err(Error::WrongPhase(c.id));
                    }
                    if !supports {
                        return Err(Error::NotSupported(c.id));
                    }
                    dtmf_digits(digits).ok_or(Error::InvalidDtmf)?;
                    Ok(CallAction::PlayDtmf { call: c.id, kind })
                });
                if let (Ok(()), Some(digits)) = (&result, dtmf_digits(digits)) {
                    out.set_dtmf_digits(digits);
                }
                result
            }
            Event::TransactionCompleted {
                transaction,
                result,
            } => self.on_transaction_completed(transaction, result, out),
            Event::OutgoingCallConnecting { call } => {
                let idx = self.index_of(call).ok_or(Error::UnknownCall(call))?;
                self.outgoing_progress(idx, false, out)
            }
            Event::OutgoingCallConnected { call } => {
                let idx = self.index_of(call).ok_or(Error::UnknownCall(call))?;
                self.outgoing_progress(idx, true, out)
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
        }
    }

    // ----- PushKit -----

    fn on_push(
        &mut self,
        push: PushId,
        payload: &[u8],
        fallback: CallId,
        out: &mut Effects<EFFECTS>,
    ) {
        let parsed = self.config.schema.parse(payload);
        let parsed = match parsed {
            Ok(p) => p,
            Err(_error) => {
                log_transition!("push payload malformed: {}", _error);
                self.report_unusable(push, fallback, self.blank_update(), out);
                return;
            }
        };
        let call = parsed.call.unwrap_or(fallback);
        let live = self.index_of(call);
        let outgoing = live
            .and_then(|idx| self.calls.get(idx))
            .is_some_and(|c| c.direction == Direction::Outgoing);
        if outgoing {
            // A push naming the app's own outgoing call is no copy of it, and CallKit
            // may not hold that UUID yet: reporting under it could ring a second,
            // incoming call of that UUID. It is unusable like a malformed one.
            let update = self.update_from(&parsed);
            self.report_unusable(push, fallback, update, out);
        } else if let Some(idx) = live {
            self.on_repeat_push(idx, push, &parsed, out);
        } else if parsed.kind == PushKind::Cancel || self.ended_recently(call) {
            // A cancel for a call that is not ringing here, or a late copy of a call that
            // is over: the iOS 13 rule still wants a report; end it at once.
            let update = self.update_from(&parsed);
            self.report_and_end(push, call, update, CallEndedReason::RemoteEnded, None, out);
        } else if self.calls.is_full() {
            let update = self.update_from(&parsed);
            let reject = Effect::RejectIncoming {
                call,
                reason: RejectReason::Busy,
            };
            self.report_and_end(
                push,
                call,
                update,
                CallEndedReason::Failed,
                Some(reject),
                out,
            );
        } else {
            let update = self.update_from(&parsed);
            let ring_ms = parsed
                .ring_timeout_ms
                .unwrap_or(self.config.ring_timeout_ms);
            let ring_deadline = self.now.saturating_add_ms(ring_ms);
            let mut c = Call::new(call, Direction::Incoming, CallPhase::Ringing);
            c.report_push = Some(push);
            c.awaiting_report = true;
            c.ring_deadline = Some(ring_deadline);
            c.handle = update.remote_handle.clone();
            c.caller_name = update.localized_caller_name.clone();
            c.has_video = update.has_video;
            out.set_call_update(update);
            out.push(Effect::ReportNewIncomingCall { push, call });
            self.track_push(push, call, out);
            // Cannot fail: the table was checked for room above.
            let _ = self.calls.push(c);
            log_transition!("call {} ringing", call);
            out.push(Effect::ConnectIncoming { call });
            out.push(Effect::StartTimer {
                timer: Timer::Ring(call),
                deadline: ring_deadline,
            });
        }
    }

    /// A push for a call that is already live: report under its UUID (CallKit answers
    /// `callUUIDAlreadyExists`, which is success), create nothing, and apply a cancel.
    fn on_repeat_push(
        &mut self,
        idx: usize,
        push: PushId,
        parsed: &PushPayload,
        out: &mut Effects<EFFECTS>,
    ) {
        let fresh_name = match self.calls.get(idx) {
            Some(c) => parsed.caller_name.is_some() && parsed.caller_name != c.caller_name,
            None => return,
        };
        let Some(c) = self.calls.get_mut(idx) else {
            return;
        };
        let call = c.id;
        let cancel = parsed.kind == PushKind::Cancel
            && c.direction == Direction::Incoming
            && matches!(c.phase, CallPhase::Ringing | CallPhase::Answering);
        let may_update =
            fresh_name && !cancel && !c.awaiting_report && c.direction == Direction::Incoming;
        if may_update {
            c.caller_name = parsed.caller_name.clone();
        }
        let report_pending = c.awaiting_report;
        if cancel && report_pending && c.pending_end.is_none() {
            c.pending_end = Some(PendingEnd::Remote {
                reason: CallEndedReason::RemoteEnded,
                release: Release::HangUp,
            });
        }
        out.set_call_update(self.update_for(idx));
        out.push(Effect::ReportNewIncomingCall { push, call });
        self.track_push(push, call, out);
        if cancel && !report_pending {
            self.teardown(
                idx,
                Release::HangUp,
                Some(CallEndedReason::RemoteEnded),
                out,
            );
        } else if may_update {
            out.push(Effect::ReportCallUpdated { call });
        }
    }

    /// A push the engine cannot ring (malformed, or naming the app's outgoing call):
    /// reported under the host's fallback UUID and ended at once as failed. If the host
    /// handed in the UUID of a live incoming call as the fallback, the report goes under
    /// it (CallKit answers `callUUIDAlreadyExists`) and that call is left alone. If the
    /// fallback names a live outgoing call, CallKit may not hold it yet (a report could
    /// ring a second call of that UUID), so the report goes under a UUID derived from
    /// the fallback and the push id ([`unusable_push_id`]) and is ended at once.
    fn report_unusable(
        &mut self,
        push: PushId,
        fallback: CallId,
        update: CallUpdate,
        out: &mut Effects<EFFECTS>,
    ) {
        let live = self
            .index_of(fallback)
            .and_then(|idx| Some((idx, self.calls.get(idx)?.direction)));
        match live {
            Some((idx, Direction::Incoming)) => {
                out.set_call_update(self.update_for(idx));
                out.push(Effect::ReportNewIncomingCall {
                    push,
                    call: fallback,
                });
                self.track_push(push, fallback, out);
            }
            Some((_, Direction::Outgoing)) => {
                let call = unusable_push_id(fallback, push);
                self.report_and_end(push, call, update, CallEndedReason::Failed, None, out);
            }
            None => self.report_and_end(push, fallback, update, CallEndedReason::Failed, None, out),
        }
    }

    /// Report a call CallKit must see but the engine will not keep, and end it at once
    /// (the accepted pattern for cancel and unusable pushes: Twilio iOS 13 migration
    /// guide).
    fn report_and_end(
        &mut self,
        push: PushId,
        call: CallId,
        update: CallUpdate,
        reason: CallEndedReason,
        signal: Option<Effect>,
        out: &mut Effects<EFFECTS>,
    ) {
        out.set_call_update(update);
        out.push(Effect::ReportNewIncomingCall { push, call });
        self.track_push(push, call, out);
        out.push(Effect::ReportCallEnded {
            call,
            at: self.now,
            reason,
        });
        if let Some(signal) = signal {
            out.push(signal);
        }
        self.recently_ended.write(call);
    }

    /// Keep the push until its report's completion or its deadline. When every slot is
    /// taken, a slot whose deadline has passed is completed first; when none has, the
    /// push is completed at once, right after its report (the one case where a
    /// completion precedes the report's result: it takes more than `PUSHES` pushes
    /// within one push completion time-out, and the completion handler itself enforces
    /// nothing, docs/callkit-facts.md).
    fn track_push(&mut self, push: PushId, call: CallId, out: &mut Effects<EFFECTS>) {
        // A push id is the host's to reuse once its push was completed: the newest
        // report made under it is the one its next result answers, so older calls stop
        // listening for that id.
        for c in self.calls.iter_mut() {
            if c.report_push == Some(push) {
                c.report_push = None;
            }
        }
        if self.pushes.is_full() {
            let now = self.now;
            if let Some(i) = self.pushes.iter().position(|p| p.deadline <= now) {
                let old = self.pushes.remove(i);
                self.completed_pushes.write(old.push);
                out.push(Effect::CompletePush { push: old.push });
                out.push(Effect::CancelTimer {
                    timer: Timer::PushCompletion(old.push),
                });
            }
        }
        let deadline = self
            .now
            .saturating_add_ms(self.config.push_completion_timeout_ms);
        match self.pushes.push(PendingPush {
            push,
            call,
            deadline,
        }) {
            Ok(()) => out.push(Effect::StartTimer {
                timer: Timer::PushCompletion(push),
                deadline,
            }),
            Err(_) => {
                self.completed_pushes.write(push);
                out.push(Effect::CompletePush { push });
            }
        }
    }

    fn on_reported(
        &mut self,
        push: PushId,
        result: ReportResult,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let pending = self.pushes.iter().position(|p| p.push == push);
        let reporting = self.calls.iter().position(|c| c.report_push == Some(push));
        if pending.is_none() && reporting.is_none() {
            if self.completed_pushes.contains(&push) {
                // Already completed (deadline, overflow or reset): CallKit's answer
                // arrives late and there is nothing left to do.
                return Ok(());
            }
            return Err(Error::UnknownPush(push));
        }
        let accepted = matches!(
            result,
            Ok(()) | Err(IncomingCallError::CallUuidAlreadyExists)
        );
        let mut confirmed = None;
        if let Some(i) = pending {
            let entry = self.pushes.remove(i);
            self.completed_pushes.write(push);
            out.push(Effect::CompletePush { push });
            out.push(Effect::CancelTimer {
                timer: Timer::PushCompletion(push),
            });
            if accepted {
                confirmed = Some(entry.call);
            }
        }
        let Some(idx) = reporting else {
            // A duplicate push's report: CallKit accepting it confirms the call too.
            if let Some(idx) = confirmed.and_then(|call| self.index_of(call)) {
                self.confirm_report(idx, out);
            }
            return Ok(());
        };
        if let Some(c) = self.calls.get_mut(idx) {
            c.report_push = None;
        }
        match result {
            _ if accepted => {
                self.confirm_report(idx, out);
            }
            Ok(()) => {}
            Err(error) => {
                let reason = match error {
                    IncomingCallError::FilteredByDoNotDisturb => RejectReason::DoNotDisturb,
                    IncomingCallError::FilteredByBlockList => RejectReason::Blocked,
                    _ => RejectReason::Failed,
                };
                // CallKit refused the call: it never rang, so there is nothing to report
                // as ended; the server learns why.
                self.teardown(idx, Release::Auto(reason), None, out);
            }
        }
        Ok(())
    }

    /// CallKit now knows the call (its report completed, its push deadline passed, or
    /// CallKit performed an action on it): apply an end kept while it did not. Returns
    /// whether the call is still live at `idx`.
    fn confirm_report(&mut self, idx: usize, out: &mut Effects<EFFECTS>) -> bool {
        let Some(c) = self.calls.get_mut(idx) else {
            return false;
        };
        if !c.awaiting_report {
            return true;
        }
        c.awaiting_report = false;
        let call = c.id;
        match c.pending_end.take() {
            None => true,
            Some(PendingEnd::Remote { reason, release }) => {
                self.teardown(idx, release, Some(reason), out);
                false
            }
            Some(PendingEnd::Local) if self.transactions.is_full() => {
                self.teardown(
                    idx,
                    Release::Auto(RejectReason::Declined),
                    Some(CallEndedReason::Failed),
                    out,
                );
                false
            }
            Some(PendingEnd::Local) => {
                self.request(
                    call,
                    TransactionKind::End,
                    CallAction::EndCall { call },
                    out,
                );
                true
            }
        }
    }

    // ----- CXProviderDelegate -----

    fn on_reset(&mut self, out: &mut Effects<EFFECTS>) {
        // Every call goes, in slot order, without shifting the table once per call.
        // providerDidReset voids every action: none may be fulfilled or failed.
        for c in self.calls.iter() {
            let release = Release::Auto(RejectReason::Failed);
            emit_end(c, release, None, Held::Void, self.now, out);
            self.recently_ended.write(c.id);
        }
        self.calls.clear();
        for p in self.pushes.iter() {
            self.completed_pushes.write(p.push);
            out.push(Effect::CompletePush { push: p.push });
            out.push(Effect::CancelTimer {
                timer: Timer::PushCompletion(p.push),
            });
        }
        self.pushes.clear();
        self.transactions.clear();
        self.audio_active = false;
        log_transition!("provider reset");
    }

    /// In one pass over the calls: refuses an action id that is already held for
    /// another action, and finds the call's slot.
    fn locate(&self, action: ActionId, call: CallId) -> Result<Option<usize>, Error> {
        let mut found = None;
        for (i, c) in self.calls.iter().enumerate() {
            if c.held_action == Some(action) {
                return Err(Error::DuplicateAction(action));
            }
            if c.id == call {
                found = Some(i);
            }
        }
        Ok(found)
    }

    /// Performs an action that completes in the same step: `apply` returns the
    /// signalling effect (having updated the call) or `None` to fail the action.
    fn perform_simple(
        &mut self,
        action: ActionId,
        call: CallId,
        out: &mut Effects<EFFECTS>,
        apply: impl FnOnce(&mut Call) -> Option<Effect>,
    ) -> Result<(), Error> {
        let idx = self.locate(action, call)?;
        let effect = idx.and_then(|i| self.calls.get_mut(i)).and_then(apply);
        match effect {
            Some(effect) => {
                out.push(effect);
                out.push(Effect::FulfillAction { action });
            }
            None => out.push(Effect::FailAction { action }),
        }
        Ok(())
    }

    fn on_perform_answer(
        &mut self,
        action: ActionId,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        // CallKit asking to answer proves it knows the call, whatever its report says;
        // a kept end applied now removes the call.
        let idx = self
            .locate(action, call)?
            .filter(|&idx| self.confirm_report(idx, out));
        let audio = self.audio_active;
        let deadline = self
            .now
            .saturating_add_ms(self.config.answer_connect_timeout_ms);
        let Some(c) = idx.and_then(|idx| self.calls.get_mut(idx)) else {
            out.push(Effect::FailAction { action });
            return Ok(());
        };
        if c.direction != Direction::Incoming
            || c.phase != CallPhase::Ringing
            || c.pending_end.is_some()
        {
            out.push(Effect::FailAction { action });
            return Ok(());
        }
        if c.ring_deadline.take().is_some() {
            out.push(Effect::CancelTimer {
                timer: Timer::Ring(call),
            });
        }
        out.push(Effect::ConfigureAudioSession);
        if c.connection_ready {
            c.phase = CallPhase::Answered;
            out.push(Effect::AnswerIncoming { call });
            out.push(Effect::FulfillAction { action });
            if audio {
                c.media = true;
                out.push(Effect::StartMedia { call });
            }
        } else {
            // Not connected yet (cold start from a push): hold the action until the
            // connection is ready, and fail it after a bound (as Signal does).
            c.phase = CallPhase::Answering;
            c.held_action = Some(action);
            c.answer_deadline = Some(deadline);
            out.push(Effect::StartTimer {
                timer: Timer::AnswerConnect(call),
                deadline,
            });
        }
        log_transition!("call {} {}", call, c.phase);
        Ok(())
    }

    fn on_perform_start(
        &mut self,
        action: ActionId,
        call: CallId,
        handle: &str,
        handle_type: HandleType,
        video: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some(idx) = self.locate(action, call)? else {
            // Only calls the app requested are started; CallKit ends the call.
            out.push(Effect::FailAction { action });
            return Ok(());
        };
        let provider = self.config.provider;
        let audio = self.audio_active;
        let Some(c) = self.calls.get_mut(idx) else {
            return Ok(());
        };
        if c.phase != CallPhase::Requested {
            out.push(Effect::FailAction { action });
            return Ok(());
        }
        let handle = Handle::new(handle_type, handle).filter(|h| !h.value.is_empty());
        let allowed = (!video || provider.supports_video)
            && provider.supported_handle_types.contains(handle_type);
        let ending = c.pending_end.take();
        let (Some(handle), true, None) = (handle, allowed, ending) else {
            let reason = match ending {
                Some(PendingEnd::Remote { reason, .. }) => reason,
                _ => CallEndedReason::Failed,
            };
            out.push(Effect::FailAction { action });
            self.teardown(idx, Release::Nothing, Some(reason), out);
            return Ok(());
        };
        c.phase = CallPhase::Starting;
        c.held_action = Some(action);
        c.handle = Some(handle.clone());
        c.has_video = video;
        out.push(Effect::ConfigureAudioSession);
        out.set_handle(handle);
        out.push(Effect::StartOutgoing { call, video });
        if audio {
            c.media = true;
            out.push(Effect::StartMedia { call });
        }
        log_transition!("call {} starting", call);
        Ok(())
    }

    /// Applies `CXSetGroupCallAction` if the call, its capabilities and the provider's
    /// group limits allow it; returns whether it did.
    fn set_group(&mut self, call: CallId, group_with: Option<CallId>) -> bool {
        let caps = self.config.capabilities;
        let limits = self.config.provider;
        let Some(me) = self.call(call) else {
            return false;
        };
        if !me.phase.is_established() {
            return false;
        }
        let my_label = me.group;
        match group_with {
            Some(other) => {
                let Some(them) = self.call(other) else {
                    return false;
                };
                if other == call || !caps.supports_grouping || !them.phase.is_established() {
                    return false;
                }
                let label = them.group;
                if label == my_label {
                    return true;
                }
                let members = self.calls.iter().filter(|c| c.group == label).count();
                if members >= usize::from(limits.maximum_calls_per_call_group) {
                    return false;
                }
                if let Some(c) = self.calls.iter_mut().find(|c| c.id == call) {
                    c.group = label;
                }
                true
            }
            None => {
                if !caps.supports_ungrouping {
                    return false;
                }
                let others = self
                    .calls
                    .iter()
                    .filter(|c| c.group == my_label && c.id != call)
                    .count();
                if others == 0 {
                    return true;
                }
                if self.group_count() >= usize::from(limits.maximum_call_groups) {
                    return false;
                }
                // The call leaves; if it lent the group its label, the rest take a new one.
                let heir = self
                    .calls
                    .iter()
                    .find(|c| c.group == my_label && c.id != call)
                    .map(|c| c.id);
                for c in self.calls.iter_mut() {
                    if c.id == call {
                        c.group = call;
                    } else if my_label == call && c.group == call {
                        c.group = heir.unwrap_or(c.id);
                    }
                }
                true
            }
        }
    }

    fn group_count(&self) -> usize {
        let mut labels: Vec<CallId, CALLS> = Vec::new();
        for c in self.calls.iter() {
            if !labels.contains(&c.group) {
                let _ = labels.push(c.group);
            }
        }
        labels.len()
    }

    // ----- CXCallController requests -----

    fn on_request_start(
        &mut self,
        call: CallId,
        handle: &str,
        handle_type: HandleType,
        video: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        if self.index_of(call).is_some() || self.ended_recently(call) {
            return Err(Error::CallExists(call));
        }
        if self.calls.is_full() {
            return Err(Error::CallCapacity);
        }
        if self.transactions.is_full() {
            return Err(Error::TransactionCapacity);
        }
        let handle = Handle::new(handle_type, handle)
            .filter(|h| !h.value.is_empty())
            .ok_or(Error::InvalidHandle)?;
        let provider = self.config.provider;
        if (video && !provider.supports_video)
            || !provider.supported_handle_types.contains(handle_type)
        {
            return Err(Error::NotSupported(call));
        }
        let mut c = Call::new(call, Direction::Outgoing, CallPhase::Requested);
        c.handle = Some(handle.clone());
        c.has_video = video;
        if self.calls.push(c).is_err() {
            return Err(Error::CallCapacity);
        }
        out.set_handle(handle);
        self.request(
            call,
            TransactionKind::Start,
            CallAction::StartCall { call, video },
            out,
        );
        Ok(())
    }

    fn on_request_end(&mut self, call: CallId, out: &mut Effects<EFFECTS>) -> Result<(), Error> {
        let idx = self.index_of(call).ok_or(Error::UnknownCall(call))?;
        let full = self.transactions.is_full();
        let Some(c) = self.calls.get_mut(idx) else {
            return Err(Error::UnknownCall(call));
        };
        if c.awaiting_report || c.phase == CallPhase::Requested {
            // CallKit may not know the call yet: keep the end until it does.
            if c.pending_end.is_none() {
                c.pending_end = Some(PendingEnd::Local);
            }
            return Ok(());
        }
        if full {
            return Err(Error::TransactionCapacity);
        }
        self.request(
            call,
            TransactionKind::End,
            CallAction::EndCall { call },
            out,
        );
        Ok(())
    }

    /// Requests a hold, mute or DTMF transaction once `check` accepts the call.
    fn request_simple(
        &mut self,
        call: CallId,
        out: &mut Effects<EFFECTS>,
        check: impl FnOnce(&Call) -> Result<CallAction, Error>,
    ) -> Result<(), Error> {
        let c = self.call(call).ok_or(Error::UnknownCall(call))?;
        let action = check(c)?;
        if self.transactions.is_full() {
            return Err(Error::TransactionCapacity);
        }
        self.request(call, TransactionKind::Other, action, out);
        Ok(())
    }

    /// Records a transaction (the caller checked for room) and asks for it.
    fn request(
        &mut self,
        call: CallId,
        kind: TransactionKind,
        action: CallAction,
        out: &mut Effects<EFFECTS>,
    ) {
        let id = TransactionId(self.next_transaction);
        if self
            .transactions
            .push(PendingTransaction { id, call, kind })
            .is_ok()
        {
            self.next_transaction = self.next_transaction.wrapping_add(1);
            out.push(Effect::RequestTransaction {
                transaction: id,
                action,
            });
        }
    }

    fn on_transaction_completed(
        &mut self,
        transaction: TransactionId,
        result: TransactionResult,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let i = self
            .transactions
            .iter()
            .position(|t| t.id == transaction)
            .ok_or(Error::UnknownTransaction(transaction))?;
        let t = self.transactions.remove(i);
        if result.is_ok() {
            // The system now performs the action through the provider delegate.
            return Ok(());
        }
        let Some(idx) = self.index_of(t.call) else {
            return Ok(());
        };
        match t.kind {
            TransactionKind::Start => {
                if self
                    .calls
                    .get(idx)
                    .is_some_and(|c| c.phase == CallPhase::Requested)
                {
                    // CallKit never took the call: drop it without a report.
                    self.teardown(idx, Release::Nothing, None, out);
                }
            }
            TransactionKind::End => {
                // CallKit would not end it (for example unknownCallUUID): end it here so
                // nothing stays ringing.
                self.teardown(
                    idx,
                    Release::Auto(RejectReason::Declined),
                    Some(CallEndedReason::Failed),
                    out,
                );
            }
            TransactionKind::Other => {}
        }
        Ok(())
    }

    // ----- Signalling -----

    fn outgoing_progress(
        &mut self,
        idx: usize,
        connected: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let now = self.now;
        let Some(c) = self.calls.get_mut(idx) else {
            return Ok(());
        };
        let call = c.id;
        let ok = c.direction == Direction::Outgoing
            && matches!(
                (c.phase, connected),
                (CallPhase::Starting, _) | (CallPhase::Connecting, true)
            );
        if !ok {
            return Err(Error::WrongPhase(call));
        }
        if c.phase == CallPhase::Starting {
            out.push(Effect::ReportOutgoingCallStartedConnecting { call, at: now });
            if let Some(action) = c.held_action.take() {
                out.push(Effect::FulfillAction { action });
            }
            c.phase = CallPhase::Connecting;
        }
        if connected {
            out.push(Effect::ReportOutgoingCallConnected { call, at: now });
            c.phase = CallPhase::Connected;
        }
        log_transition!("call {} {}", call, c.phase);
        Ok(())
    }

    fn on_incoming_connected(
        &mut self,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let audio = self.audio_active;
        let c = self
            .calls
            .iter_mut()
            .find(|c| c.id == call)
            .ok_or(Error::UnknownCall(call))?;
        if c.direction != Direction::Incoming {
            return Err(Error::WrongPhase(call));
        }
        c.connection_ready = true;
        if c.phase == CallPhase::Answering {
            if c.answer_deadline.take().is_some() {
                out.push(Effect::CancelTimer {
                    timer: Timer::AnswerConnect(call),
                });
            }
            c.phase = CallPhase::Answered;
            out.push(Effect::AnswerIncoming { call });
            if let Some(action) = c.held_action.take() {
                out.push(Effect::FulfillAction { action });
            }
            if audio && !c.media {
                c.media = true;
                out.push(Effect::StartMedia { call });
            }
            log_transition!("call {} answered", call);
        }
        Ok(())
    }

    fn on_remote_end(
        &mut self,
        call: CallId,
        reason: CallEndedReason,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let idx = self.index_of(call).ok_or(Error::UnknownCall(call))?;
        let Some(c) = self.calls.get_mut(idx) else {
            return Err(Error::UnknownCall(call));
        };
        let unanswered = c.direction == Direction::Incoming
            && matches!(c.phase, CallPhase::Ringing | CallPhase::Answering);
        let elsewhere = matches!(
            reason,
            CallEndedReason::AnsweredElsewhere | CallEndedReason::DeclinedElsewhere
        );
        if c.phase == CallPhase::Requested || (elsewhere && !unanswered) {
            return Err(Error::WrongPhase(call));
        }
        if c.awaiting_report {
            // CallKit has not confirmed the call yet: keep the end and apply it when the
            // report completes (element-ios #1751, "stuck ringing forever").
            if c.pending_end.is_none() {
                c.pending_end = Some(PendingEnd::Remote {
                    reason,
                    release: Release::Nothing,
                });
            }
            return Ok(());
        }
        self.teardown(idx, Release::Nothing, Some(reason), out);
        Ok(())
    }

    // ----- Timers -----

    fn on_timer(&mut self, timer: Timer, out: &mut Effects<EFFECTS>) -> Result<(), Error> {
        let now = self.now;
        let due = |deadline: Instant| {
            if deadline > now {
                Err(Error::TimerNotDue { timer, deadline })
            } else {
                Ok(())
            }
        };
        match timer {
            Timer::PushCompletion(push) => {
                let i = self
                    .pushes
                    .iter()
                    .position(|p| p.push == push)
                    .ok_or(Error::UnknownTimer(timer))?;
                due(self.pushes.get(i).map_or(now, |p| p.deadline))?;
                self.pushes.remove(i);
                self.completed_pushes.write(push);
                out.push(Effect::CompletePush { push });
                // The report is overdue; CallKit has long processed it. Stop holding back
                // ends for its call.
                if let Some(idx) = self.calls.iter().position(|c| c.report_push == Some(push)) {
                    self.confirm_report(idx, out);
                }
            }
            Timer::Ring(call) => {
                let (idx, deadline) = self
                    .armed(call, |c| c.ring_deadline)
                    .ok_or(Error::UnknownTimer(timer))?;
                due(deadline)?;
                let backstop = self
                    .now
                    .saturating_add_ms(self.config.push_completion_timeout_ms);
                let Some(c) = self.calls.get_mut(idx) else {
                    return Ok(());
                };
                c.ring_deadline = None;
                if c.awaiting_report && !c.ring_backstop {
                    // CallKit has not confirmed the call: keep the time-out like any other
                    // end, and give the report one push time-out more before ending it
                    // regardless (a report that never completes must not ring forever).
                    if c.pending_end.is_none() {
                        c.pending_end = Some(PendingEnd::Remote {
                            reason: CallEndedReason::Unanswered,
                            release: Release::Auto(RejectReason::Unanswered),
                        });
                    }
                    c.ring_backstop = true;
                    c.ring_deadline = Some(backstop);
                    out.push(Effect::StartTimer {
                        timer: Timer::Ring(call),
                        deadline: backstop,
                    });
                    return Ok(());
                }
                let (release, reason) = match c.pending_end {
                    Some(PendingEnd::Remote { reason, release }) => (release, reason),
                    Some(PendingEnd::Local) => (
                        Release::Auto(RejectReason::Declined),
                        CallEndedReason::Failed,
                    ),
                    None => (
                        Release::Auto(RejectReason::Unanswered),
                        CallEndedReason::Unanswered,
                    ),
                };
                log_transition!("call {} ring time-out", call);
                self.teardown(idx, release, Some(reason), out);
            }
            Timer::AnswerConnect(call) => {
                let (idx, deadline) = self
                    .armed(call, |c| c.answer_deadline)
                    .ok_or(Error::UnknownTimer(timer))?;
                due(deadline)?;
                if let Some(c) = self.calls.get_mut(idx) {
                    c.answer_deadline = None;
                }
                log_transition!("call {} answer time-out", call);
                // The held answer action is failed by the teardown.
                self.teardown(
                    idx,
                    Release::Auto(RejectReason::Failed),
                    Some(CallEndedReason::Failed),
                    out,
                );
            }
        }
        Ok(())
    }

    // ----- Helpers -----

    fn index_of(&self, call: CallId) -> Option<usize> {
        self.calls.iter().position(|c| c.id == call)
    }

    /// The slot of `call` and the deadline `deadline` reads from it, if that timer is
    /// armed.
    fn armed(
        &self,
        call: CallId,
        deadline: fn(&Call) -> Option<Instant>,
    ) -> Option<(usize, Instant)> {
        let idx = self.index_of(call)?;
        Some((idx, deadline(self.calls.get(idx)?)?))
    }

    fn ended_recently(&self, call: CallId) -> bool {
        self.recently_ended.contains(&call)
    }

    fn blank_update(&self) -> CallUpdate {
        let caps = self.config.capabilities;
        CallUpdate {
            remote_handle: None,
            localized_caller_name: None,
            has_video: false,
            supports_holding: caps.supports_holding,
            supports_grouping: caps.supports_grouping,
            supports_ungrouping: caps.supports_ungrouping,
            supports_dtmf: caps.supports_dtmf,
        }
    }

    fn update_from(&self, parsed: &PushPayload) -> CallUpdate {
        CallUpdate {
            remote_handle: parsed.handle.clone(),
            localized_caller_name: parsed.caller_name.clone(),
            has_video: parsed.has_video && self.config.provider.supports_video,
            ..self.blank_update()
        }
    }

    fn update_for(&self, idx: usize) -> CallUpdate {
        match self.calls.get(idx) {
            Some(c) => CallUpdate {
                remote_handle: c.handle.clone(),
                localized_caller_name: c.caller_name.clone(),
                has_video: c.has_video,
                ..self.blank_update()
            },
            None => self.blank_update(),
        }
    }

    /// Removes the call at `idx` and emits, in order: the cancel of its armed timer, the
    /// failure of its held action, the stop of its media, the release of its signalling
    /// leg, and (with `ended`) `reportCall(endedAt:reason:)`. At most 5 effects.
    fn teardown(
        &mut self,
        idx: usize,
        release: Release,
        ended: Option<CallEndedReason>,
        out: &mut Effects<EFFECTS>,
    ) {
        if idx >= self.calls.len() {
            return;
        }
        // O(1): the last call takes the freed slot (no shifting of whole calls).
        let c = self.calls.swap_remove(idx);
        emit_end(&c, release, ended, Held::Fail, self.now, out);
        self.recently_ended.write(c.id);
        log_transition!("call {} ended", c.id);
    }
}

/// What ending a call does with its held answer or start action.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    /// Fail it (the call ends before the action could complete).
    Fail,
    /// Leave it: `providerDidReset` voided it.
    Void,
}

/// The effects of ending call `c`, in order: the cancel of its armed timer, the failure
/// of its held action (unless `held` is `Void`), the stop of its media, the release of
/// its signalling leg, and (with `ended`) `reportCall(endedAt:reason:)`. At most 5.
fn emit_end<const N: usize>(
    c: &Call,
    release: Release,
    ended: Option<CallEndedReason>,
    held: Held,
    now: Instant,
    out: &mut Effects<N>,
) {
    let call = c.id;
    if c.ring_deadline.is_some() {
        out.push(Effect::CancelTimer {
            timer: Timer::Ring(call),
        });
    }
    if c.answer_deadline.is_some() {
        out.push(Effect::CancelTimer {
            timer: Timer::AnswerConnect(call),
        });
    }
    if let (Some(action), Held::Fail) = (c.held_action, held) {
        out.push(Effect::FailAction { action });
    }
    if c.media {
        out.push(Effect::StopMedia { call });
    }
    let signal = match release {
        Release::Nothing => None,
        Release::HangUp => Some(Effect::HangUp { call }),
        Release::Auto(reason) => match c.phase {
            CallPhase::Ringing | CallPhase::Answering => {
                Some(Effect::RejectIncoming { call, reason })
            }
            CallPhase::Requested => None,
            _ => Some(Effect::HangUp { call }),
        },
    };
    if let Some(signal) = signal {
        out.push(signal);
    }
    if let Some(reason) = ended {
        out.push(Effect::ReportCallEnded {
            call,
            at: now,
            reason,
        });
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(Config::default())
    }
}

/// The UUID an unusable push is reported under when the host's fallback UUID names the
/// app's own outgoing call: the v5 UUID of the fallback's 16 bytes and the push id's 8
/// (big-endian), in [`OPAQUE_ID_NAMESPACE`]'s namespace. Deterministic, and distinct
/// from the fallback.
pub fn unusable_push_id(fallback: CallId, push: PushId) -> CallId {
    let mut name = [0u8; 24];
    let (head, tail) = name.split_at_mut(16);
    head.copy_from_slice(fallback.as_bytes());
    tail.copy_from_slice(&push.0.to_be_bytes());
    CallId(uuid::Uuid::new_v5(&OPAQUE_ID_NAMESPACE, &name))
}

/// The token as lower-case hex, `None` when empty or over [`MAX_PUSH_TOKEN_LEN`] bytes.
fn hex_token(token: &[u8]) -> Option<heapless::String<{ 2 * MAX_PUSH_TOKEN_LEN }>> {
    if token.is_empty() || token.len() > MAX_PUSH_TOKEN_LEN {
        return None;
    }
    let mut hex = heapless::String::new();
    for byte in token {
        write!(hex, "{byte:02x}").ok()?;
    }
    Some(hex)
}

/// The digits if they are 1 to [`MAX_DTMF_DIGITS`] of `0-9 * # A-D ,` (a comma is a
/// pause, as in `CXPlayDTMFCallAction`), else `None`.
fn dtmf_digits(digits: &str) -> Option<heapless::String<MAX_DTMF_DIGITS>> {
    let valid =
        |b: u8| b.is_ascii_digit() || matches!(b, b'*' | b'#' | b'A'..=b'D' | b'a'..=b'd' | b',');
    if digits.is_empty() || !digits.bytes().all(valid) {
        return None;
    }
    let mut s = heapless::String::new();
    s.push_str(digits).ok()?;
    Some(s)
}
