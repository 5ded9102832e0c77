import Foundation

extension CallEngine {
    /// A timer the engine asks the host to run with ``CallEngine/Effect/startTimer(timer:deadline:)``; when
    /// its deadline passes, hand it back in ``CallEngine/Event/timerFired(timer:)``. At most one timer of
    /// each kind exists per push or call, so the value names it.
    ///
    /// The order (`Comparable`) is the engine's tie-break for timers due at the same
    /// deadline: every ``pushCompletion(push:)`` first (by push number), then every
    /// ``ring(call:)``, then every ``answerConnect(call:)``, then every
    /// ``audioActivation(call:)``, then every ``startConnect(call:)``, then every
    /// ``noAnswer(call:)`` (each by the UUID's bytes), as
    /// ``CallEngine/nextDueTimer(at:)`` (the library's `ck_engine_next_due_timer`) fires them.
    public enum Timer: Hashable, Comparable, Sendable {
        /// The latest moment to call the push's PushKit completion handler when
        /// `reportNewIncomingCall` has not called back
        /// (``CallEngine/Configuration/pushCompletionTimeout``).
        case pushCompletion(push: PushID)
        /// An unanswered incoming call's ring time-out (it ends as
        /// ``CallEndedReason/unanswered``; ``CallEngine/Configuration/ringTimeout``).
        case ring(call: UUID)
        /// An answered incoming call waiting for its connection
        /// (``CallEngine/Configuration/answerConnectTimeout``).
        case answerConnect(call: UUID)
        /// An answered or started call waiting for `provider(_:didActivate:)` after its
        /// answer or start action was fulfilled
        /// (``CallEngine/Configuration/audioActivationTimeout``); firing it yields
        /// ``CallEngine/Effect/audioActivationTimedOut(call:)``.
        case audioActivation(call: UUID)
        /// A performed outgoing call waiting for signaling to report connecting
        /// (``CallEngine/Configuration/startConnectTimeout``); firing it fails the start
        /// action and ends the call ``CallEndedReason/failed``.
        case startConnect(call: UUID)
        /// An outgoing call that started connecting waiting for the far end to answer
        /// (``CallEngine/Configuration/noAnswerTimeout``); firing it ends the call
        /// ``CallEndedReason/unanswered``. Armed beside the call's ``audioActivation(call:)``.
        case noAnswer(call: UUID)

        /// The call the timer is about (`nil` for ``pushCompletion(push:)``).
        public var call: UUID? {
            switch self {
            case .pushCompletion: nil
            case .ring(let call), .answerConnect(let call), .audioActivation(let call),
                .startConnect(let call), .noAnswer(let call):
                call
            }
        }

        /// The engine's due order (see the type's discussion).
        /// The push the timer is about (`nil` but for ``pushCompletion(push:)``).
        public var push: PushID? {
            if case .pushCompletion(let push) = self { push } else { nil }
        }

        /// The engine's tie-break order of timers due at the same deadline (Rust's
        /// `Timer: Ord`): push completions first, then ring, answer-connect, audio
        /// activation, start-connect and no-answer timers, each by push number or call UUID.
        public static func < (lhs: CallEngine.Timer, rhs: CallEngine.Timer) -> Bool {
            switch (lhs, rhs) {
            case (.pushCompletion(let a), .pushCompletion(let b)): a < b
            case (.ring(let a), .ring(let b)), (.answerConnect(let a), .answerConnect(let b)),
                (.audioActivation(let a), .audioActivation(let b)),
                (.startConnect(let a), .startConnect(let b)), (.noAnswer(let a), .noAnswer(let b)):
                uuidBytesPrecede(a, b)
            default: lhs.rank < rhs.rank
            }
        }

        private var rank: Int {
            switch self {
            case .pushCompletion: 0
            case .ring: 1
            case .answerConnect: 2
            case .audioActivation: 3
            case .startConnect: 4
            case .noAnswer: 5
            }
        }
    }
}

/// Whether `a`'s 16 bytes sort before `b`'s.
private func uuidBytesPrecede(_ a: UUID, _ b: UUID) -> Bool {
    withUnsafeBytes(of: a.uuid) { x in
        withUnsafeBytes(of: b.uuid) { y in x.lexicographicallyPrecedes(y) }
    }
}

