//! Hold, mute and DTMF: the actions on one established call, with one rule whether the
//! app requests them (`CXCallController`) or CallKit asks the app to perform them
//! (`CXProviderDelegate`).
//!
//! Rules owned here: hold needs an established call and `supportsHolding`; mute needs a
//! phase that allows media, or an answer waiting for its connection (muted from the
//! CallKit UI while the call connects, it starts muted); DTMF needs an established call, `supportsDTMF` and 1 to
//! [`MAX_DTMF_DIGITS`] valid digits. A request that breaks the rule is refused with a
//! typed error and makes no transaction; a performed action that breaks it is failed. A held call's media stops, and
//! starts again when it is resumed with the audio session active. Translation (a
//! performed `CXSetTranslatingCallAction` only) needs an answered or connected call,
//! `supportsAudioTranslation` and, to start, two valid language tags; it never touches
//! media, so a mute during it keeps the upstream audio flowing.

use heapless::String;

use super::phase::CallPhase;
use crate::config::CallCapabilities;
use crate::effect::{CallAction, Effect};
use crate::effects::Effects;
use crate::error::Error;
use crate::limits::MAX_DTMF_DIGITS;
use crate::types::{ActionId, CallId, DtmfType, LanguageTag, Translation};

use super::call::Call;
use super::transaction::TransactionKind;
use super::Engine;

/// A hold, mute or DTMF action on one call: `CXSetHeldCallAction`,
/// `CXSetMutedCallAction` or `CXPlayDTMFCallAction`, as its event carries it.
#[derive(Clone, Copy)]
pub(super) enum InCall<'a> {
    /// `isOnHold`.
    Held(bool),
    /// `isMuted`.
    Muted(bool),
    /// `digits` and `type`.
    Dtmf(&'a str, DtmfType),
}

impl InCall<'_> {
    /// The rule, for call `c` under `caps`: hold and DTMF need an established call
    /// ([`Error::WrongPhase`]) and the capability ([`Error::NotSupported`]); mute needs a
    /// phase that allows media, or an answer still waiting for its connection
    /// ([`Error::WrongPhase`]); DTMF digits must be 1 to
    /// [`MAX_DTMF_DIGITS`] of `0-9 * # A-D ,` (a comma is a pause, as in
    /// `CXPlayDTMFCallAction`), else [`Error::InvalidDtmf`]. Checked in that order.
    #[inline(always)]
    fn check(self, c: &Call, caps: &CallCapabilities) -> Result<(), Error> {
        let supported = match self {
            InCall::Muted(_) if c.phase().mute_applies() => return Ok(()),
            InCall::Muted(_) => return Err(Error::WrongPhase(c.id())),
            InCall::Held(_) => caps.supports_holding,
            InCall::Dtmf(..) => caps.supports_dtmf,
        };
        if !c.phase().is_established() {
            return Err(Error::WrongPhase(c.id()));
        }
        if !supported {
            return Err(Error::NotSupported(c.id()));
        }
        match self {
            InCall::Dtmf(digits, _) if !dtmf_valid(digits) => Err(Error::InvalidDtmf),
            _ => Ok(()),
        }
    }

    /// The digits of a DTMF action, copied for [`Effects::dtmf_digits`] (`None` for hold
    /// and mute; a DTMF action [`InCall::check`] allowed always has them).
    fn digits(self) -> Option<String<MAX_DTMF_DIGITS>> {
        match self {
            InCall::Dtmf(digits, _) => String::try_from(digits).ok(),
            _ => None,
        }
    }
}

