import CallKitEngine
import CallKitEngineDriver
import Foundation

/// What every backend's fakes have in common, so one test runs against CallKit
/// (``FakeCallKit``), LiveCommunicationKit (``FakeLiveCommunicationKit``) and the app's
/// own call UI (``FakeAppCallUI``): make a driver, deliver an incoming call the way the
/// backend receives one, act on the call screen as the user, move the audio session,
/// and read how each action ended.
///
/// ```swift
/// for system in [FakeCallKit(), FakeLiveCommunicationKit(), FakeAppCallUI()] as [any FakeCallingSystem] {
///     let driver = try system.makeDriver(configuration: config, signaling: { _ in stack }, media: media, log: { _ in })
///     system.deliverIncomingCall(["uuid": id.uuidString, "handle": "+15550100"])
///     driver.signalingDidReport(.incomingCallConnected(call: id))
///     system.userPerforms(.answerCall(call: id))
///     system.activateAudioSession()
/// }
/// ```
///
/// Drive it from the test's thread (never from ``queue``); every method settles the
/// driver's queue before it returns.
public protocol FakeCallingSystem: AnyObject, Sendable {
    /// The backend these fakes stand for.
    var backend: CallDriver.Backend { get }
    /// The driver's queue.
    var queue: DispatchQueue { get }
    /// Time and timers.
    var clock: VirtualClock { get }
    /// `AVAudioSession`.
    var audioSession: FakeAudioSession { get }

    /// A driver on these fakes over `configuration`, started. The system's settings
    /// become `configuration`'s, as on a device.
    func makeDriver(
        configuration: CallEngine.Configuration,
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void
    ) throws -> CallDriver

    /// An incoming call reaches the device as this backend receives one: a VoIP push
    /// (CallKit, LiveCommunicationKit; `mustReport` as ``FakePushRegistry/deliverVoIPPush(_:mustReport:)``
    /// takes it), or a regular notification the user opens (in-app; `mustReport` is
    /// ignored, nobody must report a notification). Returns the push, `nil` for a
    /// notification.
    @discardableResult
    func deliverIncomingCall(_ payload: [AnyHashable: Any], mustReport: Bool?) -> FakePush?

    /// The user acts on the call screen: the system's (CallKit and LiveCommunicationKit
    /// hand the action to the driver) or the app's own (in-app: the app's UI calls the
    /// driver's `answer(call:)`, `endCall(_:)`, `setHeld(_:onHold:)`, `setMuted(_:muted:)`
    /// or `playDTMF(_:digits:type:)`). In-app, a merge, a translation or a start with a
    /// UUID the app did not pick has no control and does nothing.
    func userPerforms(_ request: CallDriver.ProviderActionRequest)

    /// The system activated the audio session (`provider(_:didActivate:)`). In-app the
    /// driver activates it itself once a call is answered or started: this only settles.
    func activateAudioSession()
    /// The system deactivated the audio session (`provider(_:didDeactivate:)`, a
    /// cellular call took it). In-app: the same callback, as the app's interruption
    /// observer reports it.
    func deactivateAudioSession()
    /// `providerDidReset(_:)`. In-app there is no system to reset: this only settles.
    func reset()
    /// Whether a Focus with Do Not Disturb is on. In-app there is no system filter (the
    /// app decides before it announces a call): setting it changes nothing.
    var doNotDisturb: Bool { get set }

    /// Every action handed to the driver so far, in order, with how it ended.
    var actionRecords: [FakeActionRecord] { get }

    /// Waits until the driver's queue ran everything queued so far, and what that queued.
    func settle()
}

