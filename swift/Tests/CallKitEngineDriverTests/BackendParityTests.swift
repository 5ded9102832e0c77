import CallKitEngine
import CallKitEngineDriver
import CallKitEngineTesting
import Foundation
import XCTest

/// One scenario on one backend: a driver on that backend's fakes, with recorders for the
/// app's signaling and media and the log.
private struct ParityRun {
    let system: any FakeCallingSystem
    let driver: CallDriver
    let app: Recorder<AppCall>
    let log: Recorder<CallDriverLogEntry>
    /// Names for the calls' UUIDs in the recorded sequence (`A`, `B`, `out`).
    var names: [UUID: String] = [:]

    init(_ system: any FakeCallingSystem, configuration: CallEngine.Configuration) throws {
        let recorded = try RecordedDriver(on: system, configuration: configuration)
        self.system = system
        driver = recorded.driver
        app = recorded.app
        log = recorded.log
    }

    /// An incoming call as the backend receives one (a VoIP push, or a notification the
    /// user opens), in the default schema.
    func incoming(_ call: UUID, payload: [AnyHashable: Any]? = nil) {
        system.deliverIncomingCall(
            payload ?? ["aps": [String: Any](), "uuid": call.uuidString, "handle": "+15550100", "callerName": "Alice"],
            mustReport: nil)
        system.settle()
    }

    func signal(_ event: CallDriver.SignalingEvent) {
        driver.signalingDidReport(event)
        system.settle()
    }

    /// An incoming call, connected, answered on the call screen, with its audio session
    /// active.
    func answeredCall(_ call: UUID) {
        incoming(call)
        signal(.incomingCallConnected(call: call))
        system.userPerforms(.answerCall(call: call))
        system.activateAudioSession()
    }

    /// What the app's signaling and media saw, each call's UUID replaced by its name.
    var sequence: [String] {
        app.all.map { call in
            names.reduce(String(describing: call)) { text, name in
                text.replacingOccurrences(of: name.key.uuidString, with: name.value)
            }
        }
    }
}

/// The driver's scenarios on the three backends: CallKit (``FakeCallKit``),
/// LiveCommunicationKit (``FakeLiveCommunicationKit``) and the app's own call UI
/// (``FakeAppCallUI``, the driver's own in-app system). In each the app's signaling and
/// media see the same calls in the same order; where a backend differs the test says
/// which and why (docs/ios-integration.md, "Choosing a backend", lists them).
final class BackendParityTests: XCTestCase {
    private let a = UUID()
    private let b = UUID()

    /// Runs `scenario` on every backend and returns each backend's sequence.
    private func run(
        configuration: CallEngine.Configuration = CallEngine.Configuration(),
        _ scenario: (inout ParityRun) throws -> Void
    ) throws -> [CallDriver.Backend: [String]] {
        var sequences: [CallDriver.Backend: [String]] = [:]
        let systems: [any FakeCallingSystem] = [FakeCallKit(), FakeLiveCommunicationKit(), FakeAppCallUI()]
        for system in systems {
            var run = try ParityRun(system, configuration: configuration)
            run.names = [a: "A", b: "B"]
            try scenario(&run)
            sequences[system.backend] = run.sequence
            let unexpected = run.log.all.filter { $0.kind == .unknownAction || $0.kind == .unknownPush }
            XCTAssertEqual(unexpected, [], "\(system.backend)")
        }
        return sequences
    }

    /// Checks that every backend saw `expected`.
    private func assertSame(
        _ sequences: [CallDriver.Backend: [String]], _ expected: [AppCall], names: [UUID: String] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let names = names.merging([a: "A", b: "B"]) { first, _ in first }
        let expected = expected.map { call in
            names.reduce(String(describing: call)) { $0.replacingOccurrences(of: $1.key.uuidString, with: $1.value) }
        }
        for backend in CallDriver.Backend.allCases {
            XCTAssertEqual(sequences[backend], expected, "\(backend)", file: file, line: line)
        }
    }

