//! The invariant checker: watches the stream of events and effects of one engine and
//! checks the iOS rules I1-I10 after every step (docs/testing.md lists them).
//!
//! It is fed one step at a time with the engine as it was before the step, the engine
//! after it, the time, the event and what [`Engine::handle`] returned, so it works from
//! the [`Harness`](crate::Harness), the CallKit simulator, the model test, the
//! exhaustive search and fuzz targets alike. It keeps its own view of what CallKit,
//! PushKit and the host know (calls, actions, timers, media, pushes) built only from the
//! events and effects, and compares that view with the engine's public state after every
//! step, so a call or timer the engine forgets or invents is caught too.
//!
//! The engine's documented choices it respects (docs/design.md): `providerDidReset`
//! completes pending pushes and voids deferred actions; the push-table overflow completes a
//! push right after its report; a failed start action plus its `ReportCallEnded` is one
//! end; a report CallKit refused (DND, block list, ...) owes no end; malformed, cancel,
//! stale and busy pushes are reported with a [`PushEndReason`] and ended once CallKit
//! accepted the report (or its push deadline passed), the end owed meanwhile by the
//! push, not by an engine call; a `PerformEndCall` for a call the engine does not know
//! is CallKit's own call; a timer fired after its cancel and a `timedOutPerforming` for
//! an action already resolved are races, accepted with no effect.
//!
//! [`PushEndReason`]: callkit_engine::PushEndReason

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

use callkit_engine::{
    ActionId, CallAction, CallEndedReason, CallId, CallPhase, Config, Direction, Effect, Effects,
    Engine, Error, Event, IncomingCallError, IncomingReport, PushEndReason, Timer,
};

use crate::push_rule::PushRuleChecker;

thread_local! {
    static ENGINE_CALL_HOOK: Cell<Option<fn(bool)>> = const { Cell::new(None) };
}

/// Installs (or with `None` removes) a hook that drivers call with `true` right before
/// [`Engine::handle`] and `false` right after it, on this thread; the zero-allocation
/// test uses it to count allocations made inside the engine only.
pub fn set_engine_call_hook(hook: Option<fn(bool)>) {
    ENGINE_CALL_HOOK.with(|h| h.set(hook));
}

/// Called by drivers around [`Engine::handle`] (`true` on entry, `false` on exit).
pub fn engine_call(inside: bool) {
    if let Some(hook) = ENGINE_CALL_HOOK.with(|h| h.get()) {
        hook(inside);
    }
}

/// `fail_if! { self; broken => "I5: message {x}", args; ... }`: records the message of
/// each check whose condition holds, in order (a table of checks, one per entry).
macro_rules! fail_if {
    ($self:ident; $($broken:expr => $fmt:literal $(, $arg:expr)*;)+) => {
        $(if $broken {
            $self.fail(format!($fmt $(, $arg)*));
        })+
    };
}

/// What kind of `CXAction` the host handed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ActionKind {
    Start,
    Answer,
    End,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct ActionRec {
    kind: ActionKind,
    call: CallId,
    /// A start action for a call the engine requested and CallKit did not know yet: its
    /// failure ends the call (CallKit drops a call whose start failed).
    creates_call: bool,
}

/// One incarnation of a call UUID, from its report or start request to its end.
#[derive(Clone, Debug, Default)]
struct CallRec {
    outgoing: bool,
    /// Reported (report pending or accepted), or its start action was performed.
    callkit_knows: bool,
    /// The push whose report created this incarnation, until that report's result.
    owner_push: Option<u64>,
    /// Reported without a push (announced over the app's connection), until that
    /// report's result.
    owner_announced: bool,
    answered: bool,
    started: bool,
    connecting: bool,
    connected: bool,
    media: bool,
    /// Held, as the last `SetHeld` effect said.
    on_hold: bool,
    /// Local ringback started and not stopped.
    ringback: bool,
    /// Muted, as the last `SetMuted` effect said.
    muted: bool,
    /// Translated: `StartTranslation` and no `StopTranslation` since.
    translating: bool,
    /// The pushes reported to end this call at once whose end is still owed (the
    /// engine holds no call for it meanwhile).
    end_owed: BTreeSet<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EndKind {
    /// `ReportCallEnded`.
    Reported,
    /// A fulfilled `CXEndCallAction`.
    EndFulfilled,
    /// A failed start action; `true` once its `ReportCallEnded` came too.
    StartFailed(bool),
    /// `providerDidReset`.
    Reset,
    /// CallKit refused the report: it never knew the call.
    Refused,
    /// The engine requested the call but CallKit never took it.
    Dropped,
}

#[derive(Clone, Copy, Debug, Default)]
struct PushRec {
    /// Effective arrival (a push whose time went backwards is handled at the last time).
    arrived: u64,
    completed: bool,
}

/// Checks I1-I10 (see the module docs) after every step; violations are collected as
/// readable lines, each starting with the invariant's name.
#[derive(Clone, Debug)]
pub struct InvariantChecker {
    push_rule: PushRuleChecker,
    push_rule_seen: usize,
    completion_timeout_ms: u64,
    max_calls: usize,
    max_pushes: usize,
    max_call_groups: usize,
    max_calls_per_group: usize,
    steps: u64,
    /// The time of the step being checked.
    now: u64,
    pushes: BTreeMap<u64, PushRec>,
    actions: BTreeMap<ActionId, ActionRec>,
    timed_out: BTreeSet<ActionId>,
    voided: BTreeSet<ActionId>,
    calls: BTreeMap<CallId, CallRec>,
    ended: BTreeMap<CallId, EndKind>,
    timers: BTreeMap<Timer, u64>,
    audio_active: bool,
    violations: Vec<String>,
}

/// The per-step scratch state.
#[derive(Default)]
struct StepState {
    ended: BTreeMap<CallId, (CallRec, EndKind)>,
    resolved: BTreeMap<ActionId, u32>,
    ungrouped: bool,
    /// The step's report is of a call to be ended at once.
    push_end: bool,
    /// Why, as the step says.
    push_end_reason: Option<PushEndReason>,
    /// Calls whose kept end is due in this step, with the push that completed.
    end_due: Vec<(CallId, u64)>,
    /// Calls a `SetHeld` effect of this step resumed from hold.
    resumed: Vec<CallId>,
    /// Muted calls whose media started in this step and no `SetMuted(true)` followed yet.
    started_muted: Vec<CallId>,
}

impl InvariantChecker {
    /// A checker for an engine with `config`, `max_calls` call slots and `max_pushes`
    /// pending-push slots (the engine's `CALLS` and `PUSHES`).
    pub fn new(config: &Config, max_calls: usize, max_pushes: usize) -> Self {
        InvariantChecker {
            push_rule: PushRuleChecker::new(config, max_pushes),
            push_rule_seen: 0,
            completion_timeout_ms: config.push_completion_timeout_ms,
            max_calls,
            max_pushes,
            max_call_groups: usize::from(config.provider.maximum_call_groups),
            max_calls_per_group: usize::from(config.provider.maximum_calls_per_call_group),
            steps: 0,
            now: 0,
            pushes: BTreeMap::new(),
            actions: BTreeMap::new(),
            timed_out: BTreeSet::new(),
            voided: BTreeSet::new(),
            calls: BTreeMap::new(),
            ended: BTreeMap::new(),
            timers: BTreeMap::new(),
            audio_active: false,
            violations: Vec::new(),
        }
    }

