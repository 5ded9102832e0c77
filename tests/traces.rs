//! The shipped call traces (tests/traces/*.jsonl), run through the trace runner of the
//! testkit, and the trace format itself.

use std::path::{Path, PathBuf};

use callkit_engine::{
    CallAction, CallEndedReason, CallId, Effect, Error, IncomingCallError, Instant, PayloadError,
    PayloadField, PushEndReason, PushId, RejectReason, Timer, Uuid,
    DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS, DEFAULT_NO_ANSWER_TIMEOUT_MS,
    DEFAULT_START_CONNECT_TIMEOUT_MS,
};
use callkit_engine_testkit::event::{EventKind, HostEvent};
use callkit_engine_testkit::trace::{
    event_names, load_trace, opaque_call_id, parse_trace, run_trace, run_trace_file, TraceOutcome,
    TraceStep,
};
use callkit_engine_testkit::{action_id, call_id, fallback_id};

#[path = "support/render.rs"]
mod render;
use render::{describe_step, render_summary, render_timeline};

fn traces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/traces")
}

fn all_trace_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(traces_dir())
        .expect("tests/traces exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

/// Runs a shipped trace and checks the PushKit rule held and nothing was refused.
fn run(name: &str) -> TraceOutcome {
    let path = traces_dir().join(name);
    let outcome = run_trace_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        outcome.is_clean(),
        "{name}:\n{}\n{}",
        render_timeline(&outcome),
        render_summary(&outcome)
    );
    outcome
}

fn uuid(text: &str) -> CallId {
    CallId(Uuid::parse_str(text).expect("a UUID"))
}

/// The single step caused by line kind `name`, or the `n`th one.
fn nth<'a>(o: &'a TraceOutcome, name: &str, n: usize) -> &'a TraceStep {
    o.steps_named(name)
        .nth(n)
        .unwrap_or_else(|| panic!("no step #{n} named {name}"))
}

fn ended(o: &TraceOutcome) -> Vec<(CallId, CallEndedReason)> {
    o.effects()
        .filter_map(|(_, e)| match e {
            Effect::ReportCallEnded { call, reason, .. } => Some((*call, *reason)),
            _ => None,
        })
        .collect()
}

