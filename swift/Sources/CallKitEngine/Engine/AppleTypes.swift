import Foundation

// Apple's raw-valued enumerations, with Apple's raw values, so that a value crosses
// between CallKit and the engine with `init(rawValue:)` / `rawValue` and nothing else.
// Raw values are those of CallKit's headers (CXHandle.h, CXCallAction.h, CXProvider.h,
// CXError.h), as docs/callkit-facts.md lists them.

/// The kind of value a call handle holds: `CXHandle.HandleType`
/// (https://developer.apple.com/documentation/callkit/cxhandle/handletype), with its
/// raw values.
public enum HandleType: Int, CaseIterable, Hashable, Sendable {
    /// `CXHandle.HandleType.generic`: an unspecified identifier (a SIP URI, a user name).
    case generic = 1
    /// `CXHandle.HandleType.phoneNumber`.
    case phoneNumber = 2
    /// `CXHandle.HandleType.emailAddress`.
    case emailAddress = 3
}

/// How a call is reached: `CXHandle(type:value:)`
/// (https://developer.apple.com/documentation/callkit/cxhandle). The value is at most
/// ``CallEngine/Limits/maximumHandleLengthInBytes`` bytes of UTF-8.
public struct CallHandle: Hashable, Sendable {
    /// `CXHandle.type`.
    public var type: HandleType
    /// `CXHandle.value`.
    public var value: String

    /// A handle of `type` with `value` (`CXHandle(type:value:)`).
    public init(type: HandleType, value: String) {
        self.type = type
        self.value = value
    }
}

/// Why a call ended: `CXCallEndedReason`
/// (https://developer.apple.com/documentation/callkit/cxcallendedreason), with its raw
/// values; passed to `CXProvider.reportCall(with:endedAt:reason:)`.
public enum CallEndedReason: Int, CaseIterable, Hashable, Sendable {
    /// `.failed`: an error occurred while trying to service the call.
    case failed = 1
    /// `.remoteEnded`: the remote party explicitly ended the call.
    case remoteEnded = 2
    /// `.unanswered`: the call never started connecting and was never explicitly ended.
    case unanswered = 3
    /// `.answeredElsewhere`: the call was answered on another device.
    case answeredElsewhere = 4
    /// `.declinedElsewhere`: the call was declined on another device.
    case declinedElsewhere = 5
}

/// The error of a failed `CXProvider.reportNewIncomingCall(with:update:completion:)`:
/// `CXErrorCodeIncomingCallError.Code`
/// (https://developer.apple.com/documentation/callkit/cxerrorcodeincomingcallerror/code),
/// with its raw values (the `NSError.code` in `CXErrorDomainIncomingCall`).
///
/// A struct with one static member per code Apple names, not an enum: a code Apple adds
/// later keeps its number (`IncomingCallError(rawValue: 8)`, ``isNamed`` false), and the
/// engine treats it as ``unknown``. Match it with `case .filteredByDoNotDisturb:` as
/// with an enum, plus a `default:`.
public struct IncomingCallError: RawRepresentable, Hashable, Sendable, Error, CustomStringConvertible {
    /// The `NSError.code`.
    public let rawValue: Int

    /// The error with code `rawValue`, named or not.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `.unknown` (0).
    public static let unknown = IncomingCallError(rawValue: 0)
    /// `.unentitled` (1): the app lacks the entitlement (or CallKit is unavailable).
    public static let unentitled = IncomingCallError(rawValue: 1)
    /// `.callUUIDAlreadyExists` (2): the UUID is already reported (a duplicate push; the
    /// engine counts it as success).
    public static let callUUIDAlreadyExists = IncomingCallError(rawValue: 2)
    /// `.filteredByDoNotDisturb` (3).
    public static let filteredByDoNotDisturb = IncomingCallError(rawValue: 3)
    /// `.filteredByBlockList` (4).
    public static let filteredByBlockList = IncomingCallError(rawValue: 4)
    /// `.filteredDuringRestrictedSharingMode` (5, iOS 17.4).
    public static let filteredDuringRestrictedSharingMode = IncomingCallError(rawValue: 5)
    /// `.callIsProtected` (6, iOS 18).
    public static let callIsProtected = IncomingCallError(rawValue: 6)
    /// `.filteredBySensitiveParticipants` (7, iOS 18).
    public static let filteredBySensitiveParticipants = IncomingCallError(rawValue: 7)

