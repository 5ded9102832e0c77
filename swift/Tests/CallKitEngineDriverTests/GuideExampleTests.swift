// The wiring code of docs/ios-integration.md, section 3, without UIKit: it compiles
// against the same API the guide shows (on Linux, the CallKit, AVFAudio and Intents stubs), so a
// change to that API breaks this file before it breaks the guide's readers.
#if canImport(CallKit) && canImport(AVFAudio) && canImport(Intents) && !os(macOS)
import AVFAudio
import CallKit
import CallKitEngine
import CallKitEngineDriver
import Intents
import Foundation
import XCTest

final class GuideExampleTests: XCTestCase {
    func testTheGuidesWiringBuildsADriverOnTheSystemFrameworks() throws {
        let provider = CXProviderConfiguration()
        provider.supportedHandleTypes = [.phoneNumber, .generic]
        provider.includesCallsInRecents = true
        var engine = CallEngine.Configuration(payloadSchema: PayloadSchema(preset: .twilio))
        engine.ringTimeout = .seconds(45)
        let driver = try CallDriver(
            providerConfiguration: provider, configuration: engine,
            signaling: { GuideVoIPStack(driver: $0) }, media: GuideMedia(),
            audioSession: SystemAudioSession(options: [.allowBluetoothHFP]),
            log: { entry in print("callkit-engine: \(entry)") })
        // The provider's handle types replaced the engine's: an e-mail call is refused.
        XCTAssertThrowsError(try driver.startCall(to: "bob@example.org", type: .emailAddress))
        XCTAssertNoThrow(try driver.startCall(to: "+14085551234", type: .phoneNumber))
        // The guide's Recents/Siri line: an activity without an intent starts nothing.
        XCTAssertThrowsError(try driver.startCall(from: NSUserActivity(activityType: "INStartCallIntent"))) {
            XCTAssertEqual($0 as? CallDriverError, .noCallIntent)
        }
        driver.queue.sync {}
    }

    func testDriverReadsErrorsInCallKitsOwnDomainsWithTheirDocumentedValues() {
        // CallKitErrorDomain takes CallKit's constants: on Linux the stub's, on a device
        // the SDK's; both must hold the values Apple documents.
        XCTAssertEqual(CallKitErrorDomain.general, CXErrorDomain)
        XCTAssertEqual(CallKitErrorDomain.general, "com.apple.CallKit.error")
        XCTAssertEqual(CallKitErrorDomain.incomingCall, "com.apple.CallKit.error.incomingcall")
        XCTAssertEqual(CallKitErrorDomain.requestTransaction, "com.apple.CallKit.error.requesttransaction")
    }
}

// The guide's `nonisolated final class VoIPStack`: Swift 6.0 (this repository's Linux
// toolchain) has no default `MainActor` isolation and no `nonisolated` on types (Swift
// 6.1), so the attribute is left out here; the class is nonisolated either way.
private final class GuideVoIPStack: CallSignaling {  // Sendable as is: one Sendable `let`
    let driver: CallDriver.Signaling
    init(driver: CallDriver.Signaling) { self.driver = driver }
    func connectIncoming(_ call: UUID) {}
    func missedCall(_ call: UUID, update: CallUpdate) {}
    func answerIncoming(_ call: UUID) {}
    func rejectIncoming(_ call: UUID, reason: RejectReason) {}
    func hangUp(_ call: UUID) {}
    func setHeld(_ call: UUID, onHold: Bool) {}
    func setGroup(_ call: UUID, with other: UUID?) {}
    func playDTMF(_ call: UUID, digits: String, type: DTMFType) {}
    func startOutgoing(_ call: UUID, to handle: CallHandle, isVideo: Bool) {}
    func backendChosen(_ choice: CallDriver.BackendChoice) {}
    func registerPushToken(hex: String) {}
    func unregisterPushToken() {}
}

private final class GuideMedia: CallMedia {  // no state: Sendable as it is
    func start(_ call: UUID) {}
    func stop(_ call: UUID) {}
    func setMuted(_ call: UUID, muted: Bool) {}
    func startRingback(_ call: UUID) {}
    func stopRingback(_ call: UUID) {}
    func audioActivationTimedOut(_ call: UUID) {}
}
#endif
