//! PushKit: the push table (pushes awaiting their completion and the recently completed
//! ones), and the engine's handling of a VoIP push and of its report's result.
//!
//! Rules owned here: every push is completed exactly once ([`PushTable`] is the one place
//! that emits [`Effect::CompletePush`]); every push is reported in the step it arrives,
//! report first; an end that arrives while CallKit does not know the call yet is kept
//! until it does ([`Engine::confirm_report`]).

use core::fmt::Write as _;

use heapless::{HistoryBuf, Vec};

use crate::effect::{CallAction, CallUpdate, Effect, Effects, PushEndReason, RejectReason};
use crate::error::Error;
use crate::event::{ReportResult, Timer};
use crate::log::log_transition;
use crate::payload::{PushKind, PushPayload, OPAQUE_ID_NAMESPACE};
use crate::types::{
    CallEndedReason, CallId, IncomingCallError, Instant, PushId, MAX_PUSH_TOKEN_LEN,
};

use super::call::{Call, Direction, End, PendingEnd, Release, Remote, State};
use super::transaction::TransactionKind;
use super::{Engine, RECENTLY_COMPLETED_PUSHES};

/// A push between its arrival and its PushKit completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PendingPush {
    push: PushId,
    call: CallId,
    deadline: Instant,
    /// For a call reported and ended at once: the end to report once CallKit has the
    /// call (its report accepted, or its deadline passed).
    end: Option<CallEndedReason>,
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

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Each pending push's completion timer and its deadline, in arrival order.
    #[inline]
    pub(super) fn timers(&self) -> impl Iterator<Item = (Timer, Instant)> + '_ {
        self.pending
            .iter()
            .map(|p| (Timer::PushCompletion(p.push), p.deadline))
    }

    /// Whether `push` was completed lately (and is not pending again).
    #[inline]
    pub(super) fn completed_recently(&self, push: PushId) -> bool {
        self.completed.contains(&push)
    }

    /// `reportCall(endedAt:reason:)` for `call` when its push kept an `end` (a call
    /// reported to be ended at once, now that CallKit has it). Each such report owes its
    /// own end, even when several name the same call: a copy reported after CallKit
    /// ended the call may ring it anew, and an extra end of an ended call is harmless.
    #[inline]
    pub(super) fn emit_end<const N: usize>(
        call: CallId,
        end: Option<CallEndedReason>,
        now: Instant,
        out: &mut Effects<N>,
    ) {
        if let Some(reason) = end {
            out.push(Effect::ReportCallEnded {
                call,
                at: now,
                reason,
            });
        }
    }

    /// Forgets the ends pending pushes keep for `call`: CallKit ended it itself (a
    /// fulfilled `CXEndCallAction`).
    #[inline]
    pub(super) fn drop_ends(&mut self, call: CallId) {
        for p in self.pending.iter_mut().filter(|p| p.call == call) {
            p.end = None;
        }
    }

    /// Whether a pending push still owes the end of `call`.
    #[inline]
    pub(super) fn owes_end(&self, call: CallId) -> bool {
        self.pending
            .iter()
            .any(|p| p.call == call && p.end.is_some())
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
    /// and the cancel of its timer, and returns the call it was reported for and the
    /// end kept for it. `None`, and nothing done, when it is not pending.
    #[inline]
    pub(super) fn complete<const N: usize>(
        &mut self,
        push: PushId,
        out: &mut Effects<N>,
    ) -> Option<(CallId, Option<CallEndedReason>)> {
        let i = self.pending.iter().position(|p| p.push == push)?;
        self.complete_slot(i, false, out).map(|p| (p.call, p.end))
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
        let done = self.complete_slot(i, true, out);
        // The deadline passed: CallKit has long processed the report.
        if let Some(p) = done {
            Self::emit_end(p.call, p.end, now, out);
        }
        Ok(done)
    }

    /// Keeps `push` (reported for `call`, to be ended with `end` once CallKit has it)
    /// until its report's result or `now + timeout_ms`, and starts its timer. When every
    /// slot is taken, a push whose deadline has passed is completed first (with its kept
    /// end); when none has, `push` is completed at once, right after its report, and its
    /// end follows in the same step (the one case where a completion precedes the
    /// report's result: it takes more than `PUSHES` pushes within one push completion
    /// time-out, and the completion handler itself enforces nothing,
    /// docs/callkit-facts.md).
    #[inline]
    pub(super) fn track<const N: usize>(
        &mut self,
        push: PushId,
        call: CallId,
        now: Instant,
        timeout_ms: u64,
        end: Option<CallEndedReason>,
        out: &mut Effects<N>,
    ) {
        if self.pending.is_full() {
            if let Some(i) = self.pending.iter().position(|p| p.deadline <= now) {
                if let Some(p) = self.complete_slot(i, false, out) {
                    Self::emit_end(p.call, p.end, now, out);
                }
            }
        }
        let deadline = now.saturating_add_ms(timeout_ms);
        let pending = PendingPush {
            push,
            call,
            deadline,
            end,
        };
        match self.pending.push(pending) {
            Ok(()) => out.push(Effect::StartTimer {
                timer: Timer::PushCompletion(push),
                deadline,
            }),
            Err(_) => {
                Self::retire(&mut self.completed, push, false, out);
                Self::emit_end(call, end, now, out);
            }
        }
    }

    /// Completes every pending push, in arrival order (`providerDidReset`). Ends kept
    /// for reported calls are dropped: CallKit dropped every call.
    #[inline]
    pub(super) fn complete_all<const N: usize>(&mut self, out: &mut Effects<N>) {
        for p in self.pending.iter() {
            Self::retire(&mut self.completed, p.push, true, out);
        }
        self.pending.clear();
    }
}

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    /// A VoIP push. Kept out of line: the parse is large, and inlined into
    /// [`Engine::handle_into`] it costs every other event register spills there.
    #[inline(never)]
    pub(super) fn on_push(
        &mut self,
        push: PushId,
        payload: &[u8],
        fallback: CallId,
        out: &mut Effects<EFFECTS>,
    ) {
        let parsed = self.config.schema.parse_at(payload);
        let parsed = match parsed {
            Ok(p) => p,
            Err((error, field)) => {
                log_transition!("push payload malformed: {}", error);
                let why = PushEndReason::Unreadable { error, field };
                self.report_unusable(push, fallback, self.blank_update(), why, out);
                return;
            }
        };
        let call = parsed.call.unwrap_or(fallback);
        let live = self.calls.find(call).map(|(idx, c)| (idx, c.direction()));
        match live {
            Some((_, Direction::Outgoing)) => {
                // A push naming the app's own outgoing call is no copy of it, and CallKit
                // may not hold that UUID yet: reporting under it could ring a second,
                // incoming call of that UUID. It is unusable like a malformed one.
                let update = self.update_from(&parsed);
                let why = PushEndReason::OutgoingCallId;
                self.report_unusable(push, fallback, update, why, out);
            }
            Some((idx, Direction::Incoming)) => self.on_repeat_push(idx, push, &parsed, out),
            None if parsed.kind == PushKind::Cancel || self.ended(call) => {
                // A cancel for a call that is not ringing here, or a late copy of a call
                // that is over: the iOS 13 rule still wants a report; end it at once.
                let why = match (&parsed.kind, parsed.call) {
                    _ if self.ended(call) => PushEndReason::CallEnded,
                    (PushKind::Cancel, None) => PushEndReason::MissingCallId,
                    _ => PushEndReason::CancelledUnknownCall,
                };
                let update = self.update_from(&parsed);
                let reason = CallEndedReason::RemoteEnded;
                self.report_and_end(push, call, update, reason, None, why, out);
            }
            None if self.calls.is_full() => {
                let update = self.update_from(&parsed);
                let reject = Effect::RejectIncoming {
                    call,
                    reason: RejectReason::Busy,
                };
                let reason = CallEndedReason::Failed;
                let why = PushEndReason::CallCapacity;
                self.report_and_end(push, call, update, reason, Some(reject), why, out);
            }
            None => self.ring(push, call, &parsed, out),
        }
    }

    /// Whether `call` ended lately, or is reported to be ended once CallKit has it.
    fn ended(&self, call: CallId) -> bool {
        self.calls.ended_recently(call) || self.pushes.owes_end(call)
    }

    /// A new incoming call: report it, connect its signalling, start its ring timer.
    fn ring(
        &mut self,
        push: PushId,
        call: CallId,
        parsed: &PushPayload,
        out: &mut Effects<EFFECTS>,
    ) {
        let update = self.update_from(parsed);
        let ring_ms = parsed
            .ring_timeout_ms
            .unwrap_or(self.config.ring_timeout_ms);
        let deadline = self.now.saturating_add_ms(ring_ms);
        let remote = Remote {
            handle: update.remote_handle.clone(),
            caller_name: update.localized_caller_name.clone(),
            has_video: update.has_video,
        };
        let ringing = State::Ringing {
            deadline,
            backstop: false,
        };
        let mut c = Call::new(call, ringing, remote);
        c.report.push = Some(push);
        c.report.awaiting = true;
        out.set_call_update(update);
        out.push(Effect::ReportNewIncomingCall { push, call });
        self.track_push(push, call, None, out);
        // Cannot fail: the table was checked for room above.
        let _ = self.calls.add(c);
        log_transition!("call {} ringing", call);
        out.push(Effect::ConnectIncoming { call });
        out.push(Effect::StartTimer {
            timer: Timer::Ring(call),
            deadline,
        });
    }

    /// A push for a call that is already live: report under its UUID (CallKit answers
    /// `callUUIDAlreadyExists`, which is success), create nothing, and apply a cancel.
    fn on_repeat_push(
        &mut self,
        idx: usize,
        push: PushId,
        parsed: &PushPayload,
        out: &mut Effects<EFFECTS>,
    ) {
        let blank = self.blank_update();
        let Some(c) = self.calls.at_mut(idx) else {
            return;
        };
        let call = c.id;
        let fresh_name = parsed.caller_name.is_some() && parsed.caller_name != c.remote.caller_name;
        let fresh_handle = parsed.handle.is_some() && parsed.handle != c.remote.handle;
        let incoming = c.direction() == Direction::Incoming;
        let cancel = parsed.kind == PushKind::Cancel && incoming && c.phase().unanswered();
        let merge = (fresh_name || fresh_handle) && !cancel && incoming;
        if merge {
            if fresh_name {
                c.remote.caller_name = parsed.caller_name.clone();
            }
            if fresh_handle {
                c.remote.handle = parsed.handle.clone();
            }
            // While CallKit has not confirmed the call, the details wait with it
            // ([`Engine::confirm_report`]).
            c.report.details_pending |= c.report.awaiting;
        }
        let may_update = merge && !c.report.awaiting;
        let report_pending = c.report.awaiting;
        if cancel && report_pending {
            c.report.keep_end(PendingEnd::Remote {
                reason: CallEndedReason::RemoteEnded,
                release: Release::HangUp,
            });
        }
        out.set_call_update(c.update(blank));
        out.push(Effect::ReportNewIncomingCall { push, call });
        self.track_push(push, call, None, out);
        if cancel && !report_pending {
            let end = End::new(Release::HangUp, Some(CallEndedReason::RemoteEnded));
            self.calls.end(idx, end, self.now, out);
        } else if may_update {
            out.push(Effect::ReportCallUpdated { call });
        }
    }

    /// A push the engine cannot ring (malformed, or naming the app's outgoing call):
    /// reported under the host's fallback UUID and ended at once as failed. If the host
    /// handed in the UUID of a live incoming call as the fallback, the report goes under
    /// it (CallKit answers `callUUIDAlreadyExists`) and that call is left alone. If the
    /// fallback names a live outgoing call, CallKit may not hold it yet (a report could
    /// ring a second call of that UUID), so the report goes under a UUID derived from
    /// the fallback and the push id ([`unusable_push_id`]) and is ended at once.
    fn report_unusable(
        &mut self,
        push: PushId,
        fallback: CallId,
        update: CallUpdate,
        why: PushEndReason,
        out: &mut Effects<EFFECTS>,
    ) {
        let blank = self.blank_update();
        let live = self
            .calls
            .get(fallback)
            .map(|c| (c.direction(), c.update(blank)));
        match live {
            Some((Direction::Incoming, update)) => {
                out.set_call_update(update);
                out.push(Effect::ReportNewIncomingCall {
                    push,
                    call: fallback,
                });
                self.track_push(push, fallback, None, out);
            }
            Some((Direction::Outgoing, _)) => {
                let call = unusable_push_id(fallback, push);
                let reason = CallEndedReason::Failed;
                self.report_and_end(push, call, update, reason, None, why, out);
            }
            None => {
                let reason = CallEndedReason::Failed;
                self.report_and_end(push, fallback, update, reason, None, why, out);
            }
        }
    }

    /// Report a call CallKit must see but the engine will not keep, and end it as soon
    /// as CallKit has it (the accepted pattern for cancel and unusable pushes: Twilio
    /// iOS 13 migration guide). The step says `why` ([`Effects::push_end_reason`]); the
    /// `reportCall(endedAt:reason:)` waits with the push until its report is accepted
    /// or its deadline passes, and is dropped if CallKit refuses the report (it never
    /// had the call) or resets: an end sent before CallKit accepted the report can be
    /// lost, and an "Unknown" call then rings (issue 9).
    #[allow(clippy::too_many_arguments)]
    fn report_and_end(
        &mut self,
        push: PushId,
        call: CallId,
        update: CallUpdate,
        reason: CallEndedReason,
        signal: Option<Effect>,
        why: PushEndReason,
        out: &mut Effects<EFFECTS>,
    ) {
        out.set_call_update(update);
        out.set_push_end_reason(why);
        out.push(Effect::ReportNewIncomingCall { push, call });
        self.track_push(push, call, Some(reason), out);
        if let Some(signal) = signal {
            out.push(signal);
        }
        self.calls.remember_ended(call);
    }

    /// Keep the push until its report's completion or its deadline ([`PushTable::track`]).
    fn track_push(
        &mut self,
        push: PushId,
        call: CallId,
        end: Option<CallEndedReason>,
        out: &mut Effects<EFFECTS>,
    ) {
        // A push id is the host's to reuse once its push was completed: the newest
        // report made under it is the one its next result answers, so older calls stop
        // listening for that id.
        for c in self.calls.iter_mut() {
            if c.report.push == Some(push) {
                c.report.push = None;
            }
        }
        let timeout_ms = self.config.push_completion_timeout_ms;
        self.pushes
            .track(push, call, self.now, timeout_ms, end, out);
    }

    pub(super) fn on_reported(
        &mut self,
        push: PushId,
        result: ReportResult,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let reporting = self.calls.reporting(push);
        // Changes nothing when the push is not pending.
        let completed = self.pushes.complete(push, out);
        if completed.is_none() && reporting.is_none() {
            if self.pushes.completed_recently(push) {
                // Already completed (deadline, overflow or reset): CallKit's answer
                // arrives late and there is nothing left to do.
                return Ok(());
            }
            return Err(Error::UnknownPush(push));
        }
        let accepted = matches!(
            result,
            Ok(()) | Err(IncomingCallError::CallUuidAlreadyExists)
        );
        let Some(idx) = reporting else {
            let Some((call, end)) = completed.filter(|_| accepted) else {
                // Refused: CallKit never had the call, so a kept end is dropped.
                return Ok(());
            };
            if end.is_some() {
                // A call reported to be ended at once: CallKit has it now.
                PushTable::<PUSHES>::emit_end(call, end, self.now, out);
            } else if let Some((idx, _)) = self.calls.find(call) {
                // A duplicate push's report: CallKit accepting it confirms the call too.
                self.confirm_report(idx, out);
            }
            return Ok(());
        };
        if let Some(c) = self.calls.at_mut(idx) {
            c.report.push = None;
        }
        match result {
            _ if accepted => {
                self.confirm_report(idx, out);
            }
            Ok(()) => {}
            Err(error) => {
                // The raw code, named or not: what CallKit said reaches the log whole.
                log_transition!(
                    "push {=u64} report refused by CallKit: error {=i64}",
                    push.0,
                    error.raw()
                );
                let reason = match error {
                    IncomingCallError::FilteredByDoNotDisturb => RejectReason::DoNotDisturb,
                    IncomingCallError::FilteredByBlockList => RejectReason::Blocked,
                    _ => RejectReason::Failed,
                };
                // CallKit refused the call: it never rang, so there is nothing to report
                // as ended; the server learns why.
                self.calls
                    .end(idx, End::new(Release::Auto(reason), None), self.now, out);
            }
        }
        Ok(())
    }

    /// The push completion timer of `push` fired.
    pub(super) fn on_push_timer(
        &mut self,
        push: PushId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        if self.pushes.fire(push, self.now, out)?.is_none() {
            // Completed as its timer fired: nothing left to do.
            return Ok(());
        }
        // The report is overdue; CallKit has long processed it. Stop holding back ends
        // for its call.
        if let Some(idx) = self.calls.reporting(push) {
            self.confirm_report(idx, out);
        }
        Ok(())
    }

    /// CallKit now knows the call (its report completed, its push deadline passed, or
    /// CallKit performed an action on it): apply an end kept while it did not. Returns
    /// whether the call is still live at `idx`.
    pub(super) fn confirm_report(&mut self, idx: usize, out: &mut Effects<EFFECTS>) -> bool {
        let blank = self.blank_update();
        let Some(c) = self.calls.at_mut(idx) else {
            return false;
        };
        if !c.report.awaiting {
            return true;
        }
        c.report.awaiting = false;
        let call = c.id;
        let details = core::mem::take(&mut c.report.details_pending);
        match c.report.pending_end.take() {
            None => {
                if details {
                    // Details that came while the report was pending (a later push's,
                    // or the app's): CallKit can take them now.
                    out.set_call_update(c.update(blank));
                    out.push(Effect::ReportCallUpdated { call });
                }
                return true;
            }
            Some(PendingEnd::Local) if !self.transactions.is_full() => {
                let action = CallAction::EndCall { call };
                self.transactions
                    .request(call, TransactionKind::End, action, out);
                return true;
            }
            Some(kept) => self.calls.end(idx, kept.end(), self.now, out),
        }
        false
    }

    /// A call update with nothing known of the remote party, on the configured
    /// capabilities.
    pub(super) fn blank_update(&self) -> CallUpdate {
        let caps = self.config.capabilities;
        CallUpdate {
            remote_handle: None,
            localized_caller_name: None,
            has_video: false,
            supports_holding: caps.supports_holding,
            supports_grouping: caps.supports_grouping,
            supports_ungrouping: caps.supports_ungrouping,
            supports_dtmf: caps.supports_dtmf,
        }
    }

    fn update_from(&self, parsed: &PushPayload) -> CallUpdate {
        CallUpdate {
            remote_handle: parsed.handle.clone(),
            localized_caller_name: parsed.caller_name.clone(),
            has_video: parsed.has_video && self.config.provider.supports_video,
            ..self.blank_update()
        }
    }
}

