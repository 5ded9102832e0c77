//! Test support for callkit-engine (std): a [`Harness`] that drives an [`Engine`] on a
//! virtual clock and checks the iOS rules I1-I8 after every step with an
//! [`InvariantChecker`] (which folds in the [`PushRuleChecker`]), and a CallKit
//! simulator ([`sim::CallKitSim`]) that answers the engine's effects as iOS does.
//!
//! Used by the integration tests, the `replay` example and fuzz targets.

pub mod fuzzing;
pub mod invariants;
pub mod sim;
pub mod trace;

pub use invariants::InvariantChecker;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use callkit_engine::{
    ActionId, CallId, CallUpdate, Config, Effect, Effects, Engine, Error, Event, Handle, Instant,
    PushId, Timer, Uuid,
};

/// The call UUID `n` in tests: `00000000-0000-4000-8000-0000000000nn`.
pub fn call_id(n: u8) -> CallId {
    let mut b = [0u8; 16];
    b[6] = 0x40;
    b[8] = 0x80;
    b[15] = n;
    CallId::from_bytes(b)
}

/// The action UUID `n` in tests (distinct from every [`call_id`]).
pub fn action_id(n: u8) -> ActionId {
    let mut b = [0u8; 16];
    b[0] = 0xac;
    b[6] = 0x40;
    b[8] = 0x80;
    b[15] = n;
    ActionId::from_bytes(b)
}

/// The fallback UUID the harness hands in with push `n` (distinct from [`call_id`]s).
pub fn fallback_id(push: u64) -> CallId {
    let mut b = [0u8; 16];
    b[0] = 0xfb;
    b[6] = 0x40;
    b[8] = 0x80;
    b[8..16].copy_from_slice(&push.to_be_bytes());
    b[8] = 0x80 | (b[8] & 0x3f);
    CallId(Uuid::from_bytes(b))
}

#[derive(Clone, Debug, Default)]
struct PushRecord {
    arrived: u64,
    deadline: u64,
    result_in: bool,
    reset: bool,
    completions: u32,
}

/// Checks the rule that keeps an iOS 13+ app alive, after every step:
///
/// - every VoIP push gets exactly one `ReportNewIncomingCall` naming it, in the very step
///   that received it, and that step is never refused;
/// - every push is completed (`CompletePush`) exactly once, never before its report's
///   result or its deadline, except when `providerDidReset` completes it, or when the
///   engine's push table was full of pushes still within their deadline (the
///   documented overflow case, completed right after the report);
/// - no step's effect container overflowed.
///
/// Violations are collected as readable lines; [`PushRuleChecker::violations`] lists
/// them.
#[derive(Clone, Debug)]
pub struct PushRuleChecker {
    completion_timeout_ms: u64,
    capacity: usize,
    pushes: BTreeMap<u64, PushRecord>,
    violations: Vec<String>,
}

impl PushRuleChecker {
    /// A checker for an engine with `config` and `capacity` pending-push slots.
    pub fn new(config: &Config, capacity: usize) -> Self {
        PushRuleChecker {
            completion_timeout_ms: config.push_completion_timeout_ms,
            capacity,
            pushes: BTreeMap::new(),
            violations: Vec::new(),
        }
    }

    /// The rule breaks seen so far.
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Pushes whose completion is still owed.
    pub fn open_pushes(&self) -> usize {
        self.pushes.values().filter(|p| p.completions == 0).count()
    }

