internal import CCallKitEngine
import Foundation

// Conversions between the Swift API and the C ABI's structs. Internal: no `ck_` type
// leaves this module.

extension ck_uuid {
    init(_ uuid: UUID) {
        self.init(bytes: uuid.uuid)
    }
}

extension UUID {
    init(_ uuid: ck_uuid) {
        self.init(uuid: uuid.bytes)
    }
}

/// The first `count` bytes of a fixed C array (imported as a tuple), as UTF-8 text.
/// The library writes only UTF-8 there; anything else would decode with U+FFFD.
func text<Bytes>(_ bytes: Bytes, count: Int) -> String {
    withUnsafeBytes(of: bytes) { raw in
        String(decoding: raw.prefix(max(0, count)), as: UTF8.self)
    }
}

/// Runs `body` with `string`'s UTF-8 bytes as a borrowed `ck_str`.
func withCString<R>(_ string: String, _ body: (ck_str) -> R) -> R {
    var string = string
    return string.withUTF8 { utf8 in body(ck_str(ptr: utf8.baseAddress, len: utf8.count)) }
}

/// Runs `body` with `data`'s bytes as borrowed `ck_bytes`.
func withCBytes<R>(_ data: Data, _ body: (ck_bytes) -> R) -> R {
    data.withUnsafeBytes { raw in
        body(ck_bytes(ptr: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), len: raw.count))
    }
}

extension ck_key {
    var string: String { text(bytes, count: Int(len)) }

    /// A key set through `ck_key_set`, which checks its length and UTF-8.
    static func make(_ string: String) throws(EngineError) -> ck_key {
        var key = ck_key()
        let result = withCString(string) { text in ck_key_set(&key, text.ptr, text.len) }
        try check(result)
        return key
    }

    static func make(optional string: String?) throws(EngineError) -> ck_key {
        try make(string ?? "")
    }

    /// `nil` for the empty key ("no such key" in `ck_schema`).
    var optionalString: String? { len == 0 ? nil : string }
}

extension HandleType {
    init(c raw: UInt8) {
        guard let type = HandleType(rawValue: Int(raw)) else {
            unexpectedValue(raw, "handle type")
        }
        self = type
    }

    var c: ck_handle_type { ck_handle_type(rawValue) }
}

extension DTMFType {
    init(c raw: UInt8) {
        guard let type = DTMFType(rawValue: Int(raw)) else { unexpectedValue(raw, "DTMF type") }
        self = type
    }

    var c: ck_dtmf_type { ck_dtmf_type(rawValue) }
}

extension RefusalReason {
    var c: ck_refusal_reason { ck_refusal_reason(rawValue) }
}

extension CallHandle {
    init(_ handle: ck_handle) {
        self.init(
            type: HandleType(c: handle.handle_type),
            value: text(handle.value, count: Int(handle.value_len)))
    }
}

extension CallUpdate {
    init(_ update: ck_call_update) {
        self.init(
            remoteHandle: update.has_remote_handle ? CallHandle(update.remote_handle) : nil,
            localizedCallerName: update.has_caller_name
                ? text(update.caller_name, count: Int(update.caller_name_len)) : nil,
            hasVideo: update.has_video,
            supportsHolding: update.supports_holding,
            supportsGrouping: update.supports_grouping,
            supportsUngrouping: update.supports_ungrouping,
            supportsDTMF: update.supports_dtmf)
    }
}

extension PayloadSchema {
    init(_ schema: ck_schema) {
        rootPath = schema.root.string
        idKey = schema.id_key.string
        idKind = schema.id_kind == CK_CALL_ID_OPAQUE ? .opaque : .uuid
        opaqueNamespace = UUID(schema.opaque_namespace)
        handleKey = schema.handle_key.string
        handleType = HandleType(rawValue: Int(schema.handle_type))
        callerNameKey = schema.caller_name_key.optionalString
        videoKey = schema.video_key.optionalString
        mediaTypeKey = schema.media_type_key.optionalString
        ringTimeoutKey = schema.ring_timeout_key.optionalString
        messageTypeKey = schema.message_type_key.optionalString
        cancelMessageType = schema.cancel_message_type.optionalString
        requiresCallID = schema.require_call_id != 0
        sentAtKey = schema.sent_at_key.optionalString
        sentAtUnit = schema.sent_at_unit == CK_SENT_AT_MILLISECONDS ? .milliseconds : .seconds
    }

