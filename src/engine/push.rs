//! PushKit: the engine's handling of a VoIP push, of its report's result and of the push
//! credentials (the push table itself is `push_table.rs`).
//!
//! Rules owned here: every push is reported in the step it arrives, report first; a push
//! for a live incoming call is reported under its UUID and creates nothing; a push the
//! engine cannot ring is reported and ended at once; once CallKit knows a call, what was
//! kept while it did not (an end, new details) is applied ([`Engine::confirm_report`]).

use crate::limits::MAX_PUSH_TOKEN_LEN;
use core::fmt::Write as _;

use crate::effect::{CallAction, CallUpdate, Effect, PushEndReason, RejectReason};
use crate::effects::Effects;
use crate::error::Error;
use crate::event::ReportResult;
use crate::log::log_transition;
use crate::payload::{PushKind, PushPayload, OPAQUE_ID_NAMESPACE};
use crate::types::{CallEndedReason, CallId, IncomingCallError, PushId};

use super::call::{blank_update, emit_end, Confirmed, Remote};
use super::phase::Direction;
use super::teardown::{End, PendingEnd, Release};
use super::transaction::TransactionKind;
use super::Engine;

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
                // A call that ended before its push keeps the remote side's reason.
                let reason = self
                    .calls
                    .late_end_reason(call)
                    .unwrap_or(CallEndedReason::RemoteEnded);
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
        self.calls.ended_recently(call) || self.calls.owes_end(call)
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
        out.set_call_update(update);
        out.push(Effect::ReportNewIncomingCall { push, call });
        self.track_push(push, call, None, out);
        let ctx = self.ctx();
        // Cannot fail: the table was checked for room above.
        let _ = self.calls.ring(call, remote, push, deadline, &ctx, out);
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
        let call = c.id();
        let incoming = c.direction() == Direction::Incoming;
        let cancel = parsed.kind == PushKind::Cancel && incoming && c.phase().unanswered();
        // While CallKit has not confirmed the call, new details wait with it
        // ([`Engine::confirm_report`]).
        let may_update = !cancel && incoming && c.merge_push_details(parsed);
        let report_pending = c.report_pending();
        if cancel && report_pending {
            c.keep_end(PendingEnd::Remote {
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
    /// lost, and an "Unknown" call then rings.
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
        let kept = PendingEnd::Remote {
            reason,
            release: Release::Nothing,
        };
        self.track_push(push, call, Some(kept), out);
        if let Some(signal) = signal {
            out.push(signal);
        }
        self.calls.remember_ended(call);
    }

    /// Keeps the push until its report's completion or its deadline, with the end it
    /// reports `end` (for a call reported to be ended at once), making room first by
    /// completing a push whose deadline has passed (`PushTable::reclaim_due`, with its
    /// kept end). With no room, the push is completed at once and its end follows in
    /// the same step.
    fn track_push(
        &mut self,
        push: PushId,
        call: CallId,
        end: Option<PendingEnd>,
        out: &mut Effects<EFFECTS>,
    ) {
        // A push id is the host's to reuse once its push was completed: the newest
        // report made under it is the one its next result answers, so older calls stop
        // listening for that id.
        self.calls.forget_push(push);
        let now = self.now;
        if let Some(done) = self.pushes.reclaim_due(now, out) {
            self.calls.release_ending(done, now, out);
        }
        let deadline = now.saturating_add_ms(self.config.push_completion_timeout_ms);
        let tracked = self.pushes.track(push, call, deadline, out);
        match end {
            Some(end) if tracked => self.calls.keep_ending(push, call, end, now, out),
            Some(end) => emit_end(call, None, end.end(), now, out),
            None => {}
        }
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
        if completed.is_some() && (!accepted || reporting.is_some()) {
            // Refused: CallKit never had the call, so an end kept for it is dropped (a
            // push that reported a live call keeps none).
            self.calls.drop_ending(push);
        }
        let Some(idx) = reporting else {
            let Some(call) = completed.filter(|_| accepted) else {
                return Ok(());
            };
            // A call reported to be ended at once: CallKit has it now.
            if !self.calls.release_ending(push, self.now, out) {
                if let Some((idx, _)) = self.calls.find(call) {
                    // A duplicate push's report: CallKit accepting it confirms the call.
                    self.confirm_report(idx, out);
                }
            }
            return Ok(());
        };
        if let Some(c) = self.calls.at_mut(idx) {
            c.forget_push(push);
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
        // The deadline passed: CallKit has long processed the report, and has the call
        // of a push reported to be ended at once.
        self.calls.release_ending(push, self.now, out);
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
        let call = c.id();
        match c.confirm(blank, out) {
            Confirmed::Live => return true,
            Confirmed::EndRequested if !self.transactions.is_full() => {
                let action = CallAction::EndCall { call };
                self.transactions
                    .request(call, TransactionKind::End, action, out);
                return true;
            }
            Confirmed::EndRequested => {
                self.calls.end(idx, PendingEnd::Local.end(), self.now, out);
            }
            Confirmed::Ends(end) => self.calls.end(idx, end, self.now, out),
        }
        false
    }

    /// A call update with nothing known of the remote party, on the configured
    /// capabilities.
    #[inline]
    pub(super) fn blank_update(&self) -> CallUpdate {
        blank_update(self.config.capabilities)
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
pub(crate) fn unusable_push_id(fallback: CallId, push: PushId) -> CallId {
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

    #[test]
    fn tokens_are_lower_case_hex_within_the_length_limit() {
        assert_eq!(hex_token(&[0xAB, 0x01]).as_deref(), Some("ab01"));
        assert_eq!(hex_token(&[]), None);
        assert_eq!(hex_token(&[0; MAX_PUSH_TOKEN_LEN + 1]), None);
        let longest = hex_token(&[0xff; MAX_PUSH_TOKEN_LEN]);
        assert_eq!(longest.map(|h| h.len()), Some(2 * MAX_PUSH_TOKEN_LEN));
    }
}
