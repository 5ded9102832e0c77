//! The testkit's one event vocabulary: [`HostEvent`], an owned [`Event`], and
//! [`EventKind`], its kinds with their names and fuzz tags.
//!
//! [`HostEvent`] has one variant per [`Event`] variant, with the same fields (the order
//! of the variants is free: the fuzz input names them by tag), but owns
//! its data and names its ids, texts and results through a [`Symbols`] set: a trace
//! writes `"push:N"` for a call ([`crate::trace::Written`]), a fuzz script "the n-th
//! live call" ([`crate::fuzzing::Scripted`]), and [`Concrete`] holds the values
//! themselves. A driver turns names into values with a [`Resolve`]r
//! ([`HostEvent::resolve`], in field order, so a resolver that hands out fresh ids does
//! so in a fixed order) and feeds the resolved event as an [`Event`]
//! ([`HostEvent::as_event`]); `HostEvent::<Concrete>::from(&event)` is the lossless way
//! back (payloads, handles and digits of any length, over the engine's limits too).
//!
//! Every reader and writer of events in the testkit and the dev-tests goes through
//! this form: the trace reader builds a `HostEvent<Written>`, the fuzz scripts decode
//! a `HostEvent<Scripted>`, and the golden vectors and the replay rendering read the
//! `HostEvent<Concrete>` a run fed ([`crate::trace::TraceStep::fed`]).
//!
//! # Trace lines
//!
//! The fields of each event's trace line ([`crate::trace`] has the format and the
//! value syntax; optional fields marked *opt*), read by `HostEvent::<Written>`:
//!
//! | event | fields |
//! | --- | --- |
//! | `voip_push_received` | `push`, one of `payload_file` (path relative to the trace file), `payload` (inline JSON, serialised back to bytes, keys sorted), `payload_text` (the exact bytes as a string); *opt* `fallback_call`, `must_report` (absent: before iOS 26.4), `received_at_unix_ms` (absent: no wall clock) |
//! | `push_credentials_updated` | `token_hex` or `token` (text) |
//! | `incoming_call_reported` | `push` (a pushed call's report) or `call` (a call announced without a push), *opt* `result` |
//! | `incoming_call_announced` | `call`, *opt* `handle` (absent: unknown), `handle_type`, `caller_name`, `video` |
//! | `perform_start_call` | `action`, `call`, `handle`, *opt* `handle_type`, `video` |
//! | `perform_answer_call`, `perform_end_call` | `action`, `call` |
//! | `perform_set_held` | `action`, `call`, *opt* `on_hold` |
//! | `perform_set_muted` | `action`, `call`, *opt* `muted` |
//! | `perform_set_group` | `action`, `call`, *opt* `group_with` (absent or `null`: ungroup) |
//! | `perform_play_dtmf` | `action`, `call`, `digits`, *opt* `kind` |
//! | `perform_set_translating` | `action`, `call`, *opt* `translating` (default `true`), `local_language`, `remote_language` (BCP 47; default empty) |
//! | `timed_out_performing` | `action` |
//! | `request_start_call` | `call`, `handle`, *opt* `handle_type`, `video` |
//! | `request_end_call`, `request_answer_call` | `call` |
//! | `request_set_held` / `request_set_muted` | `call`, *opt* `on_hold` / `muted` |
//! | `request_play_dtmf` | `call`, `digits`, *opt* `kind` |
//! | `transaction_completed` | `transaction`, *opt* `result` |
//! | `outgoing_call_connecting`, `outgoing_call_connected`, `incoming_call_connected`, `remote_ended`, `answered_elsewhere`, `declined_elsewhere`, `connection_failed`, `outgoing_call_ringing` | `call` |
//! | `outgoing_call_refused` | `call`, `reason` (`"busy"`, `"declined"`, `"unavailable"` or 1-3) |
//! | `timer_fired` | `timer` (`"ring"`, `"answer_connect"`, `"audio_activation"`, `"start_connect"` or `"no_answer"` with `call`; `"push_completion"` with `push`) |
//! | `call_details_changed` | `call`, *opt* `caller_name`, `video` (absent: unchanged) |
//! | `push_credentials_invalidated`, `provider_did_begin`, `provider_did_reset`, `did_activate_audio_session`, `did_deactivate_audio_session`, `fire_due_timers`, `advance_firing` | none |
//!
//! # Golden vectors
//!
//! [`HostEvent::golden_json`] (and `Serialize` for `HostEvent<Concrete>`): `kind`
//! ([`EventKind::name`]) and the event's fields,
//! fully resolved: UUIDs as lower-case hyphenated text ([`uuid_json`]), bytes as
//! lower-case hex (`payload_hex`, `token_hex`), a handle as `{"type": <raw>, "value"}`,
//! a DTMF type as `type` (raw), a completion's result as `error` (`null` or the raw
//! value), a timer as [`timer_json`].
//!
//! # Words
//!
//! [`HostEvent::words`]: the event in the replay tool's words (`examples/replay.rs`),
//! with Apple's API names and short ids ([`short_call`], [`short_action`]).
//!
//! # Fuzz input
//!
//! A `HostEvent<S>` decodes from fuzz bytes ([`Arbitrary`]) as a four-byte tag slot,
//! whose first byte is an [`EventKind`]'s tag ([`EventKind::tag`], fixed per kind and
//! independent of the variant order), then the variant's fields in declaration order.
//! The other three bytes of the slot are ignored, except where a kind's fields read
//! them ([`HostEvent::VoipPushReceived`]: the second byte is `must_report`, 0 `None`, 1
//! `Some(true)`, 2 `Some(false)`, folded modulo 3; the third the wall clock, 0 none,
//! `n` [`FUZZ_SENT_AT_MS`] plus `n - 1` seconds; [`HostEvent::IncomingCallReported`]:
//! an odd second byte names the report by call, else by push), so that 0 keeps the
//! meaning the slot had before; a first byte that is no kind's tag
//! picks `EventKind::ALL[byte % EventKind::ALL.len()]`. A new kind takes the next free
//! tag, so every committed input (`fuzz/corpus/events`) keeps its meaning.

use std::fmt::{self, Debug};
use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use callkit_engine::{
    ActionId, CallId, DtmfType, Event, HandleType, IncomingCallError, IncomingReport, PushId,
    RefusalReason, ReportResult, RequestTransactionError, Timer, TransactionId, TransactionResult,
    Uuid,
};
use serde_json::{json, Map, Value};

use crate::trace::{
    apple_name, decode_hex, CallRef, Fields, TimerRef, TraceError, TracePayload, TransactionRef,
    Written,
};
use crate::{action_id, call_id, fallback_id};

/// How a [`HostEvent`] names each kind of value.
pub trait Symbols {
    /// The id of a push being delivered.
    type NewPush: Clone + Debug + PartialEq + Eq;
    /// A push's payload.
    type Payload: Clone + Debug + PartialEq + Eq;
    /// The fallback call UUID handed in with a push.
    type Fallback: Clone + Debug + PartialEq + Eq;
    /// A push named by a report result.
    type Push: Clone + Debug + PartialEq + Eq;
    /// A `reportNewIncomingCall` result.
    type Report: Clone + Debug + PartialEq + Eq;
    /// A `CXAction`'s UUID.
    type Action: Clone + Debug + PartialEq + Eq;
    /// A call UUID.
    type Call: Clone + Debug + PartialEq + Eq;
    /// A handle, DTMF digits or a caller name.
    type Text: Clone + Debug + PartialEq + Eq;
    /// A `CXHandle.HandleType`.
    type HandleType: Clone + Debug + PartialEq + Eq;
    /// A `CXPlayDTMFCallAction.ActionType`.
    type Dtmf: Clone + Debug + PartialEq + Eq;
    /// A `CXCallController` transaction.
    type Transaction: Clone + Debug + PartialEq + Eq;
    /// A transaction's result.
    type TxResult: Clone + Debug + PartialEq + Eq;
    /// A timer.
    type Timer: Clone + Debug + PartialEq + Eq;
}

/// [`Symbols`] whose every kind of value is `Arbitrary` (the fuzz scripts' set).
pub trait ArbitrarySymbols<'a>:
    Symbols<
    NewPush: Arbitrary<'a>,
    Payload: Arbitrary<'a>,
    Fallback: Arbitrary<'a>,
    Push: Arbitrary<'a>,
    Report: Arbitrary<'a>,
    Action: Arbitrary<'a>,
    Call: Arbitrary<'a>,
    Text: Arbitrary<'a>,
    HandleType: Arbitrary<'a>,
    Dtmf: Arbitrary<'a>,
    Transaction: Arbitrary<'a>,
    TxResult: Arbitrary<'a>,
    Timer: Arbitrary<'a>,
>
{
}

/// The resolved values: what [`Event`] carries, owned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Concrete;

impl Symbols for Concrete {
    type NewPush = PushId;
    type Payload = Vec<u8>;
    type Fallback = CallId;
    type Push = PushId;
    type Report = ReportResult;
    type Action = ActionId;
    type Call = CallId;
    type Text = String;
    type HandleType = HandleType;
    type Dtmf = DtmfType;
    type Transaction = TransactionId;
    type TxResult = TransactionResult;
    type Timer = Timer;
}

