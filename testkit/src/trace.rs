//! Call traces: a hand-writable JSON-lines script of host events, run through a
//! [`Harness`] with the [`InvariantChecker`](crate::InvariantChecker) watching (I1-I10,
//! the PushKit rule among them).
//!
//! Shared by `tests/traces.rs`, `tests/corpus.rs` and `examples/replay.rs`.
//!
//! # Format
//!
//! One JSON object per line. Blank lines and lines starting with `#` are comments.
//!
//! **Config lines** (only before the first event; several are merged):
//!
//! ```text
//! {"config": {"schema": "twilio", "ring_timeout_ms": 45000, "supports_video": true}}
//! ```
//!
//! Keys: `schema` (one of [`SCHEMA_NAMES`]; default `react_native_voip_push`, the
//! engine's default; or a whole schema, below), `ring_timeout_ms`,
//! `answer_connect_timeout_ms`, `start_connect_timeout_ms`, `no_answer_timeout_ms`,
//! `push_completion_timeout_ms`, `audio_activation_timeout_ms`, `max_push_age_ms`,
//! `supports_video`, `supports_holding`,
//! `supports_grouping`, `supports_ungrouping`, `supports_dtmf`, `maximum_call_groups`,
//! `maximum_calls_per_call_group`. Unknown keys are an error.
//!
//! A whole schema is an object: `preset` (the preset it starts from; default the schema
//! so far), then any of `root` (dotted path), `id_key`, `id_kind` (`"uuid"` or
//! `"opaque"`), `opaque_namespace` (a UUID), `handle_key`, `handle_type` (as for events;
//! `null`: inferred), `caller_name_key`, `video_key`, `media_type_key`,
//! `ring_timeout_key`, `message_type_key`, `cancel_message_type`, `sent_at_key`
//! (`null`: none), `sent_at_unit` (`"seconds"` or `"milliseconds"`) and
//! `require_call_id`, each built with [`PayloadSchema`]'s checked builders. The
//! schema's name is then `"custom"`:
//!
//! ```text
//! {"config": {"schema": {"preset": "apple_docs", "root": "data", "id_key": "cid", "id_kind": "opaque", "sent_at_key": "ts", "require_call_id": true}}}
//! ```
//!
//! **Event lines**: `{"at_ms": <time>, "event": "<name>", ...fields}`. `at_ms` is the
//! absolute time on the virtual clock (omitted: the previous line's time). `event` is an
//! [`Event::name`] string (`"voip_push"` is accepted for `"voip_push_received"`), or one
//! of the two clock commands:
//!
//! - `"fire_due_timers"`: move the clock to `at_ms` and fire every armed timer whose
//!   deadline has passed, in deadline order;
//! - `"advance_firing"`: move the clock to `at_ms`, firing each timer at its own deadline
//!   on the way.
//!
//! Any line may add `"expect_refused": true` when the engine is meant to refuse it.
//! Unknown fields are an error (typos do not pass silently).
//!
//! Field values:
//!
//! - calls (`call`, `group_with`, `fallback_call`): a small integer `n` (the test UUID
//!   [`call_id`]`(n)`), a UUID string, `"fallback:N"` ([`fallback_id`]`(N)`, the fallback
//!   the runner hands in with push N), `"opaque:<server id>"` (the UUID the engine derives
//!   from an opaque id under [`OPAQUE_ID_NAMESPACE`]), or `"push:N"` (whatever call the
//!   engine reported for push N, resolved while running);
//! - actions (`action`): a small integer `n` ([`action_id`]`(n)`) or a UUID string;
//! - `push`: an integer; `transaction`: an integer or `"last"` (the latest
//!   `RequestTransaction` the engine asked for);
//! - `result` (of `incoming_call_reported` / `transaction_completed`): `"ok"` (the
//!   default), an Apple error name (`"callUUIDAlreadyExists"`) or its raw value (`2`),
//!   any `NSInteger`: a code Apple has no name for is written as its number (`42`) and
//!   shown as `unrecognized (42)`;
//! - `handle_type`: `"generic"`, `"phoneNumber"`, `"emailAddress"` or 1/2/3 (default:
//!   guessed from the handle with [`HandleType::infer`]); `kind` (DTMF): `"singleTone"`
//!   (default), `"softPause"`, `"hardPause"` or 1/2/3; booleans: `video` (default
//!   `false`), `on_hold` and `muted` (default `true`).
//!
//! The fields of each event: [`crate::event`], "Trace lines".
//!
//! ```text
//! # An Apple-docs push, reported, answered.
//! {"config": {"schema": "apple_docs"}}
//! {"at_ms": 0, "event": "voip_push", "push": 1, "payload_file": "../payloads/apple-docs-calluuid.json"}
//! {"at_ms": 120, "event": "incoming_call_reported", "push": 1, "result": "ok"}
//! {"at_ms": 2000, "event": "perform_answer_call", "action": 1, "call": "push:1"}
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use callkit_engine::{
    ActionId, CallId, CallIdKind, Config, DtmfType, Effect, Error, Event, HandleType,
    PayloadSchema, PushEndReason, PushId, RefusalReason, ReportResult, SchemaKey, SentAtUnit,
    Timer, TransactionId, TransactionResult, Uuid, OPAQUE_ID_NAMESPACE,
};