    func testIncomingCallAnsweredAndEndedReachesSignalingAndMediaAlikeOnEveryBackend() throws {
        let sequences = try run { run in
            run.answeredCall(a)
            run.system.userPerforms(.endCall(call: a))
        }
        assertSame(sequences, [.connectIncoming(a), .answerIncoming(a), .startMedia(a), .stopMedia(a), .hangUp(a)])
    }

    func testDuplicatePushOrNotificationIsOneCallOnEveryBackend() throws {
        let sequences = try run { run in
            run.incoming(a)
            run.incoming(a)
            run.signal(.incomingCallConnected(call: a))
            run.system.userPerforms(.answerCall(call: a))
            run.system.activateAudioSession()
            XCTAssertEqual(run.driver.calls.count, 1, "\(run.system.backend)")
        }
        assertSame(sequences, [.connectIncoming(a), .answerIncoming(a), .startMedia(a)])
    }

    func testCallWaitingWithTheFirstCallHeldReachesSignalingAndMediaAlikeOnEveryBackend() throws {
        var configuration = CallEngine.Configuration()
        configuration.maximumCallGroups = 2
        let sequences = try run(configuration: configuration) { run in
            run.answeredCall(a)
            run.incoming(b)
            run.signal(.incomingCallConnected(call: b))
            run.system.userPerforms(.setHeld(call: a, onHold: true))
            run.system.userPerforms(.answerCall(call: b))
            run.system.activateAudioSession()
            run.system.userPerforms(.endCall(call: b))
            run.system.userPerforms(.setHeld(call: a, onHold: false))
        }
        assertSame(
            sequences,
            [
                .connectIncoming(a), .answerIncoming(a), .startMedia(a), .connectIncoming(b), .setHeld(a, true),
                .stopMedia(a), .answerIncoming(b), .startMedia(b), .stopMedia(b), .hangUp(b), .setHeld(a, false),
                .startMedia(a),
            ])
    }

    func testOutgoingCallReachesSignalingAndMediaAlikeOnEveryBackend() throws {
        let sequences = try run { run in
            let out = try run.driver.startCall(to: "+15550199", type: .phoneNumber)
            run.names[out] = "out"
            run.system.settle()
            run.system.activateAudioSession()
            run.signal(.outgoingCallConnecting(call: out))
            run.signal(.outgoingCallRinging(call: out))
            run.signal(.outgoingCallConnected(call: out))
            run.system.userPerforms(.endCall(call: out))
        }
        // Each backend's call has its own UUID: `out` stands for it.
        let out = UUID()
        assertSame(
            sequences,
            [
                .startOutgoing(out, CallHandle(type: .phoneNumber, value: "+15550199"), false), .startMedia(out),
                .startRingback(out), .stopRingback(out), .stopMedia(out), .hangUp(out),
            ],
            names: [out: "out"])
    }

    func testAnswerBeforeTheCallConnectedWaitsForTheConnectionOnEveryBackend() throws {
        let sequences = try run { run in
            run.incoming(a)
            run.system.userPerforms(.answerCall(call: a))
            XCTAssertFalse(run.app.all.contains(.answerIncoming(a)), "\(run.system.backend): answered before connected")
            run.signal(.incomingCallConnected(call: a))
            run.system.activateAudioSession()
        }
        assertSame(sequences, [.connectIncoming(a), .answerIncoming(a), .startMedia(a)])
    }

    func testMalformedPayloadReachesNeitherSignalingNorMediaOnEveryBackend() throws {
        let sequences = try run { run in
            run.incoming(a, payload: ["aps": [String: Any](), "uuid": "not a uuid", "handle": "+15550100"])
            run.incoming(a, payload: ["uuid": a.uuidString, "handle": Date()])
            run.system.clock.advance(byMilliseconds: 60_000)
            run.system.settle()
            XCTAssertEqual(run.driver.calls, [], "\(run.system.backend)")
        }
        assertSame(sequences, [])
    }

