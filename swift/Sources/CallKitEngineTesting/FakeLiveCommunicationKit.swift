import CallKitEngine
import CallKitEngineDriver
import Foundation

/// LiveCommunicationKit, PushKit and the audio session without a device, wired to one
/// driver: ``FakeCallKit``'s counterpart for a driver made with
/// `CallDriver.init(managerConfiguration:configuration:signaling:media:audioSession:log:)`.
///
/// ```swift
/// let lck = FakeLiveCommunicationKit()
/// let driver = try lck.makeDriver(configuration: config, signaling: mySignaling, media: myMedia)
/// lck.pushRegistry.deliverVoIPPush(["uuid": id.uuidString, "handle": "+15550100"])
/// lck.settle()
/// let join = lck.conversationManager.perform(.answerCall(call: id))
/// ```
///
/// Drive the fakes from the test's thread (never from ``queue``); ``settle()`` waits for
/// the answers LiveCommunicationKit gives on its own tasks and for the hops the driver
/// queued.
public final class FakeLiveCommunicationKit: Sendable {
    /// The driver's queue (made here, passed to the driver).
    public let queue: DispatchQueue
    /// Time and timers.
    public let clock: VirtualClock
    /// `ConversationManager`, as the driver's provider and call controller.
    public let conversationManager: FakeConversationManager
    /// `PKPushRegistry`.
    public let pushRegistry: FakePushRegistry
    /// `AVAudioSession`.
    public let audioSession: FakeAudioSession

    /// Fakes on a fresh queue and clock, with LiveCommunicationKit's settings from
    /// `configuration` (the library's defaults unless given).
    public init(
        configuration: CallEngine.Configuration = CallEngine.Configuration(), clock: VirtualClock = VirtualClock()
    ) {
        let queue = DispatchQueue(label: "callkit-engine.fake-livecommunicationkit")
        let manager = FakeConversationManager(queue: queue, clock: clock, configuration: configuration)
        self.queue = queue
        self.clock = clock
        conversationManager = manager
        pushRegistry = FakePushRegistry(
            queue: queue, driver: { manager.driver }, reportCount: { manager.reportedIncomingConversations.count })
        audioSession = FakeAudioSession()
    }

    /// A driver on these fakes over `configuration`, started (registered for VoIP
    /// pushes), whose VoIP stack `signaling` makes from the driver's
    /// `CallDriver.Signaling` handle (as on a device). LiveCommunicationKit's settings
    /// become `configuration`'s too, as on a device, where both come from one
    /// `ConversationManager.Configuration`.
    public func makeDriver(
        configuration: CallEngine.Configuration,
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws -> CallDriver {
        conversationManager.configuration = configuration
        let driver = try CallDriver(
            configuration: configuration, backendChoice: CallDriver.BackendChoice(backend: .liveCommunicationKit),
            provider: conversationManager, callController: conversationManager,
            pushRegistry: pushRegistry, audioSession: audioSession, signaling: signaling, media: media,
            scheduler: clock, queue: queue, log: log)
        conversationManager.attach(driver)
        driver.start()
        settle()
        return driver
    }

    /// Waits until LiveCommunicationKit's answers so far were delivered and the driver's
    /// queue ran everything they queued.
    public func settle() { conversationManager.settle() }
}

/// `ConversationManager`, with the adapter the driver uses on a device: records every
/// event, answers `reportNewIncomingConversation(uuid:update:)` and `perform(_:)` as
/// LiveCommunicationKit does, and hands actions to the driver with
/// LiveCommunicationKit's 30 s action time-out.
///
/// Answers: the one-shot ``failNextReport(with:)`` error, else a ``Refusal`` (the
/// documentation says the system throws when it disallows a conversation, not which
/// error: the driver reads it as an unknown failure) for a UUID it knows, or while
/// ``doNotDisturb`` is on; else success. Both `async throws` calls answer on
/// LiveCommunicationKit's own task, never on the driver's queue
/// (https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/reportnewincomingconversation(uuid:update:),
/// https://developer.apple.com/documentation/livecommunicationkit/conversationmanager/perform(_:)).
///
/// Events go to a conversation it lists (reported or started, not ended): an event for
/// any other is dropped, as the adapter finds no `Conversation` for it. After a
/// successful `perform(_:)` it hands the action to the driver (a ``FakeAction`` on
/// ``actions``). ``reset()`` is `conversationManagerDidReset(_:)`: every conversation is
/// gone and every pending action voided.
public final class FakeConversationManager: CallProvider, CallController, Sendable {
    /// An event reported to LiveCommunicationKit, in order.
    public enum Event: Sendable, Equatable {
        /// `reportNewIncomingConversation(uuid:update:)`.
        case newIncomingConversation(UUID, CallUpdate)
        /// `.conversationUpdated(_:)`.
        case conversationUpdated(UUID, CallUpdate)
        /// `.conversationStartedConnecting(_:)`.
        case conversationStartedConnecting(UUID, Date)
        /// `.conversationConnected(_:)`.
        case conversationConnected(UUID, Date)
        /// `.conversationEnded(_:_:)`, with the engine's reason (`answeredElsewhere` is
        /// sent as `joinedElsewhere`).
        case conversationEnded(UUID, Date, CallEndedReason)
    }

