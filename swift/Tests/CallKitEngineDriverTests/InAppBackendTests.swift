import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

#if os(Linux)
import AVFAudio
import CallKit
import LiveCommunicationKit
import PushKit
#endif

/// The in-app backend: the driver plays the system's part for the app's own call UI.
final class InAppBackendTests: XCTestCase {
    private func makeDriver(
        _ ui: FakeAppCallUI, configure: (inout CallEngine.Configuration) -> Void = { _ in }
    ) throws -> (CallDriver, Recorder<AppCall>, Recorder<CallDriver.BackendChoice>) {
        var configuration = CallEngine.Configuration()
        configure(&configuration)
        let recorded = try RecordedDriver(on: ui, configuration: configuration)
        return (recorded.driver, recorded.app, recorded.backendChoices)
    }

    func testInAppDriverNeverCreatesASystemProviderOrRegistersForVoIPPushes() throws {
        #if os(Linux)
        let before = (
            CallKitStubCounts.providers, CallKitStubCounts.callControllers, PushKitStubCounts.pushRegistries,
            LiveCommunicationKitStubCounts.conversationManagers
        )
        let app = Recorder<AppCall>()
        let recording = RecordingApp(app)
        // The initializer an app calls, with the real audio session adapter.
        let driver = try CallDriver(
            inAppConfiguration: CallEngine.Configuration(), signaling: recording, media: recording,
            audioSession: SystemAudioSession())
        let call = UUID()
        driver.incomingCallNotificationReceived(userInfo: ["uuid": call.uuidString, "handle": "+15550100"])
        driver.signalingDidReport(.incomingCallConnected(call: call))
        for _ in 0..<8 { driver.queue.sync {} }
        driver.answer(call: call)
        for _ in 0..<8 { driver.queue.sync {} }
        driver.endCall(call)
        for _ in 0..<8 { driver.queue.sync {} }
        XCTAssertEqual(
            app.all,
            [.connectIncoming(call), .answerIncoming(call), .startMedia(call), .stopMedia(call), .hangUp(call)])
        XCTAssertEqual(recording.backendChoices.all.map(\.backend), [.inApp], "started once, by the initializer")
        XCTAssertEqual(CallKitStubCounts.providers, before.0, "the in-app driver made a CXProvider")
        XCTAssertEqual(CallKitStubCounts.callControllers, before.1, "the in-app driver made a CXCallController")
        XCTAssertEqual(PushKitStubCounts.pushRegistries, before.2, "the in-app driver made a PKPushRegistry")
        XCTAssertEqual(
            LiveCommunicationKitStubCounts.conversationManagers, before.3,
            "the in-app driver made a ConversationManager")

        // The check can fail: the CallKit driver makes each of CallKit's and PushKit's.
        _ = try CallDriver(
            providerConfiguration: CXProviderConfiguration(), signaling: recording, media: recording)
        XCTAssertEqual(CallKitStubCounts.providers, before.0 + 1)
        XCTAssertEqual(CallKitStubCounts.callControllers, before.1 + 1)
        XCTAssertEqual(PushKitStubCounts.pushRegistries, before.2 + 1)
        #else
        throw XCTSkip("counts instances of the Linux stubs of CallKit, PushKit and LiveCommunicationKit")
        #endif
    }

    func testStartTellsTheServerThisDeviceTakesNoVoIPPushesAndRegistersNoToken() throws {
        let ui = FakeAppCallUI()
        let (driver, app, backendChoices) = try makeDriver(ui)
        XCTAssertEqual(driver.backend, .inApp)
        XCTAssertEqual(backendChoices.all, [CallDriver.BackendChoice(backend: .inApp)])
        XCTAssertFalse(backendChoices.all[0].receivesVoIPPushes)
        XCTAssertEqual(app.all, [])
    }

    func testSystemBackendsTellTheServerToSendVoIPPushes() throws {
        let systems: [any FakeCallingSystem] = [FakeCallKit(), FakeLiveCommunicationKit()]
        for system in systems {
            let recorded = try RecordedDriver(on: system, configuration: CallEngine.Configuration())
            XCTAssertEqual(recorded.driver.backend, system.backend)
            XCTAssertEqual(recorded.backendChoices.all.map(\.backend), [system.backend])
            XCTAssertTrue(recorded.backendChoices.all[0].receivesVoIPPushes)
        }
    }

