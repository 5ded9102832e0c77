// CallKit behind the driver's protocols: internal wrappers of CXProvider,
// CXCallController and CXAction (each method one Apple call; Apple's own types gain no
// members or conformances), and the driver is the CXProviderDelegate. Thin on purpose:
// the logic is in Driver/, compiled and tested on Linux; on Linux this file compiles
// against the CallKit stub (swift/Stubs/CallKit), whose delegate methods are all
// required, so a signature that drifts from Apple's fails to compile.
#if canImport(CallKit) && !os(macOS)
import AVFAudio
import CallKit
import CallKitEngine
import Foundation

/// A `CXProvider` as the driver's ``CallProvider``.
/// https://developer.apple.com/documentation/callkit/cxprovider
final class SystemCallProvider: CallProvider {
    let provider: CXProvider

    init(_ provider: CXProvider) { self.provider = provider }

    /// `reportNewIncomingCall(with:update:completion:)`; CallKit runs `completion` on the
    /// delegate queue.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportnewincomingcall(with:update:completion:)
    func reportNewIncomingCall(
        _ call: UUID, update: CallUpdate, completion: @escaping @Sendable ((any Error)?) -> Void
    ) {
        provider.reportNewIncomingCall(with: call, update: CXCallUpdate(update), completion: completion)
    }

    /// `reportCall(with:updated:)`.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportcall(with:updated:)
    func reportCall(_ call: UUID, updated update: CallUpdate) {
        provider.reportCall(with: call, updated: CXCallUpdate(update))
    }

    /// `reportOutgoingCall(with:startedConnectingAt:)`.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportoutgoingcall(with:startedconnectingat:)
    func reportOutgoingCall(_ call: UUID, startedConnectingAt date: Date) {
        provider.reportOutgoingCall(with: call, startedConnectingAt: date)
    }

    /// `reportOutgoingCall(with:connectedAt:)`.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportoutgoingcall(with:connectedat:)
    func reportOutgoingCall(_ call: UUID, connectedAt date: Date) {
        provider.reportOutgoingCall(with: call, connectedAt: date)
    }

    /// `reportCall(with:endedAt:reason:)`.
    /// https://developer.apple.com/documentation/callkit/cxprovider/reportcall(with:endedat:reason:)
    func reportCall(_ call: UUID, endedAt date: Date, reason: CallEndedReason) {
        provider.reportCall(
            with: call, endedAt: date, reason: CXCallEndedReason(rawValue: reason.rawValue) ?? .failed)
    }
}

/// A `CXSetTranslatingCallAction` as the driver's ``CallDriver/ProviderAction``: fulfilled with
/// `fulfill(using: .default)`, the system's translation engine.
/// https://developer.apple.com/documentation/callkit/cxsettranslatingcallaction/fulfill(using:)
@available(iOS 26.0, *)
final class SystemTranslatingAction: CallDriver.ProviderAction {
    let action: CXSetTranslatingCallAction

    init(_ action: CXSetTranslatingCallAction) { self.action = action }

    var uuid: UUID { action.uuid }

    func fulfill() { action.fulfill(using: .default) }

    func fail() { action.fail() }
}

/// A `CXCallController` as the driver's ``CallController``.
/// https://developer.apple.com/documentation/callkit/cxcallcontroller
final class SystemCallController: CallController {
    let controller: CXCallController

    init(_ controller: CXCallController) { self.controller = controller }

    /// `request(_:completion:)` with a transaction of the one action; CallKit runs
    /// `completion` on the controller's queue.
    /// https://developer.apple.com/documentation/callkit/cxcallcontroller/request(_:completion:)
    func request(_ action: CallEngine.CallAction, completion: @escaping @Sendable ((any Error)?) -> Void) {
        controller.request(CXTransaction(action: CXCallAction.make(action)), completion: completion)
    }
}

/// A `CXAction` as the driver's ``CallDriver/ProviderAction``.
/// https://developer.apple.com/documentation/callkit/cxaction
final class SystemProviderAction: CallDriver.ProviderAction {
    let action: CXAction

    init(_ action: CXAction) { self.action = action }

    /// `CXAction.uuid`.
    /// https://developer.apple.com/documentation/callkit/cxaction/uuid
    var uuid: UUID { action.uuid }

    /// `CXAction.fulfill()`.
    /// https://developer.apple.com/documentation/callkit/cxaction/fulfill()
    func fulfill() { action.fulfill() }

    /// `CXAction.fail()`.
    /// https://developer.apple.com/documentation/callkit/cxaction/fail()
    func fail() { action.fail() }
}

extension CXCallUpdate {
    /// A `CXCallUpdate` with the engine's fields.
    /// https://developer.apple.com/documentation/callkit/cxcallupdate
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
    /// https://developer.apple.com/documentation/callkit/cxhandle/init(type:value:)
    convenience init(_ handle: CallHandle) {
        self.init(type: CXHandle.HandleType(rawValue: handle.type.rawValue) ?? .generic, value: handle.value)
    }

    /// The engine's handle.
    var engineHandle: CallHandle {
        CallHandle(type: CallKitEngine.HandleType(rawValue: type.rawValue) ?? .generic, value: value)
    }
}

