//! Behaviour tests: one test (or a small group) per engine behaviour, each named for the
//! behaviour it pins, driven on a virtual clock through the testkit `Harness` (which
//! checks the PushKit rule after every step).
//!
//! The tests are grouped in numbered sections, one per rule (PushKit reporting,
//! payloads, duplicate pushes, answer deferral, media, outgoing calls, ends, time-outs,
//! in-call actions, reset, refusals, ...); a new test goes in the section of the rule it
//! pins.

use callkit_engine::limits::{
    MAX_CALLER_NAME_LEN, MAX_LANGUAGE_TAG_LEN, MAX_PUSH_TOKEN_LEN, RECENTLY_ENDED_CALLS,
};
use callkit_engine::{
    ActionId, CallAction, CallCapabilities, CallEndedReason, CallId, CallPhase, Config, DtmfType,
    Effect, Error, Event, Handle, HandleType, IncomingCallError, IncomingReport, Instant,
    PayloadError, PayloadSchema, ProviderConfiguration, PushEndReason, PushId, RefusalReason,
    RejectReason, RequestTransactionError, Timer, TransactionId, Uuid,
    DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS, DEFAULT_NO_ANSWER_TIMEOUT_MS,
    DEFAULT_START_CONNECT_TIMEOUT_MS, OPAQUE_ID_NAMESPACE,
};
use callkit_engine_testkit::{action_id, call_id, fallback_id, Harness, StepEffects};

const PUSH_DEADLINE_MS: u64 = 5_000;
const RING_MS: u64 = 30_000;
const ANSWER_CONNECT_MS: u64 = 10_000;
const OUT_HANDLE: &str = "+15550199";

// ---------------------------------------------------------------- helpers

fn harness() -> Harness {
    Harness::new(Config::default())
}

