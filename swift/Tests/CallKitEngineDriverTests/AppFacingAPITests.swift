import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// What the driver offers the app's own UI and VoIP stack: answering and declining, the
/// call list, late caller details, the server's call id, word of a refused start, the
/// app's own audio activation, and the `Signaling` handle.
final class AppFacingAPITests: XCTestCase {
    // MARK: Answer and decline

    func testAnswerFromTheAppsUIRequestsAnAnswerActionAndAnswersOnSignaling() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.driver.answer(call: call)
        h.callKit.settle()
        XCTAssertEqual(h.callKit.callController.requests, [.answerCall(call: call)])
        XCTAssertEqual(h.provider.actions.map(\.outcome), [.fulfilled])
        XCTAssertTrue(h.app.all.contains(.answerIncoming(call)))
        XCTAssertEqual(h.driver.calls.map(\.phase), [.answered])
    }

    func testAnswerOfACallThatIsNotRingingIsRefusedAndLogged() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.driver.answer(call: call)
        h.callKit.settle()
        h.driver.answer(call: call)
        h.driver.answer(call: UUID())
        h.callKit.settle()
        XCTAssertEqual(h.callKit.callController.requests, [.answerCall(call: call)])
        XCTAssertEqual(h.refusals().count, 2)
    }

    func testDeclineFromTheAppsUIEndsTheRingingCallAndRejectsItOnSignaling() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.driver.decline(call: call)
        h.callKit.settle()
        XCTAssertEqual(h.callKit.callController.requests, [.endCall(call: call)])
        XCTAssertTrue(h.app.all.contains { if case .rejectIncoming(call, _) = $0 { true } else { false } })
        XCTAssertFalse(h.app.all.contains(.hangUp(call)))
        XCTAssertEqual(h.driver.calls, [])
    }

    func testDeclineOfAnAnsweredCallLeavesItAloneAndIsLogged() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.driver.answer(call: call)
        h.callKit.settle()
        h.driver.decline(call: call)
        h.callKit.settle()
        XCTAssertEqual(h.callKit.callController.requests, [.answerCall(call: call)])
        XCTAssertEqual(h.driver.calls.map(\.phase), [.answered])
        XCTAssertEqual(h.refusals().count, 1)
    }

    // MARK: The call list

    func testCallListShowsThePushedCallersHandleAndNameWhileItRings() throws {
        let h = try Harness()
        let call = UUID()
        h.push(call: call, handle: "+15550123", callerName: "Alice")
        h.callKit.settle()
        XCTAssertEqual(
            h.driver.calls,
            [
                CallDriver.Call(
                    id: call, direction: .incoming, phase: .ringing,
                    handle: CallHandle(type: .phoneNumber, value: "+15550123"), callerName: "Alice")
            ])
    }

    func testCallListFollowsMuteAndHoldAndForgetsAnEndedCall() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.driver.answer(call: call)
        h.callKit.settle()
        h.driver.setMuted(call, muted: true)
        h.driver.setHeld(call, onHold: true)
        h.callKit.settle()
        let shown = try XCTUnwrap(h.driver.calls.first)
        XCTAssertTrue(shown.isMuted)
        XCTAssertTrue(shown.isOnHold)
        XCTAssertEqual(shown.callerName, "Alice")
        h.driver.endCall(call)
        h.callKit.settle()
        XCTAssertEqual(h.driver.calls, [])
    }

    func testOutgoingCallIsInTheCallListWithItsHandleFromTheStart() throws {
        let h = try Harness()
        let call = try h.driver.startCall(to: "+14085551234", type: .phoneNumber)
        h.callKit.settle()
        let shown = try XCTUnwrap(h.driver.calls.first)
        XCTAssertEqual(shown.id, call)
        XCTAssertEqual(shown.direction, .outgoing)
        XCTAssertEqual(shown.handle, CallHandle(type: .phoneNumber, value: "+14085551234"))
        XCTAssertNil(shown.callerName)
    }

    func testCallListUpdatesStartWithTheListAndDeliverEachChange() async throws {
        let h = try Harness()
        var updates = h.driver.callListUpdates().makeAsyncIterator()
        let first = await updates.next()
        XCTAssertEqual(first, [])
        let call = UUID()
        h.push(call: call)
        h.callKit.settle()
        let ringing = await updates.next()
        XCTAssertEqual(ringing?.map(\.id), [call])
        XCTAssertEqual(ringing?.first?.phase, .ringing)
        h.driver.signalingDidReport(.remoteEnded(call: call))
        h.callKit.settle()
        let ended = await updates.next()
        XCTAssertEqual(ended, [])
    }

    // MARK: Late caller details

    func testLateCallerNameReachesCallKitAndTheCallList() throws {
        let h = try Harness()
        let call = UUID()
        h.callKit.announceIncomingCall(call, handle: CallHandle(type: .generic, value: "alice"))
        XCTAssertNil(h.driver.calls.first?.callerName)
        h.driver.updateCallDetails(call: call, callerName: "Alice Liddell")
        h.callKit.settle()
        XCTAssertTrue(
            h.provider.reports.contains {
                if case .callUpdated(call, let update) = $0 {
                    update.localizedCallerName == "Alice Liddell"
                } else {
                    false
                }
            })
        XCTAssertEqual(h.driver.calls.first?.callerName, "Alice Liddell")
        XCTAssertEqual(h.driver.calls.first?.handle, CallHandle(type: .generic, value: "alice"))
    }

    func testLateVideoUpgradeWithoutVideoSupportIsRefusedAndLogged() throws {
        let h = try Harness { $0.supportsVideo = false }
        let call = h.connectedIncomingCall()
        h.driver.updateCallDetails(call: call, hasVideo: true)
        h.callKit.settle()
        XCTAssertEqual(h.refusals().count, 1)
        XCTAssertEqual(h.driver.calls.first?.hasVideo, false)
    }

    // MARK: The server's call id

    func testServerCallIDMapsToTheUUIDThePushIsReportedUnder() throws {
        let schema = PayloadSchema(preset: .twilio)
        let h = try Harness { $0.payloadSchema = schema }
        h.callKit.pushRegistry.deliverVoIPPush(
            ["aps": [String: Any](), "twi_call_sid": "CA0123456789abcdef", "twi_from": "+15550100"])
        let expected = try XCTUnwrap(schema.callID(forServerCallID: "CA0123456789abcdef"))
        XCTAssertEqual(h.provider.reportedIncomingCalls, [expected])
        XCTAssertNotEqual(schema.callID(forServerCallID: "CA0123456789abcdee"), expected)
    }

    func testServerCallIDUnderAUUIDLayoutIsTheUUIDItSpellsOrNil() {
        let schema = PayloadSchema(preset: .reactNativeVoIPPush)
        let call = UUID()
        XCTAssertEqual(schema.callID(forServerCallID: call.uuidString.lowercased()), call)
        XCTAssertNil(schema.callID(forServerCallID: "not-a-uuid"))
    }

    // MARK: Word of a refused start

    func testStartCallKitRefusesReachesTheAppsCompletionAndLeavesTheCallList() throws {
        let h = try Harness()
        let refusal = NSError(
            domain: CallKitErrorDomain.requestTransaction, code: RequestTransactionError.unentitled.rawValue)
        h.callKit.callController.failNextRequest(with: refusal)
        let word = Recorder<NSError?>()
        _ = try h.driver.startCall(to: "+14085551234", type: .phoneNumber) { word.append($0.map { $0 as NSError }) }
        h.callKit.settle()
        XCTAssertEqual(word.all, [refusal])
        XCTAssertEqual(h.driver.calls, [])
    }

    func testStartCallKitAcceptsCompletesOnceWithNil() throws {
        let h = try Harness()
        let word = Recorder<NSError?>()
        let call = try h.driver.startCall(to: "+14085551234", type: .phoneNumber) {
            word.append($0.map { $0 as NSError })
        }
        h.callKit.settle()
        XCTAssertEqual(word.all, [nil])
        XCTAssertTrue(
            h.app.all.contains(.startOutgoing(call, CallHandle(type: .phoneNumber, value: "+14085551234"), false)))
    }

    func testStartTheEngineRefusesAtItsCallCapacityReachesTheCompletionAsRefused() throws {
        let h = try Harness()
        let word = Recorder<CallDriverError?>()
        for _ in 0...CallEngine.Limits.maximumCalls {
            _ = try h.driver.startCall(to: "+14085551234", type: .phoneNumber) {
                word.append($0 as? CallDriverError)
            }
            h.callKit.settle()
        }
        XCTAssertEqual(word.all.filter { $0 == nil }.count, CallEngine.Limits.maximumCalls)
        XCTAssertEqual(word.all.last, .refused(.callCapacity))
        XCTAssertEqual(h.driver.calls.count, CallEngine.Limits.maximumCalls)
    }

    // MARK: The app's own audio activation

    func testAudioTheAppActivatedAfterTheTimeOutStartsTheMedia() throws {
        let h = try Harness { $0.audioActivationTimeout = .seconds(2) }
        let call = h.connectedIncomingCall()
        h.driver.answer(call: call)
        h.callKit.settle()
        h.callKit.clock.advance(byMilliseconds: 2_000)
        h.callKit.settle()
        XCTAssertTrue(h.app.all.contains(.audioActivationTimedOut(call)))
        XCTAssertFalse(h.app.all.contains(.startMedia(call)))
        h.driver.audioSessionActivatedByApp()
        h.callKit.settle()
        XCTAssertEqual(h.app.all.filter { $0 == .startMedia(call) }.count, 1)
    }

    // MARK: The Signaling handle

    func testVoIPStackReportsThroughItsSignalingHandleWithoutABackReference() throws {
        let callKit = FakeCallKit()
        let recorder = Recorder<AppCall>()
        var stack: HandleHoldingStack?
        let driver = try callKit.makeDriver(
            configuration: CallEngine.Configuration(),
            signaling: { handle in
                let made = HandleHoldingStack(driver: handle, recorder: recorder)
                stack = made
                return made
            },
            media: RecordingApp(recorder))
        let call = UUID()
        try XCTUnwrap(stack).driver.report(
            .incomingCallAnnounced(
                call: call, handle: CallHandle(type: .generic, value: "bob"), callerName: "Bob", isVideo: false))
        callKit.settle()
        XCTAssertEqual(callKit.provider.reportedIncomingCalls, [call])
        XCTAssertTrue(recorder.all.contains(.connectIncoming(call)))
        XCTAssertEqual(try XCTUnwrap(stack).driver.calls.map(\.callerName), ["Bob"])
        XCTAssertEqual(driver.calls.map(\.id), [call])
    }

    func testSignalingHandleDoesNothingOnceTheDriverIsGone() throws {
        let callKit = FakeCallKit()
        let recorder = Recorder<AppCall>()
        var stack: HandleHoldingStack?
        var driver: CallDriver? = try callKit.makeDriver(
            configuration: CallEngine.Configuration(),
            signaling: { handle in
                let made = HandleHoldingStack(driver: handle, recorder: recorder)
                stack = made
                return made
            },
            media: RecordingApp(recorder))
        weak var gone = driver
        driver = nil
        callKit.settle()
        XCTAssertNil(gone, "the handle must not keep the driver alive")
        try XCTUnwrap(stack).driver.report(.remoteEnded(call: UUID()))
        XCTAssertEqual(try XCTUnwrap(stack).driver.calls, [])
    }
}

