//! Shared set-up for the callkit-engine benchmarks and budgets.
//!
//! Every measured thing is a named [`scenario`]: its set-up (driving an engine to the
//! state just before the measured event, or building a baseline's registry) happens in
//! [`scenario`], outside any measurement; [`Run::run`] is the one measured step. The
//! criterion bench (`benches/wall.rs`), the gungraun bench (`benches/instructions.rs`)
//! and the budget checker (`benches/budgets.rs`) all use the same scenarios, so wall
//! time, instruction counts and budgets are about the same code on the same bytes.
//!
//! What one step covers, for every scenario alike: handling the event and dropping its
//! output (the engine's `Effects` has nothing to free; the baselines free their parse
//! tree, strings and effect `Vec`). Building and dropping the engine or the baseline's
//! registry is set-up, not measured.
//!
//! The baselines are "the std way" a Rust port would be written:
//! - [`ValueParse`]: `serde_json::from_slice::<serde_json::Value>` on the payload bytes,
//!   nothing else (a lower bound for any `Value`-based handler);
//! - [`StdRegistry`]: a typed `serde_json` struct with `String` fields per payload layout,
//!   `Uuid::parse_str`, and a `HashMap` call registry plus a `HashMap` of pending pushes,
//!   returning a `Vec` of effects that own their strings (the same effects the engine
//!   returns for a new call: report with the call update, push-completion timer,
//!   connect, ring timer).

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::OnceLock;

use callkit_engine::limits::{effects_needed, MAX_PAYLOAD_LEN};
use callkit_engine::{
    ActionId, CallId, Config, Effect, Effects, Engine, Event, HandleType, IncomingReport, Instant,
    PayloadSchema, PushId, Timer, TransactionId, Uuid,
};
use serde::Deserialize;

/// Bytes at the start of a page (4096 bytes).
///
/// `include_bytes!` data has alignment 1, so where it lands depends on what the linker
/// puts before it, which changes with the build path (the source paths embedded in the
/// binary). Reading a payload costs a number of instructions that depends on its address:
/// UTF-8 validation (`core::str::from_utf8`) checks whole words from the first 8-byte
/// boundary, and glibc's `memcmp` (comparing payload keys) takes a longer path when its
/// arguments' offsets in their pages come near a page's end. So every corpus payload the
/// benches read starts a page; the payloads built at run time are on the heap of the
/// measuring thread, which is the same on every build.
#[repr(C, align(4096))]
pub struct Aligned<const N: usize>(pub [u8; N]);

/// `include_bytes!($path)` as a `&'static [u8]` at the start of a page ([`Aligned`]).
macro_rules! include_aligned {
    ($path:literal) => {{
        static ALIGNED: Aligned<{ include_bytes!($path).len() }> = Aligned(*include_bytes!($path));
        &ALIGNED.0
    }};
}

/// Apple's documented payload (`tests/payloads/apple-docs-calluuid.json`, 75 bytes),
/// at the start of a page.
pub static APPLE_DOCS: &[u8] = include_aligned!("../../tests/payloads/apple-docs-calluuid.json");

/// flutter_callkit_incoming's full argument set
/// (`tests/payloads/flutter-callkit-incoming-full.json`, 374 bytes), at the start of a
/// page.
pub static FLUTTER_FULL: &[u8] =
    include_aligned!("../../tests/payloads/flutter-callkit-incoming-full.json");

