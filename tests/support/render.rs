//! The replay tool's words: trace steps, effects, a run's timeline and summary in
//! text with Apple's API names. Shared by `examples/replay.rs` and `tests/traces.rs`
//! (`#[path]`-included by both); the testkit's trace runner records what was fed
//! ([`TraceStep::fed`]), this module says it.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use callkit_engine::{
    ActionId, CallAction, CallId, CallUpdate, Effect, Event, PushEndReason, Timer,
};
use callkit_engine_testkit::event::HostEvent;
use callkit_engine_testkit::trace::{apple_name, snake_case, TraceOutcome, TraceStep};
use callkit_engine_testkit::{action_id, call_id, fallback_id, StepEffects};

/// A call UUID in short: `#n` for [`call_id`]`(n)`, `fallback#n` for
/// [`fallback_id`]`(n)`, else its first 8 and last 4 hex digits (`6f1c3e1a…9e11`); the
/// summary of [`render_summary`] lists the full UUIDs.
pub fn short_call(id: CallId) -> String {
    let b = id.as_bytes();
    if call_id(b[15]) == id {
        return format!("#{}", b[15]);
    }
    let mut tail = [0u8; 8];
    tail.copy_from_slice(&b[8..16]);
    tail[0] &= 0x3f;
    let push = u64::from_be_bytes(tail);
    if fallback_id(push) == id {
        return format!("fallback#{push}");
    }
    let text = id.to_string();
    format!("{}…{}", &text[..8], &text[32..])
}

/// An action UUID in short: `#n` for [`action_id`]`(n)`, else 8 hex digits and `…`.
pub fn short_action(id: ActionId) -> String {
    let b = id.0.as_bytes();
    if action_id(b[15]) == id {
        return format!("#{}", b[15]);
    }
    let text = id.0.hyphenated().to_string();
    format!("{}…", &text[..8])
}

fn timer_words(t: &Timer) -> String {
    match t {
        Timer::PushCompletion(p) => format!("push-completion timer of push #{}", p.0),
        Timer::Ring(c) => format!("ring timer of call {}", short_call(*c)),
        Timer::AnswerConnect(c) => format!("answer-connect timer of call {}", short_call(*c)),
        Timer::AudioActivation(c) => {
            format!("audio-activation timer of call {}", short_call(*c))
        }
    }
}

fn media(video: bool) -> &'static str {
    if video {
        "video"
    } else {
        "audio"
    }
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

/// A trace step's event in words.
pub fn describe_step(step: &TraceStep) -> String {
    describe_event(&step.fed.as_event(), step.source.as_deref())
}

