import Foundation
import XCTest

@testable import CallKitEngine

/// The Swift API over the C library: what crosses the boundary arrives intact.
final class CallEngineTests: XCTestCase {
    private let appleDocsPayload = Data(
        #"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234"}"#.utf8)
    private let reportedCall = UUID(uuidString: "6F1C3E1A-7B2D-4C4E-9A51-0D3F6C2B9E11")!
    private let fallback = UUID(uuidString: "FB000000-0000-4000-8000-000000000001")!

    private func appleDocsEngine() throws -> CallEngine {
        try CallEngine(configuration: CallEngine.Configuration(payloadSchema: PayloadSchema(preset: .appleDocs)))
    }

    func testPushIsReportedFirstWithTheCallUpdateAttached() throws {
        let engine = try appleDocsEngine()
        let effects = try engine.handle(
            .voipPushReceived(push: 1, payload: appleDocsPayload, fallbackCall: fallback),
            at: CallEngine.Instant(milliseconds: 1_000))
        let expectedUpdate = CallUpdate(
            remoteHandle: CallHandle(type: .phoneNumber, value: "+14085551234"),
            localizedCallerName: nil, hasVideo: false, supportsHolding: true,
            supportsGrouping: false, supportsUngrouping: false, supportsDTMF: true)
        XCTAssertEqual(
            effects.first,
            .reportNewIncomingCall(push: 1, call: reportedCall, update: expectedUpdate, endReason: nil))
        XCTAssertTrue(
            effects.contains(
                .startTimer(timer: .pushCompletion(push: 1), deadline: CallEngine.Instant(milliseconds: 6_000))))
        XCTAssertTrue(
            effects.contains(
                .startTimer(timer: .ring(call: reportedCall), deadline: CallEngine.Instant(milliseconds: 31_000)))
        )
        let calls = engine.calls()
        XCTAssertEqual(calls.map(\.call), [reportedCall])
        XCTAssertEqual(calls.first?.phase, .ringing)
        XCTAssertEqual(calls.first?.direction, .incoming)
        XCTAssertEqual(calls.first?.isReportPending, true)
    }

    func testReportCompletionCompletesThePush() throws {
        let engine = try appleDocsEngine()
        _ = try engine.handle(
            .voipPushReceived(push: 7, payload: appleDocsPayload, fallbackCall: fallback),
            at: CallEngine.Instant(milliseconds: 0))
        let effects = try engine.handle(
            .incomingCallReported(report: .push(7), error: nil), at: CallEngine.Instant(milliseconds: 40))
        XCTAssertTrue(effects.contains(.completePush(push: 7)))
        XCTAssertTrue(effects.contains(.cancelTimer(timer: .pushCompletion(push: 7))))
        XCTAssertEqual(engine.status().pendingPushCount, 0)
    }

    func testRefusalNamesTheCResultAndChangesNothing() throws {
        let engine = try appleDocsEngine()
        _ = try engine.handle(.providerDidBegin, at: CallEngine.Instant(milliseconds: 500))
        let stranger = UUID()
        XCTAssertThrowsError(
            try engine.handle(.connectionFailed(call: stranger), at: CallEngine.Instant(milliseconds: 600))
        ) {
            let error = $0 as? EngineError
            XCTAssertEqual(error, .unknownCall(call: stranger))
            XCTAssertEqual(error?.resultName, "CK_RESULT_UNKNOWN_CALL")
            XCTAssertEqual(error?.code, 21)
            XCTAssertEqual(error?.description, "CK_RESULT_UNKNOWN_CALL (21): call \(stranger)")
        }
        XCTAssertEqual(engine.status().now, CallEngine.Instant(milliseconds: 500), "a refusal leaves the clock")
        XCTAssertThrowsError(try engine.handle(.providerDidBegin, at: CallEngine.Instant(milliseconds: 499))) {
            XCTAssertEqual(
                $0 as? EngineError,
                .timeWentBackwards(
                    last: CallEngine.Instant(milliseconds: 500), now: CallEngine.Instant(milliseconds: 499)))
        }
    }

    func testRefusalsCarryTheActionTransactionAndTimerTheEventNamed() throws {
        let engine = try appleDocsEngine()
        let nobody = UUID()
        _ = try engine.handle(
            .voipPushReceived(push: 1, payload: appleDocsPayload, fallbackCall: fallback),
            at: CallEngine.Instant(milliseconds: 0))
        XCTAssertThrowsError(
            try engine.handle(
                .transactionCompleted(transaction: 9, error: nil), at: CallEngine.Instant(milliseconds: 1))
        ) { XCTAssertEqual($0 as? EngineError, .unknownTransaction(transaction: 9)) }
        XCTAssertThrowsError(
            try engine.handle(.timerFired(timer: .pushCompletion(push: 1)), at: CallEngine.Instant(milliseconds: 2))
        ) {
            XCTAssertEqual(
                $0 as? EngineError,
                .timerNotDue(timer: .pushCompletion(push: 1), deadline: CallEngine.Instant(milliseconds: 5_000)))
        }
        XCTAssertThrowsError(
            try engine.handle(.timerFired(timer: .ring(call: nobody)), at: CallEngine.Instant(milliseconds: 3))
        ) { XCTAssertEqual($0 as? EngineError, .unknownTimer(timer: .ring(call: nobody))) }
        XCTAssertThrowsError(
            try engine.handle(
                .incomingCallReported(report: .push(4), error: nil), at: CallEngine.Instant(milliseconds: 4))
        ) { XCTAssertEqual($0 as? EngineError, .unknownPush(push: 4)) }
    }

    func testEveryErrorCaseHasTheLibrarysName() {
        let call = UUID()
        let cases: [(EngineError, String)] = [
            (.busy, "CK_RESULT_BUSY"), (.invalidArgument, "CK_RESULT_INVALID_ARGUMENT"),
            (.invalidSchema, "CK_RESULT_INVALID_SCHEMA"), (.alreadySet, "CK_RESULT_ALREADY_SET"),
            (
                .timeWentBackwards(last: .init(milliseconds: 2), now: .init(milliseconds: 1)),
                "CK_RESULT_TIME_WENT_BACKWARDS"
            ),
            (.unknownCall(call: call), "CK_RESULT_UNKNOWN_CALL"), (.unknownPush(push: 1), "CK_RESULT_UNKNOWN_PUSH"),
            (.duplicateAction(action: call), "CK_RESULT_DUPLICATE_ACTION"),
            (.unknownTransaction(transaction: 1), "CK_RESULT_UNKNOWN_TRANSACTION"),
            (.unknownTimer(timer: .ring(call: call)), "CK_RESULT_UNKNOWN_TIMER"),
            (.timerNotDue(timer: .ring(call: call), deadline: .init(milliseconds: 1)), "CK_RESULT_TIMER_NOT_DUE"),
            (.callExists(call: call), "CK_RESULT_CALL_EXISTS"), (.callCapacity, "CK_RESULT_CALL_CAPACITY"),
            (.transactionCapacity, "CK_RESULT_TRANSACTION_CAPACITY"),
            (.wrongPhase(call: call), "CK_RESULT_WRONG_PHASE"),
            (.notSupported(call: call), "CK_RESULT_NOT_SUPPORTED"), (.invalidHandle, "CK_RESULT_INVALID_HANDLE"),
            (.invalidDTMF, "CK_RESULT_INVALID_DTMF"), (.invalidPushToken, "CK_RESULT_INVALID_PUSH_TOKEN"),
        ]
        for (error, name) in cases {
            XCTAssertEqual(error.resultName, name)
            XCTAssertTrue(error.description.hasPrefix("\(name) (\(error.code))"), error.description)
        }
    }

    func testConfigurationRoundTripsThroughTheLibrary() throws {
        var configuration = CallEngine.Configuration(payloadSchema: PayloadSchema(preset: .twilio))
        configuration.maximumCallGroups = 3
        configuration.supportsVideo = true
        configuration.supportedHandleTypes = [.generic, .emailAddress]
        configuration.ringTimeout = .seconds(45)
        configuration.supportsDTMF = false
        configuration.payloadSchema.callerNameKey = "caller"
        configuration.maximumPushAge = .seconds(12)
        configuration.payloadSchema.requiresCallID = false
        configuration.payloadSchema.sentAtKey = "ts"
        configuration.payloadSchema.sentAtUnit = .milliseconds
        let engine = try CallEngine(configuration: configuration)
        XCTAssertEqual(engine.configuration, configuration)
    }

    func testTimeOutsAreWholeMillisecondsRoundedDown() throws {
        XCTAssertEqual(try Duration.microseconds(45_000_900).engineMilliseconds(), 45_000)
        XCTAssertEqual(try Duration.seconds(30).engineMilliseconds(), 30_000)
        XCTAssertEqual(try Duration.zero.engineMilliseconds(), 0)
        XCTAssertEqual(try Duration.engineMilliseconds(UInt64.max).engineMilliseconds(), UInt64.max)
    }

    func testNegativeOrOversizedTimeOutIsRefusedAsAnInvalidArgument() {
        for timeout in [Duration.milliseconds(-1), .nanoseconds(-1), .seconds(Int64.max)] {
            var configuration = CallEngine.Configuration()
            configuration.noAnswerTimeout = timeout
            XCTAssertThrowsError(try configuration.validate()) { error in
                XCTAssertEqual(error as? EngineError, .invalidArgument, "\(timeout)")
            }
            XCTAssertThrowsError(try CallEngine(configuration: configuration))
        }
    }

    func testDefaultConfigurationIsTheLibrarysDefault() {
        let configuration = CallEngine.Configuration()
        XCTAssertEqual(configuration.maximumCallGroups, 2)
        XCTAssertEqual(configuration.maximumCallsPerCallGroup, 5)
        XCTAssertEqual(configuration.supportedHandleTypes, Set(HandleType.allCases))
        XCTAssertEqual(configuration.ringTimeout, .seconds(30))
        XCTAssertEqual(configuration.answerConnectTimeout, .seconds(10))
        XCTAssertEqual(configuration.pushCompletionTimeout, .seconds(5))
        XCTAssertEqual(configuration.maximumPushAge, .seconds(30))
        XCTAssertEqual(configuration.payloadSchema, PayloadSchema(preset: .reactNativeVoIPPush))
    }

    func testPresetsCarryTheirKeys() {
        let twilio = PayloadSchema(preset: .twilio)
        XCTAssertEqual(twilio.idKey, "twi_call_sid")
        XCTAssertEqual(twilio.idKind, .opaque)
        XCTAssertEqual(twilio.cancelMessageType, "twilio.voice.cancel")
        XCTAssertEqual(PayloadSchema(preset: .nestedData).rootPath, "data")
        XCTAssertEqual(PayloadSchema(preset: .speakerbox).idKey, "UUID")
        XCTAssertEqual(Set(PayloadSchema.Preset.allCases.map { PayloadSchema(preset: $0) }).count, 8)
        // The presets whose servers always send the call id require it; none reads a
        // sent time.
        let requiring = Set(PayloadSchema.Preset.allCases.filter { PayloadSchema(preset: $0).requiresCallID })
        XCTAssertEqual(requiring, [.flutterCallKitIncoming, .twilio, .telegram, .linphoneFlexisip])
        XCTAssertTrue(PayloadSchema.Preset.allCases.allSatisfy { PayloadSchema(preset: $0).sentAtKey == nil })
    }

    func testAnnouncedCallIsReportedWithoutAPushAndItsCompletionNamesTheCall() throws {
        let engine = try appleDocsEngine()
        let call = UUID()
        let caller = CallHandle(type: .phoneNumber, value: "+15550123")
        let effects = try engine.handle(
            .incomingCallAnnounced(call: call, handle: caller, callerName: "Carol", isVideo: false),
            at: CallEngine.Instant(milliseconds: 1_000))
        let update = CallUpdate(
            remoteHandle: caller, localizedCallerName: "Carol", hasVideo: false, supportsHolding: true,
            supportsGrouping: false, supportsUngrouping: false, supportsDTMF: true)
        XCTAssertEqual(effects.first, .reportNewIncomingCall(push: nil, call: call, update: update, endReason: nil))
        XCTAssertFalse(effects.contains { if case .completePush = $0 { return true } else { return false } })
        XCTAssertEqual(IncomingReport(call: call, push: nil), .call(call))
        XCTAssertEqual(IncomingReport(call: call, push: 4), .push(4))
        XCTAssertNoThrow(
            try engine.handle(
                .incomingCallReported(report: .call(call), error: nil), at: CallEngine.Instant(milliseconds: 1_050)))
        let stranger = UUID()
        XCTAssertThrowsError(
            try engine.handle(
                .incomingCallReported(report: .call(stranger), error: nil), at: CallEngine.Instant(milliseconds: 1_060))
        ) {
            XCTAssertEqual($0 as? EngineError, .unknownCall(call: stranger))
        }
    }

    /// The Apple-docs payload with a sent time of `sentMs` milliseconds since the epoch.
    private func stalePush(sentMs: UInt64) -> Data {
        Data(#"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234","sent":\#(sentMs)}"#.utf8)
    }

    private func sentTimeEngine() throws -> CallEngine {
        var configuration = CallEngine.Configuration(payloadSchema: PayloadSchema(preset: .appleDocs))
        configuration.payloadSchema.sentAtKey = "sent"
        configuration.payloadSchema.sentAtUnit = .milliseconds
        return try CallEngine(configuration: configuration)
    }

    func testStalePushIsAMissedCallReportedAndEndedAsStale() throws {
        let engine = try sentTimeEngine()
        let arrival: UInt64 = 1_800_000_000_000
        let effects = try engine.handle(
            .voipPushReceived(
                push: 1, payload: stalePush(sentMs: arrival - 60_000), fallbackCall: fallback,
                receivedAt: Date(timeIntervalSince1970: Double(arrival) / 1000)),
            at: CallEngine.Instant(milliseconds: 1_000))
        guard case let .reportNewIncomingCall(push, call, update, endReason)? = effects.first else {
            return XCTFail("no report: \(effects)")
        }
        XCTAssertEqual(push, 1)
        XCTAssertEqual(call, reportedCall)
        XCTAssertEqual(endReason, .stale)
        XCTAssertTrue(effects.contains(.missedCall(call: reportedCall, update: update)))
    }

    func testStalePushUnderMustReportFalseIsAMissedCallCompletedWithoutAReport() throws {
        let engine = try sentTimeEngine()
        let arrival: UInt64 = 1_800_000_000_000
        let effects = try engine.handle(
            .voipPushReceived(
                push: 2, payload: stalePush(sentMs: arrival - 60_000), fallbackCall: fallback, mustReport: false,
                receivedAt: Date(timeIntervalSince1970: Double(arrival) / 1000)),
            at: CallEngine.Instant(milliseconds: 1_000))
        XCTAssertFalse(effects.contains { if case .reportNewIncomingCall = $0 { return true } else { return false } })
        XCTAssertTrue(effects.contains(.completePush(push: 2, endReason: .stale)))
        let missed = effects.compactMap {
            if case let .missedCall(call, update) = $0 { return (call, update) } else { return nil }
        }
        XCTAssertEqual(missed.map(\.0), [reportedCall])
        XCTAssertEqual(missed.first?.1.remoteHandle, CallHandle(type: .phoneNumber, value: "+14085551234"))
    }

    func testFreshPushWithASentTimeRings() throws {
        let engine = try sentTimeEngine()
        let arrival: UInt64 = 1_800_000_000_000
        let effects = try engine.handle(
            .voipPushReceived(
                push: 3, payload: stalePush(sentMs: arrival - 1_000), fallbackCall: fallback, mustReport: true,
                receivedAt: Date(timeIntervalSince1970: Double(arrival) / 1000)),
            at: CallEngine.Instant(milliseconds: 1_000))
        guard case let .reportNewIncomingCall(_, _, _, endReason)? = effects.first else {
            return XCTFail("no report: \(effects)")
        }
        XCTAssertNil(endReason)
        XCTAssertFalse(effects.contains { if case .missedCall = $0 { return true } else { return false } })
    }

    func testArrivalTimeIsSentInWholeMillisecondsRoundedToTheNearest() {
        XCTAssertEqual(unixMilliseconds(Date(timeIntervalSince1970: 1.0006)), 1_001)
        XCTAssertEqual(unixMilliseconds(Date(timeIntervalSince1970: 1.0004)), 1_000)
        XCTAssertEqual(unixMilliseconds(Date(timeIntervalSince1970: 1_800_000_000.123)), 1_800_000_000_123)
        XCTAssertEqual(unixMilliseconds(Date(timeIntervalSince1970: -5)), 0)
    }

    func testOverlongSchemaKeyIsRefusedBeforeAnythingIsAllocated() {
        var configuration = CallEngine.Configuration()
        configuration.payloadSchema.handleKey = String(
            repeating: "k", count: CallEngine.Limits.maximumSchemaKeyLengthInBytes + 1)
        XCTAssertThrowsError(try CallEngine(configuration: configuration)) {
            XCTAssertEqual($0 as? EngineError, .invalidArgument)
        }
        configuration.payloadSchema.handleKey = "handle"
        configuration.payloadSchema.rootPath = "a..b"
        XCTAssertThrowsError(try configuration.validate()) {
            XCTAssertEqual($0 as? EngineError, .invalidSchema)
        }
    }

    func testOutgoingCallCarriesItsHandleInTheStartAction() throws {
        let engine = try CallEngine()
        let call = UUID()
        let handle = CallHandle(type: .emailAddress, value: "bob@example.org")
        let effects = try engine.handle(
            .requestStartCall(call: call, handle: handle, isVideo: false), at: CallEngine.Instant(milliseconds: 10))
        guard case .requestTransaction(let transaction, let action)? = effects.first else {
            return XCTFail("expected a transaction first, got \(effects)")
        }
        XCTAssertEqual(action, .startCall(call: call, handle: handle, isVideo: false))
        let action2 = UUID()
        let started = try engine.handle(
            .performStartCall(action: action2, call: call, handle: handle, isVideo: false),
            at: CallEngine.Instant(milliseconds: 20))
        XCTAssertTrue(started.contains(.startOutgoing(call: call, handle: handle, isVideo: false)), "\(started)")
        _ = try engine.handle(
            .transactionCompleted(transaction: transaction, error: nil), at: CallEngine.Instant(milliseconds: 30))
    }

    func testPushTokenIsRegisteredAsLowerCaseHex() throws {
        let engine = try CallEngine()
        let effects = try engine.handle(
            .pushCredentialsUpdated(token: Data([0x00, 0xAB, 0xFF])), at: CallEngine.Instant(milliseconds: 1))
        XCTAssertEqual(effects, [.registerPushToken(hex: "00abff")])
        XCTAssertThrowsError(
            try engine.handle(.pushCredentialsUpdated(token: Data()), at: CallEngine.Instant(milliseconds: 2))
        ) {
            XCTAssertEqual($0 as? EngineError, .invalidPushToken)
        }
    }

    func testTimersComeOutInTheEnginesDueOrder() throws {
        let engine = try appleDocsEngine()
        _ = try engine.handle(
            .voipPushReceived(push: 2, payload: appleDocsPayload, fallbackCall: fallback),
            at: CallEngine.Instant(milliseconds: 0))
        let armed = engine.timers()
        XCTAssertEqual(Set(armed.map(\.timer)), [.pushCompletion(push: 2), .ring(call: reportedCall)])
        XCTAssertEqual(engine.nextDeadline(), CallEngine.Instant(milliseconds: 5_000))
        XCTAssertNil(engine.nextDueTimer(at: CallEngine.Instant(milliseconds: 4_999)))
        XCTAssertEqual(
            engine.nextDueTimer(at: CallEngine.Instant(milliseconds: 60_000)),
            CallEngine.ArmedTimer(timer: .pushCompletion(push: 2), deadline: CallEngine.Instant(milliseconds: 5_000)))
        // CallEngine.Timer's order is the library's: with several due, both pick the same one.
        _ = try engine.handle(
            .voipPushReceived(push: 1, payload: appleDocsPayload, fallbackCall: fallback),
            at: CallEngine.Instant(milliseconds: 0))
        let late = CallEngine.Instant(milliseconds: 60_000)
        let swiftOrder = engine.timers().filter { $0.deadline <= late }.min {
            ($0.deadline, $0.timer) < ($1.deadline, $1.timer)
        }
        XCTAssertEqual(engine.nextDueTimer(at: late), swiftOrder)
        XCTAssertEqual(swiftOrder?.timer, .pushCompletion(push: 1))
        XCTAssertLessThan(
            CallEngine.Timer.pushCompletion(push: PushID(rawValue: .max)), CallEngine.Timer.ring(call: UUID()))
    }

    func testInstantNowNeverGoesBack() {
        let first = CallEngine.Instant.now()
        let second = CallEngine.Instant.now()
        XCTAssertLessThanOrEqual(first, second)
        XCTAssertGreaterThan(first.milliseconds, 0)
        XCTAssertEqual(
            CallEngine.Instant(milliseconds: .max).adding(milliseconds: 1), CallEngine.Instant(milliseconds: .max))
    }

    func testUnusablePushSaysWhyOnItsReportAndEndsOnceCallKitAccepts() throws {
        let engine = try appleDocsEngine()
        let effects = try engine.handle(
            .voipPushReceived(push: 3, payload: Data(#"{"callUUID":5}"#.utf8), fallbackCall: fallback),
            at: CallEngine.Instant(milliseconds: 0))
        guard case .reportNewIncomingCall(3, fallback, _, let endReason)? = effects.first else {
            return XCTFail("not reported first: \(effects)")
        }
        XCTAssertEqual(endReason, .unreadable(.wrongType, field: .callID))
        XCTAssertFalse(effects.contains { if case .reportCallEnded = $0 { true } else { false } })
        let done = try engine.handle(
            .incomingCallReported(report: .push(3), error: nil), at: CallEngine.Instant(milliseconds: 50))
        XCTAssertEqual(
            done.last, .reportCallEnded(call: fallback, at: CallEngine.Instant(milliseconds: 50), reason: .failed))
    }

    func testCallDetailsFromTheAppBecomeACallUpdateOnceCallKitKnowsTheCall() throws {
        let engine = try appleDocsEngine()
        _ = try engine.handle(
            .voipPushReceived(push: 1, payload: appleDocsPayload, fallbackCall: fallback),
            at: CallEngine.Instant(milliseconds: 0))
        let early = try engine.handle(
            .callDetailsChanged(call: reportedCall, callerName: "Ann Lee", hasVideo: nil),
            at: CallEngine.Instant(milliseconds: 10))
        XCTAssertEqual(early, [], "held while the report is pending")
        let done = try engine.handle(
            .incomingCallReported(report: .push(1), error: nil), at: CallEngine.Instant(milliseconds: 40))
        guard case .reportCallUpdated(reportedCall, let update)? = done.last else {
            return XCTFail("no call update: \(done)")
        }
        XCTAssertEqual(update.localizedCallerName, "Ann Lee")
        XCTAssertThrowsError(
            try engine.handle(
                .callDetailsChanged(call: reportedCall, callerName: nil, hasVideo: true),
                at: CallEngine.Instant(milliseconds: 50))
        ) { XCTAssertEqual($0 as? EngineError, .notSupported(call: reportedCall)) }
        // A ring timer fired after its call ended is a race: no error, nothing to do.
        _ = try engine.handle(.remoteEnded(call: reportedCall), at: CallEngine.Instant(milliseconds: 60))
        XCTAssertEqual(
            try engine.handle(.timerFired(timer: .ring(call: reportedCall)), at: CallEngine.Instant(milliseconds: 70)),
            [])
    }
}
