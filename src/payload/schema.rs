//! The schema: which keys a push payload is read from, and its presets.

use super::seed::read;
use super::*;
use crate::limits::{MAX_PAYLOAD_LEN, MAX_ROOT_SEGMENTS};

/// How the call id value in the payload becomes the call's UUID (`CXCall.uuid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallIdKind {
    /// The value is a JSON string holding a UUID in any form `uuid::Uuid::try_parse`
    /// reads (hyphenated, simple, braced or URN; upper- or lower-case hex), used as is.
    /// Anything else gives [`PayloadError::InvalidCallId`].
    Uuid,
    /// The value is a JSON string holding any non-empty server id of at most
    /// [`MAX_OPAQUE_ID_LEN`](crate::limits::MAX_OPAQUE_ID_LEN) bytes (Twilio's `twi_call_sid`, Telegram's `call_id`, a SIP
    /// Call-ID). The call's UUID is `Uuid::new_v5(&schema.opaque_namespace, id)` over
    /// the unescaped UTF-8 bytes, so every push about the same server call (Twilio's call
    /// and cancel pushes) maps to the same `CallId`.
    Opaque,
}

/// The unit of a payload's sent time ([`PayloadSchema::sent_at_key`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SentAtUnit {
    /// Seconds since the Unix epoch (a JSON integer).
    #[default]
    Seconds,
    /// Milliseconds since the Unix epoch (a JSON integer).
    Milliseconds,
}

/// Where the call fields sit in a VoIP push payload, and what type each has.
///
/// Every key is a [`SchemaKey`]: at most [`MAX_KEY_LEN`] bytes, compared with the
/// payload's keys after unescaping. Keys not named here are skipped at every level. A
/// schema key present twice in the same object is an error
/// ([`PayloadError::DuplicateKey`]); a schema key whose value is `null` counts as
/// absent. `Default` is [`PayloadSchema::react_native_voip_push`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadSchema {
    /// Dotted path from the top-level object to the object holding the call fields:
    /// `""` for the top level, `"data"` for `{"data": {...}}`, up to
    /// [`MAX_ROOT_SEGMENTS`] segments (`"a.b.c.d"`) when set through
    /// [`with_root`](PayloadSchema::with_root). Every segment must name an object; a
    /// missing (or `null`) segment gives [`PayloadError::MissingRoot`], any other value
    /// [`PayloadError::WrongType`]. `parse` follows whatever path is stored here; empty
    /// segments (only possible by setting the field directly) name the key `""`.
    pub root: SchemaKey,
    /// Key of the call id, a JSON string read as `id_kind` says. Absent or `null`:
    /// [`PushPayload::call`] is `None`, and the engine uses the host's fallback UUID
    /// unless [`require_call_id`](PayloadSchema::require_call_id) is set.
    pub id_key: SchemaKey,
    /// Whether every push must carry its call id. When set, a push without one (absent,
    /// `null`) is unusable: it never rings, and is reported and ended at once
    /// ([`PushEndReason::MissingCallId`](crate::PushEndReason::MissingCallId)), or,
    /// under `mustReport == false`, completed without a report. Unset, the call rings
    /// under the host's fallback UUID (a server that lets the app name the call). Set
    /// in the presets whose servers always send the id: flutter_callkit_incoming,
    /// Twilio, Telegram, Linphone.
    pub require_call_id: bool,
    /// How the call id becomes the call's UUID.
    pub id_kind: CallIdKind,
    /// Namespace for [`CallIdKind::Opaque`] ids; [`OPAQUE_ID_NAMESPACE`] in the presets.
    pub opaque_namespace: Uuid,
    /// Key of the remote party's handle (`CXHandle.value`), a JSON string of at most
    /// [`MAX_HANDLE_LEN`](crate::limits::MAX_HANDLE_LEN) bytes after unescaping ([`PayloadError::HandleTooLong`]
    /// otherwise).
    pub handle_key: SchemaKey,
    /// `CXHandle.type` of the handle; `None` guesses it from the value with
    /// [`HandleType::infer`].
    pub handle_type: Option<HandleType>,
    /// Key of the caller's display name (`CXCallUpdate.localizedCallerName`), a JSON
    /// string cut at a character boundary to [`MAX_CALLER_NAME_LEN`](crate::limits::MAX_CALLER_NAME_LEN) bytes.
    pub caller_name_key: Option<SchemaKey>,
    /// Key of a JSON boolean, `true` for a video call (`CXCallUpdate.hasVideo`).
    pub video_key: Option<SchemaKey>,
    /// Key of a JSON integer media type, `0` audio and `1` video (flutter_callkit_incoming's
    /// `type`); any other integer gives [`PayloadError::WrongType`]. When both this and
    /// [`video_key`](PayloadSchema::video_key) are present, the call is video if
    /// either says so.
    pub media_type_key: Option<SchemaKey>,
    /// Key of a JSON integer ring time-out in milliseconds (flutter_callkit_incoming's
    /// `duration`). Values outside `1..=600_000` ms are ignored (the engine's configured
    /// ring time-out applies), not an error.
    pub ring_timeout_key: Option<SchemaKey>,
    /// Key of a JSON string naming the push's purpose (Twilio's `twi_message_type`).
    pub message_type_key: Option<SchemaKey>,
    /// Value of [`message_type_key`](PayloadSchema::message_type_key) that marks a
    /// cancel push (Twilio's `"twilio.voice.cancel"`): the server withdrew the call.
    /// Compared byte for byte after unescaping.
    pub cancel_message_type: Option<SchemaKey>,
    /// Key of a JSON integer holding when the server sent the push, since the Unix
    /// epoch in [`sent_at_unit`](PayloadSchema::sent_at_unit) (QuickBlox's and
    /// Telnyx's timestamps). With it, a push older than
    /// [`Config::max_push_age_ms`](crate::Config::max_push_age_ms) is a missed call;
    /// `None` (every preset) turns the age check off.
    pub sent_at_key: Option<SchemaKey>,
    /// The unit of [`sent_at_key`](PayloadSchema::sent_at_key)'s value.
    pub sent_at_unit: SentAtUnit,
}

