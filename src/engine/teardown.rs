//! How a call ends: the kept end of a call CallKit does not know yet ([`PendingEnd`]),
//! the release of its signalling leg ([`Release`]), what already became of its timer or
//! action ([`Spent`]), and the effects of the end in their one order
//! ([`Call::emit_end`]).
//!
//! Rule owned here: an end emits, in this order and each at most once, the cancel of
//! the armed timer (unless it fired), the failure of the deferred action (unless CallKit
//! voided it), the stop of media and of ringback, the signalling release and
//! `reportCall(endedAt:reason:)`; at most 5 effects.

use crate::effect::{Effect, RejectReason};
use crate::effects::Effects;
use crate::types::{CallEndedReason, Instant};

use super::call::Call;
use super::phase::CallPhase;

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
    /// CallKit voided the deferred action (`providerDidReset`, `timedOutPerforming`).
    Action,
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

impl Call {
    /// The effects of ending this call, in order: the cancel of its armed timer (unless
    /// it fired), the failure of its deferred action (unless CallKit voided it), the stop of
    /// its media and of its ringback, the release of its signalling leg, and (with
    /// `ended`) `reportCall(endedAt:reason:)`. At most 5: a call with a deferred action has
    /// no media or ringback, and one with ringback has no armed timer (ringback plays
    /// only with the audio session active, which disarms the audio-activation time-out).
    #[inline(always)]
    pub(super) fn emit_end<const N: usize>(&self, end: End, now: Instant, out: &mut Effects<N>) {
        let call = self.id;
        if end.spent != Spent::Timer {
            if let Some((timer, _)) = self.armed_timer() {
                out.push(Effect::CancelTimer { timer });
            }
        }
        if end.spent != Spent::Action {
            if let Some(action) = self.deferred_action() {
                out.push(Effect::FailAction { action });
            }
        }
        if self.media {
            out.push(Effect::StopMedia { call });
        }
        if self.ringback {
            out.push(Effect::StopRingback { call });
        }
        let signal = match end.release {
            Release::Nothing => None,
            Release::HangUp => Some(Effect::HangUp { call }),
            Release::Auto(reason) => match self.phase() {
                CallPhase::Ringing | CallPhase::Answering => {
                    Some(Effect::RejectIncoming { call, reason })
                }
                CallPhase::Requested => None,
                _ => Some(Effect::HangUp { call }),
            },
        };
        if let Some(signal) = signal {
            out.push(signal);
        }
        if let Some(reason) = end.ended {
            out.push(Effect::ReportCallEnded {
                call,
                at: now,
                reason,
            });
        }
    }
}