extension FakeCallingSystem {
    /// A driver on these fakes over `configuration`, started, for a VoIP stack made
    /// before the driver (it then keeps its own `weak` reference to report back); the
    /// form whose `signaling` makes the stack from the driver's `CallDriver.Signaling`
    /// handle describes the rest.
    public func makeDriver(
        configuration: CallEngine.Configuration,
        signaling: any CallSignaling,
        media: any CallMedia,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws -> CallDriver {
        try makeDriver(configuration: configuration, signaling: { _ in signaling }, media: media, log: log)
    }

    /// An incoming call as this backend receives one, under the pre-iOS 26.4 PushKit
    /// method (`mustReport` `nil`).
    @discardableResult
    public func deliverIncomingCall(_ payload: [AnyHashable: Any]) -> FakePush? {
        deliverIncomingCall(payload, mustReport: nil)
    }
}

/// One action a fake system handed to the driver, and how it ended.
public struct FakeActionRecord: Sendable, Equatable {
    /// What was performed.
    public let request: CallDriver.ProviderActionRequest
    /// How it ended (`nil`: pending).
    public let outcome: FakeAction.Outcome?
    /// How many times `fulfill()` or `fail()` was called (1 is right for a fulfilled or
    /// failed action, 0 for a timed-out or voided one).
    public let completionCount: Int

    /// A record.
    public init(request: CallDriver.ProviderActionRequest, outcome: FakeAction.Outcome?, completionCount: Int) {
        self.request = request
        self.outcome = outcome
        self.completionCount = completionCount
    }

    init(_ action: FakeAction) {
        self.init(request: action.request, outcome: action.outcome, completionCount: action.completionCount)
    }
}

extension FakeCallKit: FakeCallingSystem {
    /// `CallDriver.Backend.callKit`.
    public var backend: CallDriver.Backend { .callKit }

    /// A VoIP push through ``pushRegistry``.
    @discardableResult
    public func deliverIncomingCall(_ payload: [AnyHashable: Any], mustReport: Bool?) -> FakePush? {
        pushRegistry.deliverVoIPPush(payload, mustReport: mustReport)
    }

    /// CallKit performs `request` (`FakeCallProvider.perform(_:)`).
    public func userPerforms(_ request: CallDriver.ProviderActionRequest) { provider.perform(request) }

    /// ``FakeCallProvider/activateAudioSession()``.
    public func activateAudioSession() { provider.activateAudioSession() }

    /// ``FakeCallProvider/deactivateAudioSession()``.
    public func deactivateAudioSession() { provider.deactivateAudioSession() }

    /// ``FakeCallProvider/reset()``.
    public func reset() { provider.reset() }

    /// ``FakeCallProvider/doNotDisturb``.
    public var doNotDisturb: Bool {
        get { provider.doNotDisturb }
        set { provider.doNotDisturb = newValue }
    }

    /// ``FakeCallProvider/actions``.
    public var actionRecords: [FakeActionRecord] { provider.actions.map(FakeActionRecord.init) }
}

extension FakeLiveCommunicationKit: FakeCallingSystem {
    /// `CallDriver.Backend.liveCommunicationKit`.
    public var backend: CallDriver.Backend { .liveCommunicationKit }

    /// A VoIP push through ``pushRegistry``, then the answers LiveCommunicationKit gives
    /// on its tasks.
    @discardableResult
    public func deliverIncomingCall(_ payload: [AnyHashable: Any], mustReport: Bool?) -> FakePush? {
        let push = pushRegistry.deliverVoIPPush(payload, mustReport: mustReport)
        settle()
        return push
    }

    /// ``FakeConversationManager/perform(_:)``.
    public func userPerforms(_ request: CallDriver.ProviderActionRequest) { conversationManager.perform(request) }

    /// ``FakeConversationManager/activateAudioSession()``.
    public func activateAudioSession() { conversationManager.activateAudioSession() }

    /// ``FakeConversationManager/deactivateAudioSession()``.
    public func deactivateAudioSession() { conversationManager.deactivateAudioSession() }

    /// ``FakeConversationManager/reset()``.
    public func reset() { conversationManager.reset() }

    /// ``FakeConversationManager/doNotDisturb``.
    public var doNotDisturb: Bool {
        get { conversationManager.doNotDisturb }
        set { conversationManager.doNotDisturb = newValue }
    }

    /// ``FakeConversationManager/actions``.
    public var actionRecords: [FakeActionRecord] { conversationManager.actions.map(FakeActionRecord.init) }
}