extension CallEngine {
    /// A `CXCallAction` the engine asks `CXCallController.request(_:completion:)` to
    /// perform inside a `CXTransaction`
    /// (https://developer.apple.com/documentation/callkit/cxcallcontroller).
    public enum CallAction: Hashable, Sendable {
        /// `CXStartCallAction(call:handle:)` with `isVideo`
        /// (https://developer.apple.com/documentation/callkit/cxstartcallaction).
        case startCall(call: UUID, handle: CallHandle, isVideo: Bool)
        /// `CXEndCallAction(call:)` (https://developer.apple.com/documentation/callkit/cxendcallaction).
        case endCall(call: UUID)
        /// `CXAnswerCallAction(call:)` (https://developer.apple.com/documentation/callkit/cxanswercallaction).
        case answerCall(call: UUID)
        /// `CXSetHeldCallAction(call:onHold:)` (https://developer.apple.com/documentation/callkit/cxsetheldcallaction).
        case setHeld(call: UUID, onHold: Bool)
        /// `CXSetMutedCallAction(call:muted:)` (https://developer.apple.com/documentation/callkit/cxsetmutedcallaction).
        case setMuted(call: UUID, muted: Bool)
        /// `CXPlayDTMFCallAction(call:digits:type:)` (https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction).
        case playDTMF(call: UUID, digits: String, type: DTMFType)

        /// `CXCallAction.callUUID`.
        public var call: UUID {
            switch self {
            case .startCall(let call, _, _), .endCall(let call), .answerCall(let call), .setHeld(let call, _),
                .setMuted(let call, _), .playDTMF(let call, _, _):
                call
            }
        }
    }
}

extension CallEngine {
    /// One thing for the host to do. Carry out the effects of one step in order, before
    /// feeding the next event. The step's variable-size data (the call update, the handle,
    /// DTMF digits, the hex push token) is attached to the effect that uses it.
    public enum Effect: Hashable, Sendable {
        // MARK: CXProvider

        /// `CXProvider.reportNewIncomingCall(with: call, update: update, completion:)`
        /// (https://developer.apple.com/documentation/callkit/cxprovider/reportnewincomingcall(with:update:completion:)).
        /// `push` is the VoIP push the report answers (call it before the PushKit delegate
        /// returns), or `nil` for a call announced over the app's own connection
        /// (``CallEngine/Event/incomingCallAnnounced(call:handle:callerName:isVideo:)``). Hand the
        /// completion back as ``CallEngine/Event/incomingCallReported(report:error:)`` with
        /// `IncomingReport(call: call, push: push)`. `endReason` is `nil` for a call that
        /// rings, else why the engine ends the call once CallKit accepted the report
        /// (``PushEndReason``; log it).
        case reportNewIncomingCall(push: PushID?, call: UUID, update: CallUpdate, endReason: PushEndReason?)
        /// `CXProvider.reportCall(with: call, updated: update)`
        /// (https://developer.apple.com/documentation/callkit/cxprovider/reportcall(with:updated:)).
        case reportCallUpdated(call: UUID, update: CallUpdate)
        /// `CXProvider.reportOutgoingCall(with: call, startedConnectingAt:)` with the date
        /// that `at` is on the engine's clock
        /// (https://developer.apple.com/documentation/callkit/cxprovider/reportoutgoingcall(with:startedconnectingat:)).
        case reportOutgoingCallStartedConnecting(call: UUID, at: CallEngine.Instant)
        /// `CXProvider.reportOutgoingCall(with: call, connectedAt:)`
        /// (https://developer.apple.com/documentation/callkit/cxprovider/reportoutgoingcall(with:connectedat:)).
        case reportOutgoingCallConnected(call: UUID, at: CallEngine.Instant)
        /// `CXProvider.reportCall(with: call, endedAt:, reason:)`
        /// (https://developer.apple.com/documentation/callkit/cxprovider/reportcall(with:endedat:reason:)).
        case reportCallEnded(call: UUID, at: CallEngine.Instant, reason: CallEndedReason)
        /// `CXAction.fulfill()` for the action handed in with this UUID
        /// (https://developer.apple.com/documentation/callkit/cxaction/fulfill()).
        case fulfillAction(action: UUID)
        /// `CXAction.fail()` for the action handed in with this UUID
        /// (https://developer.apple.com/documentation/callkit/cxaction/fail()).
        case failAction(action: UUID)

        // MARK: PushKit

        /// Call the PushKit completion handler kept for this push (the `completion` of
        /// `pushRegistry(_:didReceiveIncomingPushWith:for:completion:)`, or the
        /// `completion` of iOS 26.4's
        /// `pushRegistry(_:didReceiveIncomingVoIPPushWith:metadata:withCompletionHandler:)`,
        /// https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingvoippushwith:metadata:withcompletionhandler:)).
        /// `endReason` is `nil` for a push that was reported, else why a push under
        /// `PKVoIPPushMetadata.mustReport == false` is completed without a report
        /// (``PushEndReason``; log it).
        case completePush(push: PushID, endReason: PushEndReason? = nil)