    /// Every violation seen so far, one line each, prefixed with its invariant (`I1:` to
    /// `I9:`).
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Pushes whose PushKit completion is still owed.
    pub fn open_pushes(&self) -> usize {
        self.push_rule.open_pushes()
    }

    /// How many `CompletePush` the latest push with id `push` got so far (the PushKit
    /// rule's count).
    pub fn completions(&self, push: u64) -> u32 {
        self.push_rule.completions(push)
    }

    /// Number of steps checked.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Records that the engine panicked on `event` at `now` (I8). [`Engine::handle`]
    /// cannot report this itself; callers that catch the unwind call this.
    pub fn record_panic(&mut self, now: u64, event: &Event<'_>, message: &str) {
        self.violations.push(format!(
            "I8: {now} ms: {} panicked: {message}",
            event.name()
        ));
    }

    /// At the end of a run at `now`: every push whose deadline has passed must have been
    /// completed (I2; the host fired its timers).
    pub fn finish(&mut self, now: u64) {
        self.push_rule.finish(now);
        self.drain_push_rule();
    }

    fn drain_push_rule(&mut self) {
        let all = self.push_rule.violations();
        for v in &all[self.push_rule_seen..] {
            let tag = if v.contains("reportNewIncomingCall") || v.contains("refused") {
                "I1"
            } else {
                "I2"
            };
            self.violations.push(format!("{tag}: {v}"));
        }
        self.push_rule_seen = all.len();
    }

    /// Records a violation at the step being checked; `what` starts with its invariant
    /// (`"I4: call ... ended twice"`).
    fn fail(&mut self, what: String) {
        let (invariant, what) = what.split_once(": ").unwrap_or(("I?", &what));
        let (now, step) = (self.now, self.steps);
        self.violations
            .push(format!("{invariant}: {now} ms (step {step}): {what}"));
    }

    /// Checks one step: `before` and `after` are the engine around
    /// `handle(now, event)`, which returned `result`.
    pub fn check_step<const C: usize, const P: usize, const E: usize>(
        &mut self,
        before: &Engine<C, P, E>,
        after: &Engine<C, P, E>,
        now: u64,
        event: &Event<'_>,
        result: &Result<Effects<E>, Error>,
    ) {
        self.steps += 1;
        let is_push = matches!(event, Event::VoipPushReceived { .. });
        // A push whose time went backwards is handled at the engine's last time.
        let now = if is_push {
            now.max(before.now().as_millis())
        } else {
            now
        };
        self.now = now;
        let view: Result<&[Effect], Error> = match result {
            Ok(effects) => Ok(effects.as_slice()),
            Err(e) => Err(*e),
        };
        self.push_rule.observe(now, event, &view, false);
        self.drain_push_rule();

        let effects = match result {
            Err(error) => {
                if before != after {
                    self.fail(format!(
                        "I8: {} was refused ({error}) but changed the engine",
                        event.name()
                    ));
                }
                return;
            }
            Ok(effects) => effects,
        };
        if effects.overflowed() {
            self.fail("I8: the effect container overflowed".into());
        }
        if !after.indexes_consistent() {
            self.fail(format!(
                "I8: after {}, the engine's indexes (lookup keys, deferring count, kept ends) disagree with its calls and pushes",
                event.name()
            ));
        }
        let mut step = StepState::default();
        self.before_effects(now, event, effects, &mut step);
        for effect in effects.iter() {
            self.on_effect(now, event, effect, &mut step);
        }
        self.after_step(before, after, &step);
        self.outgoing_bounds(before, event, effects.as_slice());
        // I9: a mute never stops a translating call's upstream media.
        if let Event::PerformSetMuted { call, .. } = *event {
            let translating = before.call(call).is_some_and(|c| c.is_translating());
            if translating && effects.contains(&Effect::StopMedia { call }) {
                self.fail(format!(
                    "I9: a mute stopped the media of call {call}, which is translating"
                ));
            }
        }
    }

