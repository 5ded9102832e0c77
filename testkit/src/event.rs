//! One owned, symbolic host event, shared by the trace reader ([`crate::trace`]) and the
//! fuzz scripts ([`crate::fuzzing`]).
//!
//! [`HostEvent`] has one variant per [`Event`] variant, in the same order and with the
//! same fields, but owns its data and names its ids, texts and results through a
//! [`Symbols`] set: a trace writes `"push:N"` for a call, a fuzz script "the n-th live
//! call". A driver turns those names into values with a [`Resolve`]r
//! ([`HostEvent::resolve`], in field order, so a resolver that hands out fresh ids does
//! so in a fixed order) and feeds the resolved event as an [`Event`]
//! ([`HostEvent::as_event`]).
//!
//! The fuzz scripts derive `Arbitrary` for their [`HostEvent`]: the variant order and the
//! field order are the byte format of the committed corpora (`fuzz/corpus/events`), so
//! neither may change.

use std::fmt::Debug;

use arbitrary::Arbitrary;
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
    /// A handle or DTMF digits.
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

/// One [`Event`], owned, its values named through `S`.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
#[arbitrary(bound = "S: ArbitrarySymbols<'arbitrary>")]
#[allow(missing_docs)]
pub enum HostEvent<S: Symbols> {
    VoipPushReceived {
        push: S::NewPush,
        payload: S::Payload,
        fallback_call: S::Fallback,
    },
    PushCredentialsUpdated {
        token: Vec<u8>,
    },
    PushCredentialsInvalidated,
    IncomingCallReported {
        push: S::Push,
        result: S::Report,
    },
    ProviderDidBegin,
    ProviderDidReset,
    PerformStartCall {
        action: S::Action,
        call: S::Call,
        handle: S::Text,
        handle_type: S::HandleType,
        video: bool,
    },
    PerformAnswerCall {
        action: S::Action,
        call: S::Call,
    },
    PerformEndCall {
        action: S::Action,
        call: S::Call,
    },
    PerformSetHeld {
        action: S::Action,
        call: S::Call,
        on_hold: bool,
    },
    PerformSetMuted {
        action: S::Action,
        call: S::Call,
        muted: bool,
    },
    PerformSetGroup {
        action: S::Action,
        call: S::Call,
        group_with: Option<S::Call>,
    },
    PerformPlayDtmf {
        action: S::Action,
        call: S::Call,
        digits: S::Text,
        kind: S::Dtmf,
    },
    TimedOutPerforming {
        action: S::Action,
    },
    DidActivateAudioSession,
    DidDeactivateAudioSession,
    RequestStartCall {
        call: S::Call,
        handle: S::Text,
        handle_type: S::HandleType,
        video: bool,
    },
    RequestEndCall {
        call: S::Call,
    },
    RequestSetHeld {
        call: S::Call,
        on_hold: bool,
    },
    RequestSetMuted {
        call: S::Call,
        muted: bool,
    },
    RequestPlayDtmf {
        call: S::Call,
        digits: S::Text,
        kind: S::Dtmf,
    },
    TransactionCompleted {
        transaction: S::Transaction,
        result: S::TxResult,
    },
    OutgoingCallConnecting {
        call: S::Call,
    },
    OutgoingCallConnected {
        call: S::Call,
    },
    IncomingCallConnected {
        call: S::Call,
    },
    RemoteEnded {
        call: S::Call,
    },
    AnsweredElsewhere {
        call: S::Call,
    },
    DeclinedElsewhere {
        call: S::Call,
    },
    ConnectionFailed {
        call: S::Call,
    },
    TimerFired {
        timer: S::Timer,
    },
}

/// Turns the values an `S` event names into [`Concrete`] ones (for a driver: against
/// the run so far).
#[allow(missing_docs)]
pub trait Resolve<S: Symbols> {
    /// Why a name cannot be resolved.
    type Error;
    fn new_push(&mut self, push: &S::NewPush) -> Result<PushId, Self::Error>;
    /// Resolved after [`Resolve::new_push`], before [`Resolve::payload`].
    fn fallback(&mut self, push: PushId, fallback: &S::Fallback) -> Result<CallId, Self::Error>;
    fn payload(&mut self, payload: &S::Payload) -> Result<Vec<u8>, Self::Error>;
    fn push(&mut self, push: &S::Push) -> Result<PushId, Self::Error>;
    fn report(&mut self, result: &S::Report) -> Result<ReportResult, Self::Error>;
    fn action(&mut self, action: &S::Action) -> Result<ActionId, Self::Error>;
    fn call(&mut self, call: &S::Call) -> Result<CallId, Self::Error>;
    fn text(&mut self, text: &S::Text) -> Result<String, Self::Error>;
    fn handle_type(&mut self, t: &S::HandleType) -> Result<HandleType, Self::Error>;
    fn dtmf(&mut self, kind: &S::Dtmf) -> Result<DtmfType, Self::Error>;
    fn transaction(&mut self, tx: &S::Transaction) -> Result<TransactionId, Self::Error>;
    fn tx_result(&mut self, result: &S::TxResult) -> Result<TransactionResult, Self::Error>;
    fn timer(&mut self, timer: &S::Timer) -> Result<Timer, Self::Error>;
}

impl<S: Symbols> HostEvent<S> {
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
                payload,
                fallback_call: *fallback_call,
            },
            H::PushCredentialsUpdated { token } => Event::PushCredentialsUpdated { token },
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
                handle,
                handle_type: *handle_type,
                video: *video,
            },
            &H::PerformAnswerCall { action, call } => Event::PerformAnswerCall { action, call },
            &H::PerformEndCall { action, call } => Event::PerformEndCall { action, call },
            &H::PerformSetHeld {
                action,
                call,
                on_hold,
            } => Event::PerformSetHeld {
                action,
                call,
                on_hold,
            },
            &H::PerformSetMuted {
                action,
                call,
                muted,
            } => Event::PerformSetMuted {
                action,
                call,
                muted,
            },
            &H::PerformSetGroup {
                action,
                call,
                group_with,
            } => Event::PerformSetGroup {
                action,
                call,
                group_with,
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
            &H::TimedOutPerforming { action } => Event::TimedOutPerforming { action },
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
            &H::RequestEndCall { call } => Event::RequestEndCall { call },
            &H::RequestSetHeld { call, on_hold } => Event::RequestSetHeld { call, on_hold },
            &H::RequestSetMuted { call, muted } => Event::RequestSetMuted { call, muted },
            H::RequestPlayDtmf { call, digits, kind } => Event::RequestPlayDtmf {
                call: *call,
                digits,
                kind: *kind,
            },
            &H::TransactionCompleted {
                transaction,
                result,
            } => Event::TransactionCompleted {
                transaction,
                result,
            },
            &H::OutgoingCallConnecting { call } => Event::OutgoingCallConnecting { call },
            &H::OutgoingCallConnected { call } => Event::OutgoingCallConnected { call },
            &H::IncomingCallConnected { call } => Event::IncomingCallConnected { call },
            &H::RemoteEnded { call } => Event::RemoteEnded { call },
            &H::AnsweredElsewhere { call } => Event::AnsweredElsewhere { call },
            &H::DeclinedElsewhere { call } => Event::DeclinedElsewhere { call },
            &H::ConnectionFailed { call } => Event::ConnectionFailed { call },
            &H::TimerFired { timer } => Event::TimerFired { timer },
        }
    }
}
