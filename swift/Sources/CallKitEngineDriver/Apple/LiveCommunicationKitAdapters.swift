// LiveCommunicationKit behind the driver's protocols: internal wrappers of
// ConversationManager and ConversationAction (each method one Apple call; Apple's own types
// gain no members or conformances), and the driver is the ConversationManagerDelegate.
// Thin on purpose: the logic is in Driver/, compiled and tested on Linux; on Linux this
// file compiles against the LiveCommunicationKit stub (swift/Stubs/LiveCommunicationKit),
// whose delegate methods are all required, so a signature that drifts from Apple's fails
// to compile.
//
// Where LiveCommunicationKit differs from CallKit (docs/ios-integration.md,
// "LiveCommunicationKit"):
// - its report and `perform(_:)` are `async throws`: each runs in a `Task` and its
//   completion reaches the driver on whatever task it finishes on; the driver hops it
//   onto its queue, as it does CallKit's completions;
// - the manager has no delegate queue (`delegate` only): every delegate method hops onto
//   the driver's queue before it reaches the driver;
// - events go to a `Conversation` object, found by UUID in `conversations`; an event for
//   a conversation LiveCommunicationKit no longer lists is dropped;
// - an action LiveCommunicationKit hands in times out 30 s after it was made
//   (`ConversationAction.timeoutDate`'s default), CallKit's after about a minute.
#if canImport(LiveCommunicationKit) && !os(macOS)
import AVFAudio
import CallKitEngine
import Foundation
import LiveCommunicationKit

/// A `ConversationManager` reference a `Task` may carry. The manager is only called through
/// its own API (`async` methods and event reports), never mutated here.
@available(iOS 17.4, *)
struct ConversationManagerReference: @unchecked Sendable {
    let manager: ConversationManager
}

/// A `ConversationManager` as the driver's ``CallProvider``.
/// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager
@available(iOS 17.4, *)
final class SystemConversationProvider: CallProvider {
    let reference: ConversationManagerReference

    init(_ manager: ConversationManager) { reference = ConversationManagerReference(manager: manager) }

