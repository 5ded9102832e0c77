internal import CCallKitEngine
import Foundation

extension CallEngine {
    /// One thing that happened, as the host saw it: a PushKit or CallKit callback, a request
    /// from the app's UI, a signaling outcome, or a timer. Feed each to
    /// ``CallEngine/handle(_:at:)`` with the current ``CallEngine/Instant``, on one serial queue.
    ///
    /// Text and bytes are copied into the engine only for the length of the call. Limits:
    /// handles ``CallEngine/Limits/maximumHandleLengthInBytes``, DTMF digits
    /// ``CallEngine/Limits/maximumDTMFDigits``, push tokens
    /// ``CallEngine/Limits/maximumPushTokenLengthInBytes``; longer ones are refused with
    /// ``EngineError/invalidHandle`` and its kin.
    public enum Event: Hashable, Sendable {
        // MARK: PushKit (PKPushRegistryDelegate)

        /// `pushRegistry(_:didReceiveIncomingPushWith:for:completion:)` for `.voIP`
        /// (https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingpushwith:for:completion:)),
        /// or iOS 26.4's `pushRegistry(_:didReceiveIncomingVoIPPushWith:metadata:withCompletionHandler:)`
        /// (https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didreceiveincomingvoippushwith:metadata:withcompletionhandler:)).
        ///
        /// `payload` is `PKPushPayload.dictionaryPayload` as JSON bytes; `fallbackCall` a
        /// fresh UUID, used when the payload names no call or cannot be read. Never refused:
        /// carry out its first effect, ``CallEngine/Effect/reportNewIncomingCall(push:call:update:endReason:)``,
        /// before the delegate method returns (iOS 13's PushKit rule), and keep the
        /// completion handler under `push` until ``CallEngine/Effect/completePush(push:endReason:)`` names it.
        ///
        /// `mustReport` is `PKVoIPPushMetadata.mustReport`
        /// (https://developer.apple.com/documentation/pushkit/pkvoippushmetadata); `nil`
        /// before iOS 26.4, where every push must be reported. `false` (the app is in the
        /// foreground, already on a call, or the push came too late to be viable) lets the
        /// engine complete a push it would only report and end at once without reporting
        /// it; a push for a new call is reported either way.
        ///
        /// `receivedAt` is the wall clock when the push arrived (`Date()`), for the maximum
        /// push age (``CallEngine/Configuration/maximumPushAge``) against the payload's sent
        /// time (``PayloadSchema/sentAtKey``); the engine reads it in whole milliseconds since
        /// the Unix epoch (rounded to the nearest; a date before the epoch counts as the
        /// epoch). `nil` skips the age check.
        case voipPushReceived(
            push: PushID, payload: Data, fallbackCall: UUID, mustReport: Bool? = nil, receivedAt: Date? = nil)
        /// `pushRegistry(_:didUpdate:for:)`: `PKPushCredentials.token`, the raw bytes
        /// (https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didupdate:for:)).
        case pushCredentialsUpdated(token: Data)
        /// `pushRegistry(_:didInvalidatePushTokenFor:)`
        /// (https://developer.apple.com/documentation/pushkit/pkpushregistrydelegate/pushregistry(_:didinvalidatepushtokenfor:)).
        case pushCredentialsInvalidated

        // MARK: CXProvider.reportNewIncomingCall completion

        /// The completion of `CXProvider.reportNewIncomingCall(with:update:completion:)`
        /// that ``CallEngine/Effect/reportNewIncomingCall(push:call:update:endReason:)`` asked for
        /// (https://developer.apple.com/documentation/callkit/cxprovider/reportnewincomingcall(with:update:completion:)),
        /// named as the effect names it (``IncomingReport/init(call:push:)``): by its push,
        /// or, for a call announced over the app's own connection, by its call. `error` is
        /// `nil` on success, else the `CXErrorCodeIncomingCallError` code (only for an
        /// `NSError` in `CXErrorDomainIncomingCall`; map any other error to
        /// ``IncomingCallError/unknown``).
        ///
        /// A completion for a call reported without a push that no longer waits for one (a
        /// push for it was reported and confirmed first, or it ended) is accepted with no
        /// effects; one for a call never seen is refused with ``EngineError/unknownCall(call:)``.
        case incomingCallReported(report: IncomingReport, error: IncomingCallError?)