/// Turns the values an `S` event names into [`Concrete`] ones (for a driver: against
/// the run so far), one method per kind of value.
pub trait Resolve<S: Symbols> {
    /// Why a name cannot be resolved.
    type Error;
    /// A pushed event's push id (resolved first).
    fn new_push(&mut self, push: &S::NewPush) -> Result<PushId, Self::Error>;
    /// Its fallback call (resolved after [`Resolve::new_push`], before
    /// [`Resolve::payload`]).
    fn fallback(&mut self, push: PushId, fallback: &S::Fallback) -> Result<CallId, Self::Error>;
    /// Its payload bytes.
    fn payload(&mut self, payload: &S::Payload) -> Result<Vec<u8>, Self::Error>;
    /// A push named by a report result.
    fn push(&mut self, push: &S::Push) -> Result<PushId, Self::Error>;
    /// A `reportNewIncomingCall` result.
    fn report(&mut self, result: &S::Report) -> Result<ReportResult, Self::Error>;
    /// An action.
    fn action(&mut self, action: &S::Action) -> Result<ActionId, Self::Error>;
    /// A call.
    fn call(&mut self, call: &S::Call) -> Result<CallId, Self::Error>;
    /// A text.
    fn text(&mut self, text: &S::Text) -> Result<String, Self::Error>;
    /// A handle type.
    fn handle_type(&mut self, t: &S::HandleType) -> Result<HandleType, Self::Error>;
    /// A DTMF type.
    fn dtmf(&mut self, kind: &S::Dtmf) -> Result<DtmfType, Self::Error>;
    /// A transaction.
    fn transaction(&mut self, tx: &S::Transaction) -> Result<TransactionId, Self::Error>;
    /// A transaction's result.
    fn tx_result(&mut self, result: &S::TxResult) -> Result<TransactionResult, Self::Error>;
    /// A timer.
    fn timer(&mut self, timer: &S::Timer) -> Result<Timer, Self::Error>;
}

/// Which report a completion names ([`IncomingReport`]), its push or call named
/// through a [`Symbols`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportRef<P, C> {
    /// [`IncomingReport::Push`].
    Push(P),
    /// [`IncomingReport::Call`].
    Call(C),
}

/// The sent time, in milliseconds since the Unix epoch, that the fuzz scripts' payloads
/// carry under a schema with a sent-time key; a fuzzed push's wall clock is this time
/// plus 0 to 254 seconds.
pub const FUZZ_SENT_AT_MS: u64 = 1_800_000_000_000;

/// One [`Event`], owned, its values named through `S`: one variant per [`Event`]
/// variant, with its fields in the same order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // The variants and fields are [`Event`]'s.
pub enum HostEvent<S: Symbols> {
    /// [`Event::VoipPushReceived`].
    VoipPushReceived {
        push: S::NewPush,
        payload: S::Payload,
        fallback_call: S::Fallback,
        must_report: Option<bool>,
        received_at_unix_ms: Option<u64>,
    },
    /// [`Event::PushCredentialsUpdated`].
    PushCredentialsUpdated { token: Vec<u8> },
    /// [`Event::PushCredentialsInvalidated`].
    PushCredentialsInvalidated,
    /// [`Event::IncomingCallReported`].
    IncomingCallReported {
        report: ReportRef<S::Push, S::Call>,
        result: S::Report,
    },
    /// [`Event::ProviderDidBegin`].
    ProviderDidBegin,
    /// [`Event::ProviderDidReset`].
    ProviderDidReset,
    /// [`Event::PerformStartCall`].
    PerformStartCall {
        action: S::Action,
        call: S::Call,
        handle: S::Text,
        handle_type: S::HandleType,
        video: bool,
    },
    /// [`Event::PerformAnswerCall`].
    PerformAnswerCall { action: S::Action, call: S::Call },
    /// [`Event::PerformEndCall`].
    PerformEndCall { action: S::Action, call: S::Call },
    /// [`Event::PerformSetHeld`].
    PerformSetHeld {
        action: S::Action,
        call: S::Call,
        on_hold: bool,
    },
    /// [`Event::PerformSetMuted`].
    PerformSetMuted {
        action: S::Action,
        call: S::Call,
        muted: bool,
    },
    /// [`Event::PerformSetGroup`].
    PerformSetGroup {
        action: S::Action,
        call: S::Call,
        group_with: Option<S::Call>,
    },
    /// [`Event::PerformPlayDtmf`].
    PerformPlayDtmf {
        action: S::Action,
        call: S::Call,
        digits: S::Text,
        kind: S::Dtmf,
    },
    /// [`Event::PerformSetTranslating`].
    PerformSetTranslating {
        action: S::Action,
        call: S::Call,
        translating: bool,
        local_language: S::Text,
        remote_language: S::Text,
    },
    /// [`Event::TimedOutPerforming`].
    TimedOutPerforming { action: S::Action },
    /// [`Event::DidActivateAudioSession`].
    DidActivateAudioSession,
    /// [`Event::DidDeactivateAudioSession`].
    DidDeactivateAudioSession,
    /// [`Event::RequestStartCall`].
    RequestStartCall {
        call: S::Call,
        handle: S::Text,
        handle_type: S::HandleType,
        video: bool,
    },
    /// [`Event::RequestEndCall`].
    RequestEndCall { call: S::Call },
    /// [`Event::RequestAnswerCall`].
    RequestAnswerCall { call: S::Call },
    /// [`Event::RequestSetHeld`].
    RequestSetHeld { call: S::Call, on_hold: bool },
    /// [`Event::RequestSetMuted`].
    RequestSetMuted { call: S::Call, muted: bool },
    /// [`Event::RequestPlayDtmf`].
    RequestPlayDtmf {
        call: S::Call,
        digits: S::Text,
        kind: S::Dtmf,
    },
    /// [`Event::TransactionCompleted`].
    TransactionCompleted {
        transaction: S::Transaction,
        result: S::TxResult,
    },
    /// [`Event::OutgoingCallConnecting`].
    OutgoingCallConnecting { call: S::Call },
    /// [`Event::OutgoingCallConnected`].
    OutgoingCallConnected { call: S::Call },
    /// [`Event::OutgoingCallRefused`].
    OutgoingCallRefused {
        call: S::Call,
        reason: RefusalReason,
    },
    /// [`Event::IncomingCallConnected`].
    IncomingCallConnected { call: S::Call },
    /// [`Event::RemoteEnded`].
    RemoteEnded { call: S::Call },
    /// [`Event::AnsweredElsewhere`].
    AnsweredElsewhere { call: S::Call },
    /// [`Event::DeclinedElsewhere`].
    DeclinedElsewhere { call: S::Call },
    /// [`Event::ConnectionFailed`].
    ConnectionFailed { call: S::Call },
    /// [`Event::TimerFired`].
    TimerFired { timer: S::Timer },
    /// [`Event::CallDetailsChanged`].
    CallDetailsChanged {
        call: S::Call,
        caller_name: Option<S::Text>,
        has_video: Option<bool>,
    },
    /// [`Event::OutgoingCallRinging`].
    OutgoingCallRinging { call: S::Call },
    /// [`Event::IncomingCallAnnounced`].
    IncomingCallAnnounced {
        call: S::Call,
        handle: S::Text,
        handle_type: S::HandleType,
        caller_name: Option<S::Text>,
        video: bool,
    },
}

/// The kind of a [`HostEvent`] (and of an [`Event`]): its name and its fuzz tag.
///
/// The discriminant is the kind's fuzz tag ([`EventKind::tag`]): fixed once given, never
/// reused, independent of the order of the variants; a new kind takes the next free
/// number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
#[allow(missing_docs)] // The variants are [`Event`]'s.
pub enum EventKind {
    VoipPushReceived = 0,
    PushCredentialsUpdated = 1,
    PushCredentialsInvalidated = 2,
    IncomingCallReported = 3,
    ProviderDidBegin = 4,
    ProviderDidReset = 5,
    PerformStartCall = 6,
    PerformAnswerCall = 7,
    PerformEndCall = 8,
    PerformSetHeld = 9,
    PerformSetMuted = 10,
    PerformSetGroup = 11,
    PerformPlayDtmf = 12,
    TimedOutPerforming = 13,
    DidActivateAudioSession = 14,
    DidDeactivateAudioSession = 15,
    RequestStartCall = 16,
    RequestEndCall = 17,
    RequestSetHeld = 18,
    RequestSetMuted = 19,
    RequestPlayDtmf = 20,
    TransactionCompleted = 21,
    OutgoingCallConnecting = 22,
    OutgoingCallConnected = 23,
    IncomingCallConnected = 24,
    RemoteEnded = 25,
    AnsweredElsewhere = 26,
    DeclinedElsewhere = 27,
    ConnectionFailed = 28,
    TimerFired = 29,
    CallDetailsChanged = 30,
    OutgoingCallRinging = 31,
    IncomingCallAnnounced = 32,
    OutgoingCallRefused = 33,
    PerformSetTranslating = 34,
    RequestAnswerCall = 35,
}

impl EventKind {
    /// Every kind, in tag order.
    pub const ALL: [EventKind; 36] = [
        EventKind::VoipPushReceived,
        EventKind::PushCredentialsUpdated,
        EventKind::PushCredentialsInvalidated,
        EventKind::IncomingCallReported,
        EventKind::ProviderDidBegin,
        EventKind::ProviderDidReset,
        EventKind::PerformStartCall,
        EventKind::PerformAnswerCall,
        EventKind::PerformEndCall,
        EventKind::PerformSetHeld,
        EventKind::PerformSetMuted,
        EventKind::PerformSetGroup,
        EventKind::PerformPlayDtmf,
        EventKind::TimedOutPerforming,
        EventKind::DidActivateAudioSession,
        EventKind::DidDeactivateAudioSession,
        EventKind::RequestStartCall,
        EventKind::RequestEndCall,
        EventKind::RequestSetHeld,
        EventKind::RequestSetMuted,
        EventKind::RequestPlayDtmf,
        EventKind::TransactionCompleted,
        EventKind::OutgoingCallConnecting,
        EventKind::OutgoingCallConnected,
        EventKind::IncomingCallConnected,
        EventKind::RemoteEnded,
        EventKind::AnsweredElsewhere,
        EventKind::DeclinedElsewhere,
        EventKind::ConnectionFailed,
        EventKind::TimerFired,
        EventKind::CallDetailsChanged,
        EventKind::OutgoingCallRinging,
        EventKind::IncomingCallAnnounced,
        EventKind::OutgoingCallRefused,
        EventKind::PerformSetTranslating,
        EventKind::RequestAnswerCall,
    ];

