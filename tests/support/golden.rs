//! Golden vectors for the Swift package's conformance test: every step of a run, in a
//! plain JSON form that needs no Rust to read. Shared by tests/golden.rs (the traces)
//! and tests/corpus.rs (the payloads); the files live in tests/golden/ and are checked
//! fresh like the C header: a stale file fails with the command that rewrites it.
//!
//! Per step: `at_ms`; `event`, fully resolved (`kind` is `Event::name()`; UUIDs as
//! lower-case hyphenated text; bytes as lower-case hex; Apple enumerations by raw
//! value; a completion's `error` is `null` or the raw value); `refused`, `null` or the
//! C ABI's result name (`"CK_RESULT_UNKNOWN_CALL"`); `effects`, in order, each with the
//! step data it uses attached (`update` on the two reports, `handle` on
//! `start_outgoing` and a `start_call` request, `digits` on `play_dtmf` and a
//! `play_dtmf` request, `token_hex` on `register_push_token`, `end_reason` on
//! `report_new_incoming_call`: `null`, or why the push is to be ended once CallKit
//! accepts the report), as the Swift API attaches them.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use callkit_engine::{
    CallAction, CallUpdate, Config, Effect, Error, Event, Handle, HandleType, PayloadField,
    PayloadSchema, PushEndReason,
};
use callkit_engine_testkit::event::{call_json as call, timer_json, uuid_json as uuid, HostEvent};
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
    })
}

/// The configuration, every field, with the name of the schema preset it came from.
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
        "supports_holding": c.supports_holding,
        "supports_grouping": c.supports_grouping,
        "supports_ungrouping": c.supports_ungrouping,
        "supports_dtmf": c.supports_dtmf,
        "ring_timeout_ms": config.ring_timeout_ms,
        "answer_connect_timeout_ms": config.answer_connect_timeout_ms,
        "push_completion_timeout_ms": config.push_completion_timeout_ms,
        "audio_activation_timeout_ms": config.audio_activation_timeout_ms,
        "schema_preset": preset,
        "schema": schema_json(&config.schema),
    })
}

fn handle_json(handle: &Handle) -> Value {
    json!({"type": handle.kind.raw(), "value": handle.value.as_str()})
}

fn update_json(update: &CallUpdate) -> Value {
    json!({
        "remote_handle": update.remote_handle.as_ref().map(handle_json),
        "localized_caller_name": update.localized_caller_name.as_ref().map(|n| n.as_str()),
        "has_video": update.has_video,
        "supports_holding": update.supports_holding,
        "supports_grouping": update.supports_grouping,
        "supports_ungrouping": update.supports_ungrouping,
        "supports_dtmf": update.supports_dtmf,
    })
}

/// Why a push is reported to be ended at once: `kind` (the `PushEndReason` raw value),
/// and for an unreadable payload `payload_error` and `payload_field` (raw values, the
/// field `null` outside any).
fn push_end_json(reason: &PushEndReason) -> Value {
    let (error, field) = match reason {
        PushEndReason::Unreadable { error, field } => (
            Value::from(error.raw()),
            field.map(PayloadField::raw).into(),
        ),
        _ => (Value::Null, Value::Null),
    };
    json!({"kind": reason.raw(), "payload_error": error, "payload_field": field})
}

/// The step data of one step; each effect that uses a piece marks it used, so that a
/// step whose data no effect uses fails the generation (two effects may share one piece:
/// a repeat push's report and `reportCall(with:updated:)` show the same update).
struct Data {
    update: Option<CallUpdate>,
    handle: Option<Handle>,
    digits: Option<String>,
    token_hex: Option<String>,
    push_end: Option<PushEndReason>,
    used: [bool; 4],
}

fn take<T: Clone>(slot: &Option<T>, used: &mut bool, what: &str, effect: &Effect) -> T {
    *used = true;
    slot.clone()
        .unwrap_or_else(|| panic!("{effect:?} needs the step's {what}, which it lacks"))
}

