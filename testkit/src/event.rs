//! The testkit's one event vocabulary: [`HostEvent`], an owned [`Event`], and
//! [`EventKind`], its kinds with their names and fuzz tags.
//!
//! [`HostEvent`] has one variant per [`Event`] variant, with the same fields, but owns
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
//! # Fuzz input
//!
//! A `HostEvent<S>` decodes from fuzz bytes ([`Arbitrary`]) as a four-byte tag slot,
//! whose first byte is an [`EventKind`]'s tag ([`EventKind::tag`], fixed per kind and
//! independent of the variant order), then the variant's fields in declaration order.
//! The other three bytes of the slot are ignored; a first byte that is no kind's tag
//! picks `EventKind::ALL[byte % EventKind::ALL.len()]`. A new kind takes the next free
//! tag, so every committed input (`fuzz/corpus/events`) keeps its meaning.

use std::fmt::Debug;

use arbitrary::{Arbitrary, Unstructured};
use callkit_engine::{
    ActionId, CallId, DtmfType, Event, HandleType, PushId, ReportResult, Timer, TransactionId,
    TransactionResult,
};

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
    },
    /// [`Event::PushCredentialsUpdated`].
    PushCredentialsUpdated { token: Vec<u8> },
    /// [`Event::PushCredentialsInvalidated`].
    PushCredentialsInvalidated,
    /// [`Event::IncomingCallReported`].
    IncomingCallReported { push: S::Push, result: S::Report },
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
}

impl EventKind {
    /// Every kind, in tag order.
    pub const ALL: [EventKind; 32] = [
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
            HostEvent::IncomingCallConnected { .. } => EventKind::IncomingCallConnected,
            HostEvent::RemoteEnded { .. } => EventKind::RemoteEnded,
            HostEvent::AnsweredElsewhere { .. } => EventKind::AnsweredElsewhere,
            HostEvent::DeclinedElsewhere { .. } => EventKind::DeclinedElsewhere,
            HostEvent::ConnectionFailed { .. } => EventKind::ConnectionFailed,
            HostEvent::TimerFired { .. } => EventKind::TimerFired,
            HostEvent::CallDetailsChanged { .. } => EventKind::CallDetailsChanged,
            HostEvent::OutgoingCallRinging { .. } => EventKind::OutgoingCallRinging,
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
            } => {
                let push = r.new_push(push)?;
                let fallback_call = r.fallback(push, fallback_call)?;
                H::VoipPushReceived {
                    push,
                    fallback_call,
                    payload: r.payload(payload)?,
                }
            }
            H::PushCredentialsUpdated { token } => H::PushCredentialsUpdated {
                token: token.clone(),
            },
            H::PushCredentialsInvalidated => H::PushCredentialsInvalidated,
            H::IncomingCallReported { push, result } => H::IncomingCallReported {
                push: r.push(push)?,
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
            } => Event::VoipPushReceived {
                push: *push,
                payload: payload,
                fallback_call: *fallback_call,
            },
            H::PushCredentialsUpdated { token } => Event::PushCredentialsUpdated { token: token },
            H::PushCredentialsInvalidated => Event::PushCredentialsInvalidated,
            H::IncomingCallReported { push, result } => Event::IncomingCallReported {
                push: *push,
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
                handle: handle,
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
                digits: digits,
                kind: *kind,
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
                handle: handle,
                handle_type: *handle_type,
                video: *video,
            },
            H::RequestEndCall { call } => Event::RequestEndCall { call: *call },
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
                digits: digits,
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
            } => H::VoipPushReceived {
                push,
                payload: payload.to_vec(),
                fallback_call,
            },
            Event::PushCredentialsUpdated { token } => H::PushCredentialsUpdated {
                token: token.to_vec(),
            },
            Event::PushCredentialsInvalidated => H::PushCredentialsInvalidated,
            Event::IncomingCallReported { push, result } => {
                H::IncomingCallReported { push, result }
            }
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
        }
    }
}

impl<'a, S: ArbitrarySymbols<'a>> Arbitrary<'a> for HostEvent<S> {
    /// The tag slot, then the fields of its kind's variant in declaration order (see
    /// the module's "Fuzz input").
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let [tag, ..] = u32::arbitrary(u)?.to_le_bytes();
        Ok(match EventKind::from_tag(tag) {
            EventKind::VoipPushReceived => HostEvent::VoipPushReceived {
                push: u.arbitrary()?,
                payload: u.arbitrary()?,
                fallback_call: u.arbitrary()?,
            },
            EventKind::PushCredentialsUpdated => HostEvent::PushCredentialsUpdated {
                token: u.arbitrary()?,
            },
            EventKind::PushCredentialsInvalidated => HostEvent::PushCredentialsInvalidated,
            EventKind::IncomingCallReported => HostEvent::IncomingCallReported {
                push: u.arbitrary()?,
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
        })
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        (<u32 as Arbitrary>::size_hint(depth).0, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::Scripted;

    #[test]
    fn every_kind_has_its_own_tag_and_name() {
        for (i, kind) in EventKind::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(kind.tag()), i, "ALL is in tag order");
            assert_eq!(EventKind::from_tag(kind.tag()), kind);
            assert_eq!(EventKind::from_name(&kind.name()), Some(kind));
        }
    }

    #[test]
    fn the_first_byte_of_the_tag_slot_picks_the_kind_and_the_rest_is_ignored() {
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
        let unused = u8::try_from(n).expect("fewer than 256 kinds");
        assert_eq!(
            EventKind::from_tag(unused),
            EventKind::ALL[usize::from(unused) % n]
        );
        assert_eq!(EventKind::from_tag(255), EventKind::ALL[255 % n]);
    }
}