    /// The kind's fuzz tag (its discriminant).
    pub const fn tag(self) -> u8 {
        self as u8
    }

    /// The kind whose tag is `tag`; a byte that is no kind's tag picks
    /// `ALL[tag % ALL.len()]`.
    pub fn from_tag(tag: u8) -> EventKind {
        EventKind::ALL
            .into_iter()
            .find(|k| k.tag() == tag)
            .unwrap_or(EventKind::ALL[usize::from(tag) % EventKind::ALL.len()])
    }

    /// The kind's name, as [`Event::name`] spells it (the variant's name in
    /// snake_case): the `event` of a trace line, the `kind` of a golden vector's event.
    pub fn name(self) -> String {
        crate::trace::snake_case(&format!("{self:?}"), '_')
    }

    /// The kind called `name` ([`EventKind::name`]).
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// This kind's line in a trace that feeds every kind once, in tag order
    /// ([`EventKind::ALL`]), each line accepted or refused (`expect_refused`) as that
    /// run has it: `tests/traces.rs` runs it and checks that each line makes one step
    /// named after its kind.
    pub fn one_of_each_line(self) -> &'static str {
        use EventKind as K;
        match self {
            K::VoipPushReceived => {
                r#"{"event": "voip_push_received", "push": 1, "payload": {"uuid": "0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20"}}"#
            }
            K::PushCredentialsUpdated => {
                r#"{"event": "push_credentials_updated", "token_hex": "00ff10"}"#
            }
            K::PushCredentialsInvalidated => r#"{"event": "push_credentials_invalidated"}"#,
            K::IncomingCallReported => {
                r#"{"event": "incoming_call_reported", "push": 1, "result": "ok"}"#
            }
            K::ProviderDidBegin => r#"{"event": "provider_did_begin"}"#,
            K::ProviderDidReset => r#"{"event": "provider_did_reset"}"#,
            K::PerformStartCall => {
                r#"{"event": "perform_start_call", "action": 1, "call": 2, "handle": "+15551234567"}"#
            }
            K::PerformAnswerCall => r#"{"event": "perform_answer_call", "action": 2, "call": 2}"#,
            K::PerformEndCall => r#"{"event": "perform_end_call", "action": 3, "call": 2}"#,
            K::PerformSetHeld => {
                r#"{"event": "perform_set_held", "action": 4, "call": 2, "on_hold": true}"#
            }
            K::PerformSetMuted => {
                r#"{"event": "perform_set_muted", "action": 5, "call": 2, "muted": false}"#
            }
            K::PerformSetGroup => {
                r#"{"event": "perform_set_group", "action": 6, "call": 2, "group_with": 3}"#
            }
            K::PerformPlayDtmf => {
                r#"{"event": "perform_play_dtmf", "action": 7, "call": 2, "digits": "1", "kind": "hardPause"}"#
            }
            K::PerformSetTranslating => {
                r#"{"event": "perform_set_translating", "action": 9, "call": 2, "local_language": "en", "remote_language": "fr"}"#
            }
            K::TimedOutPerforming => r#"{"event": "timed_out_performing", "action": 8}"#,
            K::DidActivateAudioSession => r#"{"event": "did_activate_audio_session"}"#,
            K::DidDeactivateAudioSession => r#"{"event": "did_deactivate_audio_session"}"#,
            K::RequestStartCall => {
                r#"{"event": "request_start_call", "call": 4, "handle": "alice@example.org"}"#
            }
            K::RequestEndCall => r#"{"event": "request_end_call", "call": 4}"#,
            K::RequestAnswerCall => {
                r#"{"event": "request_answer_call", "call": 5, "expect_refused": true}"#
            }
            K::RequestSetHeld => {
                r#"{"event": "request_set_held", "call": 4, "on_hold": false, "expect_refused": true}"#
            }
            K::RequestSetMuted => {
                r#"{"event": "request_set_muted", "call": 4, "expect_refused": true}"#
            }
            K::RequestPlayDtmf => {
                r#"{"event": "request_play_dtmf", "call": 4, "digits": "9", "expect_refused": true}"#
            }
            K::TransactionCompleted => {
                r#"{"event": "transaction_completed", "transaction": "last", "result": "unknownCallUUID"}"#
            }
            K::OutgoingCallConnecting => {
                r#"{"event": "outgoing_call_connecting", "call": 5, "expect_refused": true}"#
            }
            K::OutgoingCallConnected => {
                r#"{"event": "outgoing_call_connected", "call": 5, "expect_refused": true}"#
            }
            K::IncomingCallConnected => {
                r#"{"event": "incoming_call_connected", "call": 5, "expect_refused": true}"#
            }
            // Call 6 is unknown: its remote end is remembered for its push (and the
            // events after it for call 5 stay refused).
            K::RemoteEnded => r#"{"event": "remote_ended", "call": 6}"#,
            K::AnsweredElsewhere => r#"{"event": "answered_elsewhere", "call": 6}"#,
            K::DeclinedElsewhere => r#"{"event": "declined_elsewhere", "call": 6}"#,
            K::ConnectionFailed => {
                r#"{"event": "connection_failed", "call": 5, "expect_refused": true}"#
            }
            K::TimerFired => {
                r#"{"event": "timer_fired", "timer": "ring", "call": 5, "expect_refused": true}"#
            }
            K::CallDetailsChanged => {
                r#"{"event": "call_details_changed", "call": 5, "caller_name": "Ann", "expect_refused": true}"#
            }
            K::OutgoingCallRinging => {
                r#"{"event": "outgoing_call_ringing", "call": 5, "expect_refused": true}"#
            }
            K::IncomingCallAnnounced => {
                r#"{"event": "incoming_call_announced", "call": 6, "handle": "+15557654321", "caller_name": "Bea", "video": true}"#
            }
            K::OutgoingCallRefused => {
                r#"{"event": "outgoing_call_refused", "call": 5, "reason": "busy", "expect_refused": true}"#
            }
        }
    }
}

