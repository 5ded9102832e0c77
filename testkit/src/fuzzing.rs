//! The checks behind the fuzz targets (`fuzz/fuzz_targets/*.rs`) and the corpus replay
//! (`tests/fuzz_corpus.rs`): each `check_*` function takes raw bytes and panics on any
//! broken property, so libFuzzer reports a crash and `cargo test` a failure, with the
//! same logic in both.
//!
//! - [`check_payload`]: the bytes as a VoIP push payload under every preset and two
//!   custom schemas. Never panics, bounded time, deterministic, agrees with an
//!   independent reading of the same bytes by `serde_json` (when `serde_json` accepts
//!   them), and what it accepts survives parse -> re-serialise -> parse unchanged.
//! - [`check_push`]: the bytes as a VoIP push into a live engine (calls in every phase,
//!   a full call table, a full push table), under every schema: the PushKit rule (report
//!   first in the same step, exactly one completion on every completion path) and the
//!   engine's consistency after every step.
//! - [`check_events`]: the bytes decoded with `arbitrary` into a [`Script`] of events
//!   (payload bytes, small colliding ids, time deltas backwards too) driven through an
//!   engine of one of three capacities, with every step checked.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant as WallClock};

use arbitrary::{Arbitrary, Unstructured};
use callkit_engine::limits::{MAX_PAYLOAD_LEN, MAX_PENDING_TRANSACTIONS};
use callkit_engine::{
    ActionId, CallEndedReason, CallId, CallIdKind, CallPhase, CallerName, Config, Direction,
    DtmfType, Effect, Engine, Error, Event, Handle, HandleType, IncomingCallError, IncomingReport,
    Instant, PayloadError, PayloadSchema, PushId, PushKind, PushPayload, ReportResult,
    RequestTransactionError, SentAtUnit, Timer, TransactionId, TransactionResult, Uuid,
};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::event::{ArbitrarySymbols, HostEvent, Resolve, Symbols, FUZZ_SENT_AT_MS};
use crate::trace::{parse_trace, run_trace};
use crate::{action_id, call_id, fallback_id, fire_due, test_uuid, Harness, StepEffects};

// ---------------------------------------------------------------------------------------
// Schemas and the payload corpus
// ---------------------------------------------------------------------------------------

/// `(name, bytes)` of each named file of `tests/payloads/`, compiled in.
macro_rules! payload_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../tests/payloads/", $name)) as &[u8])),*]
    };
}

/// Every payload file of `tests/payloads/`, compiled in (the seeds of every target).
pub const PAYLOAD_CORPUS: &[(&str, &[u8])] = payload_files![
    "apple-docs-calluuid.json",
    "bom-prefixed.json",
    "callername-no-uuid.json",
    "deep-nesting.json",
    "duplicate-keys.json",
    "empty.json",
    "escaped-unicode-name.json",
    "flutter-callkit-incoming-full.json",
    "flutter-callkit-incoming.json",
    "linphone-flexisip.json",
    "long-caller-name.json",
    "missing-uuid-invalid.json",
    "nested-data.json",
    "not-json.bin",
    "oversize-5kib.json",
    "rn-voip-push.json",
    "speakerbox-uppercase-uuid.json",
    "telegram-relay.json",
    "truncated.json",
    "twilio-call.json",
    "twilio-cancel.json",
    "wrong-types.json",
];

/// A custom schema using every schema feature: a two-segment root (`call.info`), an
/// opaque id `cid`, an inferred handle `from`, caller name `who`, video flag `video`,
/// media type `media`, ring time-out `ring_ms`, message type `kind` with cancel value
/// `bye`, a sent time `sent` in seconds, the call id required.
pub fn custom_schema() -> PayloadSchema {
    PayloadSchema::apple_docs()
        .with_root("call.info")
        .and_then(|s| s.with_id("cid", CallIdKind::Opaque))
        .and_then(|s| s.with_handle("from", None))
        .and_then(|s| s.with_caller_name(Some("who")))
        .and_then(|s| s.with_video(Some("video")))
        .and_then(|s| s.with_media_type(Some("media")))
        .and_then(|s| s.with_ring_timeout(Some("ring_ms")))
        .and_then(|s| s.with_message_type(Some("kind"), Some("bye")))
        .and_then(|s| s.with_sent_at(Some("sent"), SentAtUnit::Seconds))
        .map(|s| s.with_required_call_id(true))
        .expect("the custom schema's keys are short")
}

/// A second custom schema at the edges of what a schema holds: the deepest root path
/// (`a.b.c.d`, [`callkit_engine::limits::MAX_ROOT_SEGMENTS`]), keys that need escaping or are
/// not ASCII, a caller-name key of exactly [`callkit_engine::limits::MAX_KEY_LEN`] bytes, a fixed
/// handle type, a non-ASCII cancel value, and a sent time in milliseconds under a key
/// that needs escaping.
pub fn edge_schema() -> PayloadSchema {
    PayloadSchema::apple_docs()
        .with_root("a.b.c.d")
        .and_then(|s| s.with_id("ïd", CallIdKind::Uuid))
        .and_then(|s| s.with_handle("h\"\\/\n", Some(HandleType::PhoneNumber)))
        .and_then(|s| s.with_caller_name(Some("名前_exactly_32_bytes_long_key")))
        .and_then(|s| s.with_video(None))
        .and_then(|s| s.with_media_type(Some("t")))
        .and_then(|s| s.with_ring_timeout(Some("")))
        .and_then(|s| s.with_message_type(Some("m"), Some("📞 bye")))
        .and_then(|s| s.with_sent_at(Some("\tsent"), SentAtUnit::Milliseconds))
        .expect("the edge schema's keys fit")
}

/// Every schema the fuzz checks use: the eight presets, then [`custom_schema`] and
/// [`edge_schema`].
pub fn all_schemas() -> &'static [(&'static str, PayloadSchema)] {
    static SCHEMAS: OnceLock<Vec<(&'static str, PayloadSchema)>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let mut v: Vec<(&'static str, PayloadSchema)> = crate::trace::SCHEMA_NAMES
            .iter()
            .map(|name| {
                (
                    *name,
                    crate::trace::schema_by_name(name).expect("a preset name"),
                )
            })
            .collect();
        v.push(("custom", custom_schema()));
        v.push(("edge", edge_schema()));
        v
    })
}

/// The fields of a payload to write with [`build_payload`].
#[derive(Clone, Debug, Default)]
pub struct PayloadFields {
    /// The id value (a UUID text or an opaque server id).
    pub id: Option<String>,
    /// The handle.
    pub handle: Option<String>,
    /// The caller name.
    pub caller_name: Option<String>,
    /// Video (written as the video flag, else as media type 1).
    pub video: bool,
    /// The ring time-out in milliseconds.
    pub ring_timeout_ms: Option<u64>,
    /// A cancel push (the schema's cancel message type).
    pub cancel: bool,
    /// The sent time, in milliseconds since the Unix epoch (written in the schema's
    /// unit, rounded down).
    pub sent_at_unix_ms: Option<u64>,
}