/// A payload in the default (react-native) schema for `call`.
fn payload(call: CallId) -> Vec<u8> {
    format!(r#"{{"uuid":"{call}","handle":"+15550100","callerName":"Caller"}}"#).into_bytes()
}

fn at(h: &Harness) -> Instant {
    Instant::from_millis(h.now)
}

fn ms(millis: u64) -> Instant {
    Instant::from_millis(millis)
}

/// The step's first effect is the report of `push` under `call`, and it is the step's
/// only report.
fn assert_report_first(effects: &[Effect], push: u64, call: CallId) {
    match effects.first() {
        Some(Effect::ReportNewIncomingCall {
            push: p, call: c, ..
        }) => {
            assert_eq!(
                *p,
                Some(PushId(push)),
                "report names the wrong push: {effects:#?}"
            );
            assert_eq!(*c, call, "report names the wrong call: {effects:#?}");
        }
        other => panic!(
            "first effect of push {push} is {other:?}, want ReportNewIncomingCall: {effects:#?}"
        ),
    }
    let reports = effects
        .iter()
        .filter(|e| matches!(e, Effect::ReportNewIncomingCall { .. }))
        .count();
    assert_eq!(reports, 1, "one report per push step: {effects:#?}");
}

/// How many `CompletePush` naming `push` the whole run produced.
fn completions(h: &Harness, push: u64) -> usize {
    h.steps
        .iter()
        .filter_map(|s| s.result.as_ref().ok())
        .flatten()
        .filter(|e| **e == Effect::CompletePush { push: PushId(push) })
        .count()
}

/// How many `FulfillAction`/`FailAction` naming `action` the steps from `from` on produced.
fn action_outcomes_since(h: &Harness, from: usize, action: ActionId) -> usize {
    h.steps[from..]
        .iter()
        .filter_map(|s| s.result.as_ref().ok())
        .flatten()
        .filter(|e| {
            matches!(e, Effect::FulfillAction { action: a } | Effect::FailAction { action: a } if *a == action)
        })
        .count()
}

fn count<F: Fn(&Effect) -> bool>(effects: &[Effect], f: F) -> usize {
    effects.iter().filter(|e| f(e)).count()
}

fn report(h: &mut Harness, push: u64, result: Result<(), IncomingCallError>) -> StepEffects {
    h.step(Event::IncomingCallReported {
        report: IncomingReport::Push(PushId(push)),
        result,
    })
}

/// Push `push` for `call` and report it Ok: the call rings.
fn ring(h: &mut Harness, push: u64, call: CallId) {
    let effects = h.push(push, &payload(call));
    assert_report_first(&effects, push, call);
    let effects = report(h, push, Ok(()));
    assert!(
        effects.contains(&Effect::CompletePush { push: PushId(push) }),
        "{effects:#?}"
    );
    assert_eq!(
        h.engine.call(call).map(|c| c.phase()),
        Some(CallPhase::Ringing)
    );
}

/// A ringing call whose connection is ready, answered with `action` and fulfilled.
fn answered(h: &mut Harness, push: u64, call: CallId, action: ActionId) {
    ring(h, push, call);
    assert_eq!(h.step(Event::IncomingCallConnected { call }), vec![]);
    let effects = h.step(Event::PerformAnswerCall { action, call });
    assert!(
        effects.contains(&Effect::AnswerIncoming { call }),
        "{effects:#?}"
    );
    assert!(
        effects.contains(&Effect::FulfillAction { action }),
        "{effects:#?}"
    );
    assert_eq!(
        h.engine.call(call).map(|c| c.phase()),
        Some(CallPhase::Answered)
    );
}

fn out_handle() -> Handle {
    Handle::new(HandleType::PhoneNumber, OUT_HANDLE).expect("short handle")
}

/// Requests an outgoing call and returns its start transaction.
fn request_outgoing(h: &mut Harness, call: CallId) -> TransactionId {
    let effects = h.step(Event::RequestStartCall {
        call,
        handle: OUT_HANDLE,
        handle_type: HandleType::PhoneNumber,
        video: false,
    });
    match effects.as_slice() {
        [Effect::RequestTransaction {
            transaction,
            action:
                CallAction::StartCall {
                    call: c,
                    video: false,
                },
        }] if *c == call && effects.handle == Some(out_handle()) => *transaction,
        other => panic!("want one StartCall transaction, got {other:#?}"),
    }
}

/// An outgoing call requested, its transaction completed, and its start action
/// performed (held, phase Starting).
fn starting_outgoing(h: &mut Harness, call: CallId, action: ActionId) -> StepEffects {
    let transaction = request_outgoing(h, call);
    let done = h.step(Event::TransactionCompleted {
        transaction,
        result: Ok(()),
    });
    assert_eq!(done, vec![]);
    h.step(Event::PerformStartCall {
        action,
        call,
        handle: OUT_HANDLE,
        handle_type: HandleType::PhoneNumber,
        video: false,
    })
}

/// Feeds `event` at `when`, expects it refused, and checks the engine did not change.
fn refused_at(h: &mut Harness, when: u64, event: Event<'_>) -> Error {
    let before = h.engine.clone();
    let result = h.step_at(when, event);
    let error = match result {
        Ok(effects) => panic!("{} was accepted: {effects:#?}", event.name()),
        Err(e) => e,
    };
    assert!(
        h.engine == before,
        "refused {} ({error}) changed the engine",
        event.name()
    );
    error
}

fn refused(h: &mut Harness, event: Event<'_>) -> Error {
    let now = h.now;
    refused_at(h, now, event)
}

/// Feeds `event`, a race a correct host can produce, and expects it accepted with no
/// effects and nothing changed but the clock.
fn benign(h: &mut Harness, event: Event<'_>) {
    let before = h.engine.clone();
    let effects = h
        .try_step(event)
        .unwrap_or_else(|e| panic!("{} was refused: {e}", event.name()));
    assert_eq!(effects, vec![], "{}", event.name());
    assert!(
        h.engine.calls().eq(before.calls())
            && h.engine.timers().eq(before.timers())
            && h.engine.pending_pushes() == before.pending_pushes()
            && h.engine.pending_transactions() == before.pending_transactions(),
        "{} changed the engine",
        event.name()
    );
}

fn finish(h: &mut Harness) {
    let now = h.now;
    h.checker.finish(now);
    h.assert_rules();
}

/// A payload the default schema cannot read (the call id is a number): a push reported
/// and ended once CallKit accepted the report.
const UNREADABLE: &[u8] = b"{\"uuid\":7}";

fn owed_end(h: &Harness) -> bool {
    h.engine.pending_pushes() > 0 && h.engine.calls().count() == 0
}

// -------------------------------- 1. every push: reported in its own step, completed once

#[test]
fn every_push_is_reported_in_its_own_step_and_completed_once_after_the_report_result() {
    let mut h = harness();
    let call = call_id(1);
    let effects = h.push(1, &payload(call));
    assert_report_first(&effects, 1, call);
    assert_eq!(
        effects[1..].to_vec(),
        vec![
            Effect::StartTimer {
                timer: Timer::PushCompletion(PushId(1)),
                deadline: ms(PUSH_DEADLINE_MS),
            },
            Effect::ConnectIncoming { call },
            Effect::StartTimer {
                timer: Timer::Ring(call),
                deadline: ms(RING_MS),
            },
        ]
    );
    h.advance(800);
    let effects = report(&mut h, 1, Ok(()));
    assert_eq!(
        effects,
        vec![
            Effect::CompletePush { push: PushId(1) },
            Effect::CancelTimer {
                timer: Timer::PushCompletion(PushId(1)),
            },
        ]
    );
    // Nothing completes the push again, not even its old deadline.
    h.advance_firing(RING_MS - 1_000);
    assert_eq!(completions(&h, 1), 1);
    finish(&mut h);
}

#[test]
fn a_push_without_a_report_result_is_completed_at_its_5000_ms_deadline_and_never_before() {
    let mut h = harness();
    let call = call_id(1);
    h.advance(1_000);
    let effects = h.push(1, &payload(call));
    assert_report_first(&effects, 1, call);
    let early = h.advance_firing(PUSH_DEADLINE_MS - 1);
    assert!(
        !early.contains(&Effect::CompletePush { push: PushId(1) }),
        "completed before its deadline: {early:#?}"
    );
    assert_eq!(completions(&h, 1), 0);
    let due = h.advance_firing(1);
    assert_eq!(due, vec![Effect::CompletePush { push: PushId(1) }]);
    assert_eq!(h.now, 1_000 + PUSH_DEADLINE_MS);
    // The report's late completion still clears the call's pending report, but does not
    // complete the push a second time.
    let late = report(&mut h, 1, Ok(()));
    assert_eq!(late, vec![]);
    assert!(!h.engine.call(call).expect("still ringing").report_pending());
    assert_eq!(completions(&h, 1), 1);
    finish(&mut h);
}

#[test]
fn a_malformed_push_is_reported_first_ended_and_completed_once_after_its_result() {
    let mut h = harness();
    let effects = h.push(1, include_bytes!("payloads/not-json.bin"));
    assert_report_first(&effects, 1, fallback_id(1));
    assert_eq!(
        count(&effects, |e| matches!(e, Effect::CompletePush { .. })),
        0
    );
    h.advance(300);
    let effects = report(&mut h, 1, Ok(()));
    assert!(effects.contains(&Effect::CompletePush { push: PushId(1) }));
    h.advance_firing(PUSH_DEADLINE_MS * 2);
    assert_eq!(completions(&h, 1), 1);
    finish(&mut h);
}

#[test]
fn a_duplicated_push_is_reported_first_and_each_copy_is_completed_once() {
    let mut h = harness();
    let call = call_id(1);
    let first = h.push(1, &payload(call));
    assert_report_first(&first, 1, call);
    h.advance(50);
    // The copy arrives before the first report's result.
    let copy = h.push(2, &payload(call));
    assert_report_first(&copy, 2, call);
    assert_eq!(
        count(&copy, |e| matches!(e, Effect::CompletePush { .. })),
        0
    );
    report(&mut h, 2, Err(IncomingCallError::CallUuidAlreadyExists));
    report(&mut h, 1, Ok(()));
    h.advance_firing(PUSH_DEADLINE_MS * 2);
    assert_eq!(completions(&h, 1), 1);
    assert_eq!(completions(&h, 2), 1);
    assert_eq!(h.engine.calls().count(), 1);
    finish(&mut h);
}

#[test]
fn a_late_push_for_a_call_that_already_ended_is_reported_first_and_ended_once_callkit_accepts_it() {
    let mut h = harness();
    let call = call_id(1);
    ring(&mut h, 1, call);
    h.step(Event::RemoteEnded { call });
    assert!(h.engine.call(call).is_none());
    h.advance(20_000);
    let effects = h.push(2, &payload(call));
    assert_report_first(&effects, 2, call);
    assert_eq!(effects.push_end_reason, Some(PushEndReason::CallEnded));
    assert_eq!(
        effects[1..].to_vec(),
        vec![Effect::StartTimer {
            timer: Timer::PushCompletion(PushId(2)),
            deadline: ms(h.now + PUSH_DEADLINE_MS),
        }]
    );
    assert!(
        h.engine.call(call).is_none(),
        "a late push must not ring again"
    );
    h.advance(80);
    let done = report(&mut h, 2, Ok(()));
    assert_eq!(
        done,
        vec![
            Effect::CompletePush { push: PushId(2) },
            Effect::CancelTimer {
                timer: Timer::PushCompletion(PushId(2))
            },
            Effect::ReportCallEnded {
                call,
                at: at(&h),
                reason: CallEndedReason::RemoteEnded,
            },
        ]
    );
    assert_eq!(completions(&h, 2), 1);
    finish(&mut h);
}

#[test]
fn a_push_over_call_capacity_is_reported_first_rejected_busy_and_ended_failed_once_accepted() {
    let mut h = harness();
    for n in 1..=4 {
        ring(&mut h, u64::from(n), call_id(n));
    }
    let extra = call_id(5);
    let effects = h.push(5, &payload(extra));
    assert_report_first(&effects, 5, extra);
    assert_eq!(effects.push_end_reason, Some(PushEndReason::CallCapacity));
    assert_eq!(
        effects[1..].to_vec(),
        vec![
            Effect::StartTimer {
                timer: Timer::PushCompletion(PushId(5)),
                deadline: ms(h.now + PUSH_DEADLINE_MS),
            },
            Effect::RejectIncoming {
                call: extra,
                reason: RejectReason::Busy,
            },
        ]
    );
    assert_eq!(h.engine.calls().count(), 4);
    assert!(h.engine.call(extra).is_none());
    let done = report(&mut h, 5, Ok(()));
    assert!(done.contains(&Effect::CompletePush { push: PushId(5) }));
    assert_eq!(
        done.last(),
        Some(&Effect::ReportCallEnded {
            call: extra,
            at: at(&h),
            reason: CallEndedReason::Failed,
        })
    );
    assert_eq!(completions(&h, 5), 1);
    finish(&mut h);
}

#[test]
fn the_ninth_push_without_results_is_reported_and_completed_in_the_same_step() {
    let mut h = harness();
    for n in 1..=8u8 {
        let effects = h.push(u64::from(n), &payload(call_id(n)));
        assert_report_first(&effects, u64::from(n), call_id(n));
        assert_eq!(
            count(&effects, |e| matches!(e, Effect::CompletePush { .. })),
            0
        );
        h.advance(10);
    }
    assert_eq!(h.engine.pending_pushes(), 8);
    let ninth = call_id(9);
    let effects = h.push(9, &payload(ninth));
    assert_report_first(&effects, 9, ninth);
    // Documented overflow: completed right after its report, in the same step.
    assert_eq!(effects[1], Effect::CompletePush { push: PushId(9) });
    assert!(effects.contains(&Effect::RejectIncoming {
        call: ninth,
        reason: RejectReason::Busy,
    }));
    assert_eq!(
        count(&effects, |e| matches!(
            e,
            Effect::StartTimer {
                timer: Timer::PushCompletion(_),
                ..
            }
        )),
        0
    );
    for n in 1..=8 {
        let done = report(&mut h, n, Ok(()));
        assert!(done.contains(&Effect::CompletePush { push: PushId(n) }));
    }
    // The overflowed push's own report completion finds nothing left to do.
    let before = h.engine.clone();
    match h.try_step(Event::IncomingCallReported {
        report: IncomingReport::Push(PushId(9)),
        result: Ok(()),
    }) {
        Ok(effects) => assert_eq!(effects, vec![]),
        Err(e) => assert_eq!(e, Error::UnknownPush(PushId(9))),
    }
    assert!(h.engine == before);
    for n in 1..=9 {
        assert_eq!(completions(&h, n), 1, "push {n}");
    }
    finish(&mut h);
}

#[test]
fn a_push_whose_time_went_backwards_is_still_handled_at_the_last_time() {
    let mut h = harness();
    h.advance(10_000);
    h.step(Event::ProviderDidBegin);
    let call = call_id(1);
    let result = h.step_at(
        4_000,
        Event::VoipPushReceived {
            push: PushId(1),
            payload: &payload(call),
            fallback_call: fallback_id(1),
            must_report: None,
            received_at_unix_ms: None,
        },
    );
    let effects = result.expect("a push is never refused");
    h.assert_rules();
    assert_report_first(&effects, 1, call);
    // Handled at the engine's last time (10 000 ms), so deadlines do not lie in the past.
    assert!(effects.contains(&Effect::StartTimer {
        timer: Timer::PushCompletion(PushId(1)),
        deadline: ms(10_000 + PUSH_DEADLINE_MS),
    }));
    assert!(effects.contains(&Effect::StartTimer {
        timer: Timer::Ring(call),
        deadline: ms(10_000 + RING_MS),
    }));
    assert_eq!(h.engine.now(), ms(10_000));
    let done = report(&mut h, 1, Ok(()));
    assert!(done.contains(&Effect::CompletePush { push: PushId(1) }));
    assert_eq!(completions(&h, 1), 1);
    finish(&mut h);
}

#[test]
fn a_pushed_calls_report_carries_the_configured_call_capabilities() {
    let capabilities = CallCapabilities {
        supports_holding: false,
        supports_grouping: true,
        supports_ungrouping: true,
        supports_dtmf: false,
    };
    let mut h: Harness = Harness::new(Config {
        capabilities,
        ..Config::default()
    });
    let call = call_id(1);
    let effects = h.push(1, &payload(call));
    assert_report_first(&effects, 1, call);
    let update = effects.call_update.expect("the report's CXCallUpdate");
    assert_eq!(
        (
            update.supports_holding,
            update.supports_grouping,
            update.supports_ungrouping,
            update.supports_dtmf
        ),
        (false, true, true, false)
    );
}

// ---------------------------------------------------------------------------- 2. payloads

#[test]
fn escaped_unicode_in_the_caller_name_is_decoded() {
    let mut h = harness();
    let call = CallId(Uuid::parse_str("9c1f5b2e-3d4a-4e6f-8a7b-0c9d1e2f3a4b").unwrap());
    let effects = h.push(1, include_bytes!("payloads/escaped-unicode-name.json"));
    assert_report_first(&effects, 1, call);
    assert!(matches!(effects[0], Effect::ReportNewIncomingCall { .. }));
    let update = effects.call_update.as_ref().expect("a call update");
    assert_eq!(
        update.localized_caller_name.as_ref().map(|n| n.as_str()),
        Some("山田 📞 \"Taro\"")
    );
    assert_eq!(
        update.remote_handle,
        Handle::new(HandleType::PhoneNumber, "+819012345678")
    );
    assert_eq!(
        h.engine
            .call(call)
            .and_then(|c| c.caller_name())
            .map(|n| n.as_str()),
        Some("山田 📞 \"Taro\"")
    );
    report(&mut h, 1, Ok(()));
    finish(&mut h);
}

#[test]
fn an_over_long_caller_name_is_cut_to_64_bytes_at_a_char_boundary_and_the_call_still_rings() {
    let mut h = harness();
    let call = CallId(Uuid::parse_str("7a4b1f63-3e9d-4c41-8b7a-5d2c8a4b1f63").unwrap());
    let effects = h.push(1, include_bytes!("payloads/long-caller-name.json"));
    assert_report_first(&effects, 1, call);
    assert!(matches!(effects[0], Effect::ReportNewIncomingCall { .. }));
    let update = effects.call_update.as_ref().expect("a call update");
    let name = update
        .localized_caller_name
        .as_ref()
        .expect("a name")
        .as_str();
    assert_eq!(name.len(), MAX_CALLER_NAME_LEN);
    assert_eq!(name, "A".repeat(64));
    assert!(effects.contains(&Effect::ConnectIncoming { call }));
    assert_eq!(
        h.engine.call(call).map(|c| c.phase()),
        Some(CallPhase::Ringing)
    );

    // Three-byte characters: 64 bytes falls inside the 22nd, so 21 are kept (63 bytes).
    let call2 = call_id(2);
    let long = "山".repeat(30);
    let inline = format!(r#"{{"uuid":"{call2}","handle":"+15550100","callerName":"{long}"}}"#);
    let effects = h.push(2, inline.as_bytes());
    assert_report_first(&effects, 2, call2);
    assert!(matches!(effects[0], Effect::ReportNewIncomingCall { .. }));
    let update = effects.call_update.as_ref().expect("a call update");
    let name = update
        .localized_caller_name
        .as_ref()
        .expect("a name")
        .as_str();
    assert_eq!(name, "山".repeat(21));
    assert_eq!(name.len(), 63);
    report(&mut h, 1, Ok(()));
    report(&mut h, 2, Ok(()));
    finish(&mut h);
}

#[test]
fn an_oversize_payload_is_refused_before_parsing_reported_under_the_fallback_id_and_ended_failed_once_accepted(
) {
    let bytes: &[u8] = include_bytes!("payloads/oversize-5kib.json");
    assert_eq!(
        PayloadSchema::default().parse(bytes),
        Err(PayloadError::TooLarge { len: bytes.len() })
    );
    let mut h = harness();
    let effects = h.push(1, bytes);
    // The payload's own (valid) uuid 5d2c8a4b-… is never read.
    assert_report_first(&effects, 1, fallback_id(1));
    assert!(matches!(effects[0], Effect::ReportNewIncomingCall { .. }));
    let update = effects.call_update.as_ref().expect("a call update");
    assert_eq!(update.remote_handle, None);
    assert_eq!(update.localized_caller_name, None);
    assert_eq!(
        effects.push_end_reason,
        Some(PushEndReason::Unreadable {
            error: PayloadError::TooLarge { len: bytes.len() },
            field: None,
        })
    );
    assert_eq!(
        count(&effects, |e| matches!(
            e,
            Effect::ConnectIncoming { .. } | Effect::ReportCallEnded { .. }
        )),
        0
    );
    assert_eq!(h.engine.calls().count(), 0);
    let done = report(&mut h, 1, Ok(()));
    assert!(done.contains(&Effect::ReportCallEnded {
        call: fallback_id(1),
        at: at(&h),
        reason: CallEndedReason::Failed,
    }));
    assert_eq!(completions(&h, 1), 1);
    finish(&mut h);
}

#[test]
fn malformed_payloads_are_reported_under_the_fallback_id_with_why_and_ended_failed_once_accepted() {
    let cases: [(&str, &[u8]); 8] = [
        (
            "missing-uuid-invalid",
            include_bytes!("payloads/missing-uuid-invalid.json"),
        ),
        ("wrong-types", include_bytes!("payloads/wrong-types.json")),
        (
            "duplicate-keys",
            include_bytes!("payloads/duplicate-keys.json"),
        ),
        ("truncated", include_bytes!("payloads/truncated.json")),
        ("not-json", include_bytes!("payloads/not-json.bin")),
        ("empty", include_bytes!("payloads/empty.json")),
        ("deep-nesting", include_bytes!("payloads/deep-nesting.json")),
        ("bom-prefixed", include_bytes!("payloads/bom-prefixed.json")),
    ];
    for (name, bytes) in cases {
        let mut h = harness();
        h.advance(100);
        let effects = h.push(1, bytes);
        assert_report_first(&effects, 1, fallback_id(1));
        assert_eq!(
            effects[1..].to_vec(),
            vec![Effect::StartTimer {
                timer: Timer::PushCompletion(PushId(1)),
                deadline: ms(100 + PUSH_DEADLINE_MS),
            }],
            "{name}"
        );
        let Some(PushEndReason::Unreadable { error, .. }) = effects.push_end_reason else {
            panic!("{name}: no reason given: {:?}", effects.push_end_reason);
        };
        assert_eq!(
            Err(error),
            PayloadSchema::default().parse(bytes).map(|_| ()),
            "{name}"
        );
        assert_eq!(h.engine.calls().count(), 0, "{name}");
        h.advance(40);
        let done = report(&mut h, 1, Ok(()));
        assert_eq!(
            done,
            vec![
                Effect::CompletePush { push: PushId(1) },
                Effect::CancelTimer {
                    timer: Timer::PushCompletion(PushId(1))
                },
                Effect::ReportCallEnded {
                    call: fallback_id(1),
                    at: ms(140),
                    reason: CallEndedReason::Failed,
                },
            ],
            "{name}"
        );
        assert!(h.engine.is_idle(), "{name}");
        finish(&mut h);
    }
}

#[test]
fn twilio_call_and_cancel_map_to_the_same_derived_uuid_and_the_cancel_ends_the_ringing_call() {
    let mut h: Harness = Harness::new(Config::with_schema(PayloadSchema::twilio()));
    let call = CallId(Uuid::new_v5(
        &OPAQUE_ID_NAMESPACE,
        b"CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a",
    ));
    let effects = h.push(1, include_bytes!("payloads/twilio-call.json"));
    assert_report_first(&effects, 1, call);
    assert!(matches!(effects[0], Effect::ReportNewIncomingCall { .. }));
    let update = effects.call_update.as_ref().expect("a call update");
    assert_eq!(
        update.remote_handle,
        Handle::new(HandleType::Generic, "client:alice")
    );
    report(&mut h, 1, Ok(()));
    assert_eq!(
        h.engine.call(call).map(|c| c.phase()),
        Some(CallPhase::Ringing)
    );

    h.advance(4_000);
    let effects = h.push(2, include_bytes!("payloads/twilio-cancel.json"));
    assert_report_first(&effects, 2, call);
    assert_eq!(
        effects[1..].to_vec(),
        vec![
            Effect::StartTimer {
                timer: Timer::PushCompletion(PushId(2)),
                deadline: ms(4_000 + PUSH_DEADLINE_MS),
            },
            Effect::CancelTimer {
                timer: Timer::Ring(call),
            },
            Effect::HangUp { call },
            Effect::ReportCallEnded {
                call,
                at: ms(4_000),
                reason: CallEndedReason::RemoteEnded,
            },
        ]
    );
    assert!(h.engine.call(call).is_none());
    let done = report(&mut h, 2, Err(IncomingCallError::CallUuidAlreadyExists));
    assert!(done.contains(&Effect::CompletePush { push: PushId(2) }));
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn a_twilio_cancel_while_the_call_report_is_pending_ends_the_call_once_callkit_confirms_it() {
    let mut h: Harness = Harness::new(Config::with_schema(PayloadSchema::twilio()));
    let call = CallId(Uuid::new_v5(
        &OPAQUE_ID_NAMESPACE,
        b"CA3c5b7e1a9d2f4c6e8b0a1d3f5e7c9b2a",
    ));
    h.push(1, include_bytes!("payloads/twilio-call.json"));
    h.advance(100);
    let effects = h.push(2, include_bytes!("payloads/twilio-cancel.json"));
    assert_report_first(&effects, 2, call);
    assert_eq!(
        count(&effects, |e| matches!(e, Effect::ReportCallEnded { .. })),
        0
    );
    assert!(h.engine.call(call).expect("kept").end_pending());
    // The cancel's own report answering callUUIDAlreadyExists proves CallKit holds the
    // call: the kept end applies now, without waiting for the first report.
    h.advance(100);
    let effects = report(&mut h, 2, Err(IncomingCallError::CallUuidAlreadyExists));
    assert!(effects.contains(&Effect::HangUp { call }), "{effects:#?}");
    assert!(effects.contains(&Effect::ReportCallEnded {
        call,
        at: at(&h),
        reason: CallEndedReason::RemoteEnded,
    }));
    assert!(h.engine.call(call).is_none());
    h.advance(100);
    let effects = report(&mut h, 1, Ok(()));
    assert_eq!(
        effects,
        vec![
            Effect::CompletePush { push: PushId(1) },
            Effect::CancelTimer {
                timer: Timer::PushCompletion(PushId(1)),
            },
        ]
    );
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn nested_data_payloads_are_read_through_the_data_root() {
    let mut h: Harness = Harness::new(Config::with_schema(PayloadSchema::nested_data()));
    let call = CallId(Uuid::parse_str("3e9d2c41-6b7a-4f08-9e15-7d2c8a4b1f63").unwrap());
    let effects = h.push(1, include_bytes!("payloads/nested-data.json"));
    assert_report_first(&effects, 1, call);
    assert!(matches!(effects[0], Effect::ReportNewIncomingCall { .. }));
    let update = effects.call_update.as_ref().expect("a call update");
    assert_eq!(
        update.localized_caller_name.as_ref().map(|n| n.as_str()),
        Some("Chloé Élise")
    );
    assert_eq!(
        update.remote_handle,
        Handle::new(HandleType::PhoneNumber, "+33142685300")
    );
    assert_eq!(
        h.engine.call(call).map(|c| c.phase()),
        Some(CallPhase::Ringing)
    );
    report(&mut h, 1, Ok(()));

    // The same file under the flat default schema has no uuid: the fallback id rings.
    let mut flat = harness();
    let effects = flat.push(1, include_bytes!("payloads/nested-data.json"));
    assert_report_first(&effects, 1, fallback_id(1));
    finish(&mut h);
}

// ------------------------------------------------- 3. duplicate, late and unusable pushes

#[test]
fn a_second_push_for_a_known_call_is_reported_under_its_uuid_and_already_exists_counts_as_success()
{
    let mut h = harness();
    let call = call_id(1);
    ring(&mut h, 1, call);
    h.advance(2_000);
    let effects = h.push(2, &payload(call));
    assert_report_first(&effects, 2, call);
    assert_eq!(
        effects[1..].to_vec(),
        vec![Effect::StartTimer {
            timer: Timer::PushCompletion(PushId(2)),
            deadline: ms(2_000 + PUSH_DEADLINE_MS),
        }],
        "no second ConnectIncoming or ring timer"
    );
    assert_eq!(h.engine.calls().count(), 1);
    let effects = report(&mut h, 2, Err(IncomingCallError::CallUuidAlreadyExists));
    assert_eq!(
        effects,
        vec![
            Effect::CompletePush { push: PushId(2) },
            Effect::CancelTimer {
                timer: Timer::PushCompletion(PushId(2)),
            },
        ]
    );
    assert_eq!(h.engine.calls().count(), 1);
    let c = h.engine.call(call).expect("the call is untouched");
    assert_eq!(c.phase(), CallPhase::Ringing);
    assert_eq!(c.ring_deadline(), Some(ms(RING_MS)));
    finish(&mut h);
}

#[test]
fn a_call_whose_own_report_answers_call_uuid_already_exists_is_treated_as_reported() {
    let mut h = harness();
    let call = call_id(1);
    h.push(1, &payload(call));
    let effects = report(&mut h, 1, Err(IncomingCallError::CallUuidAlreadyExists));
    assert_eq!(
        effects,
        vec![
            Effect::CompletePush { push: PushId(1) },
            Effect::CancelTimer {
                timer: Timer::PushCompletion(PushId(1)),
            },
        ]
    );
    let c = h.engine.call(call).expect("still ringing");
    assert_eq!(c.phase(), CallPhase::Ringing);
    assert!(!c.report_pending());
    // An end kept while that report was pending is applied as after an Ok.
    let other = call_id(2);
    h.push(2, &payload(other));
    h.step(Event::DeclinedElsewhere { call: other });
    let effects = report(&mut h, 2, Err(IncomingCallError::CallUuidAlreadyExists));
    assert!(effects.contains(&Effect::ReportCallEnded {
        call: other,
        at: at(&h),
        reason: CallEndedReason::DeclinedElsewhere,
    }));
    assert_eq!(
        count(&effects, |e| matches!(e, Effect::RejectIncoming { .. })),
        0
    );
    finish(&mut h);
}

#[test]
fn each_copy_of_a_push_for_an_ended_call_is_ended_once_its_own_report_is_accepted() {
    let mut h = harness();
    let call = call_id(1);
    ring(&mut h, 1, call);
    h.step(Event::RemoteEnded { call });
    for push in [2, 3] {
        let copy = h.push(push, &payload(call));
        assert_eq!(copy.push_end_reason, Some(PushEndReason::CallEnded));
    }
    for push in [2, 3] {
        let done = report(&mut h, push, Ok(()));
        assert_eq!(
            count(
                &done,
                |e| matches!(e, Effect::ReportCallEnded { call: c, .. } if *c == call)
            ),
            1,
            "push {push}"
        );
    }
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn a_report_and_end_push_whose_report_never_completes_is_ended_at_its_push_deadline() {
    let mut h = harness();
    let effects = h.push(1, UNREADABLE);
    assert!(effects.push_end_reason.is_some());
    assert!(owed_end(&h));
    let fired = h.advance_firing(PUSH_DEADLINE_MS);
    assert_eq!(
        fired,
        vec![
            Effect::CompletePush { push: PushId(1) },
            Effect::ReportCallEnded {
                call: fallback_id(1),
                at: ms(PUSH_DEADLINE_MS),
                reason: CallEndedReason::Failed,
            },
        ]
    );
    // CallKit's late answer then finds nothing left to do.
    assert_eq!(report(&mut h, 1, Ok(())), vec![]);
    finish(&mut h);
}

#[test]
fn a_report_and_end_push_owes_no_end_after_a_refused_report_a_reset_or_callkits_own_end() {
    // Refused (Do Not Disturb): CallKit never had the call.
    let mut h = harness();
    h.push(1, UNREADABLE);
    let refused = report(&mut h, 1, Err(IncomingCallError::FilteredByDoNotDisturb));
    assert_eq!(
        count(&refused, |e| matches!(e, Effect::ReportCallEnded { .. })),
        0
    );
    finish(&mut h);
    // providerDidReset: CallKit dropped every call.
    let mut h = harness();
    h.push(1, UNREADABLE);
    let reset = h.step(Event::ProviderDidReset);
    assert_eq!(
        count(&reset, |e| matches!(e, Effect::ReportCallEnded { .. })),
        0
    );
    assert_eq!(report(&mut h, 1, Ok(())), vec![]);
    finish(&mut h);
    // The user declines the "Unknown" call before the report's answer: CallKit ended it.
    let mut h = harness();
    h.push(1, UNREADABLE);
    h.step(Event::PerformEndCall {
        action: action_id(1),
        call: fallback_id(1),
    });
    let done = report(&mut h, 1, Ok(()));
    assert_eq!(
        count(&done, |e| matches!(e, Effect::ReportCallEnded { .. })),
        0
    );
    finish(&mut h);
}

#[test]
fn a_call_the_remote_side_ended_before_its_push_is_reported_and_ended_at_once_with_that_reason() {
    for (event, reason) in [
        (
            (|call| Event::RemoteEnded { call }) as fn(CallId) -> Event<'static>,
            CallEndedReason::RemoteEnded,
        ),
        (
            |call| Event::AnsweredElsewhere { call },
            CallEndedReason::AnsweredElsewhere,
        ),
        (
            |call| Event::DeclinedElsewhere { call },
            CallEndedReason::DeclinedElsewhere,
        ),
    ] {
        let mut h = harness();
        let call = call_id(1);
        // The app's connection says the call is over before its push arrives: accepted,
        // nothing to do yet.
        benign(&mut h, event(call));
        h.advance(700);
        let pushed = h.push(1, &payload(call));
        assert!(
            matches!(pushed.effects.first(), Some(Effect::ReportNewIncomingCall { call: c, .. }) if *c == call),
            "{pushed:#?}"
        );
        assert_eq!(pushed.push_end_reason, Some(PushEndReason::CallEnded));
        // It never connects, rings or arms a ring time-out.
        assert!(
            !pushed.effects.iter().any(|e| matches!(
                e,
                Effect::ConnectIncoming { .. }
                    | Effect::StartTimer {
                        timer: Timer::Ring(_),
                        ..
                    }
            )),
            "{pushed:#?}"
        );
        assert_eq!(h.engine.calls().count(), 0);
        // Once CallKit accepts the report, the call ends with the remembered reason; a
        // second copy of the push ends the same way.
        for push in [1, 2] {
            if push == 2 {
                h.advance(100);
                h.push(push, &payload(call));
            }
            h.advance(100);
            let reported = h.step(Event::IncomingCallReported {
                report: IncomingReport::Push(PushId(push)),
                result: Ok(()),
            });
            assert!(
                reported.contains(&Effect::ReportCallEnded {
                    call,
                    at: at(&h),
                    reason
                }),
                "push {push}: {reported:#?}"
            );
        }
        finish(&mut h);
    }
}

#[test]
fn a_remote_end_before_the_push_is_remembered_only_as_long_as_recently_ended_calls() {
    let mut h = harness();
    benign(&mut h, Event::RemoteEnded { call: call_id(1) });
    // RECENTLY_ENDED_CALLS later ends push it out: its push then rings like any other.
    for n in 0..RECENTLY_ENDED_CALLS {
        benign(
            &mut h,
            Event::RemoteEnded {
                call: call_id(100 + n as u8),
            },
        );
    }
    let pushed = h.push(1, &payload(call_id(1)));
    assert!(
        pushed.contains(&Effect::ConnectIncoming { call: call_id(1) }),
        "{pushed:#?}"
    );
    assert_eq!(pushed.push_end_reason, None);
    // A connection failure of a call never seen is still a host bug.
    assert_eq!(
        refused(&mut h, Event::ConnectionFailed { call: call_id(2) }),
        Error::UnknownCall(call_id(2))
    );
}

// ---------------------------------------------------------------------- 4. failed reports

#[test]
fn a_failed_report_drops_the_call_without_ending_it_tells_the_server_why_and_completes_the_push() {
    let cases = [
        (
            IncomingCallError::FilteredByDoNotDisturb,
            RejectReason::DoNotDisturb,
        ),
        (
            IncomingCallError::FilteredByBlockList,
            RejectReason::Blocked,
        ),
        (IncomingCallError::Unentitled, RejectReason::Failed),
    ];
    for (error, reason) in cases {
        let mut h = harness();
        let call = call_id(1);
        h.push(1, &payload(call));
        h.advance(200);
        let effects = report(&mut h, 1, Err(error));
        assert_eq!(
            effects,
            vec![
                Effect::CompletePush { push: PushId(1) },
                Effect::CancelTimer {
                    timer: Timer::PushCompletion(PushId(1)),
                },
                Effect::CancelTimer {
                    timer: Timer::Ring(call),
                },
                Effect::RejectIncoming { call, reason },
            ],
            "{error:?}"
        );
        assert!(h.engine.call(call).is_none(), "{error:?}");
        assert!(h.engine.is_idle(), "{error:?}");
        assert_eq!(h.engine.timers().count(), 0, "{error:?}");
        finish(&mut h);
    }
}

// ----------------------------------------------- 5. answer before the connection is ready

#[test]
fn an_answer_before_the_connection_is_ready_is_held_and_fulfilled_when_it_connects() {
    let mut h = harness();
    let call = call_id(1);
    let answer = action_id(1);
    ring(&mut h, 1, call);
    h.advance(1_000);
    let effects = h.step(Event::PerformAnswerCall {
        action: answer,
        call,
    });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::Ring(call),
            },
            Effect::ConfigureAudioSession,
            Effect::StartTimer {
                timer: Timer::AnswerConnect(call),
                deadline: ms(1_000 + ANSWER_CONNECT_MS),
            },
        ]
    );
    let c = h.engine.call(call).unwrap();
    assert_eq!(c.phase(), CallPhase::Answering);
    assert_eq!(c.deferred_action(), Some(answer));
    // The audio session comes up while the answer is deferred: still no media.
    assert_eq!(h.step(Event::DidActivateAudioSession), vec![]);
    h.advance(3_000);
    let effects = h.step(Event::IncomingCallConnected { call });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::AnswerConnect(call),
            },
            Effect::AnswerIncoming { call },
            Effect::FulfillAction { action: answer },
            Effect::StartMedia { call },
        ]
    );
    assert_eq!(h.engine.call(call).unwrap().phase(), CallPhase::Answered);
    // The answer timer is gone: nothing fires later.
    assert_eq!(h.advance_firing(ANSWER_CONNECT_MS * 2), vec![]);
    assert_eq!(action_outcomes_since(&h, 0, answer), 1);
    finish(&mut h);
}