impl<S: Symbols> HostEvent<S> {
    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        match self {
            HostEvent::VoipPushReceived { .. } => EventKind::VoipPushReceived,
            HostEvent::PushCredentialsUpdated { .. } => EventKind::PushCredentialsUpdated,
            HostEvent::PushCredentialsInvalidated => EventKind::PushCredentialsInvalidated,
            HostEvent::IncomingCallReported { .. } => EventKind::IncomingCallReported,
            HostEvent::ProviderDidBegin => EventKind::ProviderDidBegin,
            HostEvent::ProviderDidReset => EventKind::ProviderDidReset,
            HostEvent::PerformStartCall { .. } => EventKind::PerformStartCall,
            HostEvent::PerformAnswerCall { .. } => EventKind::PerformAnswerCall,
            HostEvent::PerformEndCall { .. } => EventKind::PerformEndCall,
            HostEvent::PerformSetHeld { .. } => EventKind::PerformSetHeld,
            HostEvent::PerformSetMuted { .. } => EventKind::PerformSetMuted,
            HostEvent::PerformSetGroup { .. } => EventKind::PerformSetGroup,
            HostEvent::PerformPlayDtmf { .. } => EventKind::PerformPlayDtmf,
            HostEvent::PerformSetTranslating { .. } => EventKind::PerformSetTranslating,
            HostEvent::RequestAnswerCall { .. } => EventKind::RequestAnswerCall,
            HostEvent::TimedOutPerforming { .. } => EventKind::TimedOutPerforming,
            HostEvent::DidActivateAudioSession => EventKind::DidActivateAudioSession,
            HostEvent::DidDeactivateAudioSession => EventKind::DidDeactivateAudioSession,
            HostEvent::RequestStartCall { .. } => EventKind::RequestStartCall,
            HostEvent::RequestEndCall { .. } => EventKind::RequestEndCall,
            HostEvent::RequestSetHeld { .. } => EventKind::RequestSetHeld,
            HostEvent::RequestSetMuted { .. } => EventKind::RequestSetMuted,
            HostEvent::RequestPlayDtmf { .. } => EventKind::RequestPlayDtmf,
            HostEvent::TransactionCompleted { .. } => EventKind::TransactionCompleted,
            HostEvent::OutgoingCallConnecting { .. } => EventKind::OutgoingCallConnecting,
            HostEvent::OutgoingCallConnected { .. } => EventKind::OutgoingCallConnected,
            HostEvent::OutgoingCallRefused { .. } => EventKind::OutgoingCallRefused,
            HostEvent::IncomingCallConnected { .. } => EventKind::IncomingCallConnected,
            HostEvent::RemoteEnded { .. } => EventKind::RemoteEnded,
            HostEvent::AnsweredElsewhere { .. } => EventKind::AnsweredElsewhere,
            HostEvent::DeclinedElsewhere { .. } => EventKind::DeclinedElsewhere,
            HostEvent::ConnectionFailed { .. } => EventKind::ConnectionFailed,
            HostEvent::TimerFired { .. } => EventKind::TimerFired,
            HostEvent::CallDetailsChanged { .. } => EventKind::CallDetailsChanged,
            HostEvent::OutgoingCallRinging { .. } => EventKind::OutgoingCallRinging,
            HostEvent::IncomingCallAnnounced { .. } => EventKind::IncomingCallAnnounced,
        }
    }

    /// The event with every value resolved by `r`, one field at a time in field order
    /// (a push's id first, then its fallback call, then its payload).
    pub fn resolve<R: Resolve<S>>(&self, r: &mut R) -> Result<HostEvent<Concrete>, R::Error> {
        use HostEvent as H;
        Ok(match self {
            H::VoipPushReceived {
                push,
                payload,
                fallback_call,
                must_report,
                received_at_unix_ms,
            } => {
                let push = r.new_push(push)?;
                let fallback_call = r.fallback(push, fallback_call)?;
                H::VoipPushReceived {
                    push,
                    fallback_call,
                    payload: r.payload(payload)?,
                    must_report: *must_report,
                    received_at_unix_ms: *received_at_unix_ms,
                }
            }
            H::PushCredentialsUpdated { token } => H::PushCredentialsUpdated {
                token: token.clone(),
            },
            H::PushCredentialsInvalidated => H::PushCredentialsInvalidated,
            H::IncomingCallReported { report, result } => H::IncomingCallReported {
                report: match report {
                    ReportRef::Push(push) => ReportRef::Push(r.push(push)?),
                    ReportRef::Call(call) => ReportRef::Call(r.call(call)?),
                },
                result: r.report(result)?,
            },
            H::ProviderDidBegin => H::ProviderDidBegin,
            H::ProviderDidReset => H::ProviderDidReset,
            H::PerformStartCall {
                action,
                call,
                handle,
                handle_type,
                video,
            } => H::PerformStartCall {
                action: r.action(action)?,
                call: r.call(call)?,
                handle: r.text(handle)?,
                handle_type: r.handle_type(handle_type)?,
                video: *video,
            },
            H::PerformAnswerCall { action, call } => H::PerformAnswerCall {
                action: r.action(action)?,
                call: r.call(call)?,
            },
            H::PerformEndCall { action, call } => H::PerformEndCall {
                action: r.action(action)?,
                call: r.call(call)?,
            },
            H::PerformSetHeld {
                action,
                call,
                on_hold,
            } => H::PerformSetHeld {
                action: r.action(action)?,
                call: r.call(call)?,
                on_hold: *on_hold,
            },
            H::PerformSetMuted {
                action,
                call,
                muted,
            } => H::PerformSetMuted {
                action: r.action(action)?,
                call: r.call(call)?,
                muted: *muted,
            },
            H::PerformSetGroup {
                action,
                call,
                group_with,
            } => H::PerformSetGroup {
                action: r.action(action)?,
                call: r.call(call)?,
                group_with: group_with.as_ref().map(|c| r.call(c)).transpose()?,
            },
            H::PerformPlayDtmf {
                action,
                call,
                digits,
                kind,
            } => H::PerformPlayDtmf {
                action: r.action(action)?,
                call: r.call(call)?,
                digits: r.text(digits)?,
                kind: r.dtmf(kind)?,
            },
            H::PerformSetTranslating {
                action,
                call,
                translating,
                local_language,
                remote_language,
            } => H::PerformSetTranslating {
                action: r.action(action)?,
                call: r.call(call)?,
                translating: *translating,
                local_language: r.text(local_language)?,
                remote_language: r.text(remote_language)?,
            },
            H::TimedOutPerforming { action } => H::TimedOutPerforming {
                action: r.action(action)?,
            },
            H::DidActivateAudioSession => H::DidActivateAudioSession,
            H::DidDeactivateAudioSession => H::DidDeactivateAudioSession,
            H::RequestStartCall {
                call,
                handle,
                handle_type,
                video,
            } => H::RequestStartCall {
                call: r.call(call)?,
                handle: r.text(handle)?,
                handle_type: r.handle_type(handle_type)?,
                video: *video,
            },
            H::RequestEndCall { call } => H::RequestEndCall {
                call: r.call(call)?,
            },
            H::RequestAnswerCall { call } => H::RequestAnswerCall {
                call: r.call(call)?,
            },
            H::RequestSetHeld { call, on_hold } => H::RequestSetHeld {
                call: r.call(call)?,
                on_hold: *on_hold,
            },
            H::RequestSetMuted { call, muted } => H::RequestSetMuted {
                call: r.call(call)?,
                muted: *muted,
            },
            H::RequestPlayDtmf { call, digits, kind } => H::RequestPlayDtmf {
                call: r.call(call)?,
                digits: r.text(digits)?,
                kind: r.dtmf(kind)?,
            },
            H::TransactionCompleted {
                transaction,
                result,
            } => H::TransactionCompleted {
                transaction: r.transaction(transaction)?,
                result: r.tx_result(result)?,
            },
            H::OutgoingCallConnecting { call } => H::OutgoingCallConnecting {
                call: r.call(call)?,
            },
            H::OutgoingCallConnected { call } => H::OutgoingCallConnected {
                call: r.call(call)?,
            },
            H::OutgoingCallRefused { call, reason } => H::OutgoingCallRefused {
                call: r.call(call)?,
                reason: *reason,
            },
            H::IncomingCallConnected { call } => H::IncomingCallConnected {
                call: r.call(call)?,
            },
            H::RemoteEnded { call } => H::RemoteEnded {
                call: r.call(call)?,
            },
            H::AnsweredElsewhere { call } => H::AnsweredElsewhere {
                call: r.call(call)?,
            },
            H::DeclinedElsewhere { call } => H::DeclinedElsewhere {
                call: r.call(call)?,
            },
            H::ConnectionFailed { call } => H::ConnectionFailed {
                call: r.call(call)?,
            },
            H::TimerFired { timer } => H::TimerFired {
                timer: r.timer(timer)?,
            },
            H::CallDetailsChanged {
                call,
                caller_name,
                has_video,
            } => H::CallDetailsChanged {
                call: r.call(call)?,
                caller_name: caller_name.as_ref().map(|t| r.text(t)).transpose()?,
                has_video: *has_video,
            },
            H::OutgoingCallRinging { call } => H::OutgoingCallRinging {
                call: r.call(call)?,
            },
            H::IncomingCallAnnounced {
                call,
                handle,
                handle_type,
                caller_name,
                video,
            } => H::IncomingCallAnnounced {
                call: r.call(call)?,
                handle: r.text(handle)?,
                handle_type: r.handle_type(handle_type)?,
                caller_name: caller_name.as_ref().map(|t| r.text(t)).transpose()?,
                video: *video,
            },
        })
    }
}

impl HostEvent<Concrete> {
    /// The event as the engine takes it, borrowing the owned data.
    pub fn as_event(&self) -> Event<'_> {
        use HostEvent as H;
        match self {
            H::VoipPushReceived {
                push,
                payload,
                fallback_call,
                must_report,
                received_at_unix_ms,
            } => Event::VoipPushReceived {
                push: *push,
                payload,
                fallback_call: *fallback_call,
                must_report: *must_report,
                received_at_unix_ms: *received_at_unix_ms,
            },
            H::PushCredentialsUpdated { token } => Event::PushCredentialsUpdated { token },
            H::PushCredentialsInvalidated => Event::PushCredentialsInvalidated,
            H::IncomingCallReported { report, result } => Event::IncomingCallReported {
                report: match *report {
                    ReportRef::Push(push) => IncomingReport::Push(push),
                    ReportRef::Call(call) => IncomingReport::Call(call),
                },
                result: *result,
            },
            H::ProviderDidBegin => Event::ProviderDidBegin,
            H::ProviderDidReset => Event::ProviderDidReset,
            H::PerformStartCall {
                action,
                call,
                handle,
                handle_type,
                video,
            } => Event::PerformStartCall {
                action: *action,
                call: *call,
                handle,
                handle_type: *handle_type,
                video: *video,
            },
            H::PerformAnswerCall { action, call } => Event::PerformAnswerCall {
                action: *action,
                call: *call,
            },
            H::PerformEndCall { action, call } => Event::PerformEndCall {
                action: *action,
                call: *call,
            },
            H::PerformSetHeld {
                action,
                call,
                on_hold,
            } => Event::PerformSetHeld {
                action: *action,
                call: *call,
                on_hold: *on_hold,
            },
            H::PerformSetMuted {
                action,
                call,
                muted,
            } => Event::PerformSetMuted {
                action: *action,
                call: *call,
                muted: *muted,
            },
            H::PerformSetGroup {
                action,
                call,
                group_with,
            } => Event::PerformSetGroup {
                action: *action,
                call: *call,
                group_with: *group_with,
            },
            H::PerformPlayDtmf {
                action,
                call,
                digits,
                kind,
            } => Event::PerformPlayDtmf {
                action: *action,
                call: *call,
                digits,
                kind: *kind,
            },
            H::PerformSetTranslating {
                action,
                call,
                translating,
                local_language,
                remote_language,
            } => Event::PerformSetTranslating {
                action: *action,
                call: *call,
                translating: *translating,
                local_language,
                remote_language,
            },
            H::TimedOutPerforming { action } => Event::TimedOutPerforming { action: *action },
            H::DidActivateAudioSession => Event::DidActivateAudioSession,
            H::DidDeactivateAudioSession => Event::DidDeactivateAudioSession,
            H::RequestStartCall {
                call,
                handle,
                handle_type,
                video,
            } => Event::RequestStartCall {
                call: *call,
                handle,
                handle_type: *handle_type,
                video: *video,
            },
            H::RequestEndCall { call } => Event::RequestEndCall { call: *call },
            H::RequestAnswerCall { call } => Event::RequestAnswerCall { call: *call },
            H::RequestSetHeld { call, on_hold } => Event::RequestSetHeld {
                call: *call,
                on_hold: *on_hold,
            },
            H::RequestSetMuted { call, muted } => Event::RequestSetMuted {
                call: *call,
                muted: *muted,
            },
            H::RequestPlayDtmf { call, digits, kind } => Event::RequestPlayDtmf {
                call: *call,
                digits,
                kind: *kind,
            },
            H::TransactionCompleted {
                transaction,
                result,
            } => Event::TransactionCompleted {
                transaction: *transaction,
                result: *result,
            },
            H::OutgoingCallConnecting { call } => Event::OutgoingCallConnecting { call: *call },
            H::OutgoingCallConnected { call } => Event::OutgoingCallConnected { call: *call },
            H::OutgoingCallRefused { call, reason } => Event::OutgoingCallRefused {
                call: *call,
                reason: *reason,
            },
            H::IncomingCallConnected { call } => Event::IncomingCallConnected { call: *call },
            H::RemoteEnded { call } => Event::RemoteEnded { call: *call },
            H::AnsweredElsewhere { call } => Event::AnsweredElsewhere { call: *call },
            H::DeclinedElsewhere { call } => Event::DeclinedElsewhere { call: *call },
            H::ConnectionFailed { call } => Event::ConnectionFailed { call: *call },
            H::TimerFired { timer } => Event::TimerFired { timer: *timer },
            H::CallDetailsChanged {
                call,
                caller_name,
                has_video,
            } => Event::CallDetailsChanged {
                call: *call,
                caller_name: caller_name.as_deref(),
                has_video: *has_video,
            },
            H::OutgoingCallRinging { call } => Event::OutgoingCallRinging { call: *call },
            H::IncomingCallAnnounced {
                call,
                handle,
                handle_type,
                caller_name,
                video,
            } => Event::IncomingCallAnnounced {
                call: *call,
                handle,
                handle_type: *handle_type,
                caller_name: caller_name.as_deref(),
                video: *video,
            },
        }
    }
}

