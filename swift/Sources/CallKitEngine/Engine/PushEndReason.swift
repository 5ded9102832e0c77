import Foundation

/// Why a VoIP push's payload could not be read (the engine's `PayloadError`; raw values
/// as the C ABI's `CK_PAYLOAD_ERROR_*`).
public enum PayloadError: Int, CaseIterable, Hashable, Sendable {
    /// Longer than ``CallEngine/Limits/maximumPayloadLengthInBytes`` (APNs' 5120-byte VoIP
    /// limit).
    case tooLarge = 1
    /// Objects and arrays nest deeper than the engine reads.
    case tooDeep = 2
    /// Not one well-formed JSON object.
    case syntax = 3
    /// A key of the schema holds another JSON type than the schema expects.
    case wrongType = 4
    /// A key of the schema appears twice in one object.
    case duplicateKey = 5
    /// The call id is not a valid id for the schema (not a UUID, or an empty or
    /// over-long opaque id).
    case invalidCallID = 6
    /// The handle is longer than ``CallEngine/Limits/maximumHandleLengthInBytes``.
    case handleTooLong = 7
    /// A string the schema reads holds an invalid JSON escape.
    case invalidEscape = 8
    /// The schema's root path is not in the payload.
    case missingRoot = 9
}

/// A field of a ``PayloadSchema``: where in a payload a ``PayloadError`` was found. It
/// names the schema's field, never the payload's text (raw values as the C ABI's
/// `CK_PAYLOAD_FIELD_*`).
public enum PayloadField: Int, CaseIterable, Hashable, Sendable {
    /// A segment of the schema's root path.
    case root = 1
    /// The call id key.
    case callID = 2
    /// The handle key.
    case handle = 3
    /// The caller name key.
    case callerName = 4
    /// The video flag key.
    case video = 5
    /// The media type key.
    case mediaType = 6
    /// The ring time-out key.
    case ringTimeout = 7
    /// The message type key.
    case messageType = 8
    /// The sent-time key (``PayloadSchema/sentAtKey``).
    case sentAt = 9
}

/// Why the engine reports a VoIP push's call to CallKit and ends it as soon as CallKit
/// accepted the report, instead of ringing it. Every VoIP push must be reported (iOS
/// 13's PushKit rule), so an unusable one is reported and ended; the reason rides on
/// ``CallEngine/Effect/reportNewIncomingCall(push:call:update:endReason:)`` so that an app can log
/// it when the push arrives. Under `PKVoIPPushMetadata.mustReport == false` such a push
/// is completed without a report instead, and the reason rides on
/// ``CallEngine/Effect/completePush(push:endReason:)``. It holds no payload bytes or key text. The matching
/// ``CallEngine/Effect/reportCallEnded(call:at:reason:)`` follows with the report's completion
/// (or at the push's deadline), never before: an end sent before CallKit accepted the
/// report can be lost, and an "Unknown" call then rings.
public enum PushEndReason: Hashable, Sendable {
    /// The payload could not be read: why, and the schema field read when it was found
    /// (`nil` outside any field: the size, the text between fields, a skipped value).
    case unreadable(PayloadError, field: PayloadField?)
    /// A push without a call id where one is needed: a cancel must name the call it
    /// withdraws, and under a schema that requires the id
    /// (``PayloadSchema/requiresCallID``) every push must name its call.
    case missingCallID
    /// A cancel push for a call that is not ringing here.
    case cancelledUnknownCall
    /// A push for a call that ended moments ago (a late or repeated copy).
    case callEnded
    /// Every call slot is taken; the caller is rejected as busy.
    case callCapacity
    /// The push names the app's own outgoing call.
    case outgoingCallID
    /// The push is older than ``CallEngine/Configuration/maximumPushAge`` by the
    /// payload's sent time (``PayloadSchema/sentAtKey``): a missed call
    /// (``CallEngine/Effect/missedCall(call:update:)``), ended as unanswered.
    case stale
}
