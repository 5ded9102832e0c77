//! Test support for callkit-engine (std).
//!
//! - [`Harness`]: the one test driver. It drives an [`Engine`] on a virtual clock,
//!   checks the iOS rules I1-I10 after every step with an [`InvariantChecker`] (which
//!   folds in the [`PushRuleChecker`], [`push_rule`]), catches a panic inside the
//!   engine, and fires due timers in the core's one due order ([`fire_due`],
//!   [`Engine::next_due_timer`]). The trace runner ([`trace`]), the fuzz checks
//!   ([`fuzzing::Checked`]), the CallKit simulator ([`sim::CallKitSim`]) and the model
//!   and exhaustive tests all drive one.
//! - [`event::HostEvent`]: the one owned event form: the trace reader, the fuzz
//!   scripts, the golden vectors and the replay rendering all read and write events
//!   through it ([`event::EventKind`] names them and gives their fuzz tags).
//! - [`effect`]: each effect's golden vector JSON and replay words, one `match` each.
//!
//! Used by the integration tests, the `replay` example and fuzz targets.

pub mod effect;
pub mod event;
pub mod fuzzing;
pub mod invariants;
pub mod push_rule;
pub mod sim;
pub mod trace;

pub use invariants::InvariantChecker;
pub use push_rule::PushRuleChecker;

use std::fmt::Write as _;

use callkit_engine::{
    ActionId, CallId, CallUpdate, Config, Effect, Effects, Engine, Error, Event, Handle, Instant,
    PushEndReason, PushId, Timer, TransactionId, Uuid,
};

/// A version-4-shaped test UUID: first byte `tag`, last eight bytes `n` (big-endian,
/// with the variant bits set): `tt000000-0000-4000-8nnn-nnnnnnnnnnnn`.
pub fn test_uuid(tag: u8, n: u64) -> Uuid {
    let mut b = [0u8; 16];
    b[0] = tag;
    b[6] = 0x40;
    b[8..16].copy_from_slice(&n.to_be_bytes());
    b[8] = 0x80 | (b[8] & 0x3f);
    Uuid::from_bytes(b)
}

/// The call UUID `n` in tests: `00000000-0000-4000-8000-0000000000nn`.
pub fn call_id(n: u8) -> CallId {
    CallId(test_uuid(0, u64::from(n)))
}

/// The action UUID `n` in tests (distinct from every [`call_id`]).
pub fn action_id(n: u8) -> ActionId {
    ActionId(test_uuid(0xac, u64::from(n)))
}

/// The fallback UUID the harness hands in with push `n` (distinct from [`call_id`]s).
pub fn fallback_id(push: u64) -> CallId {
    CallId(test_uuid(0xfb, push))
}

/// How many of `effects` `which` picks (`|e| matches!(e, Effect::CompletePush { .. })`).
pub fn count(effects: &[Effect], which: impl Fn(&Effect) -> bool) -> usize {
    effects.iter().filter(|e| which(e)).count()
}

/// An owned copy of one step's [`Effects`]: the effects in order plus the one piece of
/// data they refer to. Dereferences to `Vec<Effect>` and compares equal to one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepEffects {
    /// The effects, in order.
    pub effects: Vec<Effect>,
    /// [`Effects::call_update`].
    pub call_update: Option<CallUpdate>,
    /// [`Effects::outgoing_handle`].
    pub handle: Option<Handle>,
    /// [`Effects::dtmf_digits`].
    pub dtmf_digits: Option<String>,
    /// [`Effects::push_token_hex`].
    pub push_token_hex: Option<String>,
    /// [`Effects::push_end_reason`].
    pub push_end_reason: Option<PushEndReason>,
}

impl StepEffects {
    /// Copies a step's effects out of the engine's container.
    pub fn from_effects<const N: usize>(effects: &Effects<N>) -> Self {
        StepEffects {
            effects: effects.as_slice().to_vec(),
            call_update: effects.call_update().cloned(),
            handle: effects.outgoing_handle().cloned(),
            dtmf_digits: effects.dtmf_digits().map(String::from),
            push_token_hex: effects.push_token_hex().map(String::from),
            push_end_reason: effects.push_end_reason(),
        }
    }

