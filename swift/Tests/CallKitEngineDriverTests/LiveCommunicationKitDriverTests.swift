import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// A driver on the LiveCommunicationKit fakes, with recorders for the app's side.
private struct LiveCommunicationKitHarness {
    let lck: FakeLiveCommunicationKit
    let driver: CallDriver
    let app: Recorder<AppCall>

    init(configure: (inout CallEngine.Configuration) -> Void = { _ in }) throws {
        var configuration = CallEngine.Configuration()
        configure(&configuration)
        let lck = FakeLiveCommunicationKit()
        let app = Recorder<AppCall>()
        let recording = RecordingApp(app)
        driver = try lck.makeDriver(configuration: configuration, signaling: recording, media: recording)
        self.lck = lck
        self.app = app
    }

    var manager: FakeConversationManager { lck.conversationManager }

    @discardableResult
    func push(call: UUID, handle: String = "+15550100") -> FakePush {
        let push = lck.pushRegistry.deliverVoIPPush(
            ["aps": [String: Any](), "uuid": call.uuidString, "handle": handle, "callerName": "Alice"])
        lck.settle()
        return push
    }
}

/// The driver's scenarios on LiveCommunicationKit: the same engine, reports and actions
/// through `ConversationManager`, its answers arriving on its own tasks.
final class LiveCommunicationKitDriverTests: XCTestCase {
    func testPushIsReportedAsAnIncomingConversationJoinedAndEndedThroughTheManager() throws {
        let h = try LiveCommunicationKitHarness()
        let call = UUID()
        let push = h.push(call: call)
        XCTAssertTrue(push.reportedBeforeReturn, "the report starts before the PushKit delegate method returns")
        XCTAssertEqual(h.manager.reportedIncomingConversations, [call])
        XCTAssertEqual(push.completionCount, 1, "the PushKit completion runs once the report returned")
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.lck.settle()

        let join = h.manager.perform(.answerCall(call: call))
        XCTAssertEqual(join.outcome, .fulfilled)
        XCTAssertTrue(h.app.all.contains(.answerIncoming(call)))
        XCTAssertFalse(h.app.all.contains(.startMedia(call)), "media waits for the audio session")
        h.manager.activateAudioSession()
        XCTAssertTrue(h.app.all.contains(.startMedia(call)))

        let end = h.manager.perform(.endCall(call: call))
        h.lck.clock.advance(byMilliseconds: FakeConversationManager.actionTimeoutMilliseconds + 1)
        h.lck.settle()
        XCTAssertEqual(end.outcome, .fulfilled)
        XCTAssertEqual(join.completionCount, 1)
        XCTAssertEqual(end.completionCount, 1)
        XCTAssertTrue(h.app.all.contains(.hangUp(call)))
        XCTAssertTrue(h.app.all.contains(.stopMedia(call)))
        XCTAssertFalse(h.manager.conversations.contains(call))
    }

    func testRemoteHangUpIsReportedAsAConversationEndedEvent() throws {
        let h = try LiveCommunicationKitHarness()
        let call = UUID()
        h.push(call: call)
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.lck.settle()
        h.manager.perform(.answerCall(call: call))
        h.driver.signalingDidReport(.remoteEnded(call: call))
        h.lck.settle()
        XCTAssertEqual(h.manager.endedConversations.map(\.call), [call])
        XCTAssertEqual(h.manager.endedConversations.map(\.reason), [.remoteEnded])
    }