/// The JSON bytes of a payload holding `fields` where `schema` looks for them (keys the
/// schema does not have are left out).
pub fn build_payload(schema: &PayloadSchema, fields: &PayloadFields) -> Vec<u8> {
    let mut inner = Map::new();
    if let Some(id) = &fields.id {
        inner.insert(schema.id_key.to_string(), Value::from(id.as_str()));
    }
    if let Some(handle) = &fields.handle {
        inner.insert(schema.handle_key.to_string(), Value::from(handle.as_str()));
    }
    if let (Some(key), Some(name)) = (&schema.caller_name_key, &fields.caller_name) {
        inner.insert(key.to_string(), Value::from(name.as_str()));
    }
    if let Some(key) = &schema.video_key {
        inner.insert(key.to_string(), Value::from(fields.video));
    } else if let Some(key) = &schema.media_type_key {
        inner.insert(key.to_string(), Value::from(u8::from(fields.video)));
    }
    if let (Some(key), Some(ms)) = (&schema.ring_timeout_key, fields.ring_timeout_ms) {
        inner.insert(key.to_string(), Value::from(ms));
    }
    if let (Some(key), Some(value), true) = (
        &schema.message_type_key,
        &schema.cancel_message_type,
        fields.cancel,
    ) {
        inner.insert(key.to_string(), Value::from(value.as_str()));
    }
    if let (Some(key), Some(ms)) = (&schema.sent_at_key, fields.sent_at_unix_ms) {
        let value = match schema.sent_at_unit {
            SentAtUnit::Seconds => ms / 1_000,
            SentAtUnit::Milliseconds => ms,
        };
        inner.insert(key.to_string(), Value::from(value));
    }
    let mut value = Value::Object(inner);
    if !schema.root.is_empty() {
        for segment in schema.root.split('.').rev() {
            let mut outer = Map::new();
            outer.insert(segment.to_string(), value);
            value = Value::Object(outer);
        }
    }
    serde_json::to_vec(&value).expect("a JSON value serialises")
}

/// The call id `schema` derives from the id text `id` (`None` if it is not valid).
pub fn call_for(schema: &PayloadSchema, id: &str) -> Option<CallId> {
    match schema.id_kind {
        CallIdKind::Uuid => Uuid::try_parse(id).ok().map(CallId),
        CallIdKind::Opaque => Some(CallId(Uuid::new_v5(
            &schema.opaque_namespace,
            id.as_bytes(),
        ))),
    }
}

