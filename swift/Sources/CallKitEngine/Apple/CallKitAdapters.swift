// CallKit behind the driver's protocols: CXProvider, CXCallController and CXAction
// conform (each method one Apple call), and the driver is the CXProviderDelegate. Thin
// on purpose: the logic is in Driver/, compiled and tested on Linux; on Linux this file
// compiles against the CallKit stub (swift/Stubs/CallKit), whose delegate methods are
// all required, so a signature that drifts from Apple's fails to compile.
#if canImport(CallKit) && !os(macOS)
import AVFAudio
import CallKit
import Foundation

extension CXProvider: CallProvider {
    /// `reportNewIncomingCall(with:update:completion:)`.
    public func reportNewIncomingCall(
        _ call: UUID, update: CallUpdate, completion: @escaping @Sendable ((any Error)?) -> Void
    ) {
        reportNewIncomingCall(with: call, update: CXCallUpdate(update), completion: completion)
    }

    /// `reportCall(with:updated:)`.
    public func reportCall(_ call: UUID, updated update: CallUpdate) {
        reportCall(with: call, updated: CXCallUpdate(update))
    }

    /// `reportOutgoingCall(with:startedConnectingAt:)`.
    public func reportOutgoingCall(_ call: UUID, startedConnectingAt date: Date) {
        reportOutgoingCall(with: call, startedConnectingAt: date)
    }

    /// `reportOutgoingCall(with:connectedAt:)`.
    public func reportOutgoingCall(_ call: UUID, connectedAt date: Date) {
        reportOutgoingCall(with: call, connectedAt: date)
    }

    /// `reportCall(with:endedAt:reason:)`.
    public func reportCall(_ call: UUID, endedAt date: Date, reason: CallEndedReason) {
        reportCall(with: call, endedAt: date, reason: CXCallEndedReason(rawValue: reason.rawValue) ?? .failed)
    }
}

extension CXCallController: CallController {
    /// `request(_:completion:)` with a transaction of the one action.
    public func request(_ action: CallAction, completion: @escaping @Sendable ((any Error)?) -> Void) {
        request(CXTransaction(action: CXCallAction.make(action)), completion: completion)
    }
}

/// `CXAction` has `uuid`, `fulfill()` and `fail()` already.
extension CXAction: ProviderAction {}

extension CXCallUpdate {
    /// A `CXCallUpdate` with the engine's fields.
    convenience init(_ update: CallUpdate) {
        self.init()
        remoteHandle = update.remoteHandle.map(CXHandle.init)
        localizedCallerName = update.localizedCallerName
        hasVideo = update.hasVideo
        supportsHolding = update.supportsHolding
        supportsGrouping = update.supportsGrouping
        supportsUngrouping = update.supportsUngrouping
        supportsDTMF = update.supportsDTMF
    }
}

extension CXHandle {
    /// `CXHandle(type:value:)` from the engine's handle.
    convenience init(_ handle: Handle) {
        self.init(type: CXHandle.HandleType(rawValue: handle.type.rawValue) ?? .generic, value: handle.value)
    }

    /// The engine's handle.
    var engineHandle: Handle {
        Handle(type: CallKitEngine.HandleType(rawValue: type.rawValue) ?? .generic, value: value)
    }
}

extension CXCallAction {
    /// The `CXCallAction` subclass for an action the engine requests.
    static func make(_ action: CallAction) -> CXCallAction {
        switch action {
        case let .startCall(call, handle, video):
            let start = CXStartCallAction(call: call, handle: CXHandle(handle))
            start.isVideo = video
            return start
        case let .endCall(call):
            return CXEndCallAction(call: call)
        case let .setHeld(call, onHold):
            return CXSetHeldCallAction(call: call, onHold: onHold)
        case let .setMuted(call, muted):
            return CXSetMutedCallAction(call: call, muted: muted)
        case let .playDTMF(call, digits, type):
            return CXPlayDTMFCallAction(
                call: call, digits: digits, type: CXPlayDTMFCallAction.ActionType(rawValue: type.rawValue) ?? .singleTone)
        }
    }
}

/// The driver is the provider's delegate (`CXProvider.setDelegate(_:queue:)` with
/// ``CallDriver/queue``): every method hands the callback to the driver's logic.
extension CallDriver: CXProviderDelegate {
    /// `providerDidReset(_:)`.
    public func providerDidReset(_ provider: CXProvider) {
        handleProviderDidReset()
    }

    /// `providerDidBegin(_:)`.
    public func providerDidBegin(_ provider: CXProvider) {
        handleProviderDidBegin()
    }

    /// `provider(_:perform:)` for `CXStartCallAction`.
    public func provider(_ provider: CXProvider, perform action: CXStartCallAction) {
        handle(action, .startCall(call: action.callUUID, handle: action.handle.engineHandle, isVideo: action.isVideo))
    }

    /// `provider(_:perform:)` for `CXAnswerCallAction`.
    public func provider(_ provider: CXProvider, perform action: CXAnswerCallAction) {
        handle(action, .answerCall(call: action.callUUID))
    }

    /// `provider(_:perform:)` for `CXEndCallAction`.
    public func provider(_ provider: CXProvider, perform action: CXEndCallAction) {
        handle(action, .endCall(call: action.callUUID))
    }

    /// `provider(_:perform:)` for `CXSetHeldCallAction`.
    public func provider(_ provider: CXProvider, perform action: CXSetHeldCallAction) {
        handle(action, .setHeld(call: action.callUUID, onHold: action.isOnHold))
    }

    /// `provider(_:perform:)` for `CXSetMutedCallAction`.
    public func provider(_ provider: CXProvider, perform action: CXSetMutedCallAction) {
        handle(action, .setMuted(call: action.callUUID, muted: action.isMuted))
    }

    /// `provider(_:perform:)` for `CXSetGroupCallAction`.
    public func provider(_ provider: CXProvider, perform action: CXSetGroupCallAction) {
        handle(action, .setGroup(call: action.callUUID, groupWith: action.callUUIDToGroupWith))
    }

    /// `provider(_:perform:)` for `CXPlayDTMFCallAction`.
    public func provider(_ provider: CXProvider, perform action: CXPlayDTMFCallAction) {
        let type = DTMFType(rawValue: action.type.rawValue) ?? .singleTone
        handle(action, .playDTMF(call: action.callUUID, digits: action.digits, type: type))
    }

    /// `provider(_:timedOutPerforming:)`.
    public func provider(_ provider: CXProvider, timedOutPerforming action: CXAction) {
        handleTimedOut(action)
    }

    /// `provider(_:didActivate:)`.
    public func provider(_ provider: CXProvider, didActivate audioSession: AVAudioSession) {
        handleAudioSessionActivated()
    }

    /// `provider(_:didDeactivate:)`.
    public func provider(_ provider: CXProvider, didDeactivate audioSession: AVAudioSession) {
        handleAudioSessionDeactivated()
    }
}
#endif