/// A flutter_callkit_incoming payload of exactly [`MAX_PAYLOAD_LEN`] (5120) bytes: the
/// full corpus payload with its `extra` object grown by 64 server metadata entries
/// (`"meta00":"session-metadata-value-00-..."`) and one padding string that makes up the
/// last bytes. Valid under [`PayloadSchema::flutter_callkit_incoming`].
pub fn limit_payload() -> &'static [u8] {
    static PAYLOAD: OnceLock<Vec<u8>> = OnceLock::new();
    PAYLOAD.get_or_init(|| {
        let base = std::str::from_utf8(FLUTTER_FULL).expect("corpus payload is UTF-8");
        let anchor = r#""platform":"ios""#;
        let at = base
            .find(anchor)
            .expect("extra.platform in the corpus payload")
            + anchor.len();
        let (head, tail) = base.split_at(at);
        let mut extra = String::new();
        for i in 0..64 {
            extra.push_str(&format!(
                r#","meta{i:02}":"session-metadata-value-{i:02}-abcdefghijklmnopqrstuvwxyz""#
            ));
        }
        let fixed = head.len() + extra.len() + tail.len() + r#","pad":"""#.len();
        assert!(fixed < MAX_PAYLOAD_LEN, "metadata overshoots the limit");
        extra.push_str(r#","pad":""#);
        extra.push_str(&"x".repeat(MAX_PAYLOAD_LEN - fixed));
        extra.push('"');
        let payload = format!("{head}{extra}{tail}").into_bytes();
        assert_eq!(payload.len(), MAX_PAYLOAD_LEN);
        payload
    })
}

/// An Apple-docs payload whose ignored `x` value nests objects down to depth 16, the
/// deepest the engine reads ([`callkit_engine::limits::MAX_JSON_DEPTH`]): the stack worst case
/// of parsing.
pub fn deepest_payload() -> &'static [u8] {
    static PAYLOAD: OnceLock<Vec<u8>> = OnceLock::new();
    PAYLOAD.get_or_init(|| {
        let depth = callkit_engine::limits::MAX_JSON_DEPTH;
        let mut s = String::from(
            r#"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234""#,
        );
        for _ in 1..depth {
            s.push_str(r#","x":{"a":1"#);
        }
        for _ in 1..depth {
            s.push('}');
        }
        s.push('}');
        s.into_bytes()
    })
}

/// The three payload size classes of the push benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadClass {
    /// [`APPLE_DOCS`], Apple-docs schema.
    AppleDocs,
    /// [`FLUTTER_FULL`], flutter schema.
    Flutter,
    /// [`limit_payload`], flutter schema.
    Limit,
}

impl PayloadClass {
    /// The bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            PayloadClass::AppleDocs => APPLE_DOCS,
            PayloadClass::Flutter => FLUTTER_FULL,
            PayloadClass::Limit => limit_payload(),
        }
    }

    /// The engine's schema for these bytes.
    pub fn schema(self) -> PayloadSchema {
        match self {
            PayloadClass::AppleDocs => PayloadSchema::apple_docs(),
            PayloadClass::Flutter | PayloadClass::Limit => {
                PayloadSchema::flutter_callkit_incoming()
            }
        }
    }

    /// The typed layout the std baseline deserializes.
    pub fn layout(self) -> Layout {
        match self {
            PayloadClass::AppleDocs => Layout::AppleDocs,
            PayloadClass::Flutter | PayloadClass::Limit => Layout::Flutter,
        }
    }
}

/// One measured step.
pub trait Run {
    /// Performs the step once and drops its output.
    fn run(&mut self);
}

/// The measured step of an engine scenario: `handle_into(at, event, &mut out)` on a
/// prepared engine, with the effect container the host keeps (the hot-path API; `handle`
/// adds one copy of the container on return).
#[derive(Clone)]
pub struct EngineStep<const C: usize, const P: usize, const E: usize> {
    /// The engine, in the state just before the event.
    pub engine: Engine<C, P, E>,
    /// The event's time.
    pub at: Instant,
    /// The event.
    pub event: Event<'static>,
    /// The host's effect container.
    pub out: Effects<E>,
}

impl<const C: usize, const P: usize, const E: usize> EngineStep<C, P, E> {
    /// Runs the step on a copy and checks it is accepted and fits: a scenario that is
    /// refused would measure the wrong thing. Returns the number of effects.
    pub fn check(&self) -> usize {
        let mut probe = self.clone();
        let effects = probe
            .engine
            .handle(probe.at, probe.event)
            .unwrap_or_else(|e| panic!("scenario step refused: {e:?} for {:?}", self.event));
        assert!(!effects.overflowed(), "effects overflowed");
        effects.len()
    }
}