/// Valid payloads for every schema (call, cancel, video, names needing escapes), as extra
/// fuzz seeds: `(file name, bytes)`.
pub fn seed_payloads() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, schema) in all_schemas() {
        let id = match schema.id_kind {
            CallIdKind::Uuid => "00000000-0000-4000-8000-000000000001",
            CallIdKind::Opaque => "c1",
        };
        let variants = [
            PayloadFields {
                id: Some(id.into()),
                handle: Some("+14085551234".into()),
                caller_name: Some("Zoë \"Z\" 📞\u{1}".into()),
                video: true,
                ring_timeout_ms: Some(45_000),
                cancel: false,
                sent_at_unix_ms: Some(FUZZ_SENT_AT_MS),
            },
            PayloadFields {
                id: Some(id.into()),
                handle: Some("sip:alice@example.org".into()),
                cancel: true,
                ..PayloadFields::default()
            },
            PayloadFields {
                handle: Some("alice@example.org".into()),
                ..PayloadFields::default()
            },
        ];
        for (i, fields) in variants.iter().enumerate() {
            out.push((
                format!("seed-{name}-{i}.json"),
                build_payload(schema, fields),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// `payload`: the parser alone
// ---------------------------------------------------------------------------------------

/// How long one `parse` may take before it counts as a hang, under the fuzzer only
/// (`cfg(fuzzing)`, set by cargo-fuzz). A payload is at most 5120 bytes and the parser
/// is linear; a parse takes microseconds (about 17 µs in a debug build), so this only
/// trips on a real hang. It is wall-clock time, so a parse is timed up to three times
/// and only the fastest counts (a busy machine can stall a process for half a second:
/// finding F3 in docs/robustness.md). `cargo test` never asserts on wall-clock time:
/// there a hang shows as a test that does not finish, and cost is measured by the
/// callgrind benches.
pub const PARSE_TIME_LIMIT: Duration = Duration::from_millis(500);

/// `schema.parse(data)`, panicking if even the fastest of three tries takes
/// [`PARSE_TIME_LIMIT`] or longer (wall-clock time: a loaded machine can stall any one
/// parse, finding F3).
fn timed_parse(
    name: &str,
    schema: &PayloadSchema,
    data: &[u8],
) -> Result<PushPayload, PayloadError> {
    let mut fastest = Duration::MAX;
    let mut got = schema.parse(data);
    for _ in 0..3 {
        let started = WallClock::now();
        got = schema.parse(data);
        fastest = fastest.min(started.elapsed());
        if fastest < PARSE_TIME_LIMIT {
            break;
        }
    }
    assert!(
        fastest < PARSE_TIME_LIMIT,
        "{name}: parse took {fastest:?} (fastest of three) for {} bytes",
        data.len()
    );
    got
}

/// `data` as a VoIP push payload under every preset and both custom schemas.
///
/// Panics unless, for every schema: the parse gives the same answer twice (and, under
/// the fuzzer, returns within [`PARSE_TIME_LIMIT`]); an accepted payload holds only
/// what the schema can express, within the documented limits; when `serde_json` reads `data` as valid JSON,
/// the parser accepts exactly what an independent reading of that JSON under the
/// schema's rules accepts, with the same fields; and an accepted payload, written back
/// as JSON with the schema's keys and read again, gives the same fields.
pub fn check_payload(data: &[u8]) {
    let tree = reference_tree(data);
    for (name, schema) in all_schemas() {
        let got = if cfg!(fuzzing) {
            timed_parse(name, schema, data)
        } else {
            schema.parse(data)
        };
        assert_eq!(
            got,
            schema.parse(data),
            "{name}: parse is not deterministic"
        );
        if let Err(PayloadError::TooLarge { len }) = got {
            assert_eq!(len, data.len(), "{name}: TooLarge names the wrong length");
        }
        assert_eq!(
            data.len() > MAX_PAYLOAD_LEN,
            matches!(got, Err(PayloadError::TooLarge { .. })),
            "{name}: TooLarge iff longer than {MAX_PAYLOAD_LEN} bytes"
        );
        if let Ok(p) = &got {
            check_accepted(name, schema, p);
            check_round_trip(name, schema, p);
        }
        if let Some(tree) = &tree {
            match (reference_read(schema, data, tree), &got) {
                (Reference::Undecided, _) => {}
                (Reference::Accept(want), Ok(p)) => assert_eq!(
                    p, &*want,
                    "{name}: the parser and the reference reading disagree on the fields"
                ),
                (Reference::Accept(want), Err(e)) => panic!(
                    "{name}: valid JSON refused with {e:?}; the reference reading accepts {want:?}"
                ),
                (Reference::Refuse(why), Ok(p)) => {
                    panic!("{name}: accepted {p:?}; the reference reading refuses it ({why})")
                }
                (Reference::Refuse(_), Err(_)) => {}
            }
        }
    }
}

/// What an accepted payload may hold.
fn check_accepted(name: &str, schema: &PayloadSchema, p: &PushPayload) {
    if let Some(h) = &p.handle {
        assert!(!h.value.is_empty(), "{name}: empty handle accepted");
        if let Some(kind) = schema.handle_type {
            assert_eq!(h.kind, kind, "{name}: handle type is not the schema's");
        } else {
            assert_eq!(h.kind, HandleType::infer(&h.value), "{name}: handle type");
        }
    }
    if let Some(n) = &p.caller_name {
        assert!(!n.as_str().is_empty(), "{name}: empty caller name accepted");
    }
    if p.has_video {
        assert!(
            schema.video_key.is_some() || schema.media_type_key.is_some(),
            "{name}: video without a video or media-type key"
        );
    }
    if let Some(ms) = p.ring_timeout_ms {
        assert!(
            schema.ring_timeout_key.is_some(),
            "{name}: ring time-out without its key"
        );
        assert!(
            (1..=600_000).contains(&ms),
            "{name}: ring time-out {ms} out of range"
        );
    }
    if p.kind == PushKind::Cancel {
        assert!(
            schema.message_type_key.is_some() && schema.cancel_message_type.is_some(),
            "{name}: cancel without a message type"
        );
    }
}

/// Parse -> re-serialise -> parse gives the same fields. Opaque ids are one-way hashed
/// to a UUID, so the re-serialised payload carries that UUID and is read with the same
/// schema switched to [`CallIdKind::Uuid`]; caller names are already cut to 64 bytes,
/// and cutting again changes nothing.
fn check_round_trip(name: &str, schema: &PayloadSchema, p: &PushPayload) {
    let fields = PayloadFields {
        id: p.call.map(|c| c.0.hyphenated().to_string()),
        handle: p.handle.as_ref().map(|h| h.value.to_string()),
        caller_name: p.caller_name.as_ref().map(|n| n.as_str().to_string()),
        video: p.has_video,
        ring_timeout_ms: p.ring_timeout_ms,
        cancel: p.kind == PushKind::Cancel,
        sent_at_unix_ms: p.sent_at_unix_ms,
    };
    let bytes = build_payload(schema, &fields);
    let mut reader = schema.clone();
    reader.id_kind = CallIdKind::Uuid;
    let again = reader.parse(&bytes);
    assert_eq!(
        again.as_ref(),
        Ok(p),
        "{name}: re-serialised as {:?}, read back differently",
        String::from_utf8_lossy(&bytes)
    );
}

/// A JSON value as `serde_json` reads it, keeping duplicate keys and number kinds.
#[derive(Clone, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Uint(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            members.push((k, v));
        }
        Ok(Json::Obj(members))
    }
}

impl Json {
    /// Nesting depth, counting every object and array (the top-level object is 1).
    fn depth(&self) -> usize {
        match self {
            Json::Arr(items) => 1 + items.iter().map(Json::depth).max().unwrap_or(0),
            Json::Obj(members) => 1 + members.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            _ => 0,
        }
    }
}

/// `data` read by `serde_json`, if it is valid JSON (and small enough to matter).
fn reference_tree(data: &[u8]) -> Option<Json> {
    if data.len() > MAX_PAYLOAD_LEN {
        return None;
    }
    serde_json::from_slice::<Json>(data).ok()
}

/// What the documented rules say about a payload that is valid JSON.
#[derive(Debug)]
enum Reference {
    /// Must be accepted, with these fields.
    Accept(Box<PushPayload>),
    /// Must be refused (any error).
    Refuse(&'static str),
    /// The rules do not decide from the JSON value alone (`-0` as an integer field:
    /// `serde_json` reads it as a float, the parser as the integer 0).
    Undecided,
}

/// The integer in an integer field, `Err` for a number that is not an i64 or another
/// type, `None` for `-0`.
fn reference_int(v: &Json) -> Option<Result<i64, &'static str>> {
    match v {
        Json::Int(i) => Some(Ok(*i)),
        Json::Uint(u) => Some(i64::try_from(*u).map_err(|_| "integer above i64")),
        Json::Float(f) if *f == 0.0 && f.is_sign_negative() => None,
        Json::Float(_) => Some(Err("fraction or exponent in an integer field")),
        _ => Some(Err("integer field of another type")),
    }
}

/// The schema's reading of valid JSON, written from the documentation of
/// [`PayloadSchema`] and [`PayloadSchema::parse`] alone.
fn reference_read(schema: &PayloadSchema, data: &[u8], tree: &Json) -> Reference {
    use Reference::{Accept, Refuse, Undecided};
    let _ = data;
    let Json::Obj(_) = tree else {
        return Refuse("top level is not an object");
    };
    if tree.depth() > callkit_engine::limits::MAX_JSON_DEPTH {
        return Refuse("too deep");
    }
    let mut object = tree;
    if !schema.root.is_empty() {
        for segment in schema.root.split('.') {
            let Json::Obj(members) = object else {
                return Refuse("root segment is not an object");
            };
            let hits: Vec<&Json> = members
                .iter()
                .filter(|(k, _)| k == segment)
                .map(|(_, v)| v)
                .collect();
            match hits.as_slice() {
                [] | [Json::Null] => return Refuse("missing root"),
                [one @ Json::Obj(_)] => object = one,
                [_] => return Refuse("root segment of another type"),
                _ => return Refuse("duplicate root segment"),
            }
        }
    }
    let Json::Obj(members) = object else {
        return Refuse("root is not an object");
    };
    let keys: [Option<&str>; 8] = [
        Some(schema.id_key.as_str()),
        Some(schema.handle_key.as_str()),
        schema.caller_name_key.as_deref(),
        schema.video_key.as_deref(),
        schema.media_type_key.as_deref(),
        schema.ring_timeout_key.as_deref(),
        schema.message_type_key.as_deref(),
        schema.sent_at_key.as_deref(),
    ];
    let mut fields: [Option<&Json>; 8] = [None; 8];
    for (k, v) in members {
        // The first schema key that matches classifies the member.
        if let Some(i) = keys.iter().position(|key| *key == Some(k.as_str())) {
            if fields[i].is_some() {
                return Refuse("duplicate schema key");
            }
            fields[i] = Some(v);
        }
    }
    let present = |i: usize| fields[i].filter(|v| !matches!(v, Json::Null));
    let mut p = PushPayload {
        call: None,
        kind: PushKind::Call,
        handle: None,
        caller_name: None,
        has_video: false,
        ring_timeout_ms: None,
        sent_at_unix_ms: None,
    };
    if let Some(v) = present(0) {
        let Json::Str(s) = v else {
            return Refuse("id of another type");
        };
        p.call = match schema.id_kind {
            CallIdKind::Uuid if s.len() > 64 => return Refuse("id too long"),
            CallIdKind::Opaque
                if s.is_empty() || s.len() > callkit_engine::limits::MAX_OPAQUE_ID_LEN =>
            {
                return Refuse("opaque id empty or too long")
            }
            _ => match call_for(schema, s) {
                Some(c) => Some(c),
                None => return Refuse("id is not a UUID"),
            },
        };
    }
    if let Some(v) = present(1) {
        let Json::Str(s) = v else {
            return Refuse("handle of another type");
        };
        if s.len() > callkit_engine::limits::MAX_HANDLE_LEN {
            return Refuse("handle too long");
        }
        if !s.is_empty() {
            let kind = schema.handle_type.unwrap_or_else(|| HandleType::infer(s));
            p.handle = Handle::new(kind, s);
        }
    }
    if let Some(v) = present(2) {
        let Json::Str(s) = v else {
            return Refuse("caller name of another type");
        };
        p.caller_name = (!s.is_empty()).then(|| CallerName::truncating(s));
    }
    if let Some(v) = present(3) {
        let Json::Bool(b) = v else {
            return Refuse("video flag of another type");
        };
        p.has_video = *b;
    }
    if let Some(v) = present(4) {
        match reference_int(v) {
            None => return Undecided,
            Some(Ok(1)) => p.has_video = true,
            Some(Ok(0)) => {}
            Some(Ok(_)) => return Refuse("media type other than 0 or 1"),
            Some(Err(why)) => return Refuse(why),
        }
    }
    if let Some(v) = present(5) {
        match reference_int(v) {
            None => return Undecided,
            Some(Ok(ms)) => {
                p.ring_timeout_ms = u64::try_from(ms)
                    .ok()
                    .filter(|ms| (1..=600_000).contains(ms))
            }
            Some(Err(why)) => return Refuse(why),
        }
    }
    if let Some(v) = present(6) {
        let Json::Str(s) = v else {
            return Refuse("message type of another type");
        };
        if schema.cancel_message_type.as_deref() == Some(s.as_str()) {
            p.kind = PushKind::Cancel;
        }
    }
    if let Some(v) = present(7) {
        let per_unit: u64 = match schema.sent_at_unit {
            SentAtUnit::Seconds => 1_000,
            SentAtUnit::Milliseconds => 1,
        };
        match reference_int(v) {
            None => return Undecided,
            Some(Ok(t)) => {
                p.sent_at_unix_ms = u64::try_from(t).ok().map(|t| t.saturating_mul(per_unit))
            }
            Some(Err(why)) => return Refuse(why),
        }
    }
    Accept(Box::new(p))
}

// ---------------------------------------------------------------------------------------
// A checked engine: every step through the invariant checker and local consistency checks
// ---------------------------------------------------------------------------------------

/// An engine driven one step at a time through a checked [`Harness`] (the invariants
/// I1-I10, the PushKit rule among them; I3 and I7 hold the host's view of actions and
/// timers), plus the consistency checks here (the engine's clock is the step's; the
/// engine's own state is coherent). Panics at the first violation, with the run so
/// far. Dereferences to its [`Harness`].
#[derive(Clone)]
pub struct Checked<const C: usize, const P: usize, const E: usize> {
    harness: Harness<C, P, E>,
    /// The first line of the run's log, with its line break (the fixture it started
    /// from), or empty.
    header: String,
}

impl<const C: usize, const P: usize, const E: usize> std::ops::Deref for Checked<C, P, E> {
    type Target = Harness<C, P, E>;
    fn deref(&self) -> &Harness<C, P, E> {
        &self.harness
    }
}

impl<const C: usize, const P: usize, const E: usize> Checked<C, P, E> {
    /// A new engine with `config`, at time 0.
    pub fn new(config: Config) -> Self {
        Checked {
            harness: Harness::new(config),
            header: String::new(),
        }
    }

    /// The same run with every check off (and nothing recorded): only for minimising a
    /// corpus by engine coverage ([`drive_events_unchecked`]).
    fn unchecked(mut self) -> Self {
        self.harness.checking = false;
        self.harness.recording = false;
        self
    }

    fn fail(&self, what: &str) -> ! {
        let timeline = self.harness.timeline();
        let lines: Vec<&str> = timeline.lines().collect();
        let tail = lines[lines.len().saturating_sub(80)..].join("\n");
        panic!("{what}\n--- run (last 80 lines) ---\n{}{tail}", self.header);
    }

    /// Feeds `event` at `at` and checks the step; returns what the engine returned.
    pub fn step(&mut self, at: u64, event: Event<'_>) -> Result<StepEffects, Error> {
        let result = self.harness.step_at(at, event);
        let Some(before) = self.harness.previous.take() else {
            return result;
        };
        if let Some(v) = self.harness.checker.violations().first() {
            self.fail(&format!("invariant broken: {v}"));
        }
        let effective = if matches!(event, Event::VoipPushReceived { .. }) {
            at.max(before.now().as_millis())
        } else {
            at
        };
        if result.is_ok() && self.engine.now().as_millis() != effective {
            self.fail(&format!(
                "the engine's clock is {} ms after a step at {effective} ms",
                self.engine.now().as_millis()
            ));
        }
        self.check_state();
        result
    }

    /// The engine's state is coherent.
    fn check_state(&self) {
        let e = &self.engine;
        let calls: Vec<_> = e.calls().collect();
        let ids: BTreeSet<CallId> = calls.iter().map(|c| c.id()).collect();
        let timers: BTreeSet<Timer> = e.timers().map(|(t, _)| t).collect();
        let deferred: Vec<ActionId> = calls.iter().filter_map(|c| c.deferred_action()).collect();
        let distinct: BTreeSet<&ActionId> = deferred.iter().collect();
        let transactions = e.pending_transactions();
        for (broken, what) in [
            (
                calls.len() > C || ids.len() != calls.len(),
                "more calls than slots, or a call twice",
            ),
            (
                e.pending_pushes() > P || transactions > MAX_PENDING_TRANSACTIONS,
                "more pending pushes or transactions than slots",
            ),
            (e.is_idle() && !timers.is_empty(), "idle with a timer armed"),
            (timers.len() != e.timers().count(), "a timer is armed twice"),
            (
                e.poll_timeout() != e.timers().map(|(_, d)| d).min(),
                "poll_timeout is not the earliest timer",
            ),
        ] {
            if broken {
                self.fail(what);
            }
        }
        let audio = e.audio_session_active();
        for c in calls {
            let (id, phase, held) = (c.id(), c.phase(), c.is_on_hold());
            let check = |ok: bool, what: &dyn Fn() -> String| {
                if !ok {
                    self.fail(&format!("call {id}: {}", what()));
                }
            };
            use CallPhase as Ph;
            let incoming = matches!(phase, Ph::Ringing | Ph::Answering | Ph::Answered);
            let direction = c.direction();
            check(incoming == (direction == Direction::Incoming), &|| {
                format!("phase {phase:?} for direction {direction:?}")
            });
            let (ring, answer) = (c.ring_deadline().is_some(), c.answer_deadline().is_some());
            check(!(ring && answer), &|| "two timers".into());
            check(ring == (phase == Ph::Ringing), &|| {
                format!("ring timer in phase {phase:?}")
            });
            check(answer == (phase == Ph::Answering), &|| {
                format!("answer timer in phase {phase:?}")
            });
            let start = c.start_deadline().is_some();
            check(start == (phase == Ph::Starting), &|| {
                format!("start-connect timer in phase {phase:?}")
            });
            let no_answer = c.no_answer_deadline().is_some();
            check(no_answer == (phase == Ph::Connecting), &|| {
                format!("no-answer timer in phase {phase:?}")
            });
            let holds = matches!(phase, Ph::Answering | Ph::Starting);
            check(c.deferred_action().is_some() == holds, &|| {
                format!("deferred action in phase {phase:?}")
            });
            let media = c.media_running();
            check(media == (audio && phase.media_allowed() && !held), &|| {
                format!(
                    "media running {media} in phase {phase:?}, audio active {audio}, held {held}"
                )
            });
            let (ringback, remote) = (c.ringback_playing(), c.remote_ringing());
            check(ringback == (audio && remote && !held), &|| {
                format!("ringback {ringback} in phase {phase:?}, remote ringing {remote}, audio active {audio}, held {held}")
            });
            let awaits_audio = matches!(phase, Ph::Answered | Ph::Connecting | Ph::Connected);
            check(
                c.audio_activation_deadline().is_none() || (!audio && awaits_audio),
                &|| format!("audio-activation timer in phase {phase:?}, audio active {audio}"),
            );
            check(
                !c.report_pending() || direction == Direction::Incoming,
                &|| "outgoing with a report pending".into(),
            );
        }
        if distinct.len() != deferred.len() {
            self.fail("one action held by two calls");
        }
    }

    /// Fires, in the core's due order, every armed timer due at `at`, each at its
    /// deadline (or the engine's clock, if later); every one must be accepted, and the
    /// firing must end.
    pub fn fire_due(&mut self, at: u64) {
        let at = at.max(self.engine.now().as_millis());
        let ended = fire_due(
            self,
            |k| &k.harness.engine,
            at,
            4 * (C + P) + 16,
            |k, timer, deadline| {
                let when = deadline.as_millis().max(k.engine.now().as_millis());
                if let Err(e) = k.step(when, Event::TimerFired { timer }) {
                    k.fail(&format!("a due timer was refused: {e}"));
                }
                true
            },
        );
        if !ended {
            self.fail("timers keep firing: more firings than timers can exist");
        }
    }

    /// Ends the run: fires every timer due by `at` (the host kept its promises), checks
    /// that every push past its deadline was completed, then resets the provider and
    /// checks the engine is idle with no timer and no push owed.
    pub fn finish(&mut self, at: u64) {
        let at = at.max(self.engine.now().as_millis());
        self.fire_due(at);
        if !self.checking {
            let _ = self.step(at, Event::ProviderDidReset);
            return;
        }
        self.harness.checker.finish(at);
        if let Some(v) = self.checker.violations().first() {
            self.fail(&format!("at the end: {v}"));
        }
        if let Err(e) = self.step(at, Event::ProviderDidReset) {
            self.fail(&format!("providerDidReset refused: {e}"));
        }
        if !self.engine.is_idle() || self.engine.timers().next().is_some() {
            self.fail("not idle after providerDidReset");
        }
        if self.checker.open_pushes() != 0 {
            self.fail("a push is still owed its completion after providerDidReset");
        }
    }
}

// ---------------------------------------------------------------------------------------
// `push`: raw bytes as a VoIP push into a live engine
// ---------------------------------------------------------------------------------------

/// The id text of fixture call `n` under `schema`: for `n == 0` the id of the corpus
/// payload the schema was made for (so mutated corpus payloads hit a live call), else
/// `00000000-0000-4000-8000-00000000000n` (the testkit's [`call_id`]) or the opaque id
/// `c<n>`.
pub fn fixture_id(schema_name: &str, schema: &PayloadSchema, n: u8) -> String {
    if n == 0 {
        let corpus = match schema_name {
            "apple_docs" => Some("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11"),
            "speakerbox" => Some("E621E1F8-C36C-495A-93FC-0C247A3E6E5F"),
            "react_native_voip_push" => Some("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20"),
            "flutter_callkit_incoming" => Some("44d915e1-5ff4-4bed-bf13-c423048ec97a"),
            "twilio" => Some("CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a"),
            "telegram" => Some("6823910254189346817"),
            "linphone_flexisip" => Some("Jd7xK2pQ-8h3F9vLmN"),
            "nested_data" => Some("3e9d2c41-6b7a-4f08-9e15-7d2c8a4b1f63"),
            _ => None,
        };
        if let Some(id) = corpus {
            return id.to_string();
        }
    }
    match schema.id_kind {
        CallIdKind::Uuid => call_id(n).0.hyphenated().to_string(),
        CallIdKind::Opaque => format!("c{n}"),
    }
}

/// The push id of the fuzzed push in [`check_push`].
pub const FUZZED_PUSH: u64 = 100;

/// A fixture for [`check_push`]: an engine with `schema` holding, at 400 ms,
///
/// - call 0 ringing with its report still pending (push 1 pending),
/// - call 1 answered with media (audio session active),
/// - call 2 answering (answer action held, connection not ready),
/// - call 3 ended by the remote side (its UUID recently ended),
/// - with `flood == false`: call 4 outgoing and connecting (the call table is full);
///   with `flood == true`: no call 4, and pushes 10-16 (unreadable, reported and ended)
///   pending, so the push table is full of pushes within their deadline.
pub fn push_fixture(schema_name: &str, schema: &PayloadSchema, flood: bool) -> Checked<4, 8, 32> {
    let id = |n: u8| fixture_id(schema_name, schema, n);
    let call = |n: u8| call_for(schema, &id(n)).expect("fixture ids are valid").0;
    let payload = |n: u8| {
        let fields = PayloadFields {
            id: Some(id(n)),
            handle: Some(format!("+1408555{n:04}")),
            caller_name: Some(format!("Caller {n}")),
            ..PayloadFields::default()
        };
        Value::from(String::from_utf8(build_payload(schema, &fields)).expect("JSON is UTF-8"))
    };
    let [c1, c2, c3, c4] = [1, 2, 3, 4].map(call);
    let [p0, p1, p2, p3] = [0, 1, 2, 3].map(payload);
    // The scenes of the doc comment, as a call trace.
    let mut text = format!(
        r#"{{"at_ms": 0, "event": "voip_push", "push": 1, "payload_text": {p0}}}
{{"at_ms": 100, "event": "voip_push", "push": 2, "payload_text": {p1}}}
{{"at_ms": 110, "event": "incoming_call_reported", "push": 2}}
{{"at_ms": 120, "event": "incoming_call_connected", "call": "{c1}"}}
{{"at_ms": 130, "event": "perform_answer_call", "action": 1, "call": "{c1}"}}
{{"at_ms": 140, "event": "did_activate_audio_session"}}
{{"at_ms": 200, "event": "voip_push", "push": 3, "payload_text": {p2}}}
{{"at_ms": 210, "event": "incoming_call_reported", "push": 3}}
{{"at_ms": 220, "event": "perform_answer_call", "action": 2, "call": "{c2}"}}
{{"at_ms": 300, "event": "voip_push", "push": 4, "payload_text": {p3}}}
{{"at_ms": 310, "event": "incoming_call_reported", "push": 4}}
{{"at_ms": 320, "event": "remote_ended", "call": "{c3}"}}
"#
    );
    if flood {
        for p in 10..=16 {
            text += &format!(
                r#"{{"at_ms": 390, "event": "voip_push", "push": {p}, "payload_text": "x"}}"#
            );
            text.push('\n');
        }
    } else {
        text += &format!(
            r#"{{"at_ms": 400, "event": "request_start_call", "call": "{c4}", "handle": "+15551234567"}}
{{"event": "transaction_completed", "transaction": "last"}}
{{"event": "perform_start_call", "action": 3, "call": "{c4}", "handle": "+15551234567"}}
{{"event": "outgoing_call_connecting", "call": "{c4}"}}"#
        );
    }
    let mut trace = parse_trace(&text, Path::new(".")).expect("the fixture parses");
    trace.config = Config::with_schema(schema.clone());
    let o = run_trace(&trace).expect("the fixture runs");
    let refused = o.unexpected_refusals().next().map(|s| (s.event, &s.result));
    assert!(
        refused.is_none(),
        "{schema_name}: fixture step refused: {refused:?}"
    );
    assert!(
        o.violations.is_empty(),
        "{schema_name}: fixture: {:?}",
        o.violations
    );
    let (full, what) = if flood {
        (o.harness.engine.pending_pushes() == 8, "push table full")
    } else {
        (o.harness.engine.calls().count() == 4, "call table full")
    };
    assert!(full, "{schema_name}: {what}");
    let mut k = Checked {
        harness: o.harness,
        header: format!("(fixture: schema {schema_name}, {what})\n"),
    };
    k.harness.steps.clear();
    k.check_state();
    k
}

/// The [`push_fixture`]s for every schema, built once.
fn push_fixtures() -> &'static [(&'static str, PayloadSchema, bool, Checked<4, 8, 32>)] {
    static FIXTURES: OnceLock<Vec<(&'static str, PayloadSchema, bool, Checked<4, 8, 32>)>> =
        OnceLock::new();
    FIXTURES.get_or_init(|| {
        let mut v = Vec::new();
        for (name, schema) in all_schemas() {
            for flood in [false, true] {
                v.push((
                    *name,
                    schema.clone(),
                    flood,
                    push_fixture(name, schema, flood),
                ));
            }
        }
        v
    })
}

/// `data` as a VoIP push into every [`push_fixture`] (every schema, full call table and
/// full push table), then completed each way a push can be: its report's result (`Ok`,
/// and an error picked from the input), its deadline, and `providerDidReset`.
///
/// Panics unless: the push is accepted and its first effect reports it under the
/// payload's call id (the fallback id for an unreadable payload, whose step says why,
/// and which is ended as failed once its report is accepted, or in the same step when
/// the push is completed at once); every step keeps the invariants and the local consistency
/// checks of [`Checked`]; and at the end every push was completed exactly once and the
/// reset engine is idle.
pub fn check_push(data: &[u8]) {
    let error = IncomingCallError::from_raw(i64::from(data.first().copied().unwrap_or(0) % 8));
    // The fixtures differ only in their schema and call ids, so a push reported under
    // the fallback id (unreadable, or no id) behaves the same in every schema with the
    // same parse result: its completion paths run once per scene and parse result.
    let mut paths_run: Vec<(bool, bool, Result<PushPayload, PayloadError>)> = Vec::new();
    for (name, schema, flood, fixture) in push_fixtures() {
        let mut k = fixture.clone();
        // The full-call-table scene gets its push with the time gone backwards (50 ms,
        // before the fixture's 400 ms): it must be handled at 400 ms.
        let at = if *flood { 1_000 } else { 50 };
        let fallback = fallback_id(FUZZED_PUSH);
        let effects = k
            .step(
                at,
                Event::VoipPushReceived {
                    push: PushId(FUZZED_PUSH),
                    payload: data,
                    fallback_call: fallback,
                    must_report: None,
                    received_at_unix_ms: None,
                },
            )
            .unwrap_or_else(|e| panic!("{name}: push refused: {e}"));
        let parsed = schema.parse(data);
        // A push naming the app's own outgoing call is unusable like an unreadable one
        // (since c46c7a8, the fix for finding F2; finding F5 in docs/robustness.md).
        let names_outgoing = parsed.as_ref().is_ok_and(|p| {
            p.call
                .and_then(|c| fixture.engine.call(c))
                .is_some_and(|c| c.direction() == Direction::Outgoing)
        });
        // So is a call push without the call id its schema requires (a cancel without
        // one is a cancel for no call here).
        let no_id = parsed
            .as_ref()
            .is_ok_and(|p| p.call.is_none() && schema.require_call_id && p.kind == PushKind::Call);
        let unusable = parsed.is_err() || names_outgoing || no_id;
        let want = match &parsed {
            Ok(p) if !names_outgoing && !no_id => p.call.unwrap_or(fallback),
            _ => fallback,
        };
        match effects.first() {
            Some(Effect::ReportNewIncomingCall { push, call })
                if *push == Some(PushId(FUZZED_PUSH)) && *call == want => {}
            other => panic!("{name}: first effect {other:?}, want the report under {want}"),
        }
        let ended_failed = |effects: &StepEffects, at: Instant| {
            effects.contains(&Effect::ReportCallEnded {
                call: fallback,
                at,
                reason: CallEndedReason::Failed,
            })
        };
        // Completed at once (a full push table with nothing due): its end comes at once.
        let completed_at_once = k.checker.completions(FUZZED_PUSH) == 1;
        if unusable
            && (effects.push_end_reason.is_none()
                || ended_failed(&effects, k.engine.now()) != completed_at_once)
        {
            panic!("{name}: unusable payload ({parsed:?}) not reported to end as failed once accepted: {effects:?}");
        }
        if *flood && k.checker.completions(FUZZED_PUSH) != 1 {
            panic!("{name}: push on a full push table not completed in its step");
        }
        let now = k.engine.now().as_millis();
        if !parsed.as_ref().is_ok_and(|p| p.call.is_some()) {
            let key = (*flood, schema.require_call_id, parsed.clone());
            if paths_run.contains(&key) {
                continue;
            }
            paths_run.push(key);
        }
        let report = |result| Event::IncomingCallReported {
            report: IncomingReport::Push(PushId(FUZZED_PUSH)),
            result,
        };
        for path in 0..4 {
            let mut k = k.clone();
            match path {
                0 => {
                    let done = k.step(now + 40, report(Ok(())));
                    let ends = done.is_ok_and(|d| ended_failed(&d, Instant::from_millis(now + 40)));
                    if unusable && !completed_at_once && !ends {
                        panic!("{name}: unusable payload ({parsed:?}) not ended once its report was accepted");
                    }
                }
                1 => drop(k.step(now + 40, report(Err(error)))),
                2 => k.fire_due(now + 5_000),
                _ => drop(k.step(now + 40, Event::ProviderDidReset)),
            }
            let times = k.checker.completions(FUZZED_PUSH);
            assert_eq!(
                times, 1,
                "{name}: path {path}: push completed {times} times"
            );
            k.finish(now + 700_000);
            let times = k.checker.completions(FUZZED_PUSH);
            assert_eq!(
                times, 1,
                "{name}: path {path}: push completed {times} times by the end"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// `events`: an arbitrary script of events
// ---------------------------------------------------------------------------------------

/// Most steps of one [`Script`] that are run.
pub const MAX_SCRIPT_STEPS: usize = 96;

/// A fuzzed run: a configuration and a sequence of host operations.
#[derive(Arbitrary, Debug)]
pub struct Script {
    /// Index into [`all_schemas`].
    pub schema: u8,
    /// Engine capacities: 0 `<4, 8, 32>` (defaults), 1 `<2, 2, 12>`, 2 `<1, 1, 9>` (each
    /// with exactly `effects_needed` effects).
    pub capacity: u8,
    /// Configuration knobs.
    pub knobs: Knobs,
    /// The operations.
    pub ops: Vec<Op>,
}

/// The configuration a [`Script`] runs with.
#[derive(Arbitrary, Debug)]
pub struct Knobs {
    /// `supportsVideo`.
    pub video: bool,
    /// `supportsHolding`.
    pub holding: bool,
    /// `supportsGrouping`.
    pub grouping: bool,
    /// `supportsUngrouping`.
    pub ungrouping: bool,
    /// `supportsDTMF`.
    pub dtmf: bool,
    /// `maximumCallGroups`.
    pub max_groups: u8,
    /// `maximumCallsPerCallGroup`.
    pub per_group: u8,
    /// Ring time-out.
    pub ring: Timeout,
    /// Answer-connect time-out.
    pub answer: Timeout,
    /// Push completion time-out.
    pub push: Timeout,
    /// Audio-activation time-out.
    pub audio: Timeout,
}

/// A configured time-out.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Timeout {
    /// The default.
    Default,
    /// 0 ms: due at once.
    Zero,
    /// A few milliseconds.
    Small(u8),
    /// `u64::MAX`: every deadline saturates.
    Max,
}

impl Timeout {
    fn ms(self, default: u64) -> u64 {
        match self {
            Timeout::Default => default,
            Timeout::Zero => 0,
            Timeout::Small(n) => u64::from(n),
            Timeout::Max => u64::MAX,
        }
    }
}

/// How the host clock moves before an operation.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Delta {
    /// Not at all.
    Same,
    /// Forward by a few milliseconds.
    Ms(u8),
    /// Forward by up to about 65 s.
    Long(u16),
    /// Forward by up to about 50 days.
    Huge(u32),
    /// Backwards by up to about 65 s.
    Back(u16),
    /// To near the end of time (`u64::MAX` minus a little).
    EndOfTime(u16),
}

/// One thing the host does.
#[derive(Arbitrary, Debug)]
pub enum Op {
    /// Hands the engine an event after moving the clock.
    Event(Delta, Ev),
    /// Moves the clock to the earliest armed timer's deadline (if later) and fires it.
    FireNextTimer,
    /// Fires every timer due now.
    FireDue,
}

/// A call reference, resolved against the run so far.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallRef {
    /// One of six fixed ids (colliding across the run).
    Small(u8),
    /// The n-th live call (a small id when there is none).
    Live(u8),
    /// The n-th call id seen in an effect, most recent first.
    Seen(u8),
    /// A new id never used before.
    Fresh,
}

/// An action reference.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActRef {
    /// One of six fixed ids.
    Small(u8),
    /// The n-th action held by a live call.
    Held(u8),
    /// A new id.
    Fresh,
}

/// A push reference (for report results).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushRef {
    /// The n-th push sent, most recent first.
    Sent(u8),
    /// A raw small id.
    Raw(u8),
}

