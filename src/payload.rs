//! Reading a PushKit VoIP push payload under a host-configured schema.
//!
//! PushKit hands the app the push as `PKPushPayload.dictionaryPayload`; the host
//! serialises it back to JSON (`JSONSerialization.data(withJSONObject:)`) and passes the
//! bytes to [`PayloadSchema::parse`]. Servers disagree on where they put the call id,
//! the caller's handle and the caller's name, so the layout is data: a
//! [`PayloadSchema`] names the keys, and presets cover the layouts seen in the wild
//! (Apple's documentation, Speakerbox, react-native-voip-push-notification,
//! flutter_callkit_incoming, Twilio, Telegram, Linphone/Flexisip).
//!
//! A payload that cannot be read is still a VoIP push: since iOS 13 every VoIP push must
//! be reported to CallKit (`reportNewIncomingCall`) before the delegate returns, or
//! PushKit terminates the app and may stop delivering VoIP pushes. A [`PayloadError`]
//! therefore never means "drop the push"; the engine reports a call under the host's
//! fallback UUID and ends it.
//!
//! # How the bytes are read
//!
//! 1. More than [`MAX_PAYLOAD_LEN`] bytes: [`PayloadError::TooLarge`], nothing else read.
//! 2. The first non-whitespace byte must be `{`: [`PayloadError::Syntax`] otherwise.
//! 3. serde-json-core reads the object through a hand-written visitor that follows the
//!    schema: keys on the [root path](PayloadSchema::root) are descended into, keys of
//!    the schema are read with their JSON type, every other value is skipped through a
//!    seed that counts its nesting and refuses to open a level deeper than
//!    [`MAX_JSON_DEPTH`] ([`PayloadError::TooDeep`]): serde-json-core recurses once per
//!    level without a limit of its own, and an iOS secondary thread has 512 KiB of
//!    stack.
//! 4. Strings are taken raw (escaped) from the input and unescaped here, so that
//!    surrogate pairs (`\ud83d\udcde`, 📞) decode; serde-json-core's own unescaper
//!    rejects them.
//!
//! Nothing is allocated: every result is held in fixed-capacity `heapless` strings.

use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json_core::str::EscapedStr;
use uuid::Uuid;

use crate::types::{CallId, CallerName, Handle, HandleType, MAX_CALLER_NAME_LEN, MAX_HANDLE_LEN};

/// Largest payload read, in bytes: APNs refuses VoIP notification payloads above 5 KB
/// (5120 bytes; "Sending notification requests to APNs"), so anything bigger did not
/// come from APNs. Checked before any parsing; bigger payloads give
/// [`PayloadError::TooLarge`]. A payload of exactly this length is read.
pub const MAX_PAYLOAD_LEN: usize = 5120;

/// Longest schema key, and longest [root path](PayloadSchema::root) including its dots,
/// in bytes of UTF-8. This is the capacity of [`SchemaKey`].
pub const MAX_KEY_LEN: usize = 32;

/// Deepest nesting of JSON objects and arrays accepted, counting the top-level object
/// as depth 1. Deeper payloads give [`PayloadError::TooDeep`]: every skipped object or
/// array goes through a seed that counts its depth and refuses to open one more, which
/// bounds serde-json-core's recursion (and so its stack use).
pub const MAX_JSON_DEPTH: usize = 16;

/// Longest opaque server call id (a [`CallIdKind::Opaque`] value), in bytes of UTF-8
/// after unescaping. Longer or empty ids give [`PayloadError::InvalidCallId`].
pub const MAX_OPAQUE_ID_LEN: usize = 128;

/// Most segments in a [root path](PayloadSchema::root) accepted by
/// [`PayloadSchema::with_root`] (`"a.b.c.d"`); more give [`SchemaError::PathTooDeep`].
pub const MAX_ROOT_SEGMENTS: usize = 4;

/// The default namespace for deriving a call UUID from an opaque server call id:
/// `e9802fda-354a-4b03-8e7a-5ac7a82158ce`, a random (version 4) UUID fixed for this
/// crate. It never changes, so the same opaque id maps to the same `CallId` in every
/// release, and a server can compute the id itself as
/// `UUIDv5(e9802fda-354a-4b03-8e7a-5ac7a82158ce, <opaque id as UTF-8>)`.
pub const OPAQUE_ID_NAMESPACE: Uuid = Uuid::from_u128(0xe980_2fda_354a_4b03_8e7a_5ac7_a821_58ce);

/// A key of a [`PayloadSchema`]: a JSON object key (compared after unescaping, byte for
/// byte, case-sensitive), or a dotted root path; at most [`MAX_KEY_LEN`] bytes.
pub type SchemaKey = heapless::String<MAX_KEY_LEN>;

/// How the call id value in the payload becomes the call's UUID (`CXCall.uuid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallIdKind {
    /// The value is a JSON string holding a UUID in any form `uuid::Uuid::try_parse`
    /// reads (hyphenated, simple, braced or URN; upper- or lower-case hex), used as is.
    /// Anything else gives [`PayloadError::InvalidCallId`].
    Uuid,
    /// The value is a JSON string holding any non-empty server id of at most
    /// [`MAX_OPAQUE_ID_LEN`] bytes (Twilio's `twi_call_sid`, Telegram's `call_id`, a SIP
    /// Call-ID). The call's UUID is `Uuid::new_v5(&schema.opaque_namespace, id)` over
    /// the unescaped UTF-8 bytes, so every push about the same server call (Twilio's call
    /// and cancel pushes) maps to the same `CallId`.
    Opaque,
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
    /// [`PushPayload::call`] is `None` and the engine uses the host's fallback UUID.
    pub id_key: SchemaKey,
    /// How the call id becomes the call's UUID.
    pub id_kind: CallIdKind,
    /// Namespace for [`CallIdKind::Opaque`] ids; [`OPAQUE_ID_NAMESPACE`] in the presets.
    pub opaque_namespace: Uuid,
    /// Key of the remote party's handle (`CXHandle.value`), a JSON string of at most
    /// [`MAX_HANDLE_LEN`] bytes after unescaping ([`PayloadError::HandleTooLong`]
    /// otherwise).
    pub handle_key: SchemaKey,
    /// `CXHandle.type` of the handle; `None` guesses it from the value with
    /// [`HandleType::infer`].
    pub handle_type: Option<HandleType>,
    /// Key of the caller's display name (`CXCallUpdate.localizedCallerName`), a JSON
    /// string cut at a character boundary to [`MAX_CALLER_NAME_LEN`] bytes.
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
}

#[cfg(feature = "defmt")]
impl defmt::Format for PayloadSchema {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "PayloadSchema {{ root: {=str}, id_key: {=str}, id_kind: {}, opaque_namespace: {=[u8]:02x}, handle_key: {=str}, handle_type: {}, caller_name_key: {}, video_key: {}, media_type_key: {}, ring_timeout_key: {}, message_type_key: {}, cancel_message_type: {} }}",
            self.root.as_str(),
            self.id_key.as_str(),
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

