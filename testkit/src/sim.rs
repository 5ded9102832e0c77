//! A CallKit simulator: a test double that carries out the engine's effects and answers
//! them the way iOS does, on a virtual clock, so tests drive the engine the way the system
//! would.
//!
//! - `reportNewIncomingCall` completes after [`SimConfig::report_latency_ms`] with
//!   `callUUIDAlreadyExists` for a UUID CallKit already holds, `filteredByDoNotDisturb`
//!   when [`SimConfig::do_not_disturb`] is on, `filteredByBlockList` for a blocked
//!   handle, else success (and CallKit then holds the call).
//! - `CXCallController` requests complete after [`SimConfig::request_latency_ms`]:
//!   `unknownCallUUID` for a call CallKit does not hold, `callUUIDAlreadyExists` for a
//!   start whose UUID it holds, `maximumCallGroupsReached` for a start when the calls
//!   already form `maximumCallGroups` groups; an accepted request's action is performed
//!   through the provider delegate right after.
//! - Every deferred action times out (`timedOutPerforming`) after
//!   [`SimConfig::action_timeout_ms`]; CallKit then drops the call.
//! - The audio session is activated after an answer or start action is fulfilled and
//!   deactivated when CallKit holds no call any more; `providerDidReset` drops every call,
//!   voids every action and deactivates the session.
//! - Timers from `StartTimer`/`CancelTimer` are run by the simulated host and fired at
//!   their deadlines; the signalling side can connect incoming calls and connect and
//!   answer outgoing ones after fixed delays.
//!
//! Every step goes through a [`Harness`], so the [`InvariantChecker`](crate::InvariantChecker)
//! checks I1-I10 throughout.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use callkit_engine::{
    ActionId, CallAction, CallEndedReason, CallId, Config, DtmfType, Effect, Error, Event,
    HandleType, IncomingCallError, IncomingReport, PushId, RequestTransactionError, Timer,
    TransactionId, Uuid,
};

use crate::invariants::ActionKind;
use crate::{fallback_id, Harness, StepEffects};

/// How the simulated iOS and network behave.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Delay before `reportNewIncomingCall` calls back.
    pub report_latency_ms: u64,
    /// Delay before a `CXCallController` request completes (its action is performed one
    /// such delay later).
    pub request_latency_ms: u64,
    /// Delay between a fulfilled answer/start and `didActivate`, and between the last
    /// call's end and `didDeactivate`.
    pub audio_latency_ms: u64,
    /// CallKit's action time-out (undocumented, about a minute observed).
    pub action_timeout_ms: u64,
    /// Do Not Disturb: every new report fails with `filteredByDoNotDisturb`.
    pub do_not_disturb: bool,
    /// Handles whose reports fail with `filteredByBlockList`.
    pub blocked_handles: Vec<String>,
    /// Signalling: `IncomingCallConnected` this long after `ConnectIncoming` (`None`:
    /// never, the test sends it).
    pub incoming_connect_ms: Option<u64>,
    /// Signalling: `OutgoingCallConnecting` this long after `StartOutgoing`.
    pub outgoing_connecting_ms: Option<u64>,
    /// Signalling: `OutgoingCallConnected` this long after `StartOutgoing`.
    pub outgoing_answer_ms: Option<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            report_latency_ms: 30,
            request_latency_ms: 5,
            audio_latency_ms: 20,
            action_timeout_ms: 60_000,
            do_not_disturb: false,
            blocked_handles: Vec::new(),
            incoming_connect_ms: Some(300),
            outgoing_connecting_ms: Some(200),
            outgoing_answer_ms: Some(3_000),
        }
    }
}

/// Where a call stands in CallKit's own view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimCallState {
    /// Incoming, ringing in the system UI.
    Ringing,
    /// Outgoing, its start action performed, not yet connecting.
    Dialing,
    /// Outgoing, `startedConnecting` reported.
    Connecting,
    /// Answered, or outgoing and `connected` reported.
    Active,
}

/// A call as CallKit holds it.
#[derive(Clone, Debug)]
pub struct SimCall {
    /// Outgoing (started with a start action) or incoming (reported).
    pub outgoing: bool,
    /// Where it stands.
    pub state: SimCallState,
    /// Its group label (its own UUID when alone).
    pub group: CallId,
    /// The handle CallKit shows.
    pub handle: Option<String>,
}

#[derive(Clone, Debug)]
enum Perform {
    Start {
        call: CallId,
        handle: String,
        video: bool,
    },
    Answer(CallId),
    End(CallId),
    Held(CallId, bool),
    Muted(CallId, bool),
    Dtmf(CallId, String, DtmfType),
}