    /// Feed one step: the time, the event, and what [`Engine::handle`] returned.
    pub fn observe(
        &mut self,
        now: u64,
        event: &Event<'_>,
        result: &Result<&[Effect], Error>,
        overflowed: bool,
    ) {
        if overflowed {
            self.violations
                .push(format!("{now} ms: effect container overflowed"));
        }
        let effects: &[Effect] = match result {
            Ok(effects) => effects,
            Err(e) => {
                if let Event::VoipPushReceived { push, .. } = event {
                    self.violations
                        .push(format!("{now} ms: push {} refused: {e}", push.0));
                }
                return;
            }
        };
        let mut overflow_ok = None;
        match event {
            Event::VoipPushReceived { push, .. } => {
                let reports = effects
                    .iter()
                    .filter(
                        |e| matches!(e, Effect::ReportNewIncomingCall { push: p, .. } if p == push),
                    )
                    .count();
                if reports != 1 {
                    self.violations.push(format!(
                        "{now} ms: push {} got {reports} reportNewIncomingCall in its step (need 1)",
                        push.0
                    ));
                }
                let open_in_time = self
                    .pushes
                    .values()
                    .filter(|p| p.completions == 0 && p.deadline > now)
                    .count();
                if open_in_time >= self.capacity {
                    overflow_ok = Some(push.0);
                }
                if self.pushes.get(&push.0).is_some_and(|p| p.completions == 0) {
                    self.violations
                        .push(format!("{now} ms: push id {} reused while pending", push.0));
                }
                self.pushes.insert(
                    push.0,
                    PushRecord {
                        arrived: now,
                        deadline: now.saturating_add(self.completion_timeout_ms),
                        ..PushRecord::default()
                    },
                );
            }
            Event::IncomingCallReported { push, .. } => {
                if let Some(p) = self.pushes.get_mut(&push.0) {
                    p.result_in = true;
                }
            }
            Event::ProviderDidReset => {
                for p in self.pushes.values_mut() {
                    p.reset = true;
                }
            }
            _ => {}
        }
        for effect in effects {
            if let Effect::ReportNewIncomingCall { push, .. } = effect {
                if !matches!(event, Event::VoipPushReceived { push: p, .. } if p == push) {
                    self.violations.push(format!(
                        "{now} ms: reportNewIncomingCall for push {} outside its push's step",
                        push.0
                    ));
                }
            }
            if let Effect::CompletePush { push } = effect {
                let Some(p) = self.pushes.get_mut(&push.0) else {
                    self.violations
                        .push(format!("{now} ms: completion of unknown push {}", push.0));
                    continue;
                };
                p.completions += 1;
                if p.completions > 1 {
                    self.violations
                        .push(format!("{now} ms: push {} completed twice", push.0));
                }
                let allowed =
                    p.result_in || p.reset || now >= p.deadline || overflow_ok == Some(push.0);
                if !allowed {
                    self.violations.push(format!(
                        "{now} ms: push {} (arrived {} ms) completed before its report result or deadline",
                        push.0, p.arrived
                    ));
                }
            }
        }
    }

    /// At the end of a run at `now`: every push whose deadline has passed must have been
    /// completed (the host fired its timers).
    pub fn finish(&mut self, now: u64) {
        for (id, p) in &self.pushes {
            if p.completions == 0 && now >= p.deadline {
                self.violations.push(format!(
                    "end: push {id} never completed (deadline {} ms)",
                    p.deadline
                ));
            }
        }
    }
}

/// An owned copy of one step's [`Effects`]: the effects in order plus the one piece of
/// data they refer to. Dereferences to `Vec<Effect>` and compares equal to one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepEffects {
    /// The effects, in order.
    pub effects: Vec<Effect>,
    /// [`Effects::call_update`].
    pub call_update: Option<CallUpdate>,
    /// [`Effects::handle`].
    pub handle: Option<Handle>,
    /// [`Effects::dtmf_digits`].
    pub dtmf_digits: Option<String>,
    /// [`Effects::push_token_hex`].
    pub push_token_hex: Option<String>,
}

impl StepEffects {
    /// Copies a step's effects out of the engine's container.
    pub fn from_effects<const N: usize>(effects: &Effects<N>) -> Self {
        StepEffects {
            effects: effects.as_slice().to_vec(),
            call_update: effects.call_update().cloned(),
            handle: effects.handle().cloned(),
            dtmf_digits: effects.dtmf_digits().map(String::from),
            push_token_hex: effects.push_token_hex().map(String::from),
        }
    }
}

impl std::ops::Deref for StepEffects {
    type Target = Vec<Effect>;
    fn deref(&self) -> &Vec<Effect> {
        &self.effects
    }
}

impl PartialEq<Vec<Effect>> for StepEffects {
    fn eq(&self, other: &Vec<Effect>) -> bool {
        &self.effects == other
    }
}

impl PartialEq<StepEffects> for Vec<Effect> {
    fn eq(&self, other: &StepEffects) -> bool {
        self == &other.effects
    }
}

impl IntoIterator for StepEffects {
    type Item = Effect;
    type IntoIter = std::vec::IntoIter<Effect>;
    fn into_iter(self) -> Self::IntoIter {
        self.effects.into_iter()
    }
}

impl<'a> IntoIterator for &'a StepEffects {
    type Item = &'a Effect;
    type IntoIter = std::slice::Iter<'a, Effect>;
    fn into_iter(self) -> Self::IntoIter {
        self.effects.iter()
    }
}

/// One recorded step.
#[derive(Clone, Debug)]
pub struct Step {
    /// When.
    pub at: u64,
    /// `Event::name()`.
    pub event: &'static str,
    /// The event, `Debug`-formatted.
    pub detail: String,
    /// The effects, or the error.
    pub result: Result<StepEffects, Error>,
}