#[cfg(feature = "defmt")]
impl defmt::Format for PayloadSchema {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "PayloadSchema {{ root: {=str}, id_key: {=str}, require_call_id: {=bool}, id_kind: {}, opaque_namespace: {=[u8]:02x}, handle_key: {=str}, handle_type: {}, caller_name_key: {}, video_key: {}, media_type_key: {}, ring_timeout_key: {}, message_type_key: {}, cancel_message_type: {}, sent_at_key: {}, sent_at_unit: {} }}",
            self.root.as_str(),
            self.id_key.as_str(),
            self.require_call_id,
            self.id_kind,
            self.opaque_namespace.as_bytes()[..],
            self.handle_key.as_str(),
            self.handle_type,
            self.caller_name_key,
            self.video_key,
            self.media_type_key,
            self.ring_timeout_key,
            self.message_type_key,
            self.cancel_message_type,
            self.sent_at_key,
            self.sent_at_unit,
        )
    }
}

impl Default for PayloadSchema {
    /// [`PayloadSchema::react_native_voip_push`].
    fn default() -> Self {
        PayloadSchema::react_native_voip_push()
    }
}

/// A preset key. The presets' keys are literals well under [`MAX_KEY_LEN`] bytes (the
/// tests check every one); a longer literal would come out empty rather than panic.
fn preset_key(text: &str) -> SchemaKey {
    PayloadSchema::key(text).unwrap_or_default()
}

impl PayloadSchema {
    /// The layout in Apple's PushKit/CallKit examples: `{"callUUID": "<uuid>", "handle":
    /// "<handle>"}` at the top level, handle type inferred, no name, no video flag.
    pub fn apple_docs() -> Self {
        PayloadSchema {
            root: SchemaKey::new(),
            id_key: preset_key("callUUID"),
            require_call_id: false,
            id_kind: CallIdKind::Uuid,
            opaque_namespace: OPAQUE_ID_NAMESPACE,
            handle_key: preset_key("handle"),
            handle_type: None,
            caller_name_key: None,
            video_key: None,
            media_type_key: None,
            ring_timeout_key: None,
            message_type_key: None,
            cancel_message_type: None,
            sent_at_key: None,
            sent_at_unit: SentAtUnit::Seconds,
        }
    }

