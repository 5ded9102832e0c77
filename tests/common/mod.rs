//! Shared by the model test, the exhaustive search and the zero-allocation test: a small
//! abstract alphabet of events (a few call, push and action ids, every event kind, a
//! few time moves) and a runner that turns them into engine steps, watched by the
//! invariant checker.
#![allow(dead_code)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use callkit_engine::{
    ActionId, CallId, Config, DtmfType, Effect, Error, Event, HandleType, IncomingCallError,
    IncomingReport, PayloadSchema, PushId, RefusalReason, RequestTransactionError, SentAtUnit,
    Timer, TransactionId,
};
use callkit_engine_testkit::{action_id, call_id, fallback_id, Harness};

/// Short time-outs so that a few time moves reach every deadline.
pub const RING_MS: u64 = 300;
pub const ANSWER_CONNECT_MS: u64 = 120;
pub const PUSH_DEADLINE_MS: u64 = 50;
pub const TICK_MS: u64 = 10;
pub const AUDIO_ACTIVATION_MS: u64 = 80;
pub const START_CONNECT_MS: u64 = 110;
pub const NO_ANSWER_MS: u64 = 260;

/// The wall clock every push arrives at (Unix ms); [`Body::Stale`] was sent a minute
/// before it, every other body carries no sent time.
pub const PUSH_WALL_CLOCK_MS: u64 = 1_800_000_060_000;

/// The configuration of every exploration: the default (react-native) schema plus a
/// `"type": "cancel"` cancel marker and a `"sentAt"` sent time in seconds (the default
/// maximum push age), grouping on with one group of at most two calls.
pub fn config() -> Config {
    let mut config = Config::with_schema(
        PayloadSchema::default()
            .with_message_type(Some("type"), Some("cancel"))
            .and_then(|s| s.with_sent_at(Some("sentAt"), SentAtUnit::Seconds))
            .expect("short keys"),
    );
    config.ring_timeout_ms = RING_MS;
    config.answer_connect_timeout_ms = ANSWER_CONNECT_MS;
    config.start_connect_timeout_ms = START_CONNECT_MS;
    config.no_answer_timeout_ms = NO_ANSWER_MS;
    config.push_completion_timeout_ms = PUSH_DEADLINE_MS;
    config.audio_activation_timeout_ms = AUDIO_ACTIVATION_MS;
    config.capabilities.supports_grouping = true;
    config.provider.supports_audio_translation = true;
    config.capabilities.supports_ungrouping = true;
    config.provider.maximum_call_groups = 1;
    config.provider.maximum_calls_per_call_group = 2;
    config
}

/// A push's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Body {
    /// A call push for call `n`.
    Call(u8),
    /// The same call with another caller name (a duplicate that updates the name).
    Renamed(u8),
    /// A cancel push for call `n`.
    Cancel(u8),
    /// Not JSON.
    Malformed,
    /// The corpus payload with this index (tests/payloads, sorted), under the default
    /// schema.
    Corpus(u8),
    /// A call push for call `n` sent a minute before it arrives: older than the maximum
    /// push age.
    Stale(u8),
}

/// The report result CallKit gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Report {
    Ok,
    AlreadyExists,
    DoNotDisturb,
}

impl Report {
    pub fn result(self) -> Result<(), IncomingCallError> {
        match self {
            Report::Ok => Ok(()),
            Report::AlreadyExists => Err(IncomingCallError::CallUuidAlreadyExists),
            Report::DoNotDisturb => Err(IncomingCallError::FilteredByDoNotDisturb),
        }
    }
}

