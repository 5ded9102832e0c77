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

mod error;
mod schema;
mod seed;
#[cfg(test)]
mod tests;
mod unescape;

pub use error::*;
pub use schema::*;

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
