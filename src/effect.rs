//! Effects: everything the engine asks the host to do, one enum, in a bounded container.

use core::fmt;
use core::ops::Deref;

use crate::event::Timer;
use crate::payload::{PayloadError, PayloadField};
use crate::types::{
    ActionId, CallEndedReason, CallId, CallerName, DtmfType, Handle, Instant, PushId,
    TransactionId, MAX_DTMF_DIGITS, MAX_PUSH_TOKEN_LEN,
};

/// A `CXCallUpdate`: what CallKit shows for a call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CallUpdate {
    /// `remoteHandle` (`None` when the payload carried none: CallKit shows "Unknown").
    pub remote_handle: Option<Handle>,
    /// `localizedCallerName`.
    pub localized_caller_name: Option<CallerName>,
    /// `hasVideo`.
    pub has_video: bool,
    /// `supportsHolding`.
    pub supports_holding: bool,
    /// `supportsGrouping`.
    pub supports_grouping: bool,
    /// `supportsUngrouping`.
    pub supports_ungrouping: bool,
    /// `supportsDTMF`.
    pub supports_dtmf: bool,
}

/// Why the engine asks the signalling stack to reject an incoming call (what to tell the
/// server: SIP 486/603/480 or the equivalent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum RejectReason {
    /// The user declined (a `CXEndCallAction` on a ringing call).
    Declined = 1,
    /// Every call slot is taken.
    Busy = 2,
    /// CallKit filtered the call: `filteredByDoNotDisturb`.
    DoNotDisturb = 3,
    /// CallKit filtered the call: `filteredByBlockList`.
    Blocked = 4,
    /// Nobody answered before the ring time-out.
    Unanswered = 5,
    /// The call could not be served (report failed for another reason, answer time-out).
    Failed = 6,
}

impl RejectReason {
    /// The stable raw value (1-6), for hosts and the C ABI.
    pub const fn raw(self) -> u8 {
        self as u8
    }
}

/// A `CXCallAction` the engine asks `CXCallController.request(_:completion:)` to perform,
/// inside a `CXTransaction`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallAction {
    /// `CXStartCallAction(call:handle:)` with `isVideo`; the handle is
    /// [`Effects::handle`].
    StartCall {
        /// `callUUID`.
        call: CallId,
        /// `isVideo`.
        video: bool,
    },
    /// `CXEndCallAction(call:)`.
    EndCall {
        /// `callUUID`.
        call: CallId,
    },
    /// `CXSetHeldCallAction(call:onHold:)`.
    SetHeld {
        /// `callUUID`.
        call: CallId,
        /// `isOnHold`.
        on_hold: bool,
    },
    /// `CXSetMutedCallAction(call:muted:)`.
    SetMuted {
        /// `callUUID`.
        call: CallId,
        /// `isMuted`.
        muted: bool,
    },
    /// `CXPlayDTMFCallAction(call:digits:type:)`; the digits are
    /// [`Effects::dtmf_digits`].
    PlayDtmf {
        /// `callUUID`.
        call: CallId,
        /// `type`.
        kind: DtmfType,
    },
}

impl CallAction {
    /// The call the action is about.
    pub fn call(&self) -> CallId {
        match self {
            CallAction::StartCall { call, .. }
            | CallAction::EndCall { call }
            | CallAction::SetHeld { call, .. }
            | CallAction::SetMuted { call, .. }
            | CallAction::PlayDtmf { call, .. } => *call,
        }
    }
}

