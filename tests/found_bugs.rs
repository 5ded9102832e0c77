//! Engine bugs the invariant checker and the exhaustive search found, each pinned by a
//! test named for the behaviour it wants (both fixed; docs/testing.md tells the story).

use callkit_engine::{
    CallId, Config, Event, HandleType, IncomingCallError, IncomingReport, PushId,
    RequestTransactionError, TransactionId,
};
use callkit_engine_testkit::{call_id, Harness};

fn payload(call: CallId) -> Vec<u8> {
    format!(r#"{{"uuid":"{call}","handle":"+15550100"}}"#).into_bytes()
}

/// A host may reuse a push id once that push was completed ("unique among the pushes
/// still pending"). Push 1 rings call A and is completed at its deadline without a
/// report result; push 1 again rings call B; CallKit then refuses the *new* report
/// (Do Not Disturb). The refusal must drop B (CallKit never had it) and leave A ringing.
///
/// The bug: the engine looked the result up by the first call whose report push was 1,
/// A, tore it down with no `ReportCallEnded` (CallKit kept ringing it: I4) and kept B
/// although CallKit refused it. Now a new report under a push id takes the id over.
#[test]
fn a_report_result_for_a_reused_push_id_answers_the_newest_push_not_an_older_call() {
    let mut h: Harness = Harness::new(Config::default());
    let (a, b) = (call_id(1), call_id(2));
    h.push(1, &payload(a));
    h.advance_firing(5_000); // push 1 completed at its deadline, no report result
    h.push(1, &payload(b)); // the id is free again
    let effects = h.step(Event::IncomingCallReported {
        report: IncomingReport::Push(PushId(1)),
        result: Err(IncomingCallError::FilteredByDoNotDisturb),
    });
    assert!(h.engine.call(a).is_some(), "A must still ring: {effects:?}");
    assert!(
        h.engine.call(b).is_none(),
        "B was refused by CallKit: {effects:?}"
    );
    h.assert_rules();
}

/// The app requests an outgoing call with UUID A; before CallKit performs its start, a
/// VoIP push arrives whose payload names the same UUID A. The bug: the engine reported
/// it under A as a duplicate of its outgoing call (CallKit, not holding A yet, rang it
/// as an incoming call), and when the start request then failed it dropped A with no
/// end (I4). Now such a push is unusable like a malformed one: reported under the
/// host's fallback UUID and ended at once, leaving the outgoing call alone. A collision
/// between a server's call id and the app's fresh UUID is unlikely, but possible.
#[test]
fn a_push_for_the_uuid_of_a_requested_outgoing_call_is_ended_in_callkit_when_the_start_fails() {
    let mut h: Harness = Harness::new(Config::default());
    let a = call_id(1);
    let effects = h.step(Event::RequestStartCall {
        call: a,
        handle: "+15550199",
        handle_type: HandleType::PhoneNumber,
        video: false,
    });
    let transaction = effects.transaction().unwrap_or(TransactionId(0));
    h.push(1, &payload(a));
    h.step(Event::TransactionCompleted {
        transaction,
        result: Err(RequestTransactionError::CallUuidAlreadyExists),
    });
    h.assert_rules();
}
