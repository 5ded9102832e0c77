//! The replay tool's words: trace steps, effects, a run's timeline and summary in
//! text with Apple's API names. Shared by `examples/replay.rs` and `tests/traces.rs`
//! (`#[path]`-included by both); the testkit's trace runner records what was fed
//! ([`TraceStep::fed`]), this module says it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use callkit_engine::{CallId, Effect};
use callkit_engine_testkit::effect::effect_words;
use callkit_engine_testkit::event::{short_call, HostEvent};
use callkit_engine_testkit::trace::{TraceOutcome, TraceStep};

/// A trace step's event in words.
pub fn describe_step(step: &TraceStep) -> String {
    step.fed.words(step.source.as_deref())
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
                        let _ = writeln!(out, "{pad}-> {}", effect_words(e, effects));
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
