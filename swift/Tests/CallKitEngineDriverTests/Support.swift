import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// What the app's signaling and media were told, in order.
enum AppCall: Equatable, Sendable {
    case connectIncoming(UUID)
    case missedCall(UUID, CallUpdate)
    case answerIncoming(UUID)
    case rejectIncoming(UUID, RejectReason)
    case hangUp(UUID)
    case setHeld(UUID, Bool)
    case setGroup(UUID, UUID?)
    case playDTMF(UUID, String, DTMFType)
    case startOutgoing(UUID, CallHandle, Bool)
    case registerPushToken(String)
    case unregisterPushToken
    case startMedia(UUID)
    case stopMedia(UUID)
    case setMuted(UUID, Bool)
    case startRingback(UUID)
    case stopRingback(UUID)
    case audioActivationTimedOut(UUID)
    case startTranslation(UUID, String, String)
    case stopTranslation(UUID)
}

/// A thread-safe list, written on the driver's queue and read on the test's thread.
final class Recorder<Element: Sendable>: @unchecked Sendable {
    // Why @unchecked Sendable: `items` is only read or written with `lock` held.
    private let lock = NSLock()
    private var items: [Element] = []

    func append(_ item: Element) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var all: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// The app's signaling and media engine in one, writing into a recorder it does not own.
final class RecordingApp: CallSignaling, CallMedia {
    let recorder: Recorder<AppCall>
    init(_ recorder: Recorder<AppCall>) { self.recorder = recorder }
    func connectIncoming(_ call: UUID) { recorder.append(.connectIncoming(call)) }
    func missedCall(_ call: UUID, update: CallUpdate) { recorder.append(.missedCall(call, update)) }
    func answerIncoming(_ call: UUID) { recorder.append(.answerIncoming(call)) }
    func rejectIncoming(_ call: UUID, reason: RejectReason) { recorder.append(.rejectIncoming(call, reason)) }
    func hangUp(_ call: UUID) { recorder.append(.hangUp(call)) }
    func setHeld(_ call: UUID, onHold: Bool) { recorder.append(.setHeld(call, onHold)) }
    func setGroup(_ call: UUID, with other: UUID?) { recorder.append(.setGroup(call, other)) }
    func playDTMF(_ call: UUID, digits: String, type: DTMFType) { recorder.append(.playDTMF(call, digits, type)) }
    func startOutgoing(_ call: UUID, to handle: CallHandle, isVideo: Bool) {
        recorder.append(.startOutgoing(call, handle, isVideo))
    }
    /// Every backend choice told, in order (kept apart from ``recorder``: it is not a
    /// call).
    let backendChoices = Recorder<CallDriver.BackendChoice>()
    func backendChosen(_ choice: CallDriver.BackendChoice) { backendChoices.append(choice) }
    func registerPushToken(hex: String) { recorder.append(.registerPushToken(hex)) }
    func unregisterPushToken() { recorder.append(.unregisterPushToken) }
    func start(_ call: UUID) { recorder.append(.startMedia(call)) }
    func stop(_ call: UUID) { recorder.append(.stopMedia(call)) }
    func setMuted(_ call: UUID, muted: Bool) { recorder.append(.setMuted(call, muted)) }
    func startRingback(_ call: UUID) { recorder.append(.startRingback(call)) }
    func stopRingback(_ call: UUID) { recorder.append(.stopRingback(call)) }
    func audioActivationTimedOut(_ call: UUID) { recorder.append(.audioActivationTimedOut(call)) }
    func startTranslation(_ call: UUID, local: String, remote: String) {
        recorder.append(.startTranslation(call, local, remote))
    }
    func stopTranslation(_ call: UUID) { recorder.append(.stopTranslation(call)) }
}

/// A driver on one backend's fakes whose signaling and media record into ``app``, its
/// log into ``log``, and the backend choices it tells the app into ``backendChoices``.
struct RecordedDriver {
    let driver: CallDriver
    let app = Recorder<AppCall>()
    let log = Recorder<CallDriverLogEntry>()
    let backendChoices: Recorder<CallDriver.BackendChoice>

    init(on system: any FakeCallingSystem, configuration: CallEngine.Configuration) throws {
        // Signaling and media are handed over as a temporary, as an app would write it:
        // only the driver keeps it alive.
        let recording = RecordingApp(app)
        let log = log
        backendChoices = recording.backendChoices
        driver = try system.makeDriver(
            configuration: configuration, signaling: recording, media: recording, log: { log.append($0) })
    }
}

/// A driver on the CallKit fakes, with recorders for the app's side and the log.
struct Harness {
    let callKit: FakeCallKit
    let driver: CallDriver
    let app: Recorder<AppCall>
    let log: Recorder<CallDriverLogEntry>

    init(configure: (inout CallEngine.Configuration) -> Void = { _ in }) throws {
        var configuration = CallEngine.Configuration()
        configure(&configuration)
        let callKit = FakeCallKit()
        let recorded = try RecordedDriver(on: callKit, configuration: configuration)
        self.callKit = callKit
        driver = recorded.driver
        app = recorded.app
        log = recorded.log
    }

    var provider: FakeCallProvider { callKit.provider }

    /// A VoIP push in the default schema (react-native-voip-push-notification's keys).
    @discardableResult
    func push(call: UUID, handle: String = "+15550100", callerName: String? = "Alice") -> FakePush {
        var payload: [AnyHashable: Any] = ["aps": [String: Any](), "uuid": call.uuidString, "handle": handle]
        if let callerName { payload["callerName"] = callerName }
        return callKit.pushRegistry.deliverVoIPPush(payload)
    }

    /// An incoming call, reported, accepted and connected, ready to answer.
    func connectedIncomingCall() -> UUID {
        let call = UUID()
        push(call: call)
        driver.signalingDidReport(.incomingCallConnected(call: call))
        callKit.settle()
        return call
    }

    func refusals() -> [CallDriverLogEntry] { log.all.filter { $0.kind == .stepRefused } }
}
