//! The app's signalling stack: outgoing progress, the incoming connection, and remote
//! ends.
//!
//! Rules owned here: an outgoing call moves `Starting` -> `Connecting` -> `Connected`
//! only; a deferred answer is released once the connection is ready; a remote end of a call
//! CallKit does not know yet is kept, not reported.

use crate::effect::Effect;
use crate::effects::Effects;
use crate::error::Error;
use crate::event::Timer;
use crate::log::log_transition;
use crate::types::{CallEndedReason, CallId, CallerName};

use super::phase::{CallPhase, Direction, State};
use super::teardown::{End, PendingEnd, Release};
use super::Engine;

/// How far an outgoing call got on the signalling leg.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Progress {
    /// `OutgoingCallConnecting`.
    Connecting,
    /// `OutgoingCallRinging` (SIP 180).
    Ringing,
    /// `OutgoingCallConnected`.
    Connected,
}

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
        let now = self.now;
        let audio = self.audio_active;
        let audio_deadline = self.audio_deadline();
        let blank = self.blank_update();
        let Some((_, c)) = self.calls.live_or_gone(call)? else {
            return Ok(());
        };
        match (c.state, progress) {
            (State::Starting { action }, _) => {
                out.push(Effect::ReportOutgoingCallStartedConnecting { call, at: now });
                out.push(Effect::FulfillAction { action });
                c.state = State::Connecting {
                    audio: None,
                    ringing: false,
                };
                c.arm_audio_timer(audio, audio_deadline, out);
                if core::mem::take(&mut c.report.details_pending) {
                    // Details the app gave before CallKit performed the start action.
                    out.set_call_update(c.update(blank));
                    out.push(Effect::ReportCallUpdated { call });
                }
            }
            (State::Connecting { .. }, Progress::Connected | Progress::Ringing) => {}
            _ => return Err(Error::WrongPhase(call)),
        }
        match progress {
            Progress::Connecting => {}
            Progress::Ringing => {
                if let State::Connecting { ringing, .. } = &mut c.state {
                    *ringing = true;
                }
                c.sync_audio(audio, out);
            }
            Progress::Connected => {
                out.push(Effect::ReportOutgoingCallConnected { call, at: now });
                c.state = State::Connected {
                    audio: c.audio_activation_deadline(),
                };
                c.sync_audio(audio, out);
            }
        }
        log_transition!("call {} {}", call, c.phase());
        Ok(())
    }

    pub(super) fn on_incoming_connected(
        &mut self,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let audio = self.audio_active;
        let audio_deadline = self.audio_deadline();
        let Some((_, c)) = self.calls.live_or_gone(call)? else {
            return Ok(());
        };
        if c.direction() != Direction::Incoming {
            return Err(Error::WrongPhase(call));
        }
        c.connection_ready = true;
        if let State::Answering { action, .. } = c.state {
            out.push(Effect::CancelTimer {
                timer: Timer::AnswerConnect(call),
            });
            c.state = State::ANSWERED;
            out.push(Effect::AnswerIncoming { call });
            out.push(Effect::FulfillAction { action });
            c.arm_audio_timer(audio, audio_deadline, out);
            c.sync_audio(audio, out);
            log_transition!("call {} answered", call);
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
        let fresh_name = name.is_some() && name != c.remote.caller_name;
        let fresh_video = has_video.is_some_and(|v| v != c.remote.has_video);
        if !(fresh_name || fresh_video) || c.report.pending_end.is_some() {
            return Ok(());
        }
        if fresh_name {
            c.remote.caller_name = name;
        }
        if let Some(video) = has_video {
            c.remote.has_video = video;
        }
        if c.report.awaiting || c.phase() == CallPhase::Requested {
            // CallKit does not know the call yet: send the details once it does.
            c.report.details_pending = true;
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
        let Some((idx, c)) = self.calls.live_or_gone(call)? else {
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
        if c.report.awaiting {
            // CallKit has not confirmed the call yet: keep the end and apply it when the
            // report completes (element-ios #1751, "stuck ringing forever").
            c.report.keep_end(PendingEnd::Remote {
                reason,
                release: Release::Nothing,
            });
            return Ok(());
        }
        let end = End::new(Release::Nothing, Some(reason));
        self.calls.end(idx, end, self.now, out);
        Ok(())
    }
}