use crate::event::{Concrete, EventKind, HostEvent, Resolve, Symbols};
use crate::{action_id, call_id, fallback_id, fire_due, Harness, StepEffects};

/// The names of the payload schema presets a trace's `config` line may pick, in the
/// order of the `PayloadSchema` constructors.
pub const SCHEMA_NAMES: [&str; 8] = [
    "apple_docs",
    "speakerbox",
    "react_native_voip_push",
    "flutter_callkit_incoming",
    "twilio",
    "telegram",
    "linphone_flexisip",
    "nested_data",
];

/// The `event` values of a trace line that map to an [`Event`], one per
/// [`EventKind`] in tag order, as [`Event::name`] spells them.
pub fn event_names() -> Vec<String> {
    EventKind::ALL.into_iter().map(EventKind::name).collect()
}

/// The schema preset called `name` (one of [`SCHEMA_NAMES`]).
pub fn schema_by_name(name: &str) -> Option<PayloadSchema> {
    Some(match name {
        "apple_docs" => PayloadSchema::apple_docs(),
        "speakerbox" => PayloadSchema::speakerbox(),
        "react_native_voip_push" => PayloadSchema::react_native_voip_push(),
        "flutter_callkit_incoming" => PayloadSchema::flutter_callkit_incoming(),
        "twilio" => PayloadSchema::twilio(),
        "telegram" => PayloadSchema::telegram(),
        "linphone_flexisip" => PayloadSchema::linphone_flexisip(),
        "nested_data" => PayloadSchema::nested_data(),
        _ => return None,
    })
}

/// The call UUID the engine derives from an opaque server call id (Twilio's
/// `twi_call_sid`, Telegram's `call_id`, a SIP Call-ID) under the presets' namespace.
pub fn opaque_call_id(server_id: &str) -> CallId {
    CallId(Uuid::new_v5(&OPAQUE_ID_NAMESPACE, server_id.as_bytes()))
}

// ---------------------------------------------------------------------------------------
// The parsed trace
// ---------------------------------------------------------------------------------------

/// Why a trace could not be read or run: a bad trace file, not an engine failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    /// The 1-based line of the trace file, 0 for the file as a whole.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl TraceError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        TraceError {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for TraceError {}

/// A call named in a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallRef {
    /// A fixed UUID.
    Id(CallId),
    /// The call the engine reported for this push (`"push:N"`).
    OfPush(u64),
}

/// A timer named in a `timer_fired` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerRef {
    /// [`Timer::PushCompletion`].
    PushCompletion(u64),
    /// [`Timer::Ring`].
    Ring(CallRef),
    /// [`Timer::AnswerConnect`].
    AnswerConnect(CallRef),
    /// [`Timer::AudioActivation`].
    AudioActivation(CallRef),
    /// [`Timer::StartConnect`].
    StartConnect(CallRef),
    /// [`Timer::NoAnswer`].
    NoAnswer(CallRef),
}

/// A transaction named in a `transaction_completed` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionRef {
    /// A fixed id.
    Id(u64),
    /// The latest `RequestTransaction` effect so far (`"last"`).
    Last,
}

/// How a trace names the values of an event: calls by [`CallRef`] (resolved while
/// running), transactions by [`TransactionRef`], timers by [`TimerRef`], pushes by
/// number, everything else by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written;

impl Symbols for Written {
    type NewPush = u64;
    type Payload = TracePayload;
    type Fallback = CallRef;
    type Push = u64;
    type Report = ReportResult;
    type Action = ActionId;
    type Call = CallRef;
    type Text = String;
    type HandleType = HandleType;
    type Dtmf = DtmfType;
    type Transaction = TransactionRef;
    type TxResult = TransactionResult;
    type Timer = TimerRef;
}

/// A push's payload as a trace gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracePayload {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Where they came from (`payload_file` path, `inline JSON`, `inline text`).
    pub source: String,
}

/// One [`Event`] as written in a trace: owned data, calls not yet resolved.
pub type TraceEvent = HostEvent<Written>;

/// What one trace line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceCommand {
    /// Feed one event.
    Event(TraceEvent),
    /// Move the clock to the line's time and fire every due timer.
    FireDueTimers,
    /// Move the clock to the line's time, firing each timer at its deadline on the way.
    AdvanceFiring,
}

/// One event line of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLine {
    /// The 1-based line number in the file.
    pub line: usize,
    /// The line's time on the virtual clock.
    pub at_ms: u64,
    /// What to do.
    pub command: TraceCommand,
    /// The line says the engine should refuse it.
    pub expect_refused: bool,
}

/// A parsed trace: the engine configuration and the lines to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The engine configuration from the `config` lines.
    pub config: Config,
    /// The schema preset's name.
    pub schema_name: String,
    /// The event lines, in file order.
    pub lines: Vec<TraceLine>,
}

/// Writes `ConfigLine` (the keys of a `config` line, `schema` and then these) and
/// `apply_config` from one list: each key with its type and the `Config` field it sets.
macro_rules! config_keys {
    ($($key:ident: $ty:ty => $($field:ident).+),* $(,)?) => {
        #[derive(Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        struct ConfigLine {
            schema: Option<SchemaLine>,
            $($key: Option<$ty>),*
        }

        fn apply_config(
            config: &mut Config,
            schema_name: &mut String,
            c: ConfigLine,
        ) -> Result<(), String> {
            match c.schema {
                Some(SchemaLine::Preset(name)) => {
                    config.schema = preset(&name)?;
                    *schema_name = name;
                }
                Some(SchemaLine::Whole(whole)) => {
                    config.schema = whole.build(&config.schema)?;
                    *schema_name = String::from("custom");
                }
                None => {}
            }
            $(if let Some(v) = c.$key {
                config.$($field).+ = v;
            })*
            Ok(())
        }
    };
}