        // MARK: CXCallController

        /// `CXCallController.request(CXTransaction(action:), completion:)`; hand the
        /// completion back as ``CallEngine/Event/transactionCompleted(transaction:error:)`` with this id
        /// (https://developer.apple.com/documentation/callkit/cxcallcontroller/request(_:completion:)).
        case requestTransaction(transaction: TransactionID, action: CallEngine.CallAction)

        // MARK: Signaling

        /// Start connecting the incoming call's signaling leg now, in parallel with the
        /// CallKit report (Apple, "Responding to VoIP Notifications from PushKit").
        case connectIncoming(call: UUID)
        /// Answer the incoming call on its (connected) signaling leg.
        case answerIncoming(call: UUID)
        /// Reject an unanswered incoming call and tell the server why.
        case rejectIncoming(call: UUID, reason: RejectReason)
        /// Hang up an answered or outgoing call (release its signaling leg).
        case hangUp(call: UUID)
        /// Hold (`true`) or resume the call on its signaling leg.
        case setHeld(call: UUID, onHold: Bool)
        /// Mute (`true`) or unmute the call's microphone stream.
        case setMuted(call: UUID, muted: Bool)
        /// Merge the call into `groupWith`'s group (a conference), or split it out (`nil`).
        case setGroup(call: UUID, groupWith: UUID?)
        /// Send DTMF `digits` on the call, played as `type`.
        case playDTMF(call: UUID, digits: String, type: DTMFType)
        /// A call the user missed without it ever ringing: its VoIP push arrived later than
        /// ``CallEngine/Configuration/maximumPushAge`` after the server sent it
        /// (``PushEndReason/stale``). `update` holds the caller's details, for a missed-call
        /// notification (`UNUserNotificationCenter`,
        /// https://developer.apple.com/documentation/usernotifications/unusernotificationcenter);
        /// the push was reported and ended at once as unanswered (or, under
        /// `PKVoIPPushMetadata.mustReport == false`, completed without a report).
        case missedCall(call: UUID, update: CallUpdate)
        /// Start translating the call (a fulfilled `CXSetTranslatingCallAction`, iOS 26);
        /// its languages are ``CallInfo/translation``. Keep the upstream audio flowing: a
        /// mute is ``setMuted(call:muted:)``, never ``stopMedia(call:)``.
        case startTranslation(call: UUID)
        /// Stop translating the call.
        case stopTranslation(call: UUID)
        /// Start an outgoing call's signaling to `handle`.
        case startOutgoing(call: UUID, handle: CallHandle, isVideo: Bool)
        /// Register the device's VoIP push token, as lower-case hex (two characters per
        /// byte of `PKPushCredentials.token`), with the server.
        case registerPushToken(hex: String)
        /// Tell the server the VoIP push token is no longer valid.
        case unregisterPushToken

        // MARK: Audio

        /// Configure `AVAudioSession` for a call (`.playAndRecord`, `.voiceChat`) without
        /// activating it: CallKit activates it and says so with
        /// ``CallEngine/Event/didActivateAudioSession``
        /// (https://developer.apple.com/documentation/avfaudio/avaudiosession).
        case configureAudioSession
        /// `provider(_:didActivate:)` did not come within
        /// ``CallEngine/Configuration/audioActivationTimeout`` of the call's answer or start
        /// action being fulfilled (openradar 28774388); the call is left as it is. Log it,
        /// and activate `AVAudioSession` yourself (then send
        /// ``CallEngine/Event/didActivateAudioSession``) or end the call.
        case audioActivationTimedOut(call: UUID)
        /// Play the local ringback tone for an outgoing call whose far end rings (the audio
        /// session is active; twilio-voice-react-native PR #46).
        case startRingback(call: UUID)
        /// Stop the call's local ringback tone (it connected, ended, was held, or the audio
        /// session deactivated).
        case stopRingback(call: UUID)
        /// Start the call's media streams (the audio session is active). For a muted call,
        /// ``CallEngine/Effect/setMuted(call:muted:)`` with `muted: true` follows in the same step.
        case startMedia(call: UUID)
        /// Stop the call's media streams.
        case stopMedia(call: UUID)

        // MARK: Timers

        /// Arm the timer to fire at `deadline` (absolute, on the engine's clock); it is
        /// started at most once until it fires or is cancelled.
        case startTimer(timer: CallEngine.Timer, deadline: CallEngine.Instant)
        /// Disarm the timer; it must not be fired.
        case cancelTimer(timer: CallEngine.Timer)
    }
}
