internal import CCallKitEngine
import Foundation

extension CallEngine {
    /// The engine's fixed capacities and text limits (the C ABI's `CK_MAX_*` constants).
    public enum Limits {
        /// Live calls one engine holds (`CK_MAX_CALLS`).
        public static let maximumCalls = Int(CK_MAX_CALLS)
        /// VoIP pushes tracked between arrival and PushKit completion
        /// (`CK_MAX_PENDING_PUSHES`).
        public static let maximumPendingPushes = Int(CK_MAX_PENDING_PUSHES)
        /// Effects one step produces at most (`CK_MAX_EFFECTS`).
        public static let maximumEffectsPerStep = Int(CK_MAX_EFFECTS)
        /// Timers armed at once at most (`CK_MAX_TIMERS`).
        public static let maximumTimers = Int(CK_MAX_TIMERS)
        /// Longest `CXHandle.value`, in bytes of UTF-8 (`CK_MAX_HANDLE_LEN`).
        public static let maximumHandleLengthInBytes = Int(CK_MAX_HANDLE_LEN)
        /// Longest `localizedCallerName`, in bytes of UTF-8 (`CK_MAX_CALLER_NAME_LEN`).
        public static let maximumCallerNameLengthInBytes = Int(CK_MAX_CALLER_NAME_LEN)
        /// Longest language tag (BCP 47, `CXSetTranslatingCallAction`), in bytes
        /// (`CK_MAX_LANGUAGE_TAG_LEN`).
        public static let maximumLanguageTagLengthInBytes = Int(CK_MAX_LANGUAGE_TAG_LEN)
        /// Longest DTMF string (`CK_MAX_DTMF_DIGITS`).
        public static let maximumDTMFDigits = Int(CK_MAX_DTMF_DIGITS)
        /// Longest `PKPushCredentials.token`, in bytes (`CK_MAX_PUSH_TOKEN_LEN`).
        public static let maximumPushTokenLengthInBytes = Int(CK_MAX_PUSH_TOKEN_LEN)
        /// Longest payload schema key or root path, in bytes of UTF-8 (`CK_MAX_KEY_LEN`).
        public static let maximumSchemaKeyLengthInBytes = Int(CK_MAX_KEY_LEN)
        /// Largest VoIP push payload read, in bytes (APNs' limit, `CK_MAX_PAYLOAD_LEN`);
        /// a bigger one is reported under the fallback UUID and ended as failed.
        public static let maximumPayloadLengthInBytes = Int(CK_MAX_PAYLOAD_LEN)
    }
}

/// Where the call fields sit in a VoIP push payload (`PKPushPayload.dictionaryPayload`
/// as JSON): there is no standard layout, every server picks its keys. Start from a
/// ``Preset`` and change what differs. Keys are at most
/// ``CallEngine/Limits/maximumSchemaKeyLengthInBytes`` bytes of UTF-8, checked by
/// ``CallEngine/init(configuration:)``.
public struct PayloadSchema: Hashable, Sendable {
    /// The layouts deployed servers and SDKs use (tests/payloads/README.md lists the
    /// sources); the C ABI's `CK_SCHEMA_*` numbers are the raw values.
    public enum Preset: UInt32, CaseIterable, Hashable, Sendable {
        /// Apple's "Responding to VoIP Notifications from PushKit": `callUUID`, `handle`.
        case appleDocs = 1
        /// Apple's Speakerbox sample: `UUID`, `handle`, `hasVideo`.
        case speakerbox = 2
        /// react-native-voip-push-notification: `uuid`, `handle`, `callerName`,
        /// `hasVideo` (the default).
        case reactNativeVoIPPush = 3
        /// flutter_callkit_incoming: `id`, `nameCaller`, `handle`, `isVideo`, `type`,
        /// `duration`.
        case flutterCallKitIncoming = 4
        /// Twilio Programmable Voice: `twi_call_sid` (opaque), `twi_from`, cancel pushes.
        case twilio = 5
        /// A Telegram-style relay: `call_id` (opaque), `phoneNumber`.
        case telegram = 6
        /// Linphone / Flexisip: `call-id` (opaque), `from-uri`, `display-name`.
        case linphoneFlexisip = 7
        /// The react-native layout nested under `data`.
        case nestedData = 8
    }