    /// I10: an outgoing call's bounds and refusals end it as documented. A `NoAnswer`
    /// firing that is accepted for an armed timer hangs the call up and reports it
    /// `unanswered`; a `StartConnect` firing fails the held start action, hangs up and
    /// reports `failed`; an accepted `OutgoingCallRefused` for a live call reports the
    /// refusal's reason and releases nothing. `StartConnect` is started only in the
    /// step that performs the call's start, `NoAnswer` only in a signalling step that
    /// moves the call on from starting.
    fn outgoing_bounds<const C: usize, const P: usize, const E: usize>(
        &mut self,
        before: &Engine<C, P, E>,
        event: &Event<'_>,
        effects: &[Effect],
    ) {
        let ended = |call: CallId| {
            effects.iter().find_map(|e| match e {
                Effect::ReportCallEnded {
                    call: c, reason, ..
                } if *c == call => Some(*reason),
                _ => None,
            })
        };
        let hung_up = |call: CallId| effects.contains(&Effect::HangUp { call });
        let armed = |timer: Timer| before.timers().any(|(t, _)| t == timer);
        match *event {
            Event::TimerFired {
                timer: timer @ Timer::NoAnswer(call),
            } if armed(timer)
                && (ended(call) != Some(CallEndedReason::Unanswered) || !hung_up(call)) =>
            {
                self.fail(format!(
                    "I10: the no-answer time-out of call {call} did not hang it up and end it unanswered"
                ));
            }
            Event::TimerFired {
                timer: timer @ Timer::StartConnect(call),
            } if armed(timer) => {
                let held = before.call(call).and_then(|c| c.deferred_action());
                let failed =
                    held.is_some_and(|action| effects.contains(&Effect::FailAction { action }));
                if ended(call) != Some(CallEndedReason::Failed) || !hung_up(call) || !failed {
                    self.fail(format!(
                        "I10: the start-connect time-out of call {call} did not fail its start action, hang it up and end it failed"
                    ));
                }
            }
            Event::OutgoingCallRefused { call, reason }
                if before.call(call).is_some()
                    && (ended(call) != Some(reason.ended_reason()) || hung_up(call)) =>
            {
                self.fail(format!(
                    "I10: the refusal of call {call} ({reason:?}) did not end it {:?} without a hang-up",
                    reason.ended_reason()
                ));
            }
            _ => {}
        }
        for effect in effects {
            let Effect::StartTimer { timer, .. } = effect else {
                continue;
            };
            let own_step = match (timer, event) {
                (Timer::StartConnect(c), Event::PerformStartCall { call, .. }) => c == call,
                (
                    Timer::NoAnswer(c),
                    Event::OutgoingCallConnecting { call }
                    | Event::OutgoingCallRinging { call }
                    | Event::OutgoingCallConnected { call },
                ) => c == call,
                (Timer::StartConnect(_) | Timer::NoAnswer(_), _) => false,
                _ => true,
            };
            if !own_step {
                self.fail(format!(
                    "I10: {timer:?} started by {}, not by its own step",
                    event.name()
                ));
            }
        }
    }

