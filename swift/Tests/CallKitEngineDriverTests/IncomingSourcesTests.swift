import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// Incoming calls that do not follow the plain push-then-ring path: announced over the
/// app's own connection, pushed under `PKVoIPPushMetadata.mustReport == false`, and
/// pushed too late to ring.
final class IncomingSourcesTests: XCTestCase {
    func testAnnouncedCallRingsAndIsAnsweredThroughTheDriverWithNoPushKitCompletion() throws {
        let h = try Harness()
        let call = UUID()
        let caller = CallHandle(type: .phoneNumber, value: "+15550123")
        h.callKit.announceIncomingCall(call, handle: caller, callerName: "Carol")
        XCTAssertEqual(h.provider.reportedIncomingCalls, [call])
        guard case let .newIncomingCall(_, update)? = h.provider.reports.first else {
            return XCTFail("no report")
        }
        XCTAssertEqual(update.remoteHandle, caller)
        XCTAssertEqual(update.localizedCallerName, "Carol")
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.callKit.settle()
        XCTAssertEqual(h.provider.perform(.answerCall(call: call)).outcome, .fulfilled)
        XCTAssertTrue(h.app.all.contains(.answerIncoming(call)))
        // The report's completion went back to the engine by the call, not by a push.
        XCTAssertEqual(h.refusals(), [])
        XCTAssertFalse(h.log.all.contains { $0.kind == .unknownPush })
    }

    func testPushWithMustReportFalseForAnEndedCallIsCompletedWithoutAReport() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.driver.signalingDidReport(.remoteEnded(call: call))
        h.callKit.settle()
        XCTAssertEqual(h.provider.endedCalls.map(\.call), [call])
        let late = h.callKit.pushRegistry.deliverVoIPPush(
            ["aps": [String: Any](), "uuid": call.uuidString, "handle": "+15550100"], mustReport: false)
        XCTAssertFalse(late.reportedBeforeReturn)
        XCTAssertEqual(late.completionCount, 1)
        XCTAssertEqual(h.provider.reportedIncomingCalls, [call], "the late copy was reported")
        XCTAssertEqual(h.provider.endedCalls.map(\.call), [call])
        XCTAssertTrue(h.log.all.contains { $0.kind == .pushEnded && $0.message.contains("without a report") })
    }

    func testPushWithMustReportFalseForALiveCallIsCompletedWithoutAReport() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        let copy = h.callKit.pushRegistry.deliverVoIPPush(
            ["aps": [String: Any](), "uuid": call.uuidString, "handle": "+15550100"], mustReport: false)
        XCTAssertFalse(copy.reportedBeforeReturn)
        XCTAssertEqual(copy.completionCount, 1)
        XCTAssertEqual(h.provider.reportedIncomingCalls, [call])
        XCTAssertEqual(h.provider.perform(.answerCall(call: call)).outcome, .fulfilled)
    }

    func testStalePushCallsTheMissedCallPortWithTheCallersName() throws {
        let h = try Harness {
            $0.payloadSchema.sentAtKey = "sent"
            $0.payloadSchema.sentAtUnit = .seconds
            $0.maximumPushAge = .seconds(30)
        }
        let call = UUID()
        // Sent a minute before it arrives by the driver's wall clock.
        let sent = Int(h.callKit.clock.currentDate().timeIntervalSince1970) - 60
        let push = h.callKit.pushRegistry.deliverVoIPPush(
            [
                "aps": [String: Any](), "uuid": call.uuidString, "handle": "+15550100", "callerName": "Alice",
                "sent": sent,
            ])
        XCTAssertTrue(push.reportedBeforeReturn)
        XCTAssertEqual(push.completionCount, 1)
        let missed = h.app.all.compactMap { entry -> (UUID, CallUpdate)? in
            if case let .missedCall(id, update) = entry { return (id, update) } else { return nil }
        }
        XCTAssertEqual(missed.map(\.0), [call])
        XCTAssertEqual(missed.first?.1.localizedCallerName, "Alice")
        XCTAssertEqual(missed.first?.1.remoteHandle, CallHandle(type: .phoneNumber, value: "+15550100"))
        // It never rang: no signaling leg, and CallKit ended it as unanswered.
        XCTAssertFalse(h.app.all.contains(.connectIncoming(call)))
        XCTAssertEqual(h.provider.endedCalls.map(\.call), [call])
        XCTAssertEqual(h.provider.endedCalls.first?.reason, .unanswered)
    }

    func testFreshPushWithASentTimeRings() throws {
        let h = try Harness { $0.payloadSchema.sentAtKey = "sent" }
        let call = UUID()
        let sent = Int(h.callKit.clock.currentDate().timeIntervalSince1970) - 2
        h.callKit.pushRegistry.deliverVoIPPush(
            ["aps": [String: Any](), "uuid": call.uuidString, "handle": "+15550100", "sent": sent])
        XCTAssertTrue(h.app.all.contains(.connectIncoming(call)))
        XCTAssertFalse(h.app.all.contains { if case .missedCall = $0 { return true } else { return false } })
        XCTAssertEqual(h.provider.endedCalls.map(\.call), [])
    }
}