/// One abstract event. Call, push and action numbers are small (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Abs {
    Push {
        push: u8,
        body: Body,
        backwards: bool,
    },
    Reported {
        push: u8,
        report: Report,
    },
    /// A push under `mustReport == false` (iOS 26.4).
    PushMayGoUnreported {
        push: u8,
        body: Body,
    },
    /// The app's connection announces incoming call `call` (no push).
    Announce {
        call: u8,
    },
    /// The completion of the report made without a push for `call`.
    ReportedCall {
        call: u8,
        report: Report,
    },
    Reset,
    Begin,
    PerformStart {
        action: u8,
        call: u8,
    },
    PerformAnswer {
        action: u8,
        call: u8,
    },
    PerformEnd {
        action: u8,
        call: u8,
    },
    PerformHeld {
        action: u8,
        call: u8,
    },
    PerformMuted {
        action: u8,
        call: u8,
    },
    PerformGroup {
        action: u8,
        call: u8,
        with: Option<u8>,
    },
    PerformDtmf {
        action: u8,
        call: u8,
        valid: bool,
    },
    TimedOut {
        action: u8,
    },
    Activate,
    Deactivate,
    RequestStart {
        call: u8,
        valid: bool,
    },
    RequestEnd {
        call: u8,
    },
    /// The user answers in the app's own UI.
    RequestAnswer {
        call: u8,
    },
    RequestHeld {
        call: u8,
    },
    RequestMuted {
        call: u8,
    },
    RequestDtmf {
        call: u8,
    },
    /// Completes the oldest (`newest: false`) or newest outstanding transaction, or
    /// (`bogus`) one the engine never asked for.
    TxCompleted {
        newest: bool,
        ok: bool,
        bogus: bool,
    },
    OutConnecting {
        call: u8,
    },
    OutConnected {
        call: u8,
    },
    /// The far end refuses an outgoing call (busy).
    OutRefused {
        call: u8,
    },
    InConnected {
        call: u8,
    },
    RemoteEnded {
        call: u8,
    },
    AnsweredElsewhere {
        call: u8,
    },
    DeclinedElsewhere {
        call: u8,
    },
    ConnectionFailed {
        call: u8,
    },
    /// Fires the `index`-th armed timer (by deadline) at the current time, due or not.
    FireTimer {
        index: u8,
    },
    /// Fires the `index`-th armed timer for a call that was never reported.
    FireUnknownTimer,
    /// The clock moves `TICK_MS` on.
    Tick,
    /// The clock jumps to the earliest armed deadline (or far ahead when none).
    JumpToDeadline,
    /// A signalling event with a time before the engine's last.
    Backwards {
        call: u8,
    },
    Credentials {
        valid: bool,
    },
    Invalidate,
    /// The app has new details for the call: the name "Ann" and `video`.
    Details {
        call: u8,
        video: bool,
    },
    /// The call's ring timer fires now, armed or not (after its cancel: a race).
    FireRing {
        call: u8,
    },
    /// `PerformSetHeld` with `on_hold: false` (unhold, or the swap's second half).
    PerformUnheld {
        action: u8,
        call: u8,
    },
    /// The remote side of an outgoing call rings (SIP 180).
    OutRinging {
        call: u8,
    },
    /// `CXSetTranslatingCallAction`: start (`en` <-> `fr`) or stop translating.
    PerformTranslating {
        action: u8,
        call: u8,
        on: bool,
    },
}