    /// The unit of a payload's sent time (``sentAtKey``; the C ABI's `CK_SENT_AT_*`).
    public enum SentAtUnit: Hashable, Sendable {
        /// Seconds since the Unix epoch (a JSON integer; the default).
        case seconds
        /// Milliseconds since the Unix epoch (a JSON integer).
        case milliseconds
    }

    /// How the payload's call id becomes the call's UUID (`CXCall.uuid`).
    public enum CallIDKind: Hashable, Sendable {
        /// The value is a UUID string (any case), used as is.
        case uuid
        /// The value is an opaque server id (a Twilio call SID, a SIP Call-ID); the
        /// UUID is the name-based (version 5) UUID of the id in ``opaqueNamespace``, so
        /// every push about one server call maps to one call.
        case opaque
    }

    /// Dotted path to the object holding the call fields (`""`: the top level; at most
    /// 4 segments, none empty).
    public var rootPath: String
    /// Key of the call id, a JSON string read as ``idKind`` says. Absent or `null`, the
    /// engine uses the host's fallback UUID, unless ``requiresCallID`` is set.
    public var idKey: String
    /// Whether every push must carry its call id. When set, a push without one (absent,
    /// `null`) never rings: it is reported and ended at once
    /// (``PushEndReason/missingCallID``), or, under `PKVoIPPushMetadata.mustReport ==
    /// false`, completed without a report. Unset, the call rings under the host's
    /// fallback UUID. Set in the presets whose servers always send the id:
    /// ``Preset/flutterCallKitIncoming``, ``Preset/twilio``, ``Preset/telegram``,
    /// ``Preset/linphoneFlexisip``.
    public var requiresCallID: Bool
    /// How the id becomes the call's UUID.
    public var idKind: CallIDKind
    /// Namespace of ``CallIDKind/opaque`` ids.
    public var opaqueNamespace: UUID
    /// Key of the remote handle (`CXHandle.value`).
    public var handleKey: String
    /// `CXHandle.type` of the handle; `nil` infers it from the value (a phone number,
    /// an e-mail address, else generic).
    public var handleType: HandleType?
    /// Key of the caller's name (`localizedCallerName`), if the payload has one.
    public var callerNameKey: String?
    /// Key of a boolean video flag (`hasVideo`).
    public var videoKey: String?
    /// Key of an integer media type, 0 audio and 1 video.
    public var mediaTypeKey: String?
    /// Key of an integer ring time-out in milliseconds.
    public var ringTimeoutKey: String?
    /// Key of the message type (Twilio's `twi_message_type`).
    public var messageTypeKey: String?
    /// The message type value that marks a cancel push (the server withdrew the call).
    public var cancelMessageType: String?
    /// Key of the server's sent time, an integer since the Unix epoch in ``sentAtUnit``
    /// (`nil`: no sent time, so no maximum push age,
    /// ``CallEngine/Configuration/maximumPushAge``).
    public var sentAtKey: String?
    /// The unit of ``sentAtKey``'s value (default ``SentAtUnit/seconds``).
    public var sentAtUnit: SentAtUnit

    /// The schema of `preset`, as the library defines it (`ck_schema_preset`).
    public init(preset: Preset) {
        var schema = ck_schema()
        // Every case is a preset the library knows, so this cannot fail; a failure
        // would leave the zeroed schema, which ck_engine_init refuses.
        _ = ck_schema_preset(preset.rawValue, &schema)
        self.init(schema)
    }
}

