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

/// Writes [`Symbols`], [`ArbitrarySymbols`], [`Concrete`] and [`Resolve`] from one list:
/// each kind of value, the [`Resolve`] method that resolves it (the fallback call's,
/// which also takes the push, is written out) and its resolved type.
macro_rules! symbols {
    ($($(#[doc = $doc:literal])* $name:ident $(=> $method:ident)?: $concrete:ty;)*) => {
        /// How a [`HostEvent`] names each kind of value.
        pub trait Symbols {
            $($(#[doc = $doc])* type $name: Clone + Debug + PartialEq + Eq;)*
        }

        /// [`Symbols`] whose every kind of value is `Arbitrary` (the fuzz scripts' set).
        pub trait ArbitrarySymbols<'a>: Symbols<$($name: Arbitrary<'a>),*> {}

        /// The resolved values: what [`Event`] carries, owned.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Concrete;

        impl Symbols for Concrete {
            $(type $name = $concrete;)*
        }

        /// Turns the values an `S` event names into [`Concrete`] ones (for a driver:
        /// against the run so far), one method per kind of value.
        #[allow(missing_docs)]
        pub trait Resolve<S: Symbols> {
            /// Why a name cannot be resolved.
            type Error;
            /// Resolved after [`Resolve::new_push`], before [`Resolve::payload`].
            fn fallback(&mut self, push: PushId, fallback: &S::Fallback)
                -> Result<CallId, Self::Error>;
            $($(fn $method(&mut self, value: &S::$name) -> Result<$concrete, Self::Error>;)?)*
        }
    };
}

symbols! {
    /// The id of a push being delivered.
    NewPush => new_push: PushId;
    /// A push's payload.
    Payload => payload: Vec<u8>;
    /// The fallback call UUID handed in with a push.
    Fallback: CallId;
    /// A push named by a report result.
    Push => push: PushId;
    /// A `reportNewIncomingCall` result.
    Report => report: ReportResult;
    /// A `CXAction`'s UUID.
    Action => action: ActionId;
    /// A call UUID.
    Call => call: CallId;
    /// A handle or DTMF digits.
    Text => text: String;
    /// A `CXHandle.HandleType`.
    HandleType => handle_type: HandleType;
    /// A `CXPlayDTMFCallAction.ActionType`.
    Dtmf => dtmf: DtmfType;
    /// A `CXCallController` transaction.
    Transaction => transaction: TransactionId;
    /// A transaction's result.
    TxResult => tx_result: TransactionResult;
    /// A timer.
    Timer => timer: Timer;
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
            /// The variants' names, in order (`"VoipPushReceived"`, ...).
            pub const VARIANTS: &'static [&'static str] =
                &["VoipPushReceived", $(stringify!($variant)),*];

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
    OutgoingCallRinging { call: S::Call => call },
}
