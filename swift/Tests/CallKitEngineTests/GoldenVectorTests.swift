import CallKitEngine
import Foundation
import XCTest

/// Cross-language conformance: every golden vector that Rust writes from the traces and
/// payloads (tests/golden/, `cargo test --test golden --test corpus`) is fed, event by
/// event, through the Swift API, which must give exactly the effects (with their step
/// data) or the refusal the Rust engine gave. The vectors are decoded here straight
/// into the public Swift types, so a conversion bug on either side shows as a
/// difference.
final class GoldenVectorTests: XCTestCase {
    /// The repository root, from this file's path (swift/Tests/CallKitEngineTests/).
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private func files(in directory: String, suffix: String) throws -> [URL] {
        let url = Self.root.appendingPathComponent(directory)
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(suffix) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testEveryTraceVectorGivesTheSameEffectsThroughSwift() throws {
        try replayAll(
            sources: try files(in: "tests/traces", suffix: ".jsonl"), atLeast: 10, vectors: "tests/golden/traces")
    }

    func testEveryPayloadVectorGivesTheSameEffectsThroughSwift() throws {
        let payloads = try files(in: "tests/payloads", suffix: "").filter { !$0.lastPathComponent.hasSuffix(".md") }
        try replayAll(sources: payloads, atLeast: 20, vectors: "tests/golden/payloads")
    }

    /// Replays every vector in `directory`, after checking there is one per source file.
    private func replayAll(sources: [URL], atLeast minimum: Int, vectors directory: String) throws {
        let vectors = try files(in: directory, suffix: ".json")
        let stems = { (urls: [URL]) in urls.map { $0.deletingPathExtension().lastPathComponent }.sorted() }
        XCTAssertGreaterThanOrEqual(sources.count, minimum)
        XCTAssertEqual(stems(vectors), stems(sources), "one golden vector per source in \(directory)")
        for vector in vectors { try replay(vector) }
    }

    /// The vectors reach every event, effect and call action (tests/traces/every-event-kind.jsonl
    /// sees to the rarer ones); this pins that they stay that broad.
    func testVectorsCoverTheEventsAndEffectsTheyClaim() throws {
        var events = Set<String>()
        var effects = Set<String>()
        var actions = Set<String>()
        for directory in ["tests/golden/traces", "tests/golden/payloads"] {
            for url in try files(in: directory, suffix: ".json") {
                let vector = try decode(url)
                for step in vector.steps {
                    events.insert(step.event.kind)
                    for effect in step.effects {
                        effects.insert(effect.kind)
                        if case .callAction(let action)? = effect.action { actions.insert(action.kind) }
                    }
                }
            }
        }
        // Every case of CallEngine.Event (36), of CallEngine.Effect (31) and of CallEngine.CallAction (6).
        XCTAssertEqual(events.count, 36, "\(events.sorted())")
        XCTAssertEqual(effects.count, 31, "\(effects.sorted())")
        XCTAssertEqual(actions.count, 6, "\(actions.sorted())")
    }

    private func decode(_ url: URL) throws -> GoldenVector {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(GoldenVector.self, from: Data(contentsOf: url))
    }

    private func replay(_ url: URL) throws {
        let name = url.lastPathComponent
        let vector = try decode(url)
        let configuration = try vector.config.configuration()
        // A schema a trace wrote out whole has no preset (`null`).
        if let presetName = vector.config.schemaPreset {
            if let preset = GoldenConfig.presets[presetName] {
                XCTAssertEqual(
                    PayloadSchema(preset: preset), configuration.payloadSchema, "\(name): preset \(presetName)")
            } else {
                XCTFail("\(name): unknown preset \(presetName)")
            }
        }
        let engine = try CallEngine(configuration: configuration)
        XCTAssertEqual(engine.configuration, configuration, "\(name): configuration round trip")
        for (index, step) in vector.steps.enumerated() {
            let event = try step.event.event()
            let expected = try step.effects.map { try $0.effect() }
            let context = "\(name) step \(index) at \(step.atMs) ms (\(step.event.kind))"
            do {
                let effects = try engine.handle(event, at: CallEngine.Instant(milliseconds: step.atMs))
                XCTAssertNil(step.refused, "\(context): Swift accepted what Rust refused")
                XCTAssertEqual(effects, expected, context)
            } catch {
                XCTAssertEqual(error.resultName, step.refused, "\(context): \(error)")
            }
        }
    }
}

// MARK: The vector format (tests/support/golden.rs writes it)

private struct GoldenVector: Decodable {
    var source: String
    var config: GoldenConfig
    var steps: [GoldenStep]
}

private struct GoldenSchema: Decodable {
    var root: String
    var idKey: String
    var idKind: String
    var opaqueNamespace: UUID
    var handleKey: String
    var handleType: Int?
    var callerNameKey: String?
    var videoKey: String?
    var mediaTypeKey: String?
    var ringTimeoutKey: String?
    var messageTypeKey: String?
    var cancelMessageType: String?
    // Absent from vectors whose writer predates them: then the preset's values hold
    // (no preset reads a sent time, so an absent key and `null` are the same).
    var requireCallId: Bool
    var sentAtKey: String?
    var sentAtUnit: String
}

private struct GoldenConfig: Decodable {
    var maximumCallGroups: Int
    var maximumCallsPerCallGroup: Int
    var supportsVideo: Bool
    var supportedHandleTypes: [Int]
    var includesCallsInRecents: Bool
    var supportsAudioTranslation: Bool
    var supportsHolding: Bool
    var supportsGrouping: Bool
    var supportsUngrouping: Bool
    var supportsDtmf: Bool
    var ringTimeoutMs: UInt64
    var answerConnectTimeoutMs: UInt64
    var startConnectTimeoutMs: UInt64
    var noAnswerTimeoutMs: UInt64
    var pushCompletionTimeoutMs: UInt64
    var audioActivationTimeoutMs: UInt64
    var maxPushAgeMs: UInt64
    /// `nil` for a schema the trace wrote out whole.
    var schemaPreset: String?
    var schema: GoldenSchema