    func cSchema() throws(EngineError) -> ck_schema {
        var schema = ck_schema()
        schema.root = try .make(rootPath)
        schema.id_key = try .make(idKey)
        schema.id_kind = idKind == .opaque ? CK_CALL_ID_OPAQUE : CK_CALL_ID_UUID
        schema.handle_type = handleType?.c ?? 0
        schema.opaque_namespace = ck_uuid(opaqueNamespace)
        schema.handle_key = try .make(handleKey)
        schema.caller_name_key = try .make(optional: callerNameKey)
        schema.video_key = try .make(optional: videoKey)
        schema.media_type_key = try .make(optional: mediaTypeKey)
        schema.ring_timeout_key = try .make(optional: ringTimeoutKey)
        schema.message_type_key = try .make(optional: messageTypeKey)
        schema.cancel_message_type = try .make(optional: cancelMessageType)
        schema.require_call_id = requiresCallID ? 1 : 0
        schema.sent_at_unit = sentAtUnit == .milliseconds ? CK_SENT_AT_MILLISECONDS : CK_SENT_AT_SECONDS
        schema.sent_at_key = try .make(optional: sentAtKey)
        return schema
    }
}

extension CallEngine.Configuration {
    init(_ config: ck_config) {
        maximumCallGroups = Int(config.maximum_call_groups)
        maximumCallsPerCallGroup = Int(config.maximum_calls_per_call_group)
        supportsVideo = config.supports_video != 0
        supportedHandleTypes = Set(
            HandleType.allCases.filter { config.supported_handle_types & (1 << $0.rawValue) != 0 })
        includesCallsInRecents = config.includes_calls_in_recents != 0
        supportsAudioTranslation = config.supports_audio_translation != 0
        supportsHolding = config.supports_holding != 0
        supportsGrouping = config.supports_grouping != 0
        supportsUngrouping = config.supports_ungrouping != 0
        supportsDTMF = config.supports_dtmf != 0
        ringTimeout = .engineMilliseconds(config.ring_timeout_ms)
        answerConnectTimeout = .engineMilliseconds(config.answer_connect_timeout_ms)
        startConnectTimeout = .engineMilliseconds(config.start_connect_timeout_ms)
        noAnswerTimeout = .engineMilliseconds(config.no_answer_timeout_ms)
        pushCompletionTimeout = .engineMilliseconds(config.push_completion_timeout_ms)
        audioActivationTimeout = .engineMilliseconds(config.audio_activation_timeout_ms)
        maximumPushAge = .engineMilliseconds(config.max_push_age_ms)
        payloadSchema = PayloadSchema(config.schema)
    }

    func cConfig() throws(EngineError) -> ck_config {
        guard let groups = UInt8(exactly: maximumCallGroups),
            let perGroup = UInt8(exactly: maximumCallsPerCallGroup)
        else { throw .invalidArgument }
        var config = ck_config()
        config.maximum_call_groups = groups
        config.maximum_calls_per_call_group = perGroup
        config.supports_video = supportsVideo ? 1 : 0
        config.supported_handle_types = supportedHandleTypes.reduce(0) { $0 | (1 << $1.rawValue) }
        config.includes_calls_in_recents = includesCallsInRecents ? 1 : 0
        config.supports_audio_translation = supportsAudioTranslation ? 1 : 0
        config.supports_holding = supportsHolding ? 1 : 0
        config.supports_grouping = supportsGrouping ? 1 : 0
        config.supports_ungrouping = supportsUngrouping ? 1 : 0
        config.supports_dtmf = supportsDTMF ? 1 : 0
        config.ring_timeout_ms = try ringTimeout.engineMilliseconds()
        config.answer_connect_timeout_ms = try answerConnectTimeout.engineMilliseconds()
        config.start_connect_timeout_ms = try startConnectTimeout.engineMilliseconds()
        config.no_answer_timeout_ms = try noAnswerTimeout.engineMilliseconds()
        config.push_completion_timeout_ms = try pushCompletionTimeout.engineMilliseconds()
        config.audio_activation_timeout_ms = try audioActivationTimeout.engineMilliseconds()
        config.max_push_age_ms = try maximumPushAge.engineMilliseconds()
        config.schema = try payloadSchema.cSchema()
        return config
    }
}