config_keys! {
    ring_timeout_ms: u64 => ring_timeout_ms,
    answer_connect_timeout_ms: u64 => answer_connect_timeout_ms,
    start_connect_timeout_ms: u64 => start_connect_timeout_ms,
    no_answer_timeout_ms: u64 => no_answer_timeout_ms,
    push_completion_timeout_ms: u64 => push_completion_timeout_ms,
    audio_activation_timeout_ms: u64 => audio_activation_timeout_ms,
    max_push_age_ms: u64 => max_push_age_ms,
    supports_video: bool => provider.supports_video,
    supports_audio_translation: bool => provider.supports_audio_translation,
    supports_holding: bool => capabilities.supports_holding,
    supports_grouping: bool => capabilities.supports_grouping,
    supports_ungrouping: bool => capabilities.supports_ungrouping,
    supports_dtmf: bool => capabilities.supports_dtmf,
    maximum_call_groups: u8 => provider.maximum_call_groups,
    maximum_calls_per_call_group: u8 => provider.maximum_calls_per_call_group,
}

/// The preset called `name`, or an error naming the presets.
fn preset(name: &str) -> Result<PayloadSchema, String> {
    schema_by_name(name).ok_or_else(|| {
        format!(
            "unknown schema {name:?} (one of {})",
            SCHEMA_NAMES.join(", ")
        )
    })
}

/// A config line's `schema`: a preset's name, or a whole schema.
#[derive(Deserialize)]
#[serde(untagged)]
enum SchemaLine {
    Preset(String),
    Whole(Box<WholeSchema>),
}

/// A schema written out in a config line (the keys: the module docs). A key that is
/// absent keeps the base schema's value; `null` clears an optional key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WholeSchema {
    preset: Option<String>,
    root: Option<String>,
    id_key: Option<String>,
    id_kind: Option<String>,
    opaque_namespace: Option<Uuid>,
    handle_key: Option<String>,
    #[serde(default, deserialize_with = "present")]
    handle_type: Option<Option<Value>>,
    #[serde(default, deserialize_with = "present")]
    caller_name_key: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    video_key: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    media_type_key: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    ring_timeout_key: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    message_type_key: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    cancel_message_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    sent_at_key: Option<Option<String>>,
    sent_at_unit: Option<String>,
    require_call_id: Option<bool>,
}

/// A key that is present, `null` or not: `Some(None)` for `null`.
fn present<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl WholeSchema {
    /// The schema this line describes, on `base` (or its `preset`).
    fn build(self, base: &PayloadSchema) -> Result<PayloadSchema, String> {
        let bad = |e: callkit_engine::SchemaError| e.to_string();
        let mut s = match &self.preset {
            Some(name) => preset(name)?,
            None => base.clone(),
        };
        if let Some(root) = &self.root {
            s = s.with_root(root).map_err(bad)?;
        }
        let id_kind = match self.id_kind.as_deref() {
            None => s.id_kind,
            Some("uuid") => CallIdKind::Uuid,
            Some("opaque") => CallIdKind::Opaque,
            Some(other) => return Err(format!("unknown id_kind {other:?} (\"uuid\", \"opaque\")")),
        };
        let id_key = self.id_key.unwrap_or_else(|| s.id_key.to_string());
        s = s.with_id(&id_key, id_kind).map_err(bad)?;
        if let Some(namespace) = self.opaque_namespace {
            s = s.with_opaque_namespace(namespace);
        }
        let handle_type = match self.handle_type {
            None => s.handle_type,
            Some(None) => None,
            Some(Some(v)) => Some(handle_type_value(&v)?),
        };
        let handle_key = self.handle_key.unwrap_or_else(|| s.handle_key.to_string());
        s = s.with_handle(&handle_key, handle_type).map_err(bad)?;
        let keep = |new: Option<Option<String>>, old: &Option<SchemaKey>| match new {
            Some(v) => v,
            None => old.as_ref().map(|k| k.to_string()),
        };
        let name = keep(self.caller_name_key, &s.caller_name_key);
        let video = keep(self.video_key, &s.video_key);
        let media = keep(self.media_type_key, &s.media_type_key);
        let ring = keep(self.ring_timeout_key, &s.ring_timeout_key);
        let message = keep(self.message_type_key, &s.message_type_key);
        let cancel = keep(self.cancel_message_type, &s.cancel_message_type);
        let sent = keep(self.sent_at_key, &s.sent_at_key);
        let unit = match self.sent_at_unit.as_deref() {
            None => s.sent_at_unit,
            Some("seconds") => SentAtUnit::Seconds,
            Some("milliseconds") => SentAtUnit::Milliseconds,
            Some(other) => {
                return Err(format!(
                    "unknown sent_at_unit {other:?} (\"seconds\", \"milliseconds\")"
                ))
            }
        };
        let required = self.require_call_id.unwrap_or(s.require_call_id);
        s.with_caller_name(name.as_deref())
            .and_then(|s| s.with_video(video.as_deref()))
            .and_then(|s| s.with_media_type(media.as_deref()))
            .and_then(|s| s.with_ring_timeout(ring.as_deref()))
            .and_then(|s| s.with_message_type(message.as_deref(), cancel.as_deref()))
            .and_then(|s| s.with_sent_at(sent.as_deref(), unit))
            .map(|s| s.with_required_call_id(required))
            .map_err(bad)
    }
}