    /// The Rust preset names (testkit's SCHEMA_NAMES).
    static let presets: [String: PayloadSchema.Preset] = [
        "apple_docs": .appleDocs, "speakerbox": .speakerbox,
        "react_native_voip_push": .reactNativeVoIPPush,
        "flutter_callkit_incoming": .flutterCallKitIncoming, "twilio": .twilio,
        "telegram": .telegram, "linphone_flexisip": .linphoneFlexisip, "nested_data": .nestedData,
    ]

    func configuration() throws -> CallEngine.Configuration {
        var c = CallEngine.Configuration()
        c.maximumCallGroups = maximumCallGroups
        c.maximumCallsPerCallGroup = maximumCallsPerCallGroup
        c.supportsVideo = supportsVideo
        c.supportedHandleTypes = Set(try supportedHandleTypes.map { try raw(HandleType.self, $0) })
        c.includesCallsInRecents = includesCallsInRecents
        c.supportsAudioTranslation = supportsAudioTranslation
        c.supportsHolding = supportsHolding
        c.supportsGrouping = supportsGrouping
        c.supportsUngrouping = supportsUngrouping
        c.supportsDTMF = supportsDtmf
        c.ringTimeout = .milliseconds(ringTimeoutMs)
        c.answerConnectTimeout = .milliseconds(answerConnectTimeoutMs)
        c.startConnectTimeout = .milliseconds(startConnectTimeoutMs)
        c.noAnswerTimeout = .milliseconds(noAnswerTimeoutMs)
        c.pushCompletionTimeout = .milliseconds(pushCompletionTimeoutMs)
        c.audioActivationTimeout = .milliseconds(audioActivationTimeoutMs)
        c.maximumPushAge = .milliseconds(maxPushAgeMs)
        var s = schemaPreset.flatMap { Self.presets[$0] }.map { PayloadSchema(preset: $0) } ?? c.payloadSchema
        s.rootPath = schema.root
        s.idKey = schema.idKey
        s.idKind = schema.idKind == "opaque" ? .opaque : .uuid
        s.opaqueNamespace = schema.opaqueNamespace
        s.handleKey = schema.handleKey
        s.handleType = try schema.handleType.map { try raw(HandleType.self, $0) }
        s.callerNameKey = schema.callerNameKey
        s.videoKey = schema.videoKey
        s.mediaTypeKey = schema.mediaTypeKey
        s.ringTimeoutKey = schema.ringTimeoutKey
        s.messageTypeKey = schema.messageTypeKey
        s.cancelMessageType = schema.cancelMessageType
        s.requiresCallID = schema.requireCallId
        s.sentAtKey = schema.sentAtKey
        switch schema.sentAtUnit {
        case "seconds": s.sentAtUnit = .seconds
        case "milliseconds": s.sentAtUnit = .milliseconds
        case let unit: throw GoldenFormatError(description: "sent-at unit \(unit)")
        }
        c.payloadSchema = s
        return c
    }
}

private struct GoldenStep: Decodable {
    var atMs: UInt64
    var event: GoldenEvent
    var refused: String?
    var effects: [GoldenEffect]
}

private struct GoldenFormatError: Error, CustomStringConvertible {
    var description: String
}

private func raw<T: RawRepresentable>(_: T.Type, _ value: Int?) throws -> T where T.RawValue == Int {
    guard let value, let result = T(rawValue: value) else {
        throw GoldenFormatError(description: "no \(T.self) with raw value \(String(describing: value))")
    }
    return result
}

private func need<T>(_ value: T?, _ field: String, _ kind: String) throws -> T {
    guard let value else { throw GoldenFormatError(description: "\(kind) lacks \(field)") }
    return value
}

private func bytes(hex: String?) throws -> Data {
    guard let hex, hex.count % 2 == 0 else { throw GoldenFormatError(description: "bad hex") }
    var data = Data()
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        guard let byte = UInt8(hex[index..<next], radix: 16) else { throw GoldenFormatError(description: "bad hex") }
        data.append(byte)
        index = next
    }
    return data
}