extension Duration {
    /// A configuration time-out from the C form's whole milliseconds.
    static func engineMilliseconds(_ milliseconds: UInt64) -> Duration {
        .seconds(Int64(milliseconds / 1000)) + .milliseconds(Int64(milliseconds % 1000))
    }

    /// The C form's whole milliseconds, rounded down; `invalidArgument` when negative or
    /// beyond `UInt64`.
    func engineMilliseconds() throws(EngineError) -> UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { throw .invalidArgument }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1000)
        let (sum, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000_000_000))
        guard !overflow, !carry else { throw .invalidArgument }
        return sum
    }
}

extension CallEngine.Timer {
    init(_ timer: ck_timer) {
        switch timer.kind {
        case CK_TIMER_PUSH_COMPLETION: self = .pushCompletion(push: PushID(rawValue: timer.push))
        case CK_TIMER_RING: self = .ring(call: UUID(timer.call))
        case CK_TIMER_ANSWER_CONNECT: self = .answerConnect(call: UUID(timer.call))
        case CK_TIMER_AUDIO_ACTIVATION: self = .audioActivation(call: UUID(timer.call))
        case CK_TIMER_START_CONNECT: self = .startConnect(call: UUID(timer.call))
        case CK_TIMER_NO_ANSWER: self = .noAnswer(call: UUID(timer.call))
        default: unexpectedValue(timer.kind, "timer kind")
        }
    }

    var c: ck_timer {
        var timer = ck_timer()
        switch self {
        case .pushCompletion(let push):
            timer.kind = CK_TIMER_PUSH_COMPLETION
            timer.push = push.rawValue
        case .ring(let call):
            timer.kind = CK_TIMER_RING
            timer.call = ck_uuid(call)
        case .answerConnect(let call):
            timer.kind = CK_TIMER_ANSWER_CONNECT
            timer.call = ck_uuid(call)
        case .audioActivation(let call):
            timer.kind = CK_TIMER_AUDIO_ACTIVATION
            timer.call = ck_uuid(call)
        case .startConnect(let call):
            timer.kind = CK_TIMER_START_CONNECT
            timer.call = ck_uuid(call)
        case .noAnswer(let call):
            timer.kind = CK_TIMER_NO_ANSWER
            timer.call = ck_uuid(call)
        }
        return timer
    }
}

/// The step data of kind `kind`, or a throw when the step carries another kind.
private func expect(_ data: UnsafePointer<ck_step_data>, _ kind: ck_step_data_kind) {
    guard data.pointee.kind == kind else { unexpectedValue(data.pointee.kind, "step data kind") }
}

private func handle(_ data: UnsafePointer<ck_step_data>) -> CallHandle {
    expect(data, CK_STEP_DATA_HANDLE)
    return CallHandle(data.pointee.handle)
}

private func digits(_ data: UnsafePointer<ck_step_data>) -> String {
    expect(data, CK_STEP_DATA_DTMF_DIGITS)
    return text(data.pointee.dtmf_digits, count: Int(data.pointee.dtmf_digits_len))
}

private func update(_ data: UnsafePointer<ck_step_data>) -> CallUpdate {
    expect(data, CK_STEP_DATA_CALL_UPDATE)
    return CallUpdate(data.pointee.call_update)
}

