//! A call's audio: its media stream, its local ringback tone and its audio-activation
//! wait, kept in line with the audio session and the call's hold.
//!
//! Rules owned here: media runs only while the audio session is active, the phase
//! allows media and the call is not on hold; ringback plays only under the same
//! session and hold conditions, for an outgoing call whose remote side rings; the
//! audio-activation time-out is armed only while the session is inactive, once per
//! fulfilled answer or start.

use crate::effect::Effect;
use crate::effects::Effects;
use crate::event::Timer;
use crate::types::Instant;

use super::call::Call;

impl Call {
    /// Brings the call's media and ringback in line with the rules, starting or stopping
    /// each as needed (media before ringback): media runs only while the audio session
    /// is `active`, the phase allows media and the call is not on hold; ringback plays
    /// only while the session is active, the call is not on hold, and it is outgoing,
    /// connecting and its remote side rings.
    #[inline]
    pub(super) fn sync_audio<const N: usize>(&mut self, active: bool, out: &mut Effects<N>) {
        let call = self.id;
        let media = active && !self.on_hold && self.phase().media_allowed();
        if media != self.media {
            self.media = media;
            out.push(if media {
                Effect::StartMedia { call }
            } else {
                Effect::StopMedia { call }
            });
        }
        let ringback = active && !self.on_hold && self.remote_ringing();
        if ringback != self.ringback {
            self.ringback = ringback;
            out.push(if ringback {
                Effect::StartRingback { call }
            } else {
                Effect::StopRingback { call }
            });
        }
    }

    /// Arms the audio-activation time-out at `deadline` when the audio session is not
    /// `active`, for an answer or start action just fulfilled (the phase must be
    /// `Answered`, `Connecting` or `Connected`; nothing otherwise, or when armed).
    #[inline]
    pub(super) fn arm_audio_timer<const N: usize>(
        &mut self,
        active: bool,
        deadline: Instant,
        out: &mut Effects<N>,
    ) {
        let timer = Timer::AudioActivation(self.id);
        if let (false, Some(slot @ None)) = (active, self.state.audio_slot()) {
            *slot = Some(deadline);
            out.push(Effect::StartTimer { timer, deadline });
        }
    }

    /// Disarms the audio-activation time-out: with a `CancelTimer` unless it `fired`.
    /// Returns whether it was armed.
    #[inline]
    pub(super) fn disarm_audio_timer<const N: usize>(
        &mut self,
        fired: bool,
        out: &mut Effects<N>,
    ) -> bool {
        let timer = Timer::AudioActivation(self.id);
        match self.state.audio_slot() {
            Some(slot @ Some(_)) => {
                *slot = None;
                if !fired {
                    out.push(Effect::CancelTimer { timer });
                }
                true
            }
            _ => false,
        }
    }
}