/// One thing for the host to do. Carry the effects of one step out in order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Effect {
    // --- CXProvider ---
    /// `CXProvider.reportNewIncomingCall(with:update:completion:)` with the
    /// `CXCallUpdate` in [`Effects::call_update`]. Call it before the PushKit delegate
    /// returns, and hand its completion back as
    /// [`Event::IncomingCallReported`](crate::Event::IncomingCallReported) with `push`.
    ReportNewIncomingCall {
        /// The push this report answers.
        push: PushId,
        /// The call's UUID.
        call: CallId,
    },
    /// `CXProvider.reportCall(with:updated:)` with the `CXCallUpdate` in
    /// [`Effects::call_update`].
    ReportCallUpdated {
        /// The call.
        call: CallId,
    },
    /// `CXProvider.reportOutgoingCall(with:startedConnectingAt:)`. `at` is on the host's
    /// monotonic clock; convert to a `Date` by offsetting from "now".
    ReportOutgoingCallStartedConnecting {
        /// The call.
        call: CallId,
        /// When.
        at: Instant,
    },
    /// `CXProvider.reportOutgoingCall(with:connectedAt:)`.
    ReportOutgoingCallConnected {
        /// The call.
        call: CallId,
        /// When.
        at: Instant,
    },
    /// `CXProvider.reportCall(with:endedAt:reason:)`.
    ReportCallEnded {
        /// The call.
        call: CallId,
        /// When.
        at: Instant,
        /// `CXCallEndedReason`.
        reason: CallEndedReason,
    },
    /// `CXAction.fulfill()` for the action the host handed in.
    FulfillAction {
        /// The action.
        action: ActionId,
    },
    /// `CXAction.fail()` for the action the host handed in.
    FailAction {
        /// The action.
        action: ActionId,
    },

    // --- PushKit ---
    /// Call the PushKit completion handler kept for `push`.
    CompletePush {
        /// The push.
        push: PushId,
    },

    // --- CXCallController ---
    /// `CXCallController.request(CXTransaction(action:), completion:)`; hand the
    /// completion back as [`Event::TransactionCompleted`](crate::Event::TransactionCompleted).
    RequestTransaction {
        /// The engine's name for this request.
        transaction: TransactionId,
        /// The action to request.
        action: CallAction,
    },

    // --- Signalling / VoIP stack ---
    /// Start connecting an incoming call's signalling leg now, in parallel with the
    /// CallKit report (Apple: "Responding to VoIP Notifications from PushKit").
    ConnectIncoming {
        /// The call.
        call: CallId,
    },
    /// Answer the incoming call on the signalling leg (it is connected).
    AnswerIncoming {
        /// The call.
        call: CallId,
    },
    /// Reject an unanswered incoming call and tell the server why.
    RejectIncoming {
        /// The call.
        call: CallId,
        /// Why.
        reason: RejectReason,
    },
    /// Hang up an answered or outgoing call (release its signalling leg).
    HangUp {
        /// The call.
        call: CallId,
    },
    /// Hold or resume the call on the signalling leg.
    SetHold {
        /// The call.
        call: CallId,
        /// Hold (`true`) or resume.
        on_hold: bool,
    },
    /// Mute or unmute the call's microphone stream.
    SetMute {
        /// The call.
        call: CallId,
        /// Mute (`true`) or unmute.
        muted: bool,
    },
    /// Merge the call into another's group (conference), or split it out (`None`).
    SetGroup {
        /// The call.
        call: CallId,
        /// The call to group with.
        group_with: Option<CallId>,
    },
    /// Send the DTMF digits in [`Effects::dtmf_digits`] on the call.
    SendDtmf {
        /// The call.
        call: CallId,
        /// `CXPlayDTMFCallAction.ActionType`.
        kind: DtmfType,
    },
    /// Start an outgoing call's signalling to the handle in [`Effects::handle`].
    StartOutgoing {
        /// The call.
        call: CallId,
        /// Video call.
        video: bool,
    },
    /// Register the device's VoIP push token, [`Effects::push_token_hex`], with the
    /// server.
    RegisterPushToken,
    /// Tell the server the VoIP push token is no longer valid.
    UnregisterPushToken,

    // --- Audio ---
    /// Configure `AVAudioSession` for a call (`.playAndRecord`, `.voiceChat`) without
    /// activating it; CallKit activates it and says so with `didActivate`.
    ConfigureAudioSession,
    /// Start the call's media streams (the audio session is active).
    StartMedia {
        /// The call.
        call: CallId,
    },
    /// Stop the call's media streams.
    StopMedia {
        /// The call.
        call: CallId,
    },

    // --- Timers ---
    /// Arm `timer` to fire at `deadline` (replacing nothing: each timer is started at
    /// most once until it fires or is cancelled).
    StartTimer {
        /// Which timer.
        timer: Timer,
        /// When, on the host's monotonic clock.
        deadline: Instant,
    },
    /// Disarm `timer`; it must not be fired.
    CancelTimer {
        /// Which timer.
        timer: Timer,
    },
}

impl Effect {
    /// The call the effect is about, if any.
    pub fn call(&self) -> Option<CallId> {
        match self {
            Effect::ReportNewIncomingCall { call, .. }
            | Effect::ReportCallUpdated { call, .. }
            | Effect::ReportOutgoingCallStartedConnecting { call, .. }
            | Effect::ReportOutgoingCallConnected { call, .. }
            | Effect::ReportCallEnded { call, .. }
            | Effect::ConnectIncoming { call }
            | Effect::AnswerIncoming { call }
            | Effect::RejectIncoming { call, .. }
            | Effect::HangUp { call }
            | Effect::SetHold { call, .. }
            | Effect::SetMute { call, .. }
            | Effect::SetGroup { call, .. }
            | Effect::SendDtmf { call, .. }
            | Effect::StartOutgoing { call, .. }
            | Effect::StartMedia { call }
            | Effect::StopMedia { call } => Some(*call),
            Effect::RequestTransaction { action, .. } => Some(action.call()),
            Effect::StartTimer { timer, .. } | Effect::CancelTimer { timer } => match timer {
                Timer::Ring(call) | Timer::AnswerConnect(call) => Some(*call),
                Timer::PushCompletion(_) => None,
            },
            Effect::FulfillAction { .. }
            | Effect::FailAction { .. }
            | Effect::CompletePush { .. }
            | Effect::RegisterPushToken
            | Effect::UnregisterPushToken
            | Effect::ConfigureAudioSession => None,
        }
    }
}