    /// Apple's names of the codes 0-7, by raw value.
    private static let names = [
        "unknown", "unentitled", "callUUIDAlreadyExists", "filteredByDoNotDisturb", "filteredByBlockList",
        "filteredDuringRestrictedSharingMode", "callIsProtected", "filteredBySensitiveParticipants",
    ]

    /// Every code Apple names, in raw-value order.
    public static let named: [IncomingCallError] = names.indices.map { IncomingCallError(rawValue: $0) }

    /// Whether Apple names this code (0-7).
    public var isNamed: Bool { IncomingCallError.names.indices.contains(rawValue) }

    /// Apple's name and the number (`filteredByBlockList (4)`), or
    /// `unrecognized (<number>)`.
    public var description: String { appleErrorDescription(rawValue, IncomingCallError.names) }
}

/// The error of a failed `CXCallController.request(_:completion:)`:
/// `CXErrorCodeRequestTransactionError.Code`
/// (https://developer.apple.com/documentation/callkit/cxerrorcoderequesttransactionerror/code),
/// with its raw values (the `NSError.code` in `CXErrorDomainRequestTransaction`).
///
/// A struct with static members, as ``IncomingCallError``: a code Apple adds later
/// keeps its number and is treated as ``unknown``.
public struct RequestTransactionError: RawRepresentable, Hashable, Sendable, Error, CustomStringConvertible {
    /// The `NSError.code`.
    public let rawValue: Int

    /// The error with code `rawValue`, named or not.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `.unknown` (0).
    public static let unknown = RequestTransactionError(rawValue: 0)
    /// `.unentitled` (1).
    public static let unentitled = RequestTransactionError(rawValue: 1)
    /// `.unknownCallProvider` (2).
    public static let unknownCallProvider = RequestTransactionError(rawValue: 2)
    /// `.emptyTransaction` (3).
    public static let emptyTransaction = RequestTransactionError(rawValue: 3)
    /// `.unknownCallUUID` (4).
    public static let unknownCallUUID = RequestTransactionError(rawValue: 4)
    /// `.callUUIDAlreadyExists` (5).
    public static let callUUIDAlreadyExists = RequestTransactionError(rawValue: 5)
    /// `.invalidAction` (6).
    public static let invalidAction = RequestTransactionError(rawValue: 6)
    /// `.maximumCallGroupsReached` (7).
    public static let maximumCallGroupsReached = RequestTransactionError(rawValue: 7)
    /// `.callIsProtected` (8, iOS 18).
    public static let callIsProtected = RequestTransactionError(rawValue: 8)

    /// Apple's names of the codes 0-8, by raw value.
    private static let names = [
        "unknown", "unentitled", "unknownCallProvider", "emptyTransaction", "unknownCallUUID",
        "callUUIDAlreadyExists", "invalidAction", "maximumCallGroupsReached", "callIsProtected",
    ]

    /// Every code Apple names, in raw-value order.
    public static let named: [RequestTransactionError] = names.indices.map { RequestTransactionError(rawValue: $0) }

    /// Whether Apple names this code (0-8).
    public var isNamed: Bool { RequestTransactionError.names.indices.contains(rawValue) }

    /// Apple's name and the number (`unknownCallUUID (4)`), or `unrecognized (<number>)`.
    public var description: String { appleErrorDescription(rawValue, RequestTransactionError.names) }
}

/// `name (code)` from `names` (indexed by code), or `unrecognized (code)`: the trace
/// format's spelling.
private func appleErrorDescription(_ code: Int, _ names: [String]) -> String {
    let name = names.indices.contains(code) ? names[code] : "unrecognized"
    return "\(name) (\(code))"
}

