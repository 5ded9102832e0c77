//! The app's signalling stack: outgoing progress, the incoming connection, and remote
//! ends.
//!
//! Rules owned here: an outgoing call moves `Starting` -> `Connecting` -> `Connected`
//! only; a deferred answer is released once the connection is ready; a remote end of a call
//! CallKit does not know yet is kept, not reported.

use crate::effect::Effect;
use crate::effects::Effects;
use crate::error::Error;
use crate::log::log_transition;
use crate::types::{CallEndedReason, CallId, CallerName, RefusalReason};

use super::call::Progress;
use super::phase::{CallPhase, Direction};
use super::teardown::{End, PendingEnd, Release};
use super::Engine;

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    /// An outgoing call's progress on the signalling leg. From `Starting` any progress
    /// reports `startedConnectingAt` first and fulfils the start action, arming the
    /// audio-activation time-out; then `Connected` reports `connectedAt` (stopping
    /// ringback), and `Ringing` (SIP 180) lets ringback play once the audio session is
    /// active. A second 180 changes nothing; so does any progress for a call that ended
    /// moments ago.
    pub(super) fn on_outgoing_progress(
        &mut self,
        call: CallId,
        progress: Progress,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some((idx, c)) = self.calls.live_or_gone(call)? else {
            return Ok(());
        };
        // Any progress releases a starting call; a connecting one can only ring or
        // connect.
        let starting = c.starting();
        let onward = c.connecting() && progress != Progress::Connecting;
        if !(starting || onward) {
            return Err(Error::WrongPhase(call));
        }
        let ctx = self.ctx();
        let caps = self.config.capabilities;
        self.calls
            .progress(idx, starting, progress, caps, &ctx, out);
        Ok(())
    }

    /// [`Event::IncomingCallConnected`](crate::Event::IncomingCallConnected): the
    /// connection is ready, and a deferred answer is released.
    pub(super) fn on_incoming_connected(
        &mut self,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some((idx, _)) = self.calls.live_or_gone(call)? else {
            return Ok(());
        };
        let ctx = self.ctx();
        if !self.calls.connected(idx, &ctx, out) {
            return Err(Error::WrongPhase(call));
        }
        Ok(())
    }

    /// [`Event::CallDetailsChanged`](crate::Event::CallDetailsChanged).
    pub(super) fn on_details_changed(
        &mut self,
        call: CallId,
        caller_name: Option<&str>,
        has_video: Option<bool>,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let supports_video = self.config.provider.supports_video;
        let blank = self.blank_update();
        let Some((_, c)) = self.calls.live_or_gone(call)? else {
            // The call ended as the details arrived: nothing to show them on.
            return Ok(());
        };
        if has_video == Some(true) && !supports_video {
            return Err(Error::NotSupported(call));
        }
        let name = caller_name
            .filter(|n| !n.is_empty())
            .map(CallerName::truncating);
        // While CallKit does not know the call yet, the details wait with it.
        if !c.merge_app_details(name, has_video) {
            return Ok(());
        }
        out.set_call_update(c.update(blank));
        out.push(Effect::ReportCallUpdated { call });
        log_transition!("call {} details updated", call);
        Ok(())
    }

    pub(super) fn on_remote_end(
        &mut self,
        call: CallId,
        reason: CallEndedReason,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let found = match self.calls.live_or_gone(call) {
            Err(Error::UnknownCall(_)) if reason != CallEndedReason::Failed => {
                // The remote side ended a call whose push has not arrived yet (the
                // caller hung up, another device answered or declined, and the app's
                // connection said so first): remember why, so that the push is reported
                // and ended at once instead of ringing.
                self.calls.remember_early_end(call, reason);
                log_transition!("call {} ended before its push", call);
                return Ok(());
            }
            found => found?,
        };
        let Some((idx, c)) = found else {
            // The call ended moments ago (the user hung up as the remote end arrived):
            // nothing left to end.
            return Ok(());
        };
        let unanswered = c.phase().unanswered();
        let elsewhere = matches!(
            reason,
            CallEndedReason::AnsweredElsewhere | CallEndedReason::DeclinedElsewhere
        );
        if c.phase() == CallPhase::Requested {
            return Err(Error::WrongPhase(call));
        }
        if elsewhere && !unanswered {
            // The user answered here as another device answered or declined: the server
            // settles it, and ends this leg (RemoteEnded) if the other device won.
            return Ok(());
        }
        if c.report_pending() {
            // CallKit has not confirmed the call yet: keep the end and apply it when the
            // report completes (element-ios #1751, "stuck ringing forever").
            c.keep_end(PendingEnd::Remote {
                reason,
                release: Release::Nothing,
            });
            return Ok(());
        }
        let end = End::new(Release::Nothing, Some(reason));
        self.calls.end(idx, end, self.now, out);
        Ok(())
    }

    /// [`Event::OutgoingCallRefused`](crate::Event::OutgoingCallRefused): the far end of
    /// a starting or connecting outgoing call refused it (busy, declined, unavailable):
    /// the call ends with the reason's `CXCallEndedReason`, a deferred start action
    /// failed, the leg not released (signalling told us). Nothing for a call that ended
    /// moments ago.
    pub(super) fn on_outgoing_refused(
        &mut self,
        call: CallId,
        reason: RefusalReason,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some((idx, c)) = self.calls.live_or_gone(call)? else {
            return Ok(());
        };
        let outgoing_unanswered = c.direction() == Direction::Outgoing
            && matches!(c.phase(), CallPhase::Starting | CallPhase::Connecting);
        if !outgoing_unanswered {
            return Err(Error::WrongPhase(call));
        }
        log_transition!("call {} refused by the far end", call);
        let end = End::new(Release::Nothing, Some(reason.ended_reason()));
        self.calls.end(idx, end, self.now, out);
        Ok(())
    }
}
