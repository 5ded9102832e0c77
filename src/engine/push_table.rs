//! The push table: the pushes awaiting their PushKit completion, each with its
//! completion deadline, and the ids of the pushes completed lately. (The end a push
//! reported and ended at once keeps waits in the call table, `CallTable::keep_ending`.)
//!
//! Rule owned here: every push is completed exactly once. [`PushTable::retire`] is the
//! one place that emits [`Effect::CompletePush`], and it remembers the id among the
//! recently completed, so that CallKit's late answer for it is a race, not an error.

use crate::limits::RECENTLY_COMPLETED_PUSHES;

use heapless::{HistoryBuf, Vec};

use crate::effect::Effect;
use crate::effects::Effects;
use crate::error::Error;
use crate::event::Timer;
use crate::types::{CallId, Instant, PushId};

/// A push between its arrival and its PushKit completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PendingPush {
    push: PushId,
    call: CallId,
    deadline: Instant,
}

/// The pushes whose PushKit completion is owed (at most `PUSHES`, each with its
/// completion timer), and the ids of the last [`RECENTLY_COMPLETED_PUSHES`] completed.
///
/// A push is completed only through [`PushTable::retire`], which records it as completed
/// and emits its one [`Effect::CompletePush`].
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PushTable<const PUSHES: usize> {
    pending: Vec<PendingPush, PUSHES>,
    completed: HistoryBuf<PushId, RECENTLY_COMPLETED_PUSHES>,
}

impl<const PUSHES: usize> PushTable<PUSHES> {
    #[inline]
    pub(super) const fn new() -> Self {
        PushTable {
            pending: Vec::new(),
            completed: HistoryBuf::new(),
        }
    }