private struct GoldenHandle: Decodable {
    var type: Int
    var value: String

    var handle: CallHandle {
        get throws { CallHandle(type: try raw(HandleType.self, type), value: value) }
    }
}

private struct GoldenTimer: Decodable {
    var kind: String
    var push: UInt64?
    var call: UUID?

    var timer: CallEngine.Timer {
        get throws {
            switch kind {
            case "push_completion": return .pushCompletion(push: PushID(rawValue: try need(push, "push", kind)))
            case "ring": return .ring(call: try need(call, "call", kind))
            case "answer_connect": return .answerConnect(call: try need(call, "call", kind))
            case "audio_activation": return .audioActivation(call: try need(call, "call", kind))
            case "start_connect": return .startConnect(call: try need(call, "call", kind))
            case "no_answer": return .noAnswer(call: try need(call, "call", kind))
            default: throw GoldenFormatError(description: "timer kind \(kind)")
            }
        }
    }
}

private struct GoldenEvent: Decodable {
    var kind: String
    var push: UInt64?
    var payloadHex: String?
    var fallbackCall: UUID?
    var tokenHex: String?
    var error: Int?
    var action: UUID?
    var call: UUID?
    var handle: GoldenHandle?
    var video: Bool?
    var onHold: Bool?
    var muted: Bool?
    var groupWith: UUID?
    var digits: String?
    var type: Int?
    var transaction: UInt64?
    var timer: GoldenTimer?
    var callerName: String?
    var hasVideo: Bool?
    var mustReport: Bool?
    var receivedAtUnixMs: UInt64?
    var reason: Int?
    var translating: Bool?
    var localLanguage: String?
    var remoteLanguage: String?