/// An event in words; `source` names where a push's payload came from.
pub fn describe_event(event: &Event<'_>, source: Option<&str>) -> String {
    use Event as E;
    let (c, a) = named_in(event);
    let perform = |what: &str, rest: &str| format!("perform {what} {a} for call {c}{rest}");
    let signal = |before: &str, after: &str| format!("signalling: {before} {c}{after}");
    let user = |verb: &str| format!("user {verb} call {c} in the app");
    match event {
        E::VoipPushReceived { push, payload, .. } => match source {
            Some(src) => format!("VoIP push #{} ({} bytes, {src})", push.0, payload.len()),
            None => format!("VoIP push #{} ({} bytes)", push.0, payload.len()),
        },
        E::PushCredentialsUpdated { token } => {
            format!("PushKit token updated ({} bytes)", token.len())
        }
        E::PushCredentialsInvalidated => String::from("PushKit token invalidated"),
        E::IncomingCallReported { push, result } => format!(
            "reportNewIncomingCall completion for push #{}: {}",
            push.0,
            result_words(result, |e| e.raw())
        ),
        E::ProviderDidBegin => String::from("providerDidBegin"),
        E::ProviderDidReset => {
            String::from("providerDidReset (CallKit dropped every call and action)")
        }
        E::PerformStartCall {
            handle,
            handle_type,
            video,
            ..
        } => perform(
            "CXStartCallAction",
            &format!(
                " to {handle} ({}), {}",
                apple_name(handle_type),
                media(*video)
            ),
        ),
        E::PerformAnswerCall { .. } => perform("CXAnswerCallAction", ""),
        E::PerformEndCall { .. } => perform("CXEndCallAction", ""),
        E::PerformSetHeld { on_hold, .. } => perform(
            "CXSetHeldCallAction",
            if *on_hold { ": hold" } else { ": resume" },
        ),
        E::PerformSetMuted { muted, .. } => perform(
            "CXSetMutedCallAction",
            if *muted { ": mute" } else { ": unmute" },
        ),
        E::PerformSetGroup { group_with, .. } => match group_with {
            Some(other) => perform(
                "CXSetGroupCallAction",
                &format!(": group with {}", short_call(*other)),
            ),
            None => perform("CXSetGroupCallAction", ": ungroup"),
        },
        E::PerformPlayDtmf { digits, kind, .. } => perform(
            "CXPlayDTMFCallAction",
            &format!(": {digits:?} ({})", apple_name(kind)),
        ),
        E::TimedOutPerforming { .. } => format!("CallKit timed out performing action {a}"),
        E::DidActivateAudioSession => String::from("didActivate audio session"),
        E::DidDeactivateAudioSession => String::from("didDeactivate audio session"),
        E::RequestStartCall {
            handle,
            handle_type,
            video,
            ..
        } => format!(
            "user starts call {c} to {handle} ({}), {}",
            apple_name(handle_type),
            media(*video)
        ),
        E::RequestEndCall { .. } => user("ends"),
        E::RequestSetHeld { on_hold, .. } => user(if *on_hold { "holds" } else { "resumes" }),
        E::RequestSetMuted { muted, .. } => user(if *muted { "mutes" } else { "unmutes" }),
        E::RequestPlayDtmf { digits, kind, .. } => {
            format!(
                "user types DTMF {digits:?} ({}) on call {c}",
                apple_name(kind)
            )
        }
        E::TransactionCompleted {
            transaction,
            result,
        } => format!(
            "CXCallController transaction {} completed: {}",
            transaction.0,
            result_words(result, |e| e.raw())
        ),
        E::OutgoingCallConnecting { .. } => signal("outgoing call", " connecting"),
        E::OutgoingCallConnected { .. } => signal("outgoing call", " answered by remote"),
        E::IncomingCallConnected { .. } => signal("incoming call", " connected (ready to answer)"),
        E::RemoteEnded { .. } => signal("remote party ended call", ""),
        E::AnsweredElsewhere { .. } => signal("call", " answered on another device"),
        E::DeclinedElsewhere { .. } => signal("call", " declined on another device"),
        E::ConnectionFailed { .. } => signal("connection of call", " failed"),
        E::TimerFired { timer } => format!("timer fired: {}", timer_words(timer)),
        E::OutgoingCallRinging { .. } => signal("remote side of call", " is ringing (180)"),
        E::CallDetailsChanged {
            caller_name,
            has_video,
            ..
        } => {
            let mut what = Vec::new();
            if let Some(name) = caller_name {
                what.push(format!("name {name:?}"));
            }
            if let Some(video) = has_video {
                what.push(String::from(media(*video)));
            }
            if what.is_empty() {
                what.push(String::from("nothing new"));
            }
            format!("app: new details for call {c}: {}", what.join(", "))
        }
    }
}

/// The call and the action an event names, in short (empty when it names none).
fn named_in(event: &Event<'_>) -> (String, String) {
    use Event as E;
    let (call, action) = match *event {
        E::PerformStartCall { action, call, .. }
        | E::PerformAnswerCall { action, call }
        | E::PerformEndCall { action, call }
        | E::PerformSetHeld { action, call, .. }
        | E::PerformSetMuted { action, call, .. }
        | E::PerformSetGroup { action, call, .. }
        | E::PerformPlayDtmf { action, call, .. } => (Some(call), Some(action)),
        E::TimedOutPerforming { action } => (None, Some(action)),
        E::RequestStartCall { call, .. }
        | E::RequestEndCall { call }
        | E::RequestSetHeld { call, .. }
        | E::RequestSetMuted { call, .. }
        | E::RequestPlayDtmf { call, .. }
        | E::OutgoingCallConnecting { call }
        | E::OutgoingCallConnected { call }
        | E::IncomingCallConnected { call }
        | E::RemoteEnded { call }
        | E::AnsweredElsewhere { call }
        | E::DeclinedElsewhere { call }
        | E::ConnectionFailed { call }
        | E::CallDetailsChanged { call, .. }
        | E::OutgoingCallRinging { call } => (Some(call), None),
        _ => (None, None),
    };
    (
        call.map(short_call).unwrap_or_default(),
        action.map(short_action).unwrap_or_default(),
    )
}

/// A report's or transaction's result in words: `ok`, or `error <name> (<raw value>)`.
fn result_words<E: fmt::Debug>(result: &Result<(), E>, raw: fn(&E) -> i64) -> String {
    match result {
        Ok(()) => String::from("ok"),
        Err(e) => format!("error {} ({})", apple_name(e), raw(e)),
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
