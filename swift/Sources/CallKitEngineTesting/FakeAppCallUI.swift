import CallKitEngine
import CallKitEngineDriver
import Foundation

/// The in-app backend without a device: the app's own call screen (the user's taps
/// reach the driver's `answer(call:)`, `endCall(_:)`, `setHeld(_:onHold:)`, ...), the
/// notifications the user opens, and the audio session, wired to one driver made with
/// `CallDriver.init(inAppConfiguration:signaling:media:audioSession:scheduler:queue:log:)`.
/// The system's part is the driver's own (it accepts reports and performs requests as
/// CallKit would, and activates ``audioSession``): nothing here stands in for it, so a
/// test runs the code an app ships.
///
/// ```swift
/// let ui = FakeAppCallUI()
/// let driver = try ui.makeDriver(configuration: config, signaling: { _ in stack }, media: media, log: { _ in })
/// ui.openNotification(["uuid": id.uuidString, "handle": "+15550100"])
/// driver.signalingDidReport(.incomingCallConnected(call: id))
/// ui.userPerforms(.answerCall(call: id))   // media starts once the driver activated the session
/// ```
public final class FakeAppCallUI: FakeCallingSystem {
    /// The driver's queue (made here, passed to the driver).
    public let queue: DispatchQueue
    /// Time and timers.
    public let clock: VirtualClock
    /// `AVAudioSession`, which the driver activates and deactivates itself.
    public let audioSession: FakeAudioSession
    private struct Current {
        weak var driver: CallDriver?
    }

    private let current = Locked(Current())

    /// A fresh queue, clock and audio session.
    public init(clock: VirtualClock = VirtualClock()) {
        queue = DispatchQueue(label: "callkit-engine.fake-app-call-ui")
        self.clock = clock
        audioSession = FakeAudioSession()
    }

    /// `CallDriver.Backend.inApp`.
    public var backend: CallDriver.Backend { .inApp }

    /// The driver the UI acts on (held weakly, as a view holds its model's owner).
    private var driver: CallDriver? { current.withLock { $0.driver } }

    /// An in-app driver over `configuration`, made with the initializer an app calls
    /// (which starts it: it tells the app's signaling `CallDriver.Backend.inApp` and
    /// registers for nothing).
    public func makeDriver(
        configuration: CallEngine.Configuration,
        signaling: (CallDriver.Signaling) -> any CallSignaling,
        media: any CallMedia,
        log: @escaping @Sendable (CallDriverLogEntry) -> Void = { _ in }
    ) throws -> CallDriver {
        let driver = try CallDriver(
            inAppConfiguration: configuration, signaling: signaling, media: media, audioSession: audioSession,
            scheduler: clock, queue: queue, log: log)
        current.withLock { $0.driver = driver }
        queue.sync { driver.inAppSystem?.recordsActions = true }
        settle()
        return driver
    }

    /// The user opens (or the app presents) a regular notification whose `userInfo` is
    /// `payload`: `CallDriver.incomingCallNotificationReceived(userInfo:)`, then settles.
    public func openNotification(_ payload: [AnyHashable: Any]) {
        driver?.incomingCallNotificationReceived(userInfo: payload)
        settle()
    }

    /// ``openNotification(_:)``; a notification has no PushKit completion, so `nil`.
    @discardableResult
    public func deliverIncomingCall(_ payload: [AnyHashable: Any], mustReport: Bool?) -> FakePush? {
        openNotification(payload)
        return nil
    }

    /// The user taps the app's control for `request`: answer, end (decline while it
    /// rings), hold, mute or keypad. Merge, translation and a start with a chosen UUID
    /// have no control in the app's UI and do nothing (start outgoing calls with
    /// `CallDriver.startCall(to:type:isVideo:completion:)`).
    public func userPerforms(_ request: CallDriver.ProviderActionRequest) {
        guard let driver else { return }
        switch request {
        case let .answerCall(call): driver.answer(call: call)
        case let .endCall(call): driver.endCall(call)
        case let .setHeld(call, onHold): driver.setHeld(call, onHold: onHold)
        case let .setMuted(call, muted): driver.setMuted(call, muted: muted)
        case let .playDTMF(call, digits, type): driver.playDTMF(call, digits: digits, type: type)
        case .setGroup, .setTranslating, .startCall: break
        }
        settle()
    }

    /// Settles: the driver activated the session itself when the call was answered or
    /// started (``FakeAudioSession/activations``).
    public func activateAudioSession() { settle() }

    /// The system interrupts the session (a cellular call takes it,
    /// ``FakeAudioSession/interrupt()``): the driver hears it as CallKit's `didDeactivate`.
    public func deactivateAudioSession() {
        audioSession.interrupt()
        settle()
    }

    /// Settles: there is no system to reset.
    public func reset() { settle() }

    /// Always `false`: the in-app backend has no system filter.
    public var doNotDisturb: Bool {
        get { false }
        set {}
    }

    /// The actions the driver's in-app system performed for the UI's requests.
    public var actionRecords: [FakeActionRecord] {
        guard let driver else { return [] }
        return queue.sync {
            (driver.inAppSystem?.actions ?? []).map {
                FakeActionRecord(
                    request: $0.request, outcome: $0.outcome.map { $0 == .fulfilled ? .fulfilled : .failed },
                    completionCount: $0.completionCount)
            }
        }
    }

    /// Waits until the driver's queue ran everything queued so far, and what that queued.
    public func settle() { drain(queue) }
}