#[test]
fn a_held_answer_is_failed_after_the_10000_ms_connect_timeout() {
    let mut h = harness();
    let call = call_id(1);
    let answer = action_id(1);
    ring(&mut h, 1, call);
    h.step(Event::PerformAnswerCall {
        action: answer,
        call,
    });
    assert_eq!(h.advance_firing(ANSWER_CONNECT_MS - 1), vec![]);
    let effects = h.advance_firing(1);
    assert_eq!(
        effects,
        vec![
            Effect::FailAction { action: answer },
            Effect::RejectIncoming {
                call,
                reason: RejectReason::Failed,
            },
            Effect::ReportCallEnded {
                call,
                at: ms(ANSWER_CONNECT_MS),
                reason: CallEndedReason::Failed,
            },
        ]
    );
    assert!(h.engine.call(call).is_none());
    assert!(h.engine.is_idle());
    // A connection that shows up afterwards is for a call that just ended: a race.
    benign(&mut h, Event::IncomingCallConnected { call });
    assert_eq!(action_outcomes_since(&h, 0, answer), 1);
    finish(&mut h);
}

// ------------------------------------------------------------- 6. audio session and media

#[test]
fn media_starts_only_after_the_audio_session_activates_and_stops_when_it_deactivates() {
    let mut h = harness();
    let call = call_id(1);
    let answer = action_id(1);
    ring(&mut h, 1, call);
    h.step(Event::IncomingCallConnected { call });
    let effects = h.step(Event::PerformAnswerCall {
        action: answer,
        call,
    });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::Ring(call),
            },
            Effect::ConfigureAudioSession,
            Effect::AnswerIncoming { call },
            Effect::FulfillAction { action: answer },
            Effect::StartTimer {
                timer: Timer::AudioActivation(call),
                deadline: at(&h).saturating_add_ms(DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS),
            },
        ],
        "no StartMedia while the audio session is inactive; the wait for it is armed"
    );
    assert!(!h.engine.call(call).unwrap().media_running());
    assert_eq!(
        h.step(Event::DidActivateAudioSession),
        vec![
            Effect::CancelTimer {
                timer: Timer::AudioActivation(call),
            },
            Effect::StartMedia { call },
        ]
    );
    assert!(h.engine.call(call).unwrap().media_running());
    assert_eq!(
        h.step(Event::DidDeactivateAudioSession),
        vec![Effect::StopMedia { call }]
    );
    assert!(!h.engine.call(call).unwrap().media_running());
    finish(&mut h);
}

#[test]
fn a_ringing_call_never_gets_media() {
    let mut h = harness();
    let answered_call = call_id(1);
    let ringing_call = call_id(2);
    answered(&mut h, 1, answered_call, action_id(1));
    ring(&mut h, 2, ringing_call);
    assert_eq!(
        h.step(Event::DidActivateAudioSession),
        vec![
            Effect::CancelTimer {
                timer: Timer::AudioActivation(answered_call),
            },
            Effect::StartMedia {
                call: answered_call
            },
        ]
    );
    assert!(!h.engine.call(ringing_call).unwrap().media_running());
    // A push arriving while audio is active rings without media too.
    let third = call_id(3);
    let effects = h.push(3, &payload(third));
    assert_eq!(
        count(&effects, |e| matches!(e, Effect::StartMedia { .. })),
        0
    );
    report(&mut h, 3, Ok(()));
    assert_eq!(
        h.step(Event::DidDeactivateAudioSession),
        vec![Effect::StopMedia {
            call: answered_call
        }]
    );
    finish(&mut h);
}