    func event() throws -> CallEngine.Event {
        func n<T>(_ value: T?, _ field: String) throws -> T { try need(value, field, kind) }
        switch kind {
        case "voip_push_received":
            return .voipPushReceived(
                push: PushID(rawValue: try n(push, "push")), payload: try bytes(hex: payloadHex),
                fallbackCall: try n(fallbackCall, "fallback_call"), mustReport: mustReport,
                receivedAt: receivedAtUnixMs.map { Date(timeIntervalSince1970: Double($0) / 1000) })
        case "push_credentials_updated": return .pushCredentialsUpdated(token: try bytes(hex: tokenHex))
        case "push_credentials_invalidated": return .pushCredentialsInvalidated
        case "incoming_call_reported":
            // A report names its push, or (made without one) its call.
            let report: IncomingReport =
                try push.map { .push(PushID(rawValue: $0)) } ?? .call(try n(call, "push or call"))
            return .incomingCallReported(
                report:
                    report,
                error: try error.map { try raw(IncomingCallError.self, $0) })
        case "provider_did_begin": return .providerDidBegin
        case "provider_did_reset": return .providerDidReset
        case "perform_start_call":
            return .performStartCall(
                action: try n(action, "action"), call: try n(call, "call"),
                handle: try n(handle, "handle").handle, isVideo: try n(video, "video"))
        case "perform_answer_call":
            return .performAnswerCall(action: try n(action, "action"), call: try n(call, "call"))
        case "perform_end_call": return .performEndCall(action: try n(action, "action"), call: try n(call, "call"))
        case "perform_set_held":
            return .performSetHeld(
                action: try n(action, "action"), call: try n(call, "call"), onHold: try n(onHold, "on_hold"))
        case "perform_set_muted":
            return .performSetMuted(
                action: try n(action, "action"), call: try n(call, "call"), muted: try n(muted, "muted"))
        case "perform_set_group":
            return .performSetGroup(action: try n(action, "action"), call: try n(call, "call"), groupWith: groupWith)
        case "perform_play_dtmf":
            return .performPlayDTMF(
                action: try n(action, "action"), call: try n(call, "call"), digits: try n(digits, "digits"),
                type: try raw(DTMFType.self, type))
        case "timed_out_performing": return .timedOutPerforming(action: try n(action, "action"))
        case "did_activate_audio_session": return .didActivateAudioSession
        case "did_deactivate_audio_session": return .didDeactivateAudioSession
        case "request_start_call":
            return .requestStartCall(
                call: try n(call, "call"), handle: try n(handle, "handle").handle, isVideo: try n(video, "video"))
        case "request_end_call": return .requestEndCall(call: try n(call, "call"))
        case "request_answer_call": return .requestAnswerCall(call: try n(call, "call"))
        case "request_set_held": return .requestSetHeld(call: try n(call, "call"), onHold: try n(onHold, "on_hold"))
        case "request_set_muted": return .requestSetMuted(call: try n(call, "call"), muted: try n(muted, "muted"))
        case "request_play_dtmf":
            return .requestPlayDTMF(
                call: try n(call, "call"), digits: try n(digits, "digits"), type: try raw(DTMFType.self, type))
        case "transaction_completed":
            return .transactionCompleted(
                transaction:
                    TransactionID(rawValue: try n(transaction, "transaction")),
                error: try error.map { try raw(RequestTransactionError.self, $0) })
        case "outgoing_call_connecting": return .outgoingCallConnecting(call: try n(call, "call"))
        case "outgoing_call_connected": return .outgoingCallConnected(call: try n(call, "call"))
        case "perform_set_translating":
            return .performSetTranslating(
                action: try n(action, "action"), call: try n(call, "call"),
                isTranslating: try n(translating, "translating"),
                localLanguage: try n(localLanguage, "local_language"),
                remoteLanguage: try n(remoteLanguage, "remote_language"))
        case "outgoing_call_refused":
            return .outgoingCallRefused(call: try n(call, "call"), reason: try raw(RefusalReason.self, reason))
        case "incoming_call_connected": return .incomingCallConnected(call: try n(call, "call"))
        case "remote_ended": return .remoteEnded(call: try n(call, "call"))
        case "answered_elsewhere": return .answeredElsewhere(call: try n(call, "call"))
        case "declined_elsewhere": return .declinedElsewhere(call: try n(call, "call"))
        case "connection_failed": return .connectionFailed(call: try n(call, "call"))
        case "timer_fired": return .timerFired(timer: try n(timer, "timer").timer)
        case "call_details_changed":
            return .callDetailsChanged(call: try n(call, "call"), callerName: callerName, hasVideo: hasVideo)
        case "outgoing_call_ringing": return .outgoingCallRinging(call: try n(call, "call"))
        case "incoming_call_announced":
            // An empty handle value is the engine's "caller unknown".
            let announced = try n(handle, "handle").handle
            return .incomingCallAnnounced(
                call: try n(call, "call"), handle: announced.value.isEmpty ? nil : announced,
                callerName: callerName, isVideo: try n(video, "video"))
        default: throw GoldenFormatError(description: "event kind \(kind)")
        }
    }
}

