import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// The driver's ordering rules (docs/ios-integration.md), on the fakes.
final class DriverBehaviourTests: XCTestCase {
    func testDriverRegistersForVoIPPushesWhenStarted() throws {
        let h = try Harness()
        XCTAssertTrue(h.callKit.pushRegistry.isRegisteredForVoIPPushes)
    }

    func testPushIsReportedBeforeTheDelegateMethodReturns() throws {
        let h = try Harness()
        let call = UUID()
        let push = h.push(call: call)
        XCTAssertTrue(push.reportedBeforeReturn)
        XCTAssertEqual(h.provider.reportedIncomingCalls, [call])
        guard case let .newIncomingCall(_, update)? = h.provider.reports.first else {
            return XCTFail("no report")
        }
        XCTAssertEqual(update.remoteHandle, CallHandle(type: .phoneNumber, value: "+15550100"))
        XCTAssertEqual(update.localizedCallerName, "Alice")
    }

    func testPushKitCompletionRunsOnceOnlyAfterTheReportCompleted() throws {
        let h = try Harness()
        h.provider.holdsReportCompletions = true
        let call = UUID()
        let push = h.push(call: call)
        XCTAssertEqual(push.completionCount, 0, "completed before CallKit answered the report")
        h.callKit.clock.advance(byMilliseconds: 1_000)
        XCTAssertEqual(push.completionCount, 0)
        h.provider.completeReport(for: call)
        XCTAssertEqual(push.completionCount, 1)
        // Its deadline passes later: nothing runs it again.
        h.callKit.clock.advance(byMilliseconds: 10_000)
        h.callKit.settle()
        XCTAssertEqual(push.completionCount, 1)
    }

    func testReportCompletionOnTheQueueIsHandledBeforeAResetDeliveredRightAfterIt() throws {
        let h = try Harness()
        h.provider.holdsReportCompletions = true
        // An unusable push: its fallback call is reported, and the engine keeps its end
        // until CallKit accepts the report.
        let push = h.callKit.pushRegistry.deliverVoIPPush(["aps": [String: Any](), "uuid": 42])
        let fallback = try XCTUnwrap(h.provider.reportedIncomingCalls.first)
        // CallKit accepts it on the delegate queue (= the driver's) and resets in the same
        // turn. Handled in that order, the acceptance releases the end before the reset;
        // with a second hop onto the queue, the reset ran first and the end was lost.
        h.provider.completeReportOnQueueThenReset(for: fallback)
        XCTAssertEqual(h.provider.endedCalls.map(\.call), [fallback])
        XCTAssertEqual(push.completionCount, 1)
    }

    func testPushKitCompletionRunsOnceAtThePushDeadlineWhenTheReportNeverCompletes() throws {
        let h = try Harness { $0.pushCompletionTimeout = .seconds(5) }
        h.provider.holdsReportCompletions = true
        let call = UUID()
        let push = h.push(call: call)
        h.callKit.clock.advance(byMilliseconds: 4_999)
        XCTAssertEqual(push.completionCount, 0)
        h.callKit.clock.advance(byMilliseconds: 1)
        h.callKit.settle()
        XCTAssertEqual(push.completionCount, 1)
        // CallKit's answer arrives late: the push stays completed once.
        h.provider.completeReport(for: call)
        XCTAssertEqual(push.completionCount, 1)
    }