/// Every abstract event over `calls` call ids, `pushes` push ids and `actions` action
/// ids (the exhaustive alphabet).
pub fn alphabet(calls: u8, pushes: u8, actions: u8) -> Vec<Abs> {
    let mut v = Vec::new();
    for push in 1..=pushes {
        for call in 1..=calls {
            v.push(Abs::Push {
                push,
                body: Body::Call(call),
                backwards: false,
            });
            v.push(Abs::Push {
                push,
                body: Body::Cancel(call),
                backwards: false,
            });
        }
        v.push(Abs::Push {
            push,
            body: Body::Renamed(1),
            backwards: false,
        });
        v.push(Abs::Push {
            push,
            body: Body::Malformed,
            backwards: false,
        });
        v.push(Abs::Push {
            push,
            body: Body::Call(1),
            backwards: true,
        });
        for report in [Report::Ok, Report::AlreadyExists, Report::DoNotDisturb] {
            v.push(Abs::Reported { push, report });
        }
        v.push(Abs::PushMayGoUnreported {
            push,
            body: Body::Call(1),
        });
        v.push(Abs::PushMayGoUnreported {
            push,
            body: Body::Cancel(2),
        });
        v.push(Abs::Push {
            push,
            body: Body::Stale(2),
            backwards: false,
        });
    }
    for call in 1..=calls {
        v.push(Abs::Announce { call });
    }
    for report in [Report::Ok, Report::DoNotDisturb] {
        v.push(Abs::ReportedCall { call: 1, report });
    }
    v.push(Abs::Reset);
    for action in 1..=actions {
        for call in 1..=calls {
            v.push(Abs::PerformStart { action, call });
            v.push(Abs::PerformAnswer { action, call });
            v.push(Abs::PerformEnd { action, call });
        }
        v.push(Abs::TimedOut { action });
    }
    v.push(Abs::PerformHeld { action: 1, call: 1 });
    v.push(Abs::PerformMuted { action: 1, call: 1 });
    v.push(Abs::PerformGroup {
        action: 1,
        call: 1,
        with: Some(2),
    });
    v.push(Abs::PerformGroup {
        action: 1,
        call: 1,
        with: None,
    });
    v.push(Abs::PerformDtmf {
        action: 1,
        call: 1,
        valid: true,
    });
    v.push(Abs::Activate);
    v.push(Abs::Deactivate);
    for call in 1..=calls {
        v.push(Abs::RequestStart { call, valid: true });
        v.push(Abs::RequestEnd { call });
        v.push(Abs::RequestAnswer { call });
        v.push(Abs::OutConnecting { call });
        v.push(Abs::OutConnected { call });
        v.push(Abs::OutRefused { call });
        v.push(Abs::InConnected { call });
        v.push(Abs::RemoteEnded { call });
    }
    v.push(Abs::RequestHeld { call: 1 });
    v.push(Abs::RequestMuted { call: 1 });
    v.push(Abs::RequestDtmf { call: 1 });
    v.push(Abs::AnsweredElsewhere { call: 1 });
    v.push(Abs::DeclinedElsewhere { call: 1 });
    v.push(Abs::ConnectionFailed { call: 1 });
    for newest in [false, true] {
        for ok in [false, true] {
            v.push(Abs::TxCompleted {
                newest,
                ok,
                bogus: false,
            });
        }
    }
    v.push(Abs::TxCompleted {
        newest: false,
        ok: true,
        bogus: true,
    });
    for index in 0..3 {
        v.push(Abs::FireTimer { index });
    }
    v.push(Abs::Tick);
    v.push(Abs::JumpToDeadline);
    v.push(Abs::Backwards { call: 1 });
    v.push(Abs::Credentials { valid: true });
    v.push(Abs::Credentials { valid: false });
    v.push(Abs::Invalidate);
    v.push(Abs::Details {
        call: 1,
        video: false,
    });
    v.push(Abs::FireRing { call: 1 });
    v.push(Abs::PerformUnheld { action: 1, call: 1 });
    v.push(Abs::PerformHeld { action: 1, call: 2 });
    for call in 1..=calls {
        v.push(Abs::OutRinging { call });
    }
    for on in [true, false] {
        v.push(Abs::PerformTranslating {
            action: 1,
            call: 1,
            on,
        });
    }
    v
}

pub fn call(n: u8) -> CallId {
    call_id(n)
}

pub fn action(n: u8) -> ActionId {
    action_id(n)
}

/// The corpus payloads (tests/payloads), sorted by name.
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/payloads");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("tests/payloads")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "bin"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).expect("readable"),
            )
        })
        .collect();
    files.sort();
    files
}