    /// Apple's Speakerbox sample: `UUID` (a UUID, often upper-case), `handle`,
    /// `hasVideo` (boolean).
    pub fn speakerbox() -> Self {
        PayloadSchema {
            id_key: preset_key("UUID"),
            video_key: Some(preset_key("hasVideo")),
            ..PayloadSchema::apple_docs()
        }
    }

    /// react-native-voip-push-notification / react-native-callkeep: `uuid`, `handle`,
    /// `callerName`, `hasVideo` (boolean), all at the top level. The default schema.
    pub fn react_native_voip_push() -> Self {
        PayloadSchema {
            id_key: preset_key("uuid"),
            caller_name_key: Some(preset_key("callerName")),
            video_key: Some(preset_key("hasVideo")),
            ..PayloadSchema::apple_docs()
        }
    }

    /// flutter_callkit_incoming: `id` (UUID), `nameCaller`, `handle`, `isVideo`
    /// (boolean) and `type` (integer, 0 audio / 1 video), `duration` (ring time-out in
    /// milliseconds).
    pub fn flutter_callkit_incoming() -> Self {
        PayloadSchema {
            id_key: preset_key("id"),
            require_call_id: true,
            caller_name_key: Some(preset_key("nameCaller")),
            video_key: Some(preset_key("isVideo")),
            media_type_key: Some(preset_key("type")),
            ring_timeout_key: Some(preset_key("duration")),
            ..PayloadSchema::apple_docs()
        }
    }

    /// Twilio Programmable Voice: `twi_call_sid` (opaque `CA…` SID), `twi_from` as a
    /// generic handle (`client:alice` or a number), `twi_message_type` with
    /// `"twilio.voice.cancel"` marking a cancel push. Call and cancel pushes for the
    /// same SID map to the same `CallId`.
    pub fn twilio() -> Self {
        PayloadSchema {
            id_key: preset_key("twi_call_sid"),
            require_call_id: true,
            id_kind: CallIdKind::Opaque,
            handle_key: preset_key("twi_from"),
            handle_type: Some(HandleType::Generic),
            message_type_key: Some(preset_key("twi_message_type")),
            cancel_message_type: Some(preset_key("twilio.voice.cancel")),
            ..PayloadSchema::apple_docs()
        }
    }

    /// Telegram-style relay pushes: `call_id` (opaque decimal id), `phoneNumber` as a
    /// phone-number handle.
    pub fn telegram() -> Self {
        PayloadSchema {
            id_key: preset_key("call_id"),
            require_call_id: true,
            id_kind: CallIdKind::Opaque,
            handle_key: preset_key("phoneNumber"),
            handle_type: Some(HandleType::PhoneNumber),
            ..PayloadSchema::apple_docs()
        }
    }

    /// Linphone with the Flexisip push gateway: `call-id` (opaque SIP Call-ID),
    /// `from-uri` as a generic handle (a SIP URI), `display-name`.
    pub fn linphone_flexisip() -> Self {
        PayloadSchema {
            id_key: preset_key("call-id"),
            require_call_id: true,
            id_kind: CallIdKind::Opaque,
            handle_key: preset_key("from-uri"),
            handle_type: Some(HandleType::Generic),
            caller_name_key: Some(preset_key("display-name")),
            ..PayloadSchema::apple_docs()
        }
    }

    /// The react-native layout (`uuid`, `handle`, `callerName`, `hasVideo`) nested in a
    /// `data` object: `{"aps": {...}, "data": {"uuid": ...}}`.
    pub fn nested_data() -> Self {
        PayloadSchema {
            root: preset_key("data"),
            ..PayloadSchema::react_native_voip_push()
        }
    }