impl<const C: usize, const P: usize, const E: usize> Run for EngineStep<C, P, E> {
    #[inline(never)]
    fn run(&mut self) {
        let result =
            self.engine
                .handle_into(black_box(self.at), black_box(self.event), &mut self.out);
        black_box(&result);
        black_box(&self.out);
    }
}

/// Baseline 1: `serde_json::from_slice::<serde_json::Value>` on the bytes (and its drop).
pub struct ValueParse {
    /// The payload.
    pub bytes: &'static [u8],
}

impl Run for ValueParse {
    #[inline(never)]
    fn run(&mut self) {
        let value = serde_json::from_slice::<serde_json::Value>(black_box(self.bytes));
        black_box(&value);
    }
}

/// The payload layouts the typed baseline knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `{"callUUID", "handle"}`.
    AppleDocs,
    /// flutter_callkit_incoming: `id`, `nameCaller`, `handle`, `type`, `duration`.
    Flutter,
}

#[derive(Deserialize)]
struct ApplePush {
    #[serde(rename = "callUUID")]
    call_uuid: Option<String>,
    handle: Option<String>,
}

#[derive(Deserialize)]
struct FlutterPush {
    id: Option<String>,
    #[serde(rename = "nameCaller")]
    name_caller: Option<String>,
    handle: Option<String>,
    #[serde(rename = "type")]
    media_type: Option<u8>,
    duration: Option<u64>,
}

/// The call update a std port hands to Swift with the report.
#[derive(Clone, Debug, PartialEq)]
pub struct StdCallUpdate {
    /// `remoteHandle.value`.
    pub handle: Option<String>,
    /// `localizedCallerName`.
    pub caller_name: Option<String>,
    /// `hasVideo`.
    pub has_video: bool,
}

/// A live call in the std registry.
#[derive(Clone, Debug)]
pub struct StdCall {
    /// The report's push.
    pub push: u64,
    /// What was reported.
    pub update: StdCallUpdate,
    /// Ring time-out deadline.
    pub ring_deadline_ms: u64,
}

/// The std port's effects (owning their strings).
#[derive(Clone, Debug, PartialEq)]
pub enum StdEffect {
    /// `reportNewIncomingCall`.
    ReportNewIncomingCall {
        /// Push.
        push: u64,
        /// Call UUID.
        call: Uuid,
        /// The `CXCallUpdate`.
        update: StdCallUpdate,
    },
    /// `reportCall(endedAt:reason: .failed)`.
    ReportCallEnded {
        /// Call UUID.
        call: Uuid,
    },
    /// Start connecting signalling.
    ConnectIncoming {
        /// Call UUID.
        call: Uuid,
    },
    /// The push's completion deadline.
    StartPushTimer {
        /// Push.
        push: u64,
        /// Deadline.
        deadline_ms: u64,
    },
    /// The ring time-out.
    StartRingTimer {
        /// Call UUID.
        call: Uuid,
        /// Deadline.
        deadline_ms: u64,
    },
}

/// Baseline 2: the std way, a typed `serde_json` struct with `String` fields and a
/// `HashMap` call registry.
#[derive(Default)]
pub struct StdRegistry {
    /// Live calls.
    pub calls: HashMap<Uuid, StdCall>,
    /// Pending pushes: push id -> (call, completion deadline).
    pub pushes: HashMap<u64, (Uuid, u64)>,
}