/// Why the engine reported a VoIP push's call to CallKit and ends it at once instead of
/// ringing it (the iOS 13 rule wants every VoIP push reported, Apple DTS forums thread
/// 817976). Carried by the step that makes the report, beside its effects
/// ([`Effects::push_end_reason`]), so the host can log it when it happens. It names the
/// schema field involved, never payload bytes or key text.
///
/// Raw values ([`PushEndReason::raw`]) are stable, for the C ABI. `#[non_exhaustive]`:
/// a later version may end pushes for new reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PushEndReason {
    /// The payload could not be read (raw 1): too large, nested too deep, malformed, a
    /// wrong type, ... ([`PayloadError`]), found while reading `field` (`None` outside
    /// any schema field: the size, the text between fields, a skipped value).
    Unreadable {
        /// Why.
        error: PayloadError,
        /// The schema field being read.
        field: Option<PayloadField>,
    },
    /// A cancel push without a call id (raw 2): the schema's cancel must name the call
    /// it withdraws.
    MissingCallId,
    /// A cancel push for a call that is not ringing here (raw 3).
    CancelledUnknownCall,
    /// A push for a call that ended moments ago (raw 4): a late or repeated copy.
    CallEnded,
    /// Every call slot is taken (raw 5); the caller is rejected as busy.
    CallCapacity,
    /// The push names the app's own outgoing call (raw 6); reported under
    /// [`unusable_push_id`](crate::unusable_push_id) or the fallback UUID.
    OutgoingCallId,
}

impl PushEndReason {
    /// The stable raw value (1-6) of the reason's kind.
    pub const fn raw(&self) -> u8 {
        match self {
            PushEndReason::Unreadable { .. } => 1,
            PushEndReason::MissingCallId => 2,
            PushEndReason::CancelledUnknownCall => 3,
            PushEndReason::CallEnded => 4,
            PushEndReason::CallCapacity => 5,
            PushEndReason::OutgoingCallId => 6,
        }
    }
}

/// The number of effects one step can produce at most, for an engine with `calls` call
/// slots and `pushes` pending-push slots.
///
/// The worst step is `providerDidReset` with every slot full: per call one
/// `CancelTimer`, one `StopMedia` and one signalling release (3 each), per push one
/// `CancelTimer` and one `CompletePush` (2 each). Every other event names at most one
/// call's teardown (at most 5 effects) plus the push bookkeeping around it (at most 4:
/// an expired push slot reclaimed with the end it kept, and the new push's timer),
/// or touches each call's media once (`didActivate` / `didDeactivate`).
/// [`Engine::new`](crate::Engine::new) refuses to compile when the effect capacity is
/// below this.
pub const fn effects_needed(calls: usize, pushes: usize) -> usize {
    let reset = calls
        .saturating_mul(3)
        .saturating_add(pushes.saturating_mul(2));
    let single = 9;
    let audio = calls;
    let mut most = reset;
    if single > most {
        most = single;
    }
    if audio > most {
        most = audio;
    }
    most
}

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
/// [`effects_needed`] for the engine's capacities, so no effect is ever dropped.
/// Dereferences to `[Effect]`. The strings and the call update that some effects need
/// live here, not in each [`Effect`], which keeps one step's effects small
/// (`size_of::<Effects<28>>()` is about 1.4 KiB):
///
/// | effect | its data |
/// | --- | --- |
/// | [`Effect::ReportNewIncomingCall`], [`Effect::ReportCallUpdated`] | [`Effects::call_update`] |
/// | [`Effect::StartOutgoing`], [`CallAction::StartCall`] | [`Effects::handle`] |
/// | [`Effect::SendDtmf`], [`CallAction::PlayDtmf`] | [`Effects::dtmf_digits`] |
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
    /// [`CallAction::StartCall`] request.
    pub fn handle(&self) -> Option<&Handle> {
        match &self.data {
            StepData::Handle(handle) => Some(handle),
            _ => None,
        }
    }

    /// The digits for this step's [`Effect::SendDtmf`] or [`CallAction::PlayDtmf`]
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

    /// Whether an effect had to be dropped for lack of room. Never true when `N` is at
    /// least [`effects_needed`] (which [`Engine::new`](crate::Engine::new) enforces); the
    /// tests and fuzz targets check it as a witness of that bound.
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
