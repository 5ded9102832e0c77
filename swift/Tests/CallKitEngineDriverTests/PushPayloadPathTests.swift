import CallKitEngine
import CallKitEngineDriver
import Foundation
import XCTest

/// The bytes the driver hands the engine for PushKit's `dictionaryPayload`
/// (`PushPayloadWriter`) against what `JSONSerialization` writes for the same dictionary:
/// the engine must read every payload the same way from both, so Swift and Rust never
/// read a push differently.
///
/// A dictionary's member order is its hash order, and the engine names the first
/// unreadable field it reads, so both writers are compared with their members in one
/// order: `JSONSerialization`'s `.sortedKeys` and its comparator.
final class PushPayloadPathTests: XCTestCase {
    /// The comparator of Foundation's `.sortedKeys`.
    private static func sortedKeysOrder(_ a: String, _ b: String) -> Bool {
        a.compare(
            b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: a.startIndex..<a.endIndex,
            locale: NSLocale.system) == .orderedAscending
    }

    /// The repository root, from this file's path (swift/Tests/CallKitEngineDriverTests/).
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// What the driver sent before it wrote the bytes itself, members sorted.
    private func serialized(_ payload: [AnyHashable: Any]) -> Data? {
        guard JSONSerialization.isValidJSONObject(payload) else { return nil }
        return try? JSONSerialization.data(withJSONObject: payload, options: [.withoutEscapingSlashes, .sortedKeys])
    }

    /// What the driver sends now, members sorted as `serialized` sorts them.
    private func written(_ payload: [AnyHashable: Any]) -> Data? {
        PushPayloadWriter.data(payload, membersOrderedBy: Self.sortedKeysOrder)
    }

    /// `bytes` as PushKit would hand them over, when `JSONSerialization` reads them as a
    /// top-level dictionary.
    private func dictionaryPayload(_ bytes: Data) -> [AnyHashable: Any]? {
        guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else { return nil }
        return Dictionary(uniqueKeysWithValues: object.map { (AnyHashable($0.key), $0.value) })
    }

    /// Every payload file (tests/payloads/*.json, *.bin) by name.
    private func corpusPayloads() throws -> [(String, Data)] {
        let directory = Self.root.appendingPathComponent("tests/payloads")
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" || $0.pathExtension == "bin" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { ($0.lastPathComponent, try Data(contentsOf: $0)) }
    }