#[test]
fn a_held_call_stops_its_media_and_unholding_restarts_it_only_while_the_session_is_active() {
    let mut h = harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    h.step(Event::DidActivateAudioSession);
    assert!(h.engine.call(call).unwrap().media_running());
    let held = h.step(Event::PerformSetHeld {
        action: action_id(2),
        call,
        on_hold: true,
    });
    assert_eq!(
        held,
        vec![
            Effect::SetHeld {
                call,
                on_hold: true
            },
            Effect::StopMedia { call },
            Effect::FulfillAction {
                action: action_id(2)
            },
        ]
    );
    let c = h.engine.call(call).unwrap();
    assert!(c.is_on_hold() && !c.media_running());
    // An interruption and its end leave a held call silent.
    assert_eq!(h.step(Event::DidDeactivateAudioSession), vec![]);
    assert_eq!(h.step(Event::DidActivateAudioSession), vec![]);
    // Unheld with the session inactive: nothing starts until didActivate, which the
    // call now waits for.
    h.step(Event::DidDeactivateAudioSession);
    let resumed = h.step(Event::PerformSetHeld {
        action: action_id(3),
        call,
        on_hold: false,
    });
    let wait = Timer::AudioActivation(call);
    let deadline = h
        .engine
        .now()
        .saturating_add_ms(h.engine.config().audio_activation_timeout_ms);
    assert_eq!(
        resumed,
        vec![
            Effect::SetHeld {
                call,
                on_hold: false
            },
            Effect::StartTimer {
                timer: wait,
                deadline
            },
            Effect::FulfillAction {
                action: action_id(3)
            },
        ]
    );
    assert_eq!(
        h.step(Event::DidActivateAudioSession),
        vec![
            Effect::CancelTimer { timer: wait },
            Effect::StartMedia { call }
        ]
    );
    // Unheld with the session active: media starts at once.
    h.step(Event::PerformSetHeld {
        action: action_id(4),
        call,
        on_hold: true,
    });
    let resumed = h.step(Event::PerformSetHeld {
        action: action_id(5),
        call,
        on_hold: false,
    });
    assert!(
        resumed.contains(&Effect::StartMedia { call }),
        "{resumed:#?}"
    );
    finish(&mut h);
}

#[test]
fn the_apps_own_hold_request_changes_media_only_when_callkit_performs_it() {
    let mut h = harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    h.step(Event::DidActivateAudioSession);
    let request = h.step(Event::RequestSetHeld {
        call,
        on_hold: true,
    });
    assert!(matches!(
        request.as_slice(),
        [Effect::RequestTransaction {
            action: CallAction::SetHeld { on_hold: true, .. },
            ..
        }]
    ));
    assert!(h.engine.call(call).unwrap().media_running());
    let transaction = request.transaction().expect("a transaction");
    h.step(Event::TransactionCompleted {
        transaction,
        result: Ok(()),
    });
    assert!(h.engine.call(call).unwrap().media_running());
    let performed = h.step(Event::PerformSetHeld {
        action: action_id(2),
        call,
        on_hold: true,
    });
    assert!(performed.contains(&Effect::StopMedia { call }));
    finish(&mut h);
}

#[test]
fn ending_the_waiting_call_leaves_the_held_call_held_and_silent_until_it_is_unheld() {
    let mut h = harness();
    let (a, b) = (call_id(1), call_id(2));
    answered(&mut h, 1, a, action_id(1));
    h.step(Event::DidActivateAudioSession);
    ring(&mut h, 2, b);
    h.step(Event::IncomingCallConnected { call: b });
    h.step(Event::PerformSetHeld {
        action: action_id(2),
        call: a,
        on_hold: true,
    });
    let answer = h.step(Event::PerformAnswerCall {
        action: action_id(3),
        call: b,
    });
    assert!(answer.contains(&Effect::StartMedia { call: b }));
    assert!(!answer.contains(&Effect::StartMedia { call: a }));
    let running: Vec<CallId> = h
        .engine
        .calls()
        .filter(|c| c.media_running())
        .map(|c| c.id())
        .collect();
    assert_eq!(running, vec![b], "one call's media at a time");
    let end = h.step(Event::PerformEndCall {
        action: action_id(4),
        call: b,
    });
    assert!(!end.iter().any(|e| e.call() == Some(a)), "{end:#?}");
    let c = h.engine.call(a).unwrap();
    assert!(c.is_on_hold() && !c.media_running());
    let resumed = h.step(Event::PerformSetHeld {
        action: action_id(5),
        call: a,
        on_hold: false,
    });
    assert!(resumed.contains(&Effect::StartMedia { call: a }));
    finish(&mut h);
}

#[test]
fn an_answer_fulfilled_with_the_session_inactive_waits_for_did_activate_and_times_out_once() {
    let mut h = Harness::new(Config {
        audio_activation_timeout_ms: 1_500,
        ..Config::default()
    });
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    let deadline = at(&h).saturating_add_ms(1_500);
    assert_eq!(
        h.engine.call(call).unwrap().audio_activation_deadline(),
        Some(deadline)
    );
    assert_eq!(
        refused_at(
            &mut h,
            deadline.as_millis() - 1,
            Event::TimerFired {
                timer: Timer::AudioActivation(call)
            }
        ),
        Error::TimerNotDue {
            timer: Timer::AudioActivation(call),
            deadline
        }
    );
    let fired = h.advance_firing(1_500);
    assert_eq!(fired, vec![Effect::AudioActivationTimedOut { call }]);
    // The call is left as it is: answered, no media, nothing armed.
    let c = h.engine.call(call).unwrap();
    assert_eq!(c.phase(), CallPhase::Answered);
    assert!(!c.media_running() && c.audio_activation_deadline().is_none());
    assert_eq!(h.engine.timers().count(), 0);
    assert_eq!(
        h.step(Event::DidActivateAudioSession),
        vec![Effect::StartMedia { call }]
    );
    finish(&mut h);
}

#[test]
fn no_audio_activation_wait_is_armed_when_the_session_is_already_active() {
    let mut h = harness();
    let (a, b) = (call_id(1), call_id(2));
    answered(&mut h, 1, a, action_id(1));
    h.step(Event::DidActivateAudioSession);
    ring(&mut h, 2, b);
    h.step(Event::IncomingCallConnected { call: b });
    let answer = h.step(Event::PerformAnswerCall {
        action: action_id(2),
        call: b,
    });
    assert!(
        !answer.iter().any(|e| matches!(
            e,
            Effect::StartTimer {
                timer: Timer::AudioActivation(_),
                ..
            }
        )),
        "{answer:#?}"
    );
    assert!(answer.contains(&Effect::StartMedia { call: b }));
    finish(&mut h);
}

#[test]
fn a_started_outgoing_call_waits_for_did_activate_from_its_fulfilled_start_action() {
    let mut h = harness();
    let call = call_id(1);
    starting_outgoing(&mut h, call, action_id(1));
    assert!(h
        .engine
        .call(call)
        .unwrap()
        .audio_activation_deadline()
        .is_none());
    h.advance(500);
    let connecting = h.step(Event::OutgoingCallConnecting { call });
    assert!(
        connecting.ends_with(&[
            Effect::StartTimer {
                timer: Timer::AudioActivation(call),
                deadline: at(&h).saturating_add_ms(DEFAULT_AUDIO_ACTIVATION_TIMEOUT_MS),
            },
            Effect::StartTimer {
                timer: Timer::NoAnswer(call),
                deadline: at(&h).saturating_add_ms(DEFAULT_NO_ANSWER_TIMEOUT_MS),
            }
        ]),
        "{connecting:#?}"
    );
    // Connected keeps the wait; ending the call cancels it.
    h.step(Event::OutgoingCallConnected { call });
    assert!(h
        .engine
        .call(call)
        .unwrap()
        .audio_activation_deadline()
        .is_some());
    let end = h.step(Event::ConnectionFailed { call });
    assert_eq!(
        end.first(),
        Some(&Effect::CancelTimer {
            timer: Timer::AudioActivation(call)
        })
    );
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn a_reset_cancels_the_audio_activation_wait() {
    let mut h = harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    let reset = h.step(Event::ProviderDidReset);
    assert!(reset.contains(&Effect::CancelTimer {
        timer: Timer::AudioActivation(call)
    }));
    assert_eq!(h.engine.timers().count(), 0);
    finish(&mut h);
}

// ---------------------------------------------------------------------- 7. outgoing calls

#[test]
fn an_outgoing_call_goes_requested_starting_connecting_connected_and_its_action_is_fulfilled_at_connecting(
) {
    let mut h = harness();
    let call = call_id(1);
    let start = action_id(1);
    let transaction = request_outgoing(&mut h, call);
    assert_eq!(h.engine.call(call).unwrap().phase(), CallPhase::Requested);
    h.advance(100);
    assert_eq!(
        h.step(Event::TransactionCompleted {
            transaction,
            result: Ok(()),
        }),
        vec![]
    );
    h.advance(10);
    let effects = h.step(Event::PerformStartCall {
        action: start,
        call,
        handle: OUT_HANDLE,
        handle_type: HandleType::PhoneNumber,
        video: false,
    });
    assert_eq!(
        effects,
        vec![
            Effect::ConfigureAudioSession,
            Effect::StartOutgoing { call, video: false },
            Effect::StartTimer {
                timer: Timer::StartConnect(call),
                deadline: ms(110 + DEFAULT_START_CONNECT_TIMEOUT_MS),
            },
        ],
        "the start action is deferred, for at most the start-connect bound"
    );
    assert_eq!(effects.handle, Some(out_handle()), "whom to call");
    assert_eq!(h.engine.call(call).unwrap().phase(), CallPhase::Starting);
    assert_eq!(h.engine.call(call).unwrap().deferred_action(), Some(start));
    assert_eq!(
        h.step(Event::DidActivateAudioSession),
        vec![Effect::StartMedia { call }]
    );
    h.advance(500);
    let effects = h.step(Event::OutgoingCallConnecting { call });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::StartConnect(call)
            },
            Effect::ReportOutgoingCallStartedConnecting { call, at: ms(610) },
            Effect::FulfillAction { action: start },
            Effect::StartTimer {
                timer: Timer::NoAnswer(call),
                deadline: ms(610 + DEFAULT_NO_ANSWER_TIMEOUT_MS),
            },
        ]
    );
    assert_eq!(h.engine.call(call).unwrap().phase(), CallPhase::Connecting);
    // A long-ringing callee cannot make the (already fulfilled) action time out.
    h.advance(45_000);
    let effects = h.step(Event::OutgoingCallConnected { call });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::NoAnswer(call)
            },
            Effect::ReportOutgoingCallConnected {
                call,
                at: ms(45_610),
            }
        ]
    );
    assert_eq!(h.engine.call(call).unwrap().phase(), CallPhase::Connected);
    assert_eq!(action_outcomes_since(&h, 0, start), 1);
    finish(&mut h);
}

#[test]
fn an_outgoing_call_whose_connection_fails_while_starting_fails_its_action_and_ends_failed() {
    let mut h = harness();
    let call = call_id(1);
    let start = action_id(1);
    starting_outgoing(&mut h, call, start);
    h.advance(2_000);
    let effects = h.step(Event::ConnectionFailed { call });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::StartConnect(call)
            },
            Effect::FailAction { action: start },
            Effect::ReportCallEnded {
                call,
                at: at(&h),
                reason: CallEndedReason::Failed,
            },
        ]
    );
    assert!(h.engine.call(call).is_none());
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn an_outgoing_call_whose_start_transaction_fails_is_dropped_silently() {
    let mut h = harness();
    let call = call_id(1);
    let transaction = request_outgoing(&mut h, call);
    let effects = h.step(Event::TransactionCompleted {
        transaction,
        result: Err(RequestTransactionError::Unentitled),
    });
    assert_eq!(effects, vec![]);
    assert_eq!(h.engine.calls().count(), 0);
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn a_far_end_ringing_before_connecting_reports_connecting_and_rings_back_once_audio_is_active() {
    let mut h = harness();
    let call = call_id(1);
    starting_outgoing(&mut h, call, action_id(1));
    let ringing = h.step(Event::OutgoingCallRinging { call });
    assert_eq!(
        &ringing[..3],
        &[
            Effect::CancelTimer {
                timer: Timer::StartConnect(call)
            },
            Effect::ReportOutgoingCallStartedConnecting { call, at: at(&h) },
            Effect::FulfillAction {
                action: action_id(1)
            },
        ]
    );
    assert!(!ringing.contains(&Effect::StartRingback { call }));
    let c = h.engine.call(call).unwrap();
    assert!(c.remote_ringing() && !c.ringback_playing());
    assert_eq!(c.phase(), CallPhase::Connecting);
    let active = h.step(Event::DidActivateAudioSession);
    assert_eq!(active.last(), Some(&Effect::StartRingback { call }));
    // A second 180 is no error and no effect.
    assert_eq!(h.step(Event::OutgoingCallRinging { call }), vec![]);
    // The call fails while it rings: ringback stops with it.
    let failed = h.step(Event::ConnectionFailed { call });
    assert!(
        failed.contains(&Effect::StopRingback { call }),
        "{failed:#?}"
    );
    assert!(h.engine.is_idle());
    // A 180 racing that end is no error and no effect.
    assert_eq!(h.step(Event::OutgoingCallRinging { call }), vec![]);
    finish(&mut h);
}

#[test]
fn ringback_stops_when_the_ringing_call_is_held_or_ended_and_resumes_when_unheld() {
    let mut h = harness();
    let call = call_id(1);
    starting_outgoing(&mut h, call, action_id(1));
    h.step(Event::DidActivateAudioSession);
    h.step(Event::OutgoingCallConnecting { call });
    assert_eq!(
        h.step(Event::OutgoingCallRinging { call }),
        vec![Effect::StartRingback { call }]
    );
    let held = h.step(Event::PerformSetHeld {
        action: action_id(2),
        call,
        on_hold: true,
    });
    assert!(
        held.contains(&Effect::StopRingback { call }) && held.contains(&Effect::StopMedia { call })
    );
    let resumed = h.step(Event::PerformSetHeld {
        action: action_id(3),
        call,
        on_hold: false,
    });
    assert!(resumed.contains(&Effect::StartRingback { call }));
    let end = h.step(Event::PerformEndCall {
        action: action_id(4),
        call,
    });
    assert!(end.contains(&Effect::StopRingback { call }), "{end:#?}");
    finish(&mut h);
}

#[test]
fn a_ringing_event_for_an_incoming_connected_or_unknown_call_is_refused() {
    let mut h = harness();
    let (incoming, outgoing, stranger) = (call_id(1), call_id(2), call_id(3));
    answered(&mut h, 1, incoming, action_id(1));
    assert_eq!(
        refused(&mut h, Event::OutgoingCallRinging { call: incoming }),
        Error::WrongPhase(incoming)
    );
    starting_outgoing(&mut h, outgoing, action_id(2));
    h.step(Event::OutgoingCallConnected { call: outgoing });
    assert_eq!(
        refused(&mut h, Event::OutgoingCallRinging { call: outgoing }),
        Error::WrongPhase(outgoing)
    );
    assert_eq!(
        refused(&mut h, Event::OutgoingCallRinging { call: stranger }),
        Error::UnknownCall(stranger)
    );
    let requested = call_id(4);
    request_outgoing(&mut h, requested);
    assert_eq!(
        refused(&mut h, Event::OutgoingCallRinging { call: requested }),
        Error::WrongPhase(requested)
    );
    finish(&mut h);
}

#[test]
fn an_outgoing_call_request_is_refused_for_an_unsupported_handle_type_or_unsupported_video() {
    use callkit_engine::HandleTypes;
    let config = Config {
        provider: ProviderConfiguration {
            supports_video: false,
            supported_handle_types: HandleTypes::only(HandleType::PhoneNumber),
            ..ProviderConfiguration::default()
        },
        ..Config::default()
    };
    let mut h: Harness = Harness::new(config);
    let call = call_id(1);
    let email = Event::RequestStartCall {
        call,
        handle: "a@example.com",
        handle_type: HandleType::EmailAddress,
        video: false,
    };
    assert_eq!(refused(&mut h, email), Error::NotSupported(call));
    let video = Event::RequestStartCall {
        call,
        handle: OUT_HANDLE,
        handle_type: HandleType::PhoneNumber,
        video: true,
    };
    assert_eq!(refused(&mut h, video), Error::NotSupported(call));
    request_outgoing(&mut h, call);
}

// --------------------------------------------------------------------- 8. ends, kept ends

#[test]
fn a_user_end_of_a_ringing_call_declines_it_and_fulfils_without_reporting_an_end() {
    let mut h = harness();
    let call = call_id(1);
    let end = action_id(1);
    ring(&mut h, 1, call);
    let effects = h.step(Event::PerformEndCall { action: end, call });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::Ring(call),
            },
            Effect::RejectIncoming {
                call,
                reason: RejectReason::Declined,
            },
            Effect::FulfillAction { action: end },
        ]
    );
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn a_user_end_of_an_answered_call_hangs_up_and_fulfils_without_reporting_an_end() {
    let mut h = harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    h.step(Event::DidActivateAudioSession);
    let end = action_id(2);
    let effects = h.step(Event::PerformEndCall { action: end, call });
    assert_eq!(
        effects,
        vec![
            Effect::StopMedia { call },
            Effect::HangUp { call },
            Effect::FulfillAction { action: end },
        ]
    );
    assert!(h.engine.is_idle());

    // Same for a connected outgoing call.
    let out = call_id(2);
    let start = action_id(3);
    starting_outgoing(&mut h, out, start);
    h.step(Event::OutgoingCallConnecting { call: out });
    h.step(Event::OutgoingCallConnected { call: out });
    let end = action_id(4);
    let effects = h.step(Event::PerformEndCall {
        action: end,
        call: out,
    });
    assert_eq!(
        effects,
        vec![
            Effect::StopMedia { call: out },
            Effect::HangUp { call: out },
            Effect::FulfillAction { action: end },
        ]
    );
    finish(&mut h);
}