/// A handle type as a trace writes it (a name or its raw value).
fn handle_type_value(v: &Value) -> Result<HandleType, String> {
    let raw = match v {
        Value::String(name) => match name.as_str() {
            "generic" => 1,
            "phoneNumber" => 2,
            "emailAddress" => 3,
            other => return Err(format!("unknown handle type {other:?}")),
        },
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => return Err(String::from("a handle type is a name or 1, 2, 3")),
    };
    u8::try_from(raw)
        .ok()
        .and_then(HandleType::from_raw)
        .ok_or_else(|| format!("unknown handle type {v}"))
}

/// Reads and parses the trace file at `path`; payload files are read relative to its
/// directory.
pub fn load_trace(path: impl AsRef<Path>) -> Result<Trace, TraceError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| TraceError::at(0, format!("cannot read {}: {e}", path.display())))?;
    let base = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    parse_trace(&text, &base)
}

/// Parses a trace; `payload_file` paths are relative to `base_dir`.
pub fn parse_trace(text: &str, base_dir: &Path) -> Result<Trace, TraceError> {
    let mut config = Config::default();
    let mut schema_name = String::from("react_native_voip_push");
    let mut lines = Vec::new();
    let mut last_at = 0u64;
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let value: Value = serde_json::from_str(trimmed)
            .map_err(|e| TraceError::at(no, format!("not a JSON object: {e}")))?;
        let Value::Object(mut map) = value else {
            return Err(TraceError::at(no, "a trace line must be a JSON object"));
        };
        if let Some(cfg) = map.remove("config") {
            if !map.is_empty() {
                return Err(TraceError::at(no, "a config line holds only \"config\""));
            }
            if !lines.is_empty() {
                return Err(TraceError::at(
                    no,
                    "config lines must come before the first event",
                ));
            }
            let cfg: ConfigLine = serde_json::from_value(cfg)
                .map_err(|e| TraceError::at(no, format!("bad config: {e}")))?;
            apply_config(&mut config, &mut schema_name, cfg).map_err(|m| TraceError::at(no, m))?;
            continue;
        }
        let mut f = Fields { map, line: no };
        let at_ms = f.opt_u64("at_ms")?.unwrap_or(last_at);
        last_at = at_ms;
        let name = f.req("event", Fields::opt_str)?;
        let expect_refused = f.opt_bool("expect_refused")?.unwrap_or(false);
        let command = match name.as_str() {
            "fire_due_timers" => TraceCommand::FireDueTimers,
            "advance_firing" => TraceCommand::AdvanceFiring,
            other => TraceCommand::Event(parse_event(other, &mut f, base_dir)?),
        };
        f.done(&name)?;
        lines.push(TraceLine {
            line: no,
            at_ms,
            command,
            expect_refused,
        });
    }
    Ok(Trace {
        config,
        schema_name,
        lines,
    })
}

/// An optional field of an event line, read.
type OptField<T> = Result<Option<T>, TraceError>;

/// The fields of one event line, taken one by one; leftovers are an error.
pub(crate) struct Fields {
    map: Map<String, Value>,
    line: usize,
}