private struct GoldenUpdate: Decodable {
    var remoteHandle: GoldenHandle?
    var localizedCallerName: String?
    var hasVideo: Bool
    var supportsHolding: Bool
    var supportsGrouping: Bool
    var supportsUngrouping: Bool
    var supportsDtmf: Bool

    var update: CallUpdate {
        get throws {
            CallUpdate(
                remoteHandle: try remoteHandle?.handle, localizedCallerName: localizedCallerName,
                hasVideo: hasVideo, supportsHolding: supportsHolding, supportsGrouping: supportsGrouping,
                supportsUngrouping: supportsUngrouping, supportsDTMF: supportsDtmf)
        }
    }
}

private struct GoldenCallAction: Decodable {
    var kind: String
    var call: UUID
    var handle: GoldenHandle?
    var video: Bool?
    var onHold: Bool?
    var muted: Bool?
    var digits: String?
    var type: Int?

    var action: CallEngine.CallAction {
        get throws {
            switch kind {
            case "start_call":
                return .startCall(
                    call: call, handle: try need(handle, "handle", kind).handle, isVideo: try need(video, "video", kind)
                )
            case "end_call": return .endCall(call: call)
            case "answer_call": return .answerCall(call: call)
            case "set_held": return .setHeld(call: call, onHold: try need(onHold, "on_hold", kind))
            case "set_muted": return .setMuted(call: call, muted: try need(muted, "muted", kind))
            case "play_dtmf":
                return .playDTMF(
                    call: call, digits: try need(digits, "digits", kind), type: try raw(DTMFType.self, type))
            default: throw GoldenFormatError(description: "call action kind \(kind)")
            }
        }
    }
}

/// `action` is a UUID (fulfil, fail) or a call action (a transaction request).
private enum GoldenActionField: Decodable {
    case uuid(UUID)
    case callAction(GoldenCallAction)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let uuid = try? container.decode(UUID.self) {
            self = .uuid(uuid)
        } else {
            self = .callAction(try container.decode(GoldenCallAction.self))
        }
    }
}

/// Why a push is reported to be ended: the `PushEndReason` raw value, and for an
/// unreadable payload its error and field (raw values).
private struct GoldenEndReason: Decodable {
    var kind: Int
    var payloadError: Int?
    var payloadField: Int?

    var reason: PushEndReason {
        get throws {
            switch kind {
            case 1:
                let error = try raw(PayloadError.self, payloadError)
                return .unreadable(error, field: try payloadField.map { try raw(PayloadField.self, $0) })
            case 2: return .missingCallID
            case 3: return .cancelledUnknownCall
            case 4: return .callEnded
            case 5: return .callCapacity
            case 6: return .outgoingCallID
            case 7: return .stale
            default: throw GoldenFormatError(description: "push end reason \(kind)")
            }
        }
    }
}

private struct GoldenEffect: Decodable {
    var kind: String
    var endReason: GoldenEndReason?
    var push: UInt64?
    var call: UUID?
    var update: GoldenUpdate?
    var atMs: UInt64?
    var reason: Int?
    var action: GoldenActionField?
    var transaction: UInt64?
    var onHold: Bool?
    var muted: Bool?
    var groupWith: UUID?
    var digits: String?
    var type: Int?
    var handle: GoldenHandle?
    var video: Bool?
    var tokenHex: String?
    var timer: GoldenTimer?
    var deadlineMs: UInt64?

