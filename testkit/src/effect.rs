//! The testkit's effect vocabulary, beside [`crate::event`]'s: each [`Effect`]'s golden
//! vector JSON ([`golden_effects`]) and its words in the replay tool ([`effect_words`]),
//! one `match` each, so that a new effect is added in this one file.
//!
//! # Golden vectors
//!
//! A step's effects, in order, each `kind` (the variant's name in snake_case) with its
//! fields (ids and timers as [`crate::event`] writes them, instants as `*_ms`, Apple
//! enumerations by raw value) and the step data it uses attached: `update` on the two
//! reports, `handle` on `start_outgoing` and a `start_call` request, `digits` on
//! `play_dtmf` and a `play_dtmf` request, `token_hex` on `register_push_token`,
//! `end_reason` on `report_new_incoming_call` (`null`, or why the push is to be ended
//! once CallKit accepts the report), as the Swift API attaches them.

use std::fmt::Write as _;

use callkit_engine::{CallAction, CallUpdate, Effect, Handle, PayloadField, PushEndReason};
use serde_json::{json, Value};

use crate::event::{
    call_json as call, media, short_action, short_call, timer_json, timer_words, uuid_json as uuid,
};
use crate::trace::{apple_name, snake_case};
use crate::StepEffects;

/// A step's effects as golden vectors write them, in order (see the module docs).
///
/// # Panics
///
/// When an effect needs step data the step lacks, or the step holds data no effect
/// uses (a generation error, reported with `at_ms`).
pub fn golden_effects(step: &StepEffects, at_ms: u64) -> Vec<Value> {
    let mut data = Data {
        update: step.call_update.clone(),
        handle: step.handle.clone(),
        digits: step.dtmf_digits.clone(),
        token_hex: step.push_token_hex.clone(),
        push_end: step.push_end_reason,
        reported: step
            .effects
            .iter()
            .any(|e| matches!(e, Effect::ReportNewIncomingCall { .. })),
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
    effects
}

/// A handle as golden vectors write it: `type` (raw) and `value`.
pub fn handle_json(handle: &Handle) -> Value {
    json!({"type": handle.kind.raw(), "value": handle.value.as_str()})
}

/// A `CXCallUpdate` as golden vectors write it, every field.
pub fn update_json(update: &CallUpdate) -> Value {
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
    /// Whether the step reports a call (else a push end reason goes with the push's
    /// completion: a push completed without a report under `mustReport == false`).
    reported: bool,
    used: [bool; 4],
}

fn take<T: Clone>(slot: &Option<T>, used: &mut bool, what: &str, effect: &Effect) -> T {
    *used = true;
    slot.clone()
        .unwrap_or_else(|| panic!("{effect:?} needs the step's {what}, which it lacks"))
}

/// One effect as a golden vector writes it, with the step data it uses attached.
fn effect_json(effect: &Effect, data: &mut Data) -> Value {
    let e = effect;
    match effect {
        Effect::ReportNewIncomingCall { push, call: c } => json!({
            "kind": "report_new_incoming_call", "push": push.map(|p| p.0), "call": call(c),
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
        Effect::CompletePush { push } if !data.reported && data.push_end.is_some() => json!({
            "kind": "complete_push", "push": push.0,
            "end_reason": data.push_end.as_ref().map_or(Value::Null, push_end_json),
        }),
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
                CallAction::AnswerCall { call: c } => {
                    json!({"kind": "answer_call", "call": call(c)})
                }
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
        Effect::MissedCall { call: c } => json!({
            "kind": "missed_call", "call": call(c),
            "update": update_json(&take(&data.update, &mut data.used[0], "call update", e)),
        }),
        Effect::AnswerIncoming { call: c } => json!({"kind": "answer_incoming", "call": call(c)}),
        Effect::RejectIncoming { call: c, reason } => {
            json!({"kind": "reject_incoming", "call": call(c), "reason": reason.raw()})
        }
        Effect::HangUp { call: c } => json!({"kind": "hang_up", "call": call(c)}),
        Effect::StartTranslation { call: c } => {
            json!({"kind": "start_translation", "call": call(c)})
        }
        Effect::StopTranslation { call: c } => json!({"kind": "stop_translation", "call": call(c)}),
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

/// A `CXCallUpdate` in words.
pub fn update_words(u: &CallUpdate) -> String {
    let mut s = match &u.remote_handle {
        Some(h) => format!("handle {} ({})", h.value, apple_name(h.kind)),
        None => String::from("no handle (CallKit shows Unknown)"),
    };
    if let Some(name) = &u.localized_caller_name {
        let _ = write!(s, ", name {:?}", name.as_str());
    }
    let _ = write!(s, ", {}", media(u.has_video));
    s
}

/// Why a push's call is reported to be ended at once, in words.
pub fn push_end_words(reason: PushEndReason) -> String {
    match reason {
        PushEndReason::Unreadable { error, field } => match field {
            Some(field) => format!("payload unreadable ({error}) at the schema's {field:?} key"),
            None => format!("payload unreadable ({error})"),
        },
        PushEndReason::MissingCallId => String::from("a push without the call id it needs"),
        PushEndReason::CancelledUnknownCall => {
            String::from("a cancel push for a call not ringing here")
        }
        PushEndReason::CallEnded => String::from("a copy of a push for a call that ended"),
        PushEndReason::CallCapacity => String::from("every call slot is taken"),
        PushEndReason::OutgoingCallId => String::from("it names the app's outgoing call"),
        PushEndReason::Stale => String::from("the push is older than the maximum push age"),
        _ => format!("{reason:?}"),
    }
}

/// An effect in the replay tool's words, with Apple's API names; `data` is its step's
/// data (the call update, handle, digits, token it refers to).
pub fn effect_words(effect: &Effect, data: &StepEffects) -> String {
    use Effect as F;
    let handle_words = || match &data.handle {
        Some(h) => format!("{} ({})", h.value, apple_name(h.kind)),
        None => String::from("<no handle>"),
    };
    let digits = data.dtmf_digits.clone().unwrap_or_default();
    let update = || match &data.call_update {
        Some(u) => update_words(u),
        None => String::from("<no call update>"),
    };
    let c = effect.call().map(short_call).unwrap_or_default();
    let either = |yes: bool, a: &str, b: &str| String::from(if yes { a } else { b });
    match effect {
        F::ReportNewIncomingCall { push, .. } => {
            let source = match push {
                Some(push) => format!("push #{}", push.0),
                None => String::from("the app's connection"),
            };
            let mut s = format!("reportNewIncomingCall call {c} for {source}: {}", update());
            if let Some(reason) = data.push_end_reason {
                let _ = write!(s, "; to end once accepted: {}", push_end_words(reason));
            }
            s
        }
        F::ReportCallUpdated { .. } => format!("reportCall(updated:) call {c}: {}", update()),
        F::ReportOutgoingCallStartedConnecting { at, .. } => format!(
            "reportOutgoingCall(startedConnectingAt: {} ms) call {c}",
            at.as_millis()
        ),
        F::ReportOutgoingCallConnected { at, .. } => {
            format!("reportOutgoingCall(connectedAt: {} ms) call {c}", at.as_millis())
        }
        F::ReportCallEnded { at, reason, .. } => format!(
            "reportCall(endedAt: {} ms, reason: {} ({})) call {c}",
            at.as_millis(),
            apple_name(reason),
            reason.raw()
        ),
        F::FulfillAction { action } => format!("fulfill action {}", short_action(*action)),
        F::FailAction { action } => format!("fail action {}", short_action(*action)),
        F::CompletePush { push } => {
            let mut s = format!("call PushKit completion of push #{}", push.0);
            let reported = data
                .effects
                .iter()
                .any(|e| matches!(e, F::ReportNewIncomingCall { .. }));
            if let Some(reason) = data.push_end_reason.filter(|_| !reported) {
                let _ = write!(s, " without a report (mustReport false): {}", push_end_words(reason));
            }
            s
        }
        F::RequestTransaction {
            transaction,
            action,
        } => {
            let what = match action {
                CallAction::StartCall { video, .. } => format!(
                    "CXStartCallAction call {c} to {}, {}",
                    handle_words(),
                    media(*video)
                ),
                CallAction::EndCall { .. } => format!("CXEndCallAction call {c}"),
                CallAction::AnswerCall { .. } => format!("CXAnswerCallAction call {c}"),
                CallAction::SetHeld { on_hold, .. } => {
                    format!("CXSetHeldCallAction call {c} onHold {on_hold}")
                }
                CallAction::SetMuted { muted, .. } => {
                    format!("CXSetMutedCallAction call {c} muted {muted}")
                }
                CallAction::PlayDtmf { kind, .. } => format!(
                    "CXPlayDTMFCallAction call {c} digits {digits:?} ({})",
                    apple_name(kind)
                ),
            };
            format!("CXCallController.request transaction {}: {what}", transaction.0)
        }
        F::ConnectIncoming { .. } => format!("signalling: connect incoming call {c}"),
        F::MissedCall { .. } => format!("app: missed call {c} (push too old to ring): {}", update()),
        F::AnswerIncoming { .. } => format!("signalling: answer call {c}"),
        F::RejectIncoming { reason, .. } => format!(
            "signalling: reject call {c} ({})",
            snake_case(&apple_name(reason), ' ')
        ),
        F::HangUp { .. } => format!("signalling: hang up call {c}"),
        F::StartTranslation { .. } => format!("media: start translating call {c}"),
        F::StopTranslation { .. } => format!("media: stop translating call {c}"),
        F::SetHeld { on_hold, .. } => {
            format!("signalling: {} call {c}", either(*on_hold, "hold", "resume"))
        }
        F::SetMuted { muted, .. } => format!(
            "media: {} microphone of call {c}",
            either(*muted, "mute", "unmute")
        ),
        F::SetGroup { group_with, .. } => match group_with {
            Some(other) => format!("signalling: group call {c} with {}", short_call(*other)),
            None => format!("signalling: take call {c} out of its group"),
        },
        F::PlayDtmf { kind, .. } => format!(
            "signalling: send DTMF {digits:?} ({}) on call {c}",
            apple_name(kind)
        ),
        F::StartOutgoing { video, .. } => format!(
            "signalling: start outgoing call {c} to {}, {}",
            handle_words(),
            media(*video)
        ),
        F::RegisterPushToken => {
            let hex = data.push_token_hex.clone().unwrap_or_default();
            format!("server: register VoIP push token {hex} ({} hex digits)", hex.len())
        }
        F::UnregisterPushToken => String::from("server: unregister VoIP push token"),
        F::ConfigureAudioSession => String::from(
            "audio: configure AVAudioSession (.playAndRecord, .voiceChat), not active yet",
        ),
        F::StartMedia { .. } => format!("media: start streams of call {c}"),
        F::StopMedia { .. } => format!("media: stop streams of call {c}"),
        F::StartTimer { timer, deadline } => {
            format!("arm {}, due at {} ms", timer_words(timer), deadline.as_millis())
        }
        F::CancelTimer { timer } => format!("cancel {}", timer_words(timer)),
        F::StartRingback { .. } => format!("audio: play local ringback for call {c}"),
        F::StopRingback { .. } => format!("audio: stop local ringback of call {c}"),
        F::AudioActivationTimedOut { .. } => format!(
            "audio: didActivate never came for call {c} (activate AVAudioSession yourself, or end the call)"
        ),
    }
}