/// A transaction reference.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxRef {
    /// The n-th transaction requested, most recent first.
    Seen(u8),
    /// A raw small id.
    Raw(u8),
}

/// A timer reference.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerRef {
    /// The n-th armed timer.
    Armed(u8),
    /// A push's completion timer.
    Push(PushRef),
    /// A call's ring timer.
    Ring(CallRef),
    /// A call's answer timer.
    Answer(CallRef),
    /// A call's audio-activation timer.
    Audio(CallRef),
}

/// Text for handles and DTMF digits.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// `+14085551234`.
    Phone,
    /// `sip:alice@example.org`.
    Sip,
    /// `alice@example.org`.
    Email,
    /// `12#*A,`.
    Digits,
    /// Empty.
    Empty,
    /// 129 bytes (one over the handle limit; also over the DTMF limit).
    TooLong,
    /// 33 digits (one over the DTMF limit).
    Dtmf33,
    /// Anything.
    Any(String),
}

impl Text {
    fn resolve(&self) -> String {
        match self {
            Text::Phone => "+14085551234".into(),
            Text::Sip => "sip:alice@example.org".into(),
            Text::Email => "alice@example.org".into(),
            Text::Digits => "12#*A,".into(),
            Text::Empty => String::new(),
            Text::TooLong => "1".repeat(129),
            Text::Dtmf33 => "1".repeat(33),
            Text::Any(s) => s.clone(),
        }
    }
}