    /// Reads a VoIP push payload (the JSON bytes of `PKPushPayload.dictionaryPayload`)
    /// under this schema.
    ///
    /// The payload must be one JSON object, UTF-8, no byte-order mark, nothing but
    /// whitespace after it, at most [`MAX_PAYLOAD_LEN`] bytes and [`MAX_JSON_DEPTH`]
    /// levels deep. Errors, in the order they are checked: [`PayloadError::TooLarge`],
    /// then [`PayloadError::Syntax`] when the first non-whitespace byte is not `{`, then
    /// the first problem met reading the object front to back (nesting deeper than
    /// [`MAX_JSON_DEPTH`] is [`PayloadError::TooDeep`] where it is met), then
    /// [`PayloadError::MissingRoot`]. Absent and `null` fields are not errors: they
    /// come out as `None` / `false`.
    ///
    /// Values the schema does not read are checked only as far as serde-json-core checks
    /// them while skipping: strings must be closed and UTF-8 (their escapes are not
    /// checked), arrays and objects balanced, and an unquoted scalar is skipped up to
    /// the next `,`, `}` or `]` without being validated.
    pub fn parse(&self, payload: &[u8]) -> Result<PushPayload, PayloadError> {
        if payload.len() > MAX_PAYLOAD_LEN {
            return Err(PayloadError::TooLarge { len: payload.len() });
        }
        let first = payload
            .iter()
            .find(|&&b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'));
        if first != Some(&b'{') {
            return Err(PayloadError::Syntax);
        }

        let mut ctx = Ctx {
            schema: self,
            root_depth: if self.root.is_empty() {
                0
            } else {
                self.root.split('.').count()
            },
            found: Found::default(),
            error: None,
        };
        let mut de = serde_json_core::de::Deserializer::new(payload, None);
        let read = Object {
            ctx: &mut ctx,
            level: 0,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if let Err(e) = read {
            return Err(ctx.error.unwrap_or(map_json_error(&e)));
        }

        let found = ctx.found;
        if !found.root {
            return Err(PayloadError::MissingRoot);
        }
        Ok(PushPayload {
            call: found.call,
            kind: if found.cancel {
                PushKind::Cancel
            } else {
                PushKind::Call
            },
            handle: found.handle,
            caller_name: found.caller_name,
            has_video: found.video_flag || found.media_video,
            ring_timeout_ms: found.ring_timeout_ms,
        })
    }
}

fn optional_key(text: Option<&str>) -> Result<Option<SchemaKey>, SchemaError> {
    text.map(PayloadSchema::key).transpose()
}

/// What a VoIP push asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PushKind {
    /// A new incoming call: report it with `reportNewIncomingCall`.
    Call,
    /// The server withdrew the call (the schema's
    /// [`cancel_message_type`](PayloadSchema::cancel_message_type) matched). PushKit
    /// still requires a call to be reported for this push; the engine reports and ends
    /// it, or ends the call it names.
    Cancel,
}

/// The call fields read from one VoIP push payload.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PushPayload {
    /// The call's UUID (`CXCall.uuid`), from the schema's id key. `None` when the key is
    /// absent or `null`; the engine then uses the host's fallback UUID.
    pub call: Option<CallId>,
    /// Call or cancel.
    pub kind: PushKind,
    /// The remote party (`CXCallUpdate.remoteHandle`), at most [`MAX_HANDLE_LEN`] bytes.
    /// `None` when the key is absent, `null` or the empty string.
    pub handle: Option<Handle>,
    /// `CXCallUpdate.localizedCallerName`, unescaped and cut at a character boundary to
    /// [`MAX_CALLER_NAME_LEN`] bytes. `None` when the key is absent, `null` or the empty
    /// string (CallKit then shows the handle).
    pub caller_name: Option<CallerName>,
    /// `CXCallUpdate.hasVideo`: the video flag or the media type said video.
    pub has_video: bool,
    /// The payload's own ring time-out in milliseconds, when present and within
    /// `1..=600_000`.
    pub ring_timeout_ms: Option<u64>,
}

/// Why a VoIP push payload could not be read.
///
/// serde-json-core's errors are mapped as follows: `InvalidType` (a schema key's value
/// has another JSON type than the schema says) and `CustomError` (a type mismatch found
/// by a serde visitor) become [`PayloadError::WrongType`]; every other serde-json-core
/// error (end of input, unexpected character, trailing characters, bad number or
/// literal, invalid UTF-8 in a string, ...) becomes [`PayloadError::Syntax`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PayloadError {
    /// The payload is longer than [`MAX_PAYLOAD_LEN`] (APNs' 5120-byte VoIP limit);
    /// `len` is its length in bytes.
    TooLarge {
        /// The payload's length, in bytes.
        len: usize,
    },
    /// Objects and arrays nest deeper than [`MAX_JSON_DEPTH`].
    TooDeep,
    /// Not one well-formed JSON object: empty, a byte-order mark or anything else before
    /// the `{`, a top level that is not an object, truncated, not UTF-8, trailing
    /// characters, a literal or number the schema reads that is malformed, a raw
    /// control character inside a string the schema reads, or an integer field with a
    /// fraction, an exponent or more than 64 bits. A literal or number in a value the
    /// schema does not read is skipped up to the next `,`, `}` or `]` unchecked
    /// (serde-json-core's skipping), so `{"x":1"y"}` is accepted; `JSONSerialization`
    /// never writes such text.
    Syntax,
    /// A schema key (or root path segment) holds another JSON type than the schema
    /// expects, or the media type is an integer other than 0 or 1.
    WrongType,
    /// A schema key (or root path segment) appears twice in the same object, compared
    /// after unescaping. Duplicates of keys the schema does not read are not detected.
    DuplicateKey,
    /// The call id is not a UUID ([`CallIdKind::Uuid`]), or is empty or longer than
    /// [`MAX_OPAQUE_ID_LEN`] bytes ([`CallIdKind::Opaque`]).
    InvalidCallId,
    /// The handle is longer than [`MAX_HANDLE_LEN`] bytes after unescaping (a cut
    /// handle would call back the wrong party).
    HandleTooLong,
    /// A string the schema reads, or a key of an object on the root path, holds an
    /// invalid escape: an unknown `\x`, a `\u` without four hex digits, or a lone or
    /// mismatched UTF-16 surrogate.
    InvalidEscape,
    /// The schema's non-empty root path is not in the payload (a segment is absent or
    /// `null`).
    MissingRoot,
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadError::TooLarge { len } => write!(
                f,
                "VoIP push payload of {len} bytes exceeds the {MAX_PAYLOAD_LEN}-byte limit"
            ),
            PayloadError::TooDeep => write!(
                f,
                "VoIP push payload nests deeper than {MAX_JSON_DEPTH} levels"
            ),
            PayloadError::Syntax => {
                f.write_str("VoIP push payload is not a well-formed JSON object")
            }
            PayloadError::WrongType => {
                f.write_str("a VoIP push payload field has the wrong JSON type")
            }
            PayloadError::DuplicateKey => {
                f.write_str("a VoIP push payload field appears twice in the same object")
            }
            PayloadError::InvalidCallId => {
                f.write_str("the VoIP push payload's call id is invalid")
            }
            PayloadError::HandleTooLong => write!(
                f,
                "the VoIP push payload's handle exceeds {MAX_HANDLE_LEN} bytes"
            ),
            PayloadError::InvalidEscape => {
                f.write_str("a VoIP push payload string holds an invalid escape")
            }
            PayloadError::MissingRoot => {
                f.write_str("the VoIP push payload lacks the schema's root object")
            }
        }
    }
}