impl From<&Event<'_>> for HostEvent<Concrete> {
    /// The event, owned: every byte and character kept, whatever its length.
    fn from(event: &Event<'_>) -> Self {
        use HostEvent as H;
        match *event {
            Event::VoipPushReceived {
                push,
                payload,
                fallback_call,
                must_report,
                received_at_unix_ms,
            } => H::VoipPushReceived {
                push,
                payload: payload.to_vec(),
                fallback_call,
                must_report,
                received_at_unix_ms,
            },
            Event::PushCredentialsUpdated { token } => H::PushCredentialsUpdated {
                token: token.to_vec(),
            },
            Event::PushCredentialsInvalidated => H::PushCredentialsInvalidated,
            Event::IncomingCallReported { report, result } => H::IncomingCallReported {
                report: match report {
                    IncomingReport::Push(push) => ReportRef::Push(push),
                    IncomingReport::Call(call) => ReportRef::Call(call),
                },
                result,
            },
            Event::ProviderDidBegin => H::ProviderDidBegin,
            Event::ProviderDidReset => H::ProviderDidReset,
            Event::PerformStartCall {
                action,
                call,
                handle,
                handle_type,
                video,
            } => H::PerformStartCall {
                action,
                call,
                handle: handle.to_string(),
                handle_type,
                video,
            },
            Event::PerformAnswerCall { action, call } => H::PerformAnswerCall { action, call },
            Event::PerformEndCall { action, call } => H::PerformEndCall { action, call },
            Event::PerformSetHeld {
                action,
                call,
                on_hold,
            } => H::PerformSetHeld {
                action,
                call,
                on_hold,
            },
            Event::PerformSetMuted {
                action,
                call,
                muted,
            } => H::PerformSetMuted {
                action,
                call,
                muted,
            },
            Event::PerformSetGroup {
                action,
                call,
                group_with,
            } => H::PerformSetGroup {
                action,
                call,
                group_with,
            },
            Event::PerformPlayDtmf {
                action,
                call,
                digits,
                kind,
            } => H::PerformPlayDtmf {
                action,
                call,
                digits: digits.to_string(),
                kind,
            },
            Event::PerformSetTranslating {
                action,
                call,
                translating,
                local_language,
                remote_language,
            } => H::PerformSetTranslating {
                action,
                call,
                translating,
                local_language: local_language.to_string(),
                remote_language: remote_language.to_string(),
            },
            Event::TimedOutPerforming { action } => H::TimedOutPerforming { action },
            Event::DidActivateAudioSession => H::DidActivateAudioSession,
            Event::DidDeactivateAudioSession => H::DidDeactivateAudioSession,
            Event::RequestStartCall {
                call,
                handle,
                handle_type,
                video,
            } => H::RequestStartCall {
                call,
                handle: handle.to_string(),
                handle_type,
                video,
            },
            Event::RequestEndCall { call } => H::RequestEndCall { call },
            Event::RequestAnswerCall { call } => H::RequestAnswerCall { call },
            Event::RequestSetHeld { call, on_hold } => H::RequestSetHeld { call, on_hold },
            Event::RequestSetMuted { call, muted } => H::RequestSetMuted { call, muted },
            Event::RequestPlayDtmf { call, digits, kind } => H::RequestPlayDtmf {
                call,
                digits: digits.to_string(),
                kind,
            },
            Event::TransactionCompleted {
                transaction,
                result,
            } => H::TransactionCompleted {
                transaction,
                result,
            },
            Event::OutgoingCallConnecting { call } => H::OutgoingCallConnecting { call },
            Event::OutgoingCallConnected { call } => H::OutgoingCallConnected { call },
            Event::OutgoingCallRefused { call, reason } => H::OutgoingCallRefused { call, reason },
            Event::IncomingCallConnected { call } => H::IncomingCallConnected { call },
            Event::RemoteEnded { call } => H::RemoteEnded { call },
            Event::AnsweredElsewhere { call } => H::AnsweredElsewhere { call },
            Event::DeclinedElsewhere { call } => H::DeclinedElsewhere { call },
            Event::ConnectionFailed { call } => H::ConnectionFailed { call },
            Event::TimerFired { timer } => H::TimerFired { timer },
            Event::CallDetailsChanged {
                call,
                caller_name,
                has_video,
            } => H::CallDetailsChanged {
                call,
                caller_name: caller_name.map(String::from),
                has_video,
            },
            Event::OutgoingCallRinging { call } => H::OutgoingCallRinging { call },
            Event::IncomingCallAnnounced {
                call,
                handle,
                handle_type,
                caller_name,
                video,
            } => H::IncomingCallAnnounced {
                call,
                handle: handle.to_owned(),
                handle_type,
                caller_name: caller_name.map(str::to_owned),
                video,
            },
        }
    }
}

impl<'a, S: ArbitrarySymbols<'a>> Arbitrary<'a> for HostEvent<S> {
    /// The tag slot, then the fields of its kind's variant in declaration order (see
    /// the module's "Fuzz input").
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let [tag, second, third, _] = u32::arbitrary(u)?.to_le_bytes();
        Ok(match EventKind::from_tag(tag) {
            EventKind::VoipPushReceived => HostEvent::VoipPushReceived {
                push: u.arbitrary()?,
                payload: u.arbitrary()?,
                fallback_call: u.arbitrary()?,
                must_report: match second % 3 {
                    0 => None,
                    1 => Some(true),
                    _ => Some(false),
                },
                received_at_unix_ms: third
                    .checked_sub(1)
                    .map(|seconds| FUZZ_SENT_AT_MS + u64::from(seconds) * 1_000),
            },
            EventKind::PushCredentialsUpdated => HostEvent::PushCredentialsUpdated {
                token: u.arbitrary()?,
            },
            EventKind::PushCredentialsInvalidated => HostEvent::PushCredentialsInvalidated,
            EventKind::IncomingCallReported => HostEvent::IncomingCallReported {
                report: if second % 2 == 1 {
                    ReportRef::Call(u.arbitrary()?)
                } else {
                    ReportRef::Push(u.arbitrary()?)
                },
                result: u.arbitrary()?,
            },
            EventKind::ProviderDidBegin => HostEvent::ProviderDidBegin,
            EventKind::ProviderDidReset => HostEvent::ProviderDidReset,
            EventKind::PerformStartCall => HostEvent::PerformStartCall {
                action: u.arbitrary()?,
                call: u.arbitrary()?,
                handle: u.arbitrary()?,
                handle_type: u.arbitrary()?,
                video: u.arbitrary()?,
            },
            EventKind::PerformAnswerCall => HostEvent::PerformAnswerCall {
                action: u.arbitrary()?,
                call: u.arbitrary()?,
            },
            EventKind::PerformEndCall => HostEvent::PerformEndCall {
                action: u.arbitrary()?,
                call: u.arbitrary()?,
            },
            EventKind::PerformSetHeld => HostEvent::PerformSetHeld {
                action: u.arbitrary()?,
                call: u.arbitrary()?,
                on_hold: u.arbitrary()?,
            },
            EventKind::PerformSetMuted => HostEvent::PerformSetMuted {
                action: u.arbitrary()?,
                call: u.arbitrary()?,
                muted: u.arbitrary()?,
            },
            EventKind::PerformSetGroup => HostEvent::PerformSetGroup {
                action: u.arbitrary()?,
                call: u.arbitrary()?,
                group_with: u.arbitrary()?,
            },
            EventKind::PerformPlayDtmf => HostEvent::PerformPlayDtmf {
                action: u.arbitrary()?,
                call: u.arbitrary()?,
                digits: u.arbitrary()?,
                kind: u.arbitrary()?,
            },
            EventKind::PerformSetTranslating => HostEvent::PerformSetTranslating {
                action: u.arbitrary()?,
                call: u.arbitrary()?,
                translating: u.arbitrary()?,
                local_language: u.arbitrary()?,
                remote_language: u.arbitrary()?,
            },
            EventKind::TimedOutPerforming => HostEvent::TimedOutPerforming {
                action: u.arbitrary()?,
            },
            EventKind::DidActivateAudioSession => HostEvent::DidActivateAudioSession,
            EventKind::DidDeactivateAudioSession => HostEvent::DidDeactivateAudioSession,
            EventKind::RequestStartCall => HostEvent::RequestStartCall {
                call: u.arbitrary()?,
                handle: u.arbitrary()?,
                handle_type: u.arbitrary()?,
                video: u.arbitrary()?,
            },
            EventKind::RequestEndCall => HostEvent::RequestEndCall {
                call: u.arbitrary()?,
            },
            EventKind::RequestAnswerCall => HostEvent::RequestAnswerCall {
                call: u.arbitrary()?,
            },
            EventKind::RequestSetHeld => HostEvent::RequestSetHeld {
                call: u.arbitrary()?,
                on_hold: u.arbitrary()?,
            },
            EventKind::RequestSetMuted => HostEvent::RequestSetMuted {
                call: u.arbitrary()?,
                muted: u.arbitrary()?,
            },
            EventKind::RequestPlayDtmf => HostEvent::RequestPlayDtmf {
                call: u.arbitrary()?,
                digits: u.arbitrary()?,
                kind: u.arbitrary()?,
            },
            EventKind::TransactionCompleted => HostEvent::TransactionCompleted {
                transaction: u.arbitrary()?,
                result: u.arbitrary()?,
            },
            EventKind::OutgoingCallConnecting => HostEvent::OutgoingCallConnecting {
                call: u.arbitrary()?,
            },
            EventKind::OutgoingCallConnected => HostEvent::OutgoingCallConnected {
                call: u.arbitrary()?,
            },
            EventKind::OutgoingCallRefused => HostEvent::OutgoingCallRefused {
                call: u.arbitrary()?,
                reason: *u.choose(&[
                    RefusalReason::Busy,
                    RefusalReason::Declined,
                    RefusalReason::Unavailable,
                ])?,
            },
            EventKind::IncomingCallConnected => HostEvent::IncomingCallConnected {
                call: u.arbitrary()?,
            },
            EventKind::RemoteEnded => HostEvent::RemoteEnded {
                call: u.arbitrary()?,
            },
            EventKind::AnsweredElsewhere => HostEvent::AnsweredElsewhere {
                call: u.arbitrary()?,
            },
            EventKind::DeclinedElsewhere => HostEvent::DeclinedElsewhere {
                call: u.arbitrary()?,
            },
            EventKind::ConnectionFailed => HostEvent::ConnectionFailed {
                call: u.arbitrary()?,
            },
            EventKind::TimerFired => HostEvent::TimerFired {
                timer: u.arbitrary()?,
            },
            EventKind::CallDetailsChanged => HostEvent::CallDetailsChanged {
                call: u.arbitrary()?,
                caller_name: u.arbitrary()?,
                has_video: u.arbitrary()?,
            },
            EventKind::OutgoingCallRinging => HostEvent::OutgoingCallRinging {
                call: u.arbitrary()?,
            },
            EventKind::IncomingCallAnnounced => HostEvent::IncomingCallAnnounced {
                call: u.arbitrary()?,
                handle: u.arbitrary()?,
                handle_type: u.arbitrary()?,
                caller_name: u.arbitrary()?,
                video: u.arbitrary()?,
            },
        })
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        (<u32 as Arbitrary>::size_hint(depth).0, None)
    }
}