/// A push payload.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum PayloadSrc {
    /// The n-th file of `tests/payloads/`.
    Corpus(u8),
    /// A well-formed payload for the run's schema.
    Built {
        /// Its call id (`None`: no id, the fallback is used).
        call: Option<CallRef>,
        /// A cancel push.
        cancel: bool,
        /// Caller name: none, or one of a few.
        name: Option<u8>,
        /// Handle.
        handle: Option<Text>,
        /// Video.
        video: bool,
        /// Ring time-out in the payload.
        ring_ms: Option<u32>,
    },
    /// Raw bytes.
    Raw(Vec<u8>),
}

/// The fallback UUID the host hands in with a push.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackRef {
    /// A fresh UUID (the host's contract).
    Fresh,
    /// A call reference (a host reusing a UUID).
    Call(CallRef),
}

/// How a fuzz script names the values of an event: references the runner resolves
/// against the run so far, raw Apple values, and [`Text`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scripted;

impl Symbols for Scripted {
    /// The runner numbers the pushes itself.
    type NewPush = ();
    type Payload = PayloadSrc;
    type Fallback = FallbackRef;
    type Push = PushRef;
    /// `None`: success; else an error's raw value.
    type Report = Option<u8>;
    type Action = ActRef;
    type Call = CallRef;
    type Text = Text;
    /// A raw value, taken modulo the three types.
    type HandleType = u8;
    /// A raw value, taken modulo the three types.
    type Dtmf = u8;
    type Transaction = TxRef;
    /// `None`: success; else an error's raw value.
    type TxResult = Option<u8>;
    type Timer = TimerRef;
}