        // MARK: CXProviderDelegate

        /// `providerDidBegin(_:)` (https://developer.apple.com/documentation/callkit/cxproviderdelegate/providerdidbegin(_:)).
        case providerDidBegin
        /// `providerDidReset(_:)`: CallKit dropped every call and action
        /// (https://developer.apple.com/documentation/callkit/cxproviderdelegate/providerdidreset(_:)).
        case providerDidReset
        /// `provider(_:perform:)` with a `CXStartCallAction`: `CXAction.uuid`, `callUUID`,
        /// `handle`, `isVideo` (https://developer.apple.com/documentation/callkit/cxstartcallaction).
        case performStartCall(action: UUID, call: UUID, handle: CallHandle, isVideo: Bool)
        /// `provider(_:perform:)` with a `CXAnswerCallAction`
        /// (https://developer.apple.com/documentation/callkit/cxanswercallaction).
        case performAnswerCall(action: UUID, call: UUID)
        /// `provider(_:perform:)` with a `CXEndCallAction`
        /// (https://developer.apple.com/documentation/callkit/cxendcallaction).
        case performEndCall(action: UUID, call: UUID)
        /// `provider(_:perform:)` with a `CXSetHeldCallAction`: `isOnHold`
        /// (https://developer.apple.com/documentation/callkit/cxsetheldcallaction).
        case performSetHeld(action: UUID, call: UUID, onHold: Bool)
        /// `provider(_:perform:)` with a `CXSetMutedCallAction`: `isMuted`
        /// (https://developer.apple.com/documentation/callkit/cxsetmutedcallaction).
        case performSetMuted(action: UUID, call: UUID, muted: Bool)
        /// `provider(_:perform:)` with a `CXSetGroupCallAction`: `callUUIDToGroupWith`,
        /// `nil` to leave a group (https://developer.apple.com/documentation/callkit/cxsetgroupcallaction).
        case performSetGroup(action: UUID, call: UUID, groupWith: UUID?)
        /// `provider(_:perform:)` with a `CXPlayDTMFCallAction`: `digits` (`0-9 * # A-D ,`)
        /// and `type` (https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction).
        case performPlayDTMF(action: UUID, call: UUID, digits: String, type: DTMFType)
        /// `provider(_:perform:)` with a `CXSetTranslatingCallAction` (iOS 26): fulfilled
        /// for an answered or connected call when ``CallEngine/Configuration/supportsAudioTranslation``
        /// is on and, to start, both languages are BCP 47 tags (at most
        /// ``CallEngine/Limits/maximumLanguageTagLengthInBytes``); failed otherwise
        /// (https://developer.apple.com/documentation/callkit/cxsettranslatingcallaction).
        case performSetTranslating(
            action: UUID, call: UUID, isTranslating: Bool, localLanguage: String, remoteLanguage: String)
        /// `provider(_:timedOutPerforming:)`: the action must be neither fulfilled nor failed
        /// from now on (https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:timedoutperforming:)).
        case timedOutPerforming(action: UUID)
        /// `provider(_:didActivate:)`: the audio session is live; media may start
        /// (https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:didactivate:)).
        case didActivateAudioSession
        /// `provider(_:didDeactivate:)`: the audio session is gone; media must stop
        /// (https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:diddeactivate:)).
        case didDeactivateAudioSession

        // MARK: The app's own requests (sent through CXCallController)