/// Why a [`PayloadSchema`] could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SchemaError {
    /// A key or root path is longer than [`MAX_KEY_LEN`] bytes.
    KeyTooLong,
    /// A root path has more than [`MAX_ROOT_SEGMENTS`] segments.
    PathTooDeep,
    /// A root path has an empty segment (`".a"`, `"a..b"`, `"a."`).
    EmptySegment,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaError::KeyTooLong => write!(f, "schema key exceeds {MAX_KEY_LEN} bytes"),
            SchemaError::PathTooDeep => write!(
                f,
                "schema root path has more than {MAX_ROOT_SEGMENTS} segments"
            ),
            SchemaError::EmptySegment => f.write_str("schema root path has an empty segment"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// String unescaping
// ---------------------------------------------------------------------------------------

/// The characters of a raw JSON string body (between the quotes), unescaped.
///
/// Yields `Err(InvalidEscape)` for a bad escape and `Err(Syntax)` for a raw control
/// character (U+0000 to U+001F), then stops.
struct Unescape<'a> {
    rest: &'a str,
}

impl Iterator for Unescape<'_> {
    type Item = Result<char, PayloadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut chars = self.rest.chars();
        let item = match chars.next()? {
            '\\' => unescape_one(&mut chars),
            c if u32::from(c) < 0x20 => Err(PayloadError::Syntax),
            c => Ok(c),
        };
        self.rest = if item.is_ok() { chars.as_str() } else { "" };
        Some(item)
    }
}

/// Decodes the escape after a backslash.
fn unescape_one(chars: &mut core::str::Chars<'_>) -> Result<char, PayloadError> {
    let c = match chars.next() {
        Some('"') => '"',
        Some('\\') => '\\',
        Some('/') => '/',
        Some('b') => '\u{8}',
        Some('f') => '\u{c}',
        Some('n') => '\n',
        Some('r') => '\r',
        Some('t') => '\t',
        Some('u') => {
            let unit = hex4(chars)?;
            let code = match unit {
                0xD800..=0xDBFF => {
                    if chars.next() != Some('\\') || chars.next() != Some('u') {
                        return Err(PayloadError::InvalidEscape);
                    }
                    let low = hex4(chars)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return Err(PayloadError::InvalidEscape);
                    }
                    // At most 0x10000 + (0x3FF << 10) + 0x3FF = 0x10FFFF: no overflow.
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                0xDC00..=0xDFFF => return Err(PayloadError::InvalidEscape),
                _ => unit,
            };
            return char::from_u32(code).ok_or(PayloadError::InvalidEscape);
        }
        _ => return Err(PayloadError::InvalidEscape),
    };
    Ok(c)
}

/// Four hex digits (either case) as a UTF-16 code unit, at most 0xFFFF.
fn hex4(chars: &mut core::str::Chars<'_>) -> Result<u32, PayloadError> {
    let mut unit = 0u32;
    for _ in 0..4 {
        let digit = chars
            .next()
            .and_then(|c| c.to_digit(16))
            .ok_or(PayloadError::InvalidEscape)?;
        unit = (unit << 4) | digit;
    }
    Ok(unit)
}

/// Unescapes `raw` into `out`, whole characters only: once a character does not fit,
/// nothing more is pushed (so `out` is a prefix cut at a character boundary), but the
/// rest is still checked for bad escapes. Returns whether everything fit.
fn decode_into<const N: usize>(
    raw: &str,
    out: &mut heapless::String<N>,
) -> Result<bool, PayloadError> {
    // Fast path: nothing to unescape and no control byte, so the text is the value;
    // copy it whole (or its longest prefix that ends on a character boundary).
    if !raw.bytes().any(|b| b == b'\\' || b < 0x20) {
        let room = N.saturating_sub(out.len());
        let mut end = raw.len().min(room);
        while !raw.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let head = raw.get(..end).unwrap_or("");
        // Cannot fail: `head` fits in the room left.
        let _ = out.push_str(head);
        return Ok(end == raw.len());
    }
    let mut fits = true;
    for c in (Unescape { rest: raw }) {
        let c = c?;
        if fits && out.push(c).is_err() {
            fits = false;
        }
    }
    Ok(fits)
}

// ---------------------------------------------------------------------------------------
// Schema-driven visitor
// ---------------------------------------------------------------------------------------

/// Maps a serde-json-core error that no visitor of ours recorded (see [`PayloadError`]).
fn map_json_error(e: &serde_json_core::de::Error) -> PayloadError {
    match e {
        serde_json_core::de::Error::InvalidType | serde_json_core::de::Error::CustomError => {
            PayloadError::WrongType
        }
        _ => PayloadError::Syntax,
    }
}

/// The fields found so far.
#[derive(Default)]
struct Found {
    root: bool,
    call: Option<CallId>,
    handle: Option<Handle>,
    caller_name: Option<CallerName>,
    video_flag: bool,
    media_video: bool,
    ring_timeout_ms: Option<u64>,
    cancel: bool,
}

/// State shared by the visitors of one `parse`.
struct Ctx<'s> {
    schema: &'s PayloadSchema,
    /// Segments in the root path.
    root_depth: usize,
    found: Found,
    /// The precise error behind a `CustomError` a visitor returned.
    error: Option<PayloadError>,
}

/// A key the schema reads, in one object.
#[derive(Clone, Copy)]
enum Field {
    Root,
    Id,
    Handle,
    CallerName,
    Video,
    MediaType,
    RingTimeout,
    MessageType,
}

impl Field {
    /// This field's bit in an object's set of seen keys (8 fields, 8 bits).
    fn bit(self) -> u8 {
        match self {
            Field::Root => 1,
            Field::Id => 1 << 1,
            Field::Handle => 1 << 2,
            Field::CallerName => 1 << 3,
            Field::Video => 1 << 4,
            Field::MediaType => 1 << 5,
            Field::RingTimeout => 1 << 6,
            Field::MessageType => 1 << 7,
        }
    }
}