impl ArbitrarySymbols<'_> for Scripted {}

/// Every [`Event`] variant, with references the runner resolves.
pub type Ev = HostEvent<Scripted>;

/// The host's side of a scripted run: the clock and what it has seen.
struct Host<'s> {
    schema_name: &'s str,
    schema: &'s PayloadSchema,
    now: u64,
    next_push: u64,
    next_fresh: u64,
    pushes: Vec<u64>,
    transactions: Vec<TransactionId>,
    seen_calls: Vec<CallId>,
    /// Id text for calls the host named itself (opaque schemas cannot invert a UUID).
    texts: BTreeMap<CallId, String>,
}

/// The `n`-th item of `items`, wrapping around.
fn nth<T: Copy>(items: &[T], n: u8) -> Option<T> {
    items.get(usize::from(n) % items.len().max(1)).copied()
}

/// The `n`-th item of `items`, most recent (last) first, wrapping around.
fn nth_latest<T: Copy>(items: &[T], n: u8) -> Option<T> {
    let i = usize::from(n) % items.len().max(1);
    items.len().checked_sub(i + 1).map(|i| items[i])
}

impl Host<'_> {
    fn small(&mut self, n: u8) -> CallId {
        let text = fixture_id(self.schema_name, self.schema, n % 6);
        let call = call_for(self.schema, &text).unwrap_or_else(|| call_id(n % 6));
        self.texts.entry(call).or_insert(text);
        call
    }

    fn id_text(&mut self, call: CallId) -> String {
        match self.schema.id_kind {
            CallIdKind::Uuid => call.0.hyphenated().to_string(),
            CallIdKind::Opaque => match self.texts.get(&call) {
                Some(t) => t.clone(),
                None => fixture_id(self.schema_name, self.schema, 1),
            },
        }
    }

    fn moved(&self, d: Delta) -> u64 {
        match d {
            Delta::Same => self.now,
            Delta::Ms(n) => self.now.saturating_add(u64::from(n)),
            Delta::Long(n) => self.now.saturating_add(u64::from(n)),
            Delta::Huge(n) => self.now.saturating_add(u64::from(n) * 1_000),
            Delta::Back(n) => self.now.saturating_sub(u64::from(n)),
            Delta::EndOfTime(n) => u64::MAX - u64::from(n),
        }
    }

    fn observe(&mut self, effects: &StepEffects) {
        for e in effects {
            if let Some(c) = e.call() {
                if self.seen_calls.last() != Some(&c) {
                    self.seen_calls.push(c);
                }
            }
            if let Effect::RequestTransaction { transaction, .. } = e {
                self.transactions.push(*transaction);
            }
        }
        if self.seen_calls.len() > 64 {
            self.seen_calls.drain(..32);
        }
    }
}

