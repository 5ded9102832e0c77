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

/// Writes [`HostEvent`], [`HostEvent::resolve`] and [`HostEvent::as_event`] from one
/// list of variants (after `VoipPushReceived`, written out since its fallback call is
/// resolved before its payload). Each field gives its type in `HostEvent<S>` and how it
/// resolves: `copy`/`clone` as it is, `opt_call` as an optional call, else by the
/// [`Resolve`] method of that name; `Event` borrows texts and tokens, copies the rest.
macro_rules! host_events {
    ($($variant:ident $({ $($field:ident: $ty:ty => $how:ident),* })?),* $(,)?) => {
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
            $($variant $({ $($field: $ty),* })?),*
        }

        impl<S: Symbols> HostEvent<S> {
            /// The event with every value resolved by `r`, one field at a time in field
            /// order (a push's id first, then its fallback call, then its payload).
            pub fn resolve<R: Resolve<S>>(
                &self,
                r: &mut R,
            ) -> Result<HostEvent<Concrete>, R::Error> {
                Ok(match self {
                    HostEvent::VoipPushReceived {
                        push,
                        payload,
                        fallback_call,
                    } => {
                        let push = r.new_push(push)?;
                        let fallback_call = r.fallback(push, fallback_call)?;
                        HostEvent::VoipPushReceived {
                            push,
                            fallback_call,
                            payload: r.payload(payload)?,
                        }
                    }
                    $(HostEvent::$variant $({ $($field),* })? => HostEvent::$variant $({
                        $($field: host_events!(@resolve r, $how, $field)),*
                    })?,)*
                })
            }
        }

        impl HostEvent<Concrete> {
            /// The event as the engine takes it, borrowing the owned data.
            pub fn as_event(&self) -> Event<'_> {
                match self {
                    HostEvent::VoipPushReceived {
                        push,
                        payload,
                        fallback_call,
                    } => Event::VoipPushReceived {
                        push: *push,
                        payload,
                        fallback_call: *fallback_call,
                    },
                    $(HostEvent::$variant $({ $($field),* })? => Event::$variant $({
                        $($field: host_events!(@borrow $how, $field)),*
                    })?,)*
                }
            }
        }
    };
    (@resolve $r:ident, copy, $x:ident) => { *$x };
    (@resolve $r:ident, clone, $x:ident) => { $x.clone() };
    (@resolve $r:ident, opt_call, $x:ident) => { $x.as_ref().map(|c| $r.call(c)).transpose()? };
    (@resolve $r:ident, opt_text, $x:ident) => { $x.as_ref().map(|t| $r.text(t)).transpose()? };
    (@resolve $r:ident, $how:ident, $x:ident) => { $r.$how($x)? };
    (@borrow clone, $x:ident) => { $x };
    (@borrow text, $x:ident) => { $x };
    (@borrow opt_text, $x:ident) => { $x.as_deref() };
    (@borrow $how:ident, $x:ident) => { *$x };
}

host_events! {
    PushCredentialsUpdated { token: Vec<u8> => clone },
    PushCredentialsInvalidated,
    IncomingCallReported { push: S::Push => push, result: S::Report => report },
    ProviderDidBegin,
    ProviderDidReset,
    PerformStartCall {
        action: S::Action => action,
        call: S::Call => call,
        handle: S::Text => text,
        handle_type: S::HandleType => handle_type,
        video: bool => copy
    },
    PerformAnswerCall { action: S::Action => action, call: S::Call => call },
    PerformEndCall { action: S::Action => action, call: S::Call => call },
    PerformSetHeld { action: S::Action => action, call: S::Call => call, on_hold: bool => copy },
    PerformSetMuted { action: S::Action => action, call: S::Call => call, muted: bool => copy },
    PerformSetGroup {
        action: S::Action => action,
        call: S::Call => call,
        group_with: Option<S::Call> => opt_call
    },
    PerformPlayDtmf {
        action: S::Action => action,
        call: S::Call => call,
        digits: S::Text => text,
        kind: S::Dtmf => dtmf
    },
    TimedOutPerforming { action: S::Action => action },
    DidActivateAudioSession,
    DidDeactivateAudioSession,
    RequestStartCall {
        call: S::Call => call,
        handle: S::Text => text,
        handle_type: S::HandleType => handle_type,
        video: bool => copy
    },
    RequestEndCall { call: S::Call => call },
    RequestSetHeld { call: S::Call => call, on_hold: bool => copy },
    RequestSetMuted { call: S::Call => call, muted: bool => copy },
    RequestPlayDtmf { call: S::Call => call, digits: S::Text => text, kind: S::Dtmf => dtmf },
    TransactionCompleted {
        transaction: S::Transaction => transaction,
        result: S::TxResult => tx_result
    },
    OutgoingCallConnecting { call: S::Call => call },
    OutgoingCallConnected { call: S::Call => call },
    IncomingCallConnected { call: S::Call => call },
    RemoteEnded { call: S::Call => call },
    AnsweredElsewhere { call: S::Call => call },
    DeclinedElsewhere { call: S::Call => call },
    ConnectionFailed { call: S::Call => call },
    TimerFired { timer: S::Timer => timer },
    CallDetailsChanged {
        call: S::Call => call,
        caller_name: Option<S::Text> => opt_text,
        has_video: Option<bool> => copy
    },
}