/// Why the step's report is of a push to be ended, or `nil`.
private func pushEndReason(_ data: UnsafePointer<ck_step_data>) -> PushEndReason? {
    let d = data.pointee
    guard d.has_push_end_reason else { return nil }
    switch d.push_end_reason {
    case CK_PUSH_END_REASON_UNREADABLE:
        guard let error = PayloadError(rawValue: Int(d.payload_error)) else {
            unexpectedValue(d.payload_error, "payload_error")
        }
        if d.payload_field == CK_PAYLOAD_FIELD_NONE {
            return .unreadable(error, field: nil)
        }
        guard let field = PayloadField(rawValue: Int(d.payload_field)) else {
            unexpectedValue(d.payload_field, "payload_field")
        }
        return .unreadable(error, field: field)
    case CK_PUSH_END_REASON_MISSING_CALL_ID: return .missingCallID
    case CK_PUSH_END_REASON_CANCELLED_UNKNOWN_CALL: return .cancelledUnknownCall
    case CK_PUSH_END_REASON_CALL_ENDED: return .callEnded
    case CK_PUSH_END_REASON_CALL_CAPACITY: return .callCapacity
    case CK_PUSH_END_REASON_OUTGOING_CALL_ID: return .outgoingCallID
    case CK_PUSH_END_REASON_STALE: return .stale
    default: unexpectedValue(d.push_end_reason, "push_end_reason")
    }
}

extension CallEngine.Effect {
    /// The effect `effect` of a step whose variable-size data is `data`; `stepReports`
    /// says whether the step reports an incoming call (its push end reason then belongs
    /// to the report, else to a push completion).
    init(
        _ effect: UnsafePointer<ck_effect>, data: UnsafePointer<ck_step_data>, stepReports: Bool
    ) {
        let e = effect.pointee
        let call = UUID(e.call)
        switch e.kind {
        case CK_EFFECT_REPORT_NEW_INCOMING_CALL:
            self = .reportNewIncomingCall(
                push: e.has_push ? PushID(rawValue: e.push) : nil, call: call, update: update(data),
                endReason: pushEndReason(data))
        case CK_EFFECT_REPORT_CALL_UPDATED:
            self = .reportCallUpdated(call: call, update: update(data))
        case CK_EFFECT_REPORT_OUTGOING_CALL_STARTED_CONNECTING:
            self = .reportOutgoingCallStartedConnecting(call: call, at: CallEngine.Instant(milliseconds: e.at_ms))
        case CK_EFFECT_REPORT_OUTGOING_CALL_CONNECTED:
            self = .reportOutgoingCallConnected(call: call, at: CallEngine.Instant(milliseconds: e.at_ms))
        case CK_EFFECT_REPORT_CALL_ENDED:
            guard let reason = CallEndedReason(rawValue: Int(e.ended_reason)) else {
                unexpectedValue(e.ended_reason, "ended_reason")
            }
            self = .reportCallEnded(call: call, at: CallEngine.Instant(milliseconds: e.at_ms), reason: reason)
        case CK_EFFECT_FULFILL_ACTION:
            self = .fulfillAction(action: UUID(e.action))
        case CK_EFFECT_FAIL_ACTION:
            self = .failAction(action: UUID(e.action))
        case CK_EFFECT_COMPLETE_PUSH:
            // A push completed without a report (`mustReport == false`) carries why.
            self = .completePush(push: PushID(rawValue: e.push), endReason: stepReports ? nil : pushEndReason(data))
        case CK_EFFECT_REQUEST_TRANSACTION:
            let action: CallEngine.CallAction
            switch e.call_action {
            case CK_CALL_ACTION_START_CALL:
                action = .startCall(call: call, handle: handle(data), isVideo: e.video)
            case CK_CALL_ACTION_END_CALL:
                action = .endCall(call: call)
            case CK_CALL_ACTION_ANSWER_CALL:
                action = .answerCall(call: call)
            case CK_CALL_ACTION_SET_HELD:
                action = .setHeld(call: call, onHold: e.on_hold)
            case CK_CALL_ACTION_SET_MUTED:
                action = .setMuted(call: call, muted: e.muted)
            case CK_CALL_ACTION_PLAY_DTMF:
                action = .playDTMF(call: call, digits: digits(data), type: DTMFType(c: e.dtmf_type))
            default:
                unexpectedValue(e.call_action, "call_action")
            }
            self = .requestTransaction(transaction: TransactionID(rawValue: e.transaction), action: action)
        case CK_EFFECT_CONNECT_INCOMING:
            self = .connectIncoming(call: call)
        case CK_EFFECT_MISSED_CALL:
            self = .missedCall(call: call, update: update(data))
        case CK_EFFECT_ANSWER_INCOMING:
            self = .answerIncoming(call: call)
        case CK_EFFECT_REJECT_INCOMING:
            guard let reason = RejectReason(rawValue: Int(e.reject_reason)) else {
                unexpectedValue(e.reject_reason, "reject_reason")
            }
            self = .rejectIncoming(call: call, reason: reason)
        case CK_EFFECT_HANG_UP:
            self = .hangUp(call: call)
        case CK_EFFECT_SET_HELD:
            self = .setHeld(call: call, onHold: e.on_hold)
        case CK_EFFECT_SET_MUTED:
            self = .setMuted(call: call, muted: e.muted)
        case CK_EFFECT_SET_GROUP:
            self = .setGroup(call: call, groupWith: e.has_group_with ? UUID(e.group_with) : nil)
        case CK_EFFECT_PLAY_DTMF:
            self = .playDTMF(call: call, digits: digits(data), type: DTMFType(c: e.dtmf_type))
        case CK_EFFECT_START_TRANSLATION:
            self = .startTranslation(call: call)
        case CK_EFFECT_STOP_TRANSLATION:
            self = .stopTranslation(call: call)
        case CK_EFFECT_START_OUTGOING:
            self = .startOutgoing(call: call, handle: handle(data), isVideo: e.video)
        case CK_EFFECT_REGISTER_PUSH_TOKEN:
            expect(data, CK_STEP_DATA_PUSH_TOKEN_HEX)
            self = .registerPushToken(
                hex: text(data.pointee.push_token_hex, count: Int(data.pointee.push_token_hex_len)))
        case CK_EFFECT_UNREGISTER_PUSH_TOKEN:
            self = .unregisterPushToken
        case CK_EFFECT_CONFIGURE_AUDIO_SESSION:
            self = .configureAudioSession
        case CK_EFFECT_START_MEDIA:
            self = .startMedia(call: call)
        case CK_EFFECT_STOP_MEDIA:
            self = .stopMedia(call: call)
        case CK_EFFECT_START_TIMER:
            self = .startTimer(
                timer: CallEngine.Timer(e.timer), deadline: CallEngine.Instant(milliseconds: e.at_ms))
        case CK_EFFECT_CANCEL_TIMER:
            self = .cancelTimer(timer: CallEngine.Timer(e.timer))
        case CK_EFFECT_START_RINGBACK:
            self = .startRingback(call: call)
        case CK_EFFECT_STOP_RINGBACK:
            self = .stopRingback(call: call)
        case CK_EFFECT_AUDIO_ACTIVATION_TIMED_OUT:
            self = .audioActivationTimedOut(call: call)
        default:
            unexpectedValue(e.kind, "effect kind")
        }
    }
}