/// `data` decoded as a [`Script`] (anything `arbitrary` makes of the bytes) and run by
/// [`run_script`].
pub fn check_events(data: &[u8]) {
    if let Ok(script) = Script::arbitrary_take_rest(Unstructured::new(data)) {
        run_script_with(&script, true);
    }
}

/// The run of [`check_events`] with every check off. Only for minimising the events
/// corpus by the coverage of the engine rather than of the checkers (docs/robustness.md,
/// "Corpus"); it checks nothing.
pub fn drive_events_unchecked(data: &[u8]) {
    if let Ok(script) = Script::arbitrary_take_rest(Unstructured::new(data)) {
        run_script_with(&script, false);
    }
}

/// Runs `script` (at most [`MAX_SCRIPT_STEPS`] operations) through an engine of the
/// chosen capacity, every step checked by [`Checked`], then [`Checked::finish`] an hour
/// after the last step.
pub fn run_script(script: &Script) {
    run_script_with(script, true);
}

fn run_script_with(script: &Script, checking: bool) {
    match script.capacity % 3 {
        0 => run_script_on::<4, 8, 32>(script, checking),
        1 => run_script_on::<2, 2, 12>(script, checking),
        _ => run_script_on::<1, 1, 9>(script, checking),
    }
}

fn run_script_on<const C: usize, const P: usize, const E: usize>(script: &Script, checking: bool) {
    let schemas = all_schemas();
    let (schema_name, schema) = &schemas[usize::from(script.schema) % schemas.len()];
    let k = &script.knobs;
    let mut config = Config::with_schema(schema.clone());
    config.provider.supports_video = k.video;
    config.provider.maximum_call_groups = k.max_groups % 4;
    config.provider.maximum_calls_per_call_group = k.per_group % 4;
    config.capabilities.supports_holding = k.holding;
    config.capabilities.supports_grouping = k.grouping;
    config.capabilities.supports_ungrouping = k.ungrouping;
    config.capabilities.supports_dtmf = k.dtmf;
    config.ring_timeout_ms = k.ring.ms(config.ring_timeout_ms);
    config.answer_connect_timeout_ms = k.answer.ms(config.answer_connect_timeout_ms);
    // The outgoing bounds share the knobs of their incoming counterparts (the answer
    // bound and the ring time-out), so that committed inputs keep their meaning.
    config.start_connect_timeout_ms = k.answer.ms(config.start_connect_timeout_ms);
    config.no_answer_timeout_ms = k.ring.ms(config.no_answer_timeout_ms);
    config.push_completion_timeout_ms = k.push.ms(config.push_completion_timeout_ms);
    config.audio_activation_timeout_ms = k.audio.ms(config.audio_activation_timeout_ms);
    let mut run: Checked<C, P, E> = Checked::new(config);
    if !checking {
        run = run.unchecked();
    }
    let mut host = Host {
        schema_name,
        schema,
        now: 0,
        next_push: 1_000,
        next_fresh: 0,
        pushes: Vec::new(),
        transactions: Vec::new(),
        seen_calls: Vec::new(),
        texts: BTreeMap::new(),
    };
    for op in script.ops.iter().take(MAX_SCRIPT_STEPS) {
        match op {
            Op::FireNextTimer => {
                // The earliest armed timer, due or not, in the core's due order.
                let next = run.engine.next_due_timer(Instant::from_millis(u64::MAX));
                if let Some((timer, deadline)) = next {
                    host.now = host
                        .now
                        .max(deadline.as_millis())
                        .max(run.engine.now().as_millis());
                    match run.step(host.now, Event::TimerFired { timer }) {
                        Ok(effects) => host.observe(&effects),
                        Err(e) => panic!("the earliest timer {timer:?} was refused when due: {e}"),
                    }
                }
            }
            Op::FireDue => run.fire_due(host.now),
            Op::Event(delta, ev) => {
                host.now = host.moved(*delta);
                step_event(&mut run, &mut host, ev);
            }
        }
    }
    let end = host
        .now
        .max(run.engine.now().as_millis())
        .saturating_add(3_600_000);
    run.finish(end);
}

