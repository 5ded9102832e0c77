//! Tests written to kill mutants that cargo-mutants found surviving (docs/testing.md
//! lists the run and the mutants left alive with the reason).

use callkit_engine::limits::effects_needed;
use callkit_engine::{
    ActionId, CallAction, CallEndedReason, CallId, DtmfType, Effect, IncomingReport, Instant,
    PushId, RejectReason, Timer, TransactionId,
};
use callkit_engine::{Config, Engine, Event};
use callkit_engine_testkit::{action_id, call_id, fallback_id};

/// `Effect::call` names the call of every effect that is about one, and `None` for the
/// rest (killed: "replace Effect::call -> Option<CallId> with None").
#[test]
fn every_effect_about_a_call_names_it() {
    let c = call_id(1);
    let at = Instant::from_millis(5);
    let a: ActionId = action_id(1);
    let about: Vec<Effect> = vec![
        Effect::ReportNewIncomingCall {
            push: Some(PushId(1)),
            call: c,
        },
        Effect::ReportCallUpdated { call: c },
        Effect::ReportOutgoingCallStartedConnecting { call: c, at },
        Effect::ReportOutgoingCallConnected { call: c, at },
        Effect::ReportCallEnded {
            call: c,
            at,
            reason: CallEndedReason::Failed,
        },
        Effect::ConnectIncoming { call: c },
        Effect::AnswerIncoming { call: c },
        Effect::RejectIncoming {
            call: c,
            reason: RejectReason::Busy,
        },
        Effect::HangUp { call: c },
        Effect::SetHeld {
            call: c,
            on_hold: true,
        },
        Effect::SetMuted {
            call: c,
            muted: true,
        },
        Effect::SetGroup {
            call: c,
            group_with: None,
        },
        Effect::PlayDtmf {
            call: c,
            kind: DtmfType::SingleTone,
        },
        Effect::StartOutgoing {
            call: c,
            video: false,
        },
        Effect::StartMedia { call: c },
        Effect::StopMedia { call: c },
        Effect::RequestTransaction {
            transaction: TransactionId(0),
            action: CallAction::EndCall { call: c },
        },
        Effect::StartTimer {
            timer: Timer::Ring(c),
            deadline: at,
        },
        Effect::CancelTimer {
            timer: Timer::AnswerConnect(c),
        },
    ];
    for e in &about {
        assert_eq!(e.call(), Some(c), "{e:?}");
    }
    let none: Vec<Effect> = vec![
        Effect::FulfillAction { action: a },
        Effect::FailAction { action: a },
        Effect::CompletePush { push: PushId(1) },
        Effect::RegisterPushToken,
        Effect::UnregisterPushToken,
        Effect::ConfigureAudioSession,
        Effect::StartTimer {
            timer: Timer::PushCompletion(PushId(1)),
            deadline: at,
        },
    ];
    for e in &none {
        assert_eq!(e.call(), None::<CallId>, "{e:?}");
    }
}

/// The worst-case effect bound, by hand from docs/design.md: reset with every slot full
/// (3 per call, 2 per push), at least 9 for one teardown plus push bookkeeping.
#[test]
fn the_effect_bound_is_the_reset_or_audio_worst_case_or_nine() {
    assert_eq!(effects_needed(4, 8), 32);
    assert_eq!(effects_needed(1, 1), 9);
    assert_eq!(effects_needed(2, 2), 12);
    assert_eq!(effects_needed(3, 0), 12);
    assert_eq!(effects_needed(0, 5), 10);
    assert_eq!(effects_needed(10, 0), 40);
}