    func testMuteAndKeypadReachMediaAndSignalingAlikeOnEveryBackend() throws {
        let sequences = try run { run in
            run.answeredCall(a)
            run.system.userPerforms(.setMuted(call: a, muted: true))
            run.system.userPerforms(.playDTMF(call: a, digits: "12#", type: .singleTone))
            run.system.userPerforms(.setMuted(call: a, muted: false))
        }
        assertSame(
            sequences,
            [
                .connectIncoming(a), .answerIncoming(a), .startMedia(a), .setMuted(a, true),
                .playDTMF(a, "12#", .singleTone), .setMuted(a, false),
            ])
    }

    func testAudioActivationThatNeverComesReachesMediaAlikeOnEveryBackend() throws {
        let sequences = try run { run in
            if run.system.backend == .inApp {
                // In-app the driver activates the session itself: it "never comes" when
                // AVAudioSession refuses (another app's non-mixable session).
                run.system.audioSession.failNextActivation(with: NSError(domain: "AVAudioSession", code: 560_557_684))
            }
            run.incoming(a)
            run.signal(.incomingCallConnected(call: a))
            run.system.userPerforms(.answerCall(call: a))
            run.system.clock.advance(byMilliseconds: 10_000)
            run.system.settle()
        }
        assertSame(sequences, [.connectIncoming(a), .answerIncoming(a), .audioActivationTimedOut(a)])
    }

    func testInterruptedAudioStopsMediaAndItsReturnRestartsItOnEveryBackend() throws {
        let sequences = try run { run in
            run.answeredCall(a)
            run.system.deactivateAudioSession()
            if run.system.backend == .inApp {
                run.system.audioSession.endInterruption()
            }
            run.system.activateAudioSession()
        }
        assertSame(sequences, [.connectIncoming(a), .answerIncoming(a), .startMedia(a), .stopMedia(a), .startMedia(a)])
    }

    // MARK: Where the backends differ

    func testDoNotDisturbFiltersTheCallOnlyWhereTheSystemHasAFilter() throws {
        let sequences = try run { run in
            run.system.doNotDisturb = true
            run.incoming(a)
        }
        // CallKit refuses the report with `filteredByDoNotDisturb`: the call is declined
        // with that reason. LiveCommunicationKit refuses it too, but documents no error
        // code, so the engine reads an unknown failure. In-app there is no system filter:
        // the call rings in the app's UI (an app honouring a Focus checks
        // `INFocusStatusCenter` before it announces a call).
        XCTAssertEqual(
            sequences[.callKit], ["connectIncoming(A)", "rejectIncoming(A, CallKitEngine.RejectReason.doNotDisturb)"])
        XCTAssertEqual(
            sequences[.liveCommunicationKit],
            ["connectIncoming(A)", "rejectIncoming(A, CallKitEngine.RejectReason.failed)"])
        XCTAssertEqual(sequences[.inApp], ["connectIncoming(A)"])
    }

    func testResetEndsEveryCallOnlyWhereASystemCanReset() throws {
        let sequences = try run { run in
            run.answeredCall(a)
            run.system.reset()
        }
        // CallKit's `providerDidReset` and LiveCommunicationKit's
        // `conversationManagerDidReset` drop every call: the engine hangs up and stops
        // media. In-app there is no system that could reset: the call goes on.
        let answered = ["connectIncoming(A)", "answerIncoming(A)", "startMedia(A)"]
        XCTAssertEqual(sequences[.callKit], answered + ["stopMedia(A)", "hangUp(A)"])
        XCTAssertEqual(sequences[.liveCommunicationKit], answered + ["stopMedia(A)", "hangUp(A)"])
        XCTAssertEqual(sequences[.inApp], answered)
    }
}
