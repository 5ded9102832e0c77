//! How a call ends, as values: the kept end of a call CallKit does not know yet
//! ([`PendingEnd`]), the release of its signalling leg ([`Release`]), what already
//! became of its timer or action ([`Spent`]), and the whole end ([`End`]). The effects
//! of an end are emitted by the call's last transition (`call::emit_end`).

use crate::effect::RejectReason;
use crate::types::CallEndedReason;

/// An end that could not be reported yet, kept until CallKit knows the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(super) enum PendingEnd {
    /// The remote side ended it, a cancel push arrived, or the ring timed out: report
    /// with `reason` and release the signalling leg as `release` says.
    Remote {
        reason: CallEndedReason,
        release: Release,
    },
    /// The app asked to end it: request a `CXEndCallAction`.
    Local,
}

impl PendingEnd {
    /// The end applied at once: a remote end as kept; a local one (when it cannot be
    /// requested) declines the call's signalling and reports it failed.
    #[inline]
    pub(super) const fn end(self) -> End {
        match self {
            PendingEnd::Remote { reason, release } => End::new(release, Some(reason)),
            PendingEnd::Local => End::declined(),
        }
    }
}

/// How to release a call's signalling leg when it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(super) enum Release {
    /// Signalling already knows (it told us), or never started.
    Nothing,
    /// Release the leg whatever the phase.
    HangUp,
    /// Reject an unanswered incoming call with this reason, hang up anything else,
    /// nothing for a call whose signalling never started.
    Auto(RejectReason),
}

/// What already became of the call's armed timer or deferred action when it ends, so that
/// ending it neither cancels a timer that fired nor completes an action CallKit voided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Spent {
    /// Neither: cancel the timer, fail the action.
    Nothing,
    /// The armed timer fired.
    Timer,
    /// The no-answer timer fired (the call's other armed timer, if any, is cancelled).
    NoAnswer,
    /// CallKit voided the deferred action (`providerDidReset`, `timedOutPerforming`).
    Action,
    /// The transition fulfils the deferred action itself (a released answer or start).
    Fulfilled,
}

/// How a call ends: its signalling release, its reported end reason (none when CallKit
/// never rang it or voided it) and what already became of its timer or action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct End {
    pub(super) release: Release,
    pub(super) ended: Option<CallEndedReason>,
    pub(super) spent: Spent,
}

impl End {
    /// An end with nothing spent.
    #[inline]
    pub(super) const fn new(release: Release, ended: Option<CallEndedReason>) -> Self {
        End {
            release,
            ended,
            spent: Spent::Nothing,
        }
    }

    /// The end CallKit asks for when it gives up or the engine does: reject or hang up
    /// as failed, reported as failed.
    #[inline]
    pub(super) const fn failed() -> Self {
        End::new(
            Release::Auto(RejectReason::Failed),
            Some(CallEndedReason::Failed),
        )
    }

    /// The end of a call the app ended that CallKit would not or cannot end: decline
    /// or hang up, reported as failed.
    #[inline]
    pub(super) const fn declined() -> Self {
        End::new(
            Release::Auto(RejectReason::Declined),
            Some(CallEndedReason::Failed),
        )
    }

    /// This end, with `spent` already spent.
    #[inline]
    pub(super) const fn spent(self, spent: Spent) -> Self {
        End { spent, ..self }
    }
}
