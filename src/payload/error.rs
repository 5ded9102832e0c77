//! Why a payload or a schema was refused.

use super::*;
use crate::limits::{
    MAX_HANDLE_LEN, MAX_JSON_DEPTH, MAX_KEY_LEN, MAX_PAYLOAD_LEN, MAX_ROOT_SEGMENTS,
};

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
    /// [`MAX_OPAQUE_ID_LEN`](crate::limits::MAX_OPAQUE_ID_LEN) bytes ([`CallIdKind::Opaque`]).
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

impl PayloadError {
    /// A stable raw value (1-9, in declaration order), for hosts and the C ABI; the
    /// length of [`PayloadError::TooLarge`] is not in it.
    pub const fn raw(&self) -> u8 {
        match self {
            PayloadError::TooLarge { .. } => 1,
            PayloadError::TooDeep => 2,
            PayloadError::Syntax => 3,
            PayloadError::WrongType => 4,
            PayloadError::DuplicateKey => 5,
            PayloadError::InvalidCallId => 6,
            PayloadError::HandleTooLong => 7,
            PayloadError::InvalidEscape => 8,
            PayloadError::MissingRoot => 9,
        }
    }
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

/// A field of a [`PayloadSchema`]: where in a payload a [`PayloadError`] was found
/// ([`PushEndReason::Unreadable`](crate::PushEndReason::Unreadable)). Names the schema's
/// field, never the payload's key text. Raw values 1-9 are stable (C ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum PayloadField {
    /// A segment of [`PayloadSchema::root`].
    Root = 1,
    /// [`PayloadSchema::id_key`].
    CallId = 2,
    /// [`PayloadSchema::handle_key`].
    Handle = 3,
    /// [`PayloadSchema::caller_name_key`].
    CallerName = 4,
    /// [`PayloadSchema::video_key`].
    Video = 5,
    /// [`PayloadSchema::media_type_key`].
    MediaType = 6,
    /// [`PayloadSchema::ring_timeout_key`].
    RingTimeout = 7,
    /// [`PayloadSchema::message_type_key`].
    MessageType = 8,
    /// [`PayloadSchema::sent_at_key`].
    SentAt = 9,
}

impl PayloadField {
    /// The stable raw value (1-9), for hosts and the C ABI.
    pub const fn raw(self) -> u8 {
        self as u8
    }

    /// The field with raw value `raw`, if any.
    pub const fn from_raw(raw: u8) -> Option<Self> {
        Some(match raw {
            1 => PayloadField::Root,
            2 => PayloadField::CallId,
            3 => PayloadField::Handle,
            4 => PayloadField::CallerName,
            5 => PayloadField::Video,
            6 => PayloadField::MediaType,
            7 => PayloadField::RingTimeout,
            8 => PayloadField::MessageType,
            9 => PayloadField::SentAt,
            _ => return None,
        })
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