#[derive(Clone, Debug)]
enum Sys {
    Reported(IncomingReport, Result<(), IncomingCallError>),
    TransactionDone(TransactionId, Result<(), RequestTransactionError>),
    Perform(Perform),
    TimedOut(ActionId),
    Activate,
    Deactivate,
    IncomingConnected(CallId),
    OutgoingConnecting(CallId),
    OutgoingConnected(CallId),
}

/// The simulator: an engine in a [`Harness`] plus CallKit's, PushKit's and the host's
/// side of the conversation.
pub struct CallKitSim<const C: usize = 4, const P: usize = 8, const E: usize = 32> {
    /// The engine, the virtual clock, the invariant checker and the recorded steps.
    pub harness: Harness<C, P, E>,
    /// How iOS and the network behave (may be changed between steps).
    pub config: SimConfig,
    queue: BTreeMap<(u64, u64), Sys>,
    seq: u64,
    timers: HashMap<Timer, u64>,
    calls: BTreeMap<CallId, SimCall>,
    actions: BTreeMap<ActionId, (ActionKind, CallId)>,
    timed_out: BTreeSet<ActionId>,
    audio_active: bool,
    audio_change_queued: bool,
    next_push: u64,
    next_action: u64,
    owed_pushes: BTreeSet<PushId>,
    completed_pushes: Vec<PushId>,
    refused: Vec<(u64, &'static str, Error)>,
    max_call_groups: usize,
}

impl<const C: usize, const P: usize, const E: usize> CallKitSim<C, P, E> {
    /// A simulator around a new engine with `config`, at time 0.
    pub fn new(config: Config, sim: SimConfig) -> Self {
        let max_call_groups = usize::from(config.provider.maximum_call_groups);
        CallKitSim {
            harness: Harness::new(config),
            config: sim,
            queue: BTreeMap::new(),
            seq: 0,
            timers: HashMap::new(),
            calls: BTreeMap::new(),
            actions: BTreeMap::new(),
            timed_out: BTreeSet::new(),
            audio_active: false,
            audio_change_queued: false,
            next_push: 0,
            next_action: 0,
            owed_pushes: BTreeSet::new(),
            completed_pushes: Vec::new(),
            refused: Vec::new(),
            max_call_groups,
        }
    }

    /// The virtual clock.
    pub fn now(&self) -> u64 {
        self.harness.now
    }

    /// The calls CallKit holds.
    pub fn callkit_calls(&self) -> &BTreeMap<CallId, SimCall> {
        &self.calls
    }

    /// Whether the audio session is active.
    pub fn audio_active(&self) -> bool {
        self.audio_active
    }

    /// Actions CallKit is waiting on (performed, neither fulfilled nor failed nor timed
    /// out).
    pub fn outstanding_actions(&self) -> usize {
        self.actions.len()
    }

    /// Pushes whose completion handler has not been called.
    pub fn owed_pushes(&self) -> usize {
        self.owed_pushes.len()
    }

    /// Every push completed so far, in order.
    pub fn completed_pushes(&self) -> &[PushId] {
        &self.completed_pushes
    }