impl Ctx<'_> {
    /// Records `error` and returns the serde error that aborts the parse with it.
    fn fail<E: de::Error>(&mut self, error: PayloadError) -> E {
        self.error = Some(error);
        E::custom(error)
    }

    /// Which schema field the raw (escaped) key `raw` is in an object at `level` of
    /// the root path; `None` for keys to skip.
    fn classify(&self, raw: &str, level: usize) -> Result<Option<Field>, PayloadError> {
        let mut decoded = SchemaKey::new();
        let key = if raw.bytes().any(|b| b == b'\\' || b < 0x20) {
            if !decode_into(raw, &mut decoded)? {
                return Ok(None); // longer than any schema key
            }
            decoded.as_str()
        } else {
            // Nothing to unescape: compare the key as it stands.
            raw
        };
        let schema = self.schema;
        if level < self.root_depth {
            let segment = schema.root.split('.').nth(level);
            return Ok((segment == Some(key)).then_some(Field::Root));
        }
        let is = |k: &Option<SchemaKey>| k.as_deref() == Some(key);
        Ok(if key == schema.id_key.as_str() {
            Some(Field::Id)
        } else if key == schema.handle_key.as_str() {
            Some(Field::Handle)
        } else if is(&schema.caller_name_key) {
            Some(Field::CallerName)
        } else if is(&schema.video_key) {
            Some(Field::Video)
        } else if is(&schema.media_type_key) {
            Some(Field::MediaType)
        } else if is(&schema.ring_timeout_key) {
            Some(Field::RingTimeout)
        } else if is(&schema.message_type_key) {
            Some(Field::MessageType)
        } else {
            None
        })
    }

    fn set_id(&mut self, raw: &str) -> Result<(), PayloadError> {
        let uuid = match self.schema.id_kind {
            // Plain UUID text (hex digits and hyphens: nothing to unescape) parses as
            // is; anything else is unescaped first.
            CallIdKind::Uuid => match Uuid::try_parse(raw) {
                Ok(uuid) => uuid,
                Err(_) => {
                    // The longest form try_parse reads is the 45-byte URN.
                    let mut text = heapless::String::<64>::new();
                    if !decode_into(raw, &mut text)? {
                        return Err(PayloadError::InvalidCallId);
                    }
                    Uuid::try_parse(&text).map_err(|_| PayloadError::InvalidCallId)?
                }
            },
            CallIdKind::Opaque => {
                let mut text = heapless::String::<MAX_OPAQUE_ID_LEN>::new();
                if !decode_into(raw, &mut text)? || text.is_empty() {
                    return Err(PayloadError::InvalidCallId);
                }
                Uuid::new_v5(&self.schema.opaque_namespace, text.as_bytes())
            }
        };
        self.found.call = Some(CallId(uuid));
        Ok(())
    }

    fn set_handle(&mut self, raw: &str) -> Result<(), PayloadError> {
        let mut value = heapless::String::<MAX_HANDLE_LEN>::new();
        if !decode_into(raw, &mut value)? {
            return Err(PayloadError::HandleTooLong);
        }
        self.found.handle = (!value.is_empty()).then(|| Handle {
            kind: self
                .schema
                .handle_type
                .unwrap_or_else(|| HandleType::infer(&value)),
            value,
        });
        Ok(())
    }

    fn set_caller_name(&mut self, raw: &str) -> Result<(), PayloadError> {
        let mut name = heapless::String::<MAX_CALLER_NAME_LEN>::new();
        decode_into(raw, &mut name)?; // cut when full
        self.found.caller_name = (!name.is_empty()).then_some(CallerName(name));
        Ok(())
    }

    fn set_message_type(&mut self, raw: &str) -> Result<(), PayloadError> {
        let mut value = SchemaKey::new();
        let fits = decode_into(raw, &mut value)?;
        self.found.cancel = fits && self.schema.cancel_message_type.as_ref() == Some(&value);
        Ok(())
    }

    fn set_media_type(&mut self, media_type: i64) -> Result<(), PayloadError> {
        self.found.media_video = match media_type {
            0 => false,
            1 => true,
            _ => return Err(PayloadError::WrongType),
        };
        Ok(())
    }

    fn set_ring_timeout(&mut self, timeout_ms: i64) {
        self.found.ring_timeout_ms = u64::try_from(timeout_ms)
            .ok()
            .filter(|ms| (1..=600_000).contains(ms));
    }
}

/// A key, taken raw (still escaped) from the input. The key deserializer of
/// serde-json-core supports only string requests, so this asks for exactly that.
struct RawKey;

impl<'de> DeserializeSeed<'de> for RawKey {
    type Value = &'de str;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<&'de str, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RawKey {
    type Value = &'de str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<&'de str, E> {
        Ok(v)
    }
}

/// An object at `level` of the root path (level 0 is the top-level object); the call
/// fields are read once `level` reaches the root path's length.
struct Object<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    level: usize,
}

impl<'de> DeserializeSeed<'de> for Object<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Object<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        if self.level >= ctx.root_depth {
            ctx.found.root = true;
        }
        let mut seen: u8 = 0;
        while let Some(raw_key) = map.next_key_seed(RawKey)? {
            let field = match ctx.classify(raw_key, self.level) {
                Ok(Some(field)) => field,
                Ok(None) => {
                    // A value in the object at `level` (depth level + 1) sits at depth
                    // level + 2 if it is an object or array.
                    map.next_value_seed(Skip {
                        ctx: &mut *ctx,
                        depth: self.level.saturating_add(2),
                    })?;
                    continue;
                }
                Err(e) => return Err(ctx.fail(e)),
            };
            if seen & field.bit() != 0 {
                return Err(ctx.fail(PayloadError::DuplicateKey));
            }
            seen |= field.bit();
            let done = match field {
                Field::Root => {
                    let inner = Object {
                        ctx: &mut *ctx,
                        level: self.level.saturating_add(1),
                    };
                    map.next_value_seed(Nullable(inner))?;
                    Ok(())
                }
                Field::Id => match map.next_value::<Option<EscapedStr<'de>>>()? {
                    Some(raw) => ctx.set_id(raw.0),
                    None => Ok(()),
                },
                Field::Handle => match map.next_value::<Option<EscapedStr<'de>>>()? {
                    Some(raw) => ctx.set_handle(raw.0),
                    None => Ok(()),
                },
                Field::CallerName => match map.next_value::<Option<EscapedStr<'de>>>()? {
                    Some(raw) => ctx.set_caller_name(raw.0),
                    None => Ok(()),
                },
                Field::MessageType => match map.next_value::<Option<EscapedStr<'de>>>()? {
                    Some(raw) => ctx.set_message_type(raw.0),
                    None => Ok(()),
                },
                Field::Video => {
                    ctx.found.video_flag = map.next_value::<Option<bool>>()?.unwrap_or(false);
                    Ok(())
                }
                Field::MediaType => match map.next_value::<Option<i64>>()? {
                    Some(media_type) => ctx.set_media_type(media_type),
                    None => Ok(()),
                },
                Field::RingTimeout => {
                    if let Some(timeout_ms) = map.next_value::<Option<i64>>()? {
                        ctx.set_ring_timeout(timeout_ms);
                    }
                    Ok(())
                }
            };
            if let Err(e) = done {
                return Err(ctx.fail(e));
            }
        }
        Ok(())
    }
}

/// `seed`'s value, or `None` for a JSON `null`.
struct Nullable<S>(S);

/// A value the schema does not read, skipped with its nesting counted: `depth` is the
/// depth it has if it is an object or array. serde-json-core recurses into skipped
/// containers without a limit, so every one goes through this seed, which refuses to
/// open one deeper than [`MAX_JSON_DEPTH`] ([`PayloadError::TooDeep`]) before
/// serde-json-core reads its contents.
struct Skip<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    depth: usize,
}

impl Skip<'_, '_> {
    fn enter<E: de::Error>(&mut self) -> Result<usize, E> {
        if self.depth > MAX_JSON_DEPTH {
            return Err(self.ctx.fail(PayloadError::TooDeep));
        }
        Ok(self.depth.saturating_add(1))
    }
}

impl<'de> DeserializeSeed<'de> for Skip<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_ignored_any(self)
    }
}