    func effect() throws -> CallEngine.Effect {
        func n<T>(_ value: T?, _ field: String) throws -> T { try need(value, field, kind) }
        func actionUUID() throws -> UUID {
            guard case .uuid(let uuid)? = action else { throw GoldenFormatError(description: "\(kind) lacks action") }
            return uuid
        }
        func at() throws -> CallEngine.Instant { CallEngine.Instant(milliseconds: try n(atMs, "at_ms")) }
        switch kind {
        case "report_new_incoming_call":
            return .reportNewIncomingCall(
                push: push.map { PushID(rawValue: $0) }, call: try n(call, "call"),
                update: try n(update, "update").update,
                endReason: try endReason?.reason)
        case "report_call_updated":
            return .reportCallUpdated(call: try n(call, "call"), update: try n(update, "update").update)
        case "report_outgoing_call_started_connecting":
            return .reportOutgoingCallStartedConnecting(call: try n(call, "call"), at: try at())
        case "report_outgoing_call_connected":
            return .reportOutgoingCallConnected(call: try n(call, "call"), at: try at())
        case "report_call_ended":
            return .reportCallEnded(
                call: try n(call, "call"), at: try at(), reason: try raw(CallEndedReason.self, reason))
        case "fulfill_action": return .fulfillAction(action: try actionUUID())
        case "fail_action": return .failAction(action: try actionUUID())
        case "complete_push":
            return .completePush(push: PushID(rawValue: try n(push, "push")), endReason: try endReason?.reason)
        case "request_transaction":
            guard case .callAction(let callAction)? = action else {
                throw GoldenFormatError(description: "request_transaction lacks its action")
            }
            return .requestTransaction(
                transaction:
                    TransactionID(rawValue: try n(transaction, "transaction")), action: try callAction.action)
        case "connect_incoming": return .connectIncoming(call: try n(call, "call"))
        case "missed_call": return .missedCall(call: try n(call, "call"), update: try n(update, "update").update)
        case "answer_incoming": return .answerIncoming(call: try n(call, "call"))
        case "reject_incoming":
            return .rejectIncoming(call: try n(call, "call"), reason: try raw(RejectReason.self, reason))
        case "hang_up": return .hangUp(call: try n(call, "call"))
        case "start_translation": return .startTranslation(call: try n(call, "call"))
        case "stop_translation": return .stopTranslation(call: try n(call, "call"))
        // The effect kinds before 0.1.0 (`set_hold`, `set_mute`, `send_dtmf`) still read.
        case "set_held", "set_hold": return .setHeld(call: try n(call, "call"), onHold: try n(onHold, "on_hold"))
        case "set_muted", "set_mute": return .setMuted(call: try n(call, "call"), muted: try n(muted, "muted"))
        case "set_group": return .setGroup(call: try n(call, "call"), groupWith: groupWith)
        case "play_dtmf", "send_dtmf":
            return .playDTMF(
                call: try n(call, "call"), digits: try n(digits, "digits"), type: try raw(DTMFType.self, type))
        case "start_outgoing":
            return .startOutgoing(
                call: try n(call, "call"), handle: try n(handle, "handle").handle, isVideo: try n(video, "video"))
        case "register_push_token": return .registerPushToken(hex: try n(tokenHex, "token_hex"))
        case "unregister_push_token": return .unregisterPushToken
        case "configure_audio_session": return .configureAudioSession
        case "start_media": return .startMedia(call: try n(call, "call"))
        case "stop_media": return .stopMedia(call: try n(call, "call"))
        case "start_timer":
            return .startTimer(
                timer:
                    try n(timer, "timer").timer,
                deadline: CallEngine.Instant(milliseconds: try n(deadlineMs, "deadline_ms")))
        case "cancel_timer": return .cancelTimer(timer: try n(timer, "timer").timer)
        case "start_ringback": return .startRingback(call: try n(call, "call"))
        case "stop_ringback": return .stopRingback(call: try n(call, "call"))
        case "audio_activation_timed_out": return .audioActivationTimedOut(call: try n(call, "call"))
        default: throw GoldenFormatError(description: "effect kind \(kind)")
        }
    }
}
