//! Events: everything the host tells the engine, one enum ([`Event`]), with the timers
//! it names and the completion results it carries.

use crate::types::{
    ActionId, CallId, DtmfType, HandleType, IncomingCallError, PushId, RefusalReason,
    RequestTransactionError, TransactionId,
};

/// A timer the engine asked the host to run with [`Effect::StartTimer`](crate::Effect).
///
/// At most one timer of each kind exists per push or call, so the value names it
/// uniquely. When its deadline passes, the host hands it back in
/// [`Event::TimerFired`]; [`Engine::poll_timeout`](crate::Engine::poll_timeout) gives the
/// earliest deadline for hosts that prefer one wake-up.
///
/// `Ord` is the tie-break of the one due order: timers due at the same deadline fire
/// `PushCompletion` first, then `Ring`, then `AnswerConnect`, then `AudioActivation`,
/// then `StartConnect`, then `NoAnswer`, each by id
/// ([`Engine::next_due_timer`](crate::Engine::next_due_timer)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Timer {
    /// The latest moment to call a push's PushKit completion handler when
    /// `reportNewIncomingCall` has not called back
    /// ([`Config::push_completion_timeout_ms`](crate::Config::push_completion_timeout_ms)).
    PushCompletion(PushId),
    /// An unanswered incoming call's ring time-out (ends it as
    /// [`CallEndedReason::Unanswered`](crate::CallEndedReason::Unanswered)).
    Ring(CallId),
    /// An answered incoming call waiting for its connection
    /// ([`Config::answer_connect_timeout_ms`](crate::Config::answer_connect_timeout_ms)).
    AnswerConnect(CallId),
    /// An answered or started call waiting for `provider(_:didActivate:)` after its
    /// answer or start action was fulfilled
    /// ([`Config::audio_activation_timeout_ms`](crate::Config::audio_activation_timeout_ms));
    /// firing it emits
    /// [`Effect::AudioActivationTimedOut`](crate::Effect::AudioActivationTimedOut).
    AudioActivation(CallId),
    /// A performed outgoing call waiting for signalling to report connecting
    /// ([`Config::start_connect_timeout_ms`](crate::Config::start_connect_timeout_ms));
    /// firing it fails the deferred start action, hangs the leg up and reports the
    /// call ended [`CallEndedReason::Failed`](crate::CallEndedReason::Failed).
    StartConnect(CallId),
    /// An outgoing call that started connecting waiting for the far end to answer
    /// ([`Config::no_answer_timeout_ms`](crate::Config::no_answer_timeout_ms)); firing
    /// it stops ringback, hangs the leg up and reports the call ended
    /// [`CallEndedReason::Unanswered`](crate::CallEndedReason::Unanswered). Armed
    /// beside the call's audio-activation wait, the one case of two timers for a call.
    NoAnswer(CallId),
}

/// Whether a `CXProvider.reportNewIncomingCall` completion succeeded: `Ok(())` when its
/// error was `nil`, else the `CXErrorCodeIncomingCallError`.
pub type ReportResult = Result<(), IncomingCallError>;

/// Which `reportNewIncomingCall` a completion answers
/// ([`Event::IncomingCallReported`]): the one made for a VoIP push, or the one made for
/// a call announced over the app's own connection ([`Event::IncomingCallAnnounced`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IncomingReport {
    /// The report made for this push.
    Push(PushId),
    /// The report made without a push for this call.
    Call(CallId),
}

impl IncomingReport {
    /// The report an [`Effect::ReportNewIncomingCall`](crate::Effect::ReportNewIncomingCall)
    /// with these fields makes: its push's when it has one, else its call's.
    pub const fn of(call: CallId, push: Option<PushId>) -> Self {
        match push {
            Some(push) => IncomingReport::Push(push),
            None => IncomingReport::Call(call),
        }
    }
}

/// Whether a `CXCallController.request(_:completion:)` succeeded.
pub type TransactionResult = Result<(), RequestTransactionError>;

