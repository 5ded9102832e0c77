// Generated from every ```swift block of README.md, docs/ios-integration.md and the
// DocC articles (swift/Sources/*/*.docc) by
// `CK_SNIPPETS_BLESS=1 cargo test -p callkit-engine-ffi --test doc_snippets`; do not
// edit (ffi/tests/doc_snippets.rs fails when this file differs from the documents).
// A block of declarations stays at file scope; any other block is the body of a
// function, run by DocSnippetRunTests unless marked `<!-- swift: compile only -->`.
// Edits: `@main` lines are dropped (a test bundle has its own entry point), and
// `nonisolated` before `final class` (Swift 6.1 syntax; the Linux toolchain is 6.0).

import CallKitEngine
import Foundation
import CallKit
import CallKitEngineDriver
import UIKit
import CallKitEngineTesting
import XCTest
import LiveCommunicationKit

// MARK: README.md, line 141

func readmeLine141() throws {
    // One engine per app, used from one serial queue (CallEngine is not Sendable).
    let engine = try CallEngine(configuration: CallEngine.Configuration(payloadSchema: PayloadSchema(preset: .appleDocs)))

    // Inside pushRegistry(_:didReceiveIncomingPushWith:for:completion:), the payload as JSON:
    let payload = Data(#"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234"}"#.utf8)
    let effects = try engine.handle(.voipPushReceived(push: 1, payload: payload, fallbackCall: UUID()), at: .now())
    guard case .reportNewIncomingCall(let push, let call, let update, _)? = effects.first else {
        fatalError("the first effect of a push is always its report")
    }
    // Before the delegate returns: CXProvider.reportNewIncomingCall(with: call, update: a
    // CXCallUpdate made from `update`). CallDriver does this, and all below, for you.
    assert(call.uuidString == "6F1C3E1A-7B2D-4C4E-9A51-0D3F6C2B9E11")
    assert(update.remoteHandle?.value == "+14085551234")
    // Its completion, on the same queue: nil, or the CXErrorCodeIncomingCallError
    // (CallKitErrorDomain.incomingCallError(error)). Now PushKit's completion may run.
    let next = try engine.handle(.incomingCallReported(report: IncomingReport(call: call, push: push), error: nil), at: .now())
    assert(next.contains(.completePush(push: 1)))
}

// MARK: docs/ios-integration.md, line 137

final class AppDelegate: UIResponder, UIApplicationDelegate {
    private(set) var calls: CallDriver?

    func application(_ application: UIApplication,
                     didFinishLaunchingWithOptions options: [UIApplication.LaunchOptionsKey: Any]?) -> Bool {
        let provider = CXProviderConfiguration()
        provider.supportedHandleTypes = [.phoneNumber, .generic]
        var engine = CallEngine.Configuration(payloadSchema: PayloadSchema(preset: .twilio))
        engine.ringTimeout = .seconds(45)
        do {
            calls = try CallDriver(
                providerConfiguration: provider, configuration: engine,
                signaling: { VoIPStack(driver: $0) }, media: MediaEngine(),
                audioSession: SystemAudioSession(options: [.allowBluetoothHFP]),
                log: { entry in print("callkit-engine: \(entry)") })
        } catch {
            print("callkit-engine: configuration refused: \(error)")
        }
        return true
    }
}

final class SceneDelegate: UIResponder, UIWindowSceneDelegate {
    var window: UIWindow?
    private var calls: CallDriver? { (UIApplication.shared.delegate as? AppDelegate)?.calls }

    // Cold launch from Recents or Siri: the activity comes with the connection options.
    func scene(_ scene: UIScene, willConnectTo session: UISceneSession, options: UIScene.ConnectionOptions) {
        // ... set up `window` ...
        for activity in options.userActivities { _ = try? calls?.startCall(from: activity) }
    }

    // Recents or Siri while the app runs.
    func scene(_ scene: UIScene, continue userActivity: NSUserActivity) {
        _ = try? calls?.startCall(from: userActivity)
    }
}

// MARK: docs/ios-integration.md, line 183

final class VoIPStack: CallSignaling {  // Sendable as is: one `let` of a Sendable type
    let driver: CallDriver.Signaling  // report back: driver.report(.incomingCallConnected(call: id))
    init(driver: CallDriver.Signaling) { self.driver = driver }
    func connectIncoming(_ call: UUID) { /* ... */ }
    func answerIncoming(_ call: UUID) { /* ... */ }
    func rejectIncoming(_ call: UUID, reason: RejectReason) { /* ... */ }
    func hangUp(_ call: UUID) { /* ... */ }
    func setHeld(_ call: UUID, onHold: Bool) { /* ... */ }
    func setGroup(_ call: UUID, with other: UUID?) { /* ... */ }
    func playDTMF(_ call: UUID, digits: String, type: DTMFType) { /* ... */ }
    func startOutgoing(_ call: UUID, to handle: CallHandle, isVideo: Bool) { /* ... */ }
    func backendChosen(_ choice: CallDriver.BackendChoice) { /* tell your server: VoIP pushes or not */ }
    func registerPushToken(hex: String) { /* send it to your server */ }
    func unregisterPushToken() { /* ... */ }
    func missedCall(_ call: UUID, update: CallUpdate) { /* post a missed-call notification */ }
}

final class MediaEngine: CallMedia {  // no mutable state: Sendable as is
    func start(_ call: UUID) { /* ... */ }
    func stop(_ call: UUID) { /* ... */ }
    func setMuted(_ call: UUID, muted: Bool) { /* ... */ }
    func startRingback(_ call: UUID) { /* play the local ringback tone */ }
    func stopRingback(_ call: UUID) { /* ... */ }
    func audioActivationTimedOut(_ call: UUID) { /* activate the session, then audioSessionActivatedByApp() */ }
}

// What the call screen shows (a table, a SwiftUI list); its buttons call the driver:
// driver.answer(call: id), driver.decline(call: id), driver.endCall(id), driver.setMuted(...).
@MainActor final class CallScreenModel {
    private(set) var calls: [CallDriver.Call] = []  // id, direction, phase, held, muted, video, handle, name
    let driver: CallDriver

    init(driver: CallDriver) {
        self.driver = driver
        Task { [weak self] in for await list in driver.callListUpdates() { self?.calls = list /* reload */ } }
    }
}

// MARK: docs/ios-integration.md, line 319

func iosIntegrationLine319() throws {
    #if canImport(os)
    // Apple platforms: os.Logger(subsystem: <bundle id>, category: "engine"), every
    // message .public (it holds no personal data); debug records stay in memory unless
    // the subsystem is configured to persist them (`log stream --level debug
    // --predicate 'subsystem == "com.example.app"'`).
    try? CallEngine.Log.sendToUnifiedLogging()
    #else
    // Anywhere (Linux, tests, a custom logger): a closure.
    try? CallEngine.Log.setHandler { record in print("\(record.level) \(record.target): \(record.message)") }
    #endif
}

// MARK: docs/ios-integration.md, line 432

final class IncomingCallTests: XCTestCase {
    func testAnsweredCallStartsMediaAfterActivation() throws {
        let callKit = FakeCallKit()
        let driver = try callKit.makeDriver(
            configuration: CallEngine.Configuration(), signaling: { VoIPStack(driver: $0) }, media: MediaEngine())
        let id = UUID()
        let push = callKit.pushRegistry.deliverVoIPPush(["uuid": id.uuidString, "handle": "+14085551234"])
        XCTAssertTrue(push.reportedBeforeReturn)
        driver.signalingDidReport(.incomingCallConnected(call: id))
        callKit.settle()
        XCTAssertEqual(callKit.provider.perform(.answerCall(call: id)).outcome, .fulfilled)
        callKit.provider.activateAudioSession()
        XCTAssertEqual(driver.calls.map(\.phase), [.answered])
        callKit.clock.advance(byMilliseconds: 30_000)
        // ... assert on what VoIPStack and MediaEngine were told
    }
}

// MARK: docs/ios-integration.md, line 622

func iosIntegrationLine622() throws {
    /// The driver on the backend the policy picks for this device, each system's
    /// configuration made from the engine's, so every backend checks the same limits.
    func makeCallDriver(
        configuration: CallEngine.Configuration, storefrontCountryCode: String?,
        signaling: (CallDriver.Signaling) -> any CallSignaling, media: any CallMedia
    ) throws -> CallDriver {
        let environment = CallDriver.BackendPolicy.Environment.current(storefrontCountryCode: storefrontCountryCode)
        let choice = CallDriver.BackendPolicy().choose(for: environment)
        switch choice.backend {
        case .callKit:
            let providerConfiguration = CXProviderConfiguration()
            providerConfiguration.maximumCallGroups = configuration.maximumCallGroups
            providerConfiguration.maximumCallsPerCallGroup = configuration.maximumCallsPerCallGroup
            providerConfiguration.supportsVideo = configuration.supportsVideo
            providerConfiguration.includesCallsInRecents = configuration.includesCallsInRecents
            providerConfiguration.supportedHandleTypes = Set(
                configuration.supportedHandleTypes.compactMap { CXHandle.HandleType(rawValue: $0.rawValue) })
            return try CallDriver(
                providerConfiguration: providerConfiguration, configuration: configuration, backendChoice: choice,
                signaling: signaling, media: media)
        case .liveCommunicationKit:
            // The policy picks LiveCommunicationKit only where it exists.
            guard #available(iOS 17.4, *) else { throw CallDriverError.wrongBackend(.liveCommunicationKit) }
            let kinds = configuration.supportedHandleTypes.map { type -> Handle.Kind in
                switch type {
                case .generic: .generic
                case .phoneNumber: .phoneNumber
                case .emailAddress: .emailAddress
                }
            }
            let managerConfiguration = ConversationManager.Configuration(
                ringtoneName: nil, iconTemplateImageData: nil,
                maximumConversationGroups: configuration.maximumCallGroups,
                maximumConversationsPerConversationGroup: configuration.maximumCallsPerCallGroup,
                includesConversationInRecents: configuration.includesCallsInRecents,
                supportsVideo: configuration.supportsVideo, supportedHandleTypes: Set(kinds))
            return try CallDriver(
                managerConfiguration: managerConfiguration, configuration: configuration, backendChoice: choice,
                signaling: signaling, media: media)
        case .inApp:
            // Starts at once: the server is told to send no VoIP pushes.
            return try CallDriver(
                inAppConfiguration: configuration, backendChoice: choice, signaling: signaling, media: media,
                audioSession: SystemAudioSession())
        }
    }
}

// MARK: swift/Sources/CallKitEngineDriver/CallKitEngineDriver.docc/GettingStarted.md, line 24

/// The app's calls: made once, at launch, and kept for the app's whole life (CallKit and
/// PushKit hold their delegates weakly).
final class Calls {
    let driver: CallDriver

    init(signaling: (CallDriver.Signaling) -> any CallSignaling, media: any CallMedia) throws {
        let provider = CXProviderConfiguration()
        provider.supportedHandleTypes = [.phoneNumber]
        // The payload layout your server sends; the ring time-out.
        var configuration = CallEngine.Configuration(payloadSchema: PayloadSchema(preset: .appleDocs))
        configuration.ringTimeout = .seconds(45)
        driver = try CallDriver(
            providerConfiguration: provider, configuration: configuration,
            signaling: signaling, media: media,
            audioSession: SystemAudioSession(),
            log: { entry in print("calls: \(entry)") })
    }

    /// The UI's call button: CallKit asks for the start, the driver carries it out.
    func call(_ number: String) throws -> UUID {
        try driver.startCall(to: number, type: .phoneNumber)
    }
}

// MARK: swift/Sources/CallKitEngineTesting/CallKitEngineTesting.docc/TestingAnApp.md, line 52

final class DeclinedCallTests: XCTestCase {
    func testTheEndActionOfADeclinedCallIsFulfilled() throws {
        let callKit = FakeCallKit(configuration: CallEngine.Configuration())
        // The app's own CallSignaling, made from the driver's handle (its rejectIncoming is called).
        let driver = try callKit.makeDriver(signaling: { VoIPStack(driver: $0) }, media: MediaEngine())
        let id = UUID()
        let push = callKit.pushRegistry.deliverVoIPPush(["uuid": id.uuidString, "handle": "+14085551234"])
        XCTAssertTrue(push.reportedBeforeReturn)
        XCTAssertEqual(callKit.provider.reportedIncomingCalls, [id])
        // The user declines: CallKit performs an end action, the driver fulfils it.
        XCTAssertEqual(callKit.provider.perform(.endCall(call: id)).outcome, .fulfilled)
        withExtendedLifetime(driver) { callKit.settle() }
    }
}

// MARK: the statement blocks, run

final class DocSnippetRunTests: XCTestCase {
    func testReadmeLine141() throws {
        try readmeLine141()
    }

    func testIosIntegrationLine622() throws {
        try iosIntegrationLine622()
    }
}
