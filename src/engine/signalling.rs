//! The app's signalling stack: outgoing progress, the incoming connection, and remote
//! ends.
//!
//! Rules owned here: an outgoing call moves `Starting` -> `Connecting` -> `Connected`
//! only; a held answer is released once the connection is ready; a remote end of a call
//! CallKit does not know yet is kept, not reported.

use crate::effect::{Effect, Effects};
use crate::error::Error;
use crate::event::Timer;
use crate::log::log_transition;
use crate::types::{CallEndedReason, CallId};

use super::call::{CallPhase, Direction, End, PendingEnd, Release, State};
use super::Engine;

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    /// `startedConnectingAt` (and with `connected`, `connectedAt`) for an outgoing call.
    pub(super) fn on_outgoing_progress(
        &mut self,
        call: CallId,
        connected: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let now = self.now;
        let c = self.calls.get_mut(call).ok_or(Error::UnknownCall(call))?;
        match (c.state, connected) {
            (State::Starting { action }, _) => {
                out.push(Effect::ReportOutgoingCallStartedConnecting { call, at: now });
                out.push(Effect::FulfillAction { action });
                c.state = State::Connecting;
            }
            (State::Connecting, true) => {}
            _ => return Err(Error::WrongPhase(call)),
        }
        if connected {
            out.push(Effect::ReportOutgoingCallConnected { call, at: now });
            c.state = State::Connected;
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
        let c = self.calls.get_mut(call).ok_or(Error::UnknownCall(call))?;
        if c.direction() != Direction::Incoming {
            return Err(Error::WrongPhase(call));
        }
        c.connection_ready = true;
        if let State::Answering { action, .. } = c.state {
            out.push(Effect::CancelTimer {
                timer: Timer::AnswerConnect(call),
            });
            c.state = State::Answered;
            out.push(Effect::AnswerIncoming { call });
            out.push(Effect::FulfillAction { action });
            if audio {
                c.start_media(out);
            }
            log_transition!("call {} answered", call);
        }
        Ok(())
    }

    pub(super) fn on_remote_end(
        &mut self,
        call: CallId,
        reason: CallEndedReason,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let (idx, c) = self.calls.find_mut(call).ok_or(Error::UnknownCall(call))?;
        let unanswered = c.phase().unanswered();
        let elsewhere = matches!(
            reason,
            CallEndedReason::AnsweredElsewhere | CallEndedReason::DeclinedElsewhere
        );
        if c.phase() == CallPhase::Requested || (elsewhere && !unanswered) {
            return Err(Error::WrongPhase(call));
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
