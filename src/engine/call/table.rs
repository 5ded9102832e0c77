//! The call table: the live calls in slot order, a lookup key for each (a fold of its
//! UUID), the number of calls holding a deferred action, the calls reported to be ended
//! at once that wait for CallKit to have them, and the UUIDs of the calls that ended
//! lately.
//!
//! Rules owned here: a handler finds its call once, by its key first; every end goes
//! through [`CallTable::end`] or [`CallTable::end_all`], which remember the UUID; the
//! transitions that defer or release an action ([`CallTable::answer`],
//! [`CallTable::connected`], [`CallTable::start`], [`CallTable::progress`])
//! are the table's, so that the count of deferring calls is always exact and a lookup
//! walks the calls' actions only when one is deferred. Every end kept until CallKit
//! knows the call is kept here: with the live call ([`Call::keep_end`]), or, for a call
//! reported and ended at once with no slot, with the push that reported it
//! ([`CallTable::keep_ending`]); both are reported through the one emitter,
//! [`emit_end`].

use heapless::{HistoryBuf, Vec};

use crate::config::CallCapabilities;
use crate::effect::RejectReason;
use crate::effects::Effects;
use crate::error::Error;
use crate::limits::RECENTLY_ENDED_CALLS;
use crate::log::log_transition;
use crate::types::{ActionId, CallEndedReason, CallId, Handle, Instant, PushId};

use super::super::teardown::{End, PendingEnd, Release, Spent};
use super::{emit_end, Call, Ctx, Progress, Remote};

/// The key a lookup compares before the whole UUID: the exclusive or of its two halves,
/// so that ids that share a prefix (time-based UUIDs) or a suffix (counters in a test)
/// still differ. One instruction beyond the loads the whole compare needs anyway.
#[inline(always)]
pub(super) fn fingerprint(id: CallId) -> u64 {
    let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = *id.as_bytes();
    u64::from_ne_bytes([a, b, c, d, e, f, g, h]) ^ u64::from_ne_bytes([i, j, k, l, m, n, o, p])
}

/// A call reported to CallKit only to be ended (a cancel, a late copy, an unusable
/// push): it has no slot, and its end waits with the push that reported it until
/// CallKit has the call (the report accepted, or the push's deadline passed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ending {
    push: PushId,
    call: CallId,
    end: PendingEnd,
}

/// The live calls (at most `CALLS`, in slot order), the calls reported to be ended at
/// once (at most `PUSHES`, one per pending push at most), and the UUIDs of the last
/// [`RECENTLY_ENDED_CALLS`] calls that ended.
///
/// `keys[i]` is the lookup key of `calls[i]`'s UUID ([`fingerprint`]); `deferring`
/// counts the calls that hold a deferred answer or start action (exact, as
/// `Engine::indexes_consistent` checks after every step of every test; kept with
/// wrapping arithmetic, so that a miscount could only slow a lookup, never panic).
#[derive(Clone, Debug, PartialEq)]
pub(in crate::engine) struct CallTable<const CALLS: usize, const PUSHES: usize> {
    calls: Vec<Call, CALLS>,
    keys: Vec<u64, CALLS>,
    pub(super) deferring: usize,
    ending: Vec<Ending, PUSHES>,
    /// Each with the reason a push for it is reported ended with: `RemoteEnded` for a
    /// call that ended here, the remote side's for one that ended before its push.
    recently_ended: HistoryBuf<(CallId, CallEndedReason), RECENTLY_ENDED_CALLS>,
}

impl<const CALLS: usize, const PUSHES: usize> CallTable<CALLS, PUSHES> {
    #[inline]
    pub(in crate::engine) const fn new() -> Self {
        CallTable {
            calls: Vec::new(),
            keys: Vec::new(),
            deferring: 0,
            ending: Vec::new(),
            recently_ended: HistoryBuf::new(),
        }
    }

    /// Whether what the table indexes agrees with its calls: one key per call, each the
    /// fold of its call's UUID, and `deferring` the number of calls deferring an action.
    #[inline]
    pub(in crate::engine) fn consistent(&self) -> bool {
        let keys = self.keys.len() == self.calls.len()
            && self
                .keys
                .iter()
                .zip(self.calls.iter())
                .all(|(&k, c)| k == fingerprint(c.id));
        let deferring = self
            .calls
            .iter()
            .filter(|c| c.deferred_action().is_some())
            .count();
        keys && deferring == self.deferring
    }

    /// Whether every end kept for a call with no slot waits with a push in `pending`.
    #[inline]
    pub(in crate::engine) fn endings_pending(&self, pending: impl Fn(PushId) -> bool) -> bool {
        self.ending.iter().all(|e| pending(e.push))
    }