extension CallEngine {
    /// Everything an engine is configured with: the `CXProviderConfiguration` limits, the
    /// capabilities announced in every `CXCallUpdate`, time-outs, and the payload schema.
    /// `CallEngine.Configuration()` is the library's default (`ck_config_default`): audio only,
    /// Apple's `CXProviderConfiguration` defaults, holding and DTMF supported, 30 s ring,
    /// 10 s answer connect, 5 s push completion, 30 s maximum push age, the
    /// react-native-voip-push schema.
    ///
    /// The time-outs are `Duration`s; the engine counts whole milliseconds, so each is
    /// rounded down to one (a sub-millisecond rest is dropped), and a negative one, or one
    /// of more than `UInt64.max` milliseconds, is refused with
    /// ``EngineError/invalidArgument`` by ``validate()`` and ``CallEngine/init(configuration:)``.
    public struct Configuration: Hashable, Sendable {
        /// `CXProviderConfiguration.maximumCallGroups` (default 2; 0-255)
        /// (https://developer.apple.com/documentation/callkit/cxproviderconfiguration/maximumcallgroups).
        public var maximumCallGroups: Int
        /// `CXProviderConfiguration.maximumCallsPerCallGroup` (default 5; 0-255)
        /// (https://developer.apple.com/documentation/callkit/cxproviderconfiguration/maximumcallspercallgroup).
        public var maximumCallsPerCallGroup: Int
        /// `CXProviderConfiguration.supportsVideo` (default `false`): video pushes ring as
        /// audio, outgoing video is refused.
        public var supportsVideo: Bool
        /// `CXProviderConfiguration.supportedHandleTypes`: the handle types an outgoing call
        /// may use (default all three; empty refuses every outgoing call with
        /// ``EngineError/notSupported(call:)``).
        public var supportedHandleTypes: Set<HandleType>
        /// `CXProviderConfiguration.includesCallsInRecents` (default `true`), carried for
        /// the host.
        public var includesCallsInRecents: Bool
        /// `CXProviderConfiguration.supportsAudioTranslation` (iOS 26; default `false`):
        /// without it every ``CallEngine/Event/performSetTranslating(action:call:isTranslating:localLanguage:remoteLanguage:)``
        /// is failed.
        public var supportsAudioTranslation: Bool
        /// `CXCallUpdate.supportsHolding` for every call (default `true`).
        public var supportsHolding: Bool
        /// `CXCallUpdate.supportsGrouping` (default `false`).
        public var supportsGrouping: Bool
        /// `CXCallUpdate.supportsUngrouping` (default `false`).
        public var supportsUngrouping: Bool
        /// `CXCallUpdate.supportsDTMF` (default `true`).
        public var supportsDTMF: Bool
        /// How long an incoming call rings unanswered before it ends as
        /// ``CallEndedReason/unanswered`` (default 30 s), unless the
        /// payload carries its own (``PayloadSchema/ringTimeoutKey``).
        public var ringTimeout: Duration
        /// How long an answered incoming call waits for its connection before the answer
        /// fails (default 10 s).
        public var answerConnectTimeout: Duration
        /// How long a performed `CXStartCallAction` waits for signaling to report
        /// connecting before the engine fails it, hangs the leg up and ends the call
        /// ``CallEndedReason/failed`` (default 10 s).
        public var startConnectTimeout: Duration
        /// How long an outgoing call that started connecting waits for the far end to
        /// answer before the engine stops ringback, hangs the leg up and ends the call
        /// ``CallEndedReason/unanswered`` (default 60 s).
        public var noAnswerTimeout: Duration
        /// How long after its arrival a push is completed at the latest (default 5 s).
        public var pushCompletionTimeout: Duration
        /// How long after an answer or start action is fulfilled, with the audio session
        /// inactive, the engine waits for `provider(_:didActivate:)` before
        /// ``CallEngine/Effect/audioActivationTimedOut(call:)`` (default 5 s).
        public var audioActivationTimeout: Duration
        /// The oldest a VoIP push may be and still ring, from the payload's
        /// sent time (``PayloadSchema/sentAtKey``) to the wall clock at its arrival (the
        /// `receivedAt` of ``CallEngine/Event/voipPushReceived(push:payload:fallbackCall:mustReport:receivedAt:)``;
        /// default 30 s, the default ring time-out). An older push is a missed call
        /// (``CallEngine/Effect/missedCall(call:update:)``): it never rings or connects. A sent time in
        /// the future (the server's clock ahead of the device's) counts as fresh. Off when
        /// the schema has no sent-time key or the host gives no wall clock.
        public var maximumPushAge: Duration
        /// Where the call fields sit in the payload.
        public var payloadSchema: PayloadSchema

        /// The library's default configuration (see the type's discussion).
        public init() {
            var config = ck_config()
            // Cannot fail with a valid pointer; a failure would leave a zeroed
            // configuration, which ck_engine_init refuses.
            _ = ck_config_default(&config)
            self.init(config)
        }

        /// The default configuration reading payloads with `schema`.
        public init(payloadSchema schema: PayloadSchema) {
            self.init()
            payloadSchema = schema
        }

        /// Checks the configuration as ``CallEngine/init(configuration:)`` does, without an
        /// engine (`ck_config_validate`).
        public func validate() throws(EngineError) {
            var config = try cConfig()
            try check(ck_config_validate(&config))
        }
    }
}