    func testOutgoingCallIsAStartConversationActionAndItsProgressConversationEvents() throws {
        let h = try LiveCommunicationKitHarness()
        let call = try h.driver.startCall(to: "+15550100", type: .phoneNumber)
        h.lck.settle()
        let handle = CallHandle(type: .phoneNumber, value: "+15550100")
        XCTAssertEqual(h.manager.requests, [.startCall(call: call, handle: handle, isVideo: false)])
        XCTAssertEqual(h.manager.actions.map(\.outcome), [nil], "the start waits for the leg to connect")
        XCTAssertTrue(h.app.all.contains(.startOutgoing(call, handle, false)))
        h.driver.signalingDidReport(.outgoingCallConnecting(call: call))
        h.driver.signalingDidReport(.outgoingCallConnected(call: call))
        h.lck.settle()
        XCTAssertEqual(h.manager.actions.map(\.outcome), [.fulfilled])
        let progress = h.manager.events.compactMap { event -> String? in
            switch event {
            case .conversationStartedConnecting(call, _): return "connecting"
            case .conversationConnected(call, _): return "connected"
            default: return nil
            }
        }
        XCTAssertEqual(progress, ["connecting", "connected"])
        h.driver.endCall(call)
        h.lck.settle()
        XCTAssertEqual(h.manager.requests.last, .endCall(call: call))
        XCTAssertTrue(h.app.all.contains(.hangUp(call)))
        XCTAssertFalse(h.manager.conversations.contains(call))
    }

    func testDoNotDisturbRefusalRejectsTheCallAsAFailureAndCompletesThePush() throws {
        let h = try LiveCommunicationKitHarness()
        h.manager.doNotDisturb = true
        let call = UUID()
        let push = h.push(call: call)
        XCTAssertEqual(push.completionCount, 1)
        // LiveCommunicationKit throws without a documented reason: the server hears a
        // failure, not Do Not Disturb.
        XCTAssertTrue(h.app.all.contains(.rejectIncoming(call, .failed)))
        XCTAssertFalse(h.app.all.contains(.rejectIncoming(call, .doNotDisturb)))
        XCTAssertFalse(h.app.all.contains(.startMedia(call)))
        XCTAssertTrue(h.driver.calls.isEmpty)
        let join = h.manager.perform(.answerCall(call: call))
        XCTAssertEqual(join.outcome, .failed, "a join for a refused conversation is failed at once")
    }

    func testResetVoidsPendingActionsAndTheDriverNeverCompletesThem() throws {
        let h = try LiveCommunicationKitHarness()
        let call = UUID()
        let push = h.push(call: call)
        let join = h.manager.perform(.answerCall(call: call))
        XCTAssertNil(join.outcome, "the join waits for the call to connect")
        h.manager.reset()
        XCTAssertEqual(join.outcome, .voided)
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.lck.clock.advance(byMilliseconds: FakeConversationManager.actionTimeoutMilliseconds + 1)
        h.lck.settle()
        XCTAssertEqual(join.completionCount, 0, "the driver must not complete a voided action")
        XCTAssertEqual(push.completionCount, 1)
        XCTAssertTrue(h.driver.calls.isEmpty, "the reset ended every call")
    }

    func testTheEnginesTenSecondAnswerDeadlineFailsTheJoinBeforeLiveCommunicationKitsTimeOut() throws {
        let h = try LiveCommunicationKitHarness()
        let call = UUID()
        h.push(call: call)
        let join = h.manager.perform(.answerCall(call: call))
        h.lck.clock.advance(byMilliseconds: 10_000)
        h.lck.settle()
        XCTAssertEqual(join.outcome, .failed)
        h.lck.clock.advance(byMilliseconds: FakeConversationManager.actionTimeoutMilliseconds)
        h.lck.settle()
        XCTAssertEqual(join.completionCount, 1)
    }

    func testAJoinStillWaitingAfterThirtySecondsTimesOutAndIsNeverCompleted() throws {
        let h = try LiveCommunicationKitHarness { $0.answerConnectTimeout = .seconds(60) }
        let call = UUID()
        h.push(call: call)
        let join = h.manager.perform(.answerCall(call: call))
        h.lck.clock.advance(byMilliseconds: FakeConversationManager.actionTimeoutMilliseconds - 1)
        h.lck.settle()
        XCTAssertNil(join.outcome)
        h.lck.clock.advance(byMilliseconds: 1)
        h.lck.settle()
        XCTAssertEqual(join.outcome, .timedOut)
        h.driver.signalingDidReport(.incomingCallConnected(call: call))
        h.lck.settle()
        XCTAssertEqual(join.completionCount, 0)
    }
}