    /// The transaction of the step's first `RequestTransaction`, if any.
    pub fn transaction(&self) -> Option<TransactionId> {
        self.effects.iter().find_map(|e| match e {
            Effect::RequestTransaction { transaction, .. } => Some(*transaction),
            _ => None,
        })
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
    /// The event, `Debug`-formatted (a push's payload as text, cut at 160 bytes).
    pub detail: String,
    /// The effects, or the error.
    pub result: Result<StepEffects, Error>,
}

/// The one test driver: feeds an [`Engine`] events on a virtual clock, catches a panic
/// inside the engine (recorded as I8, then resumed), records every step, fires due timers
/// in the core's one due order ([`Engine::next_due_timer`]), and in checked mode (the
/// default) checks the invariants I1-I10 (the PushKit rule among them) after each step.
#[derive(Clone)]
pub struct Harness<const C: usize = 4, const P: usize = 8, const E: usize = 32> {
    /// The engine under test.
    pub engine: Engine<C, P, E>,
    /// The virtual clock, in milliseconds.
    pub now: u64,
    /// The invariant checker (I1-I10, the PushKit rule included).
    pub checker: InvariantChecker,
    /// Every step so far (none when [`Harness::recording`] is off).
    pub steps: Vec<Step>,
    /// Checked mode: every step runs through [`Harness::checker`]. Off only to minimise a
    /// corpus by the coverage of the engine rather than of the checkers.
    pub checking: bool,
    /// Record every step in [`Harness::steps`] (off for searches that clone the harness
    /// at every state).
    pub recording: bool,
    /// In checked mode, the engine as it was before the last step.
    pub previous: Option<Engine<C, P, E>>,
}

impl<const C: usize, const P: usize, const E: usize> Harness<C, P, E> {
    /// A checked, recording harness around a new engine with `config`, at time 0.
    pub fn new(config: Config) -> Self {
        let checker = InvariantChecker::new(&config, C, P);
        Harness {
            engine: Engine::with_capacities(config),
            now: 0,
            checker,
            steps: Vec::new(),
            checking: true,
            recording: true,
            previous: None,
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
    /// tests); the clock is not moved. Records the step and, in checked mode, checks it.
    pub fn step_at(&mut self, at: u64, event: Event<'_>) -> Result<StepEffects, Error> {
        let before = self.checking.then(|| self.engine.clone());
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
        if let Some(before) = &before {
            self.checker
                .check_step(before, &self.engine, at, &event, &result);
        }
        self.previous = before;
        let owned = result.map(|e| StepEffects::from_effects(&e));
        if self.recording {
            let detail = match event {
                Event::VoipPushReceived {
                    push,
                    payload,
                    fallback_call,
                    must_report,
                    ..
                } => format!(
                    "VoipPushReceived {{ push: {}, fallback_call: {fallback_call}, must_report: {must_report:?}, payload ({} bytes): {:?} }}",
                    push.0,
                    payload.len(),
                    String::from_utf8_lossy(&payload[..payload.len().min(160)])
                ),
                _ => format!("{event:?}"),
            };
            self.steps.push(Step {
                at,
                event: event.name(),
                detail,
                result: owned.clone(),
            });
        }
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
            must_report: None,
            received_at_unix_ms: None,
        })
    }

    /// Fires every armed timer whose deadline is at or before now, in the core's due
    /// order; panics if one is refused.
    pub fn fire_due_timers(&mut self) -> Vec<Effect> {
        let mut all = Vec::new();
        let now = self.now;
        fire_due(
            self,
            |h| &h.engine,
            now,
            usize::MAX,
            |h, timer, _| {
                all.extend(h.step(Event::TimerFired { timer }));
                true
            },
        );
        all
    }

    /// Advances the clock by `ms`, firing timers at their deadlines on the way.
    pub fn advance_firing(&mut self, ms: u64) -> Vec<Effect> {
        let mut all = Vec::new();
        self.advance_to(self.now.saturating_add(ms), |h| {
            all.extend(h.fire_due_timers());
            true
        });
        all
    }

    /// Moves the clock to `end` (at or after it), stopping at each armed deadline on the way
    /// for `fire_due`, which fires what is due at the clock and says whether to go on.
    pub fn advance_to(&mut self, end: u64, mut fire_due: impl FnMut(&mut Self) -> bool) {
        while let Some(next) = self.engine.poll_timeout().filter(|d| d.as_millis() <= end) {
            self.now = self.now.max(next.as_millis());
            if !fire_due(self) {
                break;
            }
        }
        self.now = end;
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

/// The one timer-firing loop of every driver: while a timer is due at `at` in the core's
/// due order ([`Engine::next_due_timer`]: earliest deadline, ties by [`Timer`]'s order),
/// hands it and its deadline to `fire`, which feeds it (firing one timer can cancel or
/// arm others) and says whether to go on. Returns `true` when no timer is due any more,
/// `false` when `fire` stopped or after `limit` firings.
pub fn fire_due<D, const C: usize, const P: usize, const E: usize>(
    driver: &mut D,
    engine: fn(&D) -> &Engine<C, P, E>,
    at: u64,
    limit: usize,
    mut fire: impl FnMut(&mut D, Timer, Instant) -> bool,
) -> bool {
    for _ in 0..limit {
        let Some((timer, deadline)) = engine(driver).next_due_timer(Instant::from_millis(at))
        else {
            return true;
        };
        if !fire(driver, timer, deadline) {
            return false;
        }
    }
    false
}
