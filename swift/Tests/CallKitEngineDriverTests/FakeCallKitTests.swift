import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// Set on a test's fakes' queue, to tell whether a completion runs there.
// Why nonisolated(unsafe): the key is never mutated; Dispatch does not mark it Sendable.
private nonisolated(unsafe) let onFakeQueue = DispatchSpecificKey<UInt8>()

/// The fakes answer as CallKit and PushKit document: completions later on the delegate
/// queue, a reset that voids actions and report completions, CallKit's own hold before an
/// answer, `maximumCallGroups`, iOS 26.4's `mustReport`, and CallKit's settings from the
/// driver's configuration.
final class FakeCallKitTests: XCTestCase {
    private func update(_ handle: String = "+15550100") -> CallUpdate {
        CallUpdate(
            remoteHandle: CallHandle(type: .phoneNumber, value: handle), localizedCallerName: nil, hasVideo: false,
            supportsHolding: true, supportsGrouping: false, supportsUngrouping: false, supportsDTMF: true)
    }

    /// Whether a completion ran, and whether on the fakes' queue.
    private final class Ran: @unchecked Sendable {
        // Why @unchecked Sendable: both fields are only touched with `lock` held.
        private let lock = NSLock()
        private var ran = 0
        private var onQueue = true
        func record(onQueue: Bool) {
            lock.lock()
            ran += 1
            self.onQueue = self.onQueue && onQueue
            lock.unlock()
        }
        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return ran
        }
        var allOnQueue: Bool {
            lock.lock()
            defer { lock.unlock() }
            return onQueue
        }
    }

    // MARK: Completions

    func testReportCompletionRunsLaterOnTheDelegateQueueByDefault() {
        let callKit = FakeCallKit()
        callKit.queue.setSpecific(key: onFakeQueue, value: 1)
        let ran = Ran()
        callKit.queue.sync {
            callKit.provider.reportNewIncomingCall(UUID(), update: update()) { error in
                XCTAssertNil(error)
                ran.record(onQueue: DispatchQueue.getSpecific(key: onFakeQueue) == 1)
            }
            XCTAssertEqual(ran.count, 0, "the completion ran inside the report call")
        }
        callKit.settle()
        XCTAssertEqual(ran.count, 1)
        XCTAssertTrue(ran.allOnQueue, "the completion ran off the delegate queue")
    }

    func testReportCompletionRunsInsideTheReportCallOnlyWhenAskedTo() {
        let callKit = FakeCallKit()
        XCTAssertFalse(callKit.provider.completesReportsInline)
        callKit.provider.completesReportsInline = true
        let ran = Ran()
        callKit.queue.sync {
            callKit.provider.reportNewIncomingCall(UUID(), update: update()) { _ in ran.record(onQueue: true) }
            XCTAssertEqual(ran.count, 1)
        }
    }

    func testPushedCallIsReportedBeforeReturnAndAcceptedLaterOnTheQueue() throws {
        let h = try Harness()
        let call = UUID()
        let push = h.push(call: call)
        XCTAssertTrue(push.reportedBeforeReturn)
        XCTAssertFalse(push.brokePushKitsReportRule)
        // Accepted: the answer is performed, not failed as for a call still being reported.
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.callKit.settle()
        XCTAssertEqual(h.provider.perform(.answerCall(call: call)).outcome, .fulfilled)
        XCTAssertEqual(push.completionCount, 1)
        XCTAssertEqual(h.refusals(), [])
    }

    func testRequestCompletionRunsLaterOnTheControllersQueueByDefault() {
        let callKit = FakeCallKit()
        callKit.queue.setSpecific(key: onFakeQueue, value: 1)
        let ran = Ran()
        callKit.queue.sync {
            callKit.callController.request(.endCall(call: UUID())) { error in
                XCTAssertNotNil(error, "an unknown call's end is refused")
                ran.record(onQueue: DispatchQueue.getSpecific(key: onFakeQueue) == 1)
            }
            XCTAssertEqual(ran.count, 0, "the completion ran inside the request call")
        }
        callKit.settle()
        XCTAssertEqual(ran.count, 1)
        XCTAssertTrue(ran.allOnQueue)
        callKit.callController.completesRequestsInline = true
        callKit.callController.request(.endCall(call: UUID())) { _ in ran.record(onQueue: true) }
        XCTAssertEqual(ran.count, 2)
    }

    func testHeldRequestCompletionRunsAfterTheActionWasPerformed() throws {
        let h = try Harness()
        h.callKit.callController.holdsRequestCompletions = true
        let call = try h.driver.startCall(to: "+15550199", type: .phoneNumber)
        h.callKit.settle()
        XCTAssertEqual(h.callKit.callController.heldRequestCompletionCount, 1)
        guard case let .startCall(started, _, _)? = h.provider.actions.last?.request else {
            return XCTFail("the start was not performed before its request completed")
        }
        XCTAssertEqual(started, call)
        XCTAssertTrue(h.callKit.callController.completeHeldRequest())
        XCTAssertEqual(h.callKit.callController.heldRequestCompletionCount, 0)
        XCTAssertFalse(h.callKit.callController.completeHeldRequest())
        XCTAssertEqual(h.refusals(), [])
    }

    // MARK: Reset

    func testResetKeepsHeldRequestCompletionsWhichArriveLate() throws {
        let h = try Harness()
        h.callKit.callController.holdsRequestCompletions = true
        _ = try h.driver.startCall(to: "+15550199", type: .phoneNumber)
        h.callKit.settle()
        h.provider.reset()
        XCTAssertEqual(h.callKit.callController.heldRequestCompletionCount, 1)
        XCTAssertTrue(h.callKit.callController.completeHeldRequest())
        XCTAssertEqual(h.driver.heldForTesting.actions, 0)
        XCTAssertTrue(h.driver.heldForTesting.engineIdle)
    }

    func testResetVoidsPendingActionsSoNoTimeOutFollows() throws {
        let h = try Harness()
        let call = UUID()
        h.push(call: call)
        // Answered before its connection is ready: the driver keeps the action.
        let answer = h.provider.perform(.answerCall(call: call))
        XCTAssertNil(answer.outcome)
        h.provider.reset()
        XCTAssertEqual(answer.outcome, .voided)
        h.callKit.clock.advance(byMilliseconds: FakeCallProvider.actionTimeoutMilliseconds + 1_000)
        XCTAssertEqual(answer.outcome, .voided, "a voided action timed out")
        XCTAssertEqual(answer.completionCount, 0)
        XCTAssertEqual(h.callKit.clock.armedTimerCount, 0)
        XCTAssertEqual(h.refusals(), [], "the driver was told of a time-out after the reset")
    }

    func testResetDropsHeldReportCompletions() throws {
        let h = try Harness()
        h.provider.holdsReportCompletions = true
        let call = UUID()
        let push = h.push(call: call)
        let ran = Ran()
        h.callKit.queue.sync {
            h.provider.reportNewIncomingCall(UUID(), update: update("+15550111")) { _ in ran.record(onQueue: true) }
        }
        XCTAssertEqual(h.provider.heldReportCompletions.count, 2)
        h.provider.reset()
        XCTAssertEqual(h.provider.heldReportCompletions, [])
        h.provider.completeReport(for: call)
        h.callKit.settle()
        XCTAssertEqual(ran.count, 0, "a report completion ran after the reset")
        XCTAssertEqual(push.completionCount, 1, "the reset completes the push")
        XCTAssertEqual(h.refusals(), [])
    }

    // MARK: Hold, groups

    /// `a` answered and connected, `b` pushed and connected, ringing.
    private func twoCalls(_ h: Harness) -> (a: UUID, b: UUID) {
        let a = h.connectedIncomingCall()
        XCTAssertEqual(h.provider.perform(.answerCall(call: a)).outcome, .fulfilled)
        let b = h.connectedIncomingCall()
        return (a, b)
    }

    func testAnsweringASecondCallHoldsTheActiveCallFirst() throws {
        let h = try Harness()
        let (a, b) = twoCalls(h)
        XCTAssertEqual(h.provider.connectedCalls, [a: false])
        let answer = h.provider.perform(.answerCall(call: b))
        XCTAssertEqual(answer.outcome, .fulfilled)
        let lastTwo = h.provider.actions.suffix(2)
        XCTAssertEqual(lastTwo.map(\.request), [.setHeld(call: a, onHold: true), .answerCall(call: b)])
        XCTAssertEqual(lastTwo.first?.outcome, .fulfilled)
        XCTAssertEqual(h.provider.connectedCalls, [a: true, b: false])
        XCTAssertEqual(h.provider.callGroupCount, 2)
        let app = h.app.all
        let held = try XCTUnwrap(app.firstIndex(of: .setHeld(a, true)))
        let answered = try XCTUnwrap(app.firstIndex(of: .answerIncoming(b)))
        XCTAssertLessThan(held, answered, "the active call was not held before the answer")
    }

    func testAnsweringWithTheCallGroupsFullEndsTheActiveCallFirst() throws {
        let h = try Harness { $0.maximumCallGroups = 1 }
        let (a, b) = twoCalls(h)
        XCTAssertEqual(h.provider.perform(.answerCall(call: b)).outcome, .fulfilled)
        let lastTwo = h.provider.actions.suffix(2)
        XCTAssertEqual(lastTwo.map(\.request), [.endCall(call: a), .answerCall(call: b)])
        XCTAssertEqual(lastTwo.first?.outcome, .fulfilled)
        XCTAssertEqual(h.provider.connectedCalls, [b: false])
        XCTAssertTrue(h.app.all.contains(.hangUp(a)))
    }

    func testStartingACallWithTheCallGroupsFullIsRefusedWithMaximumCallGroupsReached() throws {
        let h = try Harness { $0.maximumCallGroups = 1 }
        let a = h.connectedIncomingCall()
        XCTAssertEqual(h.provider.perform(.answerCall(call: a)).outcome, .fulfilled)
        let before = h.provider.actions.count
        let call = try h.driver.startCall(to: "+15550199", type: .phoneNumber)
        h.callKit.settle()
        XCTAssertEqual(h.callKit.callController.requests.count, 1)
        XCTAssertEqual(h.provider.actions.count, before, "CallKit performed a refused start")
        XCTAssertFalse(h.app.all.contains { if case .startOutgoing(call, _, _) = $0 { true } else { false } })
        XCTAssertEqual(h.provider.connectedCalls, [a: false])
    }

    // MARK: PushKit

    func testPushWithMustReportFalseMayGoUnreportedWithinPushKitsRule() throws {
        let h = try Harness()
        let call = h.connectedIncomingCall()
        let copy = h.callKit.pushRegistry.deliverVoIPPush(
            ["aps": [String: Any](), "uuid": call.uuidString, "handle": "+15550100"], mustReport: false)
        XCTAssertEqual(copy.mustReport, false)
        XCTAssertFalse(copy.reportedBeforeReturn)
        XCTAssertFalse(copy.brokePushKitsReportRule)
        XCTAssertEqual(copy.completionCount, 1)
    }

    func testUnreportedPushThatHadToBeReportedBreaksPushKitsRule() {
        // No driver: nothing reports the push.
        let callKit = FakeCallKit()
        for mustReport in [nil, true] as [Bool?] {
            let push = callKit.pushRegistry.deliverVoIPPush(["uuid": UUID().uuidString], mustReport: mustReport)
            XCTAssertEqual(push.mustReport, mustReport)
            XCTAssertTrue(push.brokePushKitsReportRule)
        }
        XCTAssertFalse(callKit.pushRegistry.deliverVoIPPush([:], mustReport: false).brokePushKitsReportRule)
    }

    // MARK: Settings

    func testTheFakesTakeCallKitsSettingsFromTheDriversConfiguration() throws {
        var configuration = CallEngine.Configuration()
        configuration.maximumCallGroups = 3
        configuration.supportedHandleTypes = [.emailAddress]
        let callKit = FakeCallKit(configuration: configuration)
        XCTAssertEqual(callKit.provider.configuration, configuration)
        let app = RecordingApp(Recorder<AppCall>())
        let driver = try callKit.makeDriver(signaling: app, media: app)
        XCTAssertThrowsError(try driver.startCall(to: "+15550100", type: .phoneNumber)) {
            XCTAssertEqual($0 as? CallDriverError, .unsupportedHandleType(.phoneNumber))
        }
        // A driver made over another configuration brings CallKit's settings along.
        var other = CallEngine.Configuration()
        other.maximumCallGroups = 1
        let second = FakeCallKit()
        XCTAssertEqual(second.configuration, CallEngine.Configuration())
        _ = try second.makeDriver(configuration: other, signaling: app, media: app)
        XCTAssertEqual(second.provider.configuration, other)
        withExtendedLifetime(driver) {}
    }
}