impl StdRegistry {
    /// Handles one VoIP push: parse, register, return the effects.
    pub fn on_push(
        &mut self,
        now_ms: u64,
        push: u64,
        payload: &[u8],
        fallback: Uuid,
        layout: Layout,
    ) -> Vec<StdEffect> {
        let parsed = match layout {
            Layout::AppleDocs => serde_json::from_slice::<ApplePush>(payload).map(|p| {
                (
                    p.call_uuid,
                    StdCallUpdate {
                        handle: p.handle,
                        caller_name: None,
                        has_video: false,
                    },
                    None,
                )
            }),
            Layout::Flutter => serde_json::from_slice::<FlutterPush>(payload).map(|p| {
                (
                    p.id,
                    StdCallUpdate {
                        handle: p.handle,
                        caller_name: p.name_caller,
                        has_video: p.media_type == Some(1),
                    },
                    p.duration,
                )
            }),
        };
        let mut out = Vec::new();
        let deadline_ms = now_ms + 5_000;
        self.pushes.insert(push, (fallback, deadline_ms));
        let Ok((id, update, ring_ms)) = parsed else {
            out.push(StdEffect::ReportNewIncomingCall {
                push,
                call: fallback,
                update: StdCallUpdate {
                    handle: None,
                    caller_name: None,
                    has_video: false,
                },
            });
            out.push(StdEffect::StartPushTimer { push, deadline_ms });
            out.push(StdEffect::ReportCallEnded { call: fallback });
            return out;
        };
        let call = id
            .and_then(|s| Uuid::parse_str(&s).ok())
            .unwrap_or(fallback);
        self.pushes.insert(push, (call, deadline_ms));
        out.push(StdEffect::ReportNewIncomingCall {
            push,
            call,
            update: update.clone(),
        });
        out.push(StdEffect::StartPushTimer { push, deadline_ms });
        if self.calls.contains_key(&call) {
            return out;
        }
        let ring_deadline_ms = now_ms + ring_ms.unwrap_or(30_000);
        self.calls.insert(
            call,
            StdCall {
                push,
                update,
                ring_deadline_ms,
            },
        );
        out.push(StdEffect::ConnectIncoming { call });
        out.push(StdEffect::StartRingTimer {
            call,
            deadline_ms: ring_deadline_ms,
        });
        out
    }
}

/// The measured step of the typed baseline: one push into a registry that holds
/// nothing yet (the engine's push scenarios start from an idle engine too).
pub struct StdPush {
    /// The registry.
    pub registry: StdRegistry,
    /// The payload.
    pub bytes: &'static [u8],
    /// Its layout.
    pub layout: Layout,
}

impl Run for StdPush {
    #[inline(never)]
    fn run(&mut self) {
        let effects = self.registry.on_push(
            black_box(1_000),
            black_box(1),
            black_box(self.bytes),
            black_box(Uuid::from_u128(0xfb)),
            self.layout,
        );
        black_box(&effects);
    }
}

/// Does nothing: the measurement overhead, subtracted by the budget checker.
pub struct Empty;

impl Run for Empty {
    #[inline(never)]
    fn run(&mut self) {
        black_box(());
    }
}

// ------------------------------------------------------------------- engine drivers

pub use callkit_engine_testkit::{action_id, call_id};

/// The Apple-docs payload for `call`, leaked (set-up only, a few per process).
fn apple_payload_for(n: u8) -> &'static [u8] {
    let call = call_id(n);
    let text = format!(r#"{{"callUUID":"{call}","handle":"+1408555{n:04}"}}"#);
    Box::leak(text.into_bytes().into_boxed_slice())
}

/// The call the lifecycles follow: the one in [`APPLE_DOCS`].
pub fn lifecycle_call() -> CallId {
    CallId(Uuid::parse_str("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11").expect("uuid"))
}

const OUT_HANDLE: &str = "+15550199";

/// Drives an engine forward on a virtual clock (10 ms per step), recording the state
/// before each event.
pub struct Driver<const C: usize, const P: usize, const E: usize> {
    /// The engine.
    pub engine: Engine<C, P, E>,
    now: u64,
    next_push: u64,
    next_action: u8,
}

impl<const C: usize, const P: usize, const E: usize> Driver<C, P, E> {
    /// An idle engine with the Apple-docs schema.
    pub fn new() -> Self {
        Self::with_schema(PayloadSchema::apple_docs())
    }

    /// An idle engine with `schema`.
    pub fn with_schema(schema: PayloadSchema) -> Self {
        Driver {
            engine: Engine::with_capacities(Config::with_schema(schema)),
            now: 1_000,
            next_push: 1,
            next_action: 1,
        }
    }