extension CXCallAction {
    /// The `CXCallAction` subclass for an action the engine requests (`CXStartCallAction`,
    /// `CXEndCallAction`, `CXSetHeldCallAction`, `CXSetMutedCallAction`,
    /// `CXPlayDTMFCallAction`).
    /// https://developer.apple.com/documentation/callkit/cxcallaction
    static func make(_ action: CallEngine.CallAction) -> CXCallAction {
        switch action {
        case let .startCall(call, handle, video):
            let start = CXStartCallAction(call: call, handle: CXHandle(handle))
            start.isVideo = video
            return start
        case let .endCall(call):
            return CXEndCallAction(call: call)
        case let .answerCall(call):
            return CXAnswerCallAction(call: call)
        case let .setHeld(call, onHold):
            return CXSetHeldCallAction(call: call, onHold: onHold)
        case let .setMuted(call, muted):
            return CXSetMutedCallAction(call: call, muted: muted)
        case let .playDTMF(call, digits, type):
            return CXPlayDTMFCallAction(
                call: call, digits: digits,
                type: CXPlayDTMFCallAction.ActionType(rawValue: type.rawValue) ?? .singleTone)
        }
    }
}

/// The driver is the provider's delegate (`CXProvider.setDelegate(_:queue:)` with
/// ``CallDriver/queue``): every method hands the callback to the driver's logic.
/// https://developer.apple.com/documentation/callkit/cxproviderdelegate
extension CallDriver: CXProviderDelegate {
    /// `providerDidReset(_:)`.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/providerdidreset(_:)
    public func providerDidReset(_ provider: CXProvider) {
        handleProviderDidReset()
    }

    /// `providerDidBegin(_:)`.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/providerdidbegin(_:)
    public func providerDidBegin(_ provider: CXProvider) {
        handleProviderDidBegin()
    }

    /// `provider(_:perform:)` for `CXStartCallAction` (https://developer.apple.com/documentation/callkit/cxproviderdelegate, the
    /// `CXStartCallAction` overload; https://developer.apple.com/documentation/callkit/cxstartcallaction).
    public func provider(_ provider: CXProvider, perform action: CXStartCallAction) {
        handle(
            SystemProviderAction(action),
            request: .startCall(call: action.callUUID, handle: action.handle.engineHandle, isVideo: action.isVideo))
    }

    /// `provider(_:perform:)` for `CXAnswerCallAction`.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:perform:)-h4in
    public func provider(_ provider: CXProvider, perform action: CXAnswerCallAction) {
        handle(SystemProviderAction(action), request: .answerCall(call: action.callUUID))
    }

    /// `provider(_:perform:)` for `CXEndCallAction` (https://developer.apple.com/documentation/callkit/cxproviderdelegate, the
    /// `CXEndCallAction` overload; https://developer.apple.com/documentation/callkit/cxendcallaction).
    public func provider(_ provider: CXProvider, perform action: CXEndCallAction) {
        handle(SystemProviderAction(action), request: .endCall(call: action.callUUID))
    }

    /// `provider(_:perform:)` for `CXSetHeldCallAction` (https://developer.apple.com/documentation/callkit/cxproviderdelegate, the
    /// `CXSetHeldCallAction` overload; https://developer.apple.com/documentation/callkit/cxsetheldcallaction).
    public func provider(_ provider: CXProvider, perform action: CXSetHeldCallAction) {
        handle(SystemProviderAction(action), request: .setHeld(call: action.callUUID, onHold: action.isOnHold))
    }

    /// `provider(_:perform:)` for `CXSetMutedCallAction` (https://developer.apple.com/documentation/callkit/cxproviderdelegate, the
    /// `CXSetMutedCallAction` overload; https://developer.apple.com/documentation/callkit/cxsetmutedcallaction).
    public func provider(_ provider: CXProvider, perform action: CXSetMutedCallAction) {
        handle(SystemProviderAction(action), request: .setMuted(call: action.callUUID, muted: action.isMuted))
    }

    /// `provider(_:perform:)` for `CXSetGroupCallAction` (https://developer.apple.com/documentation/callkit/cxproviderdelegate, the
    /// `CXSetGroupCallAction` overload; https://developer.apple.com/documentation/callkit/cxsetgroupcallaction).
    public func provider(_ provider: CXProvider, perform action: CXSetGroupCallAction) {
        handle(
            SystemProviderAction(action),
            request: .setGroup(call: action.callUUID, groupWith: action.callUUIDToGroupWith))
    }

    /// `provider(_:perform:)` for `CXPlayDTMFCallAction` (https://developer.apple.com/documentation/callkit/cxproviderdelegate, the
    /// `CXPlayDTMFCallAction` overload; https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction).
    public func provider(_ provider: CXProvider, perform action: CXPlayDTMFCallAction) {
        let type = DTMFType(rawValue: action.type.rawValue) ?? .singleTone
        handle(
            SystemProviderAction(action), request: .playDTMF(call: action.callUUID, digits: action.digits, type: type))
    }

    /// `provider(_:perform:)` for `CXSetTranslatingCallAction` (iOS 26), fulfilled with
    /// the system's default translation engine.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:perform:)-43atg
    @available(iOS 26.0, *)
    public func provider(_ provider: CXProvider, perform action: CXSetTranslatingCallAction) {
        handle(
            SystemTranslatingAction(action),
            request: .setTranslating(
                call: action.callUUID, isTranslating: action.isTranslating,
                localLanguage: action.localLanguage, remoteLanguage: action.remoteLanguage))
    }

    /// `provider(_:timedOutPerforming:)`.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:timedoutperforming:)
    public func provider(_ provider: CXProvider, timedOutPerforming action: CXAction) {
        handleTimedOut(SystemProviderAction(action))
    }

    /// `provider(_:didActivate:)`.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:didactivate:)
    public func provider(_ provider: CXProvider, didActivate audioSession: AVAudioSession) {
        handleAudioSessionActivated()
    }

    /// `provider(_:didDeactivate:)`.
    /// https://developer.apple.com/documentation/callkit/cxproviderdelegate/provider(_:diddeactivate:)
    public func provider(_ provider: CXProvider, didDeactivate audioSession: AVAudioSession) {
        handleAudioSessionDeactivated()
    }
}
#endif