impl Fields {
    pub(crate) fn err(&self, message: impl Into<String>) -> TraceError {
        TraceError::at(self.line, message)
    }

    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    /// `key`: absent (or `null`), else its value as `read` reads it (`Err`: what is wrong
    /// with it, said after the key).
    pub(crate) fn opt<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(Value) -> Result<T, String>,
    ) -> Result<Option<T>, TraceError> {
        let Some(v) = self.take(key) else {
            return Ok(None);
        };
        read(v)
            .map(Some)
            .map_err(|m| self.err(format!("\"{key}\"{m}")))
    }

    /// `key`, which must be there.
    pub(crate) fn req<T>(
        &mut self,
        key: &str,
        opt: fn(&mut Self, &str) -> OptField<T>,
    ) -> Result<T, TraceError> {
        opt(self, key)?.ok_or_else(|| self.err(format!("missing \"{key}\"")))
    }

    pub(crate) fn opt_u64(&mut self, key: &str) -> OptField<u64> {
        let expected = |v| format!(" must be a non-negative integer, got {v}");
        self.opt(key, |v| v.as_u64().ok_or_else(|| expected(v)))
    }

    pub(crate) fn opt_bool(&mut self, key: &str) -> OptField<bool> {
        self.opt(key, |v| {
            v.as_bool()
                .ok_or_else(|| format!(" must be true or false, got {v}"))
        })
    }

    pub(crate) fn opt_str(&mut self, key: &str) -> OptField<String> {
        self.opt(key, |v| match v {
            Value::String(s) => Ok(s),
            v => Err(format!(" must be a string, got {v}")),
        })
    }

    pub(crate) fn opt_call(&mut self, key: &str) -> OptField<CallRef> {
        self.opt(key, |v| parse_call_ref(&v).map_err(|m| format!(": {m}")))
    }

    pub(crate) fn call(&mut self) -> Result<CallRef, TraceError> {
        self.req("call", Self::opt_call)
    }

    pub(crate) fn action(&mut self) -> Result<ActionId, TraceError> {
        let read = |v: Value| {
            match &v {
                Value::Number(_) => small_int(&v).map(action_id),
                Value::String(s) => Uuid::try_parse(s)
                    .map(ActionId)
                    .map_err(|_| format!("{s:?} is not a UUID")),
                _ => Err(format!(
                    "expected a small integer or a UUID string, got {v}"
                )),
            }
            .map_err(|m| format!(": {m}"))
        };
        let action = self.opt("action", read)?;
        action.ok_or_else(|| self.err("missing \"action\""))
    }

    pub(crate) fn handle_type(&mut self, handle: &str) -> Result<HandleType, TraceError> {
        let expected = "\"generic\", \"phoneNumber\", \"emailAddress\" or 1-3";
        let raw = |n| HandleType::from_raw(u8::try_from(n).ok()?);
        let t = self.apple_value("handle_type", true, raw, expected)?;
        Ok(t.unwrap_or_else(|| HandleType::infer(handle)))
    }

    pub(crate) fn dtmf_kind(&mut self) -> Result<DtmfType, TraceError> {
        let expected = "\"singleTone\", \"softPause\", \"hardPause\" or 1-3";
        let raw = |n| DtmfType::from_raw(u8::try_from(n).ok()?);
        let kind = self.apple_value("kind", true, raw, expected)?;
        Ok(kind.unwrap_or(DtmfType::SingleTone))
    }

    pub(crate) fn refusal_reason(&mut self) -> Result<RefusalReason, TraceError> {
        let expected = "\"busy\", \"declined\", \"unavailable\" or 1-3";
        let raw = |n| RefusalReason::from_raw(u8::try_from(n).ok()?);
        let reason = self.apple_value("reason", true, raw, expected)?;
        reason.ok_or_else(|| self.err("missing \"reason\""))
    }

    /// `key`: absent, or one of Apple's values by name ([`apple_name`], with `snake`
    /// also snake_case) or raw value (`from_raw`: `None` for a value it does not take).
    pub(crate) fn apple_value<T: fmt::Debug>(
        &mut self,
        key: &str,
        snake: bool,
        from_raw: impl Fn(i64) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, TraceError> {
        let Some(v) = self.take(key) else {
            return Ok(None);
        };
        let value = match &v {
            Value::Number(_) => v.as_i64().and_then(&from_raw),
            Value::String(s) => by_name((0..16).filter_map(&from_raw), s, snake),
            _ => None,
        };
        value
            .map(Some)
            .ok_or_else(|| self.err(format!("\"{key}\" must be {expected}, got {v}")))
    }

    /// `"result"`: absent or `"ok"` for success, else an Apple error (`what`) by name or
    /// raw value: any `NSInteger` code, named or not (one Apple has no name for in this
    /// version is kept, `Unrecognized`, written as its number).
    pub(crate) fn apple_result<E: fmt::Debug>(
        &mut self,
        what: &str,
        from_raw: fn(i64) -> E,
    ) -> Result<Result<(), E>, TraceError> {
        if self.map.get("result").is_some_and(|v| v == "ok") {
            self.map.remove("result");
            return Ok(Ok(()));
        }
        let expected = format!("\"ok\", a {what} name or raw value");
        let error = self.apple_value("result", false, |n| Some(from_raw(n)), &expected)?;
        Ok(error.map_or(Ok(()), Err))
    }

    pub(crate) fn done(self, event: &str) -> Result<(), TraceError> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(key) => Err(self.err(format!("unknown field \"{key}\" for event \"{event}\""))),
        }
    }
}

fn small_int(v: &Value) -> Result<u8, String> {
    v.as_u64()
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| format!("{v} is not an integer from 0 to 255"))
}

/// Parses a call reference: `n`, a UUID string, `"fallback:N"`, `"opaque:<id>"`,
/// `"push:N"`.
pub fn parse_call_ref(v: &Value) -> Result<CallRef, String> {
    match v {
        Value::Number(_) => small_int(v).map(|n| CallRef::Id(call_id(n))),
        Value::String(s) => {
            if let Some(n) = s.strip_prefix("fallback:") {
                let n: u64 = n.parse().map_err(|_| format!("{s:?}: bad push number"))?;
                Ok(CallRef::Id(fallback_id(n)))
            } else if let Some(n) = s.strip_prefix("push:") {
                let n: u64 = n.parse().map_err(|_| format!("{s:?}: bad push number"))?;
                Ok(CallRef::OfPush(n))
            } else if let Some(id) = s.strip_prefix("opaque:") {
                Ok(CallRef::Id(opaque_call_id(id)))
            } else {
                Uuid::try_parse(s)
                    .map(|u| CallRef::Id(CallId(u)))
                    .map_err(|_| {
                        format!("{s:?} is not a UUID, \"fallback:N\", \"opaque:ID\" or \"push:N\"")
                    })
            }
        }
        _ => Err(format!("expected a small integer or a string, got {v}")),
    }
}