    /// What the event itself tells CallKit's and the host's side.
    fn before_effects<const E: usize>(
        &mut self,
        now: u64,
        event: &Event<'_>,
        effects: &Effects<E>,
        step: &mut StepState,
    ) {
        step.push_end = effects.push_end_reason().is_some();
        step.push_end_reason = effects.push_end_reason();
        match *event {
            Event::VoipPushReceived {
                push, must_report, ..
            } => {
                let reported_first = matches!(
                    effects.first(),
                    Some(Effect::ReportNewIncomingCall { push: Some(p), .. }) if *p == push
                );
                // Under `mustReport == false` a push that creates no call may go
                // unreported, completed in its step (the push rule checks that).
                let unreported = must_report == Some(false)
                    && !effects
                        .iter()
                        .any(|e| matches!(e, Effect::ReportNewIncomingCall { .. }));
                if !reported_first && !unreported {
                    self.fail(format!(
                        "I1: push {}: the report is not the step's first effect",
                        push.0
                    ));
                }
                // From now on a report result for this id answers this push's report.
                for c in self.calls.values_mut() {
                    if c.owner_push == Some(push.0) {
                        c.owner_push = None;
                    }
                }
                self.pushes.insert(
                    push.0,
                    PushRec {
                        arrived: now,
                        ..PushRec::default()
                    },
                );
            }
            Event::IncomingCallReported {
                report: IncomingReport::Call(call),
                result,
            } => {
                let accepted = matches!(
                    result,
                    Ok(()) | Err(IncomingCallError::CallUuidAlreadyExists)
                );
                let awaiting = self.calls.get(&call).is_some_and(|c| c.owner_announced);
                match (awaiting, accepted) {
                    (false, _) => {}
                    (true, true) => {
                        if let Some(c) = self.calls.get_mut(&call) {
                            c.owner_announced = false;
                        }
                    }
                    (true, false) => self.refused(call, step),
                }
            }
            Event::IncomingCallReported {
                report: IncomingReport::Push(push),
                result,
            } => {
                let accepted = matches!(
                    result,
                    Ok(()) | Err(IncomingCallError::CallUuidAlreadyExists)
                );
                let find = |calls: &BTreeMap<CallId, CallRec>, of: &dyn Fn(&CallRec) -> bool| {
                    calls.iter().find(|(_, c)| of(c)).map(|(id, _)| *id)
                };
                let owing = find(&self.calls, &|c| c.end_owed.contains(&push.0));
                if let (Some(call), false) = (owing, accepted) {
                    // Refused: this report never gave CallKit the call; no end owed for it.
                    let last = self.calls.get_mut(&call).is_some_and(|c| {
                        c.end_owed.remove(&push.0);
                        c.end_owed.is_empty()
                    });
                    if last {
                        self.refused(call, step);
                    }
                }
                match find(&self.calls, &|c| c.owner_push == Some(push.0)) {
                    Some(call) if accepted => {
                        if let Some(c) = self.calls.get_mut(&call) {
                            c.owner_push = None;
                        }
                    }
                    Some(call) => self.refused(call, step),
                    None => {}
                }
            }
            Event::ProviderDidReset => {
                let actions: Vec<ActionId> = self.actions.keys().copied().collect();
                for a in actions {
                    self.actions.remove(&a);
                    self.voided.insert(a);
                }
                for (id, c) in std::mem::take(&mut self.calls) {
                    step.ended.insert(id, (c, EndKind::Reset));
                }
                self.audio_active = false;
            }
            Event::PerformStartCall { action, call, .. } => {
                let creates_call = self.calls.get(&call).is_some_and(|c| !c.callkit_knows);
                if let Some(c) = self.calls.get_mut(&call) {
                    c.callkit_knows = true;
                }
                self.new_action(action, ActionKind::Start, call, creates_call);
            }
            Event::PerformAnswerCall { action, call } => {
                self.new_action(action, ActionKind::Answer, call, false)
            }
            Event::PerformEndCall { action, call } => {
                self.new_action(action, ActionKind::End, call, false)
            }
            Event::PerformSetHeld { action, call, .. }
            | Event::PerformSetMuted { action, call, .. }
            | Event::PerformSetGroup { action, call, .. }
            | Event::PerformPlayDtmf { action, call, .. }
            | Event::PerformSetTranslating { action, call, .. } => {
                self.new_action(action, ActionKind::Other, call, false)
            }
            Event::TimedOutPerforming { action } => {
                if self.actions.remove(&action).is_none() && !effects.is_empty() {
                    self.fail(format!(
                        "I3: timedOutPerforming accepted for {action:?}, which no call holds"
                    ));
                }
                self.timed_out.insert(action);
            }
            Event::DidActivateAudioSession => self.audio_active = true,
            Event::DidDeactivateAudioSession => self.audio_active = false,
            Event::TimerFired { timer } => match self.timers.remove(&timer) {
                // Fired after its cancel: a race, accepted with no effect.
                None if effects.is_empty() => {}
                None => self.fail(format!(
                    "I7: the engine accepted a firing of {timer:?}, which is not armed"
                )),
                Some(deadline) if deadline > now => self.fail(format!(
                    "I7: the engine accepted {timer:?} before its deadline {deadline} ms"
                )),
                Some(_) => {}
            },
            _ => {}
        }
    }

    fn new_action(&mut self, action: ActionId, kind: ActionKind, call: CallId, creates_call: bool) {
        if self.actions.contains_key(&action) {
            self.fail(format!(
                "I3: the engine accepted {action:?} while it already deferred it"
            ));
        }
        self.timed_out.remove(&action);
        self.voided.remove(&action);
        self.actions.insert(
            action,
            ActionRec {
                kind,
                call,
                creates_call,
            },
        );
    }

    /// Checks that `call` may be named by `effect`: a live call, or (for `cleanup`
    /// effects) one that ended earlier in this step.
    fn named(&mut self, effect: &Effect, call: CallId, cleanup: bool, step: &StepState) {
        if self.calls.contains_key(&call) || (cleanup && step.ended.contains_key(&call)) {
            return;
        }
        let what = if step.ended.contains_key(&call) || self.ended.contains_key(&call) {
            "after it ended"
        } else {
            "that was never reported or started"
        };
        self.fail(format!("I4: {effect:?} names call {call} {what}"));
    }

    /// A new incarnation of `call` (I4: not while it is live or ended in this step).
    fn begin_call(
        &mut self,
        call: CallId,
        rec: CallRec,
        step: &StepState,
        why: impl FnOnce() -> String,
    ) {
        if self.calls.contains_key(&call) || step.ended.contains_key(&call) {
            self.fail(format!("I4: {}", why()));
        } else {
            self.ended.remove(&call);
            self.calls.insert(call, rec);
        }
    }

    /// CallKit refused `call`'s report: it never knew the call, which is over.
    fn refused(&mut self, call: CallId, step: &mut StepState) {
        if let Some(mut c) = self.calls.remove(&call) {
            c.callkit_knows = false;
            step.ended.insert(call, (c, EndKind::Refused));
        }
    }

    fn end_call(&mut self, call: CallId, kind: EndKind, step: &mut StepState) {
        if let Some(c) = self.calls.remove(&call) {
            step.ended.insert(call, (c, kind));
        }
    }

