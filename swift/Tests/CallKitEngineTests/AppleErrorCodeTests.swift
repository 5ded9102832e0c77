import CallKitEngine
import Foundation
import XCTest

/// Apple's error codes keep their raw values both ways, and a code Apple has no name
/// for (yet) keeps its number through the C ABI and is treated as `unknown`.
final class AppleErrorCodeTests: XCTestCase {
    func testNamedCodesKeepApplesRawValuesBothWays() {
        let incoming: [(IncomingCallError, Int)] = [
            (.unknown, 0), (.unentitled, 1), (.callUUIDAlreadyExists, 2), (.filteredByDoNotDisturb, 3),
            (.filteredByBlockList, 4), (.filteredDuringRestrictedSharingMode, 5), (.callIsProtected, 6),
            (.filteredBySensitiveParticipants, 7),
        ]
        for (error, raw) in incoming {
            XCTAssertEqual(error.rawValue, raw)
            XCTAssertEqual(IncomingCallError(rawValue: raw), error)
            XCTAssertTrue(error.isNamed)
        }
        XCTAssertEqual(IncomingCallError.named, incoming.map(\.0))
        XCTAssertEqual(IncomingCallError.filteredByBlockList.description, "filteredByBlockList (4)")
        let request: [(RequestTransactionError, Int)] = [
            (.unknown, 0), (.unentitled, 1), (.unknownCallProvider, 2), (.emptyTransaction, 3), (.unknownCallUUID, 4),
            (.callUUIDAlreadyExists, 5), (.invalidAction, 6), (.maximumCallGroupsReached, 7), (.callIsProtected, 8),
        ]
        for (error, raw) in request {
            XCTAssertEqual(error.rawValue, raw)
            XCTAssertEqual(RequestTransactionError(rawValue: raw), error)
            XCTAssertTrue(error.isNamed)
        }
        XCTAssertEqual(RequestTransactionError.named, request.map(\.0))
    }

    func testACodeAppleHasNoNameForKeepsItsNumber() {
        for raw in [8, 9, 42, -1, Int(UInt32.max), Int.min, Int.max] {
            let error = IncomingCallError(rawValue: raw)
            XCTAssertEqual(error.rawValue, raw)
            XCTAssertFalse(error.isNamed)
            XCTAssertEqual(error.description, "unrecognized (\(raw))")
            XCTAssertNotEqual(error, .unknown)
        }
        XCTAssertFalse(RequestTransactionError(rawValue: 9).isNamed)
        XCTAssertEqual(RequestTransactionError(rawValue: 1000).description, "unrecognized (1000)")
    }

    func testAnUnnamedReportErrorIsTreatedAsUnknownByTheEngine() throws {
        let payload = Data(#"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234"}"#.utf8)
        let call = try XCTUnwrap(UUID(uuidString: "6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11"))
        var outcomes: [[CallEngine.Effect]] = []
        for error in [IncomingCallError.unknown, IncomingCallError(rawValue: 42)] {
            let engine = try CallEngine(
                configuration: CallEngine.Configuration(payloadSchema: PayloadSchema(preset: .appleDocs)))
            let push = PushID(rawValue: 1)
            _ = try engine.handle(
                .voipPushReceived(push: push, payload: payload, fallbackCall: UUID()),
                at: CallEngine.Instant(milliseconds: 0))
            outcomes.append(
                try engine.handle(
                    .incomingCallReported(report: .push(push), error: error), at: CallEngine.Instant(milliseconds: 90)))
        }
        XCTAssertEqual(outcomes[0], outcomes[1])
        XCTAssertTrue(outcomes[1].contains(.rejectIncoming(call: call, reason: .failed)))
    }
}
