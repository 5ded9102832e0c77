internal import CCallKitEngine
import Foundation

/// Why the engine refused an event, a configuration or a log handler, with what the Rust
/// engine's `Error` carries: the call, action, push, transaction or timer the refused
/// event named, the engine's last time for ``timeWentBackwards(last:now:)``.
///
/// A refused event changed nothing, not even the engine's clock, and there is nothing to
/// carry out. Protocol outcomes (a CallKit action that cannot be performed, a malformed
/// push) are effects, never errors. Each case is one `ck_result` code of
/// `ffi/include/callkit_engine.h` (``resultName`` gives the C name, ``code`` the number).
/// The codes only C misuse can cause (a null or misaligned pointer, an engine not
/// initialized, a buffer too small, text that is not UTF-8, a library that caught a panic
/// of its own, a code a newer library added) have no case: this package never passes such
/// arguments, so one of them is a bug of the package, and stops the process with a
/// precondition failure that names it.
public enum EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `CK_RESULT_BUSY` (4): the engine was called from inside its own log handler
    /// (``CallEngine/Log/setHandler(_:)``), while another call on it was running.
    case busy
    /// `CK_RESULT_INVALID_ARGUMENT` (6): a value outside the C ABI's range, such as a
    /// configuration limit above 255, a negative time-out, a key longer than
    /// ``CallEngine/Limits/maximumSchemaKeyLengthInBytes``, or a language tag longer than
    /// ``CallEngine/Limits/maximumLanguageTagLengthInBytes``.
    case invalidArgument
    /// `CK_RESULT_INVALID_SCHEMA` (8): a root path with an empty segment or more than 4
    /// segments.
    case invalidSchema
    /// `CK_RESULT_ALREADY_SET` (10): the engine's log handler (or another Rust library's
    /// global logger) is set already; nothing changed.
    case alreadySet
    /// `CK_RESULT_TIME_WENT_BACKWARDS` (20): `now` is earlier than `last`, the time of the
    /// last accepted event.
    case timeWentBackwards(last: CallEngine.Instant, now: CallEngine.Instant)
    /// `CK_RESULT_UNKNOWN_CALL` (21): no live call has this UUID, and none ended lately.
    case unknownCall(call: UUID)
    /// `CK_RESULT_UNKNOWN_PUSH` (22): no pending push or report has this id.
    case unknownPush(push: PushID)
    /// `CK_RESULT_DUPLICATE_ACTION` (24): the action UUID is already deferred for another
    /// action.
    case duplicateAction(action: UUID)
    /// `CK_RESULT_UNKNOWN_TRANSACTION` (25): no pending `CXCallController` request has
    /// this id.
    case unknownTransaction(transaction: TransactionID)
    /// `CK_RESULT_UNKNOWN_TIMER` (26): the timer names a call or push the engine does not
    /// know.
    case unknownTimer(timer: CallEngine.Timer)
    /// `CK_RESULT_TIMER_NOT_DUE` (27): the timer is armed, but its deadline has not come.
    case timerNotDue(timer: CallEngine.Timer, deadline: CallEngine.Instant)
    /// `CK_RESULT_CALL_EXISTS` (28): a call with this UUID is live, ended moments ago, or
    /// is reported to be ended once CallKit accepts its report.
    case callExists(call: UUID)
    /// `CK_RESULT_CALL_CAPACITY` (29): every call slot
    /// (``CallEngine/Limits/maximumCalls``) is taken.
    case callCapacity
    /// `CK_RESULT_TRANSACTION_CAPACITY` (30): every pending-request slot is taken.
    case transactionCapacity
    /// `CK_RESULT_WRONG_PHASE` (31): the event does not fit the call's phase.
    case wrongPhase(call: UUID)
    /// `CK_RESULT_NOT_SUPPORTED` (32): the call or the provider configuration does not
    /// support this.
    case notSupported(call: UUID)
    /// `CK_RESULT_INVALID_HANDLE` (33): a handle is empty or longer than
    /// ``CallEngine/Limits/maximumHandleLengthInBytes``.
    case invalidHandle
    /// `CK_RESULT_INVALID_DTMF` (34): DTMF digits empty, too long or not `0-9 * # A-D ,`.
    case invalidDTMF
    /// `CK_RESULT_INVALID_PUSH_TOKEN` (35): a push token empty or longer than
    /// ``CallEngine/Limits/maximumPushTokenLengthInBytes``.
    case invalidPushToken

    /// The `ck_result` number.
    public var code: UInt32 {
        let result: ck_result =
            switch self {
            case .busy: CK_RESULT_BUSY
            case .invalidArgument: CK_RESULT_INVALID_ARGUMENT
            case .invalidSchema: CK_RESULT_INVALID_SCHEMA
            case .alreadySet: CK_RESULT_ALREADY_SET
            case .timeWentBackwards: CK_RESULT_TIME_WENT_BACKWARDS
            case .unknownCall: CK_RESULT_UNKNOWN_CALL
            case .unknownPush: CK_RESULT_UNKNOWN_PUSH
            case .duplicateAction: CK_RESULT_DUPLICATE_ACTION
            case .unknownTransaction: CK_RESULT_UNKNOWN_TRANSACTION
            case .unknownTimer: CK_RESULT_UNKNOWN_TIMER
            case .timerNotDue: CK_RESULT_TIMER_NOT_DUE
            case .callExists: CK_RESULT_CALL_EXISTS
            case .callCapacity: CK_RESULT_CALL_CAPACITY
            case .transactionCapacity: CK_RESULT_TRANSACTION_CAPACITY
            case .wrongPhase: CK_RESULT_WRONG_PHASE
            case .notSupported: CK_RESULT_NOT_SUPPORTED
            case .invalidHandle: CK_RESULT_INVALID_HANDLE
            case .invalidDTMF: CK_RESULT_INVALID_DTMF
            case .invalidPushToken: CK_RESULT_INVALID_PUSH_TOKEN
            }
        return result.rawValue
    }

    /// The C name of ``code`` (`ck_result_name`), such as `"CK_RESULT_UNKNOWN_CALL"`.
    public var resultName: String { cResultName(code) }

    /// The C name and what the error carries, such as
    /// `"CK_RESULT_UNKNOWN_CALL (21): call E621E1F8-..."`.
    public var description: String {
        let detail: String? =
            switch self {
            case .timeWentBackwards(let last, let now): "\(now) after \(last)"
            case .unknownCall(let call), .callExists(let call), .wrongPhase(let call), .notSupported(let call):
                "call \(call)"
            case .unknownPush(let push): "\(push)"
            case .duplicateAction(let action): "action \(action)"
            case .unknownTransaction(let transaction): "\(transaction)"
            case .unknownTimer(let timer): "timer \(timer)"
            case .timerNotDue(let timer, let deadline): "timer \(timer) due at \(deadline)"
            default: nil
            }
        return "\(resultName) (\(code))" + (detail.map { ": \($0)" } ?? "")
    }
}