        /// The user started a call in the app (or from Recents or Siri through
        /// `INStartCallIntent`): `call` is a fresh UUID; the handle's type must be in
        /// `supportedHandleTypes`, video needs `supportsVideo`. Becomes a `CXStartCallAction`
        /// request (https://developer.apple.com/documentation/callkit/cxstartcallaction).
        case requestStartCall(call: UUID, handle: CallHandle, isVideo: Bool)
        /// The user ended a call in the app (for a ringing call: declined it): a
        /// `CXEndCallAction` request.
        case requestEndCall(call: UUID)
        /// The user answered a ringing incoming call in the app's own UI: a
        /// `CXAnswerCallAction` request
        /// (https://developer.apple.com/documentation/callkit/cxanswercallaction), which
        /// CallKit then performs (``performAnswerCall(action:call:)``). Refused with
        /// ``EngineError/wrongPhase(call:)`` for a call that is not ringing or not yet known
        /// to CallKit (its report pending).
        case requestAnswerCall(call: UUID)
        /// The user held or resumed a call in the app: a `CXSetHeldCallAction` request.
        case requestSetHeld(call: UUID, onHold: Bool)
        /// The user muted or unmuted in the app: a `CXSetMutedCallAction` request.
        case requestSetMuted(call: UUID, muted: Bool)
        /// The user typed DTMF digits in the app: a `CXPlayDTMFCallAction` request.
        case requestPlayDTMF(call: UUID, digits: String, type: DTMFType)
        /// The completion of the `CXCallController.request(_:completion:)` that
        /// ``CallEngine/Effect/requestTransaction(transaction:action:)`` asked for: `error` is `nil` on success,
        /// else the `CXErrorCodeRequestTransactionError` code (only for an `NSError` in
        /// `CXErrorDomainRequestTransaction`; any other error is ``RequestTransactionError/unknown``)
        /// (https://developer.apple.com/documentation/callkit/cxcallcontroller/request(_:completion:)).
        case transactionCompleted(transaction: TransactionID, error: RequestTransactionError?)

        // MARK: The app's signaling stack

