//! Golden vectors for the Swift package's conformance test: every step of a run, in a
//! plain JSON form that needs no Rust to read. Shared by tests/golden.rs (the traces)
//! and tests/corpus.rs (the payloads); the files live in tests/golden/ and are checked
//! fresh like the C header: a stale file fails with the command that rewrites it.
//!
//! Per step: `at_ms`; `event`, fully resolved (`HostEvent::golden_json`, the format in
//! testkit/src/event.rs); `refused`, `null` or the C ABI's result name
//! (`"CK_RESULT_UNKNOWN_CALL"`); `effects`, in order, each with the step data it uses
//! attached (`golden_effects`, the format in testkit/src/effect.rs).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use callkit_engine::{Config, Error, Event, HandleType, PayloadSchema};
use callkit_engine_testkit::effect::golden_effects;
use callkit_engine_testkit::event::{uuid_json as uuid, HostEvent};
use callkit_engine_testkit::StepEffects;
use serde_json::{json, Value};

/// The environment variable that rewrites the golden files instead of checking them.
pub const BLESS: &str = "GOLDEN_BLESS";

fn opt_key(key: &Option<callkit_engine::SchemaKey>) -> Value {
    key.as_ref()
        .map_or(Value::Null, |k| Value::String(k.as_str().into()))
}

/// The schema, every field.
pub fn schema_json(schema: &PayloadSchema) -> Value {
    json!({
        "root": schema.root.as_str(),
        "id_key": schema.id_key.as_str(),
        "id_kind": match schema.id_kind {
            callkit_engine::CallIdKind::Uuid => "uuid",
            callkit_engine::CallIdKind::Opaque => "opaque",
        },
        "opaque_namespace": uuid(&schema.opaque_namespace),
        "handle_key": schema.handle_key.as_str(),
        "handle_type": schema.handle_type.map(HandleType::raw),
        "caller_name_key": opt_key(&schema.caller_name_key),
        "video_key": opt_key(&schema.video_key),
        "media_type_key": opt_key(&schema.media_type_key),
        "ring_timeout_key": opt_key(&schema.ring_timeout_key),
        "message_type_key": opt_key(&schema.message_type_key),
        "cancel_message_type": opt_key(&schema.cancel_message_type),
        "require_call_id": schema.require_call_id,
        "sent_at_key": opt_key(&schema.sent_at_key),
        "sent_at_unit": match schema.sent_at_unit {
            callkit_engine::SentAtUnit::Seconds => "seconds",
            callkit_engine::SentAtUnit::Milliseconds => "milliseconds",
        },
    })
}

/// The configuration, every field, with the name of the schema preset it came from
/// (`null` for a schema a trace wrote out whole).
pub fn config_json(config: &Config, preset: &str) -> Value {
    let p = &config.provider;
    let c = &config.capabilities;
    let handle_types: Vec<u8> = [
        HandleType::Generic,
        HandleType::PhoneNumber,
        HandleType::EmailAddress,
    ]
    .into_iter()
    .filter(|t| p.supported_handle_types.contains(*t))
    .map(HandleType::raw)
    .collect();
    json!({
        "maximum_call_groups": p.maximum_call_groups,
        "maximum_calls_per_call_group": p.maximum_calls_per_call_group,
        "supports_video": p.supports_video,
        "supported_handle_types": handle_types,
        "includes_calls_in_recents": p.includes_calls_in_recents,
        "supports_audio_translation": p.supports_audio_translation,
        "supports_holding": c.supports_holding,
        "supports_grouping": c.supports_grouping,
        "supports_ungrouping": c.supports_ungrouping,
        "supports_dtmf": c.supports_dtmf,
        "ring_timeout_ms": config.ring_timeout_ms,
        "answer_connect_timeout_ms": config.answer_connect_timeout_ms,
        "start_connect_timeout_ms": config.start_connect_timeout_ms,
        "no_answer_timeout_ms": config.no_answer_timeout_ms,
        "push_completion_timeout_ms": config.push_completion_timeout_ms,
        "audio_activation_timeout_ms": config.audio_activation_timeout_ms,
        "max_push_age_ms": config.max_push_age_ms,
        "schema_preset": callkit_engine_testkit::trace::schema_by_name(preset).map(|_| preset),
        "schema": schema_json(&config.schema),
    })
}

/// The C ABI's name for a refusal: `Error::UnknownCall(..)` is `CK_RESULT_UNKNOWN_CALL`.
pub fn result_name(error: &Error) -> String {
    let debug = format!("{error:?}");
    let variant: String = debug
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let mut name = String::from("CK_RESULT");
    for ch in variant.chars() {
        if ch.is_ascii_uppercase() {
            name.push('_');
        }
        name.push(ch.to_ascii_uppercase());
    }
    name
}

/// One step: time, event, refusal or effects with their data.
pub fn step_json(at_ms: u64, event: &Event<'_>, result: &Result<StepEffects, Error>) -> Value {
    let (refused, effects) = match result {
        Err(error) => (Value::String(result_name(error)), Vec::new()),
        Ok(step) => (Value::Null, golden_effects(step, at_ms)),
    };
    json!({"at_ms": at_ms, "event": HostEvent::from(event), "refused": refused, "effects": effects})
}

/// A whole vector file.
pub fn vector_json(source: &str, config: &Config, preset: &str, steps: Vec<Value>) -> Value {
    json!({"source": source, "config": config_json(config, preset), "steps": steps})
}

/// The repository root (these tests are targets of dev-tests/).
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Checks (or, with `GOLDEN_BLESS=1`, writes) every vector of `dir` (relative to the
/// root): each file equals its freshly generated text, and `dir` holds no other file.
pub fn check_fresh(dir: &str, vectors: &BTreeMap<String, Value>, test: &str) {
    let dir_path = root().join(dir);
    let bless = std::env::var(BLESS).is_ok_and(|v| v == "1");
    let regenerate = format!("{BLESS}=1 cargo test --test {test}");
    if bless {
        std::fs::create_dir_all(&dir_path).expect("create the golden directory");
    }
    let mut problems = Vec::new();
    for (name, value) in vectors {
        let text = serde_json::to_string_pretty(value).expect("JSON") + "\n";
        let path = dir_path.join(name);
        if bless {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(old) if old == text => {}
            Ok(_) => problems.push(format!("{dir}/{name} is stale")),
            Err(_) => problems.push(format!("{dir}/{name} is missing")),
        }
    }
    let entries = std::fs::read_dir(&dir_path)
        .map(|d| d.flatten().collect::<Vec<_>>())
        .unwrap_or_default();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !vectors.contains_key(&name) {
            if bless {
                std::fs::remove_file(entry.path()).expect("remove a stale golden file");
            } else {
                problems.push(format!("{dir}/{name} has no source any more"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "golden vectors out of date:\n  {}\nregenerate with: {regenerate}",
        problems.join("\n  ")
    );
}

/// `name.ext` → `name.json`.
pub fn vector_name(source: &Path) -> String {
    let stem = source.file_name().expect("a file").to_string_lossy();
    let stem = stem.rsplit_once('.').map_or(stem.as_ref(), |(s, _)| s);
    format!("{stem}.json")
}
