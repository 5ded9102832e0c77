//! `CXProviderDelegate`: the actions CallKit asks the app to perform (hold, mute and DTMF
//! in `in_call.rs`), `providerDidReset`, and the audio session.
//!
//! Rules owned here: every action is fulfilled or failed exactly once, in the step it
//! arrives or (answer, start) when it is released from its call's deferred state; an action
//! id already deferred is refused. Each handler looks its call up and hands the action to
//! the call's transition (`call.rs`), which emits its timers, media and ringback.

use heapless::Vec;

use crate::effect::{Effect, RejectReason};
use crate::effects::Effects;
use crate::error::Error;
use crate::log::log_transition;
use crate::types::{ActionId, CallEndedReason, CallId, Handle, HandleType};

use super::call::Call;
use super::phase::CallPhase;
use super::teardown::{End, PendingEnd, Release, Spent};
use super::Engine;

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    /// `providerDidReset`. Kept out of line, like [`Engine::on_push`]: rare, and large.
    #[inline(never)]
    pub(super) fn on_reset(&mut self, out: &mut Effects<EFFECTS>) {
        // Every call goes, in slot order, without shifting the table once per call.
        // providerDidReset voids every action: none may be fulfilled or failed.
        self.calls.end_all(self.now, out);
        self.pushes.complete_all(out);
        self.transactions.clear();
        self.audio_active = false;
        log_transition!("provider reset");
    }

    /// `CXEndCallAction`. For a call the engine does not know, CallKit still wants it
    /// gone: fulfilling lets it go, failing would leave CallKit's UI ringing.
    pub(super) fn on_perform_end(
        &mut self,
        action: ActionId,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        if let Some(idx) = self.calls.locate(action, call)? {
            let end = End::new(Release::Auto(RejectReason::Declined), None);
            self.calls.end(idx, end, self.now, out);
        } else {
            // A call reported to be ended at once that CallKit ends itself: its end is
            // no longer owed.
            self.calls.drop_endings_of(call);
        }
        out.push(Effect::FulfillAction { action });
        Ok(())
    }

    /// `CXSetGroupCallAction`.
    pub(super) fn on_perform_group(
        &mut self,
        action: ActionId,
        call: CallId,
        group_with: Option<CallId>,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        self.calls.locate(action, call)?;
        if self.set_group(call, group_with) {
            out.push(Effect::SetGroup { call, group_with });
            out.push(Effect::FulfillAction { action });
        } else {
            out.push(Effect::FailAction { action });
        }
        Ok(())
    }

    /// `provider(_:timedOutPerforming:)` for a deferred answer or start action.
    pub(super) fn on_timed_out_performing(
        &mut self,
        action: ActionId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some(idx) = self.calls.deferring_slot(action) else {
            // CallKit's time-out raced the action's fulfil or fail (or the action's
            // call ended): it is resolved already, nothing to void.
            return Ok(());
        };
        // CallKit gave up on it: it must be neither fulfilled nor failed.
        self.calls
            .end(idx, End::failed().spent(Spent::Action), self.now, out);
        Ok(())
    }

    /// `provider(_:didActivate:)` (`active`) or `didDeactivate`: every call's media and
    /// ringback follow (held calls stay silent); activation disarms every
    /// audio-activation time-out.
    pub(super) fn on_audio_session(&mut self, active: bool, out: &mut Effects<EFFECTS>) {
        self.audio_active = active;
        let ctx = self.ctx();
        for c in self.calls.iter_mut() {
            c.audio_session(&ctx, out);
        }
    }

    /// `CXAnswerCallAction`: answered at once with the connection ready, deferred until
    /// it is otherwise ([`Call::answer`](super::call::Call)); failed for a call that is
    /// not ringing, is unknown, or has an end kept.
    pub(super) fn on_perform_answer(
        &mut self,
        action: ActionId,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        // CallKit asking to answer proves it knows the call, whatever its report says;
        // a kept end applied now removes the call.
        let idx = self
            .calls
            .locate(action, call)?
            .filter(|&idx| self.confirm_report(idx, out));
        let ctx = self.ctx();
        let deadline = self
            .now
            .saturating_add_ms(self.config.answer_connect_timeout_ms);
        let answered = idx.is_some_and(|idx| self.calls.answer(idx, action, deadline, &ctx, out));
        if !answered {
            out.push(Effect::FailAction { action });
        }
        Ok(())
    }

    /// `CXStartCallAction` for a call the app requested: signalling starts and the
    /// action waits for it to connect; failed for any other call, for a handle or video
    /// the provider does not support, or when the app ended the call meanwhile.
    pub(super) fn on_perform_start(
        &mut self,
        action: ActionId,
        call: CallId,
        handle: &str,
        handle_type: HandleType,
        video: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some(idx) = self.calls.locate(action, call)? else {
            // Only calls the app requested are started; CallKit ends the call.
            out.push(Effect::FailAction { action });
            return Ok(());
        };
        let provider = self.config.provider;
        let ctx = self.ctx();
        let Some(c) = self.calls.at_mut(idx) else {
            return Ok(());
        };
        if c.phase() != CallPhase::Requested {
            out.push(Effect::FailAction { action });
            return Ok(());
        }
        let handle = Handle::new(handle_type, handle).filter(|h| !h.value.is_empty());
        let allowed = (!video || provider.supports_video)
            && provider.supported_handle_types.contains(handle_type);
        let ending = c.take_kept_end();
        let (Some(handle), true, None) = (handle, allowed, ending) else {
            let reason = match ending {
                Some(PendingEnd::Remote { reason, .. }) => reason,
                _ => CallEndedReason::Failed,
            };
            out.push(Effect::FailAction { action });
            let end = End::new(Release::Nothing, Some(reason));
            self.calls.end(idx, end, self.now, out);
            return Ok(());
        };
        self.calls.start(idx, action, &handle, video, &ctx, out);
        out.set_handle(handle);
        Ok(())
    }

    /// Applies `CXSetGroupCallAction` if the call, its capabilities and the provider's
    /// group limits allow it; returns whether it did.
    fn set_group(&mut self, call: CallId, group_with: Option<CallId>) -> bool {
        let caps = self.config.capabilities;
        let limits = self.config.provider;
        let Some(me) = self.calls.get(call) else {
            return false;
        };
        if !me.phase().is_established() {
            return false;
        }
        let my_label = me.group();
        match group_with {
            Some(other) => {
                let Some(them) = self.calls.get(other) else {
                    return false;
                };
                if other == call || !caps.supports_grouping || !them.phase().is_established() {
                    return false;
                }
                let label = them.group();
                if label == my_label {
                    return true;
                }
                let members = self.calls.iter().filter(|c| c.group() == label).count();
                if members >= usize::from(limits.maximum_calls_per_call_group) {
                    return false;
                }
                if let Some(c) = self.calls.get_mut(call) {
                    c.set_group(label);
                }
                true
            }
            None => {
                if !caps.supports_ungrouping {
                    return false;
                }
                let mut others = self
                    .calls
                    .iter()
                    .filter(|c| c.group() == my_label && c.id() != call);
                // The call leaves; if it lent the group its label, the rest take a new one.
                let Some(heir) = others.next().map(Call::id) else {
                    return true;
                };
                if self.group_count() >= usize::from(limits.maximum_call_groups) {
                    return false;
                }
                for c in self.calls.iter_mut() {
                    if c.id() == call {
                        c.set_group(call);
                    } else if my_label == call && c.group() == call {
                        c.set_group(heir);
                    }
                }
                true
            }
        }
    }

    fn group_count(&self) -> usize {
        let mut labels: Vec<CallId, CALLS> = Vec::new();
        for c in self.calls.iter() {
            if !labels.contains(&c.group()) {
                let _ = labels.push(c.group());
            }
        }
        labels.len()
    }
}