    /// `reportNewIncomingConversation(uuid:update:)`, in a `Task`: `completion` gets `nil`
    /// when it returns and its error when it throws, on the task it finished on.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/reportnewincomingconversation(uuid:update:)
    func reportNewIncomingCall(
        _ call: UUID, update: CallUpdate, completion: @escaping @Sendable ((any Error)?) -> Void
    ) {
        let reference = reference
        Task {
            do {
                try await reference.manager.reportNewIncomingConversation(
                    uuid: call, update: Conversation.Update(update))
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }

    /// `reportConversationEvent(.conversationUpdated(_:), for:)`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event/conversationupdated(_:)
    func reportCall(_ call: UUID, updated update: CallUpdate) {
        report(.conversationUpdated(Conversation.Update(update)), for: call)
    }

    /// `reportConversationEvent(.conversationStartedConnecting(_:), for:)`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event/conversationstartedconnecting(_:)
    func reportOutgoingCall(_ call: UUID, startedConnectingAt date: Date) {
        report(.conversationStartedConnecting(date), for: call)
    }

    /// `reportConversationEvent(.conversationConnected(_:), for:)`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event/conversationconnected(_:)
    func reportOutgoingCall(_ call: UUID, connectedAt date: Date) {
        report(.conversationConnected(date), for: call)
    }

    /// `reportConversationEvent(.conversationEnded(_:_:), for:)`; CallKit's
    /// `answeredElsewhere` is LiveCommunicationKit's `joinedElsewhere`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/event/conversationended(_:_:)
    func reportCall(_ call: UUID, endedAt date: Date, reason: CallEndedReason) {
        report(.conversationEnded(date, Conversation.EndedReason(reason)), for: call)
    }

    /// `reportConversationEvent(_:for:)` on the conversation `conversations` lists for
    /// `call`; nothing when it lists none (LiveCommunicationKit already ended it).
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/reportconversationevent(_:for:)
    private func report(_ event: Conversation.Event, for call: UUID) {
        guard let conversation = reference.manager.conversations.first(where: { $0.uuid == call }) else { return }
        reference.manager.reportConversationEvent(event, for: conversation)
    }
}

/// A `ConversationManager` as the driver's ``CallController``.
/// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/perform(_:)
@available(iOS 17.4, *)
final class SystemConversationController: CallController {
    /// The error `completion` gets for a keypad-tone request: the adapter does not make
    /// `PlayToneAction`s (their tone values are not in the reference the stub follows).
    struct PlayToneNotRequested: Error {}

    let reference: ConversationManagerReference

    init(_ manager: ConversationManager) { reference = ConversationManagerReference(manager: manager) }

    /// `perform(_:)` with the one action, in a `Task`: `completion` gets `nil` when it
    /// returns and its error when it throws, on the task it finished on. Hold is
    /// `PauseConversationAction` (which stops every audio and video stream), answer is
    /// `JoinConversationAction`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/perform(_:)
    func request(_ action: CallEngine.CallAction, completion: @escaping @Sendable ((any Error)?) -> Void) {
        if case .playDTMF = action {
            completion(PlayToneNotRequested())
            return
        }
        let reference = reference
        Task {
            do {
                guard let conversationAction = ConversationAction.make(action) else {
                    completion(PlayToneNotRequested())
                    return
                }
                try await reference.manager.perform([conversationAction])
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }
}

/// A `ConversationAction` as the driver's ``CallDriver/ProviderAction``. Fulfilled as its
/// class asks: a join with `fulfill(dateConnected:)`, a start with
/// `fulfill(dateStarted:)`, both at the moment the engine fulfils it; any other with
/// `fulfill()`.
/// https://developer.apple.com/documentation/livecommunicationkit/conversationaction
@available(iOS 17.4, *)
final class SystemConversationAction: CallDriver.ProviderAction, @unchecked Sendable {
    // Why @unchecked Sendable: the action is handed from LiveCommunicationKit's delegate
    // call onto the driver's queue, and only used there afterwards.
    let action: ConversationAction

    init(_ action: ConversationAction) { self.action = action }

    /// `ConversationAction.uuid`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationaction/uuid
    var uuid: UUID { action.uuid }

    /// `JoinConversationAction.fulfill(dateConnected:)`,
    /// `StartConversationAction.fulfill(dateStarted:)` or `ConversationAction.fulfill()`.
    /// https://developer.apple.com/documentation/livecommunicationkit/joinconversationaction/fulfill(dateconnected:)
    func fulfill() {
        if let join = action as? JoinConversationAction {
            join.fulfill(dateConnected: Date())
        } else if let start = action as? StartConversationAction {
            start.fulfill(dateStarted: Date())
        } else {
            action.fulfill()
        }
    }

    /// `ConversationAction.fail()`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationaction/fail()
    func fail() { action.fail() }
}

@available(iOS 17.4, *)
extension ConversationAction {
    /// The `ConversationAction` subclass for an action the engine requests; `nil` for a
    /// keypad tone (see ``SystemConversationController``).
    static func make(_ action: CallEngine.CallAction) -> ConversationAction? {
        switch action {
        case let .startCall(call, handle, video):
            return StartConversationAction(conversationUUID: call, handles: [Handle(handle)], isVideo: video)
        case let .endCall(call):
            return EndConversationAction(conversationUUID: call)
        case let .answerCall(call):
            return JoinConversationAction(conversationUUID: call)
        case let .setHeld(call, onHold):
            return PauseConversationAction(conversationUUID: call, isPaused: onHold)
        case let .setMuted(call, muted):
            return MuteConversationAction(conversationUUID: call, isMuted: muted)
        case .playDTMF:
            return nil
        }
    }

    /// What the engine is asked to perform for this action, `nil` for a class the driver
    /// does not handle (failed at once).
    var request: CallDriver.ProviderActionRequest? {
        switch self {
        case let start as StartConversationAction:
            guard let handle = start.handles.first else { return nil }
            return .startCall(call: conversationUUID, handle: handle.engineHandle, isVideo: start.isVideo)
        case is JoinConversationAction:
            return .answerCall(call: conversationUUID)
        case is EndConversationAction:
            return .endCall(call: conversationUUID)
        case let pause as PauseConversationAction:
            return .setHeld(call: conversationUUID, onHold: pause.isPaused)
        case let mute as MuteConversationAction:
            return .setMuted(call: conversationUUID, muted: mute.isMuted)
        case let merge as MergeConversationAction:
            return .setGroup(call: conversationUUID, groupWith: merge.conversationUUIDToMergeWith)
        case let tone as PlayToneAction:
            return .playDTMF(call: conversationUUID, digits: tone.digits, type: .singleTone)
        default:
            return nil
        }
    }
}

@available(iOS 17.4, *)
extension Conversation.Update {
    /// An update with the engine's fields: the caller as the one member (its display name
    /// the caller's name), and the capabilities CallKit's `supports…` flags stand for
    /// (holding is `pausing`, grouping `merging`, ungrouping `unmerging`, DTMF
    /// `playingTones`).
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/update/init(localmember:members:activeremotemembers:capabilities:)
    init(_ update: CallUpdate) {
        var capabilities: Conversation.Capabilities = []
        if update.hasVideo { capabilities.insert(.video) }
        if update.supportsHolding { capabilities.insert(.pausing) }
        if update.supportsGrouping { capabilities.insert(.merging) }
        if update.supportsUngrouping { capabilities.insert(.unmerging) }
        if update.supportsDTMF { capabilities.insert(.playingTones) }
        let members = update.remoteHandle.map {
            Set([Handle(type: Handle.Kind($0.type), value: $0.value, displayName: update.localizedCallerName)])
        }
        self.init(members: members, activeRemoteMembers: members, capabilities: capabilities)
    }
}

@available(iOS 17.4, *)
extension Handle {
    /// `Handle(type:value:displayName:)` from the engine's handle.
    /// https://developer.apple.com/documentation/livecommunicationkit/handle/init(type:value:displayname:)
    init(_ handle: CallHandle) { self.init(type: Handle.Kind(handle.type), value: handle.value) }

    /// The engine's handle.
    var engineHandle: CallHandle { CallHandle(type: HandleType(type), value: value) }
}

@available(iOS 17.4, *)
extension HandleType {
    /// The engine's handle type of LiveCommunicationKit's kind.
    /// https://developer.apple.com/documentation/livecommunicationkit/handle/kind
    init(_ kind: Handle.Kind) {
        switch kind {
        case .phoneNumber: self = .phoneNumber
        case .emailAddress: self = .emailAddress
        default: self = .generic
        }
    }
}

@available(iOS 17.4, *)
extension Handle.Kind {
    /// LiveCommunicationKit's kind of the engine's handle type.
    /// https://developer.apple.com/documentation/livecommunicationkit/handle/kind
    init(_ type: HandleType) {
        switch type {
        case .generic: self = .generic
        case .phoneNumber: self = .phoneNumber
        case .emailAddress: self = .emailAddress
        }
    }
}

@available(iOS 17.4, *)
extension Conversation.EndedReason {
    /// LiveCommunicationKit's reason for the engine's (`answeredElsewhere` is
    /// `joinedElsewhere`).
    /// https://developer.apple.com/documentation/livecommunicationkit/conversation/endedreason
    init(_ reason: CallEndedReason) {
        switch reason {
        case .failed: self = .failed
        case .remoteEnded: self = .remoteEnded
        case .unanswered: self = .unanswered
        case .answeredElsewhere: self = .joinedElsewhere
        case .declinedElsewhere: self = .declinedElsewhere
        }
    }
}

/// The driver is the conversation manager's delegate (`ConversationManager.delegate`).
/// LiveCommunicationKit names no queue for its delegate calls, so each method hops onto
/// ``CallDriver/queue`` before it reaches the driver.
/// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate
@available(iOS 17.4, *)
extension CallDriver: ConversationManagerDelegate {
    /// `conversationManagerDidBegin(_:)`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanagerdidbegin(_:)
    public func conversationManagerDidBegin(_ manager: ConversationManager) {
        queue.async { self.handleProviderDidBegin() }
    }

    /// `conversationManagerDidReset(_:)`: every conversation and pending action is gone.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanagerdidreset(_:)
    public func conversationManagerDidReset(_ manager: ConversationManager) {
        queue.async { self.handleProviderDidReset() }
    }

    /// `conversationManager(_:conversationChanged:)`: nothing; the engine learns a
    /// conversation's changes from the actions and the app's signaling.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanager(_:conversationchanged:)
    public func conversationManager(_ manager: ConversationManager, conversationChanged conversation: Conversation) {}

    /// `conversationManager(_:perform:)`: the action's request goes to the engine on the
    /// driver's queue; an action of a class the driver does not handle is failed at once.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanager(_:perform:)
    public func conversationManager(_ manager: ConversationManager, perform action: ConversationAction) {
        guard let request = action.request else {
            action.fail()
            return
        }
        let wrapped = SystemConversationAction(action)
        queue.async { self.handle(wrapped, request: request) }
    }

    /// `conversationManager(_:timedOutPerforming:)`: the action must be neither fulfilled
    /// nor failed from now on.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate
    public func conversationManager(_ manager: ConversationManager, timedOutPerforming action: ConversationAction) {
        let wrapped = SystemConversationAction(action)
        queue.async { self.handleTimedOut(wrapped) }
    }

    /// `conversationManager(_:didActivate:)`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanager(_:didactivate:)
    public func conversationManager(_ manager: ConversationManager, didActivate audioSession: AVAudioSession) {
        queue.async { self.handleAudioSessionActivated() }
    }

    /// `conversationManager(_:didDeactivate:)`.
    /// https://developer.apple.com/documentation/livecommunicationkit/conversationmanagerdelegate/conversationmanager(_:diddeactivate:)
    public func conversationManager(_ manager: ConversationManager, didDeactivate audioSession: AVAudioSession) {
        queue.async { self.handleAudioSessionDeactivated() }
    }
}
#endif