    /// The step `event` would be, from the current state (not applied).
    pub fn snapshot(&self, event: Event<'static>) -> EngineStep<C, P, E> {
        EngineStep {
            engine: self.engine.clone(),
            at: Instant::from_millis(self.now + 10),
            event,
            out: Effects::new(),
        }
    }

    /// Applies `event` 10 ms later; panics if refused or overflowed.
    pub fn step(&mut self, event: Event<'static>) -> Effects<E> {
        self.now += 10;
        let effects = self
            .engine
            .handle(Instant::from_millis(self.now), event)
            .unwrap_or_else(|e| panic!("set-up step refused: {e:?} for {event:?}"));
        assert!(!effects.overflowed());
        effects
    }

    /// Records `event` as a named step, then applies it.
    pub fn record(
        &mut self,
        steps: &mut Vec<(&'static str, EngineStep<C, P, E>)>,
        name: &'static str,
        event: Event<'static>,
    ) -> Effects<E> {
        steps.push((name, self.snapshot(event)));
        self.step(event)
    }

    /// Records the request `event` as the step `names[0]`, then the success of the
    /// transaction it asks for as the step `names[1]`, and applies both.
    pub fn record_request(
        &mut self,
        steps: &mut Vec<(&'static str, EngineStep<C, P, E>)>,
        names: [&'static str; 2],
        event: Event<'static>,
    ) {
        let effects = self.record(steps, names[0], event);
        let transaction = transaction_of(&effects);
        self.record(
            steps,
            names[1],
            Event::TransactionCompleted {
                transaction,
                result: Ok(()),
            },
        );
    }

    /// A fresh push event for `payload`.
    pub fn push_event(&mut self, payload: &'static [u8]) -> Event<'static> {
        let push = self.next_push;
        self.next_push += 1;
        let mut fallback = [0xfb; 16];
        fallback[8..].copy_from_slice(&push.to_be_bytes());
        Event::VoipPushReceived {
            push: PushId(push),
            payload,
            fallback_call: CallId::from_bytes(fallback),
            must_report: None,
            received_at_unix_ms: None,
        }
    }

    /// A fresh action id.
    pub fn action(&mut self) -> ActionId {
        let a = action_id(self.next_action);
        self.next_action = self.next_action.wrapping_add(1);
        a
    }

    /// Pushes a call `call_id(n)` and leaves it ringing (report completed, connection
    /// ready).
    pub fn ringing_call(&mut self, n: u8) -> CallId {
        let call = call_id(n);
        let event = self.push_event(apple_payload_for(n));
        let Event::VoipPushReceived { push, .. } = event else {
            unreachable!()
        };
        self.step(event);
        self.step(Event::IncomingCallReported {
            report: IncomingReport::Push(push),
            result: Ok(()),
        });
        self.step(Event::IncomingCallConnected { call });
        call
    }

    /// Pushes a call `call_id(n)` and answers it.
    pub fn answered_call(&mut self, n: u8) -> CallId {
        let call = self.ringing_call(n);
        let action = self.action();
        self.step(Event::PerformAnswerCall { action, call });
        call
    }
}

impl<const C: usize, const P: usize, const E: usize> Default for Driver<C, P, E> {
    fn default() -> Self {
        Self::new()
    }
}

fn transaction_of<const E: usize>(effects: &Effects<E>) -> TransactionId {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::RequestTransaction { transaction, .. } => Some(*transaction),
            _ => None,
        })
        .expect("a RequestTransaction effect")
}

/// Every event of a full incoming call (push, report ok, connection ready, answer,
/// audio session activated, end), as steps, with `background` answered calls live
/// beside it.
pub fn incoming_lifecycle<const C: usize, const P: usize, const E: usize>(
    background: u8,
) -> Vec<(&'static str, EngineStep<C, P, E>)> {
    let mut d = Driver::<C, P, E>::new();
    for n in 0..background {
        d.answered_call(100 + n);
    }
    let call = lifecycle_call();
    let mut steps = Vec::new();
    let push = d.push_event(APPLE_DOCS);
    let Event::VoipPushReceived { push: push_id, .. } = push else {
        unreachable!()
    };
    d.record(&mut steps, "1-push", push);
    d.record(
        &mut steps,
        "2-report-ok",
        Event::IncomingCallReported {
            report: IncomingReport::Push(push_id),
            result: Ok(()),
        },
    );
    d.record(
        &mut steps,
        "3-connected",
        Event::IncomingCallConnected { call },
    );
    let action = d.action();
    d.record(
        &mut steps,
        "4-answer",
        Event::PerformAnswerCall { action, call },
    );
    d.record(&mut steps, "5-audio-on", Event::DidActivateAudioSession);
    let action = d.action();
    d.record(&mut steps, "6-end", Event::PerformEndCall { action, call });
    steps
}

/// Every event of a full outgoing call (request, transaction ok, start action,
/// audio session activated, connecting, connected, end request, its transaction ok,
/// end action), with `background` answered calls live beside it.
pub fn outgoing_lifecycle<const C: usize, const P: usize, const E: usize>(
    background: u8,
) -> Vec<(&'static str, EngineStep<C, P, E>)> {
    let mut d = Driver::<C, P, E>::new();
    for n in 0..background {
        d.answered_call(100 + n);
    }
    let call = call_id(1);
    let mut steps = Vec::new();
    d.record_request(
        &mut steps,
        ["1-request-start", "2-start-tx-ok"],
        Event::RequestStartCall {
            call,
            handle: OUT_HANDLE,
            handle_type: HandleType::PhoneNumber,
            video: false,
        },
    );
    let action = d.action();
    d.record(
        &mut steps,
        "3-perform-start",
        Event::PerformStartCall {
            action,
            call,
            handle: OUT_HANDLE,
            handle_type: HandleType::PhoneNumber,
            video: false,
        },
    );
    d.record(&mut steps, "4-audio-on", Event::DidActivateAudioSession);
    d.record(
        &mut steps,
        "5-connecting",
        Event::OutgoingCallConnecting { call },
    );
    d.record(
        &mut steps,
        "6-connected",
        Event::OutgoingCallConnected { call },
    );
    d.record_request(
        &mut steps,
        ["7-request-end", "8-end-tx-ok"],
        Event::RequestEndCall { call },
    );
    let action = d.action();
    d.record(
        &mut steps,
        "9-perform-end",
        Event::PerformEndCall { action, call },
    );
    steps
}

/// Which provider action the growth scenarios perform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `CXAnswerCallAction` for the newest call (ringing, connection ready; the others
    /// answered): the call is found at the end of the table.
    AnswerNewest,
    /// `CXEndCallAction` for the oldest call: teardown removes the table's first slot.
    EndOldest,
    /// `CXSetMutedCallAction` for the newest call (all answered).
    MuteNewest,
}

/// One provider action on an engine with `CALLS` capacity and every slot live.
pub fn action_step<const C: usize, const E: usize>(action: Action) -> EngineStep<C, 8, E> {
    let mut d = Driver::<C, 8, E>::new();
    let n = u8::try_from(C).expect("at most 255 calls");
    let mut calls = Vec::new();
    for i in 0..n - 1 {
        calls.push(d.answered_call(100 + i));
    }
    let newest = if action == Action::AnswerNewest {
        d.ringing_call(100 + n - 1)
    } else {
        d.answered_call(100 + n - 1)
    };
    calls.push(newest);
    let id = d.action();
    let event = match action {
        Action::AnswerNewest => Event::PerformAnswerCall {
            action: id,
            call: newest,
        },
        Action::EndOldest => Event::PerformEndCall {
            action: id,
            call: calls[0],
        },
        Action::MuteNewest => Event::PerformSetMuted {
            action: id,
            call: newest,
            muted: true,
        },
    };
    d.snapshot(event)
}

/// `providerDidReset` with every slot full: `CALLS` live calls (half answered with media
/// running, half ringing with their ring timer) and all 8 push slots pending (each call's
/// own push unreported, topped up with duplicate pushes for the same calls).
pub fn full_reset_step<const C: usize, const E: usize>() -> EngineStep<C, 8, E> {
    let mut d = Driver::<C, 8, E>::new();
    let n = u8::try_from(C).expect("at most 255 calls");
    let mut payloads = Vec::new();
    for i in 0..n {
        let payload = apple_payload_for(100 + i);
        payloads.push(payload);
        if i % 2 == 0 {
            d.answered_call(100 + i);
        } else {
            d.ringing_call(100 + i);
        }
    }
    d.step(Event::DidActivateAudioSession);
    let mut k = 0;
    while d.engine.pending_pushes() < 8 {
        let event = d.push_event(payloads[k % payloads.len()]);
        d.step(event);
        k += 1;
    }
    d.snapshot(Event::ProviderDidReset)
}

/// Other non-push events with `background + 1` live calls: a ring time-out, a remote
/// hang-up, a mute.
pub fn misc_steps<const C: usize, const P: usize, const E: usize>(
    background: u8,
) -> Vec<(&'static str, EngineStep<C, P, E>)> {
    let mut steps = Vec::new();
    // Ring time-out of the newest call.
    let mut d = Driver::<C, P, E>::new();
    for n in 0..background {
        d.answered_call(100 + n);
    }
    let call = d.ringing_call(1);
    let deadline = d
        .engine
        .call(call)
        .and_then(|c| c.ring_deadline())
        .expect("ringing");
    let mut step = d.snapshot(Event::TimerFired {
        timer: Timer::Ring(call),
    });
    step.at = deadline;
    steps.push(("ring-timeout", step));
    // Remote hang-up of an answered call.
    let mut d = Driver::<C, P, E>::new();
    for n in 0..background {
        d.answered_call(100 + n);
    }
    let call = d.answered_call(1);
    steps.push(("remote-ended", d.snapshot(Event::RemoteEnded { call })));
    steps
}

// ------------------------------------------------------------------------ scenarios

/// Default capacities (4 calls, 8 pushes, 32 effects).
pub type Step4 = EngineStep<4, 8, { effects_needed(4, 8) }>;

fn boxed<const C: usize, const P: usize, const E: usize>(
    step: EngineStep<C, P, E>,
) -> Box<dyn Run> {
    step.check();
    Box::new(step)
}

fn pick<const C: usize, const P: usize, const E: usize>(
    steps: Vec<(&'static str, EngineStep<C, P, E>)>,
    name: &str,
) -> Option<Box<dyn Run>> {
    steps
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| boxed(s))
}

fn push_step(class: PayloadClass) -> Step4 {
    let mut d = Driver::<4, 8, { effects_needed(4, 8) }>::with_schema(class.schema());
    let event = d.push_event(class.bytes());
    d.snapshot(event)
}

/// Every scenario name, in table order.
pub const SCENARIOS: &[&str] = &[
    "empty",
    "push/apple-docs/engine",
    "push/apple-docs/serde-typed",
    "push/apple-docs/serde-value",
    "push/flutter/engine",
    "push/flutter/serde-typed",
    "push/flutter/serde-value",
    "push/limit/engine",
    "push/limit/serde-typed",
    "push/limit/serde-value",
    "incoming/1-push",
    "incoming/2-report-ok",
    "incoming/3-connected",
    "incoming/4-answer",
    "incoming/5-audio-on",
    "incoming/6-end",
    "outgoing/1-request-start",
    "outgoing/2-start-tx-ok",
    "outgoing/3-perform-start",
    "outgoing/4-audio-on",
    "outgoing/5-connecting",
    "outgoing/6-connected",
    "outgoing/7-request-end",
    "outgoing/8-end-tx-ok",
    "outgoing/9-perform-end",
    "action/answer/1",
    "action/answer/4",
    "action/answer/16",
    "action/end-oldest/1",
    "action/end-oldest/4",
    "action/end-oldest/16",
    "action/mute/1",
    "action/mute/4",
    "action/mute/16",
    "reset/full",
    // The "4 live calls" budget: every non-push event above again, with 3 answered
    // calls beside the one the event is about, plus a ring time-out and a remote end.
    "live4/incoming/2-report-ok",
    "live4/incoming/3-connected",
    "live4/incoming/4-answer",
    "live4/incoming/5-audio-on",
    "live4/incoming/6-end",
    "live4/outgoing/1-request-start",
    "live4/outgoing/2-start-tx-ok",
    "live4/outgoing/3-perform-start",
    "live4/outgoing/4-audio-on",
    "live4/outgoing/5-connecting",
    "live4/outgoing/6-connected",
    "live4/outgoing/7-request-end",
    "live4/outgoing/8-end-tx-ok",
    "live4/outgoing/9-perform-end",
    "live4/ring-timeout",
    "live4/remote-ended",
    "live4/push",
];

/// Builds the named scenario (all set-up done, checked once on a copy).
pub fn scenario(name: &str) -> Box<dyn Run> {
    try_scenario(name).unwrap_or_else(|| panic!("unknown scenario {name:?}"))
}

fn try_scenario(name: &str) -> Option<Box<dyn Run>> {
    const E4: usize = effects_needed(4, 8);
    const E1: usize = effects_needed(1, 8);
    const E16: usize = effects_needed(16, 8);
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        ["empty"] => Some(Box::new(Empty)),
        ["push", class, who] => {
            let class = match *class {
                "apple-docs" => PayloadClass::AppleDocs,
                "flutter" => PayloadClass::Flutter,
                "limit" => PayloadClass::Limit,
                _ => return None,
            };
            match *who {
                "engine" => Some(boxed(push_step(class))),
                "serde-value" => Some(Box::new(ValueParse {
                    bytes: class.bytes(),
                })),
                "serde-typed" => Some(Box::new(StdPush {
                    registry: StdRegistry::default(),
                    bytes: class.bytes(),
                    layout: class.layout(),
                })),
                _ => None,
            }
        }
        ["incoming", step] => pick(incoming_lifecycle::<4, 8, E4>(0), step),
        ["outgoing", step] => pick(outgoing_lifecycle::<4, 8, E4>(0), step),
        ["action", action, calls] => {
            let action = match *action {
                "answer" => Action::AnswerNewest,
                "end-oldest" => Action::EndOldest,
                "mute" => Action::MuteNewest,
                _ => return None,
            };
            match *calls {
                "1" => Some(boxed(action_step::<1, E1>(action))),
                "4" => Some(boxed(action_step::<4, E4>(action))),
                "16" => Some(boxed(action_step::<16, E16>(action))),
                _ => None,
            }
        }
        ["stack", "push-deepest"] => {
            let mut d = Driver::<4, 8, E4>::new();
            let event = d.push_event(deepest_payload());
            Some(boxed(d.snapshot(event)))
        }
        ["reset", "full"] => Some(boxed(full_reset_step::<4, E4>())),
        ["live4", "incoming", step] => pick(incoming_lifecycle::<4, 8, E4>(3), step),
        ["live4", "outgoing", step] => pick(outgoing_lifecycle::<4, 8, E4>(3), step),
        ["live4", "push"] => pick(incoming_lifecycle::<4, 8, E4>(3), "1-push"),
        ["live4", step] => pick(misc_steps::<4, 8, E4>(3), step),
        _ => None,
    }
}

/// The live calls just before the step, for the tests of the set-up.
pub fn live_calls_before(name: &str) -> Option<usize> {
    const E4: usize = effects_needed(4, 8);
    let parts: Vec<&str> = name.split('/').collect();
    let count = |steps: Vec<(&'static str, Step4)>, step: &str| {
        steps
            .into_iter()
            .find(|(n, _)| *n == step)
            .map(|(_, s)| s.engine.calls().count())
    };
    match parts.as_slice() {
        ["live4", "incoming", step] => count(incoming_lifecycle::<4, 8, E4>(3), step),
        ["live4", "outgoing", step] => count(outgoing_lifecycle::<4, 8, E4>(3), step),
        ["live4", step] => count(misc_steps::<4, 8, E4>(3), step),
        _ => None,
    }
}