    /// Keeps the end of `call`, reported for `push` to be ended at once, until CallKit
    /// has it ([`CallTable::release_ending`]). There is always room: a kept end waits
    /// with a pending push, and at most `PUSHES` pushes are pending; were there none,
    /// the end would be reported at once (`now`) rather than lost.
    #[inline]
    pub(in crate::engine) fn keep_ending<const N: usize>(
        &mut self,
        push: PushId,
        call: CallId,
        end: PendingEnd,
        now: Instant,
        out: &mut Effects<N>,
    ) {
        if self.ending.push(Ending { push, call, end }).is_err() {
            emit_end(call, None, end.end(), now, out);
        }
    }

    /// CallKit has the call `push` reported to be ended (the report was accepted, or the
    /// push's deadline passed): its kept end is reported now. Returns whether `push`
    /// kept one.
    #[inline]
    pub(in crate::engine) fn release_ending<const N: usize>(
        &mut self,
        push: PushId,
        now: Instant,
        out: &mut Effects<N>,
    ) -> bool {
        match self.take_ending(push) {
            Some(e) => {
                emit_end(e.call, None, e.end.end(), now, out);
                true
            }
            None => false,
        }
    }

    /// Forgets the end `push` kept: CallKit refused its report, so it never had the call.
    #[inline]
    pub(in crate::engine) fn drop_ending(&mut self, push: PushId) {
        self.take_ending(push);
    }

    #[inline]
    fn take_ending(&mut self, push: PushId) -> Option<Ending> {
        if self.ending.is_empty() {
            return None;
        }
        let i = self.ending.iter().position(|e| e.push == push)?;
        Some(self.ending.remove(i))
    }

    /// Forgets every end kept for `call`: CallKit ended it itself (a fulfilled
    /// `CXEndCallAction`).
    #[inline]
    pub(in crate::engine) fn drop_endings_of(&mut self, call: CallId) {
        self.ending.retain(|e| e.call != call);
    }

    /// Whether a push still owes the end of `call` (CallKit has, or will have, the call).
    #[inline]
    pub(in crate::engine) fn owes_end(&self, call: CallId) -> bool {
        self.ending.iter().any(|e| e.call == call)
    }