/// A VoIP stack that keeps the driver's `Signaling` handle in a `let`: no lock, no
/// `weak var`, Sendable as it is.
private final class HandleHoldingStack: CallSignaling {
    let driver: CallDriver.Signaling
    private let app: RecordingApp
    init(driver: CallDriver.Signaling, recorder: Recorder<AppCall>) {
        self.driver = driver
        app = RecordingApp(recorder)
    }
    func connectIncoming(_ call: UUID) { app.connectIncoming(call) }
    func missedCall(_ call: UUID, update: CallUpdate) { app.missedCall(call, update: update) }
    func answerIncoming(_ call: UUID) { app.answerIncoming(call) }
    func rejectIncoming(_ call: UUID, reason: RejectReason) { app.rejectIncoming(call, reason: reason) }
    func hangUp(_ call: UUID) { app.hangUp(call) }
    func setHeld(_ call: UUID, onHold: Bool) { app.setHeld(call, onHold: onHold) }
    func setGroup(_ call: UUID, with other: UUID?) { app.setGroup(call, with: other) }
    func playDTMF(_ call: UUID, digits: String, type: DTMFType) { app.playDTMF(call, digits: digits, type: type) }
    func startOutgoing(_ call: UUID, to handle: CallHandle, isVideo: Bool) {
        app.startOutgoing(call, to: handle, isVideo: isVideo)
    }
    func backendChosen(_ choice: CallDriver.BackendChoice) { app.backendChosen(choice) }
    func registerPushToken(hex: String) { app.registerPushToken(hex: hex) }
    func unregisterPushToken() { app.unregisterPushToken() }
}
