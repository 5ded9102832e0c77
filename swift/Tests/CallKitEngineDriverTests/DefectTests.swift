import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// One test per run-time defect of the listing that docs/ios-integration.md used to
/// carry: each fails on that listing's behaviour.
final class DefectTests: XCTestCase {
    // 1. error.code read whatever its domain.

    func testReportErrorOfCXErrorDomainCode2IsAFailureNotCallUUIDAlreadyExists() throws {
        let h = try Harness()
        let call = UUID()
        // CXErrorDomain's invalidArgument (2) has the raw value of the incoming-call
        // domain's callUUIDAlreadyExists, which the engine counts as success.
        h.provider.failNextReport(with: NSError(domain: CallKitErrorDomain.general, code: 2))
        h.push(call: call)
        XCTAssertEqual(h.app.all.filter { $0 == .rejectIncoming(call, .failed) }.count, 1)
        // The engine forgot the call: CallKit answering it now is refused and failed.
        let answer = h.provider.perform(.answerCall(call: call))
        XCTAssertEqual(answer.outcome, .failed)
    }

    func testReportErrorOfCXErrorDomainCode3IsNotDoNotDisturb() throws {
        let h = try Harness()
        let call = UUID()
        // CXErrorDomain's missingVoIPBackgroundMode (3) has filteredByDoNotDisturb's raw value.
        h.provider.failNextReport(with: NSError(domain: CallKitErrorDomain.general, code: 3))
        h.push(call: call)
        XCTAssertTrue(h.app.all.contains(.rejectIncoming(call, .failed)))
        XCTAssertFalse(h.app.all.contains(.rejectIncoming(call, .doNotDisturb)))
    }

    func testReportErrorOfTheIncomingCallDomainIsReadByItsCode() throws {
        let h = try Harness()
        let call = UUID()
        h.provider.doNotDisturb = true
        h.push(call: call)
        XCTAssertTrue(h.app.all.contains(.rejectIncoming(call, .doNotDisturb)))
    }

    func testTransactionErrorsMapOnlyFromTheRequestTransactionDomain() {
        XCTAssertEqual(
            CallKitErrorDomain.requestTransactionError(NSError(domain: CallKitErrorDomain.general, code: 5)), .unknown)
        XCTAssertEqual(
            CallKitErrorDomain.requestTransactionError(NSError(domain: NSCocoaErrorDomain, code: 4)), .unknown)
        XCTAssertEqual(
            CallKitErrorDomain.requestTransactionError(NSError(domain: CallKitErrorDomain.requestTransaction, code: 5)),
            .callUUIDAlreadyExists)
        XCTAssertEqual(
            CallKitErrorDomain.incomingCallError(NSError(domain: CallKitErrorDomain.requestTransaction, code: 2)),
            .unknown)
    }

    func testACodeAppleHasNoNameForKeepsItsNumberInItsOwnDomainOnly() {
        let incoming = CallKitErrorDomain.incomingCallError(NSError(domain: CallKitErrorDomain.incomingCall, code: 99))
        XCTAssertEqual(incoming.rawValue, 99)
        XCTAssertFalse(incoming.isNamed)
        XCTAssertEqual(incoming.description, "unrecognized (99)")
        let request = CallKitErrorDomain.requestTransactionError(
            NSError(domain: CallKitErrorDomain.requestTransaction, code: -7))
        XCTAssertEqual(request, RequestTransactionError(rawValue: -7))
        XCTAssertFalse(request.isNamed)
        // Another domain's 99 means nothing here.
        XCTAssertEqual(
            CallKitErrorDomain.incomingCallError(NSError(domain: CallKitErrorDomain.general, code: 99)), .unknown)
    }

    // 2. The fallback call of an unusable push ended before CallKit accepted it.

    func testUnusablePushEndsItsFallbackCallOnlyAfterCallKitAcceptedTheReport() throws {
        let h = try Harness()
        h.provider.holdsReportCompletions = true
        let push = h.callKit.pushRegistry.deliverVoIPPush(["aps": [String: Any](), "uuid": 42])
        XCTAssertTrue(push.reportedBeforeReturn)
        let fallback = try XCTUnwrap(h.provider.reportedIncomingCalls.first)
        XCTAssertTrue(h.provider.endedCalls.isEmpty, "ended before CallKit accepted the report")
        h.provider.completeReport(for: fallback)
        XCTAssertEqual(h.provider.endedCalls.map(\.call), [fallback])
        XCTAssertEqual(h.provider.endedCalls.first?.reason, .failed)
        XCTAssertEqual(push.completionCount, 1)
    }