/// One thing that happened, as the host saw it. Borrowed fields (payload bytes, handle
/// and DTMF text, push tokens) are read during [`Engine::handle`](crate::Engine::handle)
/// and never kept by reference.
///
/// Grouped by the Apple API (or app component) that reports them, and within a group in
/// the order of a call's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    // --- PushKit (PKPushRegistryDelegate) ---
    /// `pushRegistry(_:didUpdate:for:)`: `PKPushCredentials.token` (1 to
    /// [`MAX_PUSH_TOKEN_LEN`](crate::limits::MAX_PUSH_TOKEN_LEN) bytes).
    PushCredentialsUpdated {
        /// The raw token bytes.
        token: &'a [u8],
    },
    /// `pushRegistry(_:didReceiveIncomingPushWith:for:completion:)` for the `.voIP` type.
    ///
    /// Call from inside the delegate method and carry out the returned
    /// [`Effect::ReportNewIncomingCall`](crate::Effect::ReportNewIncomingCall) before it
    /// returns: PushKit checks that a call was reported as soon as the delegate returns
    /// (iOS 13 rule, Apple DTS forums thread 817976). Keep the completion handler under
    /// `push` until [`Effect::CompletePush`](crate::Effect::CompletePush) names it.
    /// This event is never refused, whatever the payload, time or capacity.
    VoipPushReceived {
        /// The host's name for this push (unique among pending pushes).
        push: PushId,
        /// `PKPushPayload.dictionaryPayload` serialised as JSON bytes.
        payload: &'a [u8],
        /// A fresh UUID the host generated, used when the payload carries no call id or
        /// cannot be read.
        fallback_call: CallId,
        /// `PKVoIPPushMetadata.mustReport` (iOS 26.4's
        /// `pushRegistry(_:didReceiveIncomingVoIPPushWith:metadata:withCompletionHandler:)`);
        /// `None` before iOS 26.4, where every push must be reported. `Some(false)`
        /// (the app is in the foreground, already on a call, or the push came too late
        /// to be viable) lets the engine complete a push it would only report and end
        /// at once without reporting it; a push for a new call is reported either way.
        must_report: Option<bool>,
        /// The host's wall clock when the push arrived, in milliseconds since the Unix
        /// epoch (`Date().timeIntervalSince1970 * 1000`), for the maximum push age
        /// ([`Config::max_push_age_ms`](crate::Config::max_push_age_ms)) against the
        /// payload's sent time ([`PayloadSchema::sent_at_key`](crate::PayloadSchema::sent_at_key)).
        /// `None` skips the age check.
        received_at_unix_ms: Option<u64>,
    },
    /// `pushRegistry(_:didInvalidatePushTokenFor:)`.
    PushCredentialsInvalidated,

    // --- CXProvider.reportNewIncomingCall completion ---
    /// The completion of a `reportNewIncomingCall` the engine asked for
    /// ([`Effect::ReportNewIncomingCall`](crate::Effect::ReportNewIncomingCall)): `Ok(())`
    /// when the error was `nil`, else the `CXErrorCodeIncomingCallError`. One event for
    /// both kinds of report, named as the effect names it
    /// ([`IncomingReport::of`]): by its push, or, for a call announced over the app's own
    /// connection, by its call.
    ///
    /// A completion for a call reported without a push that no longer waits for one (a
    /// push for it was reported and confirmed it first, or it ended) is accepted with no
    /// effects; one for a call never seen is refused with
    /// [`Error::UnknownCall`](crate::Error::UnknownCall).
    IncomingCallReported {
        /// Which report completed.
        report: IncomingReport,
        /// The result.
        result: ReportResult,
    },

    // --- CXProviderDelegate ---
    /// `providerDidBegin(_:)`.
    ProviderDidBegin,
    /// `provider(_:perform: CXStartCallAction)`.
    PerformStartCall {
        /// `CXAction.uuid`.
        action: ActionId,
        /// `CXCallAction.callUUID`.
        call: CallId,
        /// `CXStartCallAction.handle.value`.
        handle: &'a str,
        /// `CXStartCallAction.handle.type`.
        handle_type: HandleType,
        /// `CXStartCallAction.isVideo`.
        video: bool,
    },
    /// `provider(_:perform: CXAnswerCallAction)`.
    PerformAnswerCall {
        /// `CXAction.uuid`.
        action: ActionId,
        /// `CXCallAction.callUUID`.
        call: CallId,
    },
    /// `provider(_:didActivate:)`: the audio session is live; media may start.
    DidActivateAudioSession,
    /// `provider(_:perform: CXSetHeldCallAction)`.
    PerformSetHeld {
        /// `CXAction.uuid`.
        action: ActionId,
        /// `CXCallAction.callUUID`.
        call: CallId,
        /// `CXSetHeldCallAction.isOnHold`.
        on_hold: bool,
    },
    /// `provider(_:perform: CXSetMutedCallAction)`.
    PerformSetMuted {
        /// `CXAction.uuid`.
        action: ActionId,
        /// `CXCallAction.callUUID`.
        call: CallId,
        /// `CXSetMutedCallAction.isMuted`.
        muted: bool,
    },
    /// `provider(_:perform: CXSetGroupCallAction)`.
    PerformSetGroup {
        /// `CXAction.uuid`.
        action: ActionId,
        /// `CXCallAction.callUUID`.
        call: CallId,
        /// `CXSetGroupCallAction.callUUIDToGroupWith` (`None` to leave a group).
        group_with: Option<CallId>,
    },
    /// `provider(_:perform: CXPlayDTMFCallAction)`.
    PerformPlayDtmf {
        /// `CXAction.uuid`.
        action: ActionId,
        /// `CXCallAction.callUUID`.
        call: CallId,
        /// `CXPlayDTMFCallAction.digits` (`0-9 * # A-D ,`, at most
        /// [`MAX_DTMF_DIGITS`](crate::limits::MAX_DTMF_DIGITS) bytes).
        digits: &'a str,
        /// `CXPlayDTMFCallAction.type`.
        kind: DtmfType,
    },
    /// `provider(_:perform: CXSetTranslatingCallAction)` (iOS 26). Fulfilled in its step
    /// for an answered or connected call when `supportsAudioTranslation` is on and, to
    /// start, both languages are [`LanguageTag`](crate::LanguageTag)s; failed otherwise.
    /// Starting emits [`Effect::StartTranslation`](crate::Effect::StartTranslation)
    /// (again with new languages), stopping a running translation
    /// [`Effect::StopTranslation`](crate::Effect::StopTranslation).
    PerformSetTranslating {
        /// `CXAction.uuid`.
        action: ActionId,
        /// `CXCallAction.callUUID`.
        call: CallId,
        /// `CXSetTranslatingCallAction.isTranslating`.
        translating: bool,
        /// `localLanguage` (BCP 47; read only when `translating`).
        local_language: &'a str,
        /// `remoteLanguage` (BCP 47; read only when `translating`).
        remote_language: &'a str,
    },
    /// `provider(_:perform: CXEndCallAction)`.
    PerformEndCall {
        /// `CXAction.uuid`.
        action: ActionId,
        /// `CXCallAction.callUUID`.
        call: CallId,
    },
    /// `provider(_:didDeactivate:)`: the audio session is gone; media must stop.
    DidDeactivateAudioSession,
    /// `provider(_:timedOutPerforming:)`: the action must be neither fulfilled nor failed
    /// from now on. For an action the engine no longer holds (it resolved it as CallKit
    /// timed it out) this is accepted with no effects.
    TimedOutPerforming {
        /// `CXAction.uuid`.
        action: ActionId,
    },
    /// `providerDidReset(_:)`: CallKit dropped every call and action.
    ProviderDidReset,

    // --- The app's own requests, sent through CXCallController ---
    /// The user started a call in the app's UI (or from Recents/Siri via the app).
    RequestStartCall {
        /// A fresh UUID for the call.
        call: CallId,
        /// The remote handle (at most [`MAX_HANDLE_LEN`](crate::limits::MAX_HANDLE_LEN) bytes).
        handle: &'a str,
        /// Its type; must be in `supportedHandleTypes`.
        handle_type: HandleType,
        /// Video call (needs `supportsVideo`).
        video: bool,
    },
    /// The user held or resumed a call in the app's UI.
    RequestSetHeld {
        /// The call.
        call: CallId,
        /// Hold (`true`) or resume.
        on_hold: bool,
    },
    /// The user muted or unmuted in the app's UI.
    RequestSetMuted {
        /// The call.
        call: CallId,
        /// Mute (`true`) or unmute.
        muted: bool,
    },
    /// The user typed DTMF digits in the app's UI.
    RequestPlayDtmf {
        /// The call.
        call: CallId,
        /// The digits (`0-9 * # A-D ,`).
        digits: &'a str,
        /// How to play them.
        kind: DtmfType,
    },
    /// The user ended a call in the app's UI (for a ringing call: declined it).
    RequestEndCall {
        /// The call.
        call: CallId,
    },
    /// The user answered a ringing incoming call in the app's own UI (an in-app Answer
    /// button): becomes a `CXAnswerCallAction` request
    /// ([`CallAction::AnswerCall`](crate::CallAction::AnswerCall)); CallKit then performs
    /// it ([`Event::PerformAnswerCall`]), which the engine fulfils once the call's
    /// connection is ready. Refused with [`Error::WrongPhase`](crate::Error::WrongPhase)
    /// for a call that is not an unanswered incoming call, or that CallKit does not know
    /// yet (its report pending); accepted with no effects for a call that ended moments
    /// ago (a race); [`Error::TransactionCapacity`](crate::Error::TransactionCapacity)
    /// with no room for the request.
    RequestAnswerCall {
        /// The call.
        call: CallId,
    },
    /// The completion of a `CXCallController.request` the engine asked for.
    TransactionCompleted {
        /// From [`Effect::RequestTransaction`](crate::Effect::RequestTransaction).
        transaction: TransactionId,
        /// `Ok(())` when the error was `nil`.
        result: TransactionResult,
    },

    // --- The app's signalling / VoIP stack ---
    /// An outgoing call's signalling started connecting (INVITE sent, ringing).
    OutgoingCallConnecting {
        /// The call.
        call: CallId,
    },
    /// The remote side of an outgoing call is ringing (SIP `180 Ringing`): play local
    /// ringback ([`Effect::StartRingback`](crate::Effect::StartRingback)) once the audio
    /// session is active, until the call connects or ends. For a call still `Starting`
    /// it also counts as [`Event::OutgoingCallConnecting`]. A repeated 180 changes
    /// nothing. Refused with `WrongPhase` for an incoming or connected call.
    OutgoingCallRinging {
        /// The call.
        call: CallId,
    },
    /// The remote party answered an outgoing call.
    OutgoingCallConnected {
        /// The call.
        call: CallId,
    },
    /// The far end refused an outgoing call before answering (a SIP final response
    /// 486, 603 or 480): the call ends, reported with the reason's
    /// [`RefusalReason::ended_reason`]; signalling already knows, so no hang-up. A
    /// start action still deferred is failed. Refused with `WrongPhase` for an
    /// incoming, requested or connected call, `UnknownCall` for a call never seen; no
    /// effect for a call that ended moments ago.
    OutgoingCallRefused {
        /// The call.
        call: CallId,
        /// Why the far end refused.
        reason: RefusalReason,
    },
    /// An incoming call's connection is ready to be answered (the app reached its
    /// server after the push).
    IncomingCallConnected {
        /// The call.
        call: CallId,
    },
    /// New details for a known call, from the app: a caller name from the address book,
    /// or a video upgrade or downgrade from signalling. Sent to CallKit as
    /// [`Effect::ReportCallUpdated`](crate::Effect::ReportCallUpdated)
    /// (`reportCall(with:updated:)`) with the merged update in
    /// [`Effects::call_update`](crate::Effects::call_update); held until CallKit knows
    /// the call (its report accepted, or for an outgoing call its start action
    /// performed). No effect when nothing changes, the call is ending, or it ended
    /// moments ago; [`Error::NotSupported`](crate::Error::NotSupported) for video
    /// without `supportsVideo`.
    CallDetailsChanged {
        /// The call.
        call: CallId,
        /// `CXCallUpdate.localizedCallerName`, cut at a character boundary to
        /// [`MAX_CALLER_NAME_LEN`](crate::limits::MAX_CALLER_NAME_LEN) bytes; `None` (or empty)
        /// keeps the current name.
        caller_name: Option<&'a str>,
        /// `CXCallUpdate.hasVideo`; `None` keeps the current value.
        has_video: Option<bool>,
    },
    /// The remote party ended the call (or cancelled it before it was answered).
    ///
    /// Like [`Event::AnsweredElsewhere`] and [`Event::DeclinedElsewhere`], accepted for a
    /// call the engine has not seen yet (the app's connection learned of the end before
    /// the VoIP push arrived): remembered, so that the push is reported and ended at once
    /// with this reason (among the last
    /// [`RECENTLY_ENDED_CALLS`](crate::limits::RECENTLY_ENDED_CALLS) ended calls).
    RemoteEnded {
        /// The call.
        call: CallId,
    },
    /// The call was answered on another of the user's devices.
    AnsweredElsewhere {
        /// The call.
        call: CallId,
    },
    /// The call was declined on another of the user's devices.
    DeclinedElsewhere {
        /// The call.
        call: CallId,
    },
    /// The call's connection failed. Refused with
    /// [`Error::UnknownCall`](crate::Error::UnknownCall) for a call never seen.
    ConnectionFailed {
        /// The call.
        call: CallId,
    },

    /// The app's own connection (a WebSocket, a SIP registration, a foreground API
    /// call) announced an incoming call, without a VoIP push: reported to CallKit with
    /// [`Effect::ReportNewIncomingCall`](crate::Effect::ReportNewIncomingCall) (no push,
    /// no PushKit completion) under the same update, ring time-out and rules as a pushed
    /// call. The server often sends both: a push for a call already announced, or an
    /// announcement of a call already pushed, is the same call (no second report, call
    /// or ring timer), in either order; new caller details it brings are merged
    /// ([`Effect::ReportCallUpdated`](crate::Effect::ReportCallUpdated) once CallKit
    /// knows the call). Accepted with no effects for a call that ended (or was ended
    /// over the connection before it was announced); with every call slot taken the
    /// caller is rejected as busy ([`Effect::RejectIncoming`](crate::Effect::RejectIncoming))
    /// and nothing is reported. Refused with [`Error::CallExists`](crate::Error::CallExists)
    /// for the UUID of the app's own outgoing call, and with
    /// [`Error::InvalidHandle`](crate::Error::InvalidHandle) for a handle over
    /// [`MAX_HANDLE_LEN`](crate::limits::MAX_HANDLE_LEN) bytes.
    IncomingCallAnnounced {
        /// The call's UUID (the same the server's pushes derive under the schema).
        call: CallId,
        /// `CXCallUpdate.remoteHandle.value`; empty when the caller is unknown.
        handle: &'a str,
        /// `CXCallUpdate.remoteHandle.type`.
        handle_type: HandleType,
        /// `CXCallUpdate.localizedCallerName`, cut at a character boundary to
        /// [`MAX_CALLER_NAME_LEN`](crate::limits::MAX_CALLER_NAME_LEN) bytes; `None` (or
        /// empty) when unknown.
        caller_name: Option<&'a str>,
        /// `CXCallUpdate.hasVideo` (kept only with `supportsVideo`).
        video: bool,
    },

    // --- Timers ---
    /// A timer started by [`Effect::StartTimer`](crate::Effect::StartTimer) reached its
    /// deadline. Send it no earlier than the deadline
    /// ([`Error::TimerNotDue`](crate::Error::TimerNotDue)). A timer the engine cancelled
    /// while the host's timer was already firing is accepted with no effects.
    TimerFired {
        /// The timer.
        timer: Timer,
    },
}