    /// `text` as a [`SchemaKey`]; [`SchemaError::KeyTooLong`] above [`MAX_KEY_LEN`]
    /// bytes.
    pub fn key(text: &str) -> Result<SchemaKey, SchemaError> {
        let mut key = SchemaKey::new();
        key.push_str(text).map_err(|_| SchemaError::KeyTooLong)?;
        Ok(key)
    }

    /// This schema reading the call fields from the object at the dotted `path` (`""`
    /// for the top level). Errors: [`SchemaError::KeyTooLong`] above [`MAX_KEY_LEN`]
    /// bytes, [`SchemaError::PathTooDeep`] above [`MAX_ROOT_SEGMENTS`] segments,
    /// [`SchemaError::EmptySegment`] for `".a"`, `"a..b"` or `"a."`.
    pub fn with_root(self, path: &str) -> Result<Self, SchemaError> {
        let root = PayloadSchema::key(path)?;
        if !path.is_empty() {
            if path.split('.').any(str::is_empty) {
                return Err(SchemaError::EmptySegment);
            }
            if path.split('.').count() > MAX_ROOT_SEGMENTS {
                return Err(SchemaError::PathTooDeep);
            }
        }
        Ok(PayloadSchema { root, ..self })
    }

    /// This schema reading the call id from `key` as `kind`.
    /// Errors: [`SchemaError::KeyTooLong`].
    pub fn with_id(self, key: &str, kind: CallIdKind) -> Result<Self, SchemaError> {
        Ok(PayloadSchema {
            id_key: PayloadSchema::key(key)?,
            id_kind: kind,
            ..self
        })
    }

    /// This schema deriving opaque call ids in `namespace` instead of
    /// [`OPAQUE_ID_NAMESPACE`].
    pub fn with_opaque_namespace(self, namespace: Uuid) -> Self {
        PayloadSchema {
            opaque_namespace: namespace,
            ..self
        }
    }

    /// This schema reading the handle from `key`, of type `handle_type` (`None`:
    /// inferred). Errors: [`SchemaError::KeyTooLong`].
    pub fn with_handle(
        self,
        key: &str,
        handle_type: Option<HandleType>,
    ) -> Result<Self, SchemaError> {
        Ok(PayloadSchema {
            handle_key: PayloadSchema::key(key)?,
            handle_type,
            ..self
        })
    }

    /// This schema reading the caller name from `key` (`None`: no caller name).
    /// Errors: [`SchemaError::KeyTooLong`].
    pub fn with_caller_name(self, key: Option<&str>) -> Result<Self, SchemaError> {
        Ok(PayloadSchema {
            caller_name_key: optional_key(key)?,
            ..self
        })
    }

    /// This schema reading the boolean video flag from `key` (`None`: no flag).
    /// Errors: [`SchemaError::KeyTooLong`].
    pub fn with_video(self, key: Option<&str>) -> Result<Self, SchemaError> {
        Ok(PayloadSchema {
            video_key: optional_key(key)?,
            ..self
        })
    }

    /// This schema reading the integer media type (0 audio, 1 video) from `key`
    /// (`None`: no media type). Errors: [`SchemaError::KeyTooLong`].
    pub fn with_media_type(self, key: Option<&str>) -> Result<Self, SchemaError> {
        Ok(PayloadSchema {
            media_type_key: optional_key(key)?,
            ..self
        })
    }

    /// This schema reading the ring time-out in milliseconds from `key` (`None`: the
    /// engine's configured time-out always applies). Errors: [`SchemaError::KeyTooLong`].
    pub fn with_ring_timeout(self, key: Option<&str>) -> Result<Self, SchemaError> {
        Ok(PayloadSchema {
            ring_timeout_key: optional_key(key)?,
            ..self
        })
    }

    /// This schema reading the message type from `key`, a value equal to `cancel_value`
    /// marking a cancel push (`None`s: every push is a call).
    /// Errors: [`SchemaError::KeyTooLong`] for either string.
    pub fn with_message_type(
        self,
        key: Option<&str>,
        cancel_value: Option<&str>,
    ) -> Result<Self, SchemaError> {
        Ok(PayloadSchema {
            message_type_key: optional_key(key)?,
            cancel_message_type: optional_key(cancel_value)?,
            ..self
        })
    }