/// How DTMF digits are played: `CXPlayDTMFCallAction.ActionType`
/// (https://developer.apple.com/documentation/callkit/cxplaydtmfcallaction/actiontype),
/// with its raw values.
public enum DTMFType: Int, CaseIterable, Hashable, Sendable {
    /// `.singleTone`: play the digits as tones.
    case singleTone = 1
    /// `.softPause`: a soft pause (`,` in a dial string).
    case softPause = 2
    /// `.hardPause`: a hard pause, waiting for the user (`;` in a dial string).
    case hardPause = 3
}

/// Why the far end refused an outgoing call before answering, as the app's signaling
/// stack reports it (``CallEngine/Event/outgoingCallRefused(call:reason:)``), with the SIP final
/// response each stands for. The engine's own enumeration (raw values 1-3, as the C
/// ABI's `CK_REFUSAL_REASON_*`).
public enum RefusalReason: Int, CaseIterable, Hashable, Sendable {
    /// SIP `486 Busy Here`: the call ends ``CallEndedReason/remoteEnded``.
    case busy = 1
    /// SIP `603 Decline`: the call ends ``CallEndedReason/remoteEnded``.
    case declined = 2
    /// SIP `480 Temporarily Unavailable` (no answer from user): the call ends
    /// ``CallEndedReason/unanswered``.
    case unavailable = 3
}

/// Why the engine asks the signaling stack to reject an incoming call: what to tell
/// the server (SIP 603 / 486 / 480 or the equivalent). The engine's own enumeration
/// (raw values 1-6, as the C ABI's `CK_REJECT_REASON_*`), derived from CallKit's
/// outcomes: a `CXEndCallAction` on a ringing call, a full call table, and the
/// `CXErrorCodeIncomingCallError` codes of a failed report.
public enum RejectReason: Int, CaseIterable, Hashable, Sendable {
    /// The user declined (a `CXEndCallAction` on a ringing call).
    case declined = 1
    /// Every call slot is taken.
    case busy = 2
    /// CallKit filtered the call: `filteredByDoNotDisturb`.
    case doNotDisturb = 3
    /// CallKit filtered the call: `filteredByBlockList`.
    case blocked = 4
    /// Nobody answered before the ring time-out.
    case unanswered = 5
    /// The call could not be served (the report failed for another reason, or the
    /// answer timed out).
    case failed = 6
}

/// What CallKit shows for a call: the fields of a `CXCallUpdate`
/// (https://developer.apple.com/documentation/callkit/cxcallupdate) that the engine
/// sets, attached to ``CallEngine/Effect/reportNewIncomingCall(push:call:update:endReason:)`` and
/// ``CallEngine/Effect/reportCallUpdated(call:update:)``.
public struct CallUpdate: Hashable, Sendable {
    /// `remoteHandle` (`nil` when the payload carried none: CallKit shows "Unknown").
    public var remoteHandle: CallHandle?
    /// `localizedCallerName`: at most ``CallEngine/Limits/maximumCallerNameLengthInBytes``
    /// bytes of UTF-8, cut at a character boundary.
    public var localizedCallerName: String?
    /// `hasVideo`.
    public var hasVideo: Bool
    /// `supportsHolding`.
    public var supportsHolding: Bool
    /// `supportsGrouping`.
    public var supportsGrouping: Bool
    /// `supportsUngrouping`.
    public var supportsUngrouping: Bool
    /// `supportsDTMF`.
    public var supportsDTMF: Bool

    /// An update with every field given (`CXCallUpdate()` and its properties).
    public init(
        remoteHandle: CallHandle?,
        localizedCallerName: String?,
        hasVideo: Bool,
        supportsHolding: Bool,
        supportsGrouping: Bool,
        supportsUngrouping: Bool,
        supportsDTMF: Bool
    ) {
        self.remoteHandle = remoteHandle
        self.localizedCallerName = localizedCallerName
        self.hasVideo = hasVideo
        self.supportsHolding = supportsHolding
        self.supportsGrouping = supportsGrouping
        self.supportsUngrouping = supportsUngrouping
        self.supportsDTMF = supportsDTMF
    }
}