/// Drives an [`Engine`] on a virtual clock, records every step, and checks the
/// invariants I1-I8 (the PushKit rule among them) after each one.
pub struct Harness<const C: usize = 4, const P: usize = 8, const E: usize = 28> {
    /// The engine under test.
    pub engine: Engine<C, P, E>,
    /// The virtual clock, in milliseconds.
    pub now: u64,
    /// The invariant checker (I1-I8, the PushKit rule included).
    pub checker: InvariantChecker,
    /// Every step so far.
    pub steps: Vec<Step>,
}

impl<const C: usize, const P: usize, const E: usize> Harness<C, P, E> {
    /// A harness around a new engine with `config`, at time 0.
    pub fn new(config: Config) -> Self {
        let checker = InvariantChecker::new(&config, C, P);
        Harness {
            engine: Engine::new(config),
            now: 0,
            checker,
            steps: Vec::new(),
        }
    }

    /// Moves the clock forward by `ms` (fires nothing).
    pub fn advance(&mut self, ms: u64) {
        self.now = self.now.saturating_add(ms);
    }

    /// Feeds `event` at the current time; records it and runs the checker.
    pub fn try_step(&mut self, event: Event<'_>) -> Result<StepEffects, Error> {
        self.step_at(self.now, event)
    }

    /// Feeds `event` at `at` (which may be earlier than the clock: for time-travel
    /// tests); the clock is not moved.
    pub fn step_at(&mut self, at: u64, event: Event<'_>) -> Result<StepEffects, Error> {
        let before = self.engine.clone();
        let engine = &mut self.engine;
        let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            invariants::engine_call(true);
            let result = engine.handle(Instant::from_millis(at), event);
            invariants::engine_call(false);
            result
        })) {
            Ok(result) => result,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                self.checker.record_panic(at, &event, &message);
                std::panic::resume_unwind(panic);
            }
        };
        self.checker
            .check_step(&before, &self.engine, at, &event, &result);
        let owned = result.map(|e| StepEffects::from_effects(&e));
        self.steps.push(Step {
            at,
            event: event.name(),
            detail: format!("{event:?}"),
            result: owned.clone(),
        });
        owned
    }

    /// Feeds `event` and panics if it is refused or the PushKit rule broke.
    pub fn step(&mut self, event: Event<'_>) -> StepEffects {
        let name = event.name();
        let effects = self.try_step(event).unwrap_or_else(|e| {
            panic!(
                "{name} refused at {} ms: {e}\n{}",
                self.now,
                self.timeline()
            )
        });
        self.assert_rules();
        effects
    }

    /// Delivers VoIP push `id` with `payload` (fallback UUID [`fallback_id`]`(id)`).
    pub fn push(&mut self, id: u64, payload: &[u8]) -> StepEffects {
        self.step(Event::VoipPushReceived {
            push: PushId(id),
            payload,
            fallback_call: fallback_id(id),
        })
    }

    /// Fires, in deadline order, every armed timer whose deadline is at or before now.
    pub fn fire_due_timers(&mut self) -> Vec<Effect> {
        let mut all = Vec::new();
        loop {
            let due: Option<(Timer, Instant)> = self
                .engine
                .timers()
                .filter(|(_, d)| d.as_millis() <= self.now)
                .min_by_key(|(_, d)| *d);
            let Some((timer, _)) = due else { break };
            all.extend(self.step(Event::TimerFired { timer }));
        }
        all
    }

    /// Advances the clock by `ms`, firing timers at their deadlines on the way.
    pub fn advance_firing(&mut self, ms: u64) -> Vec<Effect> {
        let end = self.now.saturating_add(ms);
        let mut all = Vec::new();
        while let Some(next) = self.engine.poll_timeout().filter(|d| d.as_millis() <= end) {
            self.now = self.now.max(next.as_millis());
            all.extend(self.fire_due_timers());
        }
        self.now = end;
        all
    }

    /// Panics with the timeline if an invariant (the PushKit rule among them) broke.
    pub fn assert_rules(&self) {
        assert!(
            self.checker.violations().is_empty(),
            "invariant broken: {:#?}\n{}",
            self.checker.violations(),
            self.timeline()
        );
    }

    /// Every step so far, one line per event and one per effect.
    pub fn timeline(&self) -> String {
        let mut s = String::new();
        for step in &self.steps {
            let _ = writeln!(s, "{:>8} ms  {}", step.at, step.detail);
            match &step.result {
                Ok(effects) => {
                    for e in effects {
                        let _ = writeln!(s, "             -> {e:?}");
                    }
                }
                Err(e) => {
                    let _ = writeln!(s, "             !! refused: {e}");
                }
            }
        }
        s
    }
}
