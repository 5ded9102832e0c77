//! The PushKit rule checker: the rule that keeps an iOS 13+ app alive, checked after
//! every step (folded into the [`InvariantChecker`](crate::InvariantChecker) as I1/I2).

use std::collections::BTreeMap;

use callkit_engine::{Config, Effect, Error, Event, IncomingReport};

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
///   that received it, and that step is never refused; under `mustReport == false` it may
///   get none, and is then completed in that step (iOS 26.4, `PKVoIPPushMetadata`);
/// - a report without a push comes only in the step of an announced call;
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

    /// How many `CompletePush` the latest push with id `push` got so far.
    pub fn completions(&self, push: u64) -> u32 {
        self.pushes.get(&push).map_or(0, |p| p.completions)
    }

    /// Feed one step: the time, the event, and what [`Engine::handle`](callkit_engine::Engine::handle) returned.
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
        let mut unreported = None;
        match event {
            Event::VoipPushReceived {
                push, must_report, ..
            } => {
                let reports = effects
                    .iter()
                    .filter(|e| {
                        matches!(e, Effect::ReportNewIncomingCall { push: Some(p), .. } if p == push)
                    })
                    .count();
                let may_skip = *must_report == Some(false);
                if reports == 0 && may_skip {
                    unreported = Some(push.0);
                    if !effects.contains(&Effect::CompletePush { push: *push }) {
                        self.violations.push(format!(
                            "{now} ms: push {} (mustReport false) neither reported nor completed in its step",
                            push.0
                        ));
                    }
                } else if reports != 1 {
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
            Event::IncomingCallReported {
                report: IncomingReport::Push(push),
                ..
            } => {
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
            match effect {
                Effect::ReportNewIncomingCall {
                    push: Some(push), ..
                } if !matches!(event, Event::VoipPushReceived { push: p, .. } if p == push) => {
                    self.violations.push(format!(
                        "{now} ms: reportNewIncomingCall for push {} outside its push's step",
                        push.0
                    ));
                }
                Effect::ReportNewIncomingCall { push: None, call } if !matches!(event, Event::IncomingCallAnnounced { call: c, .. } if c == call) =>
                {
                    self.violations.push(format!(
                        "{now} ms: reportNewIncomingCall without a push for call {call} outside its announcement's step"
                    ));
                }
                _ => {}
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
                let allowed = p.result_in
                    || p.reset
                    || now >= p.deadline
                    || overflow_ok == Some(push.0)
                    || unreported == Some(push.0);
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
