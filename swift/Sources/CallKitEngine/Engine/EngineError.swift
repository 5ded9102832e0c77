internal import CCallKitEngine
import Foundation

/// Why the engine (or the C library around it) refused a call: one case per
/// `ck_result` code of `ffi/include/callkit_engine.h`, named after it
/// (``resultName`` gives the C name, ``code`` the number).
///
/// Codes 1-10 are about the call itself; with this package's types only ``invalidUTF8``,
/// ``invalidArgument`` (a value out of the C ABI's range, such as a key longer than
/// ``CallEngine/Limits/maximumSchemaKeyLengthInBytes``) and ``invalidSchema`` can happen, and
/// ``alreadySet`` from ``CallEngine/Log/setHandler(_:)``.
/// Codes 20 and up are the engine refusing the event: nothing changed, not even the
/// engine's clock, and there is nothing to carry out (23 is reserved: no result has it). Protocol outcomes (a CallKit
/// action that cannot be performed, a malformed push) are effects, never errors.
public enum EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `CK_RESULT_NULL_POINTER` (1).
    case nullPointer
    /// `CK_RESULT_MISALIGNED` (2).
    case misaligned
    /// `CK_RESULT_NOT_INITIALIZED` (3).
    case notInitialized
    /// `CK_RESULT_BUSY` (4): another call on the same engine was running (the engine
    /// belongs to one serial queue).
    case busy
    /// `CK_RESULT_BUFFER_TOO_SMALL` (5).
    case bufferTooSmall
    /// `CK_RESULT_INVALID_ARGUMENT` (6): a value outside the C ABI's range.
    case invalidArgument
    /// `CK_RESULT_INVALID_UTF8` (7).
    case invalidUTF8
    /// `CK_RESULT_INVALID_SCHEMA` (8): a root path with an empty segment or more than 4
    /// segments.
    case invalidSchema
    /// `CK_RESULT_PANIC` (9): the library caught a bug of its own; the engine is as
    /// it was before the call.
    case libraryPanicked
    /// `CK_RESULT_ALREADY_SET` (10): something set once per process (the engine's log
    /// handler, ``CallEngine/Log/setHandler(_:)``) is set already; nothing changed.
    case alreadySet
    /// `CK_RESULT_TIME_WENT_BACKWARDS` (20): earlier than the last accepted event.
    case timeWentBackwards
    /// `CK_RESULT_UNKNOWN_CALL` (21): no live call has this UUID.
    case unknownCall
    /// `CK_RESULT_UNKNOWN_PUSH` (22): no pending push or report has this id.
    case unknownPush
    /// `CK_RESULT_DUPLICATE_ACTION` (24): the action UUID is already deferred.
    case duplicateAction
    /// `CK_RESULT_UNKNOWN_TRANSACTION` (25): no pending request has this id.
    case unknownTransaction
    /// `CK_RESULT_UNKNOWN_TIMER` (26): the timer is not armed.
    case unknownTimer
    /// `CK_RESULT_TIMER_NOT_DUE` (27): the timer's deadline has not come.
    case timerNotDue
    /// `CK_RESULT_CALL_EXISTS` (28): a call with this UUID is live or ended moments ago.
    case callExists
    /// `CK_RESULT_CALL_CAPACITY` (29): every call slot is taken.
    case callCapacity
    /// `CK_RESULT_TRANSACTION_CAPACITY` (30): every pending-request slot is taken.
    case transactionCapacity
    /// `CK_RESULT_WRONG_PHASE` (31): the event does not fit the call's phase.
    case wrongPhase
    /// `CK_RESULT_NOT_SUPPORTED` (32): the call or the provider configuration does not
    /// support this.
    case notSupported
    /// `CK_RESULT_INVALID_HANDLE` (33): a handle is empty or longer than
    /// ``CallEngine/Limits/maximumHandleLengthInBytes``.
    case invalidHandle
    /// `CK_RESULT_INVALID_DTMF` (34): DTMF digits empty, too long or not `0-9 * # A-D ,`.
    case invalidDTMF
    /// `CK_RESULT_INVALID_PUSH_TOKEN` (35): a push token empty or longer than
    /// ``CallEngine/Limits/maximumPushTokenLengthInBytes``.
    case invalidPushToken
    /// A code this version of the package does not know (a newer library).
    case unrecognized(code: UInt32)

    private static let known: [EngineError] = [
        .nullPointer, .misaligned, .notInitialized, .busy, .bufferTooSmall, .invalidArgument,
        .invalidUTF8, .invalidSchema, .libraryPanicked, .alreadySet, .timeWentBackwards, .unknownCall,
        .unknownPush, .duplicateAction, .unknownTransaction, .unknownTimer,
        .timerNotDue, .callExists, .callCapacity, .transactionCapacity, .wrongPhase,
        .notSupported, .invalidHandle, .invalidDTMF, .invalidPushToken,
    ]

    /// The error for a `ck_result` code other than `CK_RESULT_OK` (0), `nil` for 0.
    init?(code: UInt32) {
        if code == CK_RESULT_OK.rawValue { return nil }
        self = EngineError.known.first { $0.code == code } ?? .unrecognized(code: code)
    }

    /// The `ck_result` number.
    public var code: UInt32 {
        switch self {
        case .nullPointer: CK_RESULT_NULL_POINTER.rawValue
        case .misaligned: CK_RESULT_MISALIGNED.rawValue
        case .notInitialized: CK_RESULT_NOT_INITIALIZED.rawValue
        case .busy: CK_RESULT_BUSY.rawValue
        case .bufferTooSmall: CK_RESULT_BUFFER_TOO_SMALL.rawValue
        case .invalidArgument: CK_RESULT_INVALID_ARGUMENT.rawValue
        case .invalidUTF8: CK_RESULT_INVALID_UTF8.rawValue
        case .invalidSchema: CK_RESULT_INVALID_SCHEMA.rawValue
        case .libraryPanicked: CK_RESULT_PANIC.rawValue
        case .alreadySet: CK_RESULT_ALREADY_SET.rawValue
        case .timeWentBackwards: CK_RESULT_TIME_WENT_BACKWARDS.rawValue
        case .unknownCall: CK_RESULT_UNKNOWN_CALL.rawValue
        case .unknownPush: CK_RESULT_UNKNOWN_PUSH.rawValue
        case .duplicateAction: CK_RESULT_DUPLICATE_ACTION.rawValue
        case .unknownTransaction: CK_RESULT_UNKNOWN_TRANSACTION.rawValue
        case .unknownTimer: CK_RESULT_UNKNOWN_TIMER.rawValue
        case .timerNotDue: CK_RESULT_TIMER_NOT_DUE.rawValue
        case .callExists: CK_RESULT_CALL_EXISTS.rawValue
        case .callCapacity: CK_RESULT_CALL_CAPACITY.rawValue
        case .transactionCapacity: CK_RESULT_TRANSACTION_CAPACITY.rawValue
        case .wrongPhase: CK_RESULT_WRONG_PHASE.rawValue
        case .notSupported: CK_RESULT_NOT_SUPPORTED.rawValue
        case .invalidHandle: CK_RESULT_INVALID_HANDLE.rawValue
        case .invalidDTMF: CK_RESULT_INVALID_DTMF.rawValue
        case .invalidPushToken: CK_RESULT_INVALID_PUSH_TOKEN.rawValue
        case .unrecognized(let code): code
        }
    }

    /// The C name of the code (`"CK_RESULT_UNKNOWN_CALL"`), from the library's own
    /// `ck_result_name`; `"unrecognized result N"` for a code it does not name.
    public var resultName: String {
        var name = ck_str(ptr: nil, len: 0)
        guard ck_result_name(code, &name) == CK_RESULT_OK, let base = name.ptr else {
            return "unrecognized result \(code)"
        }
        return String(decoding: UnsafeBufferPointer(start: base, count: name.len), as: UTF8.self)
    }

    /// `CK_RESULT_NAME (N)`.
    public var description: String { "\(resultName) (\(code))" }
}

/// Turns a `ck_result` into a thrown ``EngineError``.
@inline(__always)
func check(_ result: ck_result) throws(EngineError) {
    if let error = EngineError(code: result.rawValue) { throw error }
}
