//! Incoming calls: the engine's handling of a VoIP push, of a call announced over the
//! app's own connection, of a report's result and of the push credentials (the push
//! table itself is `push_table.rs`).
//!
//! Rules owned here: every push is reported in the step it arrives, report first, unless
//! PushKit says it need not be (`mustReport == false`) and the engine would only report
//! and end it; a push or announcement for a live incoming call is the same call (reported
//! under its UUID for a push, creating nothing); a push the engine cannot ring is
//! reported and ended at once; a push older than the maximum push age is a missed call;
//! once CallKit knows a call, what was kept while it did not (an end, new details) is
//! applied ([`Engine::confirm_report`]).

use crate::limits::{MAX_HANDLE_LEN, MAX_PUSH_TOKEN_LEN};
use core::fmt::Write as _;

use crate::effect::{CallAction, CallUpdate, Effect, PushEndReason, RejectReason};
use crate::effects::Effects;
use crate::error::Error;
use crate::event::{IncomingReport, ReportResult};
use crate::log::log_transition;
use crate::payload::{PushKind, PushPayload, OPAQUE_ID_NAMESPACE};
use crate::types::{
    CallEndedReason, CallId, CallerName, Handle, HandleType, IncomingCallError, PushId,
};

use super::call::{blank_update, emit_end, Confirmed, Remote};
use super::phase::Direction;
use super::teardown::{End, PendingEnd, Release};
use super::transaction::TransactionKind;
use super::Engine;

/// How a VoIP push arrived: PushKit's `mustReport` and the host's wall clock.
#[derive(Clone, Copy, Debug)]
pub(super) struct Arrival {
    /// `PKVoIPPushMetadata.mustReport` (`None` before iOS 26.4).
    pub(super) must_report: Option<bool>,
    /// The host's wall clock, in milliseconds since the Unix epoch.
    pub(super) received_at_unix_ms: Option<u64>,
}