    func testInitializersRefuseAnotherBackendsChoice() throws {
        let recording = RecordingApp(Recorder<AppCall>())
        XCTAssertThrowsError(
            try CallDriver(
                inAppConfiguration: CallEngine.Configuration(),
                backendChoice: CallDriver.BackendChoice(backend: .callKit),
                signaling: recording, media: recording, audioSession: FakeAudioSession())
        ) { XCTAssertEqual($0 as? CallDriverError, .wrongBackend(.callKit)) }
        let callKit = FakeCallKit()
        XCTAssertThrowsError(
            try CallDriver(
                configuration: CallEngine.Configuration(), backendChoice: CallDriver.BackendChoice(backend: .inApp),
                provider: callKit.provider, callController: callKit.callController, pushRegistry: callKit.pushRegistry,
                audioSession: callKit.audioSession, signaling: recording, media: recording)
        ) { XCTAssertEqual($0 as? CallDriverError, .wrongBackend(.inApp)) }
    }

    func testAnsweredCallActivatesTheSessionAndTheLastEndDeactivatesIt() throws {
        let ui = FakeAppCallUI()
        let (driver, app, _) = try makeDriver(ui)
        let call = UUID()
        ui.openNotification(["uuid": call.uuidString, "handle": "+15550100", "callerName": "Alice"])
        XCTAssertEqual(driver.calls.map(\.phase), [.ringing], "the app's UI shows the call ringing")
        XCTAssertEqual(driver.calls.first?.callerName, "Alice")
        XCTAssertEqual(ui.audioSession.activations, [], "nothing plays before the answer")
        driver.signalingDidReport(.incomingCallConnected(call: call))
        ui.userPerforms(.answerCall(call: call))
        XCTAssertEqual(ui.audioSession.activations, [true])
        XCTAssertTrue(app.all.contains(.startMedia(call)))
        XCTAssertEqual(ui.actionRecords.map(\.outcome), [.fulfilled])
        ui.userPerforms(.endCall(call: call))
        XCTAssertEqual(ui.audioSession.activations, [true, false])
        XCTAssertFalse(ui.audioSession.isActive)
        XCTAssertEqual(ui.actionRecords.map(\.outcome), [.fulfilled, .fulfilled])
        XCTAssertEqual(driver.calls, [])
    }

    func testDeclineFromTheAppsUIRejectsTheRingingCallWithoutTouchingAudio() throws {
        let ui = FakeAppCallUI()
        let (driver, app, _) = try makeDriver(ui)
        let call = UUID()
        driver.signalingDidReport(
            .incomingCallAnnounced(
                call: call, handle: CallHandle(type: .phoneNumber, value: "+15550100"), callerName: "Bob",
                isVideo: false))
        ui.settle()
        XCTAssertEqual(driver.calls.map(\.phase), [.ringing])
        driver.decline(call: call)
        ui.settle()
        XCTAssertEqual(app.all, [.connectIncoming(call), .rejectIncoming(call, .declined)])
        XCTAssertEqual(ui.audioSession.activations, [])
        XCTAssertEqual(driver.calls, [])
    }

    /// Two connected incoming calls under `maximumCallGroups`; the user answers the first,
    /// then the second.
    private func answerTwoCalls(maximumCallGroups: Int, supportsHolding: Bool = true) throws -> (
        ui: FakeAppCallUI, driver: CallDriver, app: Recorder<AppCall>, first: UUID, second: UUID
    ) {
        let ui = FakeAppCallUI()
        let (driver, app, _) = try makeDriver(ui) {
            $0.maximumCallGroups = maximumCallGroups
            $0.supportsHolding = supportsHolding
        }
        let first = UUID()
        let second = UUID()
        for call in [first, second] {
            ui.openNotification(["uuid": call.uuidString, "handle": "+15550100"])
            driver.signalingDidReport(.incomingCallConnected(call: call))
        }
        ui.userPerforms(.answerCall(call: first))
        ui.userPerforms(.answerCall(call: second))
        return (ui, driver, app, first, second)
    }

    func testSecondCallAnsweredWhileTheFirstIsActiveHoldsTheFirstAsCallKitDoes() throws {
        let (ui, driver, app, first, second) = try answerTwoCalls(maximumCallGroups: 2)
        XCTAssertEqual(driver.calls.map(\.isOnHold), [true, false])
        XCTAssertEqual(
            ui.actionRecords.map(\.request),
            [.answerCall(call: first), .setHeld(call: first, onHold: true), .answerCall(call: second)])
        XCTAssertEqual(ui.actionRecords.map(\.outcome), [.fulfilled, .fulfilled, .fulfilled])
        XCTAssertTrue(app.all.contains(.setHeld(first, true)))
        XCTAssertEqual(ui.audioSession.activations, [true], "the session stays active across the hold")
    }