#[test]
fn remote_ends_are_reported_with_their_reason() {
    let call = call_id(1);
    let cases = [
        (Event::RemoteEnded { call }, CallEndedReason::RemoteEnded, 2),
        (
            Event::AnsweredElsewhere { call },
            CallEndedReason::AnsweredElsewhere,
            4,
        ),
        (
            Event::DeclinedElsewhere { call },
            CallEndedReason::DeclinedElsewhere,
            5,
        ),
    ];
    for (event, reason, raw) in cases {
        assert_eq!(reason.raw(), raw);
        let mut h = harness();
        ring(&mut h, 1, call);
        h.advance(3_000);
        let effects = h.step(event);
        assert_eq!(
            effects,
            vec![
                Effect::CancelTimer {
                    timer: Timer::Ring(call),
                },
                Effect::ReportCallEnded {
                    call,
                    at: ms(3_000),
                    reason,
                },
            ],
            "{reason:?}"
        );
        assert!(h.engine.is_idle());
        finish(&mut h);
    }
    // The remote side hanging up an answered call.
    let mut h = harness();
    answered(&mut h, 1, call, action_id(1));
    let effects = h.step(Event::RemoteEnded { call });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::AudioActivation(call),
            },
            Effect::ReportCallEnded {
                call,
                at: at(&h),
                reason: CallEndedReason::RemoteEnded,
            },
        ]
    );
    finish(&mut h);
}

#[test]
fn an_end_while_the_report_is_pending_waits_for_the_report_and_keeps_its_reason() {
    for (event, reason) in [
        (
            Event::RemoteEnded { call: call_id(1) },
            CallEndedReason::RemoteEnded,
        ),
        (
            Event::AnsweredElsewhere { call: call_id(1) },
            CallEndedReason::AnsweredElsewhere,
        ),
    ] {
        let mut h = harness();
        let call = call_id(1);
        h.push(1, &payload(call));
        h.advance(100);
        assert_eq!(
            h.step(event),
            vec![],
            "nothing before CallKit knows the call"
        );
        assert!(h.engine.call(call).unwrap().end_pending());
        h.advance(100);
        let effects = report(&mut h, 1, Ok(()));
        assert_eq!(
            effects,
            vec![
                Effect::CompletePush { push: PushId(1) },
                Effect::CancelTimer {
                    timer: Timer::PushCompletion(PushId(1)),
                },
                Effect::CancelTimer {
                    timer: Timer::Ring(call),
                },
                Effect::ReportCallEnded {
                    call,
                    at: ms(200),
                    reason,
                },
            ],
            "{reason:?}"
        );
        assert!(h.engine.is_idle());
        finish(&mut h);
    }
}

#[test]
fn a_request_to_end_while_the_report_is_pending_is_requested_after_the_report_completes() {
    let mut h = harness();
    let call = call_id(1);
    h.push(1, &payload(call));
    assert_eq!(h.step(Event::RequestEndCall { call }), vec![]);
    assert!(h.engine.call(call).unwrap().end_pending());
    let effects = report(&mut h, 1, Ok(()));
    let transaction = match effects.as_slice() {
        [Effect::CompletePush { push: PushId(1) }, Effect::CancelTimer {
            timer: Timer::PushCompletion(PushId(1)),
        }, Effect::RequestTransaction {
            transaction,
            action: CallAction::EndCall { call: c },
        }] if *c == call => *transaction,
        other => panic!("want completion then an EndCall request, got {other:#?}"),
    };
    assert_eq!(
        h.step(Event::TransactionCompleted {
            transaction,
            result: Ok(()),
        }),
        vec![]
    );
    let end = action_id(1);
    let effects = h.step(Event::PerformEndCall { action: end, call });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::Ring(call),
            },
            Effect::RejectIncoming {
                call,
                reason: RejectReason::Declined,
            },
            Effect::FulfillAction { action: end },
        ]
    );
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn a_ring_timeout_during_a_pending_report_is_kept_and_a_remote_end_is_applied_once_reported() {
    let mut h: Harness = Harness::new(Config::with_schema(
        PayloadSchema::flutter_callkit_incoming(),
    ));
    let call = call_id(1);
    let inline = format!(r#"{{"id":"{call}","handle":"+4930901820","duration":1000}}"#);
    h.push(1, inline.as_bytes());
    assert_eq!(h.step(Event::RemoteEnded { call }), vec![]);
    // The ring runs out before CallKit answered the report: nothing is reported yet, and
    // the ring timer is re-armed one push time-out later as a backstop.
    let effects = h.advance_firing(1_000);
    assert_eq!(
        effects,
        vec![Effect::StartTimer {
            timer: Timer::Ring(call),
            deadline: ms(6_000),
        }]
    );
    h.advance(200);
    let effects = report(&mut h, 1, Ok(()));
    assert_eq!(
        effects,
        vec![
            Effect::CompletePush { push: PushId(1) },
            Effect::CancelTimer {
                timer: Timer::PushCompletion(PushId(1)),
            },
            Effect::CancelTimer {
                timer: Timer::Ring(call),
            },
            Effect::ReportCallEnded {
                call,
                at: ms(1_200),
                reason: CallEndedReason::RemoteEnded,
            },
        ],
        "signalling already knows the call ended: no RejectIncoming"
    );
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn a_report_that_never_completes_lets_a_kept_end_apply_at_the_push_deadline() {
    let mut h = harness();
    let call = call_id(1);
    h.push(1, &payload(call)); // its report never completes
    assert_eq!(h.step(Event::RemoteEnded { call }), vec![]);
    let effects = h.advance_firing(5_000);
    assert_eq!(
        effects,
        vec![
            Effect::CompletePush { push: PushId(1) },
            Effect::CancelTimer {
                timer: Timer::Ring(call),
            },
            Effect::ReportCallEnded {
                call,
                at: ms(5_000),
                reason: CallEndedReason::RemoteEnded,
            },
        ]
    );
    assert!(h.engine.is_idle());
    // CallKit's late answer is accepted with nothing left to do.
    assert_eq!(report(&mut h, 1, Ok(())), vec![]);
    finish(&mut h);
}

#[test]
fn an_answered_call_whose_report_never_completes_can_still_be_ended_remotely() {
    let mut h = harness();
    let call = call_id(1);
    h.push(1, &payload(call)); // its report never completes
    h.step(Event::IncomingCallConnected { call });
    h.advance(2_000);
    h.step(Event::PerformAnswerCall {
        action: action_id(1),
        call,
    });
    h.step(Event::DidActivateAudioSession);
    h.advance_firing(10_000);
    let effects = h.step(Event::RemoteEnded { call });
    assert_eq!(
        effects,
        vec![
            Effect::StopMedia { call },
            Effect::ReportCallEnded {
                call,
                at: ms(12_000),
                reason: CallEndedReason::RemoteEnded,
            },
        ]
    );
    assert!(h.engine.call(call).is_none());
    finish(&mut h);
}

#[test]
fn an_end_kept_for_an_unconfirmed_call_declines_it_when_every_request_slot_is_taken() {
    // The app ends B while CallKit has not confirmed it yet, and every
    // `CXCallController` slot is busy when CallKit does: the end cannot be requested,
    // so B is declined and reported failed at once instead of being left ringing.
    let mut h = harness();
    let (a, b) = (call_id(1), call_id(2));
    answered(&mut h, 1, a, action_id(1));
    for _ in 0..callkit_engine::limits::MAX_PENDING_TRANSACTIONS {
        let effects = h.step(Event::RequestSetMuted {
            call: a,
            muted: true,
        });
        assert!(effects.transaction().is_some(), "{effects:#?}");
    }
    let full = refused(
        &mut h,
        Event::RequestSetMuted {
            call: a,
            muted: false,
        },
    );
    assert_eq!(full, Error::TransactionCapacity);
    assert_report_first(&h.push(2, &payload(b)), 2, b);
    assert_eq!(h.step(Event::RequestEndCall { call: b }), vec![]);
    assert!(h.engine.call(b).is_some_and(|c| c.end_pending()));
    let effects = report(&mut h, 2, Ok(()));
    assert!(
        effects.contains(&Effect::RejectIncoming {
            call: b,
            reason: RejectReason::Declined
        }),
        "{effects:#?}"
    );
    assert_eq!(
        count(&effects, |e| matches!(
            e,
            Effect::ReportCallEnded { call, reason: CallEndedReason::Failed, .. } if *call == b
        )),
        1,
        "{effects:#?}"
    );
    assert_eq!(
        count(&effects, |e| matches!(e, Effect::RequestTransaction { .. })),
        0
    );
    assert!(h.engine.call(b).is_none());
}

// ---------------------------------------------------------- 9. ring time-out, timer order

#[test]
fn an_unanswered_call_ends_after_the_default_30000_ms_ring_timeout() {
    let mut h = harness();
    let call = call_id(1);
    ring(&mut h, 1, call);
    assert_eq!(h.advance_firing(RING_MS - 1), vec![]);
    assert!(h.engine.call(call).is_some());
    let effects = h.advance_firing(1);
    assert_eq!(
        effects,
        vec![
            Effect::RejectIncoming {
                call,
                reason: RejectReason::Unanswered,
            },
            Effect::ReportCallEnded {
                call,
                at: ms(RING_MS),
                reason: CallEndedReason::Unanswered,
            },
        ]
    );
    assert_eq!(CallEndedReason::Unanswered.raw(), 3);
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn the_flutter_duration_overrides_the_ring_timeout_per_call() {
    let config = Config {
        ring_timeout_ms: 60_000,
        ..Config::with_schema(PayloadSchema::flutter_callkit_incoming())
    };
    let mut h: Harness = Harness::new(config);
    // The full flutter payload carries "duration":30000, under a configured 60 000.
    let full = CallId(Uuid::parse_str("a3f7c2d0-1e4b-4f9a-8c6d-2b1e0f9d7c35").unwrap());
    let effects = h.push(
        1,
        include_bytes!("payloads/flutter-callkit-incoming-full.json"),
    );
    assert_report_first(&effects, 1, full);
    assert!(effects.contains(&Effect::StartTimer {
        timer: Timer::Ring(full),
        deadline: ms(30_000),
    }));
    report(&mut h, 1, Ok(()));

    let short = call_id(2);
    let inline = format!(
        r#"{{"id":"{short}","nameCaller":"Jürgen","handle":"+4930901820","type":0,"duration":5000}}"#
    );
    let effects = h.push(2, inline.as_bytes());
    assert_report_first(&effects, 2, short);
    assert!(effects.contains(&Effect::StartTimer {
        timer: Timer::Ring(short),
        deadline: ms(5_000),
    }));
    report(&mut h, 2, Ok(()));
    assert_eq!(h.advance_firing(4_999), vec![]);
    assert_eq!(
        h.advance_firing(1),
        vec![
            Effect::RejectIncoming {
                call: short,
                reason: RejectReason::Unanswered,
            },
            Effect::ReportCallEnded {
                call: short,
                at: ms(5_000),
                reason: CallEndedReason::Unanswered,
            },
        ]
    );
    assert!(
        h.engine.call(full).is_some(),
        "the other call keeps ringing"
    );
    let effects = h.advance_firing(25_000);
    assert!(effects.contains(&Effect::ReportCallEnded {
        call: full,
        at: ms(30_000),
        reason: CallEndedReason::Unanswered,
    }));
    finish(&mut h);
}

#[test]
fn the_configured_ring_timeout_applies_when_the_payload_has_none() {
    let config = Config {
        ring_timeout_ms: 12_000,
        ..Config::default()
    };
    let mut h: Harness = Harness::new(config);
    let call = call_id(1);
    let effects = h.push(1, &payload(call));
    assert!(effects.contains(&Effect::StartTimer {
        timer: Timer::Ring(call),
        deadline: ms(12_000),
    }));
    report(&mut h, 1, Ok(()));
    assert_eq!(h.advance_firing(11_999), vec![]);
    let effects = h.advance_firing(1);
    assert!(effects.contains(&Effect::ReportCallEnded {
        call,
        at: ms(12_000),
        reason: CallEndedReason::Unanswered,
    }));
    finish(&mut h);
}

#[test]
fn next_due_timer_fires_in_deadline_order_then_push_ring_answer_order() {
    let mut h = harness();
    // The report's result has not come back: push 1's completion timer stays armed.
    assert_report_first(&h.push(1, &payload(call_id(1))), 1, call_id(1));
    // Push 1's completion (5 s) and call 1's ring (30 s) are armed; at 4.999 s none is due.
    assert_eq!(h.engine.next_due_timer(ms(PUSH_DEADLINE_MS - 1)), None);
    let (timer, deadline) = h.engine.next_due_timer(ms(u64::MAX)).unwrap();
    assert_eq!(timer, Timer::PushCompletion(PushId(1)));
    assert_eq!(deadline, ms(PUSH_DEADLINE_MS));
    assert_eq!(
        h.engine.next_due_timer(ms(PUSH_DEADLINE_MS)),
        Some((Timer::PushCompletion(PushId(1)), ms(PUSH_DEADLINE_MS)))
    );
    // Equal deadlines: the order of `Timer` breaks the tie.
    assert!(Timer::PushCompletion(PushId(9)) < Timer::Ring(call_id(0)));
    assert!(Timer::Ring(call_id(9)) < Timer::AnswerConnect(call_id(0)));
    assert!(Timer::AnswerConnect(call_id(9)) < Timer::AudioActivation(call_id(0)));
    assert!(Timer::AudioActivation(call_id(9)) < Timer::StartConnect(call_id(0)));
    assert!(Timer::StartConnect(call_id(9)) < Timer::NoAnswer(call_id(0)));
    assert!(Timer::Ring(call_id(1)) < Timer::Ring(call_id(2)));
}

// ------------------------------------------------------------ outgoing calls' bounds

/// An outgoing call performed now, connecting at `connecting_at` (the clock moves there).
fn connecting_outgoing(h: &mut Harness, call: CallId, action: ActionId, connecting_at: u64) {
    starting_outgoing(h, call, action);
    h.now = h.now.max(connecting_at);
    h.step(Event::OutgoingCallConnecting { call });
}

#[test]
fn an_outgoing_call_the_far_end_never_answers_ends_unanswered_at_the_no_answer_time_out() {
    let mut h = harness();
    let call = call_id(1);
    h.step(Event::DidActivateAudioSession);
    connecting_outgoing(&mut h, call, action_id(1), 1_000);
    h.step(Event::OutgoingCallRinging { call });
    assert!(h.engine.call(call).unwrap().ringback_playing());
    let deadline = 1_000 + DEFAULT_NO_ANSWER_TIMEOUT_MS;
    assert_eq!(
        h.engine.call(call).unwrap().no_answer_deadline(),
        Some(ms(deadline))
    );
    // One millisecond early, nothing; at the deadline, the end.
    assert_eq!(h.advance_firing(deadline - 1 - h.now), vec![]);
    assert_eq!(
        h.advance_firing(1),
        vec![
            Effect::StopMedia { call },
            Effect::StopRingback { call },
            Effect::HangUp { call },
            Effect::ReportCallEnded {
                call,
                at: ms(deadline),
                reason: CallEndedReason::Unanswered,
            },
        ]
    );
    assert!(h.engine.is_idle());
    finish(&mut h);
}

#[test]
fn an_outgoing_call_answered_before_the_no_answer_time_out_is_not_ended_by_it() {
    let mut h = harness();
    let call = call_id(1);
    connecting_outgoing(&mut h, call, action_id(1), 1_000);
    h.advance(DEFAULT_NO_ANSWER_TIMEOUT_MS - 1);
    let connected = h.step(Event::OutgoingCallConnected { call });
    assert_eq!(
        connected.first(),
        Some(&Effect::CancelTimer {
            timer: Timer::NoAnswer(call)
        })
    );
    assert_eq!(h.engine.call(call).unwrap().no_answer_deadline(), None);
    let later = h.advance_firing(DEFAULT_NO_ANSWER_TIMEOUT_MS * 2);
    assert_eq!(
        count(&later, |e| matches!(e, Effect::ReportCallEnded { .. })),
        0
    );
    assert_eq!(h.engine.call(call).unwrap().phase(), CallPhase::Connected);
    // The no-answer timer, fired anyway (the host's timer raced the cancel), does nothing.
    benign(
        &mut h,
        Event::TimerFired {
            timer: Timer::NoAnswer(call),
        },
    );
    finish(&mut h);
}

#[test]
fn a_far_end_answering_before_connecting_was_reported_arms_no_no_answer_time_out() {
    let mut h = harness();
    let (call, start) = (call_id(1), action_id(1));
    starting_outgoing(&mut h, call, start);
    h.advance(300);
    let effects = h.step(Event::OutgoingCallConnected { call });
    assert_eq!(
        count(&effects, |e| matches!(
            e,
            Effect::StartTimer {
                timer: Timer::NoAnswer(_),
                ..
            } | Effect::CancelTimer {
                timer: Timer::NoAnswer(_)
            }
        )),
        0,
        "{effects:#?}"
    );
    assert!(effects.contains(&Effect::ReportOutgoingCallConnected { call, at: at(&h) }));
    assert!(effects.contains(&Effect::FulfillAction { action: start }));
    assert_eq!(h.engine.call(call).unwrap().phase(), CallPhase::Connected);
    finish(&mut h);
}

#[test]
fn a_far_end_refusal_ends_the_outgoing_call_with_the_reason_it_maps_to_and_no_hang_up() {
    for (n, reason, ended) in [
        (1, RefusalReason::Busy, CallEndedReason::RemoteEnded),
        (2, RefusalReason::Declined, CallEndedReason::RemoteEnded),
        (3, RefusalReason::Unavailable, CallEndedReason::Unanswered),
    ] {
        let mut h = harness();
        let call = call_id(n);
        connecting_outgoing(&mut h, call, action_id(n), 1_000);
        h.advance(2_000);
        let effects = h.step(Event::OutgoingCallRefused { call, reason });
        assert_eq!(reason.ended_reason(), ended);
        assert_eq!(
            effects.last(),
            Some(&Effect::ReportCallEnded {
                call,
                at: ms(3_000),
                reason: ended,
            }),
            "{reason:?}"
        );
        assert!(effects.contains(&Effect::CancelTimer {
            timer: Timer::NoAnswer(call)
        }));
        assert_eq!(count(&effects, |e| matches!(e, Effect::HangUp { .. })), 0);
        assert!(h.engine.is_idle());
        // Signalling repeating it moments later changes nothing.
        benign(&mut h, Event::OutgoingCallRefused { call, reason });
        finish(&mut h);
    }
}

#[test]
fn a_refusal_while_the_start_action_is_held_fails_the_action() {
    let mut h = harness();
    let (call, start) = (call_id(1), action_id(1));
    starting_outgoing(&mut h, call, start);
    let effects = h.step(Event::OutgoingCallRefused {
        call,
        reason: RefusalReason::Busy,
    });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::StartConnect(call)
            },
            Effect::FailAction { action: start },
            Effect::ReportCallEnded {
                call,
                at: at(&h),
                reason: CallEndedReason::RemoteEnded,
            },
        ]
    );
    assert_eq!(action_outcomes_since(&h, 0, start), 1);
    finish(&mut h);
}