    func testUnusablePushRefusedByCallKitIsNeverReportedEnded() throws {
        let h = try Harness()
        h.provider.holdsReportCompletions = true
        h.provider.doNotDisturb = true
        h.callKit.pushRegistry.deliverVoIPPush(["aps": [String: Any](), "uuid": 42])
        let fallback = try XCTUnwrap(h.provider.reportedIncomingCalls.first)
        h.provider.completeReport(for: fallback)
        XCTAssertTrue(h.provider.endedCalls.isEmpty)
    }

    // 3. Signaling and media held weakly.

    func testSignalingAndMediaHandedOverAsTemporariesStillGetTheirEffects() throws {
        let h = try Harness()  // hands over a RecordingApp it keeps no reference to
        let call = h.connectedIncomingCall()
        XCTAssertTrue(h.app.all.contains(.connectIncoming(call)))
        h.provider.perform(.answerCall(call: call))
        h.provider.activateAudioSession()
        XCTAssertTrue(h.app.all.contains(.answerIncoming(call)))
        XCTAssertTrue(h.app.all.contains(.startMedia(call)))
    }

    // 4. An unknown action left its transaction pending.

    func testActionForACallTheEngineDoesNotKnowIsCompletedNotDropped() throws {
        let h = try Harness()
        let stranger = UUID()
        let actions = [
            h.provider.perform(.answerCall(call: stranger)),
            h.provider.perform(.endCall(call: stranger)),
            h.provider.perform(.setHeld(call: stranger, onHold: true)),
            h.provider.perform(.setMuted(call: stranger, muted: true)),
            h.provider.perform(.setGroup(call: stranger, groupWith: nil)),
            h.provider.perform(.playDTMF(call: stranger, digits: "1", type: .singleTone)),
            h.provider.perform(
                .startCall(call: stranger, handle: CallHandle(type: .phoneNumber, value: "+15550100"), isVideo: false)),
        ]
        for action in actions {
            XCTAssertNotNil(action.outcome, "\(action.request) left pending")
            XCTAssertNotEqual(action.outcome, .timedOut)
            XCTAssertEqual(action.completionCount, 1)
        }
    }

    func testSecondActionUnderAHeldUUIDIsFailedAndTheHeldOneLeftToTheEngine() throws {
        let h = try Harness()
        let call = UUID()
        h.push(call: call)
        // Answered before the signaling connected: the engine holds the action.
        let held = h.provider.perform(.answerCall(call: call))
        XCTAssertNil(held.outcome)
        // CallKit never reuses an action UUID; if it did, the second is failed at once.
        let duplicate = h.provider.perform(FakeAction(.endCall(call: call), uuid: held.uuid))
        XCTAssertEqual(duplicate.outcome, .failed)
        XCTAssertEqual(duplicate.completionCount, 1)
        XCTAssertNil(held.outcome)
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.callKit.settle()
        XCTAssertEqual(held.outcome, .fulfilled)
        XCTAssertEqual(held.completionCount, 1)
    }

    func testEveryRequestedTransactionsCompletionGoesBackToTheEngine() throws {
        let h = try Harness()
        let call = try h.driver.startCall(to: "+15550100", type: .phoneNumber)
        h.callKit.settle()
        let start = try XCTUnwrap(h.provider.actions.first)
        XCTAssertEqual(
            start.request,
            .startCall(call: call, handle: CallHandle(type: .phoneNumber, value: "+15550100"), isVideo: false))
        h.driver.signalingDidReport(.outgoingCallConnecting(call: call))
        h.callKit.settle()
        XCTAssertEqual(start.outcome, .fulfilled)
        // Far more failed requests than the engine has pending-transaction slots: each
        // completion must reach the engine, or it would refuse with transactionCapacity.
        for round in 0..<40 {
            h.callKit.callController.failNextRequest(
                with: NSError(domain: CallKitErrorDomain.requestTransaction, code: 1))
            h.driver.setMuted(call, muted: round.isMultiple(of: 2))
            h.callKit.settle()
        }
        XCTAssertEqual(h.callKit.callController.requests.count, 41)
        XCTAssertEqual(h.refusals(), [])
    }

    // 5. JSONSerialization raising an exception, and escaping slashes.

    func testPayloadThatIsNotJSONIsReportedAsUnusableInsteadOfRaising() throws {
        let h = try Harness()
        let push = h.callKit.pushRegistry.deliverVoIPPush(["uuid": UUID().uuidString, "sent": Date()])
        XCTAssertTrue(push.reportedBeforeReturn)
        XCTAssertEqual(h.provider.endedCalls.count, 1)
        XCTAssertEqual(h.provider.endedCalls.first?.reason, .failed)
        XCTAssertEqual(push.completionCount, 1)
        XCTAssertTrue(h.log.all.contains { $0.kind == .payloadNotJSON })
    }

