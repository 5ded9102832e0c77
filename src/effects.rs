//! The effects of one step: [`Effects`], a bounded container with the one piece of
//! variable-size data the step carries. Its capacity bound is
//! [`effects_needed`](crate::limits::effects_needed).

use core::fmt;
use core::ops::Deref;

use crate::effect::{CallUpdate, Effect, PushEndReason};
use crate::limits::{MAX_DTMF_DIGITS, MAX_PUSH_TOKEN_LEN};
use crate::types::Handle;

/// The one piece of variable-size data a step carries, kept beside the effects so that
/// [`Effect`] itself stays small (40 bytes): no step needs more than one of these.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum StepData {
    None,
    CallUpdate(CallUpdate),
    Handle(Handle),
    DtmfDigits(heapless::String<MAX_DTMF_DIGITS>),
    PushTokenHex(heapless::String<{ 2 * MAX_PUSH_TOKEN_LEN }>),
}

/// The effects of one step, in the order to carry them out, plus the one piece of
/// variable-size data they refer to.
///
/// Holds at most `N` effects with no allocation; `N` is checked at compile time against
/// [`effects_needed`](crate::limits::effects_needed) for the engine's capacities, so no
/// effect is ever dropped.
/// Dereferences to `[Effect]`. The strings and the call update that some effects need
/// live here, not in each [`Effect`], which keeps one step's effects small
/// (`size_of::<Effects<32>>()` is about 1.5 KiB):
///
/// | effect | its data |
/// | --- | --- |
/// | [`Effect::ReportNewIncomingCall`], [`Effect::ReportCallUpdated`] | [`Effects::call_update`] |
/// | [`Effect::StartOutgoing`], [`CallAction::StartCall`](crate::CallAction::StartCall) | [`Effects::outgoing_handle`] |
/// | [`Effect::PlayDtmf`], [`CallAction::PlayDtmf`](crate::CallAction::PlayDtmf) | [`Effects::dtmf_digits`] |
/// | [`Effect::RegisterPushToken`] | [`Effects::push_token_hex`] |
#[derive(Clone, PartialEq, Eq)]
pub struct Effects<const N: usize> {
    items: heapless::Vec<Effect, N>,
    data: StepData,
    push_end: Option<PushEndReason>,
    overflowed: bool,
}

impl<const N: usize> Default for Effects<N> {
    fn default() -> Self {
        Effects::new()
    }
}

impl<const N: usize> Effects<N> {
    /// An empty container, for [`Engine::handle_into`](crate::Engine::handle_into).
    pub const fn new() -> Self {
        Effects {
            items: heapless::Vec::new(),
            data: StepData::None,
            push_end: None,
            overflowed: false,
        }
    }

    /// Empties the container (done by [`Engine::handle_into`](crate::Engine::handle_into)
    /// before each step).
    pub fn clear(&mut self) {
        self.items.clear();
        self.data = StepData::None;
        self.push_end = None;
        self.overflowed = false;
    }

    pub(crate) fn set_push_end_reason(&mut self, reason: PushEndReason) {
        self.push_end = Some(reason);
    }

    /// Why this step's [`Effect::ReportNewIncomingCall`] reports a call the engine ends
    /// at once instead of ringing it (`None` for every other step). The matching
    /// [`Effect::ReportCallEnded`] follows once CallKit accepted the report.
    pub fn push_end_reason(&self) -> Option<PushEndReason> {
        self.push_end
    }

    pub(crate) fn set_call_update(&mut self, update: CallUpdate) {
        self.data = StepData::CallUpdate(update);
    }

    pub(crate) fn set_handle(&mut self, handle: Handle) {
        self.data = StepData::Handle(handle);
    }

    pub(crate) fn set_dtmf_digits(&mut self, digits: heapless::String<MAX_DTMF_DIGITS>) {
        self.data = StepData::DtmfDigits(digits);
    }

    pub(crate) fn set_push_token_hex(&mut self, hex: heapless::String<{ 2 * MAX_PUSH_TOKEN_LEN }>) {
        self.data = StepData::PushTokenHex(hex);
    }

    /// The `CXCallUpdate` for this step's [`Effect::ReportNewIncomingCall`] or
    /// [`Effect::ReportCallUpdated`] (`None` when the step has neither).
    pub fn call_update(&self) -> Option<&CallUpdate> {
        match &self.data {
            StepData::CallUpdate(update) => Some(update),
            _ => None,
        }
    }

    /// The handle for this step's [`Effect::StartOutgoing`] or
    /// [`CallAction::StartCall`](crate::CallAction::StartCall) request.
    pub fn outgoing_handle(&self) -> Option<&Handle> {
        match &self.data {
            StepData::Handle(handle) => Some(handle),
            _ => None,
        }
    }

    /// The digits for this step's [`Effect::PlayDtmf`] or [`CallAction::PlayDtmf`](crate::CallAction::PlayDtmf)
    /// request (`0-9 * # A-D ,`, at most [`MAX_DTMF_DIGITS`] bytes).
    pub fn dtmf_digits(&self) -> Option<&str> {
        match &self.data {
            StepData::DtmfDigits(digits) => Some(digits.as_str()),
            _ => None,
        }
    }

    /// The lower-case hex push token for this step's [`Effect::RegisterPushToken`]
    /// (twice the token's length, at most `2 * MAX_PUSH_TOKEN_LEN` characters).
    pub fn push_token_hex(&self) -> Option<&str> {
        match &self.data {
            StepData::PushTokenHex(hex) => Some(hex.as_str()),
            _ => None,
        }
    }

    pub(crate) fn push(&mut self, effect: Effect) {
        if self.items.push(effect).is_err() {
            self.overflowed = true;
        }
    }

    /// Whether an effect had to be dropped for lack of room. Not part of the public API
    /// (hidden, and exempt from semver): never true when `N` is at least
    /// [`effects_needed`](crate::limits::effects_needed) (which creating an
    /// [`Engine`](crate::Engine) enforces at compile time), and kept
    /// only so that the crate's own tests and fuzz targets can check it as a witness of
    /// that bound.
    #[doc(hidden)]
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// The effects as a slice.
    pub fn as_slice(&self) -> &[Effect] {
        &self.items
    }
}

impl<const N: usize> Deref for Effects<N> {
    type Target = [Effect];
    fn deref(&self) -> &[Effect] {
        &self.items
    }
}

impl<'a, const N: usize> IntoIterator for &'a Effects<N> {
    type Item = &'a Effect;
    type IntoIter = core::slice::Iter<'a, Effect>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<const N: usize> IntoIterator for Effects<N> {
    type Item = Effect;
    type IntoIter = heapless::vec::IntoIter<Effect, N, usize>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<const N: usize> fmt::Debug for Effects<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Effects")
            .field("effects", &self.items.as_slice())
            .field("data", &self.data)
            .field("push_end", &self.push_end)
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl<const N: usize> defmt::Format for Effects<N> {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "{} {} {}",
            self.items.as_slice(),
            self.data,
            self.push_end
        )
    }
}