pub fn payload(body: Body, corpus: &[(String, Vec<u8>)]) -> Vec<u8> {
    match body {
        Body::Call(n) => format!(r#"{{"uuid":"{}","handle":"+15550100"}}"#, call(n)).into_bytes(),
        Body::Renamed(n) => format!(
            r#"{{"uuid":"{}","handle":"+15550100","callerName":"Other {n}"}}"#,
            call(n)
        )
        .into_bytes(),
        Body::Cancel(n) => format!(r#"{{"uuid":"{}","type":"cancel"}}"#, call(n)).into_bytes(),
        Body::Malformed => br#"{"uuid":"#.to_vec(),
        Body::Stale(n) => format!(
            r#"{{"uuid":"{}","handle":"+15550100","sentAt":{}}}"#,
            call(n),
            PUSH_WALL_CLOCK_MS / 1_000 - 60
        )
        .into_bytes(),
        Body::Corpus(i) => corpus
            .get(usize::from(i) % corpus.len().max(1))
            .map(|(_, bytes)| bytes.clone())
            .unwrap_or_default(),
    }
}

/// What one abstract event did.
#[derive(Debug)]
pub enum Outcome {
    /// A time move, or an event skipped to keep the host's contract (a push id reused
    /// while pending).
    NoStep,
    /// `handle` was called; `Ok(effects)` or the error.
    Step(Result<Vec<Effect>, Error>),
}

/// Drives an engine with abstract events through a [`Harness`] (checked, not
/// recording: the search clones it at every state), checking I1-I10 after every step.
#[derive(Clone)]
pub struct Runner<const C: usize, const P: usize, const E: usize> {
    pub harness: Harness<C, P, E>,
    pub transactions: Vec<u64>,
}

impl<const C: usize, const P: usize, const E: usize> Runner<C, P, E> {
    pub fn new(config: Config) -> Self {
        let mut harness = Harness::new(config);
        harness.recording = false;
        Runner {
            harness,
            transactions: Vec::new(),
        }
    }

    /// A key for deduplicating states: the engine's whole state, the host clock and the
    /// outstanding transactions.
    pub fn key(&self) -> u64 {
        let mut h = DefaultHasher::new();
        format!("{:?}", self.harness.engine).hash(&mut h);
        self.harness.now.hash(&mut h);
        self.transactions.hash(&mut h);
        h.finish()
    }

    /// The armed timers in the core's due order (deadline, then [`Timer`]'s order).
    pub fn armed(&self) -> Vec<(Timer, u64)> {
        let mut timers: Vec<(Timer, u64)> = self
            .harness
            .engine
            .timers()
            .map(|(t, d)| (t, d.as_millis()))
            .collect();
        timers.sort_by_key(|&(t, d)| (d, t));
        timers
    }

    /// Whether a push id is pending (the host must not reuse it then).
    pub fn push_pending(&self, push: u8) -> bool {
        self.harness
            .engine
            .timers()
            .any(|(t, _)| t == Timer::PushCompletion(PushId(u64::from(push))))
    }

    pub fn step(&mut self, at: u64, event: Event<'_>) -> Result<Vec<Effect>, Error> {
        let result = self.harness.step_at(at, event).map(|e| e.effects);
        for e in result.iter().flatten() {
            if let Effect::RequestTransaction { transaction, .. } = e {
                self.transactions.push(transaction.0);
            }
        }
        if let Event::ProviderDidReset = event {
            self.transactions.clear();
        }
        result
    }

    /// Applies one abstract event.
    pub fn apply(&mut self, abs: Abs, corpus: &[(String, Vec<u8>)]) -> Outcome {
        let now = self.harness.now;
        let out = |r| Outcome::Step(r);
        match abs {
            Abs::Push {
                push,
                body,
                backwards,
            } => {
                if self.push_pending(push) {
                    return Outcome::NoStep;
                }
                let bytes = payload(body, corpus);
                let at = if backwards {
                    now.saturating_sub(5)
                } else {
                    now
                };
                out(self.step(
                    at,
                    Event::VoipPushReceived {
                        push: PushId(u64::from(push)),
                        payload: &bytes,
                        fallback_call: fallback_id(u64::from(push)),
                        must_report: None,
                        received_at_unix_ms: Some(PUSH_WALL_CLOCK_MS),
                    },
                ))
            }
            Abs::PushMayGoUnreported { push, body } => {
                if self.push_pending(push) {
                    return Outcome::NoStep;
                }
                let bytes = payload(body, corpus);
                out(self.step(
                    now,
                    Event::VoipPushReceived {
                        push: PushId(u64::from(push)),
                        payload: &bytes,
                        fallback_call: fallback_id(u64::from(push)),
                        must_report: Some(false),
                        received_at_unix_ms: Some(PUSH_WALL_CLOCK_MS),
                    },
                ))
            }
            Abs::Announce { call: n } => out(self.step(
                now,
                Event::IncomingCallAnnounced {
                    call: call(n),
                    handle: "+15550100",
                    handle_type: HandleType::PhoneNumber,
                    caller_name: Some("Announced"),
                    video: false,
                },
            )),
            Abs::ReportedCall { call: n, report } => out(self.step(
                now,
                Event::IncomingCallReported {
                    report: IncomingReport::Call(call(n)),
                    result: report.result(),
                },
            )),
            Abs::Reported { push, report } => out(self.step(
                now,
                Event::IncomingCallReported {
                    report: IncomingReport::Push(PushId(u64::from(push))),
                    result: report.result(),
                },
            )),
            Abs::Reset => out(self.step(now, Event::ProviderDidReset)),
            Abs::Begin => out(self.step(now, Event::ProviderDidBegin)),
            Abs::PerformStart { action: a, call: c } => out(self.step(
                now,
                Event::PerformStartCall {
                    action: action(a),
                    call: call(c),
                    handle: "+15550199",
                    handle_type: HandleType::PhoneNumber,
                    video: false,
                },
            )),
            Abs::PerformAnswer { action: a, call: c } => out(self.step(
                now,
                Event::PerformAnswerCall {
                    action: action(a),
                    call: call(c),
                },
            )),
            Abs::PerformEnd { action: a, call: c } => out(self.step(
                now,
                Event::PerformEndCall {
                    action: action(a),
                    call: call(c),
                },
            )),
            Abs::PerformHeld { action: a, call: c } => out(self.step(
                now,
                Event::PerformSetHeld {
                    action: action(a),
                    call: call(c),
                    on_hold: true,
                },
            )),
            Abs::PerformMuted { action: a, call: c } => out(self.step(
                now,
                Event::PerformSetMuted {
                    action: action(a),
                    call: call(c),
                    muted: true,
                },
            )),
            Abs::PerformGroup {
                action: a,
                call: c,
                with,
            } => out(self.step(
                now,
                Event::PerformSetGroup {
                    action: action(a),
                    call: call(c),
                    group_with: with.map(call),
                },
            )),
            Abs::PerformDtmf {
                action: a,
                call: c,
                valid,
            } => out(self.step(
                now,
                Event::PerformPlayDtmf {
                    action: action(a),
                    call: call(c),
                    digits: if valid { "12#" } else { "x" },
                    kind: DtmfType::SingleTone,
                },
            )),
            Abs::TimedOut { action: a } => {
                out(self.step(now, Event::TimedOutPerforming { action: action(a) }))
            }
            Abs::Activate => out(self.step(now, Event::DidActivateAudioSession)),
            Abs::Deactivate => out(self.step(now, Event::DidDeactivateAudioSession)),
            Abs::RequestStart { call: c, valid } => out(self.step(
                now,
                Event::RequestStartCall {
                    call: call(c),
                    handle: if valid { "+15550199" } else { "" },
                    handle_type: HandleType::PhoneNumber,
                    video: false,
                },
            )),
            Abs::RequestEnd { call: c } => {
                out(self.step(now, Event::RequestEndCall { call: call(c) }))
            }
            Abs::RequestAnswer { call: c } => {
                out(self.step(now, Event::RequestAnswerCall { call: call(c) }))
            }
            Abs::RequestHeld { call: c } => out(self.step(
                now,
                Event::RequestSetHeld {
                    call: call(c),
                    on_hold: true,
                },
            )),
            Abs::RequestMuted { call: c } => out(self.step(
                now,
                Event::RequestSetMuted {
                    call: call(c),
                    muted: true,
                },
            )),
            Abs::RequestDtmf { call: c } => out(self.step(
                now,
                Event::RequestPlayDtmf {
                    call: call(c),
                    digits: "1",
                    kind: DtmfType::SingleTone,
                },
            )),
            Abs::TxCompleted { newest, ok, bogus } => {
                let id = if bogus {
                    u64::MAX
                } else {
                    let pick = if newest {
                        self.transactions.pop()
                    } else if self.transactions.is_empty() {
                        None
                    } else {
                        Some(self.transactions.remove(0))
                    };
                    match pick {
                        Some(id) => id,
                        None => return Outcome::NoStep,
                    }
                };
                let result = if ok {
                    Ok(())
                } else {
                    Err(RequestTransactionError::UnknownCallUuid)
                };
                out(self.step(
                    now,
                    Event::TransactionCompleted {
                        transaction: TransactionId(id),
                        result,
                    },
                ))
            }
            Abs::OutConnecting { call: c } => {
                out(self.step(now, Event::OutgoingCallConnecting { call: call(c) }))
            }
            Abs::OutConnected { call: c } => {
                out(self.step(now, Event::OutgoingCallConnected { call: call(c) }))
            }
            Abs::OutRefused { call: c } => out(self.step(
                now,
                Event::OutgoingCallRefused {
                    call: call(c),
                    reason: RefusalReason::Busy,
                },
            )),
            Abs::InConnected { call: c } => {
                out(self.step(now, Event::IncomingCallConnected { call: call(c) }))
            }
            Abs::RemoteEnded { call: c } => {
                out(self.step(now, Event::RemoteEnded { call: call(c) }))
            }
            Abs::AnsweredElsewhere { call: c } => {
                out(self.step(now, Event::AnsweredElsewhere { call: call(c) }))
            }
            Abs::DeclinedElsewhere { call: c } => {
                out(self.step(now, Event::DeclinedElsewhere { call: call(c) }))
            }
            Abs::ConnectionFailed { call: c } => {
                out(self.step(now, Event::ConnectionFailed { call: call(c) }))
            }
            Abs::FireTimer { index } => {
                let Some((timer, _)) = self.armed().get(usize::from(index)).copied() else {
                    return Outcome::NoStep;
                };
                out(self.step(now, Event::TimerFired { timer }))
            }
            Abs::FireUnknownTimer => out(self.step(
                now,
                Event::TimerFired {
                    timer: Timer::Ring(call(99)),
                },
            )),
            Abs::Tick => {
                self.harness.now += TICK_MS;
                Outcome::NoStep
            }
            Abs::JumpToDeadline => {
                self.harness.now = match self.harness.engine.poll_timeout() {
                    Some(d) => self.harness.now.max(d.as_millis()),
                    None => self.harness.now + 1_000,
                };
                Outcome::NoStep
            }
            Abs::Backwards { call: c } => {
                let at = self.harness.engine.now().as_millis().saturating_sub(1);
                out(self.step(at, Event::RemoteEnded { call: call(c) }))
            }
            Abs::Credentials { valid } => {
                let token: &[u8] = if valid { &[0xab, 0x01] } else { &[] };
                out(self.step(now, Event::PushCredentialsUpdated { token }))
            }
            Abs::Invalidate => out(self.step(now, Event::PushCredentialsInvalidated)),
            Abs::Details { call: c, video } => out(self.step(
                now,
                Event::CallDetailsChanged {
                    call: call(c),
                    caller_name: Some("Ann"),
                    has_video: Some(video),
                },
            )),
            Abs::FireRing { call: c } => out(self.step(
                now,
                Event::TimerFired {
                    timer: Timer::Ring(call(c)),
                },
            )),
            Abs::PerformUnheld { action: a, call: c } => out(self.step(
                now,
                Event::PerformSetHeld {
                    action: action(a),
                    call: call(c),
                    on_hold: false,
                },
            )),
            Abs::OutRinging { call: c } => {
                out(self.step(now, Event::OutgoingCallRinging { call: call(c) }))
            }
            Abs::PerformTranslating {
                action: a,
                call: c,
                on,
            } => out(self.step(
                now,
                Event::PerformSetTranslating {
                    action: action(a),
                    call: call(c),
                    translating: on,
                    local_language: "en",
                    remote_language: "fr",
                },
            )),
        }
    }
}