/// The event a line names (`name`: an [`EventKind::name`], or `"voip_push"`), read
/// from the line's fields by [`HostEvent::read_trace_fields`].
fn parse_event(name: &str, f: &mut Fields, base_dir: &Path) -> Result<TraceEvent, TraceError> {
    let kind = match name {
        "voip_push" => Some(EventKind::VoipPushReceived),
        other => EventKind::from_name(other),
    };
    match kind {
        Some(kind) => TraceEvent::read_trace_fields(kind, f, base_dir),
        None => Err(f.err(format!(
            "unknown event {name:?}; expected one of {}, fire_due_timers, advance_firing",
            event_names().join(", ")
        ))),
    }
}

pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let pairs = text.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    pairs
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

/// One step the runner fed to the engine.
#[derive(Clone, Debug)]
pub struct TraceStep {
    /// The trace line that caused it.
    pub line: usize,
    /// The time it was fed at.
    pub at_ms: u64,
    /// [`Event::name`].
    pub event: &'static str,
    /// The event exactly as fed (every reference resolved).
    pub fed: HostEvent<Concrete>,
    /// Where a push's payload came from (`payload_file` path, `inline JSON`, `inline
    /// text`); `None` for other events.
    pub source: Option<String>,
    /// The effects, or why the engine refused the event.
    pub result: Result<StepEffects, Error>,
    /// The line said a refusal was expected.
    pub expect_refused: bool,
}

impl TraceStep {
    /// The effects (empty when refused).
    pub fn effects(&self) -> &[Effect] {
        match &self.result {
            Ok(effects) => effects.as_slice(),
            Err(_) => &[],
        }
    }

    /// Why the step's report is of a push to be ended at once, if it is.
    pub fn push_end_reason(&self) -> Option<PushEndReason> {
        self.result.as_ref().ok().and_then(|e| e.push_end_reason)
    }

    /// The call update of the step's report, if any.
    pub fn call_update(&self) -> Option<&callkit_engine::CallUpdate> {
        self.result
            .as_ref()
            .ok()
            .and_then(|e| e.call_update.as_ref())
    }

    /// Whether the engine refused the event.
    pub fn refused(&self) -> bool {
        self.result.is_err()
    }
}

/// What one trace line produced: its steps are `outcome.steps[steps]`.
#[derive(Clone, Debug)]
pub struct LineOutcome {
    /// The 1-based line number.
    pub line: usize,
    /// The line's time.
    pub at_ms: u64,
    /// The line's command.
    pub command: &'static str,
    /// Its steps, as indexes into [`TraceOutcome::steps`].
    pub steps: Range<usize>,
}

/// Counts over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Steps fed to the engine.
    pub steps: usize,
    /// Steps the engine refused.
    pub refused: usize,
    /// Refusals the trace did not mark with `expect_refused`.
    pub unexpected_refusals: usize,
    /// VoIP pushes delivered.
    pub pushes: usize,
    /// `ReportNewIncomingCall` effects.
    pub reports: usize,
    /// `CompletePush` effects.
    pub completions: usize,
    /// Pushes whose completion is still owed at the end.
    pub completions_owed: usize,
    /// `ReportCallEnded` effects, by reason.
    pub ended: BTreeMap<String, usize>,
    /// Calls still live in the engine at the end.
    pub live_calls: usize,
    /// PushKit rule violations.
    pub violations: usize,
}

/// The result of [`run_trace`].
pub struct TraceOutcome {
    /// The harness after the run (engine state, checker, raw steps).
    pub harness: Harness,
    /// Every step, in order.
    pub steps: Vec<TraceStep>,
    /// What each trace line produced.
    pub lines: Vec<LineOutcome>,
    /// The PushKit rule violations, after [`PushRuleChecker::finish`](crate::PushRuleChecker::finish)
    /// at the end time.
    pub violations: Vec<String>,
    /// The clock at the end.
    pub end_ms: u64,
    /// The schema preset's name.
    pub schema_name: String,
    /// The call each push was reported under (first report per push).
    pub reported_calls: BTreeMap<u64, CallId>,
}

impl TraceOutcome {
    /// Every effect of every step, with its step.
    pub fn effects(&self) -> impl Iterator<Item = (&TraceStep, &Effect)> + '_ {
        self.steps
            .iter()
            .flat_map(|s| s.effects().iter().map(move |e| (s, e)))
    }

    /// The steps caused by event `name` ([`Event::name`]; `"voip_push"` is not an alias
    /// here).
    pub fn steps_named(&self, name: &str) -> impl Iterator<Item = &TraceStep> + '_ {
        let name = name.to_owned();
        self.steps.iter().filter(move |s| s.event == name)
    }

    /// Every refused step.
    pub fn refusals(&self) -> impl Iterator<Item = &TraceStep> + '_ {
        self.steps.iter().filter(|s| s.refused())
    }

    /// Refused steps whose line did not say `expect_refused`, and lines that said it but
    /// were accepted.
    pub fn unexpected_refusals(&self) -> impl Iterator<Item = &TraceStep> + '_ {
        self.steps
            .iter()
            .filter(|s| s.refused() != s.expect_refused)
    }

    /// The call push `push` was reported under.
    pub fn reported_call(&self, push: u64) -> Option<CallId> {
        self.reported_calls.get(&push).copied()
    }

    /// Counts over the run.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            steps: self.steps.len(),
            refused: self.refusals().count(),
            unexpected_refusals: self.unexpected_refusals().count(),
            pushes: self.steps_named("voip_push_received").count(),
            completions_owed: self.harness.checker.open_pushes(),
            live_calls: self.harness.engine.calls().count(),
            violations: self.violations.len(),
            ..Summary::default()
        };
        for (_, e) in self.effects() {
            match e {
                Effect::ReportNewIncomingCall { .. } => s.reports += 1,
                Effect::CompletePush { .. } => s.completions += 1,
                Effect::ReportCallEnded { reason, .. } => {
                    *s.ended.entry(apple_name(reason)).or_default() += 1;
                }
                _ => {}
            }
        }
        s
    }

    /// Whether the run kept the PushKit rule and every refusal was expected.
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty() && self.unexpected_refusals().next().is_none()
    }
}