    /// This schema requiring (or not) a call id in every push
    /// ([`require_call_id`](PayloadSchema::require_call_id)).
    pub fn with_required_call_id(self, required: bool) -> Self {
        PayloadSchema {
            require_call_id: required,
            ..self
        }
    }

    /// This schema reading the server's sent time from `key` in `unit` (`None`: no
    /// sent time, no age check). Errors: [`SchemaError::KeyTooLong`].
    pub fn with_sent_at(self, key: Option<&str>, unit: SentAtUnit) -> Result<Self, SchemaError> {
        Ok(PayloadSchema {
            sent_at_key: optional_key(key)?,
            sent_at_unit: unit,
            ..self
        })
    }

    /// The call UUID this schema gives a push whose call id value is `id` (the value's
    /// text, unescaped): for [`CallIdKind::Uuid`] the UUID it spells, for
    /// [`CallIdKind::Opaque`] `Uuid::new_v5(&opaque_namespace, id)`. `None` when `id` is
    /// no valid id for the schema (not a UUID; empty or over
    /// [`MAX_OPAQUE_ID_LEN`](crate::limits::MAX_OPAQUE_ID_LEN) bytes). How an app maps
    /// its server's own call id (Twilio's `CA…` SID, a SIP Call-ID) to CallKit's UUID
    /// without deriving it itself.
    pub fn call_id(&self, id: &str) -> Option<CallId> {
        match self.id_kind {
            CallIdKind::Uuid => Uuid::try_parse(id).ok().map(CallId),
            CallIdKind::Opaque => (!id.is_empty() && id.len() <= crate::limits::MAX_OPAQUE_ID_LEN)
                .then(|| CallId(Uuid::new_v5(&self.opaque_namespace, id.as_bytes()))),
        }
    }

    /// Reads a VoIP push payload (the JSON bytes of `PKPushPayload.dictionaryPayload`)
    /// under this schema.
    ///
    /// The payload must be one JSON object, UTF-8, no byte-order mark, nothing but
    /// whitespace after it, at most [`MAX_PAYLOAD_LEN`] bytes and [`MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH)
    /// levels deep. Errors, in the order they are checked: [`PayloadError::TooLarge`],
    /// then [`PayloadError::Syntax`] when the first non-whitespace byte is not `{`, then
    /// the first problem met reading the object front to back (nesting deeper than
    /// [`MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH) is [`PayloadError::TooDeep`] where it is met), then
    /// [`PayloadError::MissingRoot`]. Absent and `null` fields are not errors: they
    /// come out as `None` / `false`.
    ///
    /// Values the schema does not read are checked only as far as serde-json-core checks
    /// them while skipping: strings must be closed and UTF-8 (their escapes are not
    /// checked), arrays and objects balanced, and an unquoted scalar is skipped up to
    /// the next `,`, `}` or `]` without being validated.
    pub fn parse(&self, payload: &[u8]) -> Result<PushPayload, PayloadError> {
        self.parse_at(payload).map_err(|(error, _)| error)
    }

    /// [`PayloadSchema::parse`], and on failure the schema field whose value was being
    /// read when the error was found (`None` outside any: the size, the text around
    /// the fields, a value the schema skips, a key's escape).
    pub(crate) fn parse_at(
        &self,
        payload: &[u8],
    ) -> Result<PushPayload, (PayloadError, Option<PayloadField>)> {
        if payload.len() > MAX_PAYLOAD_LEN {
            return Err((PayloadError::TooLarge { len: payload.len() }, None));
        }
        let first = payload
            .iter()
            .find(|&&b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'));
        if first != Some(&b'{') {
            return Err((PayloadError::Syntax, None));
        }

        read(self, payload)
    }
}

fn optional_key(text: Option<&str>) -> Result<Option<SchemaKey>, SchemaError> {
    text.map(PayloadSchema::key).transpose()
}