/// Iterating `&Effects` yields the effects in order, and its `Debug` names them
/// (killed: `into_iter` and `fmt` replaced with defaults).
#[test]
fn a_steps_effects_iterate_in_order_and_print_with_their_data() {
    let mut engine: Engine = Engine::new(Config::default());
    let payload = format!(r#"{{"uuid":"{}","handle":"+15550100"}}"#, call_id(1));
    let effects = engine
        .handle(
            Instant::from_millis(0),
            Event::VoipPushReceived {
                push: PushId(1),
                payload: payload.as_bytes(),
                fallback_call: fallback_id(1),
                must_report: None,
                received_at_unix_ms: None,
            },
        )
        .expect("a push is never refused");
    let by_ref: Vec<&Effect> = (&effects).into_iter().collect();
    assert_eq!(by_ref.len(), effects.len());
    assert!(effects.len() >= 3);
    assert!(matches!(by_ref[0], Effect::ReportNewIncomingCall { .. }));
    let text = format!("{effects:?}");
    assert!(text.contains("ReportNewIncomingCall"), "{text}");
    assert!(
        text.contains("+15550100"),
        "the call update is printed: {text}"
    );
}

/// A ringing call exposes the handle and video flag of its push (killed: `Call::handle`
/// and `Call::has_video` replaced with constants).
#[test]
fn a_ringing_call_keeps_its_handle_and_video_flag() {
    let mut config = Config::default();
    config.provider.supports_video = true;
    let mut engine: Engine = Engine::new(config);
    for (n, video) in [(1u8, true), (2, false)] {
        let payload = format!(
            r#"{{"uuid":"{}","handle":"+1555010{n}","hasVideo":{video}}}"#,
            call_id(n)
        );
        engine
            .handle(
                Instant::from_millis(0),
                Event::VoipPushReceived {
                    push: PushId(u64::from(n)),
                    payload: payload.as_bytes(),
                    fallback_call: fallback_id(u64::from(n)),
                    must_report: None,
                    received_at_unix_ms: None,
                },
            )
            .expect("a push is never refused");
        let c = engine.call(call_id(n)).expect("rings");
        assert_eq!(c.has_video(), video);
        assert_eq!(
            c.handle().map(|h| h.value.as_str()),
            Some(format!("+1555010{n}").as_str())
        );
    }
}

fn named_payload(n: u8, name: &str) -> String {
    format!(
        r#"{{"uuid":"{}","handle":"+15550100","callerName":"{name}"}}"#,
        call_id(n)
    )
}

fn updates(effects: &[Effect]) -> usize {
    callkit_engine_testkit::count(effects, |e| matches!(e, Effect::ReportCallUpdated { .. }))
}

/// A duplicate push with a new caller name updates CallKit only once CallKit knows the
/// call: not while the first report is pending, then yes (kills the `!awaiting_report`
/// mutant in `on_repeat_push`).
#[test]
fn a_renamed_duplicate_push_updates_the_call_only_after_its_report_completed() {
    let mut h: callkit_engine_testkit::Harness =
        callkit_engine_testkit::Harness::new(Config::default());
    h.push(1, named_payload(1, "First").as_bytes());
    let pending = h.push(2, named_payload(1, "Second").as_bytes());
    assert_eq!(updates(&pending), 0, "{pending:?}");
    h.step(Event::IncomingCallReported {
        report: IncomingReport::Push(PushId(1)),
        result: Ok(()),
    });
    h.step(Event::IncomingCallReported {
        report: IncomingReport::Push(PushId(2)),
        result: Ok(()),
    });
    let known = h.push(3, named_payload(1, "Third").as_bytes());
    assert_eq!(updates(&known), 1, "{known:?}");
    h.assert_rules();
}

/// A push naming an outgoing call's UUID never renames it (kills the `== Incoming`
/// mutant in `on_repeat_push`).
#[test]
fn a_renamed_push_for_an_outgoing_call_does_not_update_it() {
    let mut h: callkit_engine_testkit::Harness =
        callkit_engine_testkit::Harness::new(Config::default());
    h.step(Event::RequestStartCall {
        call: call_id(1),
        handle: "+15550199",
        handle_type: callkit_engine::HandleType::PhoneNumber,
        video: false,
    });
    h.step(Event::TransactionCompleted {
        transaction: TransactionId(0),
        result: Ok(()),
    });
    h.step(Event::PerformStartCall {
        action: action_id(1),
        call: call_id(1),
        handle: "+15550199",
        handle_type: callkit_engine::HandleType::PhoneNumber,
        video: false,
    });
    let effects = h.push(1, named_payload(1, "Somebody").as_bytes());
    assert_eq!(updates(&effects), 0, "{effects:?}");
    h.assert_rules();
}

/// A duplicate push is reported with the call's own `CXCallUpdate` (handle, caller name,
/// video as first reported), not a blank one: CallKit shows what it shows for the call.
#[test]
fn a_duplicate_push_is_reported_with_the_calls_own_call_update() {
    let mut config = Config::default();
    config.provider.supports_video = true;
    let mut h: callkit_engine_testkit::Harness = callkit_engine_testkit::Harness::new(config);
    let payload = br#"{"uuid":"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20","handle":"+442071838750","callerName":"Bob","hasVideo":true}"#;
    let first = h.push(1, payload);
    let first_update = first.call_update.clone().expect("a call update");
    assert!(first_update.has_video);
    assert!(first_update.remote_handle.is_some());
    assert!(first_update.localized_caller_name.is_some());
    h.step(Event::IncomingCallReported {
        report: IncomingReport::Push(PushId(1)),
        result: Ok(()),
    });
    // The copy carries nothing but the id: the report still shows the call as it is.
    let copy = br#"{"uuid":"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20"}"#;
    let second = h.push(2, copy);
    assert_eq!(second.call_update, Some(first_update));
    assert_eq!(h.engine.calls().count(), 1);
}