impl<'de> Visitor<'de> for Skip<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
        while map.next_key_seed(RawKey)?.is_some() {
            map.next_value_seed(Skip {
                ctx: &mut *self.ctx,
                depth: inner,
            })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
        while seq
            .next_element_seed(Skip {
                ctx: &mut *self.ctx,
                depth: inner,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uuid(text: &str) -> CallId {
        CallId(Uuid::try_parse(text).unwrap_or_default())
    }

    fn opaque(id: &str) -> CallId {
        CallId(Uuid::new_v5(&OPAQUE_ID_NAMESPACE, id.as_bytes()))
    }

    fn handle(kind: HandleType, value: &str) -> Option<Handle> {
        Handle::new(kind, value)
    }

    fn name(text: &str) -> Option<CallerName> {
        Some(CallerName::truncating(text))
    }

    #[test]
    fn apple_docs_calluuid() {
        let p = PayloadSchema::apple_docs()
            .parse(include_bytes!("../tests/payloads/apple-docs-calluuid.json"))
            .unwrap();
        assert_eq!(p.call, Some(uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11")));
        assert_eq!(p.kind, PushKind::Call);
        assert_eq!(p.handle, handle(HandleType::PhoneNumber, "+14085551234"));
        assert_eq!(p.caller_name, None);
        assert!(!p.has_video);
        assert_eq!(p.ring_timeout_ms, None);
    }

    #[test]
    fn speakerbox_uppercase_uuid() {
        let p = PayloadSchema::speakerbox()
            .parse(include_bytes!(
                "../tests/payloads/speakerbox-uppercase-uuid.json"
            ))
            .unwrap();
        assert_eq!(p.call, Some(uuid("e621e1f8-c36c-495a-93fc-0c247a3e6e5f")));
        assert_eq!(p.handle, handle(HandleType::PhoneNumber, "+821012345678"));
        assert!(p.has_video);
    }

    #[test]
    fn callername_no_uuid() {
        let p = PayloadSchema::default()
            .parse(include_bytes!("../tests/payloads/callername-no-uuid.json"))
            .unwrap();
        assert_eq!(p.call, None);
        assert_eq!(
            p.handle,
            handle(HandleType::EmailAddress, "alice@example.org")
        );
        assert_eq!(p.caller_name, name("Alice Kim"));
        assert!(!p.has_video);
    }

    #[test]
    fn rn_voip_push() {
        let p = PayloadSchema::react_native_voip_push()
            .parse(include_bytes!("../tests/payloads/rn-voip-push.json"))
            .unwrap();
        assert_eq!(p.call, Some(uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
        assert_eq!(p.handle, handle(HandleType::PhoneNumber, "+442071838750"));
        assert_eq!(p.caller_name, name("Bob"));
        assert!(!p.has_video);
    }

    #[test]
    fn flutter_callkit_incoming() {
        let p = PayloadSchema::flutter_callkit_incoming()
            .parse(include_bytes!(
                "../tests/payloads/flutter-callkit-incoming.json"
            ))
            .unwrap();
        assert_eq!(p.call, Some(uuid("44d915e1-5ff4-4bed-bf13-c423048ec97a")));
        assert_eq!(p.handle, handle(HandleType::PhoneNumber, "0123456789"));
        assert_eq!(p.caller_name, name("Hien Nguyen"));
        assert!(p.has_video);
        assert_eq!(p.ring_timeout_ms, None);
    }

    #[test]
    fn flutter_callkit_incoming_full() {
        let p = PayloadSchema::flutter_callkit_incoming()
            .parse(include_bytes!(
                "../tests/payloads/flutter-callkit-incoming-full.json"
            ))
            .unwrap();
        assert_eq!(p.call, Some(uuid("a3f7c2d0-1e4b-4f9a-8c6d-2b1e0f9d7c35")));
        assert_eq!(p.handle, handle(HandleType::PhoneNumber, "+4930901820"));
        assert_eq!(p.caller_name, name("Jürgen Müller"));
        assert!(!p.has_video);
        assert_eq!(p.ring_timeout_ms, Some(30_000));
    }

    #[test]
    fn twilio_call() {
        let p = PayloadSchema::twilio()
            .parse(include_bytes!("../tests/payloads/twilio-call.json"))
            .unwrap();
        assert_eq!(p.call, Some(opaque("CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a")));
        assert_eq!(p.kind, PushKind::Call);
        assert_eq!(p.handle, handle(HandleType::Generic, "client:alice"));
        assert_eq!(p.caller_name, None);
    }

    #[test]
    fn twilio_cancel() {
        let schema = PayloadSchema::twilio();
        let cancel = schema
            .parse(include_bytes!("../tests/payloads/twilio-cancel.json"))
            .unwrap();
        let call = schema
            .parse(include_bytes!("../tests/payloads/twilio-call.json"))
            .unwrap();
        assert_eq!(cancel.kind, PushKind::Cancel);
        assert!(cancel.call.is_some());
        assert_eq!(cancel.call, call.call);
        assert_eq!(cancel.handle, handle(HandleType::Generic, "client:alice"));
    }

    #[test]
    fn telegram_relay() {
        let p = PayloadSchema::telegram()
            .parse(include_bytes!("../tests/payloads/telegram-relay.json"))
            .unwrap();
        assert_eq!(p.call, Some(opaque("6823910254189346817")));
        assert_eq!(p.handle, handle(HandleType::PhoneNumber, "+15551234567"));
        assert_eq!(p.kind, PushKind::Call);
    }

    #[test]
    fn linphone_flexisip() {
        let p = PayloadSchema::linphone_flexisip()
            .parse(include_bytes!("../tests/payloads/linphone-flexisip.json"))
            .unwrap();
        assert_eq!(p.call, Some(opaque("Jd7xK2pQ-8h3F9vLmN")));
        assert_eq!(
            p.handle,
            handle(HandleType::Generic, "sip:carol@sip.example.org")
        );
        assert_eq!(p.caller_name, name("Carol"));
    }

    #[test]
    fn nested_data() {
        let p = PayloadSchema::nested_data()
            .parse(include_bytes!("../tests/payloads/nested-data.json"))
            .unwrap();
        assert_eq!(p.call, Some(uuid("3e9d2c41-6b7a-4f08-9e15-7d2c8a4b1f63")));
        assert_eq!(p.handle, handle(HandleType::PhoneNumber, "+33142685300"));
        assert_eq!(p.caller_name, name("Chloé Élise"));
        assert!(!p.has_video);
    }

    #[test]
    fn escaped_unicode_name() {
        let p = PayloadSchema::default()
            .parse(include_bytes!(
                "../tests/payloads/escaped-unicode-name.json"
            ))
            .unwrap();
        assert_eq!(p.call, Some(uuid("9c1f5b2e-3d4a-4e6f-8a7b-0c9d1e2f3a4b")));
        assert_eq!(p.handle, handle(HandleType::PhoneNumber, "+819012345678"));
        assert_eq!(p.caller_name, name("山田 📞 \"Taro\""));
    }

    #[test]
    fn long_caller_name() {
        let p = PayloadSchema::default()
            .parse(include_bytes!("../tests/payloads/long-caller-name.json"))
            .unwrap();
        let got = p.caller_name.unwrap_or_default();
        assert_eq!(got.as_str().len(), MAX_CALLER_NAME_LEN);
        assert!(got.as_str().bytes().all(|b| b == b'A'));
        assert!(p.has_video);
    }

    #[test]
    fn missing_uuid_invalid() {
        let r = PayloadSchema::default().parse(include_bytes!(
            "../tests/payloads/missing-uuid-invalid.json"
        ));
        assert_eq!(r, Err(PayloadError::InvalidCallId));
    }

    #[test]
    fn wrong_types() {
        let r =
            PayloadSchema::default().parse(include_bytes!("../tests/payloads/wrong-types.json"));
        assert_eq!(r, Err(PayloadError::WrongType));
    }

    #[test]
    fn duplicate_keys() {
        let r =
            PayloadSchema::default().parse(include_bytes!("../tests/payloads/duplicate-keys.json"));
        assert_eq!(r, Err(PayloadError::DuplicateKey));
    }

    #[test]
    fn truncated() {
        let r = PayloadSchema::default().parse(include_bytes!("../tests/payloads/truncated.json"));
        assert_eq!(r, Err(PayloadError::Syntax));
    }

    #[test]
    fn not_json() {
        let r = PayloadSchema::default().parse(include_bytes!("../tests/payloads/not-json.bin"));
        assert_eq!(r, Err(PayloadError::Syntax));
    }

    #[test]
    fn empty() {
        let r = PayloadSchema::default().parse(include_bytes!("../tests/payloads/empty.json"));
        assert_eq!(r, Err(PayloadError::Syntax));
    }

    #[test]
    fn bom_prefixed() {
        let r =
            PayloadSchema::default().parse(include_bytes!("../tests/payloads/bom-prefixed.json"));
        assert_eq!(r, Err(PayloadError::Syntax));
    }

    #[test]
    fn deep_nesting() {
        let r =
            PayloadSchema::default().parse(include_bytes!("../tests/payloads/deep-nesting.json"));
        assert_eq!(r, Err(PayloadError::TooDeep));
    }

    #[test]
    fn oversize_5kib() {
        let r =
            PayloadSchema::default().parse(include_bytes!("../tests/payloads/oversize-5kib.json"));
        assert_eq!(r, Err(PayloadError::TooLarge { len: 5335 }));
    }

    /// Overwrites the start of `buf` with `head` and its end with `tail`.
    fn frame(buf: &mut [u8], head: &[u8], tail: &[u8]) {
        for (dst, src) in buf.iter_mut().zip(head) {
            *dst = *src;
        }
        for (dst, src) in buf.iter_mut().rev().zip(tail.iter().rev()) {
            *dst = *src;
        }
    }

    /// `{"uuid":"…","handle":"+1555","pad":"xxx…x"}` padded to exactly `N` bytes.
    fn padded<const N: usize>() -> [u8; N] {
        let head = br#"{"uuid":"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20","handle":"+1555","pad":""#;
        let mut buf = [b'x'; N];
        frame(&mut buf, head, b"\"}");
        buf
    }

    #[test]
    fn exactly_max_len_is_parsed() {
        let buf = padded::<MAX_PAYLOAD_LEN>();
        let p = PayloadSchema::default().parse(&buf).unwrap();
        assert_eq!(p.call, Some(uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
        let over = padded::<{ MAX_PAYLOAD_LEN + 1 }>();
        assert_eq!(
            PayloadSchema::default().parse(&over),
            Err(PayloadError::TooLarge {
                len: MAX_PAYLOAD_LEN + 1
            })
        );
    }

    #[test]
    fn different_opaque_ids_differ() {
        let schema = PayloadSchema::twilio();
        let a = schema.parse(br#"{"twi_call_sid":"CA1"}"#).unwrap();
        let b = schema.parse(br#"{"twi_call_sid":"CA2"}"#).unwrap();
        let a_again = schema.parse(br#"{"twi_call_sid":"C\u00411"}"#).unwrap();
        assert!(a.call.is_some() && b.call.is_some());
        assert_ne!(a.call, b.call);
        assert_eq!(a.call, a_again.call);
        let other_ns = schema
            .clone()
            .with_opaque_namespace(Uuid::from_u128(1))
            .parse(br#"{"twi_call_sid":"CA1"}"#)
            .unwrap();
        assert_ne!(a.call, other_ns.call);
    }

    #[test]
    fn opaque_id_empty_or_too_long() {
        let schema = PayloadSchema::twilio();
        assert_eq!(
            schema.parse(br#"{"twi_call_sid":""}"#),
            Err(PayloadError::InvalidCallId)
        );
        let mut buf = [b'a'; 20 + MAX_OPAQUE_ID_LEN + 1];
        let head = br#"{"twi_call_sid":""#;
        frame(&mut buf, head, b"\"}");
        assert_eq!(schema.parse(&buf), Err(PayloadError::InvalidCallId));
    }

    #[test]
    fn custom_root_path() {
        let schema = PayloadSchema::default().with_root("a.b").unwrap();
        let p = schema
            .parse(
                r#"{"uuid":"ignored","a":{"x":[1,{"y":2}],"b":{"uuid":"0B7B8A3E-2F0C-4D57-8C9E-1C5A9E7D4F20","callerName":"Zoë"},"c":null}}"#
                    .as_bytes(),
            )
            .unwrap();
        assert_eq!(p.call, Some(uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
        assert_eq!(p.caller_name, name("Zoë"));
        assert_eq!(p.handle, None);

        assert_eq!(schema.parse(br#"{"a":{}}"#), Err(PayloadError::MissingRoot));
        assert_eq!(
            schema.parse(br#"{"a":{"b":null}}"#),
            Err(PayloadError::MissingRoot)
        );
        assert_eq!(
            schema.parse(br#"{"a":{"b":"x"}}"#),
            Err(PayloadError::WrongType)
        );
        assert_eq!(schema.parse(br#"{"a":[]}"#), Err(PayloadError::WrongType));
        assert_eq!(
            schema.parse(br#"{"a":{"b":{}},"a":{"b":{}}}"#),
            Err(PayloadError::DuplicateKey)
        );
        assert!(schema.parse(br#"{"a":{"b":{}}}"#).is_ok());
    }

    #[test]
    fn schema_builders() {
        let s = PayloadSchema::default();
        assert_eq!(
            s.clone().with_root("a.b.c.d").map(|s| s.root),
            PayloadSchema::key("a.b.c.d")
        );
        assert_eq!(
            s.clone().with_root("a.b.c.d.e"),
            Err(SchemaError::PathTooDeep)
        );
        assert_eq!(s.clone().with_root("a..b"), Err(SchemaError::EmptySegment));
        assert_eq!(s.clone().with_root(".a"), Err(SchemaError::EmptySegment));
        assert_eq!(
            s.clone().with_root("abcdefghijklmnopqrstuvwxyz0123456"),
            Err(SchemaError::KeyTooLong)
        );
        assert_eq!(s.clone().with_root("").map(|s| s.root.len()), Ok(0));
        let custom = s
            .with_id("cid", CallIdKind::Opaque)
            .and_then(|s| s.with_handle("from", Some(HandleType::Generic)))
            .and_then(|s| s.with_caller_name(Some("who")))
            .and_then(|s| s.with_video(None))
            .and_then(|s| s.with_media_type(Some("media")))
            .and_then(|s| s.with_ring_timeout(Some("ring_ms")))
            .and_then(|s| s.with_message_type(Some("kind"), Some("bye")))
            .unwrap();
        let p = custom
            .parse(
                br#"{"cid":"7","from":"bob","who":"Bob","media":1,"ring_ms":45000,"kind":"bye"}"#,
            )
            .unwrap();
        assert_eq!(p.call, Some(opaque("7")));
        assert_eq!(p.handle, handle(HandleType::Generic, "bob"));
        assert_eq!(p.caller_name, name("Bob"));
        assert!(p.has_video);
        assert_eq!(p.ring_timeout_ms, Some(45_000));
        assert_eq!(p.kind, PushKind::Cancel);
    }

    #[test]
    fn preset_keys_are_intact() {
        // preset_key falls back to "" on overflow; make sure no preset hit that.
        for s in [
            PayloadSchema::apple_docs(),
            PayloadSchema::speakerbox(),
            PayloadSchema::react_native_voip_push(),
            PayloadSchema::flutter_callkit_incoming(),
            PayloadSchema::twilio(),
            PayloadSchema::telegram(),
            PayloadSchema::linphone_flexisip(),
            PayloadSchema::nested_data(),
        ] {
            assert!(!s.id_key.is_empty() && !s.handle_key.is_empty());
            for k in [
                &s.caller_name_key,
                &s.video_key,
                &s.media_type_key,
                &s.ring_timeout_key,
                &s.message_type_key,
                &s.cancel_message_type,
            ]
            .into_iter()
            .flatten()
            {
                assert!(!k.is_empty());
            }
            assert_eq!(s.opaque_namespace, OPAQUE_ID_NAMESPACE);
        }
        assert_eq!(
            PayloadSchema::default(),
            PayloadSchema::react_native_voip_push()
        );
        assert_eq!(PayloadSchema::nested_data().root.as_str(), "data");
        assert_eq!(
            PayloadSchema::twilio().cancel_message_type.as_deref(),
            Some("twilio.voice.cancel")
        );
    }

    #[test]
    fn nulls_are_absent() {
        let p = PayloadSchema::flutter_callkit_incoming()
            .parse(br#"{"id":null,"handle":null,"nameCaller":null,"isVideo":null,"type":null,"duration":null}"#)
            .unwrap();
        assert_eq!(p.call, None);
        assert_eq!(p.handle, None);
        assert_eq!(p.caller_name, None);
        assert!(!p.has_video);
        assert_eq!(p.ring_timeout_ms, None);
        assert_eq!(p.kind, PushKind::Call);
        let p = PayloadSchema::twilio()
            .parse(br#"{"twi_call_sid":"CA1","twi_message_type":null}"#)
            .unwrap();
        assert_eq!(p.kind, PushKind::Call);
    }

    #[test]
    fn empty_strings_are_absent() {
        let p = PayloadSchema::default()
            .parse(br#"{"handle":"","callerName":""}"#)
            .unwrap();
        assert_eq!(p.handle, None);
        assert_eq!(p.caller_name, None);
    }

    #[test]
    fn media_type_and_ring_timeout() {
        let s = PayloadSchema::flutter_callkit_incoming();
        assert!(s.parse(br#"{"type":1}"#).unwrap().has_video);
        assert!(!s.parse(br#"{"type":0}"#).unwrap().has_video);
        assert!(s.parse(br#"{"type":0,"isVideo":true}"#).unwrap().has_video);
        assert_eq!(s.parse(br#"{"type":2}"#), Err(PayloadError::WrongType));
        assert_eq!(s.parse(br#"{"type":-1}"#), Err(PayloadError::WrongType));
        assert_eq!(s.parse(br#"{"type":"1"}"#), Err(PayloadError::WrongType));
        let ring = |json: &[u8]| s.parse(json).map(|p| p.ring_timeout_ms);
        assert_eq!(ring(br#"{"duration":1}"#), Ok(Some(1)));
        assert_eq!(ring(br#"{"duration":600000}"#), Ok(Some(600_000)));
        assert_eq!(ring(br#"{"duration":600001}"#), Ok(None));
        assert_eq!(ring(br#"{"duration":0}"#), Ok(None));
        assert_eq!(ring(br#"{"duration":-5}"#), Ok(None));
        assert_eq!(ring(br#"{"duration":9223372036854775807}"#), Ok(None));
        assert_eq!(
            ring(br#"{"duration":"30000"}"#),
            Err(PayloadError::WrongType)
        );
        assert_eq!(
            ring(br#"{"duration":99999999999999999999}"#),
            Err(PayloadError::Syntax)
        );
        assert_eq!(ring(br#"{"duration":1.5}"#), Err(PayloadError::Syntax));
    }

    #[test]
    fn handle_too_long() {
        let mut buf = [b'1'; 12 + MAX_HANDLE_LEN + 1 + 2];
        let head = br#"{"handle":""#;
        frame(&mut buf, head, b"\"}");
        assert_eq!(
            PayloadSchema::default().parse(&buf),
            Err(PayloadError::HandleTooLong)
        );
        // Exactly MAX_HANDLE_LEN fits.
        let mut buf = [b'1'; 11 + MAX_HANDLE_LEN + 2];
        frame(&mut buf, head, b"\"}");
        let p = PayloadSchema::default().parse(&buf).unwrap();
        assert_eq!(p.handle.map(|h| h.value.len()), Some(MAX_HANDLE_LEN));
    }

    #[test]
    fn escapes() {
        let s = PayloadSchema::default();
        let n = |json: &[u8]| s.parse(json).map(|p| p.caller_name);
        assert_eq!(
            n(br#"{"callerName":"a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\u20AC"}"#),
            Ok(name("a\"b\\c/d\u{8}e\u{c}f\ng\rh\tié€"))
        );
        assert_eq!(n(br#"{"callerName":"\ud83d\ude00"}"#), Ok(name("😀")));
        for bad in [
            &br#"{"callerName":"\ud83d"}"#[..],
            br#"{"callerName":"\ud83dx"}"#,
            br#"{"callerName":"\ud83d\u0041"}"#,
            br#"{"callerName":"\ude00"}"#,
            br#"{"callerName":"\ude00\ud83d"}"#,
            br#"{"callerName":"\x41"}"#,
            br#"{"callerName":"\u12"}"#,
            br#"{"callerName":"\u+123"}"#,
            br#"{"callerName":"\u12g4"}"#,
        ] {
            assert_eq!(
                n(bad),
                Err(PayloadError::InvalidEscape),
                "{:?}",
                core::str::from_utf8(bad)
            );
        }
        // A bad escape after the cut is still found.
        let mut buf = [b'A'; 16 + 100 + 4];
        let head = br#"{"callerName":""#;
        frame(&mut buf, head, b"\\q\"}");
        assert_eq!(n(&buf), Err(PayloadError::InvalidEscape));
        // A raw control character is not JSON.
        assert_eq!(n(b"{\"callerName\":\"a\tb\"}"), Err(PayloadError::Syntax));
    }

    #[test]
    fn caller_name_cut_at_char_boundary() {
        // 21 x "山" (3 bytes each) = 63 bytes, then "📞" (4 bytes) does not fit.
        let json = "{\"callerName\":\"山山山山山山山山山山山山山山山山山山山山山📞a\"}";
        let p = PayloadSchema::default().parse(json.as_bytes()).unwrap();
        assert_eq!(
            p.caller_name,
            name("山山山山山山山山山山山山山山山山山山山山山")
        );
    }

    #[test]
    fn escaped_keys_match_and_collide() {
        let s = PayloadSchema::default();
        let p = s
            .parse(br#"{"\u0075uid":"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20"}"#)
            .unwrap();
        assert_eq!(p.call, Some(uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
        assert_eq!(
            s.parse(br#"{"uuid":null,"\u0075uid":"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20"}"#),
            Err(PayloadError::DuplicateKey)
        );
        assert_eq!(s.parse(br#"{"\q":1}"#), Err(PayloadError::InvalidEscape));
    }

    #[test]
    fn syntax_errors() {
        let s = PayloadSchema::default();
        for bad in [
            &b"[]"[..],
            b"\"x\"",
            b"null",
            b" ",
            b"{",
            b"{}x",
            b"{} {}",
            b"{\"a\":1,}",
            b"{\"a\" 1}",
            b"{\"hasVideo\":tru}",
            b"{\"uuid\":\"\xff\"}",
        ] {
            assert_eq!(s.parse(bad), Err(PayloadError::Syntax), "{:?}", bad);
        }
        assert!(s
            .parse(b" \r\n\t{ \"uuid\" : null , \"x\" : [ ] } \n")
            .is_ok());
        assert_eq!(s.parse(b"{\"hasVideo\":1}"), Err(PayloadError::WrongType));
    }

    #[test]
    fn depth_limit() {
        // Exactly MAX_JSON_DEPTH levels parse; one more is refused.
        let ok = br#"{"a":[[[[[[[[[[[[[[{"b":1}]]]]]]]]]]]]]]}"#;
        assert!(PayloadSchema::default().parse(ok).is_ok());
        let deep = br#"{"a":[[[[[[[[[[[[[[[{"b":1}]]]]]]]]]]]]]]]}"#;
        assert_eq!(
            PayloadSchema::default().parse(deep),
            Err(PayloadError::TooDeep)
        );
        // Brackets inside strings do not count.
        let in_string = br#"{"a":"[[[[[[[[[[[[[[[[[[[[\"[[[[[[[[[[[[[["}"#;
        assert!(PayloadSchema::default().parse(in_string).is_ok());
    }

    #[test]
    fn skipped_scalars_cannot_hide_nesting_from_the_depth_limit() {
        // serde-json-core skips `x"…` up to the next comma without seeing a string; the
        // brackets after it are nesting all the same, and the skip seed counts them.
        let mut buf = [b'['; 200];
        let head = br#"{"a":x","b":"#;
        frame(&mut buf, head, b"");
        assert_eq!(
            PayloadSchema::default().parse(&buf),
            Err(PayloadError::TooDeep)
        );
        assert_eq!(
            PayloadSchema::default().parse(br#"{"a":1{"b":2}}"#),
            Err(PayloadError::Syntax)
        );
    }

    #[test]
    fn nesting_is_counted_in_objects_and_arrays_alike_up_to_the_limit() {
        // The top-level object is depth 1: 15 more levels are accepted, 16 are not.
        let deep = |levels: usize| {
            let mut text = heapless::String::<256>::new();
            text.push_str(r#"{"x":"#).unwrap();
            for i in 0..levels {
                text.push_str(if i % 2 == 0 { "[" } else { r#"{"y":"# })
                    .unwrap();
            }
            text.push_str("1").unwrap();
            for i in (0..levels).rev() {
                text.push_str(if i % 2 == 0 { "]" } else { "}" }).unwrap();
            }
            text.push_str("}").unwrap();
            text
        };
        let schema = PayloadSchema::default();
        assert!(schema.parse(deep(MAX_JSON_DEPTH - 1).as_bytes()).is_ok());
        assert_eq!(
            schema.parse(deep(MAX_JSON_DEPTH).as_bytes()),
            Err(PayloadError::TooDeep)
        );
    }

    #[test]
    fn display() {
        use core::fmt::Write;
        let mut s = heapless::String::<128>::new();
        write!(s, "{}", PayloadError::TooLarge { len: 5335 }).unwrap();
        assert!(s.contains("5335"));
        s.clear();
        write!(s, "{}", SchemaError::KeyTooLong).unwrap();
        assert!(s.contains("32"));
    }
}

#[cfg(test)]
mod props {
    extern crate std;

    use super::*;
    use proptest::prelude::*;
    use std::string::String;
    use std::vec::Vec;

    proptest! {
        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
            let _ = PayloadSchema::default().parse(&bytes);
            let _ = PayloadSchema::nested_data().parse(&bytes);
        }

        #[test]
        fn never_panics_on_json_like(text in "[{}\\[\\]\":,\\\\ a1tnu\\-.e]{0,400}") {
            let mut bytes: Vec<u8> = Vec::from(&b"{"[..]);
            bytes.extend_from_slice(text.as_bytes());
            let _ = PayloadSchema::default().with_root("a.a").map(|s| s.parse(&bytes));
            let _ = PayloadSchema::twilio().parse(&bytes);
        }

        #[test]
        fn caller_name_round_trips(name in any::<String>()) {
            let mut json = String::from("{\"callerName\":");
            json.push_str(&serde_json::to_string(&name).unwrap_or_default());
            json.push('}');
            if json.len() <= MAX_PAYLOAD_LEN {
                let got = PayloadSchema::default().parse(json.as_bytes()).map(|p| p.caller_name);
                let want = (!name.is_empty()).then(|| CallerName::truncating(&name));
                prop_assert_eq!(got, Ok(want));
            }
            // Every character as `\uXXXX` UTF-16 escapes (surrogate pairs above U+FFFF).
            let mut json = String::from("{\"callerName\":\"");
            let mut units = [0u16; 2];
            for c in name.chars() {
                for unit in c.encode_utf16(&mut units).iter() {
                    json.push_str(&std::format!("\\u{unit:04x}"));
                }
            }
            json.push_str("\"}");
            if json.len() <= MAX_PAYLOAD_LEN {
                let got = PayloadSchema::default().parse(json.as_bytes()).map(|p| p.caller_name);
                let want = (!name.is_empty()).then(|| CallerName::truncating(&name));
                prop_assert_eq!(got, Ok(want));
            }
        }
    }

    fn any_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\\\"{}\\[\\] ]{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any valid JSON object without schema keys is read (no false Syntax/TooDeep
        /// from skipping its values), compact or pretty-printed.
        #[test]
        fn valid_json_without_schema_keys_is_read(
            members in proptest::collection::btree_map("[a-z]{1,4}", any_json(), 0..6),
            call in proptest::option::of("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        ) {
            let mut object: serde_json::Map<String, serde_json::Value> =
                members.into_iter().filter(|(k, _)| k != "uuid" && k != "handle").collect();
            if let Some(call) = &call {
                object.insert("uuid".into(), serde_json::Value::from(call.as_str()));
            }
            let value = serde_json::Value::Object(object);
            for text in [
                serde_json::to_string(&value).unwrap_or_default(),
                serde_json::to_string_pretty(&value).unwrap_or_default(),
            ] {
                if text.len() <= MAX_PAYLOAD_LEN {
                    let got = PayloadSchema::apple_docs()
                        .with_id("uuid", CallIdKind::Uuid)
                        .map(|s| s.parse(text.as_bytes()).map(|p| p.call));
                    let want = call.as_deref().map(|c| CallId(Uuid::try_parse(c).unwrap_or_default()));
                    prop_assert_eq!(got, Ok(Ok(want)), "{}", text);
                }
            }
        }
    }

    /// The deepest accepted payload, skipped by serde-json-core, on a small stack.
    #[test]
    fn max_depth_on_small_stack() {
        let mut json = String::from("{\"x\":");
        for _ in 1..MAX_JSON_DEPTH {
            json.push_str("{\"y\":");
        }
        json.push('1');
        for _ in 0..MAX_JSON_DEPTH {
            json.push('}');
        }
        let handle = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || PayloadSchema::default().parse(json.as_bytes()).is_ok());
        assert!(handle.map(|h| h.join().unwrap_or(false)).unwrap_or(false));
    }
}
