import Foundation

/// `PKPushPayload.dictionaryPayload` written back as the JSON bytes the engine reads,
/// without `JSONSerialization`.
///
/// PushKit hands the app the payload already parsed (`[AnyHashable: Any]`, built from
/// APNs' JSON: `NSString`, `NSNumber`, `NSArray`, `NSDictionary`, `NSNull`); the engine
/// reads bytes. This writer walks the dictionary once and writes the compact JSON that
/// `JSONSerialization.data(withJSONObject:options: [.withoutEscapingSlashes])` writes
/// on Linux Foundation, token for token, so the engine's size limit (5120 bytes) and
/// depth limit (16) decide on the same text. Only the order of an object's members may
/// differ: both follow a dictionary's own order, which is its hash order (the server's
/// order is gone once PushKit parsed the payload), and Linux Foundation's
/// `JSONSerialization` iterates a copy of each dictionary. The engine reads members in
/// the order written; that order decides only which field an unusable payload with
/// several unreadable fields names (the first written), as it did with
/// `JSONSerialization`.
///
/// What is written:
/// - `String` (and `NSString`): a JSON string; `"`, `\` and U+0000...U+001F escaped
///   (`\b`, `\f`, `\n`, `\r`, `\t`, else `\u00xx`), `/` and every other scalar as UTF-8;
/// - `Bool`: `true` / `false`. An `NSNumber` is a boolean when its `objCType` is `"c"`:
///   that is Darwin's `__NSCFBoolean` (`kCFBooleanTrue` / `kCFBooleanFalse`, what
///   `NSJSONSerialization` and APNs' payload parsing yield for `true` / `false`) and
///   Linux Foundation's `NSNumber(value: Bool)` (what its `jsonObject` yields). A Swift
///   `Int8`, which Darwin bridges to a `"c"` number too, is told apart by its Swift type
///   and written as an integer; an `NSNumber(value: Int8)` object is written as a
///   boolean (neither parser yields one);
/// - other `NSNumber`s and Swift's integer and floating-point types: integers in
///   decimal; `float`/`double` numbers as Swift's shortest round-trip `description`
///   without a trailing `.0` (`1.5`, `30`, `1e+20`; a Swift `Float` as a `Float`, other
///   numbers as a `Double`); `NSDecimalNumber` as its `description`;
/// - `NSNull`: `null`; arrays (`[Any]`, `NSArray`) and dictionaries with `String` keys
///   (`[AnyHashable: Any]`, `NSDictionary`), nested up to 512 levels as
///   `JSONSerialization.isValidJSONObject` accepts them.
///
/// Anything else (a `Date`, `Data`, a non-finite number, a non-`String` key, deeper
/// nesting) is not a JSON value: the whole payload is refused (`nil`), as
/// `JSONSerialization` refuses it.
package enum PushPayloadWriter {
    /// The deepest value accepted, counting the payload's own dictionary as level 1
    /// (`JSONSerialization.isValidJSONObject`'s limit).
    static let maximumLevel = 512

    /// The payload as compact JSON bytes, or `nil` when it holds a value that is not JSON.
    ///
    /// Each object's members are written in the dictionary's own order (the driver's
    /// case), or sorted by `areInIncreasingOrder`: given the comparator
    /// `JSONSerialization`'s `.sortedKeys` uses, the bytes are that option's, byte for
    /// byte, which is how the tests compare the two writers.
    package static func data(
        _ payload: [AnyHashable: Any], membersOrderedBy areInIncreasingOrder: ((String, String) -> Bool)? = nil
    ) -> Data? {
        var writer = JSONBytes(order: areInIncreasingOrder)
        guard writer.writeObject(payload, level: 1, name: { $0.base as? String }) else { return nil }
        return Data(writer.bytes)
    }
}

/// The bytes written so far; each `write` returns `false` for a value that is not JSON.
private struct JSONBytes {
    var bytes: [UInt8] = []
    /// The order of each object's members; `nil`: the dictionary's own.
    let order: ((String, String) -> Bool)?

    init(order: ((String, String) -> Bool)?) {
        self.order = order
        bytes.reserveCapacity(256)
    }

    /// The casts run cheapest and likeliest first: a value of another type fails a cast
    /// to a Swift type without conversion, while casting a Swift collection to a class
    /// (`NSNumber`) would bridge it to an Objective-C collection first.
    mutating func writeValue(_ value: Any, level: Int) -> Bool {
        guard level <= PushPayloadWriter.maximumLevel else { return false }
        if let string = value as? String {
            writeString(string)
            return true
        }
        if let object = value as? [String: Any] {
            return writeObject(object, level: level) { $0 }
        }
        if let array = value as? [Any] {
            return writeArray(array, level: level)
        }
        if let number = value as? NSNumber {
            return writeNumber(number, swiftType: type(of: value))
        }
        if value is NSNull {
            bytes.append(contentsOf: "null".utf8)
            return true
        }
        if let object = value as? [AnyHashable: Any] {
            return writeObject(object, level: level) { $0.base as? String }
        }
        return writeSwiftNumber(value)
    }