fn completions(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::CompletePush { push } => Some(push.0),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Every trace
// ---------------------------------------------------------------------------------------

#[test]
fn every_shipped_trace_keeps_the_pushkit_rule_and_no_push_is_refused() {
    let files = all_trace_files();
    assert!(
        files.len() >= 7,
        "expected the shipped traces, found {files:?}"
    );
    for path in files {
        let name = path.display().to_string();
        let outcome = run_trace_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let timeline = render_timeline(&outcome);
        assert!(
            outcome.violations.is_empty(),
            "{name}: {:#?}\n{timeline}",
            outcome.violations
        );
        for step in outcome.steps_named("voip_push_received") {
            let effects = step
                .result
                .as_ref()
                .unwrap_or_else(|e| panic!("{name} line {}: push refused: {e}", step.line));
            // Under mustReport false a push may be completed in its step instead.
            let let_go = matches!(
                step.fed,
                HostEvent::VoipPushReceived { push, must_report: Some(false), .. }
                    if effects.contains(&Effect::CompletePush { push })
            );
            assert!(
                matches!(effects.first(), Some(Effect::ReportNewIncomingCall { .. })) || let_go,
                "{name} line {}: the report is not the push step's first effect\n{timeline}",
                step.line
            );
        }
        let unexpected: Vec<_> = outcome.unexpected_refusals().map(|s| s.line).collect();
        assert!(
            unexpected.is_empty(),
            "{name}: unexpected refusals on lines {unexpected:?}\n{timeline}"
        );
        assert_eq!(
            outcome.summary().completions_owed,
            0,
            "{name}: a push completion is owed\n{timeline}"
        );
        for step in &outcome.steps {
            assert!(!describe_step(step).is_empty());
        }
        assert!(!render_summary(&outcome).is_empty());
    }
}

#[test]
fn the_required_traces_are_shipped() {
    let names: Vec<String> = all_trace_files()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for required in [
        "apple-docs-answered-and-hung-up.jsonl",
        "twilio-call-then-cancel.jsonl",
        "duplicate-push.jsonl",
        "answer-before-connected.jsonl",
        "outgoing-call.jsonl",
        "malformed-payload.jsonl",
        "reset-with-two-calls.jsonl",
        "call-waiting-hold-and-swap.jsonl",
        "audio-activation-never-comes.jsonl",
        "outgoing-ringback.jsonl",
        "resume-after-cellular-call.jsonl",
        "ended-before-push.jsonl",
        "mute-while-connecting.jsonl",
        "announced-then-pushed.jsonl",
        "pushed-then-announced.jsonl",
        "must-report-false.jsonl",
        "stale-push-missed.jsonl",
        "push-without-required-id.jsonl",
        "answer-from-app.jsonl",
        "outgoing-no-answer.jsonl",
        "outgoing-refused.jsonl",
        "start-connect-timeout.jsonl",
        "call-translation.jsonl",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "{required} missing from {names:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// One test per trace: its key effects
// ---------------------------------------------------------------------------------------

#[test]
fn apple_docs_call_rings_is_answered_and_hung_up_with_media_only_while_audio_is_active() {
    let o = run("apple-docs-answered-and-hung-up.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");

    let push_step = nth(&o, "voip_push_received", 0);
    let update = push_step.call_update().expect("a call update");
    let push = push_step.effects();
    match &push[0] {
        Effect::ReportNewIncomingCall { push, call: c } => {
            assert_eq!((*push, *c), (Some(PushId(1)), call));
            let handle = update.remote_handle.as_ref().expect("a handle");
            assert_eq!(handle.value.as_str(), "+14085551234");
            assert_eq!(handle.kind, callkit_engine::HandleType::PhoneNumber);
            assert!(!update.has_video);
        }
        other => panic!("first effect {other:?}"),
    }
    assert!(push.contains(&Effect::ConnectIncoming { call }));
    assert!(
        completions(push).is_empty(),
        "completed before the report's result"
    );
    assert_eq!(
        completions(nth(&o, "incoming_call_reported", 0).effects()),
        [1]
    );

    let answer = nth(&o, "perform_answer_call", 0).effects();
    assert!(answer.contains(&Effect::AnswerIncoming { call }));
    assert!(answer.contains(&Effect::FulfillAction {
        action: action_id(1)
    }));
    assert!(
        !answer
            .iter()
            .any(|e| matches!(e, Effect::StartMedia { .. })),
        "media before didActivate"
    );
    assert_eq!(
        nth(&o, "did_activate_audio_session", 0).effects(),
        [
            Effect::CancelTimer {
                timer: Timer::AudioActivation(call)
            },
            Effect::StartMedia { call }
        ]
    );

    let end = nth(&o, "perform_end_call", 0).effects();
    assert_eq!(
        end,
        [
            Effect::StopMedia { call },
            Effect::HangUp { call },
            Effect::FulfillAction {
                action: action_id(2)
            },
        ]
    );
    assert!(
        ended(&o).is_empty(),
        "a user-ended call is not reported ended"
    );
    assert!(o.harness.engine.is_idle());
}

#[test]
fn twilio_cancel_push_ends_the_call_remote_ended_and_both_pushes_complete() {
    let o = run("twilio-call-then-cancel.jsonl");
    let call = opaque_call_id("CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a");
    assert_eq!(o.reported_call(1), Some(call));
    assert_eq!(
        o.reported_call(2),
        Some(call),
        "the cancel maps to the same call"
    );

    let cancel = nth(&o, "voip_push_received", 1).effects();
    assert!(matches!(
        cancel[0],
        Effect::ReportNewIncomingCall {
            push: Some(PushId(2)),
            ..
        }
    ));
    assert!(matches!(
        cancel.last(),
        Some(Effect::ReportCallEnded { call: c, reason: CallEndedReason::RemoteEnded, .. }) if *c == call
    ));
    assert_eq!(ended(&o), [(call, CallEndedReason::RemoteEnded)]);
    assert_eq!(
        completions(nth(&o, "incoming_call_reported", 0).effects()),
        [1]
    );
    assert_eq!(
        completions(nth(&o, "incoming_call_reported", 1).effects()),
        [2]
    );
    let s = o.summary();
    assert_eq!((s.pushes, s.reports, s.completions), (2, 2, 2));
    assert!(o.harness.engine.is_idle());
}

#[test]
fn duplicate_push_gives_one_call_and_two_reports_under_the_same_uuid() {
    let o = run("duplicate-push.jsonl");
    let call = uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20");
    let reports: Vec<(Option<PushId>, CallId)> = o
        .effects()
        .filter_map(|(_, e)| match e {
            Effect::ReportNewIncomingCall { push, call, .. } => Some((*push, *call)),
            _ => None,
        })
        .collect();
    assert_eq!(reports, [(Some(PushId(1)), call), (Some(PushId(2)), call)]);

    // The second push creates nothing: no second connect, no second ring timer.
    let second = nth(&o, "voip_push_received", 1).effects();
    assert!(!second.iter().any(|e| matches!(
        e,
        Effect::ConnectIncoming { .. }
            | Effect::StartTimer {
                timer: Timer::Ring(_),
                ..
            }
    )));
    let connects = o
        .effects()
        .filter(|(_, e)| matches!(e, Effect::ConnectIncoming { .. }))
        .count();
    assert_eq!(connects, 1, "exactly one call");

    // callUUIDAlreadyExists (raw 2) counts as success: the push completes, the call lives.
    let dup_result = nth(&o, "incoming_call_reported", 1);
    assert!(describe_step(dup_result).contains("callUUIDAlreadyExists (2)"));
    assert_eq!(completions(dup_result.effects()), [2]);
    assert!(!dup_result.effects().iter().any(|e| matches!(
        e,
        Effect::ReportCallEnded { .. } | Effect::RejectIncoming { .. }
    )));
    assert_eq!(
        ended(&o),
        [(call, CallEndedReason::RemoteEnded)],
        "ends only when the caller hangs up"
    );
}

#[test]
fn answer_before_connected_is_held_then_fulfilled_when_the_connection_is_ready() {
    let o = run("answer-before-connected.jsonl");
    let call = uuid("44d915e1-5ff4-4bed-bf13-c423048ec97a");
    let action = action_id(1);

    let answer = nth(&o, "perform_answer_call", 0).effects();
    assert!(
        !answer.contains(&Effect::FulfillAction { action }),
        "fulfilled before connected"
    );
    assert!(!answer.contains(&Effect::AnswerIncoming { call }));
    assert!(answer.contains(&Effect::ConfigureAudioSession));
    assert!(answer.iter().any(|e| matches!(
        e,
        Effect::StartTimer { timer: Timer::AnswerConnect(c), deadline } if *c == call && deadline.as_millis() == 1_500 + 10_000
    )));

    let connected = nth(&o, "incoming_call_connected", 0).effects();
    assert_eq!(
        connected,
        [
            Effect::CancelTimer {
                timer: Timer::AnswerConnect(call)
            },
            Effect::AnswerIncoming { call },
            Effect::FulfillAction { action },
            Effect::StartTimer {
                timer: Timer::AudioActivation(call),
                deadline: Instant::from_millis(
                    nth(&o, "incoming_call_connected", 0).at_ms
                        + DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS
                ),
            },
        ]
    );
    assert_eq!(
        nth(&o, "did_activate_audio_session", 0).effects(),
        [
            Effect::CancelTimer {
                timer: Timer::AudioActivation(call)
            },
            Effect::StartMedia { call }
        ]
    );
    let first = nth(&o, "voip_push_received", 0);
    assert!(matches!(
        &first.effects()[0],
        Effect::ReportNewIncomingCall { .. }
    ));
    assert!(first.call_update().expect("a call update").has_video);
}

#[test]
fn outgoing_call_holds_the_start_action_until_connecting_then_reports_connected() {
    let o = run("outgoing-call.jsonl");
    let call = call_id(1);

    let request = nth(&o, "request_start_call", 0).effects();
    assert!(matches!(
        request,
        [Effect::RequestTransaction { action: CallAction::StartCall { call: c, video: false, .. }, .. }] if *c == call
    ));
    let perform = nth(&o, "perform_start_call", 0).effects();
    assert!(perform
        .iter()
        .any(|e| matches!(e, Effect::StartOutgoing { call: c, .. } if *c == call)));
    assert!(
        !perform
            .iter()
            .any(|e| matches!(e, Effect::FulfillAction { .. })),
        "start fulfilled too early"
    );

    let connecting = nth(&o, "outgoing_call_connecting", 0).effects();
    assert!(matches!(
        connecting,
        [
            Effect::CancelTimer { timer: Timer::StartConnect(s) },
            Effect::ReportOutgoingCallStartedConnecting { call: c, at },
            Effect::FulfillAction { action },
            Effect::StartTimer { timer: Timer::AudioActivation(t), deadline },
            Effect::StartTimer { timer: Timer::NoAnswer(n), deadline: no_answer },
        ] if *s == call && *c == call && at.as_millis() == 700 && *action == action_id(1)
            && *t == call && deadline.as_millis() == 700 + DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS
            && *n == call && no_answer.as_millis() == 700 + DEFAULT_NO_ANSWER_TIMEOUT_MS
    ));
    assert!(matches!(
        nth(&o, "outgoing_call_connected", 0).effects(),
        [
            Effect::CancelTimer { timer: Timer::NoAnswer(n) },
            Effect::ReportOutgoingCallConnected { at, .. },
        ] if *n == call && at.as_millis() == 8_000
    ));
    assert!(nth(&o, "perform_play_dtmf", 0)
        .effects()
        .contains(&Effect::FulfillAction {
            action: action_id(2)
        }));
    assert!(nth(&o, "perform_set_muted", 0)
        .effects()
        .contains(&Effect::SetMuted { call, muted: true }));

    let end_request = nth(&o, "request_end_call", 0).effects();
    assert!(matches!(
        end_request,
        [Effect::RequestTransaction { action: CallAction::EndCall { call: c }, .. }] if *c == call
    ));
    assert_eq!(
        nth(&o, "perform_end_call", 0).effects(),
        [
            Effect::StopMedia { call },
            Effect::HangUp { call },
            Effect::FulfillAction {
                action: action_id(4)
            },
        ]
    );
    assert!(o.harness.engine.is_idle());
    assert_eq!(o.summary().pushes, 0);
}

#[test]
fn malformed_payloads_are_reported_under_the_fallback_say_why_and_are_ended_failed_once_accepted() {
    let o = run("malformed-payload.jsonl");
    let pushes: Vec<&TraceStep> = o.steps_named("voip_push_received").collect();
    assert_eq!(pushes.len(), 3);
    for (i, step) in pushes.iter().enumerate() {
        let n = i as u64 + 1;
        let fallback = fallback_id(n);
        let effects = step.effects();
        assert!(
            matches!(&effects[0], Effect::ReportNewIncomingCall { push, call }
                if *push == Some(PushId(n)) && *call == fallback),
            "push {n}: {effects:?}"
        );
        assert!(step
            .call_update()
            .expect("a call update")
            .remote_handle
            .is_none());
        assert!(!effects
            .iter()
            .any(|e| matches!(e, Effect::ReportCallEnded { .. })));
        assert!(
            matches!(
                step.push_end_reason(),
                Some(PushEndReason::Unreadable { .. })
            ),
            "push {n}: {:?}",
            step.push_end_reason()
        );
        assert!(!effects
            .iter()
            .any(|e| matches!(e, Effect::ConnectIncoming { .. })));
        assert!(!effects.iter().any(|e| matches!(
            e,
            Effect::StartTimer {
                timer: Timer::Ring(_),
                ..
            }
        )));
    }
    // {"uuid":12345,...}: the call id has the wrong type.
    assert_eq!(
        pushes[0].push_end_reason(),
        Some(PushEndReason::Unreadable {
            error: PayloadError::WrongType,
            field: Some(PayloadField::CallId),
        })
    );
    for (i, step) in o.steps_named("incoming_call_reported").enumerate() {
        let n = i as u64 + 1;
        assert_eq!(completions(step.effects()), [n]);
        assert!(step.effects().iter().any(|e| matches!(
            e,
            Effect::ReportCallEnded { call, reason: CallEndedReason::Failed, .. } if *call == fallback_id(n)
        )));
    }
    assert!(o.harness.engine.is_idle());
}

#[test]
fn provider_reset_releases_both_calls_without_reporting_them_ended() {
    let o = run("reset-with-two-calls.jsonl");
    let answered = uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20");
    let ringing = uuid("d4c3b2a1-0f9e-4d8c-b7a6-958473625140");
    assert_eq!(
        o.reported_call(2),
        Some(ringing),
        "the inline payload's UUID is used"
    );

    let reset = nth(&o, "provider_did_reset", 0).effects();
    assert_eq!(
        reset,
        [
            Effect::StopMedia { call: answered },
            Effect::HangUp { call: answered },
            Effect::CancelTimer {
                timer: Timer::Ring(ringing)
            },
            Effect::RejectIncoming {
                call: ringing,
                reason: RejectReason::Failed
            },
        ]
    );
    assert!(!reset.iter().any(|e| matches!(
        e,
        Effect::FulfillAction { .. } | Effect::FailAction { .. } | Effect::ReportCallEnded { .. }
    )));
    assert!(o.harness.engine.is_idle());
    assert!(!o.harness.engine.audio_session_active());
    assert!(nth(&o, "did_deactivate_audio_session", 0)
        .effects()
        .is_empty());
}

#[test]
fn ring_timeout_ends_the_call_unanswered_at_the_configured_deadline() {
    let o = run("ring-timeout-unanswered.jsonl");
    let call = uuid("E621E1F8-C36C-495A-93FC-0C247A3E6E5F");
    let push = nth(&o, "voip_push_received", 0);
    assert!(matches!(
        &push.effects()[0],
        Effect::ReportNewIncomingCall { .. }
    ));
    assert!(push.call_update().expect("a call update").has_video);
    // Nothing fires at 19999 ms; the ring timer fires at 20000 ms.
    let fired: Vec<&TraceStep> = o.steps_named("timer_fired").collect();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].at_ms, 20_000);
    assert_eq!(
        fired[0].effects(),
        [
            Effect::RejectIncoming {
                call,
                reason: RejectReason::Unanswered
            },
            Effect::ReportCallEnded {
                call,
                at: callkit_engine::Instant::from_millis(20_000),
                reason: CallEndedReason::Unanswered
            },
        ]
    );
}

#[test]
fn flutter_duration_sets_the_ring_deadline_and_the_completion_timer_completes_an_unanswered_report()
{
    let o = run("flutter-full-ring-duration.jsonl");
    let call = uuid("a3f7c2d0-1e4b-4f9a-8c6d-2b1e0f9d7c35");
    let push_step = nth(&o, "voip_push_received", 0);
    assert!(!push_step.call_update().expect("a call update").has_video);
    let push = push_step.effects();
    assert!(matches!(&push[0], Effect::ReportNewIncomingCall { .. }));
    assert!(push.iter().any(|e| matches!(
        e,
        Effect::StartTimer { timer: Timer::Ring(c), deadline } if *c == call && deadline.as_millis() == 31_000
    )));
    let fired: Vec<(u64, &[Effect])> = o
        .steps_named("timer_fired")
        .map(|s| (s.at_ms, s.effects()))
        .collect();
    assert_eq!(fired.len(), 2);
    assert_eq!(
        fired[0],
        (6_000, &[Effect::CompletePush { push: PushId(1) }][..])
    );
    assert_eq!(fired[1].0, 31_000);
    assert_eq!(ended(&o), [(call, CallEndedReason::Unanswered)]);
}

#[test]
fn nested_data_call_rings_with_its_unicode_name_and_a_decline_rejects_it() {
    let o = run("nested-data-declined.jsonl");
    let call = uuid("3e9d2c41-6b7a-4f08-9e15-7d2c8a4b1f63");
    let push = nth(&o, "voip_push_received", 0);
    assert!(matches!(
        &push.effects()[0],
        Effect::ReportNewIncomingCall { call: c, .. } if *c == call
    ));
    assert_eq!(
        push.call_update()
            .and_then(|u| u.localized_caller_name.as_ref())
            .map(|n| n.as_str()),
        Some("Chloé Élise")
    );
    assert_eq!(
        nth(&o, "perform_end_call", 0).effects(),
        [
            Effect::CancelTimer {
                timer: Timer::Ring(call)
            },
            Effect::RejectIncoming {
                call,
                reason: RejectReason::Declined
            },
            Effect::FulfillAction {
                action: action_id(1)
            },
        ]
    );
}

#[test]
fn twilio_cancel_before_the_report_result_ends_the_call_once_callkit_confirms_it() {
    let o = run("twilio-cancel-before-report-result.jsonl");
    let call = opaque_call_id("CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a");
    let cancel = nth(&o, "voip_push_received", 1).effects();
    assert!(
        matches!(cancel[0], Effect::ReportNewIncomingCall { push: Some(PushId(2)), call: c, .. } if c == call)
    );
    assert!(
        !cancel
            .iter()
            .any(|e| matches!(e, Effect::ReportCallEnded { .. })),
        "ended before CallKit knew it"
    );
    let confirmed = nth(&o, "incoming_call_reported", 0).effects();
    assert_eq!(completions(confirmed), [1]);
    assert!(confirmed.contains(&Effect::HangUp { call }));
    assert_eq!(ended(&o), [(call, CallEndedReason::RemoteEnded)]);
    assert!(o.harness.engine.is_idle());
}

#[test]
fn answer_connect_timeout_fails_the_held_answer_and_ends_the_call_failed() {
    let o = run("answer-connect-timeout.jsonl");
    let call = uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20");
    let fired = nth(&o, "timer_fired", 0);
    assert_eq!(fired.at_ms, 12_000);
    assert_eq!(
        fired.effects(),
        [
            Effect::FailAction {
                action: action_id(1)
            },
            Effect::RejectIncoming {
                call,
                reason: RejectReason::Failed
            },
            Effect::ReportCallEnded {
                call,
                at: callkit_engine::Instant::from_millis(12_000),
                reason: CallEndedReason::Failed
            },
        ]
    );
}

/// The calls whose media runs after each step, from the media effects alone.
fn media_after_each_step(o: &TraceOutcome) -> Vec<Vec<CallId>> {
    let mut running: Vec<CallId> = Vec::new();
    let mut out = Vec::new();
    for step in &o.steps {
        for e in step.effects() {
            match e {
                Effect::StartMedia { call } => running.push(*call),
                Effect::StopMedia { call } => running.retain(|c| c != call),
                _ => {}
            }
        }
        out.push(running.clone());
    }
    out
}

#[test]
fn call_waiting_holds_the_active_calls_media_and_a_swap_moves_it_to_the_unheld_call() {
    let o = run("call-waiting-hold-and-swap.jsonl");
    let a = uuid("0a000000-0000-4000-8000-00000000000a");
    let b = uuid("0b000000-0000-4000-8000-00000000000b");
    // Never two calls' media at once.
    for (step, running) in o.steps.iter().zip(media_after_each_step(&o)) {
        assert!(
            running.len() <= 1,
            "line {}: media of {running:?}",
            step.line
        );
    }
    let holds: Vec<&TraceStep> = o.steps_named("perform_set_held").collect();
    // Hold & Accept: A held (its media stops), then B answered (its media starts).
    assert_eq!(
        holds[0].effects(),
        [
            Effect::SetHeld {
                call: a,
                on_hold: true
            },
            Effect::StopMedia { call: a },
            Effect::FulfillAction {
                action: action_id(2)
            },
        ]
    );
    let answer_b = nth(&o, "perform_answer_call", 1).effects();
    assert_eq!(answer_b.last(), Some(&Effect::StartMedia { call: b }));
    // Swap: B held then A resumed, and back.
    assert!(holds[1].effects().contains(&Effect::StopMedia { call: b }));
    assert!(holds[2].effects().contains(&Effect::StartMedia { call: a }));
    assert!(holds[3].effects().contains(&Effect::StopMedia { call: a }));
    assert!(holds[4].effects().contains(&Effect::StartMedia { call: b }));
    // B ends: A stays held and silent.
    let b_ends = nth(&o, "remote_ended", 0).effects();
    assert!(!b_ends.iter().any(|e| e.call() == Some(a)), "{b_ends:?}");
    let media = media_after_each_step(&o);
    let b_end_index = o
        .steps
        .iter()
        .position(|s| s.event == "remote_ended")
        .expect("B ends");
    assert!(media[b_end_index].is_empty());
    // Unheld: A's media starts again.
    assert_eq!(
        holds[5].effects(),
        [
            Effect::SetHeld {
                call: a,
                on_hold: false
            },
            Effect::StartMedia { call: a },
            Effect::FulfillAction {
                action: action_id(8)
            },
        ]
    );
}

#[test]
fn an_audio_activation_that_never_comes_is_reported_once_and_leaves_the_call_answered() {
    let o = run("audio-activation-never-comes.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let timer = Timer::AudioActivation(call);
    assert_eq!(
        nth(&o, "perform_answer_call", 0).effects().last(),
        Some(&Effect::StartTimer {
            timer,
            deadline: Instant::from_millis(2_000 + DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS)
        })
    );
    let fired = nth(&o, "timer_fired", 0);
    assert_eq!(fired.at_ms, 7_000);
    assert_eq!(fired.effects(), [Effect::AudioActivationTimedOut { call }]);
    // The late activation starts media and cancels nothing (the timer fired).
    assert_eq!(
        nth(&o, "did_activate_audio_session", 0).effects(),
        [Effect::StartMedia { call }]
    );
    // The interruption: media stops and comes back with the session.
    assert_eq!(
        nth(&o, "did_deactivate_audio_session", 0).effects(),
        [Effect::StopMedia { call }]
    );
    assert_eq!(
        nth(&o, "did_activate_audio_session", 1).effects(),
        [Effect::StartMedia { call }]
    );
    assert_eq!(ended(&o), [(call, CallEndedReason::RemoteEnded)]);
}

#[test]
fn a_call_resumed_with_the_audio_session_inactive_waits_for_didactivate_and_is_reported_when_it_never_comes(
) {
    let o = run("resume-after-cellular-call.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let timer = Timer::AudioActivation(call);
    // Held: media stops; the deactivation then changes nothing.
    assert_eq!(
        nth(&o, "perform_set_held", 0).effects()[..2],
        [
            Effect::SetHeld {
                call,
                on_hold: true
            },
            Effect::StopMedia { call },
        ]
    );
    assert!(nth(&o, "did_deactivate_audio_session", 0)
        .effects()
        .is_empty());
    // Resumed with the session inactive: the wait is armed.
    let resumed = nth(&o, "perform_set_held", 1).effects();
    assert_eq!(
        resumed.get(1),
        Some(&Effect::StartTimer {
            timer,
            deadline: Instant::from_millis(90_000 + DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS)
        }),
        "{resumed:#?}"
    );
    assert!(!resumed.contains(&Effect::StartMedia { call }));
    let fired = nth(&o, "timer_fired", 0);
    assert_eq!(fired.at_ms, 95_000);
    assert_eq!(fired.effects(), [Effect::AudioActivationTimedOut { call }]);
    assert_eq!(
        nth(&o, "did_activate_audio_session", 1).effects(),
        [Effect::StartMedia { call }]
    );
    assert_eq!(ended(&o), [(call, CallEndedReason::RemoteEnded)]);
}

#[test]
fn a_call_answered_elsewhere_before_its_push_is_reported_and_ended_answered_elsewhere_without_ringing(
) {
    let o = run("ended-before-push.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    assert!(nth(&o, "answered_elsewhere", 0).effects().is_empty());
    let pushed = nth(&o, "voip_push_received", 0).effects();
    assert!(
        matches!(pushed.first(), Some(Effect::ReportNewIncomingCall { call: c, .. }) if *c == call)
    );
    assert!(!pushed.iter().any(|e| matches!(
        e,
        Effect::ConnectIncoming { .. }
            | Effect::StartTimer {
                timer: Timer::Ring(_),
                ..
            }
    )));
    assert_eq!(ended(&o), [(call, CallEndedReason::AnsweredElsewhere)]);
    assert_eq!(
        completions(nth(&o, "incoming_call_reported", 0).effects()),
        [1]
    );
}

#[test]
fn a_mute_while_the_answer_connects_is_fulfilled_and_the_media_starts_and_restarts_muted() {
    let o = run("mute-while-connecting.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let muted = Effect::SetMuted { call, muted: true };
    let mute = nth(&o, "perform_set_muted", 0).effects();
    assert!(
        mute.contains(&muted) && !mute.iter().any(|e| matches!(e, Effect::FailAction { .. })),
        "{mute:#?}"
    );
    for effects in [
        nth(&o, "incoming_call_connected", 0).effects(),
        nth(&o, "perform_set_held", 1).effects(),
    ] {
        let start = effects
            .iter()
            .position(|e| *e == Effect::StartMedia { call })
            .expect("media starts");
        assert_eq!(effects.get(start + 1), Some(&muted), "{effects:#?}");
    }
    assert_eq!(ended(&o), [(call, CallEndedReason::RemoteEnded)]);
}

#[test]
fn ringback_plays_only_while_the_far_end_rings_with_the_audio_session_active() {
    let o = run("outgoing-ringback.jsonl");
    let call = call_id(1);
    assert!(nth(&o, "outgoing_call_ringing", 0).effects().is_empty());
    assert_eq!(
        nth(&o, "did_activate_audio_session", 0).effects(),
        [
            Effect::CancelTimer {
                timer: Timer::AudioActivation(call)
            },
            Effect::StartMedia { call },
            Effect::StartRingback { call },
        ]
    );
    assert!(nth(&o, "outgoing_call_ringing", 1).effects().is_empty());
    assert_eq!(
        nth(&o, "did_deactivate_audio_session", 0).effects(),
        [Effect::StopMedia { call }, Effect::StopRingback { call }]
    );
    assert_eq!(
        nth(&o, "did_activate_audio_session", 1).effects(),
        [Effect::StartMedia { call }, Effect::StartRingback { call }]
    );
    assert_eq!(
        nth(&o, "outgoing_call_connected", 0).effects(),
        [
            Effect::CancelTimer {
                timer: Timer::NoAnswer(call)
            },
            Effect::ReportOutgoingCallConnected {
                call,
                at: Instant::from_millis(8_000)
            },
            Effect::StopRingback { call },
        ]
    );
    let starts = o
        .effects()
        .filter(|(_, e)| matches!(e, Effect::StartRingback { .. }))
        .count();
    let stops = o
        .effects()
        .filter(|(_, e)| matches!(e, Effect::StopRingback { .. }))
        .count();
    assert_eq!((starts, stops), (2, 2));
}

// ---------------------------------------------------------------------------------------
// The format
// ---------------------------------------------------------------------------------------

/// One line for every `Event` variant (`EventKind::one_of_each_line`); each produces one
/// step named after it.
#[test]
fn every_event_variant_has_a_trace_line_kind() {
    let text = EventKind::ALL.map(EventKind::one_of_each_line).join("\n");
    let trace = parse_trace(&text, Path::new(".")).expect("parses");
    let outcome = run_trace(&trace).expect("runs");
    let names: Vec<&str> = outcome.steps.iter().map(|s| s.event).collect();
    assert_eq!(names, event_names());
    assert!(outcome.is_clean(), "{}", render_timeline(&outcome));
}

#[test]
fn comments_blank_lines_and_omitted_times_are_accepted() {
    let text = "\n# a comment\n   # an indented comment\n\n\
        {\"config\": {\"schema\": \"apple_docs\"}}\n\
        {\"config\": {\"ring_timeout_ms\": 1000}}\n\
        {\"at_ms\": 7, \"event\": \"voip_push\", \"push\": 1, \"payload_text\": \"{}\"}\n\
        {\"event\": \"incoming_call_reported\", \"push\": 1}\n";
    let trace = parse_trace(text, Path::new(".")).expect("parses");
    assert_eq!(trace.schema_name, "apple_docs");
    assert_eq!(trace.config.ring_timeout_ms, 1_000);
    assert_eq!(trace.lines.len(), 2);
    assert_eq!(trace.lines[0].line, 7);
    assert_eq!(
        trace.lines[1].at_ms, 7,
        "an omitted time is the previous line's"
    );
    let o = run_trace(&trace).expect("runs");
    assert!(o.is_clean());
    // `{}` has no call id: reported under the fallback and, carrying no cancel, it rings.
    assert_eq!(o.reported_call(1), Some(fallback_id(1)));
}

#[test]
fn call_references_accept_numbers_uuids_fallbacks_opaque_ids_and_pushes() {
    let text = r#"{"config": {"schema": "twilio"}}
{"at_ms": 0, "event": "voip_push", "push": 4, "payload": {"twi_call_sid": "CA1", "twi_from": "client:bob"}}
{"at_ms": 10, "event": "incoming_call_reported", "push": 4}
{"at_ms": 20, "event": "incoming_call_connected", "call": "opaque:CA1"}
{"at_ms": 30, "event": "perform_answer_call", "action": "ac000000-0000-4000-8000-000000000009", "call": "push:4"}
{"at_ms": 40, "event": "connection_failed", "call": "fallback:4", "expect_refused": true}
{"at_ms": 50, "event": "connection_failed", "call": 9, "expect_refused": true}
"#;
    let o = run_trace(&parse_trace(text, Path::new(".")).expect("parses")).expect("runs");
    assert!(o.is_clean(), "{}", render_timeline(&o));
    let call = opaque_call_id("CA1");
    assert_eq!(o.reported_call(4), Some(call));
    assert!(nth(&o, "perform_answer_call", 0)
        .effects()
        .contains(&Effect::FulfillAction {
            action: action_id(9)
        }));
    assert_eq!(
        nth(&o, "connection_failed", 0).result,
        Err(Error::UnknownCall(fallback_id(4)))
    );
    assert_eq!(
        nth(&o, "connection_failed", 1).result,
        Err(Error::UnknownCall(call_id(9)))
    );
}

#[test]
fn report_results_accept_apple_names_and_raw_values() {
    for (text, want) in [
        (r#""ok""#, Ok(())),
        (
            r#""callUUIDAlreadyExists""#,
            Err(IncomingCallError::CallUuidAlreadyExists),
        ),
        ("2", Err(IncomingCallError::CallUuidAlreadyExists)),
        (
            r#""filteredByDoNotDisturb""#,
            Err(IncomingCallError::FilteredByDoNotDisturb),
        ),
        ("0", Err(IncomingCallError::Unknown)),
    ] {
        let line = format!(r#"{{"event": "incoming_call_reported", "push": 1, "result": {text}}}"#);
        let trace = parse_trace(&line, Path::new(".")).expect("parses");
        let callkit_engine_testkit::trace::TraceCommand::Event(
            callkit_engine_testkit::trace::TraceEvent::IncomingCallReported { result, .. },
        ) = &trace.lines[0].command
        else {
            panic!("not a report result: {:?}", trace.lines[0]);
        };
        assert_eq!(*result, want, "{text}");
    }
}

#[test]
fn bad_trace_lines_are_refused_with_their_line_number() {
    let cases: [(&str, &str); 12] = [
        ("not json", "not a JSON object"),
        ("[1, 2]", "must be a JSON object"),
        (r#"{"event": "voip_push", "push": 1}"#, "exactly one of"),
        (
            r#"{"event": "voip_push", "push": 1, "payload_file": "no-such-file.json"}"#,
            "cannot read payload file",
        ),
        (r#"{"event": "remote_endd", "call": 1}"#, "unknown event"),
        (
            r#"{"event": "remote_ended", "call": 1, "cal": 2}"#,
            "unknown field \"cal\"",
        ),
        (r#"{"event": "remote_ended"}"#, "missing \"call\""),
        (
            r#"{"event": "remote_ended", "call": 300}"#,
            "not an integer from 0 to 255",
        ),
        (
            r#"{"event": "remote_ended", "call": "not-a-uuid"}"#,
            "is not a UUID",
        ),
        (r#"{"config": {"schema": "whatsapp"}}"#, "unknown schema"),
        (r#"{"config": {"ring_timeout": 5}}"#, "bad config"),
        (
            r#"{"event": "incoming_call_reported", "push": 1, "result": "nope"}"#,
            "CXErrorCodeIncomingCallError",
        ),
    ];
    for (line, want) in cases {
        let text = format!("# header\n\n{line}\n");
        let err = parse_trace(&text, Path::new(".")).expect_err(line);
        assert_eq!(err.line, 3, "{line}: {err}");
        assert!(
            err.to_string().contains(want),
            "{line}: {err} (wanted {want:?})"
        );
    }
    let late = "{\"event\": \"provider_did_begin\"}\n{\"config\": {\"schema\": \"twilio\"}}";
    let err = parse_trace(late, Path::new(".")).expect_err("config after an event");
    assert_eq!(err.line, 2);
    assert!(load_trace(traces_dir().join("no-such-trace.jsonl")).is_err());
}

#[test]
fn unresolvable_references_fail_the_run_not_the_engine() {
    let trace = parse_trace(
        r#"{"event": "perform_answer_call", "action": 1, "call": "push:3"}"#,
        Path::new("."),
    )
    .expect("parses");
    let err = run_trace(&trace).err().expect("push 3 was never reported");
    assert_eq!(err.line, 1);
    let trace = parse_trace(
        r#"{"event": "transaction_completed", "transaction": "last"}"#,
        Path::new("."),
    )
    .expect("parses");
    assert!(run_trace(&trace).is_err());
}

/// A host that reuses a pending push's id breaks the rule: the run reports it (the
/// replay example then exits with status 1).
#[test]
fn a_rule_break_is_reported_as_a_violation() {
    let text = r#"{"at_ms": 0, "event": "voip_push", "push": 1, "payload_file": "../payloads/rn-voip-push.json"}
{"at_ms": 10, "event": "voip_push", "push": 1, "payload_file": "../payloads/rn-voip-push.json"}
"#;
    let o = run_trace(&parse_trace(text, &traces_dir()).expect("parses")).expect("runs");
    assert!(!o.violations.is_empty(), "{}", render_timeline(&o));
    assert!(render_summary(&o).contains("reused while pending"));
}

#[test]
fn the_timeline_names_each_effect_in_words() {
    let o = run("twilio-call-then-cancel.jsonl");
    let text = render_timeline(&o);
    for want in [
        "   0 ms  VoIP push #1 (327 bytes",
        "-> reportNewIncomingCall call d8dd7705…0a09 for push #1: handle client:alice (generic), audio",
        "-> reportCall(endedAt: 6000 ms, reason: remoteEnded (2)) call d8dd7705…0a09",
        "-> call PushKit completion of push #2",
    ] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    assert_eq!(
        o.reported_call(1).map(|c| c.to_string()).as_deref(),
        Some("d8dd7705-6d09-5a57-a1e2-d76c2b0a0a09"),
        "the derived Twilio id is stable"
    );
}

// ---------------------------------------------------------------------------------------
// Late caller details, benign races, why a push was ended
// ---------------------------------------------------------------------------------------

#[test]
fn caller_details_that_arrive_while_the_report_is_pending_follow_as_one_call_update() {
    let o = run("late-caller-details.jsonl");
    let call = uuid("3b0f6a52-1c9d-4e7a-b8f2-5d6c7e8f9a01");
    let updated = |s: &TraceStep| {
        s.effects()
            .iter()
            .filter(|e| matches!(e, Effect::ReportCallUpdated { call: c } if *c == call))
            .count()
    };
    let name = |s: &TraceStep| {
        s.call_update()
            .and_then(|u| u.localized_caller_name.as_ref())
            .map(|n| n.as_str().to_owned())
    };
    // Neither the copy's name nor the app's goes out before CallKit confirmed the call.
    assert_eq!(updated(nth(&o, "voip_push_received", 1)), 0);
    assert_eq!(nth(&o, "call_details_changed", 0).effects(), []);
    let confirmed = nth(&o, "incoming_call_reported", 0);
    assert_eq!(updated(confirmed), 1);
    assert_eq!(name(confirmed).as_deref(), Some("Bob Lee"));
    assert_eq!(updated(nth(&o, "incoming_call_reported", 1)), 0);
    // Once CallKit knows the call, each change goes out at once; no change, no update.
    let renamed = nth(&o, "call_details_changed", 1);
    assert_eq!(renamed.effects(), [Effect::ReportCallUpdated { call }]);
    assert_eq!(name(renamed).as_deref(), Some("Robert Lee"));
    let video = nth(&o, "call_details_changed", 2);
    assert_eq!(updated(video), 1);
    assert!(video.call_update().is_some_and(|u| u.has_video));
    assert_eq!(nth(&o, "call_details_changed", 3).effects(), []);
}

#[test]
fn races_a_correct_host_produces_are_accepted_with_no_effects_and_host_bugs_stay_refused() {
    let o = run("benign-races.jsonl");
    let refused: Vec<&str> = o.refusals().map(|s| s.event).collect();
    assert_eq!(
        refused,
        ["timer_fired", "connection_failed", "transaction_completed"],
        "only the early timer, the stranger and the second completion"
    );
    for (name, n) in [
        ("timer_fired", 1),
        ("timed_out_performing", 0),
        ("request_end_call", 0),
        ("connection_failed", 0),
        ("request_set_held", 0),
        ("transaction_completed", 0),
    ] {
        let step = nth(&o, name, n);
        assert!(step.result.is_ok(), "{name} #{n} refused");
        assert_eq!(step.effects(), [], "{name} #{n}");
    }
}

#[test]
fn unusable_pushes_say_why_at_once_and_are_ended_once_callkit_accepted_the_report() {
    let o = run("unusable-push-reasons.jsonl");
    let pushes: Vec<&TraceStep> = o.steps_named("voip_push_received").collect();
    assert_eq!(
        pushes
            .iter()
            .map(|s| s.push_end_reason())
            .collect::<Vec<_>>(),
        [
            Some(PushEndReason::MissingCallId),
            Some(PushEndReason::Unreadable {
                error: PayloadError::WrongType,
                field: Some(PayloadField::CallId)
            }),
            Some(PushEndReason::CancelledUnknownCall),
            Some(PushEndReason::Unreadable {
                error: PayloadError::Syntax,
                field: Some(PayloadField::Handle)
            }),
        ]
    );
    for step in &pushes {
        assert!(
            !step
                .effects()
                .iter()
                .any(|e| matches!(e, Effect::ReportCallEnded { .. })),
            "ended before CallKit accepted the report: {:?}",
            step.effects()
        );
    }
    let end_of = |s: &TraceStep| {
        s.effects().iter().find_map(|e| match e {
            Effect::ReportCallEnded { call, reason, .. } => Some((*call, *reason)),
            _ => None,
        })
    };
    let reported = |n| o.reported_call(n).expect("reported");
    let results: Vec<&TraceStep> = o.steps_named("incoming_call_reported").collect();
    assert_eq!(
        end_of(results[0]),
        Some((reported(1), CallEndedReason::RemoteEnded))
    );
    assert_eq!(
        end_of(results[1]),
        Some((reported(2), CallEndedReason::Failed))
    );
    // Refused (block list): CallKit never had the call, nothing to end.
    assert_eq!(end_of(results[2]), None);
    // Never answered: ended at the push deadline.
    assert_eq!(
        end_of(nth(&o, "timer_fired", 0)),
        Some((reported(4), CallEndedReason::Failed))
    );
    assert_eq!(ended(&o).len(), 3);
}

#[test]
fn error_codes_apple_has_no_name_for_are_read_by_number_kept_and_treated_as_unknown() {
    let o = run("unrecognized-apple-error-codes.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let report = nth(&o, "incoming_call_reported", 0);
    assert!(
        describe_step(report).ends_with("error unrecognized (42)"),
        "{}",
        describe_step(report)
    );
    // As `unknown` would: rejected as failed, the push completed.
    assert!(report.effects().contains(&Effect::RejectIncoming {
        call,
        reason: RejectReason::Failed
    }));
    assert_eq!(completions(report.effects()), [1]);
    let done = nth(&o, "transaction_completed", 0);
    assert!(
        describe_step(done).ends_with("error unrecognized (1000)"),
        "{}",
        describe_step(done)
    );
    assert_eq!(o.summary().completions_owed, 0);

    // Parsed whole, as the `NSInteger` it is.
    let text = "{\"at_ms\": 0, \"event\": \"voip_push\", \"push\": 1, \"payload\": {}}\n\
        {\"at_ms\": 1, \"event\": \"incoming_call_reported\", \"push\": 1, \"result\": -9000000000}";
    let trace = parse_trace(text, Path::new(".")).expect("a negative code parses");
    let outcome = run_trace(&trace).expect("the trace runs");
    let report = nth(&outcome, "incoming_call_reported", 0);
    assert!(
        describe_step(report).ends_with(&format!(
            "({})",
            IncomingCallError::from_raw(-9_000_000_000).raw()
        )),
        "{}",
        describe_step(report)
    );
}

// ---------------------------------------------------------------------------------------
// Calls that do not start with a fresh push
// ---------------------------------------------------------------------------------------

/// Whether `effects` arm a ring timer or connect a call's signalling.
fn rings(effects: &[Effect]) -> bool {
    effects.iter().any(|e| {
        matches!(
            e,
            Effect::ConnectIncoming { .. }
                | Effect::StartTimer {
                    timer: Timer::Ring(_),
                    ..
                }
        )
    })
}

#[test]
fn an_announced_call_is_reported_without_a_push_and_its_later_push_is_the_same_call() {
    let o = run("announced-then-pushed.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let announced = nth(&o, "incoming_call_announced", 0);
    assert_eq!(
        announced.effects(),
        [
            Effect::ReportNewIncomingCall { push: None, call },
            Effect::ConnectIncoming { call },
            Effect::StartTimer {
                timer: Timer::Ring(call),
                deadline: Instant::from_millis(30_000)
            },
        ]
    );
    let update = announced.call_update().expect("the report's update");
    assert_eq!(
        update.localized_caller_name.as_ref().map(|n| n.as_str()),
        Some("Ann")
    );
    // Its completion names the call; no PushKit completion exists for it.
    assert_eq!(nth(&o, "incoming_call_reported", 0).effects(), []);
    // The push for it: reported under the same UUID, nothing created.
    let pushed = nth(&o, "voip_push_received", 0).effects();
    assert_eq!(
        pushed.first(),
        Some(&Effect::ReportNewIncomingCall {
            push: Some(PushId(1)),
            call
        })
    );
    assert!(!rings(pushed), "a second call or ring timer: {pushed:?}");
    assert_eq!(
        completions(nth(&o, "incoming_call_reported", 1).effects()),
        [1]
    );
    assert!(nth(&o, "perform_answer_call", 0)
        .effects()
        .contains(&Effect::AnswerIncoming { call }));
    assert_eq!(ended(&o), [(call, CallEndedReason::RemoteEnded)]);
}

#[test]
fn an_announcement_after_the_push_creates_nothing_and_its_name_waits_for_callkit() {
    let o = run("pushed-then-announced.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    assert_eq!(nth(&o, "incoming_call_announced", 0).effects(), []);
    let confirmed = nth(&o, "incoming_call_reported", 0);
    assert!(confirmed
        .effects()
        .contains(&Effect::ReportCallUpdated { call }));
    assert_eq!(
        confirmed
            .call_update()
            .and_then(|u| u.localized_caller_name.as_ref())
            .map(|n| n.as_str()),
        Some("Ann Lee")
    );
    // An announcement of a call its connection already ended: nothing to ring.
    assert_eq!(nth(&o, "incoming_call_announced", 1).effects(), []);
    // One naming the app's own outgoing call is refused.
    let outgoing = nth(&o, "incoming_call_announced", 2);
    assert_eq!(outgoing.result, Err(Error::CallExists(call_id(9))));
    assert_eq!(
        o.effects()
            .filter(|(_, e)| matches!(e, Effect::ReportNewIncomingCall { .. }))
            .count(),
        1
    );
}

#[test]
fn under_must_report_false_a_push_that_would_only_be_ended_is_completed_without_a_report() {
    let o = run("must-report-false.jsonl");
    let pushes: Vec<&TraceStep> = o.steps_named("voip_push_received").collect();
    let reported = |s: &TraceStep| {
        s.effects()
            .iter()
            .any(|e| matches!(e, Effect::ReportNewIncomingCall { .. }))
    };
    // Pushes 2, 3, 4 and 6 (a copy of the live call, a cancel for no call here, an
    // unusable payload, a copy of an ended call): completed in their step, unreported.
    for (i, why) in [
        (1, None),
        (2, Some(PushEndReason::CancelledUnknownCall)),
        (
            3,
            Some(PushEndReason::Unreadable {
                error: PayloadError::WrongType,
                field: Some(PayloadField::CallId),
            }),
        ),
        (5, Some(PushEndReason::CallEnded)),
    ] {
        let step = pushes[i];
        assert!(!reported(step), "push {}: {:?}", i + 1, step.effects());
        assert_eq!(completions(step.effects()), [i as u64 + 1]);
        assert_eq!(step.push_end_reason(), why, "push {}", i + 1);
    }
    // mustReport true changes nothing: the copy is reported under the live call.
    assert!(reported(pushes[4]) && !rings(pushes[4].effects()));
    // A push for a new call is reported and rings even under mustReport false.
    assert!(reported(pushes[6]) && rings(pushes[6].effects()));
    // No ghost call was ever ended: only the live call's own end.
    assert_eq!(
        ended(&o),
        [(opaque_call_id("CA11"), CallEndedReason::RemoteEnded)]
    );
}

#[test]
fn a_push_older_than_the_maximum_push_age_is_a_missed_call_that_never_rings() {
    let o = run("stale-push-missed.jsonl");
    let ann = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let bea = uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20");
    let stale = nth(&o, "voip_push_received", 0);
    assert_eq!(stale.push_end_reason(), Some(PushEndReason::Stale));
    assert!(stale.effects().contains(&Effect::MissedCall { call: ann }));
    assert!(!rings(stale.effects()));
    assert_eq!(
        stale
            .call_update()
            .and_then(|u| u.localized_caller_name.as_ref())
            .map(|n| n.as_str()),
        Some("Ann")
    );
    // Under mustReport false: the missed call without a report.
    let unreported = nth(&o, "voip_push_received", 1);
    assert_eq!(
        unreported.effects(),
        [
            Effect::CompletePush { push: PushId(2) },
            Effect::MissedCall { call: bea }
        ]
    );
    // 5 s old, and sent "in the future": both ring.
    assert!(rings(nth(&o, "voip_push_received", 2).effects()));
    assert!(rings(nth(&o, "voip_push_received", 3).effects()));
    let reasons: Vec<CallEndedReason> = ended(&o).into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        reasons,
        [
            CallEndedReason::Unanswered,
            CallEndedReason::RemoteEnded,
            CallEndedReason::RemoteEnded
        ]
    );
    assert_eq!(ended(&o)[0].0, ann);
}

#[test]
fn a_push_without_the_call_id_its_schema_requires_is_unusable_and_never_rings() {
    let o = run("push-without-required-id.jsonl");
    let first = nth(&o, "voip_push_received", 0);
    assert_eq!(
        first.effects().first(),
        Some(&Effect::ReportNewIncomingCall {
            push: Some(PushId(1)),
            call: fallback_id(1)
        })
    );
    assert_eq!(first.push_end_reason(), Some(PushEndReason::MissingCallId));
    assert!(!rings(first.effects()));
    assert_eq!(ended(&o), [(fallback_id(1), CallEndedReason::Failed)]);
    let skipped = nth(&o, "voip_push_received", 1);
    assert_eq!(
        skipped.effects(),
        [Effect::CompletePush { push: PushId(2) }]
    );
    // The same id-less push under a schema that does not require the id rings under
    // the fallback UUID.
    let trace = parse_trace(
        "{\"config\": {\"schema\": \"react_native_voip_push\"}}\n\
         {\"at_ms\": 0, \"event\": \"voip_push\", \"push\": 1, \"payload\": {\"handle\": \"+14085551234\"}}\n",
        &traces_dir(),
    )
    .expect("a trace");
    let o = run_trace(&trace).expect("runs");
    assert!(rings(nth(&o, "voip_push_received", 0).effects()));
}

#[test]
fn a_trace_config_writes_a_whole_payload_schema_and_refuses_a_bad_one() {
    let whole = r#"{"config": {"schema": {"preset": "apple_docs", "root": "data", "id_key": "cid", "id_kind": "opaque", "handle_type": "phoneNumber", "caller_name_key": "who", "message_type_key": "t", "cancel_message_type": "bye", "sent_at_key": "ts", "sent_at_unit": "milliseconds", "require_call_id": true}, "max_push_age_ms": 1000}}"#;
    let trace = parse_trace(whole, &traces_dir()).expect("a whole schema");
    let schema = &trace.config.schema;
    assert_eq!(trace.schema_name, "custom");
    assert_eq!(schema.root.as_str(), "data");
    assert_eq!(schema.id_key.as_str(), "cid");
    assert_eq!(schema.id_kind, callkit_engine::CallIdKind::Opaque);
    assert_eq!(
        schema.handle_type,
        Some(callkit_engine::HandleType::PhoneNumber)
    );
    assert_eq!(schema.caller_name_key.as_deref(), Some("who"));
    assert_eq!(schema.cancel_message_type.as_deref(), Some("bye"));
    assert_eq!(schema.sent_at_key.as_deref(), Some("ts"));
    assert_eq!(
        schema.sent_at_unit,
        callkit_engine::SentAtUnit::Milliseconds
    );
    assert!(schema.require_call_id);
    assert_eq!(trace.config.max_push_age_ms, 1000);
    // Keys left out keep the preset's; `null` clears an optional key.
    let cleared =
        r#"{"config": {"schema": {"preset": "react_native_voip_push", "caller_name_key": null}}}"#;
    let schema = parse_trace(cleared, &traces_dir())
        .expect("a schema")
        .config
        .schema;
    assert_eq!(schema.caller_name_key, None);
    assert_eq!(schema.video_key.as_deref(), Some("hasVideo"));
    for bad in [
        r#"{"config": {"schema": {"id_kind": "number"}}}"#,
        r#"{"config": {"schema": {"root": "a..b"}}}"#,
        r#"{"config": {"schema": {"sent_at_unit": "hours"}}}"#,
        r#"{"config": {"schema": {"idkey": "x"}}}"#,
        r#"{"config": {"schema": {"preset": "nope"}}}"#,
    ] {
        assert!(parse_trace(bad, &traces_dir()).is_err(), "{bad} accepted");
    }
}

#[test]
fn an_outgoing_call_nobody_answers_stops_ringback_hangs_up_and_ends_unanswered() {
    let o = run("outgoing-no-answer.jsonl");
    let call = call_id(1);
    let connecting = nth(&o, "outgoing_call_connecting", 0).effects();
    assert!(
        connecting.contains(&Effect::StartTimer {
            timer: Timer::NoAnswer(call),
            deadline: Instant::from_millis(500 + DEFAULT_NO_ANSWER_TIMEOUT_MS),
        }),
        "{connecting:#?}"
    );
    assert!(nth(&o, "outgoing_call_ringing", 0)
        .effects()
        .contains(&Effect::StartRingback { call }));
    let fired = nth(&o, "timer_fired", 0);
    assert_eq!(fired.at_ms, 500 + DEFAULT_NO_ANSWER_TIMEOUT_MS);
    assert_eq!(
        fired.effects(),
        [
            Effect::StopMedia { call },
            Effect::StopRingback { call },
            Effect::HangUp { call },
            Effect::ReportCallEnded {
                call,
                at: Instant::from_millis(500 + DEFAULT_NO_ANSWER_TIMEOUT_MS),
                reason: CallEndedReason::Unanswered,
            },
        ]
    );
    assert_eq!(o.steps_named("timer_fired").count(), 1);
    assert_eq!(ended(&o), [(call, CallEndedReason::Unanswered)]);
}

#[test]
fn a_far_end_that_refuses_ends_the_outgoing_call_with_the_reason_its_refusal_maps_to() {
    let o = run("outgoing-refused.jsonl");
    let (busy, declined, unavailable) = (call_id(1), call_id(2), call_id(3));
    assert_eq!(
        nth(&o, "outgoing_call_refused", 0).effects(),
        [
            Effect::CancelTimer {
                timer: Timer::NoAnswer(busy)
            },
            Effect::StopMedia { call: busy },
            Effect::StopRingback { call: busy },
            Effect::ReportCallEnded {
                call: busy,
                at: Instant::from_millis(3_000),
                reason: CallEndedReason::RemoteEnded,
            },
        ]
    );
    assert_eq!(
        nth(&o, "outgoing_call_refused", 2).effects(),
        [
            Effect::CancelTimer {
                timer: Timer::StartConnect(unavailable)
            },
            Effect::FailAction {
                action: action_id(3)
            },
            Effect::StopMedia { call: unavailable },
            Effect::ReportCallEnded {
                call: unavailable,
                at: Instant::from_millis(11_000),
                reason: CallEndedReason::Unanswered,
            },
        ]
    );
    let hang_ups = o
        .effects()
        .filter(|(_, e)| matches!(e, Effect::HangUp { .. }))
        .count();
    assert_eq!(hang_ups, 0, "signalling already knows of a refusal");
    assert_eq!(
        ended(&o),
        [
            (busy, CallEndedReason::RemoteEnded),
            (declined, CallEndedReason::RemoteEnded),
            (unavailable, CallEndedReason::Unanswered),
            (call_id(4), CallEndedReason::RemoteEnded),
        ]
    );
}

#[test]
fn a_start_that_signalling_never_connects_is_failed_by_the_engine_within_the_bound() {
    let o = run("start-connect-timeout.jsonl");
    let call = call_id(1);
    let start = action_id(1);
    let deadline = 60 + DEFAULT_START_CONNECT_TIMEOUT_MS;
    assert!(nth(&o, "perform_start_call", 0)
        .effects()
        .contains(&Effect::StartTimer {
            timer: Timer::StartConnect(call),
            deadline: Instant::from_millis(deadline),
        }));
    let fired = nth(&o, "timer_fired", 0);
    assert_eq!(fired.at_ms, deadline);
    assert_eq!(
        fired.effects(),
        [
            Effect::FailAction { action: start },
            Effect::StopMedia { call },
            Effect::HangUp { call },
            Effect::ReportCallEnded {
                call,
                at: Instant::from_millis(deadline),
                reason: CallEndedReason::Failed,
            },
        ]
    );
    assert!(nth(&o, "timed_out_performing", 0).effects().is_empty());
    assert_eq!(ended(&o), [(call, CallEndedReason::Failed)]);
}

#[test]
fn a_translated_call_starts_and_stops_translation_once_per_action_and_a_mute_keeps_its_media() {
    let o = run("call-translation.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let outcome = |n: usize| nth(&o, "perform_set_translating", n).effects();
    assert_eq!(
        outcome(0),
        [Effect::FailAction {
            action: action_id(1)
        }],
        "a ringing call is not translated"
    );
    assert_eq!(
        outcome(1),
        [
            Effect::StartTranslation { call },
            Effect::FulfillAction {
                action: action_id(3)
            },
        ]
    );
    for (n, muted) in [(0, true), (1, false)] {
        assert_eq!(
            nth(&o, "perform_set_muted", n).effects(),
            [
                Effect::SetMuted { call, muted },
                Effect::FulfillAction {
                    action: action_id(4 + n as u8)
                },
            ],
            "a mute during translation only mutes the input"
        );
    }
    assert_eq!(
        outcome(2),
        [
            Effect::StartTranslation { call },
            Effect::FulfillAction {
                action: action_id(6)
            },
        ]
    );
    assert_eq!(
        outcome(3),
        [Effect::FailAction {
            action: action_id(7)
        }]
    );
    assert_eq!(
        outcome(4),
        [
            Effect::StopTranslation { call },
            Effect::FulfillAction {
                action: action_id(8)
            },
        ]
    );
    assert!(nth(&o, "timed_out_performing", 0).effects().is_empty());
    let stops = o
        .effects()
        .filter(|(_, e)| matches!(e, Effect::StopMedia { .. }))
        .count();
    assert_eq!(stops, 1, "media stops only at the end");
    assert_eq!(ended(&o), [(call, CallEndedReason::RemoteEnded)]);
}

#[test]
fn an_answer_from_the_apps_own_ui_is_requested_from_callkit_and_fulfilled_once_connected() {
    let o = run("answer-from-app.jsonl");
    let call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let request = nth(&o, "request_answer_call", 0).effects();
    assert!(
        matches!(
            request,
            [Effect::RequestTransaction {
                action: CallAction::AnswerCall { call: c },
                ..
            }] if *c == call
        ),
        "{request:?}"
    );
    // CallKit performs it like any answer: held until the connection is ready.
    let perform = nth(&o, "perform_answer_call", 0).effects();
    assert!(!perform.contains(&Effect::FulfillAction {
        action: action_id(1)
    }));
    let connected = nth(&o, "incoming_call_connected", 0).effects();
    assert!(connected.contains(&Effect::AnswerIncoming { call }));
    assert!(connected.contains(&Effect::FulfillAction {
        action: action_id(1)
    }));
    // Not a ringing call: refused; a call that just ended: accepted, nothing to do.
    assert_eq!(
        nth(&o, "request_answer_call", 1).result,
        Err(Error::WrongPhase(call_id(7)))
    );
    assert_eq!(nth(&o, "request_answer_call", 2).effects(), []);
}