// ---------------------------------------------------------------------------------------
// Trace lines
// ---------------------------------------------------------------------------------------

impl HostEvent<Written> {
    /// The event of kind `kind` from the fields of its trace line (the table in the
    /// module docs), with the trace format's defaults.
    pub(crate) fn read_trace_fields(
        kind: EventKind,
        f: &mut Fields,
        base_dir: &Path,
    ) -> Result<Self, TraceError> {
        use EventKind as K;
        use HostEvent as T;
        Ok(match kind {
            K::VoipPushReceived => {
                let push = f.req("push", Fields::opt_u64)?;
                let file = f.opt_str("payload_file")?;
                let inline = f.take("payload");
                let text = f.opt_str("payload_text")?;
                let (payload, source) = match (file, inline, text) {
                    (Some(file), None, None) => {
                        let path = base_dir.join(&file);
                        let bytes = std::fs::read(&path).map_err(|e| {
                            f.err(format!("cannot read payload file {}: {e}", path.display()))
                        })?;
                        (bytes, file)
                    }
                    (None, Some(value), None) => {
                        let bytes = serde_json::to_vec(&value)
                            .map_err(|e| f.err(format!("cannot serialise \"payload\": {e}")))?;
                        (bytes, String::from("inline JSON"))
                    }
                    (None, None, Some(text)) => (text.into_bytes(), String::from("inline text")),
                    _ => return Err(f.err(
                        "a push needs exactly one of \"payload_file\", \"payload\", \"payload_text\"",
                    )),
                };
                let fallback_call = f
                    .opt_call("fallback_call")?
                    .unwrap_or(CallRef::Id(fallback_id(push)));
                T::VoipPushReceived {
                    push,
                    payload: TracePayload {
                        bytes: payload,
                        source,
                    },
                    fallback_call,
                    must_report: f.opt_bool("must_report")?,
                    received_at_unix_ms: f.opt_u64("received_at_unix_ms")?,
                }
            }
            K::PushCredentialsUpdated => {
                let hex = f.opt_str("token_hex")?;
                let text = f.opt_str("token")?;
                let token = match (hex, text) {
                    (Some(hex), None) => {
                        decode_hex(&hex).ok_or_else(|| f.err("\"token_hex\" is not hex"))?
                    }
                    (None, Some(text)) => text.into_bytes(),
                    _ => return Err(f.err("give exactly one of \"token_hex\", \"token\"")),
                };
                T::PushCredentialsUpdated { token }
            }
            K::PushCredentialsInvalidated => T::PushCredentialsInvalidated,
            K::IncomingCallReported => T::IncomingCallReported {
                report: match f.opt_u64("push")? {
                    Some(push) => ReportRef::Push(push),
                    None => ReportRef::Call(f.call()?),
                },
                result: f
                    .apple_result("CXErrorCodeIncomingCallError", IncomingCallError::from_raw)?,
            },
            K::ProviderDidBegin => T::ProviderDidBegin,
            K::ProviderDidReset => T::ProviderDidReset,
            K::PerformStartCall => {
                let action = f.action()?;
                let call = f.call()?;
                let handle = f.req("handle", Fields::opt_str)?;
                let handle_type = f.handle_type(&handle)?;
                let video = f.opt_bool("video")?.unwrap_or(false);
                T::PerformStartCall {
                    action,
                    call,
                    handle,
                    handle_type,
                    video,
                }
            }
            K::PerformAnswerCall => T::PerformAnswerCall {
                action: f.action()?,
                call: f.call()?,
            },
            K::PerformEndCall => T::PerformEndCall {
                action: f.action()?,
                call: f.call()?,
            },
            K::PerformSetHeld => T::PerformSetHeld {
                action: f.action()?,
                call: f.call()?,
                on_hold: f.opt_bool("on_hold")?.unwrap_or(true),
            },
            K::PerformSetMuted => T::PerformSetMuted {
                action: f.action()?,
                call: f.call()?,
                muted: f.opt_bool("muted")?.unwrap_or(true),
            },
            K::PerformSetGroup => T::PerformSetGroup {
                action: f.action()?,
                call: f.call()?,
                group_with: f.opt_call("group_with")?,
            },
            K::PerformPlayDtmf => T::PerformPlayDtmf {
                action: f.action()?,
                call: f.call()?,
                digits: f.req("digits", Fields::opt_str)?,
                kind: f.dtmf_kind()?,
            },
            K::PerformSetTranslating => T::PerformSetTranslating {
                action: f.action()?,
                call: f.call()?,
                translating: f.opt_bool("translating")?.unwrap_or(true),
                local_language: f.opt_str("local_language")?.unwrap_or_default(),
                remote_language: f.opt_str("remote_language")?.unwrap_or_default(),
            },
            K::TimedOutPerforming => T::TimedOutPerforming {
                action: f.action()?,
            },
            K::DidActivateAudioSession => T::DidActivateAudioSession,
            K::DidDeactivateAudioSession => T::DidDeactivateAudioSession,
            K::RequestStartCall => {
                let call = f.call()?;
                let handle = f.req("handle", Fields::opt_str)?;
                let handle_type = f.handle_type(&handle)?;
                let video = f.opt_bool("video")?.unwrap_or(false);
                T::RequestStartCall {
                    call,
                    handle,
                    handle_type,
                    video,
                }
            }
            K::RequestEndCall => T::RequestEndCall { call: f.call()? },
            K::RequestAnswerCall => T::RequestAnswerCall { call: f.call()? },
            K::RequestSetHeld => T::RequestSetHeld {
                call: f.call()?,
                on_hold: f.opt_bool("on_hold")?.unwrap_or(true),
            },
            K::RequestSetMuted => T::RequestSetMuted {
                call: f.call()?,
                muted: f.opt_bool("muted")?.unwrap_or(true),
            },
            K::RequestPlayDtmf => T::RequestPlayDtmf {
                call: f.call()?,
                digits: f.req("digits", Fields::opt_str)?,
                kind: f.dtmf_kind()?,
            },
            K::TransactionCompleted => {
                let transaction = match f.take("transaction") {
                    Some(Value::String(s)) if s == "last" => TransactionRef::Last,
                    Some(v) => TransactionRef::Id(v.as_u64().ok_or_else(|| {
                        f.err(format!(
                            "\"transaction\" must be an integer or \"last\", got {v}"
                        ))
                    })?),
                    None => return Err(f.err("missing \"transaction\"")),
                };
                T::TransactionCompleted {
                    transaction,
                    result: f.apple_result(
                        "CXErrorCodeRequestTransactionError",
                        RequestTransactionError::from_raw,
                    )?,
                }
            }
            K::OutgoingCallConnecting => T::OutgoingCallConnecting { call: f.call()? },
            K::OutgoingCallConnected => T::OutgoingCallConnected { call: f.call()? },
            K::OutgoingCallRefused => T::OutgoingCallRefused {
                call: f.call()?,
                reason: f.refusal_reason()?,
            },
            K::IncomingCallConnected => T::IncomingCallConnected { call: f.call()? },
            K::RemoteEnded => T::RemoteEnded { call: f.call()? },
            K::AnsweredElsewhere => T::AnsweredElsewhere { call: f.call()? },
            K::DeclinedElsewhere => T::DeclinedElsewhere { call: f.call()? },
            K::ConnectionFailed => T::ConnectionFailed { call: f.call()? },
            K::OutgoingCallRinging => T::OutgoingCallRinging { call: f.call()? },
            K::IncomingCallAnnounced => {
                let call = f.call()?;
                let handle = f.opt_str("handle")?.unwrap_or_default();
                let handle_type = f.handle_type(&handle)?;
                T::IncomingCallAnnounced {
                    call,
                    handle,
                    handle_type,
                    caller_name: f.opt_str("caller_name")?,
                    video: f.opt_bool("video")?.unwrap_or(false),
                }
            }
            K::TimerFired => {
                let kind = f.req("timer", Fields::opt_str)?;
                let timer = match kind.as_str() {
                    "ring" => TimerRef::Ring(f.call()?),
                    "answer_connect" => TimerRef::AnswerConnect(f.call()?),
                    "audio_activation" => TimerRef::AudioActivation(f.call()?),
                    "start_connect" => TimerRef::StartConnect(f.call()?),
                    "no_answer" => TimerRef::NoAnswer(f.call()?),
                    "push_completion" => TimerRef::PushCompletion(f.req("push", Fields::opt_u64)?),
                    other => {
                        return Err(f.err(format!(
                        "unknown timer {other:?} (\"ring\", \"answer_connect\", \"audio_activation\", \"start_connect\", \"no_answer\", \"push_completion\")"
                    )))
                    }
                };
                T::TimerFired { timer }
            }
            K::CallDetailsChanged => T::CallDetailsChanged {
                call: f.call()?,
                caller_name: f.opt_str("caller_name")?,
                has_video: f.opt_bool("video")?,
            },
        })
    }
}