/// 1 to [`MAX_DTMF_DIGITS`] bytes of `0-9 * # A-D ,`.
fn dtmf_valid(digits: &str) -> bool {
    let valid =
        |b: u8| b.is_ascii_digit() || matches!(b, b'*' | b'#' | b'A'..=b'D' | b'a'..=b'd' | b',');
    (1..=MAX_DTMF_DIGITS).contains(&digits.len()) && digits.bytes().all(valid)
}

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    /// The app asks for `request` on `call`: a `CXTransaction` with its [`CallAction`]
    /// (DTMF digits in [`Effects::dtmf_digits`]) once the rule allows it and a
    /// transaction slot is free ([`Error::TransactionCapacity`]). For a call that ended
    /// moments ago (the user pressed the button as it ended), nothing.
    #[inline(never)]
    pub(super) fn on_request_in_call(
        &mut self,
        call: CallId,
        request: InCall<'_>,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let caps = self.config.capabilities;
        let Some((_, c)) = self.calls.live_or_gone(call)? else {
            return Ok(());
        };
        request.check(c, &caps)?;
        let action = match request {
            InCall::Held(on_hold) => CallAction::SetHeld { call, on_hold },
            InCall::Muted(muted) => CallAction::SetMuted { call, muted },
            InCall::Dtmf(_, kind) => CallAction::PlayDtmf { call, kind },
        };
        if self.transactions.is_full() {
            return Err(Error::TransactionCapacity);
        }
        self.transactions
            .request(call, TransactionKind::Other, action, out);
        if let Some(digits) = request.digits() {
            out.set_dtmf_digits(digits);
        }
        Ok(())
    }

    /// CallKit asks the app to perform `perform` on `call` (action `action`): under the
    /// rule, the signalling effect and `FulfillAction` in this step, or `FailAction` (for
    /// an unknown call too). Holding stops the call's media and ringback, resuming with
    /// the audio session active starts them again: CallKit performs this action for the
    /// app's own hold requests too, and holds the active call itself before answering a
    /// waiting one, so this is where media follows hold in every case.
    #[inline(always)]
    pub(super) fn on_perform_in_call(
        &mut self,
        action: ActionId,
        call: CallId,
        perform: InCall<'_>,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let caps = self.config.capabilities;
        let ctx = self.ctx();
        let idx = self.calls.locate(action, call)?;
        let c = match idx.and_then(|i| self.calls.at_mut(i)) {
            Some(c) if perform.check(c, &caps).is_ok() => c,
            _ => {
                out.push(Effect::FailAction { action });
                return Ok(());
            }
        };
        match perform {
            InCall::Held(on_hold) => c.set_held(on_hold, &ctx, out),
            InCall::Muted(muted) => c.set_muted(muted, out),
            InCall::Dtmf(_, kind) => {
                out.push(Effect::PlayDtmf { call, kind });
                if let Some(digits) = perform.digits() {
                    out.set_dtmf_digits(digits);
                }
            }
        }
        out.push(Effect::FulfillAction { action });
        Ok(())
    }

    /// `CXSetTranslatingCallAction` (iOS 26) `action` on `call`: fulfilled, with
    /// [`Effect::StartTranslation`] or [`Effect::StopTranslation`] before it, for an
    /// answered or connected call (translation is "supported after call is connected")
    /// when `supportsAudioTranslation` is on and, to start, both languages are
    /// [`LanguageTag`]s; failed otherwise (an unknown call too). Stopping a call that is
    /// not translating is fulfilled with no other effect.
    pub(super) fn on_perform_translating(
        &mut self,
        action: ActionId,
        call: CallId,
        translating: bool,
        languages: (&str, &str),
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let supported = self.config.provider.supports_audio_translation;
        let idx = self.calls.locate(action, call)?;
        let translation = if translating {
            match (
                LanguageTag::parse(languages.0),
                LanguageTag::parse(languages.1),
            ) {
                (Some(local), Some(remote)) => Some(Some(Translation { local, remote })),
                _ => None,
            }
        } else {
            Some(None)
        };
        let connected = |c: &Call| matches!(c.phase(), CallPhase::Answered | CallPhase::Connected);
        match (idx.and_then(|i| self.calls.at_mut(i)), translation) {
            (Some(c), Some(translation)) if supported && connected(c) => {
                c.set_translation(translation, out);
                out.push(Effect::FulfillAction { action });
            }
            _ => out.push(Effect::FailAction { action }),
        }
        Ok(())
    }
}
