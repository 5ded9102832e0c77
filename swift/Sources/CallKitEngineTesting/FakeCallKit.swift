import CallKitEngine
import CallKitEngineDriver
import Foundation

/// CallKit, PushKit and the audio session without a device, wired to one driver: the
/// fakes answer as the system does, run on a ``VirtualClock``, and record what the driver
/// did, so an app's tests can drive its call handling end to end.
///
/// ```swift
/// let callKit = FakeCallKit()
/// let driver = try callKit.makeDriver(configuration: config, signaling: mySignaling, media: myMedia)
/// let push = callKit.pushRegistry.deliverVoIPPush(["uuid": id.uuidString, "handle": "+15550100"])
/// XCTAssertTrue(push.reportedBeforeReturn)
/// callKit.settle()
/// let answer = callKit.provider.perform(.answerCall(call: id))
/// ```
///
/// Drive the fakes from the test's thread (never from ``queue``): each delivers its
/// callback on the driver's queue and waits for it, and ``settle()`` waits for the
/// completions and hops the driver queued.
///
/// CallKit's settings (`CXProviderConfiguration`'s `maximumCallGroups`,
/// `maximumCallsPerCallGroup`, `supportsVideo`, `supportedHandleTypes`,
/// `includesCallsInRecents`) are those of one `CallEngine.Configuration`, the one the
/// driver gets, as `CallDriver.init(providerConfiguration:configuration:signaling:media:audioSession:log:)`
/// derives the engine's from CallKit's on a device: the fakes and the engine cannot
/// disagree (``FakeCallProvider/configuration``).
public final class FakeCallKit: Sendable {
    /// The driver's queue (made here, passed to the driver).
    public let queue: DispatchQueue
    /// Time and timers.
    public let clock: VirtualClock
    /// `CXProvider`.
    public let provider: FakeCallProvider
    /// `CXCallController`.
    public let callController: FakeCallController
    /// `PKPushRegistry`.
    public let pushRegistry: FakePushRegistry
    /// `AVAudioSession`.
    public let audioSession: FakeAudioSession

    /// Fakes on a fresh queue and clock, with CallKit's settings from `configuration`
    /// (the library's defaults unless given), which `makeDriver(signaling:media:log:)`
    /// hands to the driver.
    public init(
        configuration: CallEngine.Configuration = CallEngine.Configuration(), clock: VirtualClock = VirtualClock()
    ) {
        let queue = DispatchQueue(label: "callkit-engine.fake-callkit")
        self.queue = queue
        self.clock = clock
        provider = FakeCallProvider(queue: queue, clock: clock, configuration: configuration)
        callController = FakeCallController(provider: provider)
        pushRegistry = FakePushRegistry(provider: provider)
        audioSession = FakeAudioSession()
    }

    /// The configuration CallKit's settings come from and the next driver gets
    /// (``FakeCallProvider/configuration``).
    public var configuration: CallEngine.Configuration { provider.configuration }