    /// Events the engine refused (time, event name, error): callbacks racing an end are
    /// normal (a connection that completes after the call ended).
    pub fn refusals(&self) -> &[(u64, &'static str, Error)] {
        &self.refused
    }

    /// The invariant violations so far.
    pub fn violations(&self) -> &[String] {
        self.harness.checker.violations()
    }

    /// Ends the run: checks the owed pushes and panics with the timeline on any
    /// violation.
    pub fn finish(&mut self) {
        let now = self.harness.now;
        self.harness.checker.finish(now);
        self.harness.assert_rules();
    }

    /// Every step so far.
    pub fn timeline(&self) -> String {
        self.harness.timeline()
    }

    // ----- what the user, the app and the network do -----

    /// PushKit delivers a VoIP push with `payload` (a fresh push id and fallback UUID).
    pub fn push(&mut self, payload: &[u8]) -> (PushId, StepEffects) {
        self.next_push += 1;
        let push = PushId(self.next_push);
        self.owed_pushes.insert(push);
        let effects = self
            .feed(Event::VoipPushReceived {
                push,
                payload,
                fallback_call: fallback_id(push.0),
                must_report: None,
                received_at_unix_ms: None,
            })
            .expect("a push is never refused");
        (push, effects)
    }

    /// The user answers `call` in the system UI. `None` when CallKit shows no such
    /// ringing call.
    pub fn user_answers(&mut self, call: CallId) -> Option<ActionId> {
        let ringing = self
            .calls
            .get(&call)
            .is_some_and(|c| c.state == SimCallState::Ringing);
        ringing.then(|| self.perform(Perform::Answer(call)))
    }

    /// The user ends (or declines) `call` in the system UI. `None` when CallKit holds no
    /// such call.
    pub fn user_ends(&mut self, call: CallId) -> Option<ActionId> {
        self.calls
            .contains_key(&call)
            .then(|| self.perform(Perform::End(call)))
    }

    /// The app's UI starts an outgoing call.
    pub fn app_starts_call(&mut self, call: CallId, handle: &str) -> Result<StepEffects, Error> {
        self.feed(Event::RequestStartCall {
            call,
            handle,
            handle_type: HandleType::infer(handle),
            video: false,
        })
    }

    /// Feeds any event at the current time and carries out its effects (for app
    /// requests, signalling events and hostile input).
    pub fn send(&mut self, event: Event<'_>) -> Result<StepEffects, Error> {
        self.feed(event)
    }

    /// CallKit resets (`providerDidReset`): every call and action is gone.
    pub fn reset(&mut self) -> StepEffects {
        self.calls.clear();
        self.actions.clear();
        self.audio_active = false;
        self.audio_change_queued = false;
        self.queue.retain(|_, sys| {
            !matches!(
                sys,
                Sys::Perform(_) | Sys::TimedOut(_) | Sys::Activate | Sys::Deactivate
            )
        });
        self.feed(Event::ProviderDidReset)
            .expect("a reset is never refused")
    }

    /// Moves the clock `ms` forward, delivering every callback and firing every timer due
    /// on the way, in time order.
    pub fn advance(&mut self, ms: u64) {
        let end = self.harness.now.saturating_add(ms);
        loop {
            let next_sys = self.queue.keys().next().map(|(t, _)| *t);
            let next_timer = self.timers.values().min().copied();
            let next = match (next_sys, next_timer) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => break,
            };
            if next > end {
                break;
            }
            self.harness.now = self.harness.now.max(next);
            if next_timer == Some(next) && next_sys.is_none_or(|s| s >= next) {
                // The host's own timer view, fired in the core's due order (deadline,
                // then `Timer`'s order, as `Engine::next_due_timer` gives it).
                let timer = self
                    .timers
                    .iter()
                    .filter(|(_, d)| **d == next)
                    .map(|(t, _)| *t)
                    .min();
                if let Some(timer) = timer {
                    self.timers.remove(&timer);
                    let _ = self.feed(Event::TimerFired { timer });
                    continue;
                }
            }
            if let Some(((_, _), sys)) = self.queue.pop_first() {
                self.deliver(sys);
            }
        }
        self.harness.now = end;
    }

    // ----- the machinery -----

    fn schedule(&mut self, delay: u64, sys: Sys) {
        self.seq += 1;
        let at = self.harness.now.saturating_add(delay);
        self.queue.insert((at, self.seq), sys);
    }

    fn perform(&mut self, perform: Perform) -> ActionId {
        self.next_action += 1;
        let mut b = [0u8; 16];
        b[0] = 0x5a;
        b[8..16].copy_from_slice(&self.next_action.to_be_bytes());
        let action = ActionId(Uuid::from_bytes(b));
        let (kind, call) = match &perform {
            Perform::Start { call, .. } => (ActionKind::Start, *call),
            Perform::Answer(call) => (ActionKind::Answer, *call),
            Perform::End(call) => (ActionKind::End, *call),
            Perform::Held(call, _) | Perform::Muted(call, _) | Perform::Dtmf(call, ..) => {
                (ActionKind::Other, *call)
            }
        };
        if let Perform::Start { call, handle, .. } = &perform {
            // CallKit creates the call when it performs its start.
            self.calls.insert(
                *call,
                SimCall {
                    outgoing: true,
                    state: SimCallState::Dialing,
                    group: *call,
                    handle: Some(handle.clone()),
                },
            );
        }
        self.actions.insert(action, (kind, call));
        let timeout = self.config.action_timeout_ms;
        self.schedule(timeout, Sys::TimedOut(action));
        let result = match &perform {
            Perform::Start {
                call,
                handle,
                video,
            } => self.feed(Event::PerformStartCall {
                action,
                call: *call,
                handle,
                handle_type: HandleType::infer(handle),
                video: *video,
            }),
            Perform::Answer(call) => self.feed(Event::PerformAnswerCall {
                action,
                call: *call,
            }),
            Perform::End(call) => self.feed(Event::PerformEndCall {
                action,
                call: *call,
            }),
            Perform::Held(call, on_hold) => self.feed(Event::PerformSetHeld {
                action,
                call: *call,
                on_hold: *on_hold,
            }),
            Perform::Muted(call, muted) => self.feed(Event::PerformSetMuted {
                action,
                call: *call,
                muted: *muted,
            }),
            Perform::Dtmf(call, digits, kind) => self.feed(Event::PerformPlayDtmf {
                action,
                call: *call,
                digits,
                kind: *kind,
            }),
        };
        if result.is_err() {
            // A refused action is CallKit's to time out.
            self.actions.remove(&action);
        }
        action
    }

