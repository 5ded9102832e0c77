//! Effects: everything the engine asks the host to do, one enum ([`Effect`]), with the
//! CallKit values it carries. The bounded container of one step's effects is
//! [`Effects`](crate::Effects).

use crate::event::Timer;
use crate::payload::{PayloadError, PayloadField};
use crate::types::{
    ActionId, CallEndedReason, CallId, CallerName, DtmfType, Handle, Instant, PushId, TransactionId,
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
    /// [`Effects::outgoing_handle`](crate::Effects::outgoing_handle).
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
    /// `CXAnswerCallAction(call:)`: the user answered in the app's own UI.
    AnswerCall {
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
    /// [`Effects::dtmf_digits`](crate::Effects::dtmf_digits).
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
            | CallAction::AnswerCall { call }
            | CallAction::SetHeld { call, .. }
            | CallAction::SetMuted { call, .. }
            | CallAction::PlayDtmf { call, .. } => *call,
        }
    }
}

/// One thing for the host to do. Carry the effects of one step out in order.
///
/// Grouped by the Apple API (or app component) that carries them out, and within a
/// group in the order of a call's life.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Effect {
    // --- CXProvider ---
    /// `CXProvider.reportNewIncomingCall(with:update:completion:)` with the
    /// `CXCallUpdate` in [`Effects::call_update`](crate::Effects::call_update). For a
    /// push, call it before the PushKit delegate returns. Hand its completion back as
    /// [`Event::IncomingCallReported`](crate::Event::IncomingCallReported) with
    /// [`IncomingReport::of(call, push)`](crate::IncomingReport::of).
    ReportNewIncomingCall {
        /// The push this report answers; `None` for a call announced over the app's own
        /// connection ([`Event::IncomingCallAnnounced`](crate::Event::IncomingCallAnnounced)).
        push: Option<PushId>,
        /// The call's UUID.
        call: CallId,
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
    /// `CXProvider.reportCall(with:updated:)` with the `CXCallUpdate` in
    /// [`Effects::call_update`](crate::Effects::call_update).
    ReportCallUpdated {
        /// The call.
        call: CallId,
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
    /// Register the device's VoIP push token, [`Effects::push_token_hex`](crate::Effects::push_token_hex), with the
    /// server.
    RegisterPushToken,
    /// Start connecting an incoming call's signalling leg now, in parallel with the
    /// CallKit report (Apple: "Responding to VoIP Notifications from PushKit").
    ConnectIncoming {
        /// The call.
        call: CallId,
    },
    /// A call the user missed without it ever ringing: its VoIP push arrived later than
    /// [`Config::max_push_age_ms`](crate::Config::max_push_age_ms) after the server sent
    /// it. The caller's details are in [`Effects::call_update`](crate::Effects::call_update),
    /// for a missed-call notification; the push was reported and ended at once as
    /// unanswered (or, under `mustReport == false`, completed without a report).
    MissedCall {
        /// The call.
        call: CallId,
    },
    /// Start an outgoing call's signalling to the handle in [`Effects::outgoing_handle`](crate::Effects::outgoing_handle).
    StartOutgoing {
        /// The call.
        call: CallId,
        /// Video call.
        video: bool,
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
    /// Hold or resume the call on the signalling leg.
    SetHeld {
        /// The call.
        call: CallId,
        /// Hold (`true`) or resume.
        on_hold: bool,
    },
    /// Mute or unmute the call's microphone stream.
    SetMuted {
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
    /// Send the DTMF digits in [`Effects::dtmf_digits`](crate::Effects::dtmf_digits) on the call.
    PlayDtmf {
        /// The call.
        call: CallId,
        /// `CXPlayDTMFCallAction.ActionType`.
        kind: DtmfType,
    },
    /// Start translating the call (`CXSetTranslatingCallAction` with `isTranslating`
    /// performed): the languages are [`Call::translation`](crate::Call::translation).
    /// Keep the upstream audio flowing while translating: a mute is
    /// [`Effect::SetMuted`] (mute the app's input), never a stop of the media, which the
    /// engine emits only for hold, the audio session's deactivation and the end.
    StartTranslation {
        /// The call.
        call: CallId,
    },
    /// Stop translating the call (`isTranslating` false performed). A call's end, or its
    /// media's stop, ends its translation too, with no effect of its own.
    StopTranslation {
        /// The call.
        call: CallId,
    },
    /// Hang up an answered or outgoing call (release its signalling leg).
    HangUp {
        /// The call.
        call: CallId,
    },
    /// Tell the server the VoIP push token is no longer valid.
    UnregisterPushToken,

    // --- Audio ---
    /// Configure `AVAudioSession` for a call (`.playAndRecord`, `.voiceChat`) without
    /// activating it; CallKit activates it and says so with `didActivate`.
    ConfigureAudioSession,
    /// `provider(_:didActivate:)` did not arrive within
    /// [`Config::audio_activation_timeout_ms`](crate::Config::audio_activation_timeout_ms)
    /// of the call's answer or start action being fulfilled; the call is left as it is.
    /// Apps log it and typically activate `AVAudioSession` themselves (then report
    /// [`Event::DidActivateAudioSession`](crate::Event::DidActivateAudioSession)) or end
    /// the call (docs/callkit-facts.md, "Audio activation that never comes").
    AudioActivationTimedOut {
        /// The call.
        call: CallId,
    },
    /// Play the local ringback tone for an outgoing call whose remote side rings (the
    /// audio session is active; twilio-voice-react-native PR #46).
    StartRingback {
        /// The call.
        call: CallId,
    },
    /// Stop the call's local ringback tone (it connected, ended, was held, or the audio
    /// session deactivated).
    StopRingback {
        /// The call.
        call: CallId,
    },
    /// Start the call's media streams (the audio session is active). For a muted call,
    /// [`Effect::SetMuted`] with `muted: true` follows in the same step, so the media
    /// starts (or restarts after a hold or an interruption) muted.
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
            | Effect::MissedCall { call }
            | Effect::AnswerIncoming { call }
            | Effect::RejectIncoming { call, .. }
            | Effect::HangUp { call }
            | Effect::SetHeld { call, .. }
            | Effect::SetMuted { call, .. }
            | Effect::SetGroup { call, .. }
            | Effect::PlayDtmf { call, .. }
            | Effect::StartTranslation { call }
            | Effect::StopTranslation { call }
            | Effect::StartOutgoing { call, .. }
            | Effect::StartMedia { call }
            | Effect::StopMedia { call }
            | Effect::StartRingback { call }
            | Effect::StopRingback { call }
            | Effect::AudioActivationTimedOut { call } => Some(*call),
            Effect::RequestTransaction { action, .. } => Some(action.call()),
            Effect::StartTimer { timer, .. } | Effect::CancelTimer { timer } => match timer {
                Timer::Ring(call)
                | Timer::AnswerConnect(call)
                | Timer::AudioActivation(call)
                | Timer::StartConnect(call)
                | Timer::NoAnswer(call) => Some(*call),
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
/// ([`Effects::push_end_reason`](crate::Effects::push_end_reason)), so the host can log it when it happens. It names the
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
    /// A push without a call id where one is needed (raw 2): a cancel must name the
    /// call it withdraws, and under a schema that requires the id
    /// ([`PayloadSchema::require_call_id`](crate::PayloadSchema::require_call_id)) every
    /// push must name its call.
    MissingCallId,
    /// A cancel push for a call that is not ringing here (raw 3).
    CancelledUnknownCall,
    /// A push for a call that ended moments ago (raw 4): a late or repeated copy.
    CallEnded,
    /// Every call slot is taken (raw 5); the caller is rejected as busy.
    CallCapacity,
    /// The push names the app's own outgoing call (raw 6); reported under the fallback
    /// UUID, or, when the fallback names that call too, under the version 5 UUID of the
    /// fallback's 16 bytes and the push id's 8 (big-endian) in
    /// [`OPAQUE_ID_NAMESPACE`](crate::OPAQUE_ID_NAMESPACE).
    OutgoingCallId,
    /// The push is older than [`Config::max_push_age_ms`](crate::Config::max_push_age_ms)
    /// by the payload's sent time (raw 7): a missed call
    /// ([`Effect::MissedCall`]), ended as unanswered.
    Stale,
}

impl PushEndReason {
    /// The stable raw value (1-7) of the reason's kind.
    pub const fn raw(&self) -> u8 {
        match self {
            PushEndReason::Unreadable { .. } => 1,
            PushEndReason::MissingCallId => 2,
            PushEndReason::CancelledUnknownCall => 3,
            PushEndReason::CallEnded => 4,
            PushEndReason::CallCapacity => 5,
            PushEndReason::OutgoingCallId => 6,
            PushEndReason::Stale => 7,
        }
    }
}
