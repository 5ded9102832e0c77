//! `CXProviderDelegate`: the actions CallKit asks the app to perform, `providerDidReset`,
//! and the audio session.
//!
//! Rules owned here: every action is fulfilled or failed exactly once, in the step it
//! arrives or (answer, start) when it is released from its call's deferred state; an action
//! id already deferred is refused; media runs only while the audio session is active and the
//! call's phase allows it.

use crate::limits::MAX_DTMF_DIGITS;
use heapless::Vec;

use crate::effect::{Effect, RejectReason};
use crate::effects::Effects;
use crate::error::Error;
use crate::event::Timer;
use crate::log::log_transition;
use crate::types::{ActionId, CallEndedReason, CallId, DtmfType, Handle, HandleType};

use super::call::Call;
use super::phase::{CallPhase, State};
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

    /// In one pass over the calls: refuses an action id that is already deferred for
    /// another action, and finds the call's slot.
    fn locate(&self, action: ActionId, call: CallId) -> Result<Option<usize>, Error> {
        let mut found = None;
        for (i, c) in self.calls.iter().enumerate() {
            if c.deferred_action() == Some(action) {
                return Err(Error::DuplicateAction(action));
            }
            if c.id == call {
                found = Some(i);
            }
        }
        Ok(found)
    }

    /// Performs an action that completes in the same step: `apply` updates the call and
    /// pushes its signalling effects, returning `true`, or returns `false` (having changed
    /// nothing) to fail the action. An unknown call fails it too.
    pub(super) fn perform_simple(
        &mut self,
        action: ActionId,
        call: CallId,
        out: &mut Effects<EFFECTS>,
        apply: impl FnOnce(&mut Call, &mut Effects<EFFECTS>) -> bool,
    ) -> Result<(), Error> {
        let idx = self.locate(action, call)?;
        let done = match idx.and_then(|i| self.calls.at_mut(i)) {
            Some(c) => apply(c, out),
            None => false,
        };
        out.push(if done {
            Effect::FulfillAction { action }
        } else {
            Effect::FailAction { action }
        });
        Ok(())
    }

    /// `CXSetHeldCallAction`: only for an established call, with holding supported. A
    /// held call's media (and ringback) stops; unheld while the audio session is active,
    /// it starts again. CallKit performs this action for the app's own hold requests
    /// too, and holds the active call itself before answering a waiting one, so this is
    /// where media follows hold in every case.
    pub(super) fn on_perform_held(
        &mut self,
        action: ActionId,
        call: CallId,
        on_hold: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let supports = self.config.capabilities.supports_holding;
        let audio = self.audio_active;
        self.perform_simple(action, call, out, |c, out| {
            if !(supports && c.phase().is_established()) {
                return false;
            }
            c.on_hold = on_hold;
            out.push(Effect::SetHeld { call, on_hold });
            c.sync_audio(audio, out);
            log_transition!("call {} held or resumed", call);
            true
        })
    }

    /// `CXSetMutedCallAction`: only while media may run.
    pub(super) fn on_perform_muted(
        &mut self,
        action: ActionId,
        call: CallId,
        muted: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        self.perform_simple(action, call, out, |c, out| {
            let allowed = c.phase().media_allowed();
            if allowed {
                c.muted = muted;
                out.push(Effect::SetMuted { call, muted });
            }
            allowed
        })
    }

    /// `CXEndCallAction`. For a call the engine does not know, CallKit still wants it
    /// gone: fulfilling lets it go, failing would leave CallKit's UI ringing.
    pub(super) fn on_perform_end(
        &mut self,
        action: ActionId,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        if let Some(idx) = self.locate(action, call)? {
            let end = End::new(Release::Auto(RejectReason::Declined), None);
            self.calls.end(idx, end, self.now, out);
        } else {
            // A call reported to be ended at once that CallKit ends itself: its end is
            // no longer owed.
            self.pushes.drop_ends(call);
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
        self.locate(action, call)?;
        if self.set_group(call, group_with) {
            out.push(Effect::SetGroup { call, group_with });
            out.push(Effect::FulfillAction { action });
        } else {
            out.push(Effect::FailAction { action });
        }
        Ok(())
    }

    /// `CXPlayDTMFCallAction`: under the same rule as its request ([`Dtmf::check`]).
    pub(super) fn on_perform_dtmf(
        &mut self,
        action: ActionId,
        call: CallId,
        digits: &str,
        kind: DtmfType,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let dtmf = self.dtmf(digits);
        self.perform_simple(action, call, out, |c, out| match dtmf.check(c) {
            Ok(digits) => {
                out.push(Effect::PlayDtmf { call, kind });
                out.set_dtmf_digits(digits);
                true
            }
            Err(_) => false,
        })
    }

    /// `provider(_:timedOutPerforming:)` for a deferred answer or start action.
    pub(super) fn on_timed_out_performing(
        &mut self,
        action: ActionId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some(idx) = self
            .calls
            .iter()
            .position(|c| c.deferred_action() == Some(action))
        else {
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
        for c in self.calls.iter_mut() {
            if active {
                c.disarm_audio_timer(false, out);
            }
            c.sync_audio(active, out);
        }
    }

    pub(super) fn on_perform_answer(
        &mut self,
        action: ActionId,
        call: CallId,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        // CallKit asking to answer proves it knows the call, whatever its report says;
        // a kept end applied now removes the call.
        let idx = self
            .locate(action, call)?
            .filter(|&idx| self.confirm_report(idx, out));
        let audio = self.audio_active;
        let deadline = self
            .now
            .saturating_add_ms(self.config.answer_connect_timeout_ms);
        let audio_deadline = self.audio_deadline();
        let Some(c) = idx.and_then(|idx| self.calls.at_mut(idx)) else {
            out.push(Effect::FailAction { action });
            return Ok(());
        };
        if c.phase() != CallPhase::Ringing || c.report.pending_end.is_some() {
            out.push(Effect::FailAction { action });
            return Ok(());
        }
        out.push(Effect::CancelTimer {
            timer: Timer::Ring(call),
        });
        out.push(Effect::ConfigureAudioSession);
        if c.connection_ready {
            c.state = State::ANSWERED;
            out.push(Effect::AnswerIncoming { call });
            out.push(Effect::FulfillAction { action });
            c.arm_audio_timer(audio, audio_deadline, out);
            c.sync_audio(audio, out);
        } else {
            // Not connected yet (cold start from a push): hold the action until the
            // connection is ready, and fail it after a bound (as Signal does).
            c.state = State::Answering { action, deadline };
            out.push(Effect::StartTimer {
                timer: Timer::AnswerConnect(call),
                deadline,
            });
        }
        log_transition!("call {} {}", call, c.phase());
        Ok(())
    }

    pub(super) fn on_perform_start(
        &mut self,
        action: ActionId,
        call: CallId,
        handle: &str,
        handle_type: HandleType,
        video: bool,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let Some(idx) = self.locate(action, call)? else {
            // Only calls the app requested are started; CallKit ends the call.
            out.push(Effect::FailAction { action });
            return Ok(());
        };
        let provider = self.config.provider;
        let audio = self.audio_active;
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
        let ending = c.report.pending_end.take();
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
        c.state = State::Starting { action };
        c.remote.handle = Some(handle.clone());
        c.remote.has_video = video;
        out.push(Effect::ConfigureAudioSession);
        out.set_handle(handle);
        out.push(Effect::StartOutgoing { call, video });
        c.sync_audio(audio, out);
        log_transition!("call {} starting", call);
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
        let my_label = me.group;
        match group_with {
            Some(other) => {
                let Some(them) = self.calls.get(other) else {
                    return false;
                };
                if other == call || !caps.supports_grouping || !them.phase().is_established() {
                    return false;
                }
                let label = them.group;
                if label == my_label {
                    return true;
                }
                let members = self.calls.iter().filter(|c| c.group == label).count();
                if members >= usize::from(limits.maximum_calls_per_call_group) {
                    return false;
                }
                if let Some(c) = self.calls.get_mut(call) {
                    c.group = label;
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
                    .filter(|c| c.group == my_label && c.id != call);
                // The call leaves; if it lent the group its label, the rest take a new one.
                let Some(heir) = others.next().map(|c| c.id) else {
                    return true;
                };
                if self.group_count() >= usize::from(limits.maximum_call_groups) {
                    return false;
                }
                for c in self.calls.iter_mut() {
                    if c.id == call {
                        c.group = call;
                    } else if my_label == call && c.group == call {
                        c.group = heir;
                    }
                }
                true
            }
        }
    }

    fn group_count(&self) -> usize {
        let mut labels: Vec<CallId, CALLS> = Vec::new();
        for c in self.calls.iter() {
            if !labels.contains(&c.group) {
                let _ = labels.push(c.group);
            }
        }
        labels.len()
    }
}

/// A `CXPlayDTMFCallAction`'s digits, checked, and whether the configuration supports
/// DTMF: the rule a DTMF request and a performed DTMF action share.
pub(super) struct Dtmf {
    /// The digits if they are 1 to [`MAX_DTMF_DIGITS`] of `0-9 * # A-D ,` (a comma is
    /// a pause, as in `CXPlayDTMFCallAction`), else `None`.
    digits: Option<heapless::String<MAX_DTMF_DIGITS>>,
    supported: bool,
}

impl Dtmf {
    /// The digits to play on `c`, for an established call ([`Error::WrongPhase`]) with
    /// DTMF supported ([`Error::NotSupported`]) and valid digits ([`Error::InvalidDtmf`]),
    /// checked in that order.
    pub(super) fn check(self, c: &Call) -> Result<heapless::String<MAX_DTMF_DIGITS>, Error> {
        established(c, self.supported)?;
        self.digits.ok_or(Error::InvalidDtmf)
    }
}

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    /// `digits`, checked, under this engine's capabilities.
    pub(super) fn dtmf(&self, digits: &str) -> Dtmf {
        let valid = |b: u8| {
            b.is_ascii_digit() || matches!(b, b'*' | b'#' | b'A'..=b'D' | b'a'..=b'd' | b',')
        };
        let mut checked = heapless::String::new();
        let ok =
            !digits.is_empty() && digits.bytes().all(valid) && checked.push_str(digits).is_ok();
        Dtmf {
            digits: ok.then_some(checked),
            supported: self.config.capabilities.supports_dtmf,
        }
    }
}

/// An established call (an answered incoming or a connected outgoing one), with the
/// capability the action needs: refused with [`Error::WrongPhase`], then
/// [`Error::NotSupported`].
#[inline]
pub(super) fn established(c: &Call, supports: bool) -> Result<(), Error> {
    if !c.phase().is_established() {
        return Err(Error::WrongPhase(c.id));
    }
    if !supports {
        return Err(Error::NotSupported(c.id));
    }
    Ok(())
}