    fn deliver(&mut self, sys: Sys) {
        let _ = match sys {
            Sys::Reported(report, result) => {
                self.feed(Event::IncomingCallReported { report, result })
            }
            Sys::TransactionDone(transaction, result) => self.feed(Event::TransactionCompleted {
                transaction,
                result,
            }),
            Sys::Perform(perform) => {
                self.perform(perform);
                return;
            }
            Sys::TimedOut(action) => {
                let Some((_, call)) = self.actions.remove(&action) else {
                    return;
                };
                self.timed_out.insert(action);
                self.drop_call(call);
                self.feed(Event::TimedOutPerforming { action })
            }
            Sys::Activate => {
                self.audio_change_queued = false;
                if self.audio_active || self.calls.is_empty() {
                    return;
                }
                self.audio_active = true;
                self.feed(Event::DidActivateAudioSession)
            }
            Sys::Deactivate => {
                self.audio_change_queued = false;
                if !self.audio_active || !self.calls.is_empty() {
                    return;
                }
                self.audio_active = false;
                self.feed(Event::DidDeactivateAudioSession)
            }
            Sys::IncomingConnected(call) => self.feed(Event::IncomingCallConnected { call }),
            Sys::OutgoingConnecting(call) => self.feed(Event::OutgoingCallConnecting { call }),
            Sys::OutgoingConnected(call) => self.feed(Event::OutgoingCallConnected { call }),
        };
    }

    fn drop_call(&mut self, call: CallId) {
        if self.calls.remove(&call).is_some() && self.calls.is_empty() && self.audio_active {
            self.audio_change_queued = true;
            let delay = self.config.audio_latency_ms;
            self.schedule(delay, Sys::Deactivate);
        }
    }

    fn activate_audio(&mut self) {
        if !self.audio_active && !self.audio_change_queued {
            self.audio_change_queued = true;
            let delay = self.config.audio_latency_ms;
            self.schedule(delay, Sys::Activate);
        }
    }

    fn group_count(&self) -> usize {
        self.calls
            .values()
            .map(|c| c.group)
            .collect::<BTreeSet<_>>()
            .len()
    }

    fn feed(&mut self, event: Event<'_>) -> Result<StepEffects, Error> {
        let now = self.harness.now;
        let result = self.harness.try_step(event);
        match &result {
            Ok(effects) => self.carry_out(effects),
            Err(error) => self.refused.push((now, event.name(), *error)),
        }
        result
    }