    /// The `payload_hex` of every `voip_push_received` event in tests/golden/**.
    private func goldenPushPayloads() throws -> [(String, Data)] {
        let directory = Self.root.appendingPathComponent("tests/golden")
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw XCTSkip("tests/golden is missing")
        }
        var payloads: [(String, Data)] = []
        for case let url as URL in files where url.pathExtension == "json" {
            let vector = try XCTUnwrap(
                try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], "\(url.path)")
            let steps = try XCTUnwrap(vector["steps"] as? [[String: Any]], "\(url.path)")
            for (index, step) in steps.enumerated() {
                guard let event = step["event"] as? [String: Any], event["kind"] as? String == "voip_push_received"
                else { continue }
                let hex = try XCTUnwrap(event["payload_hex"] as? String, "\(url.path) step \(index)")
                let name = "\(url.deletingPathExtension().lastPathComponent) step \(index)"
                payloads.append((name, try XCTUnwrap(bytes(hex: hex), name)))
            }
        }
        return payloads.sorted { $0.0 < $1.0 }
    }

    private func bytes(hex: String) -> Data? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var data = Data(capacity: digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            data.append(byte)
        }
        return data
    }

    /// The engine's whole answer to one push, under `preset`, on a fresh engine.
    private func decision(_ payload: Data?, _ preset: PayloadSchema.Preset) throws -> Result<
        [CallEngine.Effect], EngineError
    > {
        let engine = try CallEngine(
            configuration: CallEngine.Configuration(payloadSchema: PayloadSchema(preset: preset)))
        let fallback = UUID(uuid: (0xfb, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1))
        let event = CallEngine.Event.voipPushReceived(
            push: 1, payload: payload ?? Data(), fallbackCall: fallback,
            receivedAt: Date(timeIntervalSince1970: 1_700_000_000))
        return Result { () throws(EngineError) in try engine.handle(event, at: CallEngine.Instant(milliseconds: 1)) }
    }

    /// Checks one payload under every preset schema; returns whether it was a dictionary.
    private func checkSameDecisions(_ name: String, _ bytes: Data) throws -> Bool {
        guard let payload = dictionaryPayload(bytes) else { return false }
        let old = serialized(payload)
        let new = written(payload)
        XCTAssertEqual(new == nil, old == nil, "\(name): refused by one writer only")
        XCTAssertEqual(new, old, "\(name): the bytes differ")
        // Unsorted, the same tokens: the engine's size limit sees the same length.
        XCTAssertEqual(PushPayloadWriter.data(payload)?.count, old?.count, "\(name): byte counts differ")
        for preset in PayloadSchema.Preset.allCases {
            XCTAssertEqual(
                try decision(new, preset), try decision(old, preset),
                "\(name) under \(preset): the engine decided differently on the driver's bytes")
        }
        return true
    }

    func testTheEngineDecidesEveryCorpusPayloadAlikeFromTheDriversBytesAndFromJSONSerializations() throws {
        var dictionaries = 0
        for (name, bytes) in try corpusPayloads() {
            if try checkSameDecisions(name, bytes) { dictionaries += 1 }
        }
        // 22 files, of which not-json.bin, truncated.json and empty.json have no
        // dictionary form.
        XCTAssertGreaterThanOrEqual(dictionaries, 19)
    }

    func testTheEngineDecidesEveryGoldenPushAlikeFromTheDriversBytesAndFromJSONSerializations() throws {
        let pushes = try goldenPushPayloads()
        XCTAssertGreaterThanOrEqual(pushes.count, 84)
        var dictionaries = 0
        for (name, bytes) in pushes {
            if try checkSameDecisions(name, bytes) { dictionaries += 1 }
        }
        XCTAssertGreaterThanOrEqual(dictionaries, 78)
    }

    /// Single-member dictionaries, so that the member order cannot differ: the driver's
    /// bytes are `JSONSerialization`'s, byte for byte.
    func testTheDriversBytesAreJSONSerializationsForEachKindOfJSONValue() throws {
        let values: [(String, Any)] = [
            ("plain string", "Alice"),
            ("escapes", "a\"b\\c/d\u{8}\u{c}\n\r\t\u{0}\u{1}\u{1f}\u{7f}"),
            ("non-ASCII", "Zoë 李 😀 \u{2028}"),
            ("empty string", ""),
            ("true", true),
            ("false", false),
            ("NSNumber true", NSNumber(value: true)),
            ("NSNumber false", NSNumber(value: false)),
            ("zero", 0),
            ("one", 1),
            ("negative", -42),
            ("Int.min", Int.min),
            ("UInt64.max", UInt64.max),
            ("Int8", Int8(-5)),
            ("Int8 one", Int8(1)),
            ("UInt8", UInt8(200)),
            ("Int16", Int16(-300)),
            ("UInt32", UInt32(70_000)),
            ("Float", Float(0.1)),
            ("NSNumber int", NSNumber(value: 30)),
            ("NSNumber UInt64", NSNumber(value: UInt64.max)),
            ("NSNumber Int64.min", NSNumber(value: Int64.min)),
            ("double", 1.5),
            ("integral double", 30.0),
            ("large double", 1e20),
            ("small double", 0.1),
            ("negative double", -2.25e-7),
            ("NSNumber double", NSNumber(value: 1.5)),
            ("NSNumber integral double", NSNumber(value: 2.0)),
            ("NSDecimalNumber", NSDecimalNumber(string: "12345678901234567890.5")),
            ("null", NSNull()),
            ("empty array", [Any]()),
            ("array", [1, "two", true, NSNull(), 2.5] as [Any]),
            ("empty object", [String: Any]()),
            ("nested object", ["data": ["uuid": "x", "hasVideo": true, "list": [["a": 1]]]] as [String: Any]),
        ]
        for (name, value) in values {
            let payload: [AnyHashable: Any] = ["k": value]
            let expected = try XCTUnwrap(serialized(payload), name)
            let bytes = try XCTUnwrap(written(payload), name)
            XCTAssertEqual(
                String(decoding: bytes, as: UTF8.self), String(decoding: expected, as: UTF8.self), name)
        }
    }

    /// What `JSONSerialization.jsonObject` yields for JSON's values, the types PushKit's
    /// own parsing yields, read back the same.
    func testTheDriversBytesAreJSONSerializationsForWhatJSONSerializationReads() throws {
        let text =
            #"{"k":[true,false,0,-7,18446744073709551615,1.5,1e3,123456789012345678901.25,-0.5e-3,"#
            + #""s\/\u00e9\n",null,{"n":[]}]}"#
        let payload = try XCTUnwrap(dictionaryPayload(Data(text.utf8)))
        XCTAssertEqual(
            written(payload).map { String(decoding: $0, as: UTF8.self) },
            serialized(payload).map { String(decoding: $0, as: UTF8.self) })
    }

    func testValuesThatAreNotJSONRefuseThePayloadAsJSONSerializationDoes() {
        let values: [(String, Any)] = [
            ("date", Date()),
            ("data", Data([1, 2])),
            ("NaN", Double.nan),
            ("infinity", Double.infinity),
            ("NSNumber NaN", NSNumber(value: Double.nan)),
            ("URL", URL(fileURLWithPath: "/")),
            ("non-string key", [1: "one"] as [AnyHashable: Any]),
            ("date in an array", [Date()] as [Any]),
        ]
        for (name, value) in values {
            let payload: [AnyHashable: Any] = ["k": value]
            XCTAssertNil(PushPayloadWriter.data(payload), name)
            XCTAssertFalse(JSONSerialization.isValidJSONObject(payload), name)
        }
        XCTAssertNil(PushPayloadWriter.data([7: "seven"]))
    }

    func testNestingIsAcceptedExactlyAsDeepAsJSONSerializationAcceptsIt() {
        for levels in 509...514 {
            var payload: [AnyHashable: Any] = ["leaf": 1]
            for _ in 1..<levels { payload = ["k": payload] }
            XCTAssertEqual(
                PushPayloadWriter.data(payload) != nil, JSONSerialization.isValidJSONObject(payload),
                "\(levels) nested objects")
        }
        XCTAssertNotNil(PushPayloadWriter.data(["k": 1]))
    }
}