impl Arrival {
    /// Whether PushKit lets the push go unreported (`mustReport == false`).
    #[inline]
    fn may_skip_report(self) -> bool {
        self.must_report == Some(false)
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
        arrival: Arrival,
        out: &mut Effects<EFFECTS>,
    ) {
        let skip = arrival.may_skip_report();
        let parsed = self.config.schema.parse_at(payload);
        let parsed = match parsed {
            Ok(p) => p,
            Err((error, field)) => {
                log_transition!("push payload malformed: {}", error);
                let why = PushEndReason::Unreadable { error, field };
                self.report_unusable(push, fallback, self.blank_update(), why, skip, out);
                return;
            }
        };
        let call = match parsed.call {
            Some(call) => call,
            // A cancel without an id is a cancel for no call here (below).
            None if self.config.schema.require_call_id && parsed.kind == PushKind::Call => {
                let update = self.update_from(&parsed);
                let why = PushEndReason::MissingCallId;
                self.report_unusable(push, fallback, update, why, skip, out);
                return;
            }
            None => fallback,
        };
        let live = self.calls.find(call).map(|(idx, c)| (idx, c.direction()));
        match live {
            Some((_, Direction::Outgoing)) => {
                // A push naming the app's own outgoing call is no copy of it, and CallKit
                // may not hold that UUID yet: reporting under it could ring a second,
                // incoming call of that UUID. It is unusable like a malformed one.
                let update = self.update_from(&parsed);
                let why = PushEndReason::OutgoingCallId;
                self.report_unusable(push, fallback, update, why, skip, out);
            }
            Some((idx, Direction::Incoming)) => {
                self.on_repeat_push(idx, push, &parsed, skip, out);
            }
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
                self.report_and_end(push, call, update, reason, None, why, skip, out);
            }
            None if self.stale(&parsed, arrival) => {
                // Sent longer ago than the caller rings: a missed call, never rung.
                log_transition!("push {=u64} stale: missed call", push.0);
                let update = self.update_from(&parsed);
                let reason = CallEndedReason::Unanswered;
                let why = PushEndReason::Stale;
                self.report_and_end(push, call, update, reason, None, why, skip, out);
            }
            None if self.calls.is_full() => {
                let update = self.update_from(&parsed);
                let reject = Effect::RejectIncoming {
                    call,
                    reason: RejectReason::Busy,
                };
                let reason = CallEndedReason::Failed;
                let why = PushEndReason::CallCapacity;
                self.report_and_end(push, call, update, reason, Some(reject), why, skip, out);
            }
            None => self.ring(Some(push), call, &parsed, out),
        }
    }

    /// Whether the push was sent longer than [`Config::max_push_age_ms`] before it
    /// arrived: both its sent time and the host's wall clock known, and the sent time
    /// not in the future (clock skew counts as fresh).
    ///
    /// [`Config::max_push_age_ms`]: crate::Config::max_push_age_ms
    fn stale(&self, parsed: &PushPayload, arrival: Arrival) -> bool {
        match (parsed.sent_at_unix_ms, arrival.received_at_unix_ms) {
            (Some(sent), Some(received)) => {
                received.saturating_sub(sent) > self.config.max_push_age_ms
            }
            _ => false,
        }
    }

    /// An incoming call announced over the app's own connection
    /// ([`Event::IncomingCallAnnounced`](crate::Event::IncomingCallAnnounced)).
    pub(super) fn on_announced(
        &mut self,
        call: CallId,
        handle: &str,
        handle_type: HandleType,
        caller_name: Option<&str>,
        video: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Ok(value) = heapless::String::<MAX_HANDLE_LEN>::try_from(handle) else {
            return Err(Error::InvalidHandle);
        };
        let announced = PushPayload {
            call: Some(call),
            kind: PushKind::Call,
            handle: (!value.is_empty()).then_some(Handle {
                kind: handle_type,
                value,
            }),
            caller_name: caller_name
                .filter(|n| !n.is_empty())
                .map(CallerName::truncating),
            has_video: video,
            ring_timeout_ms: None,
            sent_at_unix_ms: None,
        };
        let blank = self.blank_update();
        match self.calls.find(call).map(|(idx, c)| (idx, c.direction())) {
            Some((_, Direction::Outgoing)) => Err(Error::CallExists(call)),
            Some((idx, Direction::Incoming)) => {
                // Pushed first: the same call. New details are merged, nothing reported.
                if let Some(c) = self.calls.at_mut(idx) {
                    if c.merge_push_details(&announced) {
                        out.set_call_update(c.update(blank));
                        out.push(Effect::ReportCallUpdated { call });
                    }
                }
                Ok(())
            }
            // Over already (ended here, or before it was announced): nothing to ring.
            None if self.ended(call) => Ok(()),
            None if self.calls.is_full() => {
                out.push(Effect::RejectIncoming {
                    call,
                    reason: RejectReason::Busy,
                });
                self.calls.remember_ended(call);
                Ok(())
            }
            None => {
                self.ring(None, call, &announced, out);
                Ok(())
            }
        }
    }

    /// Whether `call` ended lately, or is reported to be ended once CallKit has it.
    fn ended(&self, call: CallId) -> bool {
        self.calls.ended_recently(call) || self.calls.owes_end(call)
    }

    /// A new incoming call, pushed (`push`) or announced over the app's connection:
    /// report it, connect its signalling, start its ring timer.
    fn ring(
        &mut self,
        push: Option<PushId>,
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
        if let Some(push) = push {
            self.track_push(push, call, None, out);
        }
        let ctx = self.ctx();
        // Cannot fail: the table was checked for room above.
        let _ = self.calls.ring(call, remote, push, deadline, &ctx, out);
    }

    /// A push for a call that is already live: report under its UUID (CallKit answers
    /// `callUUIDAlreadyExists`, which is success), or with `skip` complete it without a
    /// report; create nothing, and apply a cancel.
    fn on_repeat_push(
        &mut self,
        idx: usize,
        push: PushId,
        parsed: &PushPayload,
        skip: bool,
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
        // The report's update, or the update sent with `reportCall(with:updated:)`.
        if !skip || may_update {
            out.set_call_update(c.update(blank));
        }
        self.report_or_let_go(push, call, None, skip, out);
        if cancel && !report_pending {
            let end = End::new(Release::HangUp, Some(CallEndedReason::RemoteEnded));
            self.calls.end(idx, end, self.now, out);
        } else if may_update {
            out.push(Effect::ReportCallUpdated { call });
        }
    }

    /// Reports `call` for `push` and keeps the push (with `end`, the end its report
    /// owes) until its result; or, with `skip` (`mustReport == false`), completes the push
    /// at once without a report.
    fn report_or_let_go(
        &mut self,
        push: PushId,
        call: CallId,
        end: Option<PendingEnd>,
        skip: bool,
        out: &mut Effects<EFFECTS>,
    ) {
        if skip {
            self.complete_unreported(push, out);
            return;
        }
        out.push(Effect::ReportNewIncomingCall {
            push: Some(push),
            call,
        });
        self.track_push(push, call, end, out);
    }

    /// Completes `push` at once without a report (`mustReport == false`): its call is
    /// one the engine would only report and end, or a live call CallKit already has.
    fn complete_unreported(&mut self, push: PushId, out: &mut Effects<EFFECTS>) {
        self.calls.forget_push(push);
        out.push(Effect::CompletePush { push });
        log_transition!("push {=u64} completed without a report", push.0);
    }

    /// A push the engine cannot ring (malformed, or naming the app's outgoing call):
    /// reported under the host's fallback UUID and ended at once as failed. If the host
    /// handed in the UUID of a live incoming call as the fallback, the report goes under
    /// it (CallKit answers `callUUIDAlreadyExists`) and that call is left alone. If the
    /// fallback names a live outgoing call, CallKit may not hold it yet (a report could
    /// ring a second call of that UUID), so the report goes under a UUID derived from
    /// the fallback and the push id ([`unusable_push_id`]) and is ended at once.
    ///
    /// With `skip` (`mustReport == false`) nothing is reported: the push is completed at
    /// once, and the step still says `why`.
    #[allow(clippy::too_many_arguments)]
    fn report_unusable(
        &mut self,
        push: PushId,
        fallback: CallId,
        update: CallUpdate,
        why: PushEndReason,
        skip: bool,
        out: &mut Effects<EFFECTS>,
    ) {
        let blank = self.blank_update();
        let live = self
            .calls
            .get(fallback)
            .map(|c| (c.direction(), c.update(blank)));
        match live {
            Some((Direction::Incoming, _)) if skip => {
                out.set_push_end_reason(why);
                self.complete_unreported(push, out);
            }
            Some((Direction::Incoming, update)) => {
                out.set_call_update(update);
                self.report_or_let_go(push, fallback, None, false, out);
            }
            Some((Direction::Outgoing, _)) => {
                let call = unusable_push_id(fallback, push);
                let reason = CallEndedReason::Failed;
                self.report_and_end(push, call, update, reason, None, why, skip, out);
            }
            None => {
                let reason = CallEndedReason::Failed;
                self.report_and_end(push, fallback, update, reason, None, why, skip, out);
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
    ///
    /// With `skip` (`mustReport == false`) nothing is reported or ended: the push is
    /// completed at once (no ghost call in the UI or in Recents). A stale push's step
    /// also tells the app of the missed call ([`Effect::MissedCall`], with the caller's
    /// details in the step's call update).
    #[allow(clippy::too_many_arguments)]
    fn report_and_end(
        &mut self,
        push: PushId,
        call: CallId,
        update: CallUpdate,
        reason: CallEndedReason,
        signal: Option<Effect>,
        why: PushEndReason,
        skip: bool,
        out: &mut Effects<EFFECTS>,
    ) {
        let missed = why == PushEndReason::Stale;
        if !skip || missed {
            out.set_call_update(update);
        }
        out.set_push_end_reason(why);
        let kept = PendingEnd::Remote {
            reason,
            release: Release::Nothing,
        };
        self.report_or_let_go(push, call, Some(kept), skip, out);
        if let Some(signal) = signal {
            out.push(signal);
        }
        if missed {
            out.push(Effect::MissedCall { call });
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

    /// The completion of a `reportNewIncomingCall`.
    pub(super) fn on_reported(
        &mut self,
        report: IncomingReport,
        result: ReportResult,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        match report {
            IncomingReport::Push(push) => self.on_push_reported(push, result, out),
            IncomingReport::Call(call) => self.on_call_reported(call, result, out),
        }
    }

    /// The completion of the report made without a push for `call` (announced over the
    /// app's connection).
    fn on_call_reported(
        &mut self,
        call: CallId,
        result: ReportResult,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some(idx) = self.calls.position(call) else {
            // Ended as its report completed: nothing left to do.
            return if self.ended(call) {
                Ok(())
            } else {
                Err(Error::UnknownCall(call))
            };
        };
        let pending = self
            .calls
            .at_mut(idx)
            .is_some_and(|c| c.take_report_without_push());
        if pending {
            self.report_result(idx, result, out);
        }
        // Otherwise its result came already: nothing left to do.
        Ok(())
    }

    fn on_push_reported(
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
        self.report_result(idx, result, out);
        Ok(())
    }

    /// CallKit's answer to the report that created the call at `idx`: accepted, the
    /// call is confirmed; refused, it never rang, and ends with the server told why.
    fn report_result(&mut self, idx: usize, result: ReportResult, out: &mut Effects<EFFECTS>) {
        let accepted = matches!(
            result,
            Ok(()) | Err(IncomingCallError::CallUuidAlreadyExists)
        );
        match result {
            _ if accepted => {
                self.confirm_report(idx, out);
            }
            Ok(()) => {}
            Err(error) => {
                // The raw code, named or not: what CallKit said reaches the log whole.
                log_transition!(
                    "incoming call report refused by CallKit: error {=i64}",
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