    fn rec_mut<'a>(&'a mut self, call: CallId, step: &'a mut StepState) -> Option<&'a mut CallRec> {
        match self.calls.get_mut(&call) {
            Some(c) => Some(c),
            None => step.ended.get_mut(&call).map(|(c, _)| c),
        }
    }

    fn on_effect(&mut self, now: u64, event: &Event<'_>, effect: &Effect, step: &mut StepState) {
        // Every effect but a report, an end and a start request names a live call (a
        // clean-up effect: or one that ended earlier in this step).
        let begins_or_ends = matches!(
            effect,
            Effect::ReportNewIncomingCall { .. }
                | Effect::MissedCall { .. }
                | Effect::ReportCallEnded { .. }
                | Effect::RequestTransaction {
                    action: CallAction::StartCall { .. },
                    ..
                }
        );
        // A caller turned away as busy without a report: an announced call with every
        // slot taken, or a push PushKit let go unreported (`mustReport == false`).
        let busy_unreported = match (effect, event) {
            (Effect::RejectIncoming { call, .. }, Event::IncomingCallAnnounced { call: c, .. }) => {
                call == c
            }
            (Effect::RejectIncoming { .. }, Event::VoipPushReceived { .. }) => {
                step.push_end_reason == Some(PushEndReason::CallCapacity)
            }
            _ => false,
        };
        if let (Some(call), false) = (effect.call(), begins_or_ends || busy_unreported) {
            let cleanup = matches!(
                effect,
                Effect::RejectIncoming { .. }
                    | Effect::HangUp { .. }
                    | Effect::StopRingback { .. }
                    | Effect::StopMedia { .. }
                    | Effect::CancelTimer { .. }
            );
            self.named(effect, call, cleanup, step);
        }
        match *effect {
            Effect::ReportNewIncomingCall { push: None, call } => {
                let rec = CallRec {
                    callkit_knows: true,
                    owner_announced: true,
                    ..CallRec::default()
                };
                if step.push_end {
                    self.fail(format!(
                        "I1: call {call} reported without a push but to be ended at once"
                    ));
                }
                let why = || format!("call {call} announced and reported while live or ending");
                self.begin_call(call, rec, step, why);
            }
            Effect::MissedCall { .. } if step.push_end_reason != Some(PushEndReason::Stale) => {
                self.fail(format!("I1: {effect:?} outside a stale push's step"));
            }
            Effect::ReportNewIncomingCall {
                push: Some(push),
                call,
            } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    // A duplicate push reported under a live call's UUID.
                    c.callkit_knows = true;
                    if step.push_end {
                        c.end_owed.insert(push.0);
                    }
                } else {
                    let rec = CallRec {
                        callkit_knows: true,
                        owner_push: (!step.push_end).then_some(push.0),
                        end_owed: step.push_end.then_some(push.0).into_iter().collect(),
                        ..CallRec::default()
                    };
                    let why = || format!("call {call} reported again in the step that ended it");
                    self.begin_call(call, rec, step, why);
                }
            }
            Effect::ReportOutgoingCallStartedConnecting { call, .. }
            | Effect::ReportOutgoingCallConnected { call, .. } => {
                let connected = matches!(effect, Effect::ReportOutgoingCallConnected { .. });
                // Started, then startedConnecting once, then connected once.
                let ok = self.calls.get_mut(&call).is_none_or(|c| {
                    let (ready, done) = if connected {
                        (c.connecting, &mut c.connected)
                    } else {
                        (c.started, &mut c.connecting)
                    };
                    let ok = c.outgoing && ready && !*done;
                    *done |= ok;
                    ok
                });
                if !ok {
                    let what = if connected {
                        format!(
                            "connected reported for call {call} before startedConnecting, or twice"
                        )
                    } else {
                        format!("startedConnecting for call {call} that was not started, or twice")
                    };
                    self.fail(format!("I6: {}", what));
                }
            }
            Effect::ReportCallEnded { call, .. } => {
                let due = step.end_due.iter().position(|(c, _)| *c == call);
                if let (Some(i), Some(c)) = (due, self.calls.get_mut(&call)) {
                    // One kept end per report: the call is over once none is owed.
                    let (_, push) = step.end_due.remove(i);
                    c.end_owed.remove(&push);
                    if c.end_owed.is_empty() {
                        self.end_call(call, EndKind::Reported, step);
                    }
                } else if self.calls.contains_key(&call) {
                    self.end_call(call, EndKind::Reported, step);
                } else if let Some((_, kind)) = step.ended.get_mut(&call) {
                    if *kind == EndKind::StartFailed(false) {
                        // A failed start action plus its ReportCallEnded is one end.
                        *kind = EndKind::StartFailed(true);
                    } else {
                        let kind = *kind;
                        self.fail(format!(
                            "I4: call {call} ended twice in one step (first {kind:?})"
                        ));
                    }
                } else if let Some(kind) = self.ended.get(&call).copied() {
                    self.fail(format!("I4: call {call} ended again (already {kind:?})"));
                } else {
                    self.fail(format!(
                        "I4: call {call} ended but was never reported or started"
                    ));
                }
            }
            Effect::FulfillAction { action } | Effect::FailAction { action } => {
                let fulfilled = matches!(effect, Effect::FulfillAction { .. });
                let count = step.resolved.entry(action).or_insert(0);
                *count += 1;
                if *count > 1 {
                    self.fail(format!("I3: {action:?} resolved twice in one step"));
                    return;
                }
                let Some(rec) = self.actions.remove(&action) else {
                    let why = if self.timed_out.contains(&action) {
                        "after timedOutPerforming"
                    } else if self.voided.contains(&action) {
                        "after providerDidReset voided it"
                    } else {
                        "that the host did not send or that was already resolved"
                    };
                    self.fail(format!("I3: {effect:?} for an action {why}"));
                    return;
                };
                match (rec.kind, fulfilled) {
                    (ActionKind::End, true) => {
                        if self.calls.contains_key(&rec.call) {
                            self.end_call(rec.call, EndKind::EndFulfilled, step);
                        } else if let Some((_, kind @ EndKind::StartFailed(false))) =
                            step.ended.get_mut(&rec.call)
                        {
                            // The end action performed while the start was held: the
                            // start fails and the end is fulfilled, one end.
                            *kind = EndKind::StartFailed(true);
                        } else if step.ended.contains_key(&rec.call) {
                            self.fail(format!("I4: call {} ended twice in one step (reported, then end action fulfilled)",
                                    rec.call
                                ));
                        }
                    }
                    (ActionKind::Start, false)
                        if rec.creates_call && self.calls.contains_key(&rec.call) =>
                    {
                        self.end_call(rec.call, EndKind::StartFailed(false), step);
                    }
                    (ActionKind::Answer, true)
                        if !self.calls.get(&rec.call).is_some_and(|c| c.answered) =>
                    {
                        self.fail(format!(
                            "I3: answer {action:?} fulfilled without answering call {}",
                            rec.call
                        ));
                    }
                    _ => {}
                }
            }
            Effect::CompletePush { push } => {
                if let Some(p) = self.pushes.get_mut(&push.0) {
                    p.completed = true;
                }
                // Its report accepted or overdue: the end it kept is due now.
                for (id, c) in &self.calls {
                    if c.end_owed.contains(&push.0) {
                        step.end_due.push((*id, push.0));
                    }
                }
            }
            Effect::RequestTransaction {
                action: CallAction::StartCall { call, .. },
                ..
            } => {
                let rec = CallRec {
                    outgoing: true,
                    ..CallRec::default()
                };
                let why = || format!("a start requested for call {call}, whose UUID is in use");
                self.begin_call(call, rec, step, why);
            }
            Effect::AnswerIncoming { call } => {
                let twice = self.calls.get_mut(&call).map(|c| {
                    let twice = c.outgoing || c.answered;
                    c.answered = true;
                    twice
                });
                if twice == Some(true) {
                    self.fail(format!(
                        "I5: call {call} answered twice or answered while outgoing"
                    ));
                }
            }
            Effect::StartOutgoing { call, .. } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.started = true;
                }
            }
            Effect::SetHeld { call, on_hold } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    if c.on_hold && !on_hold {
                        step.resumed.push(call);
                    }
                    c.on_hold = on_hold;
                }
            }
            Effect::StartRingback { call } => {
                let audio = self.audio_active;
                let bad = self.calls.get_mut(&call).and_then(|c| {
                    let bad = if c.ringback {
                        Some("twice")
                    } else if !c.outgoing || c.connected || !c.connecting {
                        Some("for a call that is not outgoing and connecting")
                    } else if !audio {
                        Some("with the audio session inactive")
                    } else if c.on_hold {
                        Some("for a held call")
                    } else {
                        None
                    };
                    c.ringback = true;
                    bad
                });
                if let Some(why) = bad {
                    self.fail(format!("I9: ringback started for call {call} {why}"));
                }
            }
            Effect::StopRingback { call } => {
                let playing = self
                    .rec_mut(call, step)
                    .map(|c| std::mem::take(&mut c.ringback));
                if playing == Some(false) {
                    self.fail(format!(
                        "I9: ringback stopped for call {call}, which had none playing"
                    ));
                }
            }
            Effect::AudioActivationTimedOut { call } => {
                let own = matches!(
                    event,
                    Event::TimerFired { timer: Timer::AudioActivation(c) } if *c == call
                );
                if !own || self.audio_active {
                    self.fail(format!("I9: audio activation time-out for call {call} outside its own timer's firing, or with the session active"));
                }
            }
            Effect::SetGroup { group_with, .. } => {
                if let Some(other) = group_with {
                    self.named(effect, other, false, step);
                } else {
                    step.ungrouped = true;
                }
            }
            Effect::SetMuted { call, muted } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.muted = muted;
                }
                if muted {
                    step.started_muted.retain(|&c| c != call);
                }
            }
            Effect::StartMedia { call } => {
                let audio = self.audio_active;
                if !audio {
                    self.fail(format!(
                        "I5: media started for call {call} while the audio session is inactive"
                    ));
                }
                if let Some(c) = self.calls.get_mut(&call) {
                    let (answered, started, running) = (c.answered, c.started, c.media);
                    c.media = true;
                    if c.muted {
                        step.started_muted.push(call);
                    }
                    if !(answered || started) {
                        self.fail(format!(
                            "I5: media started for call {call}, neither answered nor started"
                        ));
                    }
                    if running {
                        self.fail(format!("I5: media started twice for call {call}"));
                    }
                }
            }
            Effect::StopMedia { call } => {
                let running = self
                    .rec_mut(call, step)
                    .map(|c| std::mem::take(&mut c.media));
                if running == Some(false) {
                    self.fail(format!(
                        "I5: media stopped for call {call}, which had none running"
                    ));
                }
            }
            Effect::StartTimer { timer, deadline } => {
                let deadline = deadline.as_millis();
                if matches!(timer, Timer::AudioActivation(_)) && self.audio_active {
                    self.fail(format!(
                        "I9: {timer:?} armed while the audio session is active"
                    ));
                }
                if let Timer::PushCompletion(push) = timer {
                    let owed = self
                        .pushes
                        .get(&push.0)
                        .map(|p| p.arrived.saturating_add(self.completion_timeout_ms));
                    let in_push_step =
                        matches!(event, Event::VoipPushReceived { push: p, .. } if *p == push);
                    match owed {
                        Some(owed) if in_push_step && deadline <= owed => {}
                        _ => self.fail(format!("I2: push {} completion timer at {deadline} ms is not its own push step's, within its deadline",
                                push.0
                            )),
                    }
                }
                if deadline < now {
                    self.fail(format!(
                        "I7: {timer:?} started with a deadline in the past ({deadline} ms)"
                    ));
                }
                if self.timers.insert(timer, deadline).is_some() {
                    self.fail(format!("I7: {timer:?} started while already armed"));
                }
            }
            Effect::CancelTimer { timer } => {
                if self.timers.remove(&timer).is_none() {
                    self.fail(format!(
                        "I7: {timer:?} cancelled but not armed (never started, fired or cancelled)"
                    ));
                }
            }
            Effect::StartTranslation { call } => {
                let ok = self
                    .calls
                    .get(&call)
                    .is_some_and(|c| c.answered || c.connected);
                if !ok {
                    self.fail(format!(
                        "I9: translation started for call {call}, neither answered nor connected"
                    ));
                }
                if let Some(c) = self.calls.get_mut(&call) {
                    c.translating = true;
                }
            }
            Effect::StopTranslation { call } => {
                let was = self
                    .calls
                    .get_mut(&call)
                    .map(|c| std::mem::take(&mut c.translating));
                if was != Some(true) {
                    self.fail(format!(
                        "I9: translation stopped for call {call}, which was not translating"
                    ));
                }
            }
            Effect::ReportCallUpdated { .. }
            | Effect::MissedCall { .. }
            | Effect::ConnectIncoming { .. }
            | Effect::RejectIncoming { .. }
            | Effect::HangUp { .. }
            | Effect::RequestTransaction { .. }
            | Effect::PlayDtmf { .. }
            | Effect::ConfigureAudioSession
            | Effect::RegisterPushToken
            | Effect::UnregisterPushToken => {}
        }
    }

    /// Compares the checker's view with the engine after the step.
    fn after_step<const C: usize, const P: usize, const E: usize>(
        &mut self,
        before: &Engine<C, P, E>,
        after: &Engine<C, P, E>,
        step: &StepState,
    ) {
        // I3: every open action is deferred by the engine; every deferred action was sent.
        let held: BTreeSet<ActionId> = after.calls().filter_map(|c| c.deferred_action()).collect();
        let open: Vec<ActionId> = self.actions.keys().copied().collect();
        for a in open {
            if !held.contains(&a) {
                self.fail(format!(
                    "I3: {a:?} was neither fulfilled nor failed, and no call holds it"
                ));
                self.actions.remove(&a);
            }
        }
        for a in &held {
            if !self.actions.contains_key(a) {
                self.fail(format!(
                    "I3: the engine holds {a:?}, which the host did not send or which was resolved"
                ));
            }
        }

        // I4: the engine's calls are exactly the live incarnations.
        let live: Vec<CallId> = self.calls.keys().copied().collect();
        for (id, push) in &step.end_due {
            self.fail(format!(
                "I4: call {id}: push {push} completed but the end it kept was not reported"
            ));
        }
        for id in live {
            let owed = self.calls.get(&id).is_some_and(|c| !c.end_owed.is_empty());
            if after.call(id).is_none() && !owed {
                let knows = self.calls.get(&id).is_some_and(|c| c.callkit_knows);
                if knows {
                    self.fail(format!("I4: call {id} left the engine without being ended (no ReportCallEnded, no fulfilled end action)"));
                }
                self.calls.remove(&id);
                self.ended.insert(id, EndKind::Dropped);
            }
        }
        for c in after.calls() {
            let id = c.id();
            match self.calls.get(&id).cloned() {
                None => {
                    let what = if step.ended.contains_key(&id) {
                        "is still live in the engine after it ended"
                    } else {
                        "is live in the engine but was never reported or started"
                    };
                    self.fail(format!("I4: call {id} {what}"));
                }
                Some(rec) => {
                    let (phase, audio, held) = (c.phase(), self.audio_active, rec.on_hold);
                    let (media, ringback) = (c.media_running(), c.ringback_playing());
                    let remote = c.remote_ringing();
                    let connecting = matches!(phase, CallPhase::Connecting | CallPhase::Connected);
                    let ringback_due = audio && !held && phase == CallPhase::Connecting && remote;
                    let media_due = audio && !held && phase.media_allowed();
                    // I9: media only for established (or starting), unheld calls with the
                    // session active; ringback only for unheld outgoing calls ringing
                    // remotely, not connected, with the session active.
                    fail_if! { self;
                        rec.outgoing != (c.direction() == Direction::Outgoing) =>
                            "I4: call {id} changed direction: {:?}", c.direction();
                        rec.media != media =>
                            "I5: call {id}: media effects say running={}, the engine says {media}", rec.media;
                        media && !phase.media_allowed() => "I5: call {id} has media in phase {phase:?}";
                        rec.ringback != ringback =>
                            "I9: call {id}: ringback effects say playing={}, the engine says {ringback}", rec.ringback;
                        held != c.is_on_hold() =>
                            "I9: call {id}: SetHeld effects say on_hold={held}, the engine says {}", c.is_on_hold();
                        media && (held || !audio) =>
                            "I9: call {id} has media running while deferred or with the audio session inactive";
                        rec.ringback && (held || !audio || phase != CallPhase::Connecting || !remote) =>
                            "I9: call {id} plays ringback in phase {phase:?} (remote ringing {remote}, held {held}, audio {audio})";
                        ringback_due && !rec.ringback =>
                            "I9: call {id} rings remotely with the session active, unheld, but plays no ringback";
                        media_due && !rec.media =>
                            "I9: call {id} may have media (unheld, session active, {phase:?}) but has none";
                        c.audio_activation_deadline().is_some() && audio =>
                            "I9: call {id} waits for an audio activation that happened";
                        step.resumed.contains(&id) && !audio && c.audio_activation_deadline().is_none() =>
                            "I9: call {id} was resumed with the audio session inactive but does not wait for didActivate";
                        (connecting && !rec.connecting) || (phase == CallPhase::Connected && !rec.connected) =>
                            "I6: call {id} is {phase:?} without the matching outgoing report";
                    }
                }
            }
        }
        for id in &step.started_muted {
            self.fail(format!(
                "I9: call {id} is muted but its media started with no SetMuted(true) after it"
            ));
        }
        for (&id, (rec, kind)) in &step.ended {
            fail_if! { self;
                rec.media => "I5: call {id} ended with its media running";
                rec.ringback => "I9: call {id} ended with its ringback playing";
            }
            self.ended.insert(id, *kind);
        }

        // I5: no media without an active audio session.
        let (active, audio) = (after.audio_session_active(), self.audio_active);
        fail_if! { self;
            active != audio =>
                "I5: audio session: the engine says active={active}, didActivate/didDeactivate say {audio}";
        }
        if !self.audio_active {
            let running: Vec<CallId> = self
                .calls
                .iter()
                .filter(|(_, c)| c.media)
                .map(|(id, _)| *id)
                .collect();
            for id in running {
                self.fail(format!(
                    "I5: call {id} has media running with the audio session inactive"
                ));
            }
        }

        // I7: the armed timers are exactly the engine's; an idle engine holds none.
        let engine_timers: BTreeMap<Timer, u64> =
            after.timers().map(|(t, d)| (t, d.as_millis())).collect();
        if engine_timers != self.timers {
            let differing = |a: &BTreeMap<Timer, u64>, b: &BTreeMap<Timer, u64>| {
                let differs = a.iter().filter(|(t, d)| b.get(t) != Some(d));
                differs
                    .map(|(t, d)| format!("{t:?}@{d}"))
                    .collect::<Vec<_>>()
            };
            let (missing, extra) = (
                differing(&self.timers, &engine_timers),
                differing(&engine_timers, &self.timers),
            );
            self.fail(format!("I7: timers started and not cancelled/fired {missing:?} differ from the engine's armed timers {extra:?}"));
            self.timers = engine_timers;
        }
        let idle = after.calls().next().is_none() && after.pending_pushes() == 0;
        fail_if! { self;
            idle && !self.timers.is_empty() => "I7: an idle engine holds timers: {:?}", self.timers;
        }

        // I2: every push still owed has its completion timer armed within its deadline.
        let owed: Vec<(u64, u64)> = self
            .pushes
            .iter()
            .filter(|(_, p)| !p.completed)
            .map(|(id, p)| (*id, p.arrived.saturating_add(self.completion_timeout_ms)))
            .collect();
        for (id, latest) in owed {
            let timer = Timer::PushCompletion(callkit_engine::PushId(id));
            match self.timers.get(&timer) {
                Some(d) if *d <= latest => {}
                other => {
                    self.fail(format!("I2: push {id} is owed a completion but its timer is {other:?} (deadline {latest} ms)"));
                    if let Some(p) = self.pushes.get_mut(&id) {
                        p.completed = true;
                    }
                }
            }
        }
        self.pushes.retain(|_, p| !p.completed);

        // I8: capacities and the provider's group limits.
        let (calls, pushes) = (after.calls().count(), after.pending_pushes());
        fail_if! { self;
            calls > self.max_calls || calls > C => "I8: {calls} live calls, limit {}", self.max_calls;
            pushes > self.max_pushes => "I8: {pushes} pending pushes, limit {}", self.max_pushes;
        }
        let groups = group_sizes(after);
        for (label, size) in &groups {
            if *size > 1 && *size > self.max_calls_per_group {
                self.fail(format!(
                    "I8: group {label} holds {size} calls, maximumCallsPerCallGroup {}",
                    self.max_calls_per_group
                ));
            }
        }
        if step.ungrouped {
            let before_groups = group_sizes(before).len();
            if groups.len() > self.max_call_groups && groups.len() > before_groups {
                self.fail(format!(
                    "I8: ungrouping made {} groups, maximumCallGroups {}",
                    groups.len(),
                    self.max_call_groups
                ));
            }
        }
    }
}

fn group_sizes<const C: usize, const P: usize, const E: usize>(
    engine: &Engine<C, P, E>,
) -> BTreeMap<CallId, usize> {
    let mut sizes = BTreeMap::new();
    for c in engine.calls() {
        *sizes.entry(c.group()).or_insert(0) += 1;
    }
    sizes
}