        /// An outgoing call's signaling started connecting (INVITE sent, ringing).
        case outgoingCallConnecting(call: UUID)
        /// The far end of an outgoing call is ringing (SIP `180 Ringing`): local ringback
        /// plays once the audio session is active (``CallEngine/Effect/startRingback(call:)``), until the
        /// call connects or ends. For a call still starting it also counts as
        /// ``outgoingCallConnecting(call:)``; a repeated 180 changes nothing. Refused with
        /// ``EngineError/wrongPhase(call:)`` for an incoming or connected call.
        case outgoingCallRinging(call: UUID)
        /// The remote party answered an outgoing call.
        case outgoingCallConnected(call: UUID)
        /// The far end refused an outgoing call before answering (SIP 486, 603 or 480): the
        /// call ends with the ``CallEndedReason`` its ``RefusalReason`` maps to (busy and
        /// declined ``CallEndedReason/remoteEnded``, unavailable
        /// ``CallEndedReason/unanswered``), without a hang-up; a start action still held is
        /// failed. Refused with ``EngineError/wrongPhase(call:)`` for an incoming, requested or
        /// connected call.
        case outgoingCallRefused(call: UUID, reason: RefusalReason)
        /// An incoming call's connection is ready to be answered (the app reached its server
        /// after the push).
        case incomingCallConnected(call: UUID)
        /// The remote party ended the call, or cancelled it before it was answered. Like the
        /// two that follow, accepted for a call whose push has not arrived yet: the push is
        /// then reported and ended at once with this reason.
        case remoteEnded(call: UUID)
        /// The call was answered on another of the user's devices.
        case answeredElsewhere(call: UUID)
        /// The call was declined on another of the user's devices.
        case declinedElsewhere(call: UUID)
        /// The call's connection failed (``EngineError/unknownCall(call:)`` for a call never seen).
        case connectionFailed(call: UUID)
        /// New details for a known call from the app: a caller name from the address book
        /// (`callerName`, cut to ``CallEngine/Limits/maximumCallerNameLengthInBytes``; `nil` or
        /// empty keeps the name), or a video upgrade or downgrade from signaling
        /// (`hasVideo`; `nil` keeps it). Becomes ``CallEngine/Effect/reportCallUpdated(call:update:)``
        /// (`CXProvider.reportCall(with:updated:)`,
        /// https://developer.apple.com/documentation/callkit/cxprovider/reportcall(with:updated:)),
        /// held until CallKit knows the call (its report accepted, or its start action
        /// performed). No effect when nothing changes or the call just ended; video without
        /// `supportsVideo` is ``EngineError/notSupported(call:)``.
        case callDetailsChanged(call: UUID, callerName: String?, hasVideo: Bool?)
        /// The app's own connection (a WebSocket, a SIP registration, a foreground API call)
        /// announced an incoming call, without a VoIP push: reported to CallKit with
        /// ``CallEngine/Effect/reportNewIncomingCall(push:call:update:endReason:)`` with no push (so no
        /// PushKit completion) under the same update, ring time-out and rules as a pushed
        /// call. `handle` is `CXCallUpdate.remoteHandle` (`nil` when the caller is unknown),
        /// `callerName` its `localizedCallerName` (cut to
        /// ``CallEngine/Limits/maximumCallerNameLengthInBytes``; `nil` or empty when unknown),
        /// `isVideo` its `hasVideo` (kept only with `supportsVideo`)
        /// (https://developer.apple.com/documentation/callkit/cxcallupdate).
        ///
        /// A push for a call already announced, or an announcement of a call already pushed,
        /// is the same call (no second report, call or ring timer), in either order; new
        /// caller details it brings are merged (``CallEngine/Effect/reportCallUpdated(call:update:)``
        /// once CallKit knows the call). Accepted with no effects for a call that ended; with
        /// every call slot taken the caller is rejected as busy
        /// (``CallEngine/Effect/rejectIncoming(call:reason:)``) and nothing is reported. Refused with
        /// ``EngineError/callExists(call:)`` for the UUID of the app's own outgoing call, and with
        /// ``EngineError/invalidHandle`` for a handle over
        /// ``CallEngine/Limits/maximumHandleLengthInBytes`` bytes.
        case incomingCallAnnounced(call: UUID, handle: CallHandle?, callerName: String?, isVideo: Bool)

        // MARK: Timers

        /// A timer from ``CallEngine/Effect/startTimer(timer:deadline:)`` reached its deadline. Send it no
        /// earlier than the deadline (``EngineError/timerNotDue(timer:deadline:)`` otherwise).
        case timerFired(timer: CallEngine.Timer)
    }
}

/// Which `CXProvider.reportNewIncomingCall(with:update:completion:)` a completion
/// answers (``CallEngine/Event/incomingCallReported(report:error:)``): the one made for a VoIP push, or
/// the one made for a call announced over the app's own connection
/// (``CallEngine/Event/incomingCallAnnounced(call:handle:callerName:isVideo:)``).
public enum IncomingReport: Hashable, Sendable {
    /// The report made for this push.
    case push(PushID)
    /// The report made without a push for this call.
    case call(UUID)

    /// The report that ``CallEngine/Effect/reportNewIncomingCall(push:call:update:endReason:)`` with
    /// these fields makes: its push's when it has one, else its call's.
    public init(call: UUID, push: PushID?) {
        if let push {
            self = .push(push)
        } else {
            self = .call(call)
        }
    }
}

// MARK: - The C form