    func testDuplicatePushForALiveCallIsAcceptedAsCallUUIDAlreadyExists() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        let again = h.push(call: call)
        XCTAssertTrue(again.reportedBeforeReturn)
        XCTAssertEqual(again.completionCount, 1)
        XCTAssertFalse(h.app.all.contains { if case .rejectIncoming = $0 { return true } else { return false } })
        XCTAssertEqual(h.provider.perform(.answerCall(call: call)).outcome, .fulfilled)
    }

    func testBlockListedCallerIsRejectedAsBlocked() throws {
        let h = try Harness()
        h.provider.blockedHandles = ["+15550199"]
        let call = UUID()
        h.push(call: call, handle: "+15550199")
        XCTAssertTrue(h.app.all.contains(.rejectIncoming(call, .blocked)))
    }

    func testEachActionIsFulfilledOrFailedExactlyOnceThroughACall() throws {
        let h = try Harness()
        let call = UUID()
        h.push(call: call)
        let answer = h.provider.perform(.answerCall(call: call))
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.callKit.settle()
        let hold = h.provider.perform(.setHeld(call: call, onHold: true))
        let mute = h.provider.perform(.setMuted(call: call, muted: true))
        let dtmf = h.provider.perform(.playDTMF(call: call, digits: "12#", type: .singleTone))
        let end = h.provider.perform(.endCall(call: call))
        // CallKit's time-out would come a minute later: it finds nothing pending.
        h.callKit.clock.advance(byMilliseconds: FakeCallProvider.actionTimeoutMilliseconds + 1)
        h.callKit.settle()
        for action in [answer, hold, mute, dtmf, end] {
            XCTAssertEqual(action.outcome, .fulfilled, "\(action.request)")
            XCTAssertEqual(action.completionCount, 1, "\(action.request)")
        }
        XCTAssertEqual(h.provider.endedCalls.count, 0, "an end the user asked for is not reported as ended")
        XCTAssertTrue(h.app.all.contains(.playDTMF(call, "12#", .singleTone)))
        XCTAssertTrue(h.app.all.contains(.hangUp(call)))
    }

    func testTranslationIsPerformedOnceAndAMuteDuringItKeepsTheMediaRunning() throws {
        let h = try Harness { $0.supportsAudioTranslation = true }
        let call = UUID()
        h.push(call: call)
        // Not answered yet: failed.
        let early = h.provider.perform(
            .setTranslating(call: call, isTranslating: true, localLanguage: "en", remoteLanguage: "fr"))
        XCTAssertEqual(early.outcome, .failed)
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.callKit.settle()
        XCTAssertEqual(h.provider.perform(.answerCall(call: call)).outcome, .fulfilled)
        h.provider.activateAudioSession()
        h.callKit.settle()
        let on = h.provider.perform(
            .setTranslating(call: call, isTranslating: true, localLanguage: "en-US", remoteLanguage: "fr"))
        XCTAssertEqual(on.outcome, .fulfilled)
        XCTAssertEqual(on.completionCount, 1)
        XCTAssertTrue(h.app.all.contains(.startTranslation(call, "en-US", "fr")))
        let before = h.app.all.count
        XCTAssertEqual(h.provider.perform(.setMuted(call: call, muted: true)).outcome, .fulfilled)
        XCTAssertEqual(Array(h.app.all.dropFirst(before)), [.setMuted(call, true)], "a mute never stops the media")
        let off = h.provider.perform(
            .setTranslating(call: call, isTranslating: false, localLanguage: "", remoteLanguage: ""))
        XCTAssertEqual(off.outcome, .fulfilled)
        XCTAssertTrue(h.app.all.contains(.stopTranslation(call)))
        // CallKit's time-out, a minute later, finds the action resolved.
        h.callKit.clock.advance(byMilliseconds: FakeCallProvider.actionTimeoutMilliseconds + 1)
        h.callKit.settle()
        XCTAssertEqual(off.completionCount, 1)
    }

    func testTranslationIsFailedWithoutSupportsAudioTranslation() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        XCTAssertEqual(h.provider.perform(.answerCall(call: call)).outcome, .fulfilled)
        let action = h.provider.perform(
            .setTranslating(call: call, isTranslating: true, localLanguage: "en", remoteLanguage: "fr"))
        XCTAssertEqual(action.outcome, .failed)
        XCTAssertFalse(h.app.all.contains { if case .startTranslation = $0 { return true } else { return false } })
    }

    func testAnswerHeldForTheConnectionIsFailedOnceAtTheAnswerDeadline() throws {
        let h = try Harness { $0.answerConnectTimeout = .seconds(10) }
        let call = UUID()
        h.push(call: call)
        let answer = h.provider.perform(.answerCall(call: call))
        h.callKit.clock.advance(byMilliseconds: 9_999)
        XCTAssertNil(answer.outcome)
        h.callKit.clock.advance(byMilliseconds: 1)
        h.callKit.settle()
        XCTAssertEqual(answer.outcome, .failed)
        XCTAssertEqual(answer.completionCount, 1)
        h.callKit.clock.advance(byMilliseconds: FakeCallProvider.actionTimeoutMilliseconds)
        h.callKit.settle()
        XCTAssertEqual(answer.completionCount, 1)
    }

    func testActionCallKitTimedOutIsNeverCompletedAfterwards() throws {
        let h = try Harness { $0.answerConnectTimeout = .milliseconds(2 * FakeCallProvider.actionTimeoutMilliseconds) }
        let call = UUID()
        h.push(call: call)
        let answer = h.provider.perform(.answerCall(call: call))
        h.callKit.clock.advance(byMilliseconds: FakeCallProvider.actionTimeoutMilliseconds)
        h.callKit.settle()
        XCTAssertEqual(answer.outcome, .timedOut)
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.callKit.settle()
        h.callKit.clock.advance(byMilliseconds: 2 * FakeCallProvider.actionTimeoutMilliseconds)
        h.callKit.settle()
        XCTAssertEqual(answer.completionCount, 0)
    }

    func testMediaStartsOnlyAfterTheAudioSessionIsActivated() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.provider.perform(.answerCall(call: call))
        XCTAssertTrue(h.app.all.contains(.answerIncoming(call)))
        XCTAssertFalse(h.app.all.contains(.startMedia(call)), "media started before didActivate")
        XCTAssertEqual(h.callKit.audioSession.configurationCount, 1, "the session is configured at answer")
        h.provider.activateAudioSession()
        XCTAssertTrue(h.app.all.contains(.startMedia(call)))
        h.provider.deactivateAudioSession()
        XCTAssertTrue(h.app.all.contains(.stopMedia(call)))
    }

    func testAHeldCallStopsItsMediaAndResumingItRestartsIt() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.provider.perform(.answerCall(call: call))
        h.provider.activateAudioSession()
        XCTAssertEqual(h.app.all.filter { $0 == .startMedia(call) }.count, 1)
        h.provider.perform(.setHeld(call: call, onHold: true))
        h.callKit.settle()
        XCTAssertEqual(Array(h.app.all.suffix(2)), [.setHeld(call, true), .stopMedia(call)])
        h.provider.perform(.setHeld(call: call, onHold: false))
        h.callKit.settle()
        XCTAssertEqual(Array(h.app.all.suffix(2)), [.setHeld(call, false), .startMedia(call)])
    }

    func testRingbackPlaysWhileTheFarEndRingsAndStopsWhenItAnswers() throws {
        let h = try Harness()
        let call = try h.driver.startCall(to: "+15550100", type: .phoneNumber)
        h.callKit.settle()
        h.driver.signalingDidReport(.outgoingCallConnecting(call: call))
        h.driver.signalingDidReport(.outgoingCallRinging(call: call))
        h.callKit.settle()
        h.provider.activateAudioSession()
        h.callKit.settle()
        XCTAssertTrue(h.app.all.contains(.startRingback(call)))
        XCTAssertFalse(h.app.all.contains(.stopRingback(call)))
        h.driver.signalingDidReport(.outgoingCallConnected(call: call))
        h.callKit.settle()
        XCTAssertEqual(h.app.all.last, .stopRingback(call))
    }

    func testAnAudioActivationThatNeverComesReachesTheMediaEngineAndTheLog() throws {
        let h = try Harness { $0.audioActivationTimeout = .seconds(2) }
        let call = h.connectedIncomingCall()
        h.provider.perform(.answerCall(call: call))
        h.callKit.clock.advance(byMilliseconds: 1_999)
        h.callKit.settle()
        XCTAssertFalse(h.app.all.contains(.audioActivationTimedOut(call)))
        h.callKit.clock.advance(byMilliseconds: 1)
        h.callKit.settle()
        XCTAssertEqual(h.app.all.filter { $0 == .audioActivationTimedOut(call) }.count, 1)
        XCTAssertTrue(h.log.all.contains { $0.kind == .audioActivationTimedOut })
        XCTAssertFalse(h.log.all.contains { $0.message.contains("+15550100") })
    }

    func testRefusedStepChangesNothingAndIsLogged() throws {
        let h = try Harness()
        let stranger = UUID()
        h.driver.endCall(stranger)
        h.driver.setHeld(stranger, onHold: true)
        h.driver.signalingDidReport(.connectionFailed(call: stranger))
        h.callKit.settle()
        XCTAssertEqual(h.refusals().count, 3)
        XCTAssertTrue(h.callKit.callController.requests.isEmpty)
        XCTAssertTrue(h.provider.reports.isEmpty)
        XCTAssertTrue(h.app.all.isEmpty)
        // The log names the event, never its data.
        XCTAssertFalse(h.log.all.contains { $0.message.contains(stranger.uuidString) })
        // And the engine goes on as if nothing had happened.
        let call = UUID()
        XCTAssertTrue(h.push(call: call).reportedBeforeReturn)
        XCTAssertEqual(h.provider.reportedIncomingCalls, [call])
    }

    func testOutgoingCallGoesThroughCallKitAndReportsItsProgress() throws {
        let h = try Harness()
        let call = try h.driver.startCall(to: "+15550100", type: .phoneNumber)
        h.callKit.settle()
        XCTAssertEqual(
            h.callKit.callController.requests,
            [.startCall(call: call, handle: CallHandle(type: .phoneNumber, value: "+15550100"), isVideo: false)])
        XCTAssertTrue(
            h.app.all.contains(.startOutgoing(call, CallHandle(type: .phoneNumber, value: "+15550100"), false)))
        h.driver.signalingDidReport(.outgoingCallConnecting(call: call))
        h.driver.signalingDidReport(.outgoingCallConnected(call: call))
        h.callKit.settle()
        let progress = h.provider.reports.compactMap { report -> String? in
            switch report {
            case .outgoingCallStartedConnecting(call, _): return "connecting"
            case .outgoingCallConnected(call, _): return "connected"
            default: return nil
            }
        }
        XCTAssertEqual(progress, ["connecting", "connected"])
        h.driver.endCall(call)
        h.callKit.settle()
        XCTAssertEqual(h.callKit.callController.requests.last, .endCall(call: call))
        XCTAssertTrue(h.app.all.contains(.hangUp(call)))
    }

    func testStartCallRefusesVideoWithoutSupportsVideoAndBadHandles() throws {
        let h = try Harness { $0.supportsVideo = false }
        XCTAssertThrowsError(try h.driver.startCall(to: "+15550100", type: .phoneNumber, isVideo: true)) {
            XCTAssertEqual($0 as? CallDriverError, .videoNotSupported)
        }
        XCTAssertThrowsError(try h.driver.startCall(to: "", type: .phoneNumber)) {
            XCTAssertEqual($0 as? CallDriverError, .invalidHandle)
        }
        let long = String(repeating: "1", count: CallEngine.Limits.maximumHandleLengthInBytes + 1)
        XCTAssertThrowsError(try h.driver.startCall(to: long, type: .phoneNumber)) {
            XCTAssertEqual($0 as? CallDriverError, .invalidHandle)
        }
    }

    func testProviderResetTearsDownCallsAndDropsHeldActions() throws {
        let h = try Harness()
        h.provider.holdsReportCompletions = true
        let call = UUID()
        let push = h.push(call: call)
        let answer = h.provider.perform(.answerCall(call: call))
        h.provider.reset()
        XCTAssertEqual(push.completionCount, 1, "reset completes pending pushes")
        XCTAssertEqual(answer.outcome, .voided, "CallKit voided the action")
        XCTAssertEqual(answer.completionCount, 0, "the driver must not complete a voided action")
        h.provider.completeReport(for: call)
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.callKit.settle()
        XCTAssertEqual(answer.completionCount, 0)
        XCTAssertEqual(push.completionCount, 1)
    }

    func testPushTokenGoesToTheServerAsHex() throws {
        let h = try Harness()
        h.callKit.pushRegistry.updateCredentials(token: Data([0x0a, 0xff, 0x10]))
        h.callKit.pushRegistry.invalidateCredentials()
        h.callKit.settle()
        XCTAssertEqual(h.app.all, [.registerPushToken("0aff10"), .unregisterPushToken])
    }

    func testAudioSessionFailureIsLoggedAndTheCallGoesOn() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        h.callKit.audioSession.failNextConfiguration(with: NSError(domain: "AVFoundationErrorDomain", code: 1))
        let answer = h.provider.perform(.answerCall(call: call))
        XCTAssertEqual(answer.outcome, .fulfilled)
        XCTAssertTrue(h.log.all.contains { $0.kind == .audioSessionFailed })
    }

    func testDriverAndItsFakesAreFreedAfterACall() throws {
        weak var freedDriver: CallDriver?
        weak var freedProvider: FakeCallProvider?
        try {
            let h = try Harness()
            let call = h.connectedIncomingCall()
            h.provider.perform(.answerCall(call: call))
            h.provider.activateAudioSession()
            h.driver.endCall(call)
            h.callKit.settle()
            h.callKit.clock.advance(byMilliseconds: 120_000)
            freedDriver = h.driver
            freedProvider = h.provider
        }()
        XCTAssertNil(freedDriver, "the driver is kept alive by a cycle")
        XCTAssertNil(freedProvider)
    }

    func testSystemSchedulerCountsOnTheEngineClock() {
        let scheduler = DispatchScheduler()
        let before = CallEngine.Instant.now()
        let now = scheduler.now()
        XCTAssertGreaterThanOrEqual(now, before)
        XCTAssertLessThanOrEqual(now.milliseconds - before.milliseconds, 1_000)
    }

    func testSystemSchedulerRunsWorkOnTheQueueAndCancelledWorkNever() {
        let scheduler = DispatchScheduler()
        let queue = DispatchQueue(label: "scheduler-test")
        let ran = expectation(description: "timer ran")
        let cancelled = Recorder<Int>()
        let timer = scheduler.schedule(afterMilliseconds: 1, on: queue) { cancelled.append(1) }
        queue.sync { timer.cancel() }
        _ = scheduler.schedule(afterMilliseconds: 1, on: queue) {
            dispatchPrecondition(condition: .onQueue(queue))
            ran.fulfill()
        }
        wait(for: [ran], timeout: 10)
        queue.sync {}
        XCTAssertEqual(cancelled.all, [])
    }
}