    /// Carries out one step's effects, in order, as CallKit and the host would.
    fn carry_out(&mut self, step: &StepEffects) {
        let latency = self.config.request_latency_ms;
        for effect in &step.effects {
            match effect {
                Effect::ReportNewIncomingCall { push, call } => {
                    let handle = step
                        .call_update
                        .as_ref()
                        .and_then(|u| u.remote_handle.as_ref())
                        .map(|h| h.value.as_str().to_owned());
                    let result = if self.calls.contains_key(call) {
                        Err(IncomingCallError::CallUuidAlreadyExists)
                    } else if self.config.do_not_disturb {
                        Err(IncomingCallError::FilteredByDoNotDisturb)
                    } else if handle
                        .as_ref()
                        .is_some_and(|h| self.config.blocked_handles.contains(h))
                    {
                        Err(IncomingCallError::FilteredByBlockList)
                    } else {
                        self.calls.insert(
                            *call,
                            SimCall {
                                outgoing: false,
                                state: SimCallState::Ringing,
                                group: *call,
                                handle,
                            },
                        );
                        Ok(())
                    };
                    let delay = self.config.report_latency_ms;
                    let report = IncomingReport::of(*call, *push);
                    self.schedule(delay, Sys::Reported(report, result));
                }
                Effect::ReportCallEnded { call, .. } => self.drop_call(*call),
                Effect::ReportOutgoingCallStartedConnecting { call, .. } => {
                    if let Some(c) = self.calls.get_mut(call) {
                        c.state = SimCallState::Connecting;
                    }
                }
                Effect::ReportOutgoingCallConnected { call, .. } => {
                    if let Some(c) = self.calls.get_mut(call) {
                        c.state = SimCallState::Active;
                    }
                }
                Effect::FulfillAction { action } | Effect::FailAction { action } => {
                    let fulfilled = matches!(effect, Effect::FulfillAction { .. });
                    let Some((kind, call)) = self.actions.remove(action) else {
                        continue;
                    };
                    match (kind, fulfilled) {
                        (ActionKind::Answer, true) => {
                            if let Some(c) = self.calls.get_mut(&call) {
                                c.state = SimCallState::Active;
                            }
                            self.activate_audio();
                        }
                        (ActionKind::Start, true) => self.activate_audio(),
                        (ActionKind::End, true)
                        | (ActionKind::Answer, false)
                        | (ActionKind::Start, false) => self.drop_call(call),
                        _ => {}
                    }
                }
                Effect::CompletePush { push } => {
                    self.owed_pushes.remove(push);
                    self.completed_pushes.push(*push);
                }
                Effect::RequestTransaction {
                    transaction,
                    action,
                } => {
                    let call = action.call();
                    let known = self.calls.contains_key(&call);
                    let (result, perform) = match action {
                        CallAction::StartCall { call, video } => {
                            if known {
                                (Err(RequestTransactionError::CallUuidAlreadyExists), None)
                            } else if self.group_count() >= self.max_call_groups {
                                (Err(RequestTransactionError::MaximumCallGroupsReached), None)
                            } else {
                                let handle = step
                                    .handle
                                    .as_ref()
                                    .map(|h| h.value.as_str().to_owned())
                                    .unwrap_or_default();
                                (
                                    Ok(()),
                                    Some(Perform::Start {
                                        call: *call,
                                        handle,
                                        video: *video,
                                    }),
                                )
                            }
                        }
                        _ if !known => (Err(RequestTransactionError::UnknownCallUuid), None),
                        CallAction::EndCall { call } => (Ok(()), Some(Perform::End(*call))),
                        CallAction::AnswerCall { call } => (Ok(()), Some(Perform::Answer(*call))),
                        CallAction::SetHeld { call, on_hold } => {
                            (Ok(()), Some(Perform::Held(*call, *on_hold)))
                        }
                        CallAction::SetMuted { call, muted } => {
                            (Ok(()), Some(Perform::Muted(*call, *muted)))
                        }
                        CallAction::PlayDtmf { call, kind } => (
                            Ok(()),
                            Some(Perform::Dtmf(
                                *call,
                                step.dtmf_digits.clone().unwrap_or_default(),
                                *kind,
                            )),
                        ),
                    };
                    self.schedule(latency, Sys::TransactionDone(*transaction, result));
                    if let Some(perform) = perform {
                        self.schedule(2 * latency, Sys::Perform(perform));
                    }
                }
                Effect::StartTimer { timer, deadline } => {
                    self.timers.insert(*timer, deadline.as_millis());
                }
                Effect::CancelTimer { timer } => {
                    self.timers.remove(timer);
                }
                Effect::ConnectIncoming { call } => {
                    if let Some(delay) = self.config.incoming_connect_ms {
                        self.schedule(delay, Sys::IncomingConnected(*call));
                    }
                }
                Effect::StartOutgoing { call, .. } => {
                    if let Some(delay) = self.config.outgoing_connecting_ms {
                        self.schedule(delay, Sys::OutgoingConnecting(*call));
                    }
                    if let Some(delay) = self.config.outgoing_answer_ms {
                        self.schedule(delay, Sys::OutgoingConnected(*call));
                    }
                }
                Effect::SetGroup { call, group_with } => {
                    let label = group_with
                        .and_then(|other| self.calls.get(&other).map(|c| c.group))
                        .unwrap_or(*call);
                    if let Some(c) = self.calls.get_mut(call) {
                        c.group = label;
                    }
                }
                _ => {}
            }
        }
    }

    /// The reason CallKit would show for a call the engine ended, if it did in `step`.
    pub fn ended_reason(step: &StepEffects, call: CallId) -> Option<CallEndedReason> {
        step.effects.iter().find_map(|e| match e {
            Effect::ReportCallEnded {
                call: c, reason, ..
            } if *c == call => Some(*reason),
            _ => None,
        })
    }
}
