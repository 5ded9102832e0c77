//! The one error type: why an event was refused. A refused event changes nothing.
//! Also the `core::error::Error` impls of every error type of the crate.

use core::fmt;

use crate::event::Timer;
use crate::types::{ActionId, CallId, Instant, PushId, TransactionId};
use crate::{PayloadError, SchemaError};

/// Why [`Engine::handle`](crate::Engine::handle) refused an event.
///
/// Protocol outcomes (a CallKit action that cannot be performed, a malformed push, a
/// full call table on an incoming push) are effects, not errors, and so are the races a
/// correct host produces on its serial queue (a timer firing as the engine cancels it,
/// signalling news or an app request for a call that just ended, a `timedOutPerforming`
/// for an action already resolved, a completion after `providerDidReset`): those are
/// accepted with no effects (docs/design.md, "Refusals and races"). An `Err` means the
/// host sent something the engine cannot act on; the engine's state, including its
/// clock, is exactly as before the call, and no effect was produced.
///
/// `#[non_exhaustive]`: a later version may refuse events for new reasons, so a `match`
/// outside this crate needs a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// `now` is earlier than the `now` of the last accepted event.
    TimeWentBackwards {
        /// The last accepted time.
        last: Instant,
        /// The time passed in.
        now: Instant,
    },
    /// No live call has this UUID, and none ended lately (an event for a call that ended
    /// moments ago is accepted with no effects).
    UnknownCall(CallId),
    /// No pending push or report has this id.
    UnknownPush(PushId),
    /// The action id is already deferred for another action.
    DuplicateAction(ActionId),
    /// No pending `CXCallController` request has this id (a request dropped by the last
    /// `providerDidReset` completes once with no effects).
    UnknownTransaction(TransactionId),
    /// The timer names a call or push the engine does not know. A timer that is not
    /// armed but whose call is live or ended lately, or whose push was completed lately,
    /// was cancelled as it fired: accepted with no effects.
    UnknownTimer(Timer),
    /// The timer is armed but its deadline has not come.
    TimerNotDue {
        /// The timer.
        timer: Timer,
        /// Its deadline.
        deadline: Instant,
    },
    /// A call with this UUID is live, ended moments ago, or is reported to be ended once
    /// CallKit accepts its report (reusing a UUID before CallKit
    /// has finished the old call corrupts CallKit state: wire-ios-sync-engine PR 638).
    CallExists(CallId),
    /// Every call slot is taken.
    CallCapacity,
    /// Every pending-transaction slot is taken.
    TransactionCapacity,
    /// The event does not fit the call's phase (for example connected before
    /// connecting was possible, or answered elsewhere after it was answered here).
    WrongPhase(CallId),
    /// The call does not support this (`CXCallUpdate` capabilities or
    /// `CXProviderConfiguration`).
    NotSupported(CallId),
    /// A handle is empty or longer than [`MAX_HANDLE_LEN`](crate::limits::MAX_HANDLE_LEN).
    InvalidHandle,
    /// A DTMF string is empty, too long, or holds characters other than `0-9 * # A-D ,`.
    InvalidDtmf,
    /// A push token is empty or longer than
    /// [`MAX_PUSH_TOKEN_LEN`](crate::limits::MAX_PUSH_TOKEN_LEN).
    InvalidPushToken,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TimeWentBackwards { last, now } => write!(
                f,
                "time went backwards: {} ms after {} ms",
                now.as_millis(),
                last.as_millis()
            ),
            Error::UnknownCall(call) => write!(f, "unknown call {call}"),
            Error::UnknownPush(push) => write!(f, "unknown push {}", push.0),
            Error::DuplicateAction(action) => write!(f, "duplicate {action:?}"),
            Error::UnknownTransaction(t) => write!(f, "unknown transaction {}", t.0),
            Error::UnknownTimer(timer) => write!(f, "timer not armed: {timer:?}"),
            Error::TimerNotDue { timer, deadline } => write!(
                f,
                "timer {timer:?} fired before its deadline {} ms",
                deadline.as_millis()
            ),
            Error::CallExists(call) => write!(f, "call {call} already exists"),
            Error::CallCapacity => f.write_str("every call slot is taken"),
            Error::TransactionCapacity => f.write_str("every transaction slot is taken"),
            Error::WrongPhase(call) => write!(f, "event out of order for call {call}"),
            Error::NotSupported(call) => write!(f, "not supported for call {call}"),
            Error::InvalidHandle => f.write_str("handle empty or too long"),
            Error::InvalidDtmf => f.write_str("invalid DTMF digits"),
            Error::InvalidPushToken => f.write_str("push token empty or too long"),
        }
    }
}

// `core::error::Error` is `std::error::Error` (one trait, stable in core since Rust
// 1.81), so these impls serve std hosts too.
impl core::error::Error for Error {}
impl core::error::Error for PayloadError {}
impl core::error::Error for SchemaError {}
