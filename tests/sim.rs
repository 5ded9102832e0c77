//! Closed-loop scenarios through the CallKit simulator (testkit `sim`): the engine is
//! driven the way iOS would drive it, and the invariant checker watches every step.

use callkit_engine::{
    CallEndedReason, CallId, CallPhase, Config, Effect, Event, ProviderConfiguration, PushId,
};
use callkit_engine_testkit::call_id;
use callkit_engine_testkit::sim::{CallKitSim, SimCallState, SimConfig};

fn payload(call: CallId) -> Vec<u8> {
    format!(r#"{{"uuid":"{call}","handle":"+15550100","callerName":"Caller"}}"#).into_bytes()
}

fn sim(config: SimConfig) -> CallKitSim {
    CallKitSim::new(Config::default(), config)
}

/// The engine is idle, CallKit holds no call, and the run ends with every rule kept.
fn finish_idle(s: &mut CallKitSim) {
    assert!(s.harness.engine.is_idle(), "{}", s.timeline());
    assert!(s.callkit_calls().is_empty());
    s.finish();
}

#[test]
fn an_incoming_call_answered_in_the_system_ui_gets_audio_then_media_and_ends_cleanly() {
    let mut s = sim(SimConfig::default());
    let call = call_id(1);
    let (push, effects) = s.push(&payload(call));
    assert!(matches!(effects[0], Effect::ReportNewIncomingCall { .. }));
    s.advance(1_000);
    assert_eq!(s.completed_pushes(), [push]);
    assert_eq!(s.callkit_calls()[&call].state, SimCallState::Ringing);
    s.user_answers(call).expect("ringing");
    s.advance(1_000);
    assert!(s.audio_active());
    let c = s.harness.engine.call(call).expect("live");
    assert_eq!(c.phase(), CallPhase::Answered);
    assert!(c.media_running());
    let ended = s.send(Event::RemoteEnded { call }).expect("live call");
    assert_eq!(
        CallKitSim::<4, 8, 32>::ended_reason(&ended, call),
        Some(CallEndedReason::RemoteEnded)
    );
    s.advance(1_000);
    assert!(!s.audio_active());
    assert!(s.harness.engine.is_idle());
    assert!(s.callkit_calls().is_empty());
    assert_eq!(s.outstanding_actions(), 0);
    s.finish();
}

#[test]
fn a_duplicate_push_is_answered_call_uuid_already_exists_and_rings_once() {
    let mut s = sim(SimConfig::default());
    let call = call_id(1);
    s.push(&payload(call));
    s.push(&payload(call));
    s.advance(100);
    assert_eq!(s.owed_pushes(), 0);
    assert_eq!(s.harness.engine.calls().count(), 1);
    assert_eq!(s.callkit_calls().len(), 1);
    s.advance(60_000);
    finish_idle(&mut s);
}

#[test]
fn do_not_disturb_and_the_block_list_drop_the_call_and_complete_the_push() {
    let mut s = sim(SimConfig {
        do_not_disturb: true,
        ..SimConfig::default()
    });
    s.push(&payload(call_id(1)));
    s.advance(100);
    assert!(s.harness.engine.is_idle(), "{}", s.timeline());
    assert_eq!(s.owed_pushes(), 0);
    s.config.do_not_disturb = false;
    s.config.blocked_handles.push("+15550100".into());
    s.push(&payload(call_id(2)));
    s.advance(100);
    finish_idle(&mut s);
}

#[test]
fn an_outgoing_call_goes_through_callkit_connects_and_is_ended_by_the_user() {
    let mut s = sim(SimConfig::default());
    let call = call_id(7);
    s.app_starts_call(call, "+15550199").expect("room");
    s.advance(500);
    assert_eq!(s.callkit_calls()[&call].state, SimCallState::Connecting);
    assert!(s.audio_active());
    s.advance(5_000);
    assert_eq!(s.callkit_calls()[&call].state, SimCallState::Active);
    assert_eq!(
        s.harness.engine.call(call).map(|c| c.phase()),
        Some(CallPhase::Connected)
    );
    s.user_ends(call).expect("known");
    s.advance(1_000);
    assert!(s.harness.engine.is_idle());
    assert!(!s.audio_active());
    s.finish();
}

#[test]
fn a_start_action_whose_signalling_never_connects_times_out_in_callkit_and_is_never_resolved() {
    let mut s = sim(SimConfig {
        outgoing_connecting_ms: None,
        outgoing_answer_ms: None,
        ..SimConfig::default()
    });
    let call = call_id(7);
    s.app_starts_call(call, "+15550199").expect("room");
    s.advance(61_000);
    assert_eq!(s.outstanding_actions(), 0);
    finish_idle(&mut s);
}

#[test]
fn an_answer_before_the_connection_is_ready_is_held_until_signalling_connects() {
    let mut s = sim(SimConfig {
        incoming_connect_ms: Some(4_000),
        ..SimConfig::default()
    });
    let call = call_id(3);
    s.push(&payload(call));
    s.advance(100);
    s.user_answers(call).expect("ringing");
    assert_eq!(
        s.harness.engine.call(call).map(|c| c.phase()),
        Some(CallPhase::Answering)
    );
    s.advance(5_000);
    assert_eq!(
        s.harness.engine.call(call).map(|c| c.phase()),
        Some(CallPhase::Answered)
    );
    assert!(s.harness.engine.call(call).unwrap().media_running());
    s.finish();
}

#[test]
fn a_provider_reset_mid_call_leaves_both_sides_empty() {
    let mut s = sim(SimConfig::default());
    s.push(&payload(call_id(1)));
    s.advance(500);
    s.user_answers(call_id(1));
    s.push(&payload(call_id(2)));
    s.app_starts_call(call_id(3), "+15550199").expect("room");
    s.advance(3);
    s.reset();
    s.advance(120_000);
    assert_eq!(s.owed_pushes(), 0);
    finish_idle(&mut s);
}

#[test]
fn a_third_outgoing_call_beyond_maximum_call_groups_is_refused_by_callkit_and_dropped() {
    let config = Config {
        provider: ProviderConfiguration {
            maximum_call_groups: 2,
            ..ProviderConfiguration::default()
        },
        ..Config::default()
    };
    let mut s: CallKitSim = CallKitSim::new(config, SimConfig::default());
    for n in 1..=3 {
        s.app_starts_call(call_id(n), "+15550199").expect("room");
        s.advance(1_000);
    }
    assert_eq!(s.callkit_calls().len(), 2);
    assert!(
        s.harness.engine.call(call_id(3)).is_none(),
        "{}",
        s.timeline()
    );
    s.finish();
}

#[test]
fn a_flood_of_pushes_is_reported_and_completed_one_by_one() {
    let mut s = sim(SimConfig {
        report_latency_ms: 6_000,
        ..SimConfig::default()
    });
    for n in 1..=12u8 {
        s.push(&payload(call_id(n)));
    }
    s.advance(10_000);
    assert_eq!(s.owed_pushes(), 0);
    assert_eq!(s.completed_pushes().len(), 12);
    assert!(s.completed_pushes().contains(&PushId(12)));
    s.advance(60_000);
    s.finish();
}