    /// Why the fake system refused a report or a request.
    public enum Refusal: Error, Sendable, Equatable {
        /// A conversation with this UUID exists.
        case conversationExists
        /// Do Not Disturb (a Focus) is on.
        case doNotDisturb
        /// No conversation with this UUID exists.
        case unknownConversation
        /// A keypad tone: the adapter requests no `PlayToneAction`.
        case playToneNotRequested
    }

    private struct State {
        weak var driver: CallDriver?
        var configuration: CallEngine.Configuration
        var events: [Event] = []
        var conversations: Set<UUID> = []
        var doNotDisturb = false
        var nextError: (any Error)?
        var actions: [FakeAction] = []
        var requests: [CallEngine.CallAction] = []
    }

    /// LiveCommunicationKit's action time-out: `ConversationAction.timeoutDate`'s default,
    /// 30 s after the action was made
    /// (https://developer.apple.com/documentation/livecommunicationkit/conversationaction/init(conversationuuid:timeoutdate:)).
    public static let actionTimeoutMilliseconds: UInt64 = 30_000

    private let queue: DispatchQueue
    /// LiveCommunicationKit's own tasks, where its `async throws` calls return.
    private let tasks = DispatchQueue(label: "callkit-engine.fake-livecommunicationkit.tasks")
    private let clock: VirtualClock
    private let state: Locked<State>

    init(queue: DispatchQueue, clock: VirtualClock, configuration: CallEngine.Configuration) {
        self.queue = queue
        self.clock = clock
        state = Locked(State(configuration: configuration))
    }

    func attach(_ driver: CallDriver) { state.withLock { $0.driver = driver } }

    var driver: CallDriver? { state.withLock { $0.driver } }

    /// The configuration the next driver gets.
    public internal(set) var configuration: CallEngine.Configuration {
        get { state.withLock { $0.configuration } }
        set { state.withLock { $0.configuration = newValue } }
    }

    // MARK: What the driver reported and requested

    /// Every event, in order.
    public var events: [Event] { state.withLock { $0.events } }

    /// The conversations reported as incoming, in order.
    public var reportedIncomingConversations: [UUID] {
        events.compactMap { if case let .newIncomingConversation(call, _) = $0 { return call } else { return nil } }
    }

    /// The conversations reported as ended, with the engine's reason.
    public var endedConversations: [(call: UUID, reason: CallEndedReason)] {
        events.compactMap {
            if case let .conversationEnded(call, _, reason) = $0 { return (call, reason) } else { return nil }
        }
    }

    /// The conversations LiveCommunicationKit lists (`ConversationManager.conversations`).
    public var conversations: Set<UUID> { state.withLock { $0.conversations } }

    /// Every action handed to the driver, in order.
    public var actions: [FakeAction] { state.withLock { $0.actions } }

    /// Every `perform(_:)` the driver asked for, in order.
    public var requests: [CallEngine.CallAction] { state.withLock { $0.requests } }

    // MARK: What the test does

    /// Whether a Focus with Do Not Disturb is on: new conversations are refused.
    public var doNotDisturb: Bool {
        get { state.withLock { $0.doNotDisturb } }
        set { state.withLock { $0.doNotDisturb = newValue } }
    }

    /// Makes the next report throw `error`.
    public func failNextReport(with error: any Error) { state.withLock { $0.nextError = error } }

    /// LiveCommunicationKit hands `request` to the driver (the user joined, ended,
    /// paused, ... from the system's UI), with its 30 s time-out armed.
    @discardableResult
    public func perform(_ request: CallDriver.ProviderActionRequest) -> FakeAction {
        let action = FakeAction(request)
        queue.sync { self.handOver(action) }
        settle()
        return action
    }

    /// `conversationManagerDidReset(_:)`: every conversation is gone and every action not
    /// yet fulfilled, failed or timed out is voided.
    public func reset() {
        queue.sync {
            let actions = state.withLock { state -> [FakeAction] in
                state.conversations.removeAll()
                return state.actions
            }
            for action in actions { action.void() }
            driver?.handleProviderDidReset()
        }
        settle()
    }

