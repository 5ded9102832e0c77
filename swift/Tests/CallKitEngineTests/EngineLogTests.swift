import CallKitEngine
import Foundation
import XCTest

/// The engine's log through Swift (`CallEngine.Log`, over `ck_log_set_callback`): every
/// corpus payload (tests/payloads/), read through every schema preset, drives an
/// incoming call (push, report, answer, DTMF, end, a refused end) and an outgoing call
/// to the handle the engine read. Records arrive in the handler during the engine call,
/// at debug level under the target `callkit_engine`, and none holds a caller name, a
/// handle or DTMF digits the engine handled.
final class EngineLogTests: XCTestCase {
    /// The records, from the one handler of this process.
    private final class Recorder: @unchecked Sendable {
        // Why @unchecked Sendable: `records` is only touched under `lock`.
        private let lock = NSLock()
        private var records: [CallEngine.Log.Record] = []

        func add(_ record: CallEngine.Log.Record) {
            lock.lock()
            defer { lock.unlock() }
            records.append(record)
        }

        func take() -> [CallEngine.Log.Record] {
            lock.lock()
            defer { lock.unlock() }
            defer { records = [] }
            return records
        }
    }

    /// Set once for the process (the C ABI allows one handler); the first test to run
    /// sets it.
    private static let recorder: Recorder = {
        let recorder = Recorder()
        do {
            try CallEngine.Log.setHandler { recorder.add($0) }
        } catch {
            XCTFail("the first handler is accepted: \(error)")
        }
        return recorder
    }()

    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private static let digits = "8675309#"

    func testASecondHandlerIsRefusedAndTheFirstStays() throws {
        let recorder = Self.recorder
        _ = recorder.take()
        XCTAssertThrowsError(try CallEngine.Log.setHandler { _ in }) {
            XCTAssertEqual($0 as? EngineError, .alreadySet)
        }
        let engine = try CallEngine()
        _ = try engine.handle(.providerDidReset, at: CallEngine.Instant(milliseconds: 1))
        XCTAssertFalse(recorder.take().isEmpty, "the first handler still receives the records")
    }

    func testRecordsArriveDuringTheEngineCallAndHoldNoCallerNameHandleOrDigits() throws {
        let recorder = Self.recorder
        _ = recorder.take()
        let directory = Self.root.appendingPathComponent("tests/payloads")
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertGreaterThanOrEqual(files.count, 20)
        var secrets: Set<String> = [Self.digits]
        var records: [CallEngine.Log.Record] = []
        for file in files {
            let payload = try Data(contentsOf: file)
            for preset in PayloadSchema.Preset.allCases {
                let seen = try drive(payload, preset: preset, recorder: recorder, into: &records)
                secrets.formUnion(seen)
            }
        }
        for name in ["Alice Kim", "+14085551234", "sip:carol@sip.example.org", "client:alice"] {
            XCTAssertTrue(secrets.contains(name), "\(name) was never handled")
        }
        XCTAssertGreaterThan(records.count, 1000)
        XCTAssertTrue(records.contains { $0.message.contains("ringing") })
        for record in records {
            XCTAssertEqual(record.target, "callkit_engine")
            XCTAssertEqual(record.level, .debug)
        }
        for secret in secrets where secret.utf8.count >= 3 {
            for record in records where record.message.contains(secret) {
                XCTFail("\(secret) reached a log record: \(record.message)")
            }
        }
    }

    /// One engine, one payload: the incoming call's life, then an outgoing call to the
    /// handle the payload named. Returns the names and handles the engine read.
    private func drive(
        _ payload: Data, preset: PayloadSchema.Preset, recorder: Recorder, into records: inout [CallEngine.Log.Record]
    ) throws -> Set<String> {
        let engine = try CallEngine(
            configuration: CallEngine.Configuration(payloadSchema: PayloadSchema(preset: preset)))
        var ms: UInt64 = 1_000
        var seen: Set<String> = []
        /// Handles `event`; the records it logged must already be there when it returns.
        func step(_ event: CallEngine.Event, mustLog: Bool = false) -> [CallEngine.Effect] {
            ms += 10
            let effects = (try? engine.handle(event, at: CallEngine.Instant(milliseconds: ms))) ?? []
            let logged = recorder.take()
            if mustLog { XCTAssertFalse(logged.isEmpty, "\(event) logged nothing before returning") }
            records += logged
            return effects
        }
        let effects = step(
            .voipPushReceived(push: PushID(rawValue: 1), payload: payload, fallbackCall: UUID()), mustLog: true)
        guard case .reportNewIncomingCall(_, let call, let update, _)? = effects.first else {
            XCTFail("a push is reported first")
            return seen
        }
        if let handle = update.remoteHandle { seen.insert(handle.value) }
        if let name = update.localizedCallerName { seen.insert(name) }
        let action = { (n: UInt8) in UUID(uuid: (n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n)) }
        _ = step(.incomingCallReported(report: .push(PushID(rawValue: 1)), error: nil))
        _ = step(.performAnswerCall(action: action(1), call: call))
        _ = step(.didActivateAudioSession)
        _ = step(.incomingCallConnected(call: call))
        _ = step(.performPlayDTMF(action: action(2), call: call, digits: Self.digits, type: .singleTone))
        _ = step(.performEndCall(action: action(3), call: call))
        _ = step(.performEndCall(action: action(4), call: call))  // refused: the call is gone
        _ = step(.didDeactivateAudioSession)

        let outgoing = UUID()
        let handle = update.remoteHandle ?? CallHandle(type: .phoneNumber, value: "+15550100123")
        seen.insert(handle.value)
        let requested = step(.requestStartCall(call: outgoing, handle: handle, isVideo: false))
        for case .requestTransaction(let transaction, _) in requested {
            _ = step(.transactionCompleted(transaction: transaction, error: nil))
        }
        _ = step(.performStartCall(action: action(5), call: outgoing, handle: handle, isVideo: false))
        _ = step(.outgoingCallConnected(call: outgoing))
        _ = step(.requestPlayDTMF(call: outgoing, digits: Self.digits, type: .singleTone))
        _ = step(.remoteEnded(call: outgoing))
        return seen
    }
}