    /// Number of pushes whose completion is owed.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.pending.len()
    }

    /// Each pending push's completion timer and its deadline, in arrival order.
    #[inline]
    pub(super) fn timers(&self) -> impl Iterator<Item = (Timer, Instant)> + '_ {
        self.pending
            .iter()
            .map(|p| (Timer::PushCompletion(p.push), p.deadline))
    }

    /// Whether `push` is pending.
    #[inline]
    pub(super) fn is_pending(&self, push: PushId) -> bool {
        self.pending.iter().any(|p| p.push == push)
    }

    /// Whether `push` was completed lately (and is not pending again).
    #[inline]
    pub(super) fn completed_recently(&self, push: PushId) -> bool {
        self.completed.contains(&push)
    }

    /// Records `push` as completed and emits its completion, then the cancel of its timer
    /// when `cancel`: the one place that completes a push.
    #[inline]
    fn retire<const N: usize>(
        completed: &mut HistoryBuf<PushId, RECENTLY_COMPLETED_PUSHES>,
        push: PushId,
        cancel: bool,
        out: &mut Effects<N>,
    ) {
        completed.write(push);
        out.push(Effect::CompletePush { push });
        if cancel {
            out.push(Effect::CancelTimer {
                timer: Timer::PushCompletion(push),
            });
        }
    }

    /// Completes the pending push in slot `i`, then cancels its timer unless it `fired`.
    #[inline]
    fn complete_slot<const N: usize>(
        &mut self,
        i: usize,
        fired: bool,
        out: &mut Effects<N>,
    ) -> Option<PendingPush> {
        if i >= self.pending.len() {
            return None;
        }
        let p = self.pending.remove(i);
        Self::retire(&mut self.completed, p.push, !fired, out);
        Some(p)
    }

    /// Completes `push` if it is pending (its report's result came): emits the completion
    /// and the cancel of its timer, and returns the call it was reported for. `None`, and
    /// nothing done, when it is not pending.
    #[inline]
    pub(super) fn complete<const N: usize>(
        &mut self,
        push: PushId,
        out: &mut Effects<N>,
    ) -> Option<CallId> {
        let i = self.pending.iter().position(|p| p.push == push)?;
        self.complete_slot(i, false, out).map(|p| p.call)
    }

    /// Completes `push` because its completion timer fired at `now`, returning it.
    /// `Ok(None)`, nothing done, when it was completed lately (its timer was cancelled
    /// as it fired); refused, with nothing done, when it is unknown or its deadline is
    /// after `now`.
    #[inline]
    pub(super) fn fire<const N: usize>(
        &mut self,
        push: PushId,
        now: Instant,
        out: &mut Effects<N>,
    ) -> Result<Option<PendingPush>, Error> {
        let timer = Timer::PushCompletion(push);
        let Some((i, p)) = self
            .pending
            .iter()
            .enumerate()
            .find(|(_, p)| p.push == push)
        else {
            if self.completed_recently(push) {
                return Ok(None);
            }
            return Err(Error::UnknownTimer(timer));
        };
        if p.deadline > now {
            return Err(Error::TimerNotDue {
                timer,
                deadline: p.deadline,
            });
        }
        Ok(self.complete_slot(i, true, out))
    }

    /// When every slot is taken, completes a pending push whose deadline has passed (at
    /// `now`), to make room, and returns it; `None`, and nothing done, when a slot is
    /// free or no push is due.
    #[inline]
    pub(super) fn reclaim_due<const N: usize>(
        &mut self,
        now: Instant,
        out: &mut Effects<N>,
    ) -> Option<PushId> {
        if !self.pending.is_full() {
            return None;
        }
        let i = self.pending.iter().position(|p| p.deadline <= now)?;
        self.complete_slot(i, false, out).map(|p| p.push)
    }

    /// Keeps `push` (reported for `call`) until its report's result or `deadline`, and
    /// starts its timer; returns `true`. With every slot taken (after
    /// [`PushTable::reclaim_due`]), `push` is completed at once instead, right after its
    /// report, and `false` returned: the one case where a completion precedes the
    /// report's result. It takes more than `PUSHES` pushes within one push completion
    /// time-out, and the completion handler itself enforces nothing
    /// (docs/callkit-facts.md).
    #[inline]
    pub(super) fn track<const N: usize>(
        &mut self,
        push: PushId,
        call: CallId,
        deadline: Instant,
        out: &mut Effects<N>,
    ) -> bool {
        let pending = PendingPush {
            push,
            call,
            deadline,
        };
        match self.pending.push(pending) {
            Ok(()) => {
                out.push(Effect::StartTimer {
                    timer: Timer::PushCompletion(push),
                    deadline,
                });
                true
            }
            Err(_) => {
                Self::retire(&mut self.completed, push, false, out);
                false
            }
        }
    }

    /// Completes every pending push, in arrival order (`providerDidReset`).
    #[inline]
    pub(super) fn complete_all<const N: usize>(&mut self, out: &mut Effects<N>) {
        for p in self.pending.iter() {
            Self::retire(&mut self.completed, p.push, true, out);
        }
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{at, call_id as call};

    /// A table of `N` holding push 1 (call 1, due at 100 ms), and an empty buffer.
    fn tracking_one<const N: usize>() -> (PushTable<N>, Effects<8>) {
        let mut table = PushTable::new();
        let mut out = Effects::new();
        assert!(table.track(PushId(1), call(1), at(100), &mut out));
        out.clear();
        (table, out)
    }

    fn completions<const N: usize>(out: &Effects<N>) -> usize {
        out.iter()
            .filter(|e| matches!(e, Effect::CompletePush { .. }))
            .count()
    }

    #[test]
    fn a_tracked_push_is_pending_starts_its_timer_and_completes_exactly_once() {
        let mut table: PushTable<2> = PushTable::new();
        let mut out: Effects<8> = Effects::new();
        assert!(table.track(PushId(1), call(1), at(110), &mut out));
        assert_eq!(
            &out[..],
            &[Effect::StartTimer {
                timer: Timer::PushCompletion(PushId(1)),
                deadline: at(110)
            }]
        );
        assert_eq!(
            table.timers().collect::<Vec<_, 2>>()[..],
            [(Timer::PushCompletion(PushId(1)), at(110))]
        );
        assert_eq!(table.len(), 1);
        assert!(table.is_pending(PushId(1)) && !table.is_pending(PushId(2)));
        assert!(!table.completed_recently(PushId(1)));
        assert!(table.track(PushId(2), call(2), at(110), &mut out));
        assert_eq!(table.len(), 2);
        out.clear();
        assert_eq!(table.complete(PushId(1), &mut out), Some(call(1)));
        assert_eq!(
            &out[..],
            &[
                Effect::CompletePush { push: PushId(1) },
                Effect::CancelTimer {
                    timer: Timer::PushCompletion(PushId(1))
                },
            ]
        );
        out.clear();
        assert_eq!(table.complete(PushId(1), &mut out), None);
        assert!(out.is_empty());
        assert!(table.completed_recently(PushId(1)) && table.len() == 1);
        assert!(!table.completed_recently(PushId(2)));
        assert!(!table.is_pending(PushId(1)) && table.is_pending(PushId(2)));
    }

    #[test]
    fn a_completion_timer_fires_only_when_due_and_is_not_cancelled() {
        let (mut table, mut out) = tracking_one::<2>();
        let timer = Timer::PushCompletion(PushId(1));
        assert_eq!(
            table.fire(PushId(1), at(99), &mut out),
            Err(Error::TimerNotDue {
                timer,
                deadline: at(100)
            })
        );
        assert_eq!(
            table.fire(PushId(2), at(100), &mut out),
            Err(Error::UnknownTimer(Timer::PushCompletion(PushId(2))))
        );
        assert!(out.is_empty() && table.len() == 1);
        assert_eq!(
            table
                .fire(PushId(1), at(100), &mut out)
                .map(|p| p.map(|p| p.push)),
            Ok(Some(PushId(1)))
        );
        assert_eq!(&out[..], &[Effect::CompletePush { push: PushId(1) }]);
        // Fired again (the host's timer raced its completion): no error, nothing done.
        out.clear();
        assert_eq!(table.fire(PushId(1), at(100), &mut out), Ok(None));
        assert!(out.is_empty());
    }

    #[test]
    fn a_full_table_completes_a_due_push_first_or_else_the_new_one_at_once() {
        let (mut table, mut out) = tracking_one::<1>();
        // Nothing due: nothing reclaimed, and the new push is completed at once, with
        // no timer.
        assert_eq!(table.reclaim_due(at(50), &mut out), None);
        assert!(!table.track(PushId(2), call(2), at(150), &mut out));
        assert_eq!(&out[..], &[Effect::CompletePush { push: PushId(2) }]);
        assert!(table.completed_recently(PushId(2)));
        out.clear();
        // The old push is due: it is completed and its timer cancelled, then the new one
        // is tracked.
        assert_eq!(table.reclaim_due(at(100), &mut out), Some(PushId(1)));
        assert!(table.track(PushId(3), call(3), at(200), &mut out));
        assert_eq!(
            &out[..],
            &[
                Effect::CompletePush { push: PushId(1) },
                Effect::CancelTimer {
                    timer: Timer::PushCompletion(PushId(1))
                },
                Effect::StartTimer {
                    timer: Timer::PushCompletion(PushId(3)),
                    deadline: at(200)
                },
            ]
        );
        assert_eq!(table.len(), 1);
        // With a free slot, nothing is reclaimed even when due.
        let mut roomy: PushTable<2> = PushTable::new();
        assert!(roomy.track(PushId(1), call(1), at(0), &mut out));
        assert_eq!(roomy.reclaim_due(at(100), &mut out), None);
    }

    #[test]
    fn completing_all_completes_each_pending_push_once_in_arrival_order() {
        let mut table: PushTable<3> = PushTable::new();
        let mut out: Effects<16> = Effects::new();
        for n in 1..=3 {
            assert!(table.track(PushId(n), call(1), at(100), &mut out));
        }
        out.clear();
        table.complete_all(&mut out);
        assert_eq!(completions(&out), 3);
        assert_eq!(out.first(), Some(&Effect::CompletePush { push: PushId(1) }));
        assert_eq!(out.get(4), Some(&Effect::CompletePush { push: PushId(3) }));
        assert_eq!(table.len(), 0);
        out.clear();
        table.complete_all(&mut out);
        assert!(out.is_empty());
    }
}