    /// `conversationManagerDidBegin(_:)`.
    public func begin() { onQueue { $0.handleProviderDidBegin() } }

    /// `conversationManager(_:didActivate:)`.
    public func activateAudioSession() { onQueue { $0.handleAudioSessionActivated() } }

    /// `conversationManager(_:didDeactivate:)`.
    public func deactivateAudioSession() { onQueue { $0.handleAudioSessionDeactivated() } }

    /// Waits until the answers given so far were delivered and the driver's queue ran
    /// what they queued.
    public func settle() {
        for _ in 0..<4 {
            tasks.sync {}
            drain(queue)
        }
    }

    // MARK: CallProvider

    /// Records the report and answers as LiveCommunicationKit does, on its own task.
    public func reportNewIncomingCall(
        _ call: UUID, update: CallUpdate, completion: @escaping @Sendable ((any Error)?) -> Void
    ) {
        let error = state.withLock { state -> (any Error)? in
            state.events.append(.newIncomingConversation(call, update))
            if let injected = state.nextError {
                state.nextError = nil
                return injected
            }
            if state.conversations.contains(call) { return Refusal.conversationExists }
            if state.doNotDisturb { return Refusal.doNotDisturb }
            state.conversations.insert(call)
            return nil
        }
        tasks.async { completion(error) }
    }

    /// `.conversationUpdated(_:)`, when the conversation is listed.
    public func reportCall(_ call: UUID, updated update: CallUpdate) {
        record(.conversationUpdated(call, update), for: call)
    }

    /// `.conversationStartedConnecting(_:)`, when the conversation is listed.
    public func reportOutgoingCall(_ call: UUID, startedConnectingAt date: Date) {
        record(.conversationStartedConnecting(call, date), for: call)
    }

    /// `.conversationConnected(_:)`, when the conversation is listed.
    public func reportOutgoingCall(_ call: UUID, connectedAt date: Date) {
        record(.conversationConnected(call, date), for: call)
    }

    /// `.conversationEnded(_:_:)`, when the conversation is listed; it is no longer.
    public func reportCall(_ call: UUID, endedAt date: Date, reason: CallEndedReason) {
        record(.conversationEnded(call, date, reason), for: call)
        _ = state.withLock { $0.conversations.remove(call) }
    }

    // MARK: CallController

    /// Records the request and answers on LiveCommunicationKit's task: a start of a
    /// listed UUID or any other action on an unlisted one is refused; else it succeeds
    /// (an accepted start's conversation is listed from then on) and the action is
    /// handed to the driver.
    public func request(_ action: CallEngine.CallAction, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let error = state.withLock { state -> Refusal? in
            state.requests.append(action)
            if case .playDTMF = action { return .playToneNotRequested }
            let listed = state.conversations.contains(action.call)
            if case .startCall = action {
                if listed { return .conversationExists }
                // The accepted start's conversation is listed from now on.
                state.conversations.insert(action.call)
                return nil
            }
            return listed ? nil : .unknownConversation
        }
        tasks.async {
            completion(error)
            guard error == nil else { return }
            self.queue.async { self.handOver(FakeAction(CallDriver.ProviderActionRequest(action))) }
        }
    }

    // MARK: Internals

    private func record(_ event: Event, for call: UUID) {
        state.withLock { state in
            if state.conversations.contains(call) { state.events.append(event) }
        }
    }

    /// Hands `action` to the driver with the 30 s time-out armed. On the driver's queue.
    private func handOver(_ action: FakeAction) {
        guard let driver else { return }
        state.withLock { $0.actions.append(action) }
        let timeout = clock.schedule(afterMilliseconds: Self.actionTimeoutMilliseconds, on: queue) { [weak driver] in
            if action.timeOut() { driver?.handleTimedOut(action) }
        }
        let request = action.request
        action.arm(timeout: timeout) { [weak self] in self?.fulfilled(request) }
        driver.handle(action, request: request)
    }

    /// LiveCommunicationKit's record of a fulfilled action.
    private func fulfilled(_ request: CallDriver.ProviderActionRequest) {
        state.withLock { state in
            switch request {
            case let .startCall(call, _, _): state.conversations.insert(call)
            case let .endCall(call): state.conversations.remove(call)
            default: break
            }
        }
    }

    private func onQueue(_ body: (CallDriver) -> Void) {
        queue.sync {
            if let driver { body(driver) }
        }
        settle()
    }
}