/// A bound on timer firings per clock command, against a timer that never disarms.
const MAX_FIRINGS_PER_COMMAND: usize = 10_000;

/// What [`run_trace_observed`] hands its observer for each step: the time, the event
/// exactly as fed (every reference resolved), and its outcome.
pub type StepObserver<'o> = dyn FnMut(u64, &Event<'_>, &Result<StepEffects, Error>) + 'o;

struct Runner<'o> {
    harness: Harness,
    log: RunLog<'o>,
}

/// What the runner keeps besides the harness: the steps and what they named.
struct RunLog<'o> {
    steps: Vec<TraceStep>,
    reported: BTreeMap<u64, CallId>,
    last_transaction: Option<u64>,
    observe: &'o mut StepObserver<'o>,
}

impl RunLog<'_> {
    /// Fires every timer due at the harness's clock, like `Harness::fire_due_timers` but
    /// without panicking; false when a firing was refused (the loop would not end).
    fn fire_due(&mut self, harness: &mut Harness, line: &TraceLine) -> bool {
        let now = harness.now;
        fire_due(
            harness,
            |h| &h.engine,
            now,
            MAX_FIRINGS_PER_COMMAND,
            |h, timer, _| self.step(h, line, now, HostEvent::TimerFired { timer }, None),
        )
    }

    fn step(
        &mut self,
        harness: &mut Harness,
        line: &TraceLine,
        at: u64,
        fed: HostEvent<Concrete>,
        source: Option<&str>,
    ) -> bool {
        let event = fed.as_event();
        let name = event.name();
        let result = harness.step_at(at, event);
        (self.observe)(at, &event, &result);
        for e in result.iter().flatten() {
            match e {
                Effect::ReportNewIncomingCall {
                    push: Some(push),
                    call,
                } => {
                    self.reported.entry(push.0).or_insert(*call);
                }
                Effect::RequestTransaction { transaction, .. } => {
                    self.last_transaction = Some(transaction.0);
                }
                _ => {}
            }
        }
        let ok = result.is_ok();
        self.steps.push(TraceStep {
            line: line.line,
            at_ms: at,
            event: name,
            fed,
            source: source.map(String::from),
            result,
            expect_refused: line.expect_refused,
        });
        ok
    }
}

/// Resolves a trace line's names against the run so far.
struct TraceResolver<'a, 'o> {
    log: &'a RunLog<'o>,
    line: usize,
}

impl Resolve<Written> for TraceResolver<'_, '_> {
    type Error = TraceError;
    fn new_push(&mut self, push: &u64) -> Result<PushId, TraceError> {
        Ok(PushId(*push))
    }
    fn fallback(&mut self, _: PushId, call: &CallRef) -> Result<CallId, TraceError> {
        self.call(call)
    }
    fn payload(&mut self, payload: &TracePayload) -> Result<Vec<u8>, TraceError> {
        Ok(payload.bytes.clone())
    }
    fn push(&mut self, push: &u64) -> Result<PushId, TraceError> {
        Ok(PushId(*push))
    }
    fn report(&mut self, result: &ReportResult) -> Result<ReportResult, TraceError> {
        Ok(*result)
    }
    fn action(&mut self, action: &ActionId) -> Result<ActionId, TraceError> {
        Ok(*action)
    }
    fn call(&mut self, call: &CallRef) -> Result<CallId, TraceError> {
        match *call {
            CallRef::Id(id) => Ok(id),
            CallRef::OfPush(push) => self.log.reported.get(&push).copied().ok_or_else(|| {
                TraceError::at(
                    self.line,
                    format!("\"push:{push}\": no call was reported for push {push} so far"),
                )
            }),
        }
    }
    fn text(&mut self, text: &String) -> Result<String, TraceError> {
        Ok(text.clone())
    }
    fn handle_type(&mut self, t: &HandleType) -> Result<HandleType, TraceError> {
        Ok(*t)
    }
    fn dtmf(&mut self, kind: &DtmfType) -> Result<DtmfType, TraceError> {
        Ok(*kind)
    }
    fn transaction(&mut self, tx: &TransactionRef) -> Result<TransactionId, TraceError> {
        match *tx {
            TransactionRef::Id(id) => Ok(TransactionId(id)),
            TransactionRef::Last => self.log.last_transaction.map(TransactionId).ok_or_else(|| {
                TraceError::at(
                    self.line,
                    "\"transaction\": \"last\" but no transaction was requested so far",
                )
            }),
        }
    }
    fn tx_result(&mut self, result: &TransactionResult) -> Result<TransactionResult, TraceError> {
        Ok(*result)
    }
    fn timer(&mut self, timer: &TimerRef) -> Result<Timer, TraceError> {
        Ok(match timer {
            TimerRef::PushCompletion(push) => Timer::PushCompletion(PushId(*push)),
            TimerRef::Ring(call) => Timer::Ring(self.call(call)?),
            TimerRef::AnswerConnect(call) => Timer::AnswerConnect(self.call(call)?),
            TimerRef::AudioActivation(call) => Timer::AudioActivation(self.call(call)?),
            TimerRef::StartConnect(call) => Timer::StartConnect(self.call(call)?),
            TimerRef::NoAnswer(call) => Timer::NoAnswer(self.call(call)?),
        })
    }
}