extension PayloadSchema {
    /// The call UUID (`CXCall.uuid`) this schema gives a VoIP push whose call id is
    /// `serverCallID` (`ck_schema_call_id`, the engine's `PayloadSchema::call_id`): the
    /// UUID the id spells for ``CallIDKind/uuid``, the name-based (version 5) UUID of the
    /// id in ``opaqueNamespace`` for ``CallIDKind/opaque``. How an app maps the id its
    /// server uses (a Twilio call SID, a SIP Call-ID) to the call CallKit shows, and
    /// back, without deriving UUIDs itself.
    ///
    /// - Parameter serverCallID: The call id as the payload carries it (UTF-8 text).
    /// - Returns: The call's UUID; `nil` when the id is not valid for the schema (not a
    ///   UUID under ``CallIDKind/uuid``, or empty) or the schema is one
    ///   ``CallEngine/init(configuration:)`` refuses.
    public func callID(forServerCallID serverCallID: String) -> UUID? {
        guard let schema = try? cSchema() else { return nil }
        var out = ck_uuid()
        let result = withUnsafePointer(to: schema) { schema in
            Array(serverCallID.utf8).withUnsafeBufferPointer { id in
                ck_schema_call_id(schema, id.baseAddress, id.count, &out)
            }
        }
        return result == CK_RESULT_OK ? UUID(out) : nil
    }
}