fn effect_json(effect: &Effect, data: &mut Data) -> Value {
    let e = effect;
    match effect {
        Effect::ReportNewIncomingCall { push, call: c } => json!({
            "kind": "report_new_incoming_call", "push": push.0, "call": call(c),
            "update": update_json(&take(&data.update, &mut data.used[0], "call update", e)),
            "end_reason": data.push_end.as_ref().map_or(Value::Null, push_end_json),
        }),
        Effect::ReportCallUpdated { call: c } => json!({
            "kind": "report_call_updated", "call": call(c),
            "update": update_json(&take(&data.update, &mut data.used[0], "call update", e)),
        }),
        Effect::ReportOutgoingCallStartedConnecting { call: c, at } => json!({
            "kind": "report_outgoing_call_started_connecting", "call": call(c), "at_ms": at.as_millis(),
        }),
        Effect::ReportOutgoingCallConnected { call: c, at } => json!({
            "kind": "report_outgoing_call_connected", "call": call(c), "at_ms": at.as_millis(),
        }),
        Effect::ReportCallEnded {
            call: c,
            at,
            reason,
        } => json!({
            "kind": "report_call_ended", "call": call(c), "at_ms": at.as_millis(), "reason": reason.raw(),
        }),
        Effect::FulfillAction { action } => {
            json!({"kind": "fulfill_action", "action": uuid(&action.0)})
        }
        Effect::FailAction { action } => json!({"kind": "fail_action", "action": uuid(&action.0)}),
        Effect::CompletePush { push } => json!({"kind": "complete_push", "push": push.0}),
        Effect::RequestTransaction {
            transaction,
            action,
        } => {
            let action = match action {
                CallAction::StartCall { call: c, video } => json!({
                    "kind": "start_call", "call": call(c), "video": video,
                    "handle": handle_json(&take(&data.handle, &mut data.used[1], "handle", e)),
                }),
                CallAction::EndCall { call: c } => json!({"kind": "end_call", "call": call(c)}),
                CallAction::SetHeld { call: c, on_hold } => {
                    json!({"kind": "set_held", "call": call(c), "on_hold": on_hold})
                }
                CallAction::SetMuted { call: c, muted } => {
                    json!({"kind": "set_muted", "call": call(c), "muted": muted})
                }
                CallAction::PlayDtmf { call: c, kind } => json!({
                    "kind": "play_dtmf", "call": call(c), "type": kind.raw(),
                    "digits": take(&data.digits, &mut data.used[2], "DTMF digits", e),
                }),
            };
            json!({"kind": "request_transaction", "transaction": transaction.0, "action": action})
        }
        Effect::ConnectIncoming { call: c } => json!({"kind": "connect_incoming", "call": call(c)}),
        Effect::AnswerIncoming { call: c } => json!({"kind": "answer_incoming", "call": call(c)}),
        Effect::RejectIncoming { call: c, reason } => {
            json!({"kind": "reject_incoming", "call": call(c), "reason": reason.raw()})
        }
        Effect::HangUp { call: c } => json!({"kind": "hang_up", "call": call(c)}),
        Effect::SetHeld { call: c, on_hold } => {
            json!({"kind": "set_held", "call": call(c), "on_hold": on_hold})
        }
        Effect::SetMuted { call: c, muted } => {
            json!({"kind": "set_muted", "call": call(c), "muted": muted})
        }
        Effect::SetGroup {
            call: c,
            group_with,
        } => json!({
            "kind": "set_group", "call": call(c),
            "group_with": group_with.as_ref().map_or(Value::Null, call),
        }),
        Effect::PlayDtmf { call: c, kind } => json!({
            "kind": "play_dtmf", "call": call(c), "type": kind.raw(),
            "digits": take(&data.digits, &mut data.used[2], "DTMF digits", e),
        }),
        Effect::StartOutgoing { call: c, video } => json!({
            "kind": "start_outgoing", "call": call(c), "video": video,
            "handle": handle_json(&take(&data.handle, &mut data.used[1], "handle", e)),
        }),
        Effect::RegisterPushToken => json!({
            "kind": "register_push_token",
            "token_hex": take(&data.token_hex, &mut data.used[3], "push token", e),
        }),
        Effect::UnregisterPushToken => json!({"kind": "unregister_push_token"}),
        Effect::ConfigureAudioSession => json!({"kind": "configure_audio_session"}),
        Effect::StartMedia { call: c } => json!({"kind": "start_media", "call": call(c)}),
        Effect::StopMedia { call: c } => json!({"kind": "stop_media", "call": call(c)}),
        Effect::StartTimer { timer, deadline } => json!({
            "kind": "start_timer", "timer": timer_json(timer), "deadline_ms": deadline.as_millis(),
        }),
        Effect::CancelTimer { timer } => {
            json!({"kind": "cancel_timer", "timer": timer_json(timer)})
        }
        Effect::StartRingback { call: c } => json!({"kind": "start_ringback", "call": call(c)}),
        Effect::StopRingback { call: c } => json!({"kind": "stop_ringback", "call": call(c)}),
        Effect::AudioActivationTimedOut { call: c } => {
            json!({"kind": "audio_activation_timed_out", "call": call(c)})
        }
    }
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
        Ok(step) => {
            let mut data = Data {
                update: step.call_update.clone(),
                handle: step.handle.clone(),
                digits: step.dtmf_digits.clone(),
                token_hex: step.push_token_hex.clone(),
                push_end: step.push_end_reason,
                used: [false; 4],
            };
            let effects: Vec<Value> = step
                .effects
                .iter()
                .map(|e| effect_json(e, &mut data))
                .collect();
            let present = [
                data.update.is_some(),
                data.handle.is_some(),
                data.digits.is_some(),
                data.token_hex.is_some(),
            ];
            assert!(
                present == data.used,
                "step data no effect used at {at_ms} ms: {:?}",
                step
            );
            (Value::Null, effects)
        }
    };
    json!({"at_ms": at_ms, "event": HostEvent::from(event).golden_json(), "refused": refused, "effects": effects})
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