impl Runner<'_> {
    fn run_line(&mut self, line: &TraceLine) -> Result<(), TraceError> {
        match &line.command {
            TraceCommand::FireDueTimers => {
                self.harness.now = self.harness.now.max(line.at_ms);
                self.log.fire_due(&mut self.harness, line);
            }
            TraceCommand::AdvanceFiring => {
                let (end, log) = (self.harness.now.max(line.at_ms), &mut self.log);
                self.harness.advance_to(end, |h| log.fire_due(h, line));
            }
            TraceCommand::Event(ev) => {
                self.harness.now = self.harness.now.max(line.at_ms);
                let event = ev.resolve(&mut TraceResolver {
                    log: &self.log,
                    line: line.line,
                })?;
                let source = match ev {
                    HostEvent::VoipPushReceived { payload, .. } => Some(payload.source.as_str()),
                    _ => None,
                };
                self.log
                    .step(&mut self.harness, line, line.at_ms, event, source);
            }
        }
        Ok(())
    }
}

/// Runs `trace` through a fresh [`Harness`] (4 calls, 8 pushes). Never panics on engine
/// behaviour: refusals are recorded in the steps, rule breaks in
/// [`TraceOutcome::violations`] (after `checker.finish` at the end time). Fails only on
/// a reference the trace cannot resolve (`"push:N"` before push N was reported,
/// `"transaction": "last"` before any request).
pub fn run_trace(trace: &Trace) -> Result<TraceOutcome, TraceError> {
    run_trace_observed(trace, &mut |_, _, _| {})
}

/// [`run_trace`], handing every step to `observe` as it happens: the fully resolved
/// event (the golden vectors of tests/golden/ are written from these).
pub fn run_trace_observed<'o>(
    trace: &Trace,
    observe: &'o mut StepObserver<'o>,
) -> Result<TraceOutcome, TraceError> {
    let mut r = Runner {
        harness: Harness::new(trace.config.clone()),
        log: RunLog {
            steps: Vec::new(),
            reported: BTreeMap::new(),
            last_transaction: None,
            observe,
        },
    };
    let mut lines = Vec::new();
    for line in &trace.lines {
        let first = r.log.steps.len();
        r.run_line(line)?;
        lines.push(LineOutcome {
            line: line.line,
            at_ms: line.at_ms,
            command: match &line.command {
                TraceCommand::Event(_) => "event",
                TraceCommand::FireDueTimers => "fire_due_timers",
                TraceCommand::AdvanceFiring => "advance_firing",
            },
            steps: first..r.log.steps.len(),
        });
    }
    let end_ms = r.harness.now;
    r.harness.checker.finish(end_ms);
    Ok(TraceOutcome {
        violations: r.harness.checker.violations().to_vec(),
        harness: r.harness,
        steps: r.log.steps,
        lines,
        end_ms,
        schema_name: trace.schema_name.clone(),
        reported_calls: r.log.reported,
    })
}

/// [`load_trace`] then [`run_trace`].
pub fn run_trace_file(path: impl AsRef<Path>) -> Result<TraceOutcome, TraceError> {
    run_trace(&load_trace(path)?)
}

// ---------------------------------------------------------------------------------------
// Apple's names
// ---------------------------------------------------------------------------------------

/// Apple's name for a value of one of the engine's Apple enums, derived from its Rust
/// name: `PhoneNumber` is `phoneNumber`, `CallUuidAlreadyExists` `callUUIDAlreadyExists`,
/// and an error code with no name (`Unrecognized(..)`) `unrecognized` (a trace file
/// writes such a code as its number).
pub fn apple_name(value: impl fmt::Debug) -> String {
    let debug = format!("{value:?}");
    let name = debug.split('(').next().unwrap_or_default();
    let mut chars = name.chars();
    let first = chars.next().map(|c| c.to_ascii_lowercase());
    first
        .into_iter()
        .chain(chars)
        .collect::<String>()
        .replace("Uuid", "UUID")
}

/// The value of `values` that Apple calls `name` (camelCase, or with `snake` also
/// snake_case); never an unnamed (`unrecognized`) code.
fn by_name<T: fmt::Debug>(
    values: impl IntoIterator<Item = T>,
    name: &str,
    snake: bool,
) -> Option<T> {
    values.into_iter().find(|v| {
        let apple = apple_name(v);
        apple != "unrecognized" && (apple == name || (snake && snake_case(&apple, '_') == name))
    })
}

/// `phone_number` for `phoneNumber` (with `sep` `_`; `phone number` with a space).
pub fn snake_case(camel: &str, sep: char) -> String {
    camel.chars().fold(String::new(), |mut s, c| {
        if c.is_ascii_uppercase() && !s.is_empty() {
            s.push(sep);
        }
        s.push(c.to_ascii_lowercase());
        s
    })
}