// ---------------------------------------------------------------------------------------
// Golden vectors
// ---------------------------------------------------------------------------------------

impl HostEvent<Concrete> {
    /// The event as a golden vector writes it, fully resolved (the format: the module
    /// docs).
    pub fn golden_json(&self) -> Value {
        let mut m = Map::new();
        use HostEvent as H;
        m.insert("kind".into(), self.kind().name().into());
        let mut put = |k: &str, v: Value| {
            m.insert(k.into(), v);
        };
        match self {
            H::VoipPushReceived {
                push,
                payload,
                fallback_call,
                must_report,
                received_at_unix_ms,
            } => {
                put("push", push.0.into());
                put("payload_hex", hex(payload).into());
                put("fallback_call", call_json(fallback_call));
                put("must_report", (*must_report).into());
                put("received_at_unix_ms", (*received_at_unix_ms).into());
            }
            H::PushCredentialsUpdated { token } => put("token_hex", hex(token).into()),
            H::IncomingCallReported { report, result } => {
                match report {
                    ReportRef::Push(push) => put("push", push.0.into()),
                    ReportRef::Call(c) => put("call", call_json(c)),
                }
                put("error", result.err().map(|e| e.raw()).into());
            }
            H::IncomingCallAnnounced {
                call: c,
                handle,
                handle_type,
                caller_name,
                video,
            } => {
                put("call", call_json(c));
                put(
                    "handle",
                    json!({"type": handle_type.raw(), "value": handle.as_str()}),
                );
                put("caller_name", caller_name.as_deref().into());
                put("video", (*video).into());
            }
            H::PerformStartCall {
                action,
                call: c,
                handle,
                handle_type,
                video,
            } => {
                put("action", uuid_json(&action.0));
                put("call", call_json(c));
                put(
                    "handle",
                    json!({"type": handle_type.raw(), "value": handle}),
                );
                put("video", (*video).into());
            }
            H::PerformAnswerCall { action, call: c } | H::PerformEndCall { action, call: c } => {
                put("action", uuid_json(&action.0));
                put("call", call_json(c));
            }
            H::PerformSetHeld {
                action,
                call: c,
                on_hold,
            } => {
                put("action", uuid_json(&action.0));
                put("call", call_json(c));
                put("on_hold", (*on_hold).into());
            }
            H::PerformSetMuted {
                action,
                call: c,
                muted,
            } => {
                put("action", uuid_json(&action.0));
                put("call", call_json(c));
                put("muted", (*muted).into());
            }
            H::PerformSetGroup {
                action,
                call: c,
                group_with,
            } => {
                put("action", uuid_json(&action.0));
                put("call", call_json(c));
                put(
                    "group_with",
                    group_with.as_ref().map_or(Value::Null, call_json),
                );
            }
            H::PerformPlayDtmf {
                action,
                call: c,
                digits,
                kind,
            } => {
                put("action", uuid_json(&action.0));
                put("call", call_json(c));
                put("digits", digits.as_str().into());
                put("type", kind.raw().into());
            }
            H::PerformSetTranslating {
                action,
                call: c,
                translating,
                local_language,
                remote_language,
            } => {
                put("action", uuid_json(&action.0));
                put("call", call_json(c));
                put("translating", (*translating).into());
                put("local_language", local_language.as_str().into());
                put("remote_language", remote_language.as_str().into());
            }
            H::TimedOutPerforming { action } => put("action", uuid_json(&action.0)),
            H::RequestStartCall {
                call: c,
                handle,
                handle_type,
                video,
            } => {
                put("call", call_json(c));
                put(
                    "handle",
                    json!({"type": handle_type.raw(), "value": handle}),
                );
                put("video", (*video).into());
            }
            H::RequestSetHeld { call: c, on_hold } => {
                put("call", call_json(c));
                put("on_hold", (*on_hold).into());
            }
            H::RequestSetMuted { call: c, muted } => {
                put("call", call_json(c));
                put("muted", (*muted).into());
            }
            H::RequestPlayDtmf {
                call: c,
                digits,
                kind,
            } => {
                put("call", call_json(c));
                put("digits", digits.as_str().into());
                put("type", kind.raw().into());
            }
            H::TransactionCompleted {
                transaction,
                result,
            } => {
                put("transaction", transaction.0.into());
                put("error", result.err().map(|e| e.raw()).into());
            }
            H::RequestEndCall { call: c }
            | H::RequestAnswerCall { call: c }
            | H::OutgoingCallRinging { call: c }
            | H::OutgoingCallConnecting { call: c }
            | H::OutgoingCallConnected { call: c }
            | H::IncomingCallConnected { call: c }
            | H::RemoteEnded { call: c }
            | H::AnsweredElsewhere { call: c }
            | H::DeclinedElsewhere { call: c }
            | H::ConnectionFailed { call: c } => put("call", call_json(c)),
            H::OutgoingCallRefused { call: c, reason } => {
                put("call", call_json(c));
                put("reason", reason.raw().into());
            }
            H::TimerFired { timer } => put("timer", timer_json(timer)),
            H::CallDetailsChanged {
                call: c,
                caller_name,
                has_video,
            } => {
                put("call", call_json(c));
                put("caller_name", caller_name.as_deref().into());
                put("has_video", (*has_video).into());
            }
            H::PushCredentialsInvalidated
            | H::ProviderDidBegin
            | H::ProviderDidReset
            | H::DidActivateAudioSession
            | H::DidDeactivateAudioSession => {}
        }
        Value::Object(m)
    }
}

impl serde::Serialize for HostEvent<Concrete> {
    /// As its golden vector writes it ([`HostEvent::golden_json`]).
    fn serialize<Ser: serde::Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        self.golden_json().serialize(serializer)
    }
}

/// A UUID as golden vectors write it: lower-case hyphenated text.
pub fn uuid_json(id: &Uuid) -> Value {
    Value::String(id.hyphenated().to_string())
}