impl Event<'_> {
    /// A short, stable name for the event kind (for logs and traces; holds no data).
    pub const fn name(&self) -> &'static str {
        match self {
            Event::PushCredentialsUpdated { .. } => "push_credentials_updated",
            Event::VoipPushReceived { .. } => "voip_push_received",
            Event::PushCredentialsInvalidated => "push_credentials_invalidated",
            Event::IncomingCallReported { .. } => "incoming_call_reported",
            Event::ProviderDidBegin => "provider_did_begin",
            Event::PerformStartCall { .. } => "perform_start_call",
            Event::PerformAnswerCall { .. } => "perform_answer_call",
            Event::DidActivateAudioSession => "did_activate_audio_session",
            Event::PerformSetHeld { .. } => "perform_set_held",
            Event::PerformSetMuted { .. } => "perform_set_muted",
            Event::PerformSetGroup { .. } => "perform_set_group",
            Event::PerformPlayDtmf { .. } => "perform_play_dtmf",
            Event::PerformSetTranslating { .. } => "perform_set_translating",
            Event::PerformEndCall { .. } => "perform_end_call",
            Event::DidDeactivateAudioSession => "did_deactivate_audio_session",
            Event::TimedOutPerforming { .. } => "timed_out_performing",
            Event::ProviderDidReset => "provider_did_reset",
            Event::RequestStartCall { .. } => "request_start_call",
            Event::RequestSetHeld { .. } => "request_set_held",
            Event::RequestSetMuted { .. } => "request_set_muted",
            Event::RequestPlayDtmf { .. } => "request_play_dtmf",
            Event::RequestEndCall { .. } => "request_end_call",
            Event::RequestAnswerCall { .. } => "request_answer_call",
            Event::TransactionCompleted { .. } => "transaction_completed",
            Event::OutgoingCallConnecting { .. } => "outgoing_call_connecting",
            Event::OutgoingCallRinging { .. } => "outgoing_call_ringing",
            Event::IncomingCallAnnounced { .. } => "incoming_call_announced",
            Event::OutgoingCallConnected { .. } => "outgoing_call_connected",
            Event::OutgoingCallRefused { .. } => "outgoing_call_refused",
            Event::IncomingCallConnected { .. } => "incoming_call_connected",
            Event::CallDetailsChanged { .. } => "call_details_changed",
            Event::RemoteEnded { .. } => "remote_ended",
            Event::AnsweredElsewhere { .. } => "answered_elsewhere",
            Event::DeclinedElsewhere { .. } => "declined_elsewhere",
            Event::ConnectionFailed { .. } => "connection_failed",
            Event::TimerFired { .. } => "timer_fired",
        }
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Event<'_> {
    fn format(&self, f: defmt::Formatter) {
        // Only the kind: payload bytes, handles and digits are never logged in clear.
        defmt::write!(f, "Event::{=str}", self.name())
    }
}