    /// A driver on these fakes over ``configuration``, started (registered for VoIP
    /// pushes).
    public func makeDriver(
        signaling: any CallSignaling,
        media: any CallMedia,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws -> CallDriver {
        try makeDriver(configuration: configuration, signaling: signaling, media: media, log: log)
    }

    /// A driver on these fakes over ``configuration``, started, whose VoIP stack
    /// `signaling` makes from the driver's `CallDriver.Signaling` handle (as on a device).
    public func makeDriver(
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws -> CallDriver {
        try makeDriver(configuration: configuration, signaling: signaling, media: media, log: log)
    }

    /// A driver on these fakes over `configuration`, started, whose VoIP stack
    /// `signaling` makes from the driver's `CallDriver.Signaling` handle (as on a device).
    /// CallKit's settings become `configuration`'s too.
    public func makeDriver(
        configuration: CallEngine.Configuration,
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws -> CallDriver {
        provider.configuration = configuration
        let driver = try CallDriver(
            configuration: configuration, provider: provider, callController: callController,
            pushRegistry: pushRegistry, audioSession: audioSession, signaling: signaling, media: media,
            scheduler: clock, queue: queue, log: log)
        provider.attach(driver)
        driver.start()
        settle()
        return driver
    }

    /// The app's own connection announces an incoming call without a VoIP push
    /// (`CallDriver.SignalingEvent.incomingCallAnnounced`),
    /// then settles the driver's queue: the driver reports it to ``provider`` with no
    /// PushKit completion.
    public func announceIncomingCall(
        _ call: UUID, handle: CallHandle?, callerName: String? = nil, isVideo: Bool = false
    ) {
        provider.driver?.signalingDidReport(
            .incomingCallAnnounced(call: call, handle: handle, callerName: callerName, isVideo: isVideo))
        settle()
    }

    /// Waits until the driver's queue has run everything queued so far, and what that
    /// queued in turn (completions hop onto the queue, and may queue CallKit's next
    /// callback): a few rounds of `queue.sync {}`.
    public func settle() { drain(queue) }
}

/// Runs a few rounds of `queue.sync {}`: everything queued so far, and what that queued.
func drain(_ queue: DispatchQueue) {
    for _ in 0..<8 { queue.sync {} }
}

/// `CXProvider`: records every report, answers `reportNewIncomingCall` as CallKit does,
/// and hands actions to the driver as CallKit would, with CallKit's 60 s action time-out.
///
/// Answers: the one-shot ``failNextReport(with:)`` error, else `callUUIDAlreadyExists`
/// for a UUID it knows (reported or started and not ended), `filteredByDoNotDisturb`
/// while ``doNotDisturb`` is on, `filteredByBlockList` for a remote handle in
/// ``blockedHandles``, else success. Errors are `NSError`s of `CXErrorDomainIncomingCall`,
/// as CallKit's.
///
/// The answer's completion runs as CallKit runs it: later, on the provider's delegate
/// queue (the driver's ``FakeCallKit/queue``), never inside the report call
/// (https://developer.apple.com/documentation/callkit/cxprovider/reportnewincomingcall(with:update:completion:)).
/// ``completesReportsInline`` runs it inside the report call instead, and
/// ``holdsReportCompletions`` keeps it until ``completeReport(for:)``.
///
/// Calls and groups as CallKit keeps them: a call is connected once its answer or start
/// action is fulfilled, until it ends; each connected call is its own call group until a
/// fulfilled `CXSetGroupCallAction` joins it to another's. When a call is answered while
/// another connected call is active (not on hold), CallKit first
/// performs a `CXSetHeldCallAction(onHold: true)` on the active call ("Hold & Accept"),
/// or, when the connected calls already form `maximumCallGroups` groups, a
/// `CXEndCallAction` on it ("End & Accept"), then the answer.
///
/// ``reset()`` is `providerDidReset(_:)`: CallKit forgets every call, voids every pending
/// action (``FakeAction/Outcome/voided``: no time-out follows) and drops every held
/// report completion.
public final class FakeCallProvider: CallProvider, Sendable {
    /// A call to the provider, in order.
    public enum Report: Sendable, Equatable {
        /// `reportNewIncomingCall(with:update:completion:)`.
        case newIncomingCall(UUID, CallUpdate)
        /// `reportCall(with:updated:)`.
        case callUpdated(UUID, CallUpdate)
        /// `reportOutgoingCall(with:startedConnectingAt:)`.
        case outgoingCallStartedConnecting(UUID, Date)
        /// `reportOutgoingCall(with:connectedAt:)`.
        case outgoingCallConnected(UUID, Date)
        /// `reportCall(with:endedAt:reason:)`.
        case callEnded(UUID, Date, CallEndedReason)
    }

    private struct Pending {
        let call: UUID
        let error: (any Error)?
        let completion: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        weak var driver: CallDriver?
        var configuration: CallEngine.Configuration
        var reports: [Report] = []
        /// The calls CallKit keeps, with its rules (shared with the in-app backend).
        var book = SystemCallBook()
        var doNotDisturb = false
        var blockedHandles: Set<String> = []
        var nextError: (any Error)?
        var holdsReportCompletions = false
        var completesReportsInline = false
        var pending: [Pending] = []
        var actions: [FakeAction] = []
    }

    /// CallKit's action time-out: an action neither fulfilled nor failed this long after
    /// it was handed in is timed out (`provider(_:timedOutPerforming:)`). Apple documents
    /// no length; about a minute is observed (docs/callkit-facts.md).
    public static let actionTimeoutMilliseconds: UInt64 = 60_000

    /// The driver's queue, shared by the push registry.
    let queue: DispatchQueue
    private let clock: VirtualClock
    private let state: Locked<State>

    init(queue: DispatchQueue, clock: VirtualClock, configuration: CallEngine.Configuration) {
        self.queue = queue
        self.clock = clock
        state = Locked(State(configuration: configuration))
    }

    func attach(_ driver: CallDriver) { state.withLock { $0.driver = driver } }

    /// The driver this provider (and the push registry) delivers to.
    var driver: CallDriver? { state.withLock { $0.driver } }

    // MARK: What the driver reported

    /// Every report, in order.
    public var reports: [Report] { state.withLock { $0.reports } }

    /// The UUIDs of `reportNewIncomingCall`, in order.
    public var reportedIncomingCalls: [UUID] {
        reports.compactMap { if case let .newIncomingCall(call, _) = $0 { return call } else { return nil } }
    }

    /// The calls reported ended, with their reasons, in order.
    public var endedCalls: [(call: UUID, reason: CallEndedReason)] {
        reports.compactMap {
            if case let .callEnded(call, _, reason) = $0 { return (call, reason) } else { return nil }
        }
    }

    /// Every action handed to the driver, in order.
    public var actions: [FakeAction] { state.withLock { $0.actions } }

    /// The calls CallKit has connected (answer or start fulfilled, not ended), each with
    /// whether it is on hold.
    public var connectedCalls: [UUID: Bool] { state.withLock { $0.book.connected.mapValues(\.onHold) } }

    /// How many call groups the connected calls form (at most `maximumCallGroups` of
    /// ``configuration``).
    public var callGroupCount: Int { state.withLock { $0.book.groupCount } }

    /// The calls whose report completion is held (``holdsReportCompletions``), in order.
    public var heldReportCompletions: [UUID] { state.withLock { $0.pending.map(\.call) } }

    /// CallKit's settings, as `CXProviderConfiguration` would hold them: its
    /// `maximumCallGroups`, `maximumCallsPerCallGroup`, `supportsVideo`,
    /// `supportedHandleTypes` and `includesCallsInRecents` are this configuration's.
    /// `FakeCallKit.makeDriver(configuration:signaling:media:log:)` sets it to the
    /// driver's.
    public internal(set) var configuration: CallEngine.Configuration {
        get { state.withLock { $0.configuration } }
        set { state.withLock { $0.configuration = newValue } }
    }

    // MARK: How CallKit answers

    /// Do Not Disturb: every new report fails with `filteredByDoNotDisturb`.
    public var doNotDisturb: Bool {
        get { state.withLock { $0.doNotDisturb } }
        set { state.withLock { $0.doNotDisturb = newValue } }
    }

    /// The block list: reports whose remote handle value is here fail with
    /// `filteredByBlockList`.
    public var blockedHandles: Set<String> {
        get { state.withLock { $0.blockedHandles } }
        set { state.withLock { $0.blockedHandles = newValue } }
    }

    /// While on, `reportNewIncomingCall` completions (for a push or a call announced
    /// without one) wait for ``completeReport(for:)``; while off (the default) each is
    /// queued on the delegate queue when the call is reported.
    public var holdsReportCompletions: Bool {
        get { state.withLock { $0.holdsReportCompletions } }
        set { state.withLock { $0.holdsReportCompletions = newValue } }
    }

    /// While on, a `reportNewIncomingCall` completion runs inside the report call (and
    /// ``completeReport(for:)``'s on the test's thread), which CallKit never does; while
    /// off (the default) it runs later on the delegate queue, as CallKit runs it.
    public var completesReportsInline: Bool {
        get { state.withLock { $0.completesReportsInline } }
        set { state.withLock { $0.completesReportsInline = newValue } }
    }

    /// The next `reportNewIncomingCall` fails with `error` (any domain), whatever else.
    public func failNextReport(with error: any Error) { state.withLock { $0.nextError = error } }

    /// Runs the held completion of the report of `call` (see ``holdsReportCompletions``)
    /// with the answer decided when it was reported, on the delegate queue (inside this
    /// call with ``completesReportsInline``), then settles the driver's queue. Does
    /// nothing when none is held (never reported, completed already, or dropped by
    /// ``reset()``).
    public func completeReport(for call: UUID) {
        let (pending, inline) = state.withLock { state -> (Pending?, Bool) in
            guard let index = state.pending.firstIndex(where: { $0.call == call }) else {
                return (nil, state.completesReportsInline)
            }
            return (state.pending.remove(at: index), state.completesReportsInline)
        }
        guard let pending else { return }
        if inline { deliver(pending) } else { queue.async { self.deliver(pending) } }
        settle()
    }

    /// Runs the held completion of the report of `call` on the driver's queue, as CallKit
    /// does (on the provider's delegate queue), and in the same turn of that queue
    /// delivers `providerDidReset(_:)`: CallKit accepted the call and reset right after,
    /// before the queue ran anything else. Then settles the driver's queue.
    public func completeReportOnQueueThenReset(for call: UUID) {
        let pending = state.withLock { state -> Pending? in
            guard let index = state.pending.firstIndex(where: { $0.call == call }) else { return nil }
            return state.pending.remove(at: index)
        }
        guard let pending else { return }
        queue.sync {
            deliver(pending)
            forgetEverything()
            driver?.handleProviderDidReset()
        }
        settle()
    }

    // MARK: CallKit's callbacks (from the test's thread)

    /// CallKit performs `request` (`provider(_:perform:)`): a fresh action is handed to
    /// the driver, with CallKit's time-out armed. Returns the action.
    @discardableResult
    public func perform(_ request: CallDriver.ProviderActionRequest) -> FakeAction {
        perform(FakeAction(request))
    }

    /// CallKit hands `action` to the driver (for a test that picks the action's UUID),
    /// with CallKit's time-out armed. Returns the action.
    @discardableResult
    public func perform(_ action: FakeAction) -> FakeAction {
        queue.sync { self.handOver(action) }
        settle()
        return action
    }

    /// `providerDidReset(_:)`: CallKit forgets every call, voids every action not yet
    /// fulfilled, failed or timed out (``FakeAction/Outcome/voided``; its time-out is
    /// disarmed) and drops every held report completion (it never runs).
    public func reset() {
        queue.sync {
            forgetEverything()
            driver?.handleProviderDidReset()
        }
        settle()
    }

    /// `providerDidBegin(_:)`.
    public func begin() { onQueue { $0.handleProviderDidBegin() } }

    /// `provider(_:didActivate:)`.
    public func activateAudioSession() { onQueue { $0.handleAudioSessionActivated() } }

    /// `provider(_:didDeactivate:)`.
    public func deactivateAudioSession() { onQueue { $0.handleAudioSessionDeactivated() } }

    // MARK: CallProvider

    /// Records the report and answers as CallKit does (see the type's discussion).
    public func reportNewIncomingCall(
        _ call: UUID, update: CallUpdate, completion: @escaping @Sendable ((any Error)?) -> Void
    ) {
        // `hold`: nil while held, else whether the completion runs inline.
        let (pending, hold) = state.withLock { state -> (Pending, Bool?) in
            state.reports.append(.newIncomingCall(call, update))
            let error: (any Error)?
            if let injected = state.nextError {
                state.nextError = nil
                error = injected
            } else if state.book.known.contains(call) {
                error = Self.incomingCallError(.callUUIDAlreadyExists)
            } else if state.doNotDisturb {
                error = Self.incomingCallError(.filteredByDoNotDisturb)
            } else if let handle = update.remoteHandle?.value, state.blockedHandles.contains(handle) {
                error = Self.incomingCallError(.filteredByBlockList)
            } else {
                error = state.book.acceptReport(of: call).map(Self.incomingCallError)
            }
            let pending = Pending(call: call, error: error, completion: completion)
            if state.holdsReportCompletions { state.pending.append(pending) }
            return (pending, state.holdsReportCompletions ? nil : state.completesReportsInline)
        }
        switch hold {
        case nil: break
        case true?: deliver(pending)
        case false?: queue.async { self.deliver(pending) }
        }
    }

    /// Records the report.
    public func reportCall(_ call: UUID, updated update: CallUpdate) {
        state.withLock { $0.reports.append(.callUpdated(call, update)) }
    }

    /// Records the report.
    public func reportOutgoingCall(_ call: UUID, startedConnectingAt date: Date) {
        state.withLock { $0.reports.append(.outgoingCallStartedConnecting(call, date)) }
    }

    /// Records the report.
    public func reportOutgoingCall(_ call: UUID, connectedAt date: Date) {
        state.withLock { $0.reports.append(.outgoingCallConnected(call, date)) }
    }

    /// Records the report; CallKit forgets the call.
    public func reportCall(_ call: UUID, endedAt date: Date, reason: CallEndedReason) {
        state.withLock {
            $0.reports.append(.callEnded(call, date, reason))
            $0.book.ended(call)
        }
    }

    // MARK: Internals

    /// CallKit's answer to a request of `action` (``SystemCallBook/acceptRequest(of:maximumCallGroups:)``).
    func acceptRequest(of action: CallEngine.CallAction) -> RequestTransactionError? {
        state.withLock { $0.book.acceptRequest(of: action, maximumCallGroups: $0.configuration.maximumCallGroups) }
    }

    /// Hands `action` to the driver and arms CallKit's time-out, after holding (or
    /// ending) the active call first when `action` answers another (see the type's
    /// discussion). On the driver's queue.
    func handOver(_ action: FakeAction) {
        guard let driver else { return }
        if case let .answerCall(call) = action.request, let first = makeRoom(answering: call) {
            handOverOne(FakeAction(first), to: driver)
        }
        handOverOne(action, to: driver)
    }

    private func handOverOne(_ action: FakeAction, to driver: CallDriver) {
        state.withLock { $0.actions.append(action) }
        let timeout = clock.schedule(afterMilliseconds: Self.actionTimeoutMilliseconds, on: queue) { [weak driver] in
            if action.timeOut() { driver?.handleTimedOut(action) }
        }
        let request = action.request
        action.arm(timeout: timeout) { [weak self] in self?.fulfilled(request) }
        driver.handle(action, request: action.request)
    }

    /// What CallKit performs on the active call before answering `call`
    /// (``SystemCallBook/makeRoom(answering:maximumCallGroups:)``).
    private func makeRoom(answering call: UUID) -> CallDriver.ProviderActionRequest? {
        state.withLock { $0.book.makeRoom(answering: call, maximumCallGroups: $0.configuration.maximumCallGroups) }
    }

    /// CallKit's record of a fulfilled action.
    private func fulfilled(_ request: CallDriver.ProviderActionRequest) {
        state.withLock { $0.book.fulfilled(request) }
    }

    /// `providerDidReset(_:)`'s side in CallKit: no call, no pending action, no held report
    /// completion. On the driver's queue.
    private func forgetEverything() {
        let actions = state.withLock { state -> [FakeAction] in
            state.book.removeAll()
            state.pending.removeAll()
            return state.actions
        }
        for action in actions { action.void() }
    }

    func enqueue(_ body: @escaping @Sendable () -> Void) { queue.async(execute: body) }

    private func deliver(_ pending: Pending) {
        pending.completion(pending.error)
    }

    private func onQueue(_ body: (CallDriver) -> Void) {
        queue.sync {
            if let driver { body(driver) }
        }
        settle()
    }

    private func settle() { drain(queue) }

    static func incomingCallError(_ code: IncomingCallError) -> NSError {
        NSError(domain: CallKitErrorDomain.incomingCall, code: code.rawValue)
    }
}

/// `CXCallController`: records every request and answers as CallKit does: the one-shot
/// ``failNextRequest(with:)`` error, else `callUUIDAlreadyExists` to start a call with a
/// UUID it knows, `maximumCallGroupsReached` to start one while the connected calls
/// already form `maximumCallGroups` groups (``FakeCallProvider/configuration``),
/// `unknownCallUUID` for an action on a call it does not know, else success, after which
/// CallKit performs the action through the provider's delegate (a ``FakeAction`` on
/// ``FakeCallProvider/actions``). Errors are `NSError`s of
/// `CXErrorDomainRequestTransaction`, as CallKit's.
///
/// The completion runs later on the controller's queue (the driver's), before the
/// action is performed
/// (https://developer.apple.com/documentation/callkit/cxcallcontroller/init(queue:));
/// ``completesRequestsInline`` runs it inside the request call instead, and
/// ``holdsRequestCompletions`` keeps it for ``completeHeldRequest()``, after the action
/// was performed. A reset does not drop a held request completion: CallKit delivers the
/// completion of a request it dropped at a reset afterwards.
public final class FakeCallController: CallController, Sendable {
    private struct State {
        var requests: [CallEngine.CallAction] = []
        var nextError: (any Error)?
        var completesInline = false
        var holds = false
        var held: [@Sendable () -> Void] = []
    }

    private let provider: FakeCallProvider
    private let state = Locked(State())

    init(provider: FakeCallProvider) { self.provider = provider }

    /// Every requested action, in order.
    public var requests: [CallEngine.CallAction] { state.withLock { $0.requests } }

    /// The next request fails with `error` (any domain), whatever else.
    public func failNextRequest(with error: any Error) { state.withLock { $0.nextError = error } }

    /// While on, a request's completion runs inside the request call, which CallKit never
    /// does; while off (the default) it runs later on the controller's queue.
    public var completesRequestsInline: Bool {
        get { state.withLock { $0.completesInline } }
        set { state.withLock { $0.completesInline = newValue } }
    }

    /// While on, request completions wait for ``completeHeldRequest()``; the action of
    /// a successful request is performed meanwhile.
    public var holdsRequestCompletions: Bool {
        get { state.withLock { $0.holds } }
        set { state.withLock { $0.holds = newValue } }
    }

    /// How many request completions are held.
    public var heldRequestCompletionCount: Int { state.withLock { $0.held.count } }

    /// Runs the oldest held request completion on the controller's queue (inside this
    /// call with ``completesRequestsInline``), then settles the driver's queue; `false`
    /// when none is held.
    @discardableResult
    public func completeHeldRequest() -> Bool {
        let (next, inline) = state.withLock { state -> ((@Sendable () -> Void)?, Bool) in
            (state.held.isEmpty ? nil : state.held.removeFirst(), state.completesInline)
        }
        guard let next else { return false }
        if inline { next() } else { provider.enqueue(next) }
        drain(provider.queue)
        return true
    }

    /// Records the request and answers (see the type's discussion).
    public func request(_ action: CallEngine.CallAction, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let (injected, inline, hold) = state.withLock { state -> ((any Error)?, Bool, Bool) in
            state.requests.append(action)
            defer { state.nextError = nil }
            return (state.nextError, state.completesInline, state.holds)
        }
        let error: (any Error)? = injected ?? provider.acceptRequest(of: action).map(Self.error)
        let perform = CallDriver.ProviderActionRequest(action)
        if hold {
            state.withLock { $0.held.append { completion(error) } }
        } else if inline {
            completion(error)
        } else {
            provider.enqueue { completion(error) }
        }
        if error == nil {
            let provider = self.provider
            let action = FakeAction(perform)
            provider.enqueue { provider.handOver(action) }
        }
    }

    static func error(_ code: RequestTransactionError) -> NSError {
        NSError(domain: CallKitErrorDomain.requestTransaction, code: code.rawValue)
    }
}

/// `PKPushRegistry`: delivers VoIP pushes and token changes to the driver as PushKit
/// does, on the driver's queue, and checks PushKit's rule that the call is reported
/// before the delegate method returns.
public final class FakePushRegistry: VoIPPushRegistry, Sendable {
    /// The driver's queue.
    private let queue: DispatchQueue
    /// The driver pushes go to.
    private let driver: @Sendable () -> CallDriver?
    /// How many incoming calls the system fake was asked to report so far.
    private let reportCount: @Sendable () -> Int
    private let registered = Locked(false)

    convenience init(provider: FakeCallProvider) {
        self.init(
            queue: provider.queue, driver: { provider.driver }, reportCount: { provider.reportedIncomingCalls.count })
    }

    init(
        queue: DispatchQueue, driver: @escaping @Sendable () -> CallDriver?,
        reportCount: @escaping @Sendable () -> Int
    ) {
        self.queue = queue
        self.driver = driver
        self.reportCount = reportCount
    }

    /// Whether the driver set `desiredPushTypes = [.voIP]`.
    public var isRegisteredForVoIPPushes: Bool { registered.withLock { $0 } }

    /// Records the registration.
    public func registerForVoIPPushes() { registered.withLock { $0 = true } }

    /// Delivers a VoIP push and returns what became of it: with `mustReport` `nil`
    /// through `pushRegistry(_:didReceiveIncomingPushWith:for:completion:)` (before iOS
    /// 26.4), else through iOS 26.4's
    /// `pushRegistry(_:didReceiveIncomingVoIPPushWith:metadata:withCompletionHandler:)`
    /// with `PKVoIPPushMetadata.mustReport`. PushKit kills an app that returns from the
    /// delegate method without reporting a call it had to report: see
    /// ``FakePush/reportedBeforeReturn`` (a push under `mustReport: false` may go
    /// unreported).
    @discardableResult
    public func deliverVoIPPush(_ payload: [AnyHashable: Any], mustReport: Bool? = nil) -> FakePush {
        let push = FakePush(mustReport: mustReport)
        let reported = queue.sync { () -> Bool in
            guard let driver = driver() else { return false }
            let before = reportCount()
            driver.handleIncomingPush(payload: payload, mustReport: mustReport) { push.complete() }
            return reportCount() > before
        }
        push.reportedBeforeReturn = reported
        drain(queue)
        return push
    }

    /// `pushRegistry(_:didUpdate:for:)` with `token`.
    public func updateCredentials(token: Data) {
        queue.sync { driver()?.handlePushCredentialsUpdated(token: token) }
    }

    /// `pushRegistry(_:didInvalidatePushTokenFor:)`.
    public func invalidateCredentials() {
        queue.sync { driver()?.handlePushCredentialsInvalidated() }
    }
}

/// One delivered VoIP push: whether it was reported in time and how often its PushKit
/// completion ran.
public final class FakePush: Sendable {
    private struct State {
        var completions = 0
        var reportedBeforeReturn = false
    }

    private let state = Locked(State())

    /// `PKVoIPPushMetadata.mustReport` of the iOS 26.4 delegate method, `nil` for the
    /// older method (where every push must be reported).
    public let mustReport: Bool?

    init(mustReport: Bool?) { self.mustReport = mustReport }

    /// Whether PushKit would terminate the app for this push: it had to be reported
    /// (`mustReport` not `false`) and was not before the delegate method returned.
    public var brokePushKitsReportRule: Bool { mustReport != false && !reportedBeforeReturn }

    /// Whether `reportNewIncomingCall` was called before the delegate method returned
    /// (PushKit's iOS 13 rule; `false` would get the app killed unless `mustReport` is
    /// `false`).
    public internal(set) var reportedBeforeReturn: Bool {
        get { state.withLock { $0.reportedBeforeReturn } }
        set { state.withLock { $0.reportedBeforeReturn = newValue } }
    }

    /// How many times the PushKit completion ran (1 is right, 0 while pending).
    public var completionCount: Int { state.withLock { $0.completions } }

    func complete() { state.withLock { $0.completions += 1 } }
}

/// `AVAudioSession`: counts configurations, records activations (the in-app backend's;
/// under CallKit and LiveCommunicationKit the system activates the session), and can
/// fail the next of each.
public final class FakeAudioSession: CallAudioSession, Sendable {
    private struct State {
        var configurations = 0
        var nextError: (any Error)?
        var activations: [Bool] = []
        var nextActivationError: (any Error)?
        var isActive = false
        var interruptionHandler: (@Sendable (CallDriver.AudioSessionInterruption) -> Void)?
    }

    private let state = Locked(State())

    /// A session that is not active, with nothing recorded.
    public init() {}

    /// How many times the driver configured the session.
    public var configurationCount: Int { state.withLock { $0.configurations } }

    /// Every `setActive(_:)` call, in order (`true` activates), whether it threw or not.
    public var activations: [Bool] { state.withLock { $0.activations } }

    /// Whether the session is active: the last `setActive(_:)` that did not throw.
    public var isActive: Bool { state.withLock { $0.isActive } }

    /// The next `configureForCall()` throws `error`.
    public func failNextConfiguration(with error: any Error) { state.withLock { $0.nextError = error } }

    /// The next activation (`setActive(true)`) throws `error` (as `AVAudioSession` does
    /// when another app holds a session that does not mix, or a cellular call is
    /// active); deactivations still succeed.
    public func failNextActivation(with error: any Error) { state.withLock { $0.nextActivationError = error } }

    /// Counts, or throws the injected error.
    public func configureForCall() throws {
        let error = state.withLock { state -> (any Error)? in
            state.configurations += 1
            defer { state.nextError = nil }
            return state.nextError
        }
        if let error { throw error }
    }

    /// Keeps `handler` for ``interrupt()`` and ``endInterruption()``.
    public func observeInterruptions(_ handler: @escaping @Sendable (CallDriver.AudioSessionInterruption) -> Void) {
        state.withLock { $0.interruptionHandler = handler }
    }

    /// Whether anything observes interruptions (the in-app backend does).
    public var isObservingInterruptions: Bool { state.withLock { $0.interruptionHandler != nil } }

    /// The system interrupts the session (a cellular call): it is no longer active, and
    /// the observer hears `began`.
    public func interrupt() {
        let handler = state.withLock { state -> (@Sendable (CallDriver.AudioSessionInterruption) -> Void)? in
            state.isActive = false
            return state.interruptionHandler
        }
        handler?(.began)
    }

    /// The interruption ended and the call's audio may resume (`.shouldResume`).
    public func endInterruption() {
        state.withLock { $0.interruptionHandler }?(.endedShouldResume)
    }

    /// Records the call, then throws the injected activation error or takes the new
    /// state.
    public func setActive(_ active: Bool) throws {
        let error = state.withLock { state -> (any Error)? in
            state.activations.append(active)
            guard active, let error = state.nextActivationError else {
                state.isActive = active
                return nil
            }
            state.nextActivationError = nil
            return error
        }
        if let error { throw error }
    }
}