    /// An object's members; `name` gives a key's `String`, `nil` for a key that is not one.
    mutating func writeObject<Key: Hashable>(_ object: [Key: Any], level: Int, name: (Key) -> String?) -> Bool {
        guard level <= PushPayloadWriter.maximumLevel else { return false }
        bytes.append(UInt8(ascii: "{"))
        var first = true
        if let order {
            var members: [(key: String, value: Any)] = []
            members.reserveCapacity(object.count)
            for (key, value) in object {
                guard let key = name(key) else { return false }
                members.append((key, value))
            }
            members.sort { order($0.key, $1.key) }
            for (key, value) in members {
                guard writeMember(key, value, level: level, first: &first) else { return false }
            }
        } else {
            for (key, value) in object {
                guard let key = name(key), writeMember(key, value, level: level, first: &first) else { return false }
            }
        }
        bytes.append(UInt8(ascii: "}"))
        return true
    }

    mutating func writeMember(_ key: String, _ value: Any, level: Int, first: inout Bool) -> Bool {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        return writeValue(value, level: level + 1)
    }

    mutating func writeArray(_ array: [Any], level: Int) -> Bool {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in array {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            guard writeValue(element, level: level + 1) else { return false }
        }
        bytes.append(UInt8(ascii: "]"))
        return true
    }

    mutating func writeString(_ string: String) {
        var string = string
        bytes.append(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            var run = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                writeEscape(byte)
                run = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"` and `\` after a backslash; a control character as its short escape or
    /// `\u00xx` (lower-case hex, as Foundation writes it).
    mutating func writeEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        }
    }

    mutating func writeNumber(_ number: NSNumber, swiftType: Any.Type) -> Bool {
        if let decimal = number as? NSDecimalNumber {
            guard !decimal.decimalValue.isNaN else { return false }
            bytes.append(contentsOf: decimal.description.utf8)
            return true
        }
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "c") where swiftType != Int8.self:
            bytes.append(contentsOf: (number.boolValue ? "true" : "false").utf8)
            return true
        case UInt8(ascii: "f") where swiftType == Float.self:
            return writeFloatingPoint(number.floatValue)
        case UInt8(ascii: "f"), UInt8(ascii: "d"):
            return writeFloatingPoint(number.doubleValue)
        case UInt8(ascii: "C"), UInt8(ascii: "S"), UInt8(ascii: "I"), UInt8(ascii: "L"), UInt8(ascii: "Q"):
            writeInteger(magnitude: number.uint64Value, negative: false)
            return true
        default:
            let value = number.int64Value
            writeInteger(magnitude: value.magnitude, negative: value < 0)
            return true
        }
    }

    /// Swift's own scalars, where the platform does not bridge them to `NSNumber`.
    mutating func writeSwiftNumber(_ value: Any) -> Bool {
        switch value {
        case let value as Bool: bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case let value as Int: writeInteger(magnitude: UInt64(value.magnitude), negative: value < 0)
        case let value as Int8: writeInteger(magnitude: UInt64(value.magnitude), negative: value < 0)
        case let value as Int16: writeInteger(magnitude: UInt64(value.magnitude), negative: value < 0)
        case let value as Int32: writeInteger(magnitude: UInt64(value.magnitude), negative: value < 0)
        case let value as Int64: writeInteger(magnitude: value.magnitude, negative: value < 0)
        case let value as UInt: writeInteger(magnitude: UInt64(value), negative: false)
        case let value as UInt8: writeInteger(magnitude: UInt64(value), negative: false)
        case let value as UInt16: writeInteger(magnitude: UInt64(value), negative: false)
        case let value as UInt32: writeInteger(magnitude: UInt64(value), negative: false)
        case let value as UInt64: writeInteger(magnitude: value, negative: false)
        case let value as Double: return writeFloatingPoint(value)
        case let value as Float: return writeFloatingPoint(value)
        default: return false
        }
        return true
    }

    mutating func writeInteger(magnitude: UInt64, negative: Bool) {
        if negative { bytes.append(UInt8(ascii: "-")) }
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }

    /// A finite number as Swift's shortest round-trip text, without a trailing `.0`.
    mutating func writeFloatingPoint<Number: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Number) -> Bool {
        guard value.isFinite else { return false }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
        return true
    }
}
