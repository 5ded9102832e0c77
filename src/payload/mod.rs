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
//! 1. More than [`MAX_PAYLOAD_LEN`](crate::limits::MAX_PAYLOAD_LEN) bytes: [`PayloadError::TooLarge`], nothing else read.
//! 2. The first non-whitespace byte must be `{`: [`PayloadError::Syntax`] otherwise.
//! 3. serde-json-core reads the object through a hand-written visitor that follows the
//!    schema: keys on the [root path](PayloadSchema::root) are descended into, keys of
//!    the schema are read with their JSON type, every other value is skipped through a
//!    seed that counts its nesting and refuses to open a level deeper than
//!    [`MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH) ([`PayloadError::TooDeep`]): serde-json-core recurses once per
//!    level without a limit of its own, and an iOS secondary thread has 512 KiB of
//!    stack.
//! 4. Strings are taken raw (escaped) from the input and unescaped here, so that
//!    surrogate pairs (`\ud83d\udcde`, 📞) decode; serde-json-core's own unescaper
//!    rejects them.
//!
//! Nothing is allocated: every result is held in fixed-capacity `heapless` strings.

use crate::limits::MAX_KEY_LEN;
use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json_core::str::EscapedStr;
use uuid::Uuid;

use crate::types::{CallId, CallerName, Handle, HandleType};

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
    /// The remote party (`CXCallUpdate.remoteHandle`), at most [`MAX_HANDLE_LEN`](crate::limits::MAX_HANDLE_LEN) bytes.
    /// `None` when the key is absent, `null` or the empty string.
    pub handle: Option<Handle>,
    /// `CXCallUpdate.localizedCallerName`, unescaped and cut at a character boundary to
    /// [`MAX_CALLER_NAME_LEN`](crate::limits::MAX_CALLER_NAME_LEN) bytes. `None` when the key is absent, `null` or the empty
    /// string (CallKit then shows the handle).
    pub caller_name: Option<CallerName>,
    /// `CXCallUpdate.hasVideo`: the video flag or the media type said video.
    pub has_video: bool,
    /// The payload's own ring time-out in milliseconds, when present and within
    /// `1..=600_000`.
    pub ring_timeout_ms: Option<u64>,
    /// When the server sent the push, in milliseconds since the Unix epoch, from the
    /// schema's [`sent_at_key`](PayloadSchema::sent_at_key) in its
    /// [`sent_at_unit`](PayloadSchema::sent_at_unit) (saturating). `None` when the key is
    /// absent, `null` or negative.
    pub sent_at_unix_ms: Option<u64>,
}