#[test]
fn a_refusal_is_refused_for_incoming_requested_connected_and_unknown_calls() {
    let mut h = harness();
    let busy = RefusalReason::Busy;
    let (incoming, requested, connected) = (call_id(1), call_id(2), call_id(3));
    ring(&mut h, 1, incoming);
    request_outgoing(&mut h, requested);
    connecting_outgoing(&mut h, connected, action_id(3), 100);
    h.step(Event::OutgoingCallConnected { call: connected });
    for call in [incoming, requested, connected] {
        assert_eq!(
            refused(&mut h, Event::OutgoingCallRefused { call, reason: busy }),
            Error::WrongPhase(call)
        );
    }
    let stranger = call_id(9);
    assert_eq!(
        refused(
            &mut h,
            Event::OutgoingCallRefused {
                call: stranger,
                reason: busy
            }
        ),
        Error::UnknownCall(stranger)
    );
}

#[test]
fn a_start_signalling_never_connects_is_failed_by_the_engine_at_the_start_connect_bound() {
    let mut h = harness();
    let (call, start) = (call_id(1), action_id(1));
    let performed = starting_outgoing(&mut h, call, start);
    let deadline = h.now + DEFAULT_START_CONNECT_TIMEOUT_MS;
    assert!(performed.contains(&Effect::StartTimer {
        timer: Timer::StartConnect(call),
        deadline: ms(deadline),
    }));
    assert_eq!(
        h.engine.call(call).unwrap().start_deadline(),
        Some(ms(deadline))
    );
    assert_eq!(
        h.advance_firing(DEFAULT_START_CONNECT_TIMEOUT_MS - 1),
        vec![]
    );
    assert_eq!(
        h.advance_firing(1),
        vec![
            Effect::FailAction { action: start },
            Effect::HangUp { call },
            Effect::ReportCallEnded {
                call,
                at: ms(deadline),
                reason: CallEndedReason::Failed,
            },
        ]
    );
    // Signalling connecting late, and CallKit's own time-out, find nothing to do.
    benign(&mut h, Event::OutgoingCallConnecting { call });
    benign(&mut h, Event::TimedOutPerforming { action: start });
    assert_eq!(action_outcomes_since(&h, 0, start), 1);
    finish(&mut h);
}

// ------------------------------------------------------------ 10. hold, mute, group, DTMF

#[test]
fn a_mute_while_the_answer_waits_for_its_connection_is_accepted_and_the_media_starts_muted() {
    let mut h = harness();
    let call = call_id(1);
    ring(&mut h, 1, call);
    // Answered from the lock screen before the app reached its server: deferred.
    let answering = h.step(Event::PerformAnswerCall {
        action: action_id(1),
        call,
    });
    assert!(
        !answering.contains(&Effect::AnswerIncoming { call }),
        "{answering:#?}"
    );
    // Muted from the CallKit UI while it connects: fulfilled, not failed.
    let muted = h.step(Event::PerformSetMuted {
        action: action_id(2),
        call,
        muted: true,
    });
    assert_eq!(
        muted,
        vec![
            Effect::SetMuted { call, muted: true },
            Effect::FulfillAction {
                action: action_id(2)
            },
        ]
    );
    assert!(h.engine.call(call).unwrap().is_muted());
    // The app's own mute button in that phase is a request, not an out-of-order error.
    let requested = h.step(Event::RequestSetMuted { call, muted: true });
    assert!(
        matches!(
            requested.as_slice(),
            [Effect::RequestTransaction {
                action: CallAction::SetMuted { muted: true, .. },
                ..
            }]
        ),
        "{requested:#?}"
    );
    h.step(Event::DidActivateAudioSession);
    // Connected: the answer is fulfilled and the media starts muted.
    let connected = h.step(Event::IncomingCallConnected { call });
    let start = connected
        .iter()
        .position(|e| *e == Effect::StartMedia { call })
        .expect("media starts");
    assert_eq!(
        connected.get(start + 1),
        Some(&Effect::SetMuted { call, muted: true }),
        "{connected:#?}"
    );
    finish(&mut h);
}

#[test]
fn a_muted_calls_media_restarts_muted_after_hold_and_after_an_interruption() {
    let mut h = harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    h.step(Event::DidActivateAudioSession);
    h.step(Event::PerformSetMuted {
        action: action_id(2),
        call,
        muted: true,
    });
    h.step(Event::PerformSetHeld {
        action: action_id(3),
        call,
        on_hold: true,
    });
    let resumed = h.step(Event::PerformSetHeld {
        action: action_id(4),
        call,
        on_hold: false,
    });
    assert_eq!(
        resumed,
        vec![
            Effect::SetHeld {
                call,
                on_hold: false
            },
            Effect::StartMedia { call },
            Effect::SetMuted { call, muted: true },
            Effect::FulfillAction {
                action: action_id(4)
            },
        ]
    );
    assert_eq!(
        h.step(Event::DidDeactivateAudioSession),
        vec![Effect::StopMedia { call }]
    );
    assert_eq!(
        h.step(Event::DidActivateAudioSession),
        vec![
            Effect::StartMedia { call },
            Effect::SetMuted { call, muted: true }
        ]
    );
    // Unmuted, its media restarts as it is.
    h.step(Event::PerformSetMuted {
        action: action_id(5),
        call,
        muted: false,
    });
    h.step(Event::DidDeactivateAudioSession);
    assert_eq!(
        h.step(Event::DidActivateAudioSession),
        vec![Effect::StartMedia { call }]
    );
    finish(&mut h);
}

#[test]
fn hold_is_fulfilled_on_an_answered_call_and_failed_when_holding_is_unsupported() {
    let mut h = harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    let effects = h.step(Event::PerformSetHeld {
        action: action_id(2),
        call,
        on_hold: true,
    });
    assert_eq!(
        effects,
        vec![
            Effect::SetHeld {
                call,
                on_hold: true,
            },
            Effect::FulfillAction {
                action: action_id(2),
            },
        ]
    );
    assert!(h.engine.call(call).unwrap().is_on_hold());

    let config = Config {
        capabilities: CallCapabilities {
            supports_holding: false,
            ..CallCapabilities::default()
        },
        ..Config::default()
    };
    let mut h: Harness = Harness::new(config);
    answered(&mut h, 1, call, action_id(1));
    let effects = h.step(Event::PerformSetHeld {
        action: action_id(2),
        call,
        on_hold: true,
    });
    assert_eq!(
        effects,
        vec![Effect::FailAction {
            action: action_id(2),
        }]
    );
    assert!(!h.engine.call(call).unwrap().is_on_hold());
    finish(&mut h);
}

#[test]
fn mute_fails_on_a_ringing_call_and_is_fulfilled_with_set_mute_on_an_answered_call() {
    let mut h = harness();
    let ringing = call_id(1);
    ring(&mut h, 1, ringing);
    let effects = h.step(Event::PerformSetMuted {
        action: action_id(1),
        call: ringing,
        muted: true,
    });
    assert_eq!(
        effects,
        vec![Effect::FailAction {
            action: action_id(1),
        }]
    );
    assert!(!h.engine.call(ringing).unwrap().is_muted());

    let call = call_id(2);
    answered(&mut h, 2, call, action_id(2));
    let effects = h.step(Event::PerformSetMuted {
        action: action_id(3),
        call,
        muted: true,
    });
    assert_eq!(
        effects,
        vec![
            Effect::SetMuted { call, muted: true },
            Effect::FulfillAction {
                action: action_id(3),
            },
        ]
    );
    assert!(h.engine.call(call).unwrap().is_muted());
    finish(&mut h);
}