    #[inline]
    pub(in crate::engine) fn iter(&self) -> core::slice::Iter<'_, Call> {
        self.calls.iter()
    }

    #[inline]
    pub(in crate::engine) fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    #[inline]
    pub(in crate::engine) fn is_full(&self) -> bool {
        self.calls.is_full()
    }

    /// The slot of the live call `id`: its fingerprint is compared first, the whole
    /// UUID only where the fingerprint matches.
    #[inline]
    pub(in crate::engine) fn position(&self, id: CallId) -> Option<usize> {
        let key = fingerprint(id);
        self.keys
            .iter()
            .zip(self.calls.iter())
            .position(|(&k, c)| k == key && c.id == id)
    }

    /// The live call `id`.
    #[inline]
    pub(in crate::engine) fn get(&self, id: CallId) -> Option<&Call> {
        self.position(id).and_then(|i| self.calls.get(i))
    }

    /// The live call `id`, to change.
    #[inline]
    pub(in crate::engine) fn get_mut(&mut self, id: CallId) -> Option<&mut Call> {
        self.position(id).and_then(|i| self.calls.get_mut(i))
    }

    /// The slot of the live call `id`, with the call.
    #[inline]
    pub(in crate::engine) fn find(&self, id: CallId) -> Option<(usize, &Call)> {
        let i = self.position(id)?;
        self.calls.get(i).map(|c| (i, c))
    }

    /// The slot of the live call `id`, with the call to change; `Ok(None)` when the call
    /// ended lately (an event about it raced its end: no error, nothing to do), and
    /// [`Error::UnknownCall`] when the engine never knew it or forgot it long ago.
    #[inline]
    pub(in crate::engine) fn live_or_gone(
        &mut self,
        id: CallId,
    ) -> Result<Option<(usize, &mut Call)>, Error> {
        match self.position(id) {
            Some(i) => Ok(self.calls.get_mut(i).map(|c| (i, c))),
            None if self.ended_recently(id) => Ok(None),
            None => Err(Error::UnknownCall(id)),
        }
    }

    /// The call in slot `idx`.
    #[inline]
    pub(in crate::engine) fn at_mut(&mut self, idx: usize) -> Option<&mut Call> {
        self.calls.get_mut(idx)
    }

    /// Every live call, to change in slot order.
    #[inline]
    pub(in crate::engine) fn iter_mut(&mut self) -> core::slice::IterMut<'_, Call> {
        self.calls.iter_mut()
    }

    /// In one pass: refuses an action id already deferred for a call
    /// ([`Error::DuplicateAction`]), and finds the slot of `call`. The calls' actions are
    /// read only while some call defers one.
    #[inline]
    pub(in crate::engine) fn locate(
        &self,
        action: ActionId,
        call: CallId,
    ) -> Result<Option<usize>, Error> {
        // With no call deferring an action (the common case) the actions are not read.
        if self.deferring == 0 {
            return Ok(self.position(call));
        }
        if self.deferring_slot(action).is_some() {
            return Err(Error::DuplicateAction(action));
        }
        Ok(self.position(call))
    }

    /// The slot of the call that defers `action`.
    #[inline]
    pub(in crate::engine) fn deferring_slot(&self, action: ActionId) -> Option<usize> {
        if self.deferring == 0 {
            return None;
        }
        self.calls
            .iter()
            .position(|c| c.deferred_action() == Some(action))
    }

    /// The slot of the call whose report's result `push` answers.
    #[inline]
    pub(in crate::engine) fn reporting(&self, push: PushId) -> Option<usize> {
        self.calls.iter().position(|c| c.reported_by(push))
    }

    /// The report's result of `push` answers for no call any more.
    #[inline]
    pub(in crate::engine) fn forget_push(&mut self, push: PushId) {
        for c in self.calls.iter_mut() {
            c.forget_push(push);
        }
    }

    /// Whether `id` is among the calls that ended lately (here, or before their push).
    #[inline]
    pub(in crate::engine) fn ended_recently(&self, id: CallId) -> bool {
        self.recently_ended.iter().any(|&(c, _)| c == id)
    }

    /// The reason a push for `id` is reported ended with, while `id` is among the calls
    /// that ended lately: the remote side's, for a call that ended before its push
    /// ([`CallTable::remember_early_end`]); `RemoteEnded` otherwise.
    #[inline]
    pub(in crate::engine) fn late_end_reason(&self, id: CallId) -> Option<CallEndedReason> {
        self.recently_ended
            .oldest_ordered()
            .rev()
            .find(|&&(c, _)| c == id)
            .map(|&(_, reason)| reason)
    }

    /// Remembers `id` as ended, for a call reported and ended without a slot; a call
    /// that ended before its push keeps its remote side's reason.
    #[inline]
    pub(in crate::engine) fn remember_ended(&mut self, id: CallId) {
        let reason = self
            .late_end_reason(id)
            .unwrap_or(CallEndedReason::RemoteEnded);
        self.recently_ended.write((id, reason));
    }

    /// Remembers that the remote side ended `id` (`reason`) before its push arrived:
    /// the app's own connection said so first. A push for it is then reported and
    /// ended at once with `reason`; bounded like every recently ended call.
    #[inline]
    pub(in crate::engine) fn remember_early_end(&mut self, id: CallId, reason: CallEndedReason) {
        self.recently_ended.write((id, reason));
    }

    /// Adds `call`; [`Error::CallCapacity`] when the table is full.
    #[inline(always)]
    pub(super) fn add(&mut self, call: Call) -> Result<(), Error> {
        let key = fingerprint(call.id);
        self.calls.push(call).map_err(|_| Error::CallCapacity)?;
        // Cannot fail: `keys` has as many slots as `calls`.
        let _ = self.keys.push(key);
        Ok(())
    }

    /// A new incoming call `id`, reported for `push` (`None`: announced over the app's
    /// connection), ringing until `ring_deadline` ([`Call::incoming`]);
    /// [`Error::CallCapacity`], with nothing emitted, when the table is full.
    #[inline]
    pub(in crate::engine) fn ring<const N: usize>(
        &mut self,
        id: CallId,
        remote: Remote,
        push: Option<PushId>,
        ring_deadline: Instant,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) -> Result<(), Error> {
        if self.is_full() {
            return Err(Error::CallCapacity);
        }
        self.add(Call::incoming(id, remote, push, ring_deadline, ctx, out))
    }

    /// A new outgoing call `id` the app requested, to `handle`.
    #[inline(always)]
    pub(in crate::engine) fn request(
        &mut self,
        id: CallId,
        handle: Handle,
        video: bool,
    ) -> Result<(), Error> {
        self.add(Call::outgoing(id, handle, video))
    }

    /// Keeps the count of deferring calls after a transition of a call that deferred an
    /// action (`had`) or not, and does (`has`) or not.
    #[inline(always)]
    fn recount(&mut self, had: bool, has: bool) {
        match (had, has) {
            (false, true) => self.deferring = self.deferring.wrapping_add(1),
            (true, false) => self.deferring = self.deferring.wrapping_sub(1),
            _ => {}
        }
    }

    /// Runs `change`, a transition that may defer or release an action, on the call in
    /// slot `idx`, keeping the count of deferring calls; `missing` when the slot is empty.
    #[inline(always)]
    fn tracked<R>(&mut self, idx: usize, missing: R, change: impl FnOnce(&mut Call) -> R) -> R {
        let Some(c) = self.calls.get_mut(idx) else {
            return missing;
        };
        let had = c.deferred_action().is_some();
        let result = change(c);
        let has = c.deferred_action().is_some();
        self.recount(had, has);
        result
    }

    /// [`Call::answer`] on the call in slot `idx`; `false` when it cannot be answered.
    #[inline(always)]
    pub(in crate::engine) fn answer<const N: usize>(
        &mut self,
        idx: usize,
        action: ActionId,
        answer_deadline: Instant,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) -> bool {
        self.tracked(
            idx,
            false,
            #[inline(always)]
            |c| c.answer(action, answer_deadline, ctx, out),
        )
    }

    /// [`Call::connected`] on the call in slot `idx`; `false` for an outgoing call.
    #[inline(always)]
    pub(in crate::engine) fn connected<const N: usize>(
        &mut self,
        idx: usize,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) -> bool {
        self.tracked(
            idx,
            false,
            #[inline(always)]
            |c| c.connected(ctx, out),
        )
    }

    /// [`Call::start`] on the call in slot `idx`.
    #[inline(always)]
    pub(in crate::engine) fn start<const N: usize>(
        &mut self,
        idx: usize,
        action: ActionId,
        handle: &Handle,
        video: bool,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        let Some(c) = self.calls.get_mut(idx) else {
            return;
        };
        // A requested call defers no action; started, it defers its start.
        if c.start(action, handle, video, ctx, out) {
            self.deferring = self.deferring.wrapping_add(1);
        }
    }

    /// An outgoing call's progress on the signalling leg, for the call in slot `idx`,
    /// which the caller found `starting` or connecting. From `Starting` any progress
    /// first reports `startedConnecting` and fulfils the start action
    /// ([`Call::started_connecting`]); then a 180 lets ringback play
    /// ([`Call::remote_rings`]) and a connection reports `connectedAt`
    /// ([`Call::remote_answered`]).
    #[inline(always)]
    pub(in crate::engine) fn progress<const N: usize>(
        &mut self,
        idx: usize,
        starting: bool,
        progress: Progress,
        caps: CallCapabilities,
        ctx: &Ctx,
        out: &mut Effects<N>,
    ) {
        let Some(c) = self.calls.get_mut(idx) else {
            return;
        };
        if starting {
            c.started_connecting(caps, progress == Progress::Connected, ctx, out);
            // Starting defers the start action; connecting defers none.
            self.deferring = self.deferring.wrapping_sub(1);
        }
        match progress {
            Progress::Connecting => {}
            Progress::Ringing => c.remote_rings(ctx, out),
            Progress::Connected => c.remote_answered(ctx, out),
        }
        log_transition!("call {} {}", c.id, c.phase());
    }

    /// Removes the call in slot `idx` (the last call takes its slot, O(1)), emits the
    /// effects of `end` (at most 5, [`Call::emit_end`]) and remembers its UUID. Nothing
    /// when the slot is empty.
    #[inline]
    pub(in crate::engine) fn end<const N: usize>(
        &mut self,
        idx: usize,
        end: End,
        now: Instant,
        out: &mut Effects<N>,
    ) {
        if idx >= self.calls.len() {
            return;
        }
        let c = self.calls.swap_remove(idx);
        self.keys.swap_remove(idx);
        if c.deferred_action().is_some() {
            self.deferring = self.deferring.wrapping_sub(1);
        }
        c.emit_end(end, now, out);
        self.recently_ended
            .write((c.id, CallEndedReason::RemoteEnded));
        log_transition!("call {} ended", c.id);
    }

    /// Ends every call, in slot order, as `providerDidReset` does: each deferred action is
    /// void, each signalling leg released as failed, nothing reported, and every kept
    /// end forgotten.
    #[inline]
    pub(in crate::engine) fn end_all<const N: usize>(
        &mut self,
        now: Instant,
        out: &mut Effects<N>,
    ) {
        let end = End::new(Release::Auto(RejectReason::Failed), None).spent(Spent::Action);
        for c in self.calls.iter() {
            c.emit_end(end, now, out);
            self.recently_ended
                .write((c.id, CallEndedReason::RemoteEnded));
        }
        self.calls.clear();
        self.keys.clear();
        self.deferring = 0;
        // CallKit dropped every call: no kept end is owed any more.
        self.ending.clear();
    }
}