fn step_event<const C: usize, const P: usize, const E: usize>(
    run: &mut Checked<C, P, E>,
    host: &mut Host<'_>,
    ev: &Ev,
) {
    let Ok(event) = ev.resolve(&mut ScriptResolver {
        host,
        engine: &run.engine,
    });
    if let Ok(effects) = run.step(host.now, event.as_event()) {
        host.observe(&effects);
    }
}

/// Resolves a script's references against the host's view and the engine.
struct ScriptResolver<'a, 's, const C: usize, const P: usize, const E: usize> {
    host: &'a mut Host<'s>,
    engine: &'a Engine<C, P, E>,
}

impl<const C: usize, const P: usize, const E: usize> Resolve<Scripted>
    for ScriptResolver<'_, '_, C, P, E>
{
    type Error = Infallible;
    fn new_push(&mut self, (): &()) -> Result<PushId, Infallible> {
        self.host.next_push += 1;
        self.host.pushes.push(self.host.next_push);
        Ok(PushId(self.host.next_push))
    }
    fn fallback(&mut self, push: PushId, fallback: &FallbackRef) -> Result<CallId, Infallible> {
        match fallback {
            FallbackRef::Fresh => Ok(fallback_id(push.0)),
            FallbackRef::Call(r) => self.call(r),
        }
    }
    fn payload(&mut self, payload: &PayloadSrc) -> Result<Vec<u8>, Infallible> {
        Ok(match payload {
            PayloadSrc::Corpus(n) => PAYLOAD_CORPUS[usize::from(*n) % PAYLOAD_CORPUS.len()]
                .1
                .to_vec(),
            PayloadSrc::Raw(b) => b.clone(),
            PayloadSrc::Built {
                call,
                cancel,
                name,
                handle,
                video,
                ring_ms,
            } => {
                let id = call.map(|r| {
                    let Ok(c) = self.call(&r);
                    self.host.id_text(c)
                });
                let names = ["Alice", "Bob \"B\" 📞", "", "山田"];
                build_payload(
                    self.host.schema,
                    &PayloadFields {
                        id,
                        handle: handle.as_ref().map(Text::resolve),
                        caller_name: name.map(|n| names[usize::from(n) % names.len()].to_string()),
                        video: *video,
                        ring_timeout_ms: ring_ms.map(u64::from),
                        cancel: *cancel,
                        // Every built payload was sent at the same moment; the push's
                        // wall clock says how old it is.
                        sent_at_unix_ms: Some(FUZZ_SENT_AT_MS),
                    },
                )
            }
        })
    }
    fn push(&mut self, push: &PushRef) -> Result<PushId, Infallible> {
        Ok(match *push {
            PushRef::Sent(n) => {
                PushId(nth_latest(&self.host.pushes, n).unwrap_or(u64::from(n % 4)))
            }
            PushRef::Raw(n) => PushId(u64::from(n % 24)),
        })
    }
    fn report(&mut self, result: &Option<u8>) -> Result<ReportResult, Infallible> {
        Ok(result.map_or(Ok(()), |raw| {
            Err(IncomingCallError::from_raw(i64::from(raw)))
        }))
    }
    fn action(&mut self, action: &ActRef) -> Result<ActionId, Infallible> {
        Ok(match *action {
            ActRef::Small(n) => action_id(n % 6),
            ActRef::Held(n) => {
                let held: Vec<ActionId> = self
                    .engine
                    .calls()
                    .filter_map(|c| c.deferred_action())
                    .collect();
                nth(&held, n).unwrap_or_else(|| action_id(n % 6))
            }
            ActRef::Fresh => {
                self.host.next_fresh += 1;
                ActionId(test_uuid(0xac, self.host.next_fresh))
            }
        })
    }
    fn call(&mut self, call: &CallRef) -> Result<CallId, Infallible> {
        let host = &mut *self.host;
        Ok(match *call {
            CallRef::Small(n) => host.small(n),
            CallRef::Live(n) => {
                let live: Vec<CallId> = self.engine.calls().map(|c| c.id()).collect();
                nth(&live, n).unwrap_or_else(|| host.small(n))
            }
            CallRef::Seen(n) => nth_latest(&host.seen_calls, n).unwrap_or_else(|| host.small(n)),
            CallRef::Fresh => {
                host.next_fresh += 1;
                let text = match host.schema.id_kind {
                    CallIdKind::Uuid => test_uuid(0xca, host.next_fresh).hyphenated().to_string(),
                    CallIdKind::Opaque => format!("fresh{}", host.next_fresh),
                };
                let call = call_for(host.schema, &text).unwrap_or_else(|| call_id(0));
                host.texts.insert(call, text);
                call
            }
        })
    }
    fn text(&mut self, text: &Text) -> Result<String, Infallible> {
        Ok(text.resolve())
    }
    fn handle_type(&mut self, n: &u8) -> Result<HandleType, Infallible> {
        Ok(HandleType::from_raw(1 + n % 3).unwrap_or(HandleType::Generic))
    }
    fn dtmf(&mut self, n: &u8) -> Result<DtmfType, Infallible> {
        Ok(DtmfType::from_raw(1 + n % 3).unwrap_or(DtmfType::SingleTone))
    }
    fn transaction(&mut self, tx: &TxRef) -> Result<TransactionId, Infallible> {
        Ok(match *tx {
            TxRef::Seen(n) => {
                nth_latest(&self.host.transactions, n).unwrap_or(TransactionId(u64::from(n % 4)))
            }
            TxRef::Raw(n) => TransactionId(u64::from(n % 12)),
        })
    }
    fn tx_result(&mut self, result: &Option<u8>) -> Result<TransactionResult, Infallible> {
        Ok(result.map_or(Ok(()), |raw| {
            Err(RequestTransactionError::from_raw(i64::from(raw)))
        }))
    }
    fn timer(&mut self, timer: &TimerRef) -> Result<Timer, Infallible> {
        Ok(match timer {
            TimerRef::Armed(n) => {
                let armed: Vec<Timer> = self.engine.timers().map(|(t, _)| t).collect();
                match nth(&armed, *n) {
                    Some(t) => t,
                    None => Timer::PushCompletion(self.push(&PushRef::Sent(*n))?),
                }
            }
            TimerRef::Push(p) => Timer::PushCompletion(self.push(p)?),
            TimerRef::Ring(c) => Timer::Ring(self.call(c)?),
            TimerRef::Answer(c) => Timer::AnswerConnect(self.call(c)?),
            TimerRef::Audio(c) => Timer::AudioActivation(self.call(c)?),
        })
    }
}