#[test]
fn dtmf_is_sent_and_fulfilled_for_valid_digits_and_failed_for_invalid_ones() {
    let mut h = harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    let effects = h.step(Event::PerformPlayDtmf {
        action: action_id(2),
        call,
        digits: "12*#A,",
        kind: DtmfType::SingleTone,
    });
    match effects.as_slice() {
        [Effect::PlayDtmf {
            call: c,
            kind: DtmfType::SingleTone,
        }, Effect::FulfillAction { action }] => {
            assert_eq!(*c, call);
            assert_eq!(effects.dtmf_digits.as_deref(), Some("12*#A,"));
            assert_eq!(*action, action_id(2));
        }
        other => panic!("want PlayDtmf then FulfillAction, got {other:#?}"),
    }
    for (n, bad) in [(3u8, "12x"), (4, ""), (5, "1 2")] {
        let effects = h.step(Event::PerformPlayDtmf {
            action: action_id(n),
            call,
            digits: bad,
            kind: DtmfType::SingleTone,
        });
        assert_eq!(
            effects,
            vec![Effect::FailAction {
                action: action_id(n),
            }],
            "{bad:?}"
        );
    }
    // A ringing call cannot play DTMF.
    let ringing = call_id(2);
    ring(&mut h, 2, ringing);
    let effects = h.step(Event::PerformPlayDtmf {
        action: action_id(6),
        call: ringing,
        digits: "1",
        kind: DtmfType::SingleTone,
    });
    assert_eq!(
        effects,
        vec![Effect::FailAction {
            action: action_id(6),
        }]
    );
    finish(&mut h);
}

#[test]
fn dtmf_fails_when_the_call_does_not_support_dtmf() {
    let config = Config {
        capabilities: CallCapabilities {
            supports_dtmf: false,
            ..CallCapabilities::default()
        },
        ..Config::default()
    };
    let mut h: Harness = Harness::new(config);
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    let effects = h.step(Event::PerformPlayDtmf {
        action: action_id(2),
        call,
        digits: "1",
        kind: DtmfType::SingleTone,
    });
    assert_eq!(
        effects,
        vec![Effect::FailAction {
            action: action_id(2),
        }]
    );
    finish(&mut h);
}

fn grouping_config(per_group: u8) -> Config {
    Config {
        capabilities: CallCapabilities {
            supports_grouping: true,
            supports_ungrouping: true,
            ..CallCapabilities::default()
        },
        provider: ProviderConfiguration {
            maximum_calls_per_call_group: per_group,
            ..ProviderConfiguration::default()
        },
        ..Config::default()
    }
}

#[test]
fn grouping_is_fulfilled_within_the_per_group_limit_and_failed_beyond_it() {
    let mut h: Harness = Harness::new(grouping_config(2));
    let (a, b, c) = (call_id(1), call_id(2), call_id(3));
    answered(&mut h, 1, a, action_id(1));
    answered(&mut h, 2, b, action_id(2));
    answered(&mut h, 3, c, action_id(3));
    let effects = h.step(Event::PerformSetGroup {
        action: action_id(4),
        call: b,
        group_with: Some(a),
    });
    assert_eq!(
        effects,
        vec![
            Effect::SetGroup {
                call: b,
                group_with: Some(a),
            },
            Effect::FulfillAction {
                action: action_id(4),
            },
        ]
    );
    assert_eq!(
        h.engine.call(b).unwrap().group(),
        h.engine.call(a).unwrap().group()
    );
    // The group holds 2, its limit: a third member is refused.
    let effects = h.step(Event::PerformSetGroup {
        action: action_id(5),
        call: c,
        group_with: Some(a),
    });
    assert_eq!(
        effects,
        vec![Effect::FailAction {
            action: action_id(5),
        }]
    );
    assert_eq!(h.engine.call(c).unwrap().group(), c);
    finish(&mut h);
}

#[test]
fn grouping_fails_with_a_limit_of_one_call_per_group_or_without_grouping_support() {
    let mut h: Harness = Harness::new(grouping_config(1));
    let (a, b) = (call_id(1), call_id(2));
    answered(&mut h, 1, a, action_id(1));
    answered(&mut h, 2, b, action_id(2));
    let effects = h.step(Event::PerformSetGroup {
        action: action_id(3),
        call: b,
        group_with: Some(a),
    });
    assert_eq!(
        effects,
        vec![Effect::FailAction {
            action: action_id(3),
        }]
    );
    assert_eq!(h.engine.call(b).unwrap().group(), b);
    finish(&mut h);

    let mut h = harness(); // supports_grouping is off by default
    answered(&mut h, 1, a, action_id(1));
    answered(&mut h, 2, b, action_id(2));
    let effects = h.step(Event::PerformSetGroup {
        action: action_id(3),
        call: b,
        group_with: Some(a),
    });
    assert_eq!(
        effects,
        vec![Effect::FailAction {
            action: action_id(3),
        }]
    );
    finish(&mut h);
}

#[test]
fn a_hold_mute_or_dtmf_request_is_refused_exactly_when_the_same_action_performed_is_failed() {
    // One rule serves both sides: what the app may request through CXCallController is
    // what the engine fulfils when CallKit performs it, for every capability setting,
    // call phase and (for DTMF) digit string.
    for (holding, dtmf) in [(true, true), (false, false), (true, false), (false, true)] {
        let config = Config {
            capabilities: CallCapabilities {
                supports_holding: holding,
                supports_dtmf: dtmf,
                ..CallCapabilities::default()
            },
            ..Config::default()
        };
        let mut h: Harness = Harness::new(config);
        let (ringing, answered_call, held) = (call_id(1), call_id(2), call_id(3));
        ring(&mut h, 1, ringing);
        answered(&mut h, 2, answered_call, action_id(1));
        answered(&mut h, 3, held, action_id(2));
        let hold = h.step(Event::PerformSetHeld {
            action: action_id(3),
            call: held,
            on_hold: true,
        });
        assert_eq!(
            hold.contains(&Effect::FulfillAction {
                action: action_id(3)
            }),
            holding
        );
        let now = at(&h);
        let mut verdicts = 0;
        for call in [ringing, answered_call, held] {
            let asks: [(Event<'_>, Event<'_>); 6] = [
                (
                    Event::RequestSetHeld {
                        call,
                        on_hold: true,
                    },
                    Event::PerformSetHeld {
                        action: action_id(9),
                        call,
                        on_hold: true,
                    },
                ),
                (
                    Event::RequestSetMuted { call, muted: true },
                    Event::PerformSetMuted {
                        action: action_id(9),
                        call,
                        muted: true,
                    },
                ),
                (
                    Event::RequestSetMuted { call, muted: false },
                    Event::PerformSetMuted {
                        action: action_id(9),
                        call,
                        muted: false,
                    },
                ),
                (
                    Event::RequestPlayDtmf {
                        call,
                        digits: "12*#",
                        kind: DtmfType::SingleTone,
                    },
                    Event::PerformPlayDtmf {
                        action: action_id(9),
                        call,
                        digits: "12*#",
                        kind: DtmfType::SingleTone,
                    },
                ),
                (
                    Event::RequestPlayDtmf {
                        call,
                        digits: "12x",
                        kind: DtmfType::SingleTone,
                    },
                    Event::PerformPlayDtmf {
                        action: action_id(9),
                        call,
                        digits: "12x",
                        kind: DtmfType::SingleTone,
                    },
                ),
                (
                    Event::RequestPlayDtmf {
                        call,
                        digits: "1234567890123456789012345678901234",
                        kind: DtmfType::HardPause,
                    },
                    Event::PerformPlayDtmf {
                        action: action_id(9),
                        call,
                        digits: "1234567890123456789012345678901234",
                        kind: DtmfType::HardPause,
                    },
                ),
            ];
            for (request, perform) in asks {
                let requested = h.engine.clone().handle(now, request);
                let performed = h
                    .engine
                    .clone()
                    .handle(now, perform)
                    .expect("a performed action is never refused");
                let fulfilled = performed.contains(&Effect::FulfillAction {
                    action: action_id(9),
                });
                assert_eq!(
                    requested.is_ok(),
                    fulfilled,
                    "{request:?}: requested {requested:?}, performed {:?}",
                    &performed[..]
                );
                assert_eq!(
                    performed
                        .iter()
                        .filter(|e| matches!(
                            e,
                            Effect::FulfillAction { .. } | Effect::FailAction { .. }
                        ))
                        .count(),
                    1
                );
                verdicts += usize::from(fulfilled);
            }
        }
        // Mute is allowed on every answered call whatever the capabilities; hold and a
        // valid DTMF string only with their capability, and only on an established call.
        let expected = 4 + if holding { 2 } else { 0 } + if dtmf { 2 } else { 0 };
        assert_eq!(verdicts, expected, "holding {holding}, dtmf {dtmf}");
    }
}

// ------------------------------------------------------ 11. call details after the report

#[test]
fn a_later_push_with_a_new_handle_while_the_report_is_pending_updates_the_call_afterwards() {
    let mut h = harness();
    let call = call_id(1);
    h.push(1, format!(r#"{{"uuid":"{call}"}}"#).as_bytes());
    let copy = h.push(
        2,
        format!(r#"{{"uuid":"{call}","handle":"+15550123","callerName":"Ann"}}"#).as_bytes(),
    );
    assert_eq!(
        count(&copy, |e| matches!(e, Effect::ReportCallUpdated { .. })),
        0
    );
    assert!(h.engine.call(call).unwrap().update_pending());
    let done = report(&mut h, 2, Err(IncomingCallError::CallUuidAlreadyExists));
    assert_eq!(done.last(), Some(&Effect::ReportCallUpdated { call }));
    let update = done.call_update.as_ref().expect("the update");
    assert_eq!(
        update.remote_handle.as_ref().map(|h| h.value.as_str()),
        Some("+15550123")
    );
    assert_eq!(
        update.localized_caller_name.as_ref().map(|n| n.as_str()),
        Some("Ann")
    );
    assert!(!h.engine.call(call).unwrap().update_pending());
    // The first report's answer confirms nothing new: no second update.
    let first = report(&mut h, 1, Ok(()));
    assert_eq!(
        count(&first, |e| matches!(e, Effect::ReportCallUpdated { .. })),
        0
    );
    finish(&mut h);
}

#[test]
fn caller_details_for_an_outgoing_call_wait_until_callkit_performed_its_start() {
    let mut h: Harness = Harness::new(Config {
        provider: ProviderConfiguration {
            supports_video: true,
            ..ProviderConfiguration::default()
        },
        ..Config::default()
    });
    let call = call_id(1);
    request_outgoing(&mut h, call);
    let early = h.step(Event::CallDetailsChanged {
        call,
        caller_name: Some("Dr. Who"),
        has_video: Some(true),
    });
    assert_eq!(early, vec![]);
    assert!(h.engine.call(call).unwrap().update_pending());
    h.step(Event::TransactionCompleted {
        transaction: TransactionId(0),
        result: Ok(()),
    });
    h.step(Event::PerformStartCall {
        action: action_id(1),
        call,
        handle: OUT_HANDLE,
        handle_type: HandleType::PhoneNumber,
        video: true,
    });
    let connecting = h.step(Event::OutgoingCallConnecting { call });
    assert_eq!(connecting.last(), Some(&Effect::ReportCallUpdated { call }));
    let update = connecting.call_update.as_ref().expect("the update");
    assert_eq!(
        update.localized_caller_name.as_ref().map(|n| n.as_str()),
        Some("Dr. Who")
    );
    assert!(update.has_video);
    finish(&mut h);
}

#[test]
fn call_details_are_refused_only_for_an_unknown_call_or_video_without_support() {
    let mut h = harness();
    let call = call_id(1);
    ring(&mut h, 1, call);
    assert_eq!(
        refused(
            &mut h,
            Event::CallDetailsChanged {
                call,
                caller_name: None,
                has_video: Some(true),
            }
        ),
        Error::NotSupported(call)
    );
    assert_eq!(
        refused(
            &mut h,
            Event::CallDetailsChanged {
                call: call_id(9),
                caller_name: Some("X"),
                has_video: None,
            }
        ),
        Error::UnknownCall(call_id(9))
    );
    // A long name is cut at a character boundary, as a payload's is.
    let long = "山".repeat(40);
    let effects = h.step(Event::CallDetailsChanged {
        call,
        caller_name: Some(&long),
        has_video: None,
    });
    let name = effects
        .call_update
        .as_ref()
        .unwrap()
        .localized_caller_name
        .clone()
        .unwrap();
    assert_eq!(name.as_str().len(), 63);
    h.step(Event::RemoteEnded { call });
    benign(
        &mut h,
        Event::CallDetailsChanged {
            call,
            caller_name: Some("Late"),
            has_video: None,
        },
    );
    finish(&mut h);
}

// ------------------------------------------------------------------------------ 12. reset

#[test]
fn provider_reset_tears_down_every_call_and_timer_completes_pending_pushes_and_leaves_a_fresh_engine(
) {
    let mut h = harness();
    let answered_call = call_id(1);
    let pending_call = call_id(2);
    let answering_call = call_id(3);
    let outgoing = call_id(4);
    let held = action_id(3);
    answered(&mut h, 1, answered_call, action_id(1));
    h.step(Event::DidActivateAudioSession);
    h.push(2, &payload(pending_call)); // report still pending
    ring(&mut h, 3, answering_call);
    h.step(Event::PerformAnswerCall {
        action: held,
        call: answering_call,
    });
    let start_tx = request_outgoing(&mut h, outgoing);
    h.advance(1_000);
    let marker = h.steps.len();
    let effects = h.step(Event::ProviderDidReset);
    for expected in [
        Effect::StopMedia {
            call: answered_call,
        },
        Effect::HangUp {
            call: answered_call,
        },
        Effect::CancelTimer {
            timer: Timer::Ring(pending_call),
        },
        Effect::RejectIncoming {
            call: pending_call,
            reason: RejectReason::Failed,
        },
        Effect::CancelTimer {
            timer: Timer::AnswerConnect(answering_call),
        },
        Effect::RejectIncoming {
            call: answering_call,
            reason: RejectReason::Failed,
        },
        Effect::CompletePush { push: PushId(2) },
        Effect::CancelTimer {
            timer: Timer::PushCompletion(PushId(2)),
        },
    ] {
        assert!(
            effects.contains(&expected),
            "missing {expected:?} in {effects:#?}"
        );
    }
    assert_eq!(
        count(&effects, |e| matches!(e, Effect::ReportCallEnded { .. })),
        0,
        "CallKit dropped the calls itself"
    );
    assert_eq!(
        action_outcomes_since(&h, marker, held),
        0,
        "reset voids actions"
    );
    assert_eq!(h.engine.calls().count(), 0);
    assert_eq!(h.engine.timers().count(), 0);
    assert_eq!(h.engine.poll_timeout(), None);
    assert!(h.engine.is_idle());
    assert!(!h.engine.audio_session_active());
    assert_eq!(completions(&h, 2), 1);
    // Completions that CallKit delivers after the reset find nothing to act on: races,
    // accepted with no effect (a second completion of the same request is refused).
    let completed = Event::TransactionCompleted {
        transaction: start_tx,
        result: Ok(()),
    };
    benign(&mut h, completed);
    assert_eq!(
        refused(&mut h, completed),
        Error::UnknownTransaction(start_tx)
    );
    benign(&mut h, Event::TimedOutPerforming { action: held });

    // A new push after the reset works as on a fresh engine.
    h.advance(500);
    let fresh_call = call_id(9);
    let effects = h.push(9, &payload(fresh_call));
    let mut fresh = harness();
    fresh.now = h.now;
    let expected = fresh.push(9, &payload(fresh_call));
    assert_eq!(effects, expected);
    assert_report_first(&effects, 9, fresh_call);
    let done = report(&mut h, 9, Ok(()));
    assert!(done.contains(&Effect::CompletePush { push: PushId(9) }));
    assert_eq!(
        h.engine.call(fresh_call).unwrap().phase(),
        CallPhase::Ringing
    );
    h.advance_firing(RING_MS);
    assert!(h.engine.is_idle());
    finish(&mut h);
}

// ------------------------------------------------------------------ 13. timed-out actions

#[test]
fn a_timed_out_answer_is_never_fulfilled_or_failed_afterwards() {
    let mut h = harness();
    let call = call_id(1);
    let answer = action_id(1);
    ring(&mut h, 1, call);
    h.step(Event::PerformAnswerCall {
        action: answer,
        call,
    });
    h.advance(4_000);
    let marker = h.steps.len();
    let effects = h.step(Event::TimedOutPerforming { action: answer });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::AnswerConnect(call),
            },
            Effect::RejectIncoming {
                call,
                reason: RejectReason::Failed,
            },
            Effect::ReportCallEnded {
                call,
                at: ms(4_000),
                reason: CallEndedReason::Failed,
            },
        ]
    );
    assert!(h.engine.call(call).is_none());
    // The connection arriving now, and the old answer deadline, produce nothing for it.
    benign(&mut h, Event::IncomingCallConnected { call });
    h.advance_firing(ANSWER_CONNECT_MS * 2);
    benign(&mut h, Event::TimedOutPerforming { action: answer });
    assert_eq!(action_outcomes_since(&h, marker, answer), 0);
    assert_eq!(action_outcomes_since(&h, 0, answer), 0);
    finish(&mut h);
}

