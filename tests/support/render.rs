//! The replay tool's words: trace steps, effects, a run's timeline and summary in
//! text with Apple's API names. Shared by `examples/replay.rs` and `tests/traces.rs`
//! (`#[path]`-included by both); the testkit's trace runner records what was fed
//! ([`TraceStep::fed`]), this module says it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use callkit_engine::{CallAction, CallId, CallUpdate, Effect, PushEndReason};
use callkit_engine_testkit::event::{media, short_action, short_call, timer_words, HostEvent};
use callkit_engine_testkit::trace::{apple_name, snake_case, TraceOutcome, TraceStep};
use callkit_engine_testkit::StepEffects;

/// A trace step's event in words.
pub fn describe_step(step: &TraceStep) -> String {
    step.fed.words(step.source.as_deref())
}

fn update_words(u: &CallUpdate) -> String {
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

/// A payload as text (cut at 200 characters), or as hex when it is not printable UTF-8.
pub fn payload_preview(payload: &[u8]) -> String {
    match std::str::from_utf8(payload) {
        Ok("") => String::from("(empty)"),
        Ok(text) if !text.chars().any(|c| c.is_control() && c != '\n') => {
            let text = text.replace('\n', " ");
            match text.char_indices().nth(200) {
                Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], payload.len()),
                None => text,
            }
        }
        _ => {
            let mut s = String::from("hex");
            for b in payload.iter().take(32) {
                let _ = write!(s, " {b:02x}");
            }
            if payload.len() > 32 {
                s.push_str(" …");
            }
            s
        }
    }
}

/// Why a push's call is reported to be ended at once, in words.
pub fn push_end_words(reason: PushEndReason) -> String {
    match reason {
        PushEndReason::Unreadable { error, field } => match field {
            Some(field) => format!("payload unreadable ({error}) at the schema's {field:?} key"),
            None => format!("payload unreadable ({error})"),
        },
        PushEndReason::MissingCallId => String::from("a cancel push without a call id"),
        PushEndReason::CancelledUnknownCall => {
            String::from("a cancel push for a call not ringing here")
        }
        PushEndReason::CallEnded => String::from("a copy of a push for a call that ended"),
        PushEndReason::CallCapacity => String::from("every call slot is taken"),
        PushEndReason::OutgoingCallId => String::from("it names the app's outgoing call"),
        _ => format!("{reason:?}"),
    }
}

/// An effect in words, with Apple's API names.
pub fn describe_effect(effect: &Effect, data: &StepEffects) -> String {
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
            let mut s = format!(
                "reportNewIncomingCall call {c} for push #{}: {}",
                push.0,
                update()
            );
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
        F::CompletePush { push } => format!("call PushKit completion of push #{}", push.0),
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
        F::AnswerIncoming { .. } => format!("signalling: answer call {c}"),
        F::RejectIncoming { reason, .. } => format!(
            "signalling: reject call {c} ({})",
            snake_case(&apple_name(reason), ' ')
        ),
        F::HangUp { .. } => format!("signalling: hang up call {c}"),
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

fn calls_in_effect(e: &Effect, into: &mut BTreeSet<CallId>) {
    if let Some(c) = e.call() {
        into.insert(c);
    }
    if let Effect::SetGroup {
        group_with: Some(other),
        ..
    } = e
    {
        into.insert(*other);
    }
}

/// The timeline of a run, one line per step and one per effect:
///
/// ```text
///    0 ms  VoIP push #1 (75 bytes, ../payloads/apple-docs-calluuid.json)
///            payload {"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234"}
///         -> reportNewIncomingCall call 6f1c3e1a…9e11 for push #1: handle +14085551234 (phoneNumber), audio
/// ```
pub fn render_timeline(outcome: &TraceOutcome) -> String {
    let width = outcome
        .steps
        .iter()
        .map(|s| s.at_ms)
        .chain(outcome.lines.iter().map(|l| l.at_ms))
        .max()
        .unwrap_or(0)
        .to_string()
        .len()
        .max(4);
    let pad = " ".repeat(width + 4);
    let mut out = String::new();
    for line in &outcome.lines {
        match line.command {
            "fire_due_timers" => {
                let _ = writeln!(
                    out,
                    "{:>width$}     [fire the timers due at {} ms]",
                    "", line.at_ms
                );
            }
            "advance_firing" => {
                let _ = writeln!(
                    out,
                    "{:>width$}     [advance the clock to {} ms, firing each timer at its deadline]",
                    "", line.at_ms
                );
            }
            _ => {}
        }
        for step in &outcome.steps[line.steps.clone()] {
            let _ = writeln!(out, "{:>width$} ms  {}", step.at_ms, describe_step(step));
            if let HostEvent::VoipPushReceived { payload, .. } = &step.fed {
                let _ = writeln!(out, "{pad}  payload {}", payload_preview(payload));
            }
            match &step.result {
                Ok(effects) if effects.is_empty() => {
                    let _ = writeln!(out, "{pad}   (no effects)");
                }
                Ok(effects) => {
                    for e in effects {
                        let _ = writeln!(out, "{pad}-> {}", describe_effect(e, effects));
                    }
                }
                Err(e) => {
                    let tag = if step.expect_refused {
                        " (expected)"
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "{pad}!! refused{tag}: {e}");
                }
            }
        }
    }
    out
}

/// The summary after a run: counts, the calls seen with their full UUIDs, the
/// violations.
pub fn render_summary(outcome: &TraceOutcome) -> String {
    let s = outcome.summary();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Summary (schema {}, ended at {} ms)",
        outcome.schema_name, outcome.end_ms
    );
    let _ = writeln!(
        out,
        "  steps: {}, refused: {} ({} unexpected)",
        s.steps, s.refused, s.unexpected_refusals
    );
    let _ = writeln!(
        out,
        "  VoIP pushes: {}, reportNewIncomingCall: {}, PushKit completions: {}, completions still owed: {}",
        s.pushes, s.reports, s.completions, s.completions_owed
    );
    let ended: Vec<String> = s.ended.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let _ = writeln!(
        out,
        "  reportCall(endedAt:): {}{}, live calls at the end: {}",
        s.ended.values().sum::<usize>(),
        if ended.is_empty() {
            String::new()
        } else {
            format!(" ({})", ended.join(", "))
        },
        s.live_calls
    );
    let mut calls = BTreeSet::new();
    for (_, e) in outcome.effects() {
        calls_in_effect(e, &mut calls);
    }
    if !calls.is_empty() {
        let _ = writeln!(out, "  calls:");
        for c in calls {
            let _ = writeln!(out, "    {:<14} {c}", short_call(c));
        }
    }
    for step in outcome.unexpected_refusals() {
        let what = match &step.result {
            Err(e) => format!("refused: {e}"),
            Ok(_) => String::from("accepted, but the line expected a refusal"),
        };
        let _ = writeln!(out, "  line {}: {} {what}", step.line, step.event);
    }
    if outcome.violations.is_empty() {
        let _ = writeln!(out, "  PushKit rule violations: 0");
    } else {
        let _ = writeln!(
            out,
            "  PushKit rule violations: {}",
            outcome.violations.len()
        );
        for v in &outcome.violations {
            let _ = writeln!(out, "    {v}");
        }
    }
    out
}