/// Runs `body` with `event` as a `ck_event` whose borrowed bytes live for the call.
func withCEvent<R>(_ event: CallEngine.Event, _ body: (inout ck_event) -> R) -> R {
    var e = ck_event()
    func call(_ kind: ck_event_kind, _ call: UUID) -> R {
        e.kind = kind
        e.call = ck_uuid(call)
        return body(&e)
    }
    switch event {
    case .voipPushReceived(let push, let payload, let fallbackCall, let mustReport, let receivedAt):
        e.kind = CK_EVENT_VOIP_PUSH_RECEIVED
        e.push = push.rawValue
        e.fallback_call = ck_uuid(fallbackCall)
        switch mustReport {
        case nil: e.must_report = CK_MUST_REPORT_UNKNOWN
        case true?: e.must_report = CK_MUST_REPORT_YES
        case false?: e.must_report = CK_MUST_REPORT_NO
        }
        if let receivedAt {
            e.has_received_at = 1
            e.received_at_unix_ms = unixMilliseconds(receivedAt)
        }
        return withCBytes(payload) { bytes in
            e.payload = bytes
            return body(&e)
        }
    case .pushCredentialsUpdated(let token):
        e.kind = CK_EVENT_PUSH_CREDENTIALS_UPDATED
        return withCBytes(token) { bytes in
            e.token = bytes
            return body(&e)
        }
    case .pushCredentialsInvalidated:
        e.kind = CK_EVENT_PUSH_CREDENTIALS_INVALIDATED
    case .incomingCallReported(let report, let error):
        e.kind = CK_EVENT_INCOMING_CALL_REPORTED
        switch report {
        case .push(let push):
            e.has_push = 1
            e.push = push.rawValue
        case .call(let callID):
            e.has_push = 0
            e.call = ck_uuid(callID)
        }
        e.has_error = error == nil ? 0 : 1
        e.error_code = ck_incoming_call_error(error?.rawValue ?? 0)
    case .providerDidBegin:
        e.kind = CK_EVENT_PROVIDER_DID_BEGIN
    case .providerDidReset:
        e.kind = CK_EVENT_PROVIDER_DID_RESET
    case .performStartCall(let action, let callID, let handle, let isVideo):
        e.action = ck_uuid(action)
        e.handle_type = handle.type.c
        e.video = isVideo ? 1 : 0
        return withCString(handle.value) { value in
            e.handle = value
            return call(CK_EVENT_PERFORM_START_CALL, callID)
        }
    case .performAnswerCall(let action, let callID):
        e.action = ck_uuid(action)
        return call(CK_EVENT_PERFORM_ANSWER_CALL, callID)
    case .performEndCall(let action, let callID):
        e.action = ck_uuid(action)
        return call(CK_EVENT_PERFORM_END_CALL, callID)
    case .performSetHeld(let action, let callID, let onHold):
        e.action = ck_uuid(action)
        e.on_hold = onHold ? 1 : 0
        return call(CK_EVENT_PERFORM_SET_HELD, callID)
    case .performSetMuted(let action, let callID, let muted):
        e.action = ck_uuid(action)
        e.muted = muted ? 1 : 0
        return call(CK_EVENT_PERFORM_SET_MUTED, callID)
    case .performSetGroup(let action, let callID, let groupWith):
        e.action = ck_uuid(action)
        if let groupWith {
            e.has_group_with = 1
            e.group_with = ck_uuid(groupWith)
        }
        return call(CK_EVENT_PERFORM_SET_GROUP, callID)
    case .performPlayDTMF(let action, let callID, let digits, let type):
        e.action = ck_uuid(action)
        e.dtmf_type = type.c
        return withCString(digits) { text in
            e.digits = text
            return call(CK_EVENT_PERFORM_PLAY_DTMF, callID)
        }
    case .timedOutPerforming(let action):
        e.kind = CK_EVENT_TIMED_OUT_PERFORMING
        e.action = ck_uuid(action)
    case .didActivateAudioSession:
        e.kind = CK_EVENT_DID_ACTIVATE_AUDIO_SESSION
    case .didDeactivateAudioSession:
        e.kind = CK_EVENT_DID_DEACTIVATE_AUDIO_SESSION
    case .requestStartCall(let callID, let handle, let isVideo):
        e.handle_type = handle.type.c
        e.video = isVideo ? 1 : 0
        return withCString(handle.value) { value in
            e.handle = value
            return call(CK_EVENT_REQUEST_START_CALL, callID)
        }
    case .requestEndCall(let callID):
        return call(CK_EVENT_REQUEST_END_CALL, callID)
    case .requestAnswerCall(let callID):
        return call(CK_EVENT_REQUEST_ANSWER_CALL, callID)
    case .requestSetHeld(let callID, let onHold):
        e.on_hold = onHold ? 1 : 0
        return call(CK_EVENT_REQUEST_SET_HELD, callID)
    case .requestSetMuted(let callID, let muted):
        e.muted = muted ? 1 : 0
        return call(CK_EVENT_REQUEST_SET_MUTED, callID)
    case .requestPlayDTMF(let callID, let digits, let type):
        e.dtmf_type = type.c
        return withCString(digits) { text in
            e.digits = text
            return call(CK_EVENT_REQUEST_PLAY_DTMF, callID)
        }
    case .transactionCompleted(let transaction, let error):
        e.kind = CK_EVENT_TRANSACTION_COMPLETED
        e.transaction = transaction.rawValue
        e.has_error = error == nil ? 0 : 1
        e.error_code = ck_request_transaction_error(error?.rawValue ?? 0)
    case .outgoingCallConnecting(let callID):
        return call(CK_EVENT_OUTGOING_CALL_CONNECTING, callID)
    case .outgoingCallConnected(let callID):
        return call(CK_EVENT_OUTGOING_CALL_CONNECTED, callID)
    case .performSetTranslating(let action, let callID, let translating, let local, let remote):
        e.kind = CK_EVENT_PERFORM_SET_TRANSLATING
        e.action = ck_uuid(action)
        e.translating = translating ? 1 : 0
        return withCString(local) { local in
            withCString(remote) { remote in
                e.local_language = local
                e.remote_language = remote
                return call(CK_EVENT_PERFORM_SET_TRANSLATING, callID)
            }
        }
    case .outgoingCallRefused(let callID, let reason):
        e.refusal_reason = reason.c
        return call(CK_EVENT_OUTGOING_CALL_REFUSED, callID)
    case .incomingCallConnected(let callID):
        return call(CK_EVENT_INCOMING_CALL_CONNECTED, callID)
    case .remoteEnded(let callID):
        return call(CK_EVENT_REMOTE_ENDED, callID)
    case .answeredElsewhere(let callID):
        return call(CK_EVENT_ANSWERED_ELSEWHERE, callID)
    case .declinedElsewhere(let callID):
        return call(CK_EVENT_DECLINED_ELSEWHERE, callID)
    case .connectionFailed(let callID):
        return call(CK_EVENT_CONNECTION_FAILED, callID)
    case .timerFired(let timer):
        e.kind = CK_EVENT_TIMER_FIRED
        e.timer = timer.c
    case .callDetailsChanged(let callID, let callerName, let hasVideo):
        e.changes_video = hasVideo == nil ? 0 : 1
        e.video = hasVideo == true ? 1 : 0
        return withCString(callerName ?? "") { name in
            e.caller_name = name
            return call(CK_EVENT_CALL_DETAILS_CHANGED, callID)
        }
    case .outgoingCallRinging(let callID):
        return call(CK_EVENT_OUTGOING_CALL_RINGING, callID)
    case .incomingCallAnnounced(let callID, let handle, let callerName, let isVideo):
        e.handle_type = (handle?.type ?? .generic).c
        e.video = isVideo ? 1 : 0
        return withCString(handle?.value ?? "") { value in
            e.handle = value
            return withCString(callerName ?? "") { name in
                e.caller_name = name
                return call(CK_EVENT_INCOMING_CALL_ANNOUNCED, callID)
            }
        }
    }
    return body(&e)
}

/// `date` in whole milliseconds since the Unix epoch, rounded to the nearest; a date
/// before the epoch is 0, one past `UInt64.max` milliseconds is `UInt64.max`.
func unixMilliseconds(_ date: Date) -> UInt64 {
    let ms = (date.timeIntervalSince1970 * 1000).rounded()
    guard ms > 0 else { return 0 }
    return ms < 0x1p64 ? UInt64(ms) : .max
}