/// A call as golden vectors write it ([`uuid_json`]).
pub fn call_json(id: &CallId) -> Value {
    uuid_json(&id.0)
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A timer as golden vectors write it: `kind` and its push or call.
pub fn timer_json(timer: &Timer) -> Value {
    match timer {
        Timer::PushCompletion(push) => json!({"kind": "push_completion", "push": push.0}),
        Timer::Ring(c) => json!({"kind": "ring", "call": call_json(c)}),
        Timer::AnswerConnect(c) => json!({"kind": "answer_connect", "call": call_json(c)}),
        Timer::AudioActivation(c) => json!({"kind": "audio_activation", "call": call_json(c)}),
        Timer::StartConnect(c) => json!({"kind": "start_connect", "call": call_json(c)}),
        Timer::NoAnswer(c) => json!({"kind": "no_answer", "call": call_json(c)}),
    }
}

// ---------------------------------------------------------------------------------------
// Words (the replay tool's)
// ---------------------------------------------------------------------------------------

impl HostEvent<Concrete> {
    /// The event in the replay tool's words; `source` names where a push's payload
    /// came from.
    pub fn words(&self, source: Option<&str>) -> String {
        use HostEvent as E;
        let (c, a) = self.named_in();
        let perform = |what: &str, rest: &str| format!("perform {what} {a} for call {c}{rest}");
        let signal = |before: &str, after: &str| format!("signalling: {before} {c}{after}");
        let user = |verb: &str| format!("user {verb} call {c} in the app");
        match self {
            E::VoipPushReceived {
                push,
                payload,
                must_report,
                ..
            } => {
                let mut what = format!("VoIP push #{} ({} bytes", push.0, payload.len());
                if let Some(src) = source {
                    what.push_str(&format!(", {src}"));
                }
                if let Some(must) = must_report {
                    what.push_str(&format!(", mustReport {must}"));
                }
                what + ")"
            }
            E::PushCredentialsUpdated { token } => {
                format!("PushKit token updated ({} bytes)", token.len())
            }
            E::PushCredentialsInvalidated => String::from("PushKit token invalidated"),
            E::IncomingCallReported { report, result } => format!(
                "reportNewIncomingCall completion for {}: {}",
                match report {
                    ReportRef::Push(push) => format!("push #{}", push.0),
                    ReportRef::Call(call) => format!("call {}", short_call(*call)),
                },
                result_words(result, |e| e.raw())
            ),
            E::IncomingCallAnnounced {
                handle,
                caller_name,
                video,
                ..
            } => {
                let who = match (caller_name, handle.is_empty()) {
                    (Some(name), _) => format!(" from {name:?}"),
                    (None, false) => format!(" from {handle}"),
                    (None, true) => String::new(),
                };
                signal(
                    "incoming call",
                    &format!(" announced{who} ({})", media(*video)),
                )
            }
            E::ProviderDidBegin => String::from("providerDidBegin"),
            E::ProviderDidReset => {
                String::from("providerDidReset (CallKit dropped every call and action)")
            }
            E::PerformStartCall {
                handle,
                handle_type,
                video,
                ..
            } => perform(
                "CXStartCallAction",
                &format!(
                    " to {handle} ({}), {}",
                    apple_name(handle_type),
                    media(*video)
                ),
            ),
            E::PerformAnswerCall { .. } => perform("CXAnswerCallAction", ""),
            E::PerformEndCall { .. } => perform("CXEndCallAction", ""),
            E::PerformSetHeld { on_hold, .. } => perform(
                "CXSetHeldCallAction",
                if *on_hold { ": hold" } else { ": resume" },
            ),
            E::PerformSetMuted { muted, .. } => perform(
                "CXSetMutedCallAction",
                if *muted { ": mute" } else { ": unmute" },
            ),
            E::PerformSetGroup { group_with, .. } => match group_with {
                Some(other) => perform(
                    "CXSetGroupCallAction",
                    &format!(": group with {}", short_call(*other)),
                ),
                None => perform("CXSetGroupCallAction", ": ungroup"),
            },
            E::PerformPlayDtmf { digits, kind, .. } => perform(
                "CXPlayDTMFCallAction",
                &format!(": {digits:?} ({})", apple_name(kind)),
            ),
            E::PerformSetTranslating {
                translating,
                local_language,
                remote_language,
                ..
            } => perform(
                "CXSetTranslatingCallAction",
                &if *translating {
                    format!(": translate {local_language:?} <-> {remote_language:?}")
                } else {
                    String::from(": stop translating")
                },
            ),
            E::TimedOutPerforming { .. } => format!("CallKit timed out performing action {a}"),
            E::DidActivateAudioSession => String::from("didActivate audio session"),
            E::DidDeactivateAudioSession => String::from("didDeactivate audio session"),
            E::RequestStartCall {
                handle,
                handle_type,
                video,
                ..
            } => format!(
                "user starts call {c} to {handle} ({}), {}",
                apple_name(handle_type),
                media(*video)
            ),
            E::RequestEndCall { .. } => user("ends"),
            E::RequestAnswerCall { .. } => user("answers"),
            E::RequestSetHeld { on_hold, .. } => user(if *on_hold { "holds" } else { "resumes" }),
            E::RequestSetMuted { muted, .. } => user(if *muted { "mutes" } else { "unmutes" }),
            E::RequestPlayDtmf { digits, kind, .. } => {
                format!(
                    "user types DTMF {digits:?} ({}) on call {c}",
                    apple_name(kind)
                )
            }
            E::TransactionCompleted {
                transaction,
                result,
            } => format!(
                "CXCallController transaction {} completed: {}",
                transaction.0,
                result_words(result, |e| e.raw())
            ),
            E::OutgoingCallConnecting { .. } => signal("outgoing call", " connecting"),
            E::OutgoingCallConnected { .. } => signal("outgoing call", " answered by remote"),
            E::OutgoingCallRefused { reason, .. } => {
                let why = match reason {
                    RefusalReason::Busy => " refused: busy (486)",
                    RefusalReason::Declined => " refused: declined (603)",
                    RefusalReason::Unavailable => " refused: unavailable (480)",
                };
                signal("outgoing call", why)
            }
            E::IncomingCallConnected { .. } => {
                signal("incoming call", " connected (ready to answer)")
            }
            E::RemoteEnded { .. } => signal("remote party ended call", ""),
            E::AnsweredElsewhere { .. } => signal("call", " answered on another device"),
            E::DeclinedElsewhere { .. } => signal("call", " declined on another device"),
            E::ConnectionFailed { .. } => signal("connection of call", " failed"),
            E::TimerFired { timer } => format!("timer fired: {}", timer_words(timer)),
            E::OutgoingCallRinging { .. } => signal("remote side of call", " is ringing (180)"),
            E::CallDetailsChanged {
                caller_name,
                has_video,
                ..
            } => {
                let mut what = Vec::new();
                if let Some(name) = caller_name {
                    what.push(format!("name {name:?}"));
                }
                if let Some(video) = has_video {
                    what.push(String::from(media(*video)));
                }
                if what.is_empty() {
                    what.push(String::from("nothing new"));
                }
                format!("app: new details for call {c}: {}", what.join(", "))
            }
        }
    }

    /// The call and the action the event names, in short (empty when it names none).
    fn named_in(&self) -> (String, String) {
        use HostEvent as E;
        let (call, action) = match *self {
            E::PerformStartCall { action, call, .. }
            | E::PerformAnswerCall { action, call }
            | E::PerformEndCall { action, call }
            | E::PerformSetHeld { action, call, .. }
            | E::PerformSetMuted { action, call, .. }
            | E::PerformSetGroup { action, call, .. }
            | E::PerformPlayDtmf { action, call, .. }
            | E::PerformSetTranslating { action, call, .. } => (Some(call), Some(action)),
            E::TimedOutPerforming { action } => (None, Some(action)),
            E::RequestStartCall { call, .. }
            | E::RequestEndCall { call }
            | E::RequestAnswerCall { call }
            | E::RequestSetHeld { call, .. }
            | E::RequestSetMuted { call, .. }
            | E::RequestPlayDtmf { call, .. }
            | E::OutgoingCallConnecting { call }
            | E::OutgoingCallConnected { call }
            | E::OutgoingCallRefused { call, .. }
            | E::IncomingCallConnected { call }
            | E::RemoteEnded { call }
            | E::AnsweredElsewhere { call }
            | E::DeclinedElsewhere { call }
            | E::ConnectionFailed { call }
            | E::CallDetailsChanged { call, .. }
            | E::IncomingCallAnnounced { call, .. }
            | E::OutgoingCallRinging { call } => (Some(call), None),
            _ => (None, None),
        };
        (
            call.map(short_call).unwrap_or_default(),
            action.map(short_action).unwrap_or_default(),
        )
    }
}

/// A call UUID in short: `#n` for [`call_id`]`(n)`, `fallback#n` for
/// [`fallback_id`]`(n)`, else its first 8 and last 4 hex digits (`6f1c3e1a…9e11`).
pub fn short_call(id: CallId) -> String {
    let b = id.as_bytes();
    if call_id(b[15]) == id {
        return format!("#{}", b[15]);
    }
    let mut tail = [0u8; 8];
    tail.copy_from_slice(&b[8..16]);
    tail[0] &= 0x3f;
    let push = u64::from_be_bytes(tail);
    if fallback_id(push) == id {
        return format!("fallback#{push}");
    }
    let text = id.to_string();
    format!("{}…{}", &text[..8], &text[32..])
}

/// An action UUID in short: `#n` for [`action_id`]`(n)`, else 8 hex digits and `…`.
pub fn short_action(id: ActionId) -> String {
    let b = id.0.as_bytes();
    if action_id(b[15]) == id {
        return format!("#{}", b[15]);
    }
    let text = id.0.hyphenated().to_string();
    format!("{}…", &text[..8])
}

/// A timer in words.
pub fn timer_words(t: &Timer) -> String {
    match t {
        Timer::PushCompletion(p) => format!("push-completion timer of push #{}", p.0),
        Timer::Ring(c) => format!("ring timer of call {}", short_call(*c)),
        Timer::AnswerConnect(c) => format!("answer-connect timer of call {}", short_call(*c)),
        Timer::AudioActivation(c) => {
            format!("audio-activation timer of call {}", short_call(*c))
        }
        Timer::StartConnect(c) => format!("start-connect timer of call {}", short_call(*c)),
        Timer::NoAnswer(c) => format!("no-answer timer of call {}", short_call(*c)),
    }
}

/// `video` or `audio`.
pub fn media(video: bool) -> &'static str {
    if video {
        "video"
    } else {
        "audio"
    }
}

/// A report's or transaction's result in words: `ok`, or `error <name> (<raw value>)`.
fn result_words<E: fmt::Debug>(result: &Result<(), E>, raw: fn(&E) -> i64) -> String {
    match result {
        Ok(()) => String::from("ok"),
        Err(e) => format!("error {} ({})", apple_name(e), raw(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::Scripted;

    #[test]
    fn every_kind_has_its_own_tag_and_name() {
        let tags: Vec<u8> = EventKind::ALL.iter().map(|k| k.tag()).collect();
        let expected: Vec<u8> = (0..=tags[tags.len() - 1]).collect();
        assert_eq!(tags, expected, "ALL is in tag order, with no gap");
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_tag(kind.tag()), kind);
            assert_eq!(EventKind::from_name(&kind.name()), Some(kind));
        }
    }

    #[test]
    fn the_first_byte_of_the_tag_slot_picks_the_kind_whatever_the_rest() {
        for kind in EventKind::ALL {
            for rest in [[0, 0, 0], [0xff, 0x12, 0x80]] {
                let mut bytes = vec![kind.tag(), rest[0], rest[1], rest[2]];
                bytes.extend_from_slice(&[7; 64]);
                let event = HostEvent::<Scripted>::arbitrary(&mut Unstructured::new(&bytes));
                assert_eq!(event.map(|e| e.kind()), Ok(kind));
            }
        }
    }

    #[test]
    fn a_byte_that_is_no_tag_folds_onto_the_kinds() {
        let n = EventKind::ALL.len();
        let unused = u8::try_from(n + 1).expect("fewer than 256 kinds");
        assert!(EventKind::ALL.iter().all(|k| k.tag() != unused));
        assert_eq!(
            EventKind::from_tag(unused),
            EventKind::ALL[usize::from(unused) % n]
        );
        assert_eq!(EventKind::from_tag(255), EventKind::ALL[255 % n]);
    }
}
