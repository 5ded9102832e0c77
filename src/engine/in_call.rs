//! Hold, mute and DTMF: the actions on one established call, with one rule whether the
//! app requests them (`CXCallController`) or CallKit asks the app to perform them
//! (`CXProviderDelegate`).
//!
//! Rules owned here: hold needs an established call and `supportsHolding`; mute needs a
//! phase that allows media; DTMF needs an established call, `supportsDTMF` and 1 to
//! [`MAX_DTMF_DIGITS`] valid digits. A request the rule refuses is a typed error and no
//! transaction; a performed action it refuses is failed. A held call's media stops, and
//! starts again when it is resumed with the audio session active.

use heapless::String;

use crate::config::CallCapabilities;
use crate::effect::{CallAction, Effect};
use crate::effects::Effects;
use crate::error::Error;
use crate::limits::MAX_DTMF_DIGITS;
use crate::log::log_transition;
use crate::types::{ActionId, CallId, DtmfType};

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

/// An [`InCall`] action its rule allows, DTMF digits copied.
enum Allowed {
    Held(bool),
    Muted(bool),
    Dtmf(String<MAX_DTMF_DIGITS>, DtmfType),
}

impl InCall<'_> {
    /// The rule, for call `c` under `caps`: hold and DTMF need an established call
    /// ([`Error::WrongPhase`]) and the capability ([`Error::NotSupported`]); mute needs a
    /// phase that allows media ([`Error::WrongPhase`]); DTMF digits must be 1 to
    /// [`MAX_DTMF_DIGITS`] of `0-9 * # A-D ,` (a comma is a pause, as in
    /// `CXPlayDTMFCallAction`), else [`Error::InvalidDtmf`]. Checked in that order.
    fn check(self, c: &Call, caps: &CallCapabilities) -> Result<Allowed, Error> {
        let established = |supported: bool| {
            if !c.phase().is_established() {
                Err(Error::WrongPhase(c.id))
            } else if !supported {
                Err(Error::NotSupported(c.id))
            } else {
                Ok(())
            }
        };
        match self {
            InCall::Held(on_hold) => {
                established(caps.supports_holding)?;
                Ok(Allowed::Held(on_hold))
            }
            InCall::Muted(muted) if c.phase().media_allowed() => Ok(Allowed::Muted(muted)),
            InCall::Muted(_) => Err(Error::WrongPhase(c.id)),
            InCall::Dtmf(digits, kind) => {
                established(caps.supports_dtmf)?;
                let valid = |b: u8| {
                    b.is_ascii_digit()
                        || matches!(b, b'*' | b'#' | b'A'..=b'D' | b'a'..=b'd' | b',')
                };
                let mut copy = String::new();
                if digits.is_empty() || !digits.bytes().all(valid) || copy.push_str(digits).is_err()
                {
                    return Err(Error::InvalidDtmf);
                }
                Ok(Allowed::Dtmf(copy, kind))
            }
        }
    }
}

impl<const CALLS: usize, const PUSHES: usize, const EFFECTS: usize> Engine<CALLS, PUSHES, EFFECTS> {
    /// The app asks for `request` on `call`: a `CXTransaction` with its [`CallAction`]
    /// (DTMF digits in [`Effects::dtmf_digits`]) once the rule allows it and a
    /// transaction slot is free ([`Error::TransactionCapacity`]). For a call that ended
    /// moments ago (the user pressed the button as it ended), nothing.
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
        let mut digits = None;
        let action = match request.check(c, &caps)? {
            Allowed::Held(on_hold) => CallAction::SetHeld { call, on_hold },
            Allowed::Muted(muted) => CallAction::SetMuted { call, muted },
            Allowed::Dtmf(checked, kind) => {
                digits = Some(checked);
                CallAction::PlayDtmf { call, kind }
            }
        };
        if self.transactions.is_full() {
            return Err(Error::TransactionCapacity);
        }
        self.transactions
            .request(call, TransactionKind::Other, action, out);
        if let Some(digits) = digits {
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
    pub(super) fn on_perform_in_call(
        &mut self,
        action: ActionId,
        call: CallId,
        perform: InCall<'_>,
        out: &mut Effects<EFFECTS>,
    ) -> Result<(), Error> {
        let caps = self.config.capabilities;
        let audio = self.audio_active;
        let idx = self.locate(action, call)?;
        let allowed = idx
            .and_then(|i| self.calls.at_mut(i))
            .and_then(|c| Some((perform.check(c, &caps).ok()?, c)));
        let Some((allowed, c)) = allowed else {
            out.push(Effect::FailAction { action });
            return Ok(());
        };
        match allowed {
            Allowed::Held(on_hold) => {
                c.on_hold = on_hold;
                out.push(Effect::SetHeld { call, on_hold });
                c.sync_audio(audio, out);
                log_transition!("call {} held or resumed", call);
            }
            Allowed::Muted(muted) => {
                c.muted = muted;
                out.push(Effect::SetMuted { call, muted });
            }
            Allowed::Dtmf(digits, kind) => {
                out.push(Effect::PlayDtmf { call, kind });
                out.set_dtmf_digits(digits);
            }
        }
        out.push(Effect::FulfillAction { action });
        Ok(())
    }
}