#[test]
fn a_timed_out_start_action_is_never_fulfilled_or_failed_afterwards() {
    let mut h = harness();
    let call = call_id(1);
    let start = action_id(1);
    starting_outgoing(&mut h, call, start);
    h.advance(60_000);
    let effects = h.step(Event::TimedOutPerforming { action: start });
    assert_eq!(
        effects,
        vec![
            Effect::CancelTimer {
                timer: Timer::StartConnect(call)
            },
            Effect::HangUp { call },
            Effect::ReportCallEnded {
                call,
                at: at(&h),
                reason: CallEndedReason::Failed,
            },
        ]
    );
    benign(&mut h, Event::OutgoingCallConnecting { call });
    benign(&mut h, Event::TimedOutPerforming { action: start });
    assert_eq!(action_outcomes_since(&h, 0, start), 0);
    finish(&mut h);
}

// ------------------------------------------------------------ 14. refusals change nothing

#[test]
fn an_event_for_an_unknown_call_is_refused_and_changes_nothing() {
    let mut h = harness();
    ring(&mut h, 1, call_id(1));
    let stranger = call_id(7);
    for event in [
        Event::ConnectionFailed { call: stranger },
        Event::IncomingCallConnected { call: stranger },
        Event::OutgoingCallConnecting { call: stranger },
        Event::RequestEndCall { call: stranger },
        Event::RequestSetMuted {
            call: stranger,
            muted: true,
        },
    ] {
        assert_eq!(
            refused(&mut h, event),
            Error::UnknownCall(stranger),
            "{event:?}"
        );
    }
    finish(&mut h);
}

#[test]
fn an_unknown_push_transaction_or_timer_is_refused_and_changes_nothing() {
    let mut h = harness();
    h.push(1, &payload(call_id(1)));
    h.advance(100);
    assert_eq!(
        refused(
            &mut h,
            Event::IncomingCallReported {
                report: IncomingReport::Push(PushId(42)),
                result: Ok(()),
            }
        ),
        Error::UnknownPush(PushId(42))
    );
    assert_eq!(
        refused(
            &mut h,
            Event::TransactionCompleted {
                transaction: TransactionId(42),
                result: Ok(()),
            }
        ),
        Error::UnknownTransaction(TransactionId(42))
    );
    let not_armed = Timer::Ring(call_id(9));
    assert_eq!(
        refused(&mut h, Event::TimerFired { timer: not_armed }),
        Error::UnknownTimer(not_armed)
    );
    let not_armed = Timer::AnswerConnect(call_id(8));
    assert_eq!(
        refused(&mut h, Event::TimerFired { timer: not_armed }),
        Error::UnknownTimer(not_armed)
    );
    let not_armed = Timer::PushCompletion(PushId(8));
    assert_eq!(
        refused(&mut h, Event::TimerFired { timer: not_armed }),
        Error::UnknownTimer(not_armed)
    );
    let early = Timer::PushCompletion(PushId(1));
    assert_eq!(
        refused(&mut h, Event::TimerFired { timer: early }),
        Error::TimerNotDue {
            timer: early,
            deadline: ms(PUSH_DEADLINE_MS),
        }
    );
    report(&mut h, 1, Ok(()));
    finish(&mut h);
}

#[test]
fn an_event_with_time_going_backwards_is_refused_and_changes_nothing() {
    let mut h = harness();
    h.advance(1_000);
    ring(&mut h, 1, call_id(1));
    assert_eq!(
        refused_at(&mut h, 999, Event::RemoteEnded { call: call_id(1) }),
        Error::TimeWentBackwards {
            last: ms(1_000),
            now: ms(999),
        }
    );
    assert_eq!(h.engine.now(), ms(1_000));
    assert!(h.engine.call(call_id(1)).is_some());
    finish(&mut h);
}

#[test]
fn a_request_to_start_a_call_with_every_slot_taken_is_refused_and_changes_nothing() {
    let mut h = harness();
    for n in 1..=4 {
        ring(&mut h, u64::from(n), call_id(n));
    }
    assert_eq!(
        refused(
            &mut h,
            Event::RequestStartCall {
                call: call_id(5),
                handle: OUT_HANDLE,
                handle_type: HandleType::PhoneNumber,
                video: false,
            }
        ),
        Error::CallCapacity
    );
    finish(&mut h);
}

#[test]
fn a_duplicate_action_id_is_refused_and_changes_nothing() {
    let mut h = harness();
    let call = call_id(1);
    let answer = action_id(1);
    ring(&mut h, 1, call);
    h.step(Event::PerformAnswerCall {
        action: answer,
        call,
    });
    assert_eq!(
        refused(
            &mut h,
            Event::PerformSetMuted {
                action: answer,
                call,
                muted: true,
            }
        ),
        Error::DuplicateAction(answer)
    );
    assert_eq!(
        refused(
            &mut h,
            Event::PerformEndCall {
                action: answer,
                call
            }
        ),
        Error::DuplicateAction(answer)
    );
    assert_eq!(h.engine.call(call).unwrap().deferred_action(), Some(answer));
    finish(&mut h);
}

#[test]
fn an_event_out_of_order_for_the_call_phase_is_refused_and_changes_nothing() {
    let mut h = harness();
    let requested = call_id(1);
    request_outgoing(&mut h, requested);
    assert_eq!(
        refused(&mut h, Event::OutgoingCallConnected { call: requested }),
        Error::WrongPhase(requested)
    );
    let answered_call = call_id(2);
    answered(&mut h, 2, answered_call, action_id(1));
    assert_eq!(
        refused(
            &mut h,
            Event::OutgoingCallConnecting {
                call: answered_call,
            }
        ),
        Error::WrongPhase(answered_call)
    );
    finish(&mut h);
}

#[test]
fn perform_actions_for_an_unknown_call_fail_except_end_which_is_fulfilled() {
    let mut h = harness();
    let stranger = call_id(7);
    let cases: [(u8, Event<'static>); 6] = [
        (
            1,
            Event::PerformAnswerCall {
                action: action_id(1),
                call: stranger,
            },
        ),
        (
            2,
            Event::PerformSetHeld {
                action: action_id(2),
                call: stranger,
                on_hold: true,
            },
        ),
        (
            3,
            Event::PerformSetMuted {
                action: action_id(3),
                call: stranger,
                muted: true,
            },
        ),
        (
            4,
            Event::PerformSetGroup {
                action: action_id(4),
                call: stranger,
                group_with: None,
            },
        ),
        (
            5,
            Event::PerformPlayDtmf {
                action: action_id(5),
                call: stranger,
                digits: "1",
                kind: DtmfType::SingleTone,
            },
        ),
        (
            6,
            Event::PerformStartCall {
                action: action_id(6),
                call: stranger,
                handle: OUT_HANDLE,
                handle_type: HandleType::PhoneNumber,
                video: false,
            },
        ),
    ];
    for (n, event) in cases {
        assert_eq!(
            h.step(event),
            vec![Effect::FailAction {
                action: action_id(n),
            }],
            "{event:?}"
        );
    }
    assert_eq!(
        h.step(Event::PerformEndCall {
            action: action_id(7),
            call: stranger,
        }),
        vec![Effect::FulfillAction {
            action: action_id(7),
        }]
    );
    assert!(h.engine.is_idle());
    finish(&mut h);
}

// ------------------------------------------------------------------- 15. push credentials

#[test]
fn an_invalid_push_token_is_refused_and_changes_nothing() {
    let mut h = harness();
    assert_eq!(
        refused(&mut h, Event::PushCredentialsUpdated { token: &[] }),
        Error::InvalidPushToken
    );
    let too_long = [0x11u8; MAX_PUSH_TOKEN_LEN + 1];
    assert_eq!(
        refused(&mut h, Event::PushCredentialsUpdated { token: &too_long }),
        Error::InvalidPushToken
    );
    finish(&mut h);
}

#[test]
fn push_credentials_are_registered_as_lower_case_hex_and_invalidation_unregisters() {
    let mut h = harness();
    let effects = h.step(Event::PushCredentialsUpdated {
        token: &[0xAB, 0x01],
    });
    match effects.as_slice() {
        [Effect::RegisterPushToken] => assert_eq!(effects.push_token_hex.as_deref(), Some("ab01")),
        other => panic!("want RegisterPushToken, got {other:#?}"),
    }
    let longest = [0xFEu8; MAX_PUSH_TOKEN_LEN];
    let effects = h.step(Event::PushCredentialsUpdated { token: &longest });
    match effects.as_slice() {
        [Effect::RegisterPushToken] => {
            assert_eq!(
                effects.push_token_hex.as_deref(),
                Some("fe".repeat(MAX_PUSH_TOKEN_LEN).as_str())
            )
        }
        other => panic!("want RegisterPushToken, got {other:#?}"),
    }
    assert_eq!(
        h.step(Event::PushCredentialsInvalidated),
        vec![Effect::UnregisterPushToken]
    );
    finish(&mut h);
}

// ------------------------------------------------------------ call translation (iOS 26)

fn translating_harness() -> Harness {
    let mut config = Config::default();
    config.provider.supports_audio_translation = true;
    Harness::new(config)
}

fn translate<'a>(action: u8, call: CallId, local: &'a str, remote: &'a str) -> Event<'a> {
    Event::PerformSetTranslating {
        action: action_id(action),
        call,
        translating: true,
        local_language: local,
        remote_language: remote,
    }
}

#[test]
fn a_translation_action_on_an_answered_call_is_fulfilled_once_and_its_languages_are_queryable() {
    let mut h = translating_harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    assert_eq!(
        h.step(translate(2, call, "en", "zh-Hant-TW")),
        vec![
            Effect::StartTranslation { call },
            Effect::FulfillAction {
                action: action_id(2)
            },
        ]
    );
    let c = h.engine.call(call).unwrap();
    let t = c.translation().expect("translating");
    assert_eq!((t.local.as_str(), t.remote.as_str()), ("en", "zh-Hant-TW"));
    assert_eq!(action_outcomes_since(&h, 0, action_id(2)), 1);
    // CallKit's time-out of the resolved action, later, changes nothing.
    h.advance(60_000);
    benign(
        &mut h,
        Event::TimedOutPerforming {
            action: action_id(2),
        },
    );
    let stop = h.step(Event::PerformSetTranslating {
        action: action_id(3),
        call,
        translating: false,
        local_language: "",
        remote_language: "",
    });
    assert_eq!(
        stop,
        vec![
            Effect::StopTranslation { call },
            Effect::FulfillAction {
                action: action_id(3)
            },
        ]
    );
    assert!(!h.engine.call(call).unwrap().is_translating());
    finish(&mut h);
}

#[test]
fn a_translation_action_is_failed_without_support_before_the_call_is_connected_or_with_a_bad_tag() {
    let failed = |n: u8| {
        vec![Effect::FailAction {
            action: action_id(n),
        }]
    };
    // The configuration does not support translation.
    let mut h = harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    assert_eq!(h.step(translate(2, call, "en", "fr")), failed(2));
    finish(&mut h);

    let mut h = translating_harness();
    ring(&mut h, 1, call);
    assert_eq!(h.step(translate(2, call, "en", "fr")), failed(2), "ringing");
    let outgoing = call_id(2);
    starting_outgoing(&mut h, outgoing, action_id(3));
    h.step(Event::OutgoingCallConnecting { call: outgoing });
    assert_eq!(
        h.step(translate(4, outgoing, "en", "fr")),
        failed(4),
        "not connected yet"
    );
    h.step(Event::OutgoingCallConnected { call: outgoing });
    let long = "a".repeat(MAX_LANGUAGE_TAG_LEN + 1);
    for (n, local) in [(5, ""), (6, "en_US"), (7, "-en"), (8, long.as_str())] {
        assert_eq!(
            h.step(translate(n, outgoing, local, "fr")),
            failed(n),
            "{local:?}"
        );
    }
    assert_eq!(
        h.step(translate(
            9,
            outgoing,
            &"a".repeat(MAX_LANGUAGE_TAG_LEN),
            "fr"
        ))[0],
        Effect::StartTranslation { call: outgoing },
        "the longest tag fits"
    );
    assert_eq!(
        h.step(translate(10, call_id(9), "en", "fr")),
        failed(10),
        "unknown call"
    );
    finish(&mut h);
}

#[test]
fn a_mute_during_translation_mutes_the_input_and_never_stops_the_upstream_media() {
    let mut h = translating_harness();
    let call = call_id(1);
    answered(&mut h, 1, call, action_id(1));
    h.step(Event::DidActivateAudioSession);
    h.step(translate(2, call, "en", "fr"));
    assert!(h.engine.call(call).unwrap().media_running());
    for (n, muted) in [(3, true), (4, false), (5, true)] {
        let effects = h.step(Event::PerformSetMuted {
            action: action_id(n),
            call,
            muted,
        });
        assert_eq!(
            effects,
            vec![
                Effect::SetMuted { call, muted },
                Effect::FulfillAction {
                    action: action_id(n)
                },
            ]
        );
        let c = h.engine.call(call).unwrap();
        assert!(c.media_running() && c.is_translating());
    }
    // The app's own mute, through CXCallController, is the same action.
    h.step(Event::RequestSetMuted { call, muted: false });
    assert!(h.engine.call(call).unwrap().media_running());
    finish(&mut h);
}