/// `ck_result_name` of `code`; `"unrecognized result N"` for a code it does not name.
func cResultName(_ code: UInt32) -> String {
    var name = ck_str(ptr: nil, len: 0)
    guard ck_result_name(code, &name) == CK_RESULT_OK, let base = name.ptr else {
        return "unrecognized result \(code)"
    }
    return String(decoding: UnsafeBufferPointer(start: base, count: name.len), as: UTF8.self)
}

/// Stops the process for a result this package's own calls cannot get from a library of
/// its own version (C misuse, or a library newer than these sources): a bug of the
/// package, not of the app.
func unexpectedResult(_ code: UInt32, _ function: StaticString = #function) -> Never {
    preconditionFailure("callkit-engine: \(function) got \(cResultName(code)) (\(code)) from the C library")
}

/// Stops the process for a value the C library wrote that these sources do not know
/// (a library of another version than the Swift sources).
func unexpectedValue(_ value: some BinaryInteger, _ what: StaticString) -> Never {
    preconditionFailure("callkit-engine: the C library wrote \(what) \(value), which this package does not know")
}

extension EngineError {
    /// The error of a result that carries no id (`nil` for `CK_RESULT_OK`); any other code
    /// stops the process (``unexpectedResult(_:_:)``).
    init?(plain result: ck_result, _ function: StaticString = #function) {
        switch result {
        case CK_RESULT_OK: return nil
        case CK_RESULT_BUSY: self = .busy
        case CK_RESULT_INVALID_ARGUMENT: self = .invalidArgument
        case CK_RESULT_INVALID_SCHEMA: self = .invalidSchema
        case CK_RESULT_ALREADY_SET: self = .alreadySet
        case CK_RESULT_CALL_CAPACITY: self = .callCapacity
        case CK_RESULT_TRANSACTION_CAPACITY: self = .transactionCapacity
        case CK_RESULT_INVALID_HANDLE: self = .invalidHandle
        case CK_RESULT_INVALID_DTMF: self = .invalidDTMF
        case CK_RESULT_INVALID_PUSH_TOKEN: self = .invalidPushToken
        default: unexpectedResult(result.rawValue, function)
        }
    }
}

/// Turns a `ck_result` that carries no id into a thrown ``EngineError``.
@inline(__always)
func check(_ result: ck_result, _ function: StaticString = #function) throws(EngineError) {
    if let error = EngineError(plain: result, function) { throw error }
}

/// Stops the process unless `result` is `CK_RESULT_OK`: for the engine's read-only
/// queries, which fail only on C misuse (or when called from inside the engine's own log
/// handler, which ``CallEngine/Log/setHandler(_:)`` forbids).
@inline(__always)
func expectOK(_ result: ck_result, _ function: StaticString = #function) {
    if result != CK_RESULT_OK { unexpectedResult(result.rawValue, function) }
}