/// `pushRegistry(_:didUpdate:for:)`: register the token, as lower-case hex.
pub(super) fn on_credentials<const N: usize>(
    token: &[u8],
    out: &mut Effects<N>,
) -> Result<(), Error> {
    out.set_push_token_hex(hex_token(token).ok_or(Error::InvalidPushToken)?);
    out.push(Effect::RegisterPushToken);
    Ok(())
}

/// The UUID an unusable push is reported under when the host's fallback UUID names the
/// app's own outgoing call: the v5 UUID of the fallback's 16 bytes and the push id's 8
/// (big-endian), in [`OPAQUE_ID_NAMESPACE`]'s namespace. Deterministic, and distinct
/// from the fallback.
pub fn unusable_push_id(fallback: CallId, push: PushId) -> CallId {
    let mut name = [0u8; 24];
    let (head, tail) = name.split_at_mut(16);
    head.copy_from_slice(fallback.as_bytes());
    tail.copy_from_slice(&push.0.to_be_bytes());
    CallId(uuid::Uuid::new_v5(&OPAQUE_ID_NAMESPACE, &name))
}

/// The token as lower-case hex, `None` when empty or over [`MAX_PUSH_TOKEN_LEN`] bytes.
pub(super) fn hex_token(token: &[u8]) -> Option<heapless::String<{ 2 * MAX_PUSH_TOKEN_LEN }>> {
    if token.is_empty() || token.len() > MAX_PUSH_TOKEN_LEN {
        return None;
    }
    let mut hex = heapless::String::new();
    for byte in token {
        write!(hex, "{byte:02x}").ok()?;
    }
    Some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(n: u8) -> CallId {
        CallId::from_bytes([n; 16])
    }

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn completions<const N: usize>(out: &Effects<N>) -> usize {
        out.iter()
            .filter(|e| matches!(e, Effect::CompletePush { .. }))
            .count()
    }

    #[test]
    fn a_tracked_push_starts_its_timer_and_completes_exactly_once() {
        let mut table: PushTable<2> = PushTable::new();
        let mut out: Effects<8> = Effects::new();
        table.track(PushId(1), call(1), at(10), 100, None, &mut out);
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
        assert_eq!((table.len(), table.is_empty()), (1, false));
        assert!(!table.completed_recently(PushId(1)));
        table.track(PushId(2), call(2), at(10), 100, None, &mut out);
        assert_eq!(table.len(), 2);
        out.clear();
        assert_eq!(table.complete(PushId(1), &mut out), Some((call(1), None)));
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
    }

    #[test]
    fn a_completion_timer_fires_only_when_due_and_is_not_cancelled() {
        let mut table: PushTable<2> = PushTable::new();
        let mut out: Effects<8> = Effects::new();
        table.track(PushId(1), call(1), at(0), 100, None, &mut out);
        out.clear();
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
        assert!(matches!(
            table.fire(PushId(1), at(100), &mut out),
            Ok(Some(_))
        ));
        assert_eq!(&out[..], &[Effect::CompletePush { push: PushId(1) }]);
        // Fired again (the host's timer raced its completion): no error, nothing done.
        out.clear();
        assert_eq!(table.fire(PushId(1), at(100), &mut out), Ok(None));
        assert!(out.is_empty());
    }

    #[test]
    fn a_full_table_completes_a_due_push_first_or_else_the_new_one_at_once() {
        let mut table: PushTable<1> = PushTable::new();
        let mut out: Effects<8> = Effects::new();
        table.track(PushId(1), call(1), at(0), 100, None, &mut out);
        out.clear();
        // Nothing due: the new push is completed at once, with no timer.
        table.track(PushId(2), call(2), at(50), 100, None, &mut out);
        assert_eq!(&out[..], &[Effect::CompletePush { push: PushId(2) }]);
        assert!(table.completed_recently(PushId(2)));
        out.clear();
        // The old push is due: it is completed and its timer cancelled, then the new one
        // is tracked.
        table.track(PushId(3), call(3), at(100), 100, None, &mut out);
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
    }

    #[test]
    fn completing_all_completes_each_pending_push_once_in_arrival_order() {
        let mut table: PushTable<3> = PushTable::new();
        let mut out: Effects<16> = Effects::new();
        for n in 1..=3 {
            table.track(PushId(n), call(1), at(0), 100, None, &mut out);
        }
        out.clear();
        table.complete_all(&mut out);
        assert_eq!(completions(&out), 3);
        assert_eq!(out.first(), Some(&Effect::CompletePush { push: PushId(1) }));
        assert_eq!(out.get(4), Some(&Effect::CompletePush { push: PushId(3) }));
        assert!(table.is_empty());
        out.clear();
        table.complete_all(&mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn a_kept_end_follows_a_fired_or_reclaimed_push_and_an_untracked_one_at_once() {
        let ended = |call: CallId, ms: u64| Effect::ReportCallEnded {
            call,
            at: at(ms),
            reason: CallEndedReason::Failed,
        };
        let end = Some(CallEndedReason::Failed);
        let mut table: PushTable<1> = PushTable::new();
        let mut out: Effects<8> = Effects::new();
        table.track(PushId(1), call(1), at(0), 100, end, &mut out);
        assert!(table.owes_end(call(1)) && !table.owes_end(call(2)));
        out.clear();
        // The table is full and nothing is due: completed at once, its end with it.
        table.track(PushId(2), call(2), at(50), 100, end, &mut out);
        assert_eq!(
            &out[..],
            &[Effect::CompletePush { push: PushId(2) }, ended(call(2), 50)]
        );
        out.clear();
        // Push 1 is due: reclaimed with its end, then push 3 tracked.
        table.track(PushId(3), call(3), at(100), 100, end, &mut out);
        assert_eq!(out.get(2), Some(&ended(call(1), 100)));
        out.clear();
        // Push 3's deadline: completed by its timer, with its end.
        assert!(matches!(
            table.fire(PushId(3), at(200), &mut out),
            Ok(Some(_))
        ));
        assert_eq!(
            &out[..],
            &[
                Effect::CompletePush { push: PushId(3) },
                ended(call(3), 200)
            ]
        );
        // CallKit ended a call itself: its kept end is dropped.
        out.clear();
        table.track(PushId(4), call(4), at(300), 100, end, &mut out);
        table.drop_ends(call(4));
        assert!(!table.owes_end(call(4)));
        assert_eq!(table.complete(PushId(4), &mut out), Some((call(4), None)));
    }

    #[test]
    fn tokens_are_lower_case_hex_within_the_length_limit() {
        assert_eq!(hex_token(&[0xAB, 0x01]).as_deref(), Some("ab01"));
        assert_eq!(hex_token(&[]), None);
        assert_eq!(hex_token(&[0; MAX_PUSH_TOKEN_LEN + 1]), None);
        let longest = hex_token(&[0xff; MAX_PUSH_TOKEN_LEN]);
        assert_eq!(longest.map(|h| h.len()), Some(2 * MAX_PUSH_TOKEN_LEN));
    }
}