    func testSlashesAreNotEscapedSoAURIHeavyPayloadStaysWithinTheLimit() throws {
        let h = try Harness()
        let call = UUID()
        // 1500 slashes: under the 5120-byte limit as sent, over it with `\/` escapes.
        let route = String(repeating: "/", count: 1500)
        let payload: [AnyHashable: Any] = [
            "uuid": call.uuidString, "handle": "sip:alice@example.org", "route": route,
            "padding": String(repeating: "x", count: 3400),
        ]
        let sent = try JSONSerialization.data(withJSONObject: payload, options: [.withoutEscapingSlashes])
        XCTAssertLessThanOrEqual(sent.count, CallEngine.Limits.maximumPayloadLengthInBytes)
        XCTAssertGreaterThan(sent.count + 1500, CallEngine.Limits.maximumPayloadLengthInBytes)
        h.callKit.pushRegistry.deliverVoIPPush(payload)
        XCTAssertEqual(h.provider.reportedIncomingCalls, [call], "the payload was read as unusable")
        XCTAssertTrue(h.provider.endedCalls.isEmpty)
    }

    // 6. Timers on DispatchWallTime.

    func testTimersFollowTheMonotonicClockWhenTheUserChangesTheDateAndTime() throws {
        let h = try Harness { $0.ringTimeout = .seconds(30) }
        let call = UUID()
        h.push(call: call)
        let clock = h.callKit.clock
        // A day forward: a wall-clock timer would fire at once.
        clock.setWallClock(to: clock.currentDate().addingTimeInterval(86_400))
        clock.advance(byMilliseconds: 1_000)
        XCTAssertTrue(h.provider.endedCalls.isEmpty)
        // An hour back: a wall-clock timer would fire an hour late.
        clock.setWallClock(to: clock.currentDate().addingTimeInterval(-3_600))
        clock.advance(byMilliseconds: 28_999)
        XCTAssertTrue(h.provider.endedCalls.isEmpty)
        clock.advance(byMilliseconds: 1)
        h.callKit.settle()
        XCTAssertEqual(h.provider.endedCalls.map(\.call), [call])
        XCTAssertEqual(h.provider.endedCalls.first?.reason, .unanswered)
        // The end's date is on the user's (changed) wall clock.
        guard case let .callEnded(_, date, _)? = h.provider.reports.last else {
            return XCTFail("no end reported")
        }
        XCTAssertEqual(date.timeIntervalSince1970, clock.currentDate().timeIntervalSince1970, accuracy: 0.001)
    }

    // 7. startCall returning a UUID for a call that can never start.

    func testStartCallThrowsWhenNoSupportedHandleTypeMatches() throws {
        let h = try Harness { $0.supportedHandleTypes = [] }
        XCTAssertThrowsError(try h.driver.startCall(to: "+15550100", type: .phoneNumber)) { error in
            XCTAssertEqual(error as? CallDriverError, .unsupportedHandleType(.phoneNumber))
        }
        let emailOnly = try Harness { $0.supportedHandleTypes = [.emailAddress] }
        XCTAssertThrowsError(try emailOnly.driver.startCall(to: "sip:bob@example.org", type: .generic))
        emailOnly.callKit.settle()
        h.callKit.settle()
        XCTAssertTrue(h.callKit.callController.requests.isEmpty)
        XCTAssertTrue(emailOnly.callKit.callController.requests.isEmpty)
    }

    // 8. Rule 7 of the guide named the wrong clock as the one that stops in sleep.

    func testGuideRuleSevenNamesUptimeRawAsTheClockThatStopsDuringSleep() throws {
        let guide = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/ios-integration.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        let rule = try XCTUnwrap(
            text.components(separatedBy: "\n7. ").dropFirst().first?.components(separatedBy: "\n8. ").first)
        // clock_gettime(3) on Darwin: CLOCK_MONOTONIC_RAW increments "like
        // CLOCK_MONOTONIC" (which continues during sleep); CLOCK_UPTIME_RAW "does not
        // increment while the system is asleep".
        XCTAssertTrue(rule.contains("CLOCK_UPTIME_RAW"))
        XCTAssertFalse(
            rule.contains("CLOCK_MONOTONIC_RAW` /"), "rule 7 lists CLOCK_MONOTONIC_RAW among clocks that stop")
        XCTAssertTrue(rule.range(of: "CLOCK_MONOTONIC_RAW[^.]*keeps? counting", options: .regularExpression) != nil)
    }
}