    func testSecondCallBeyondTheCallGroupsEndsTheFirstAsCallKitDoes() throws {
        let (ui, driver, app, first, second) = try answerTwoCalls(maximumCallGroups: 1)
        XCTAssertEqual(
            ui.actionRecords.map(\.request),
            [.answerCall(call: first), .endCall(call: first), .answerCall(call: second)])
        XCTAssertTrue(app.all.contains(.hangUp(first)))
        XCTAssertEqual(driver.calls.map(\.id), [second])
    }

    func testSecondCallAnsweredWhenCallsCannotBeHeldEndsTheFirst() throws {
        let (ui, driver, app, first, second) = try answerTwoCalls(maximumCallGroups: 2, supportsHolding: false)
        XCTAssertEqual(
            ui.actionRecords.map(\.request),
            [.answerCall(call: first), .endCall(call: first), .answerCall(call: second)])
        XCTAssertFalse(app.all.contains(.setHeld(first, true)))
        XCTAssertEqual(driver.calls.map(\.id), [second])
    }

    func testActivationTheSessionRefusesReachesMediaAsAnActivationTimeOut() throws {
        let ui = FakeAppCallUI()
        let recorded = try RecordedDriver(on: ui, configuration: CallEngine.Configuration())
        let (driver, app, log) = (recorded.driver, recorded.app, recorded.log)
        let call = UUID()
        ui.audioSession.failNextActivation(with: NSError(domain: "AVAudioSession", code: 560_557_684))
        ui.openNotification(["uuid": call.uuidString, "handle": "+15550100"])
        driver.signalingDidReport(.incomingCallConnected(call: call))
        ui.userPerforms(.answerCall(call: call))
        XCTAssertFalse(app.all.contains(.startMedia(call)))
        XCTAssertTrue(log.all.contains { $0.kind == .audioSessionFailed })
        ui.clock.advance(byMilliseconds: 10_000)
        ui.settle()
        XCTAssertTrue(app.all.contains(.audioActivationTimedOut(call)))
        // The app's fallback: it activates the session itself and says so.
        driver.audioSessionActivatedByApp()
        ui.settle()
        XCTAssertTrue(app.all.contains(.startMedia(call)))
        // The session the app activated is the driver's to deactivate with the last call.
        ui.userPerforms(.endCall(call: call))
        XCTAssertEqual(ui.audioSession.activations, [true, false])
        XCTAssertEqual(driver.calls, [])
    }

    func testInterruptionStopsMediaAndItsEndReactivatesTheSessionAndMedia() throws {
        let ui = FakeAppCallUI()
        let (driver, app, _) = try makeDriver(ui)
        XCTAssertTrue(ui.audioSession.isObservingInterruptions)
        let call = UUID()
        ui.openNotification(["uuid": call.uuidString, "handle": "+15550100"])
        driver.signalingDidReport(.incomingCallConnected(call: call))
        ui.userPerforms(.answerCall(call: call))
        ui.audioSession.interrupt()
        ui.settle()
        XCTAssertEqual(app.all.suffix(2), [.startMedia(call), .stopMedia(call)])
        ui.audioSession.endInterruption()
        ui.settle()
        XCTAssertEqual(app.all.last, .startMedia(call))
        XCTAssertEqual(ui.audioSession.activations, [true, true])
    }

    func testNotificationOpenedAfterTheMaximumPushAgeIsAMissedCallThatNeverRings() throws {
        let ui = FakeAppCallUI()
        let (driver, app, _) = try makeDriver(ui) { configuration in
            configuration.payloadSchema.sentAtKey = "sentAt"
            configuration.payloadSchema.sentAtUnit = .milliseconds
        }
        let call = UUID()
        let sentAt = ui.clock.currentDate().addingTimeInterval(-120)
        ui.openNotification([
            "uuid": call.uuidString, "handle": "+15550100", "sentAt": Int64(sentAt.timeIntervalSince1970 * 1000),
        ])
        XCTAssertEqual(driver.calls, [], "a notification tapped two minutes late rings nothing")
        guard case .missedCall(call, _)? = app.all.first else {
            return XCTFail("expected a missed call, got \(app.all)")
        }
        XCTAssertEqual(app.all.count, 1)
    }

    func testNotificationForACallAlreadyAnnouncedIsTheSameCall() throws {
        let ui = FakeAppCallUI()
        let (driver, app, _) = try makeDriver(ui)
        let call = UUID()
        driver.signalingDidReport(
            .incomingCallAnnounced(call: call, handle: nil, callerName: nil, isVideo: false))
        ui.openNotification(["uuid": call.uuidString, "handle": "+15550100", "callerName": "Alice"])
        XCTAssertEqual(driver.calls.count, 1)
        XCTAssertEqual(app.all, [.connectIncoming(call)])
    }
}
