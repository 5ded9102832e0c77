/*
 * The bounds of an outgoing call from C: a far end that refuses (busy, declined,
 * unavailable), one that rings and never answers (the no-answer time-out), and
 * signalling that never reports connecting (the start-connect time-out). Mirrors
 * tests/traces/outgoing-refused.jsonl, outgoing-no-answer.jsonl and
 * start-connect-timeout.jsonl.
 *
 * usage: outgoing_bounds
 */
#include "ck_test.h"

static ck_engine engine;

/* Requests and performs a start call for `call` at `at` (its action `action`), and
 * checks the start-connect time-out armed with it. */
static void start(uint64_t at, ck_uuid call, ck_uuid action) {
  step s;
  ck_event ev = call_event(CK_EVENT_REQUEST_START_CALL, call);
  ev.handle = str("+14155550123");
  ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
  handle_ok(&engine, at, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REQUEST_TRANSACTION);
  ev = event(CK_EVENT_TRANSACTION_COMPLETED);
  ev.transaction = s.fx[0].transaction;
  handle_ok(&engine, at + 10, &ev, &s);
  ev = action_event(CK_EVENT_PERFORM_START_CALL, action, call);
  ev.handle = str("+14155550123");
  ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
  handle_ok(&engine, at + 20, &ev, &s);
  /* Then StartMedia when the audio session is active. */
  CHECK(s.len >= 3 && s.fx[0].kind == CK_EFFECT_CONFIGURE_AUDIO_SESSION);
  CHECK(s.fx[1].kind == CK_EFFECT_START_OUTGOING && s.fx[2].kind == CK_EFFECT_START_TIMER);
  CHECK(s.fx[2].timer.kind == CK_TIMER_START_CONNECT && uuid_eq(s.fx[2].timer.call, call));
  CHECK(s.fx[2].at_ms == at + 20 + 4000);
}

/* Fires `timer` at `at`, as the host does when its deadline passes. */
static void fire(uint64_t at, ck_timer timer, step *s) {
  ck_event ev = event(CK_EVENT_TIMER_FIRED);
  ev.timer = timer;
  handle_ok(&engine, at, &ev, s);
}

int main(void) {
  step s;
  ck_event ev;
  ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
  config.start_connect_timeout_ms = 4000;
  config.no_answer_timeout_ms = 30000;
  engine_init(&engine, &config);

  /* Busy: a connecting call refused with 486 ends remoteEnded, no hang-up. */
  const ck_uuid busy = uuid("00000000-0000-4000-8000-000000000001");
  start(0, busy, uuid_fill(0xa1));
  ev = call_event(CK_EVENT_OUTGOING_CALL_CONNECTING, busy);
  handle_ok(&engine, 500, &ev, &s);
  CHECK(s.fx[s.len - 1].kind == CK_EFFECT_START_TIMER);
  CHECK(s.fx[s.len - 1].timer.kind == CK_TIMER_NO_ANSWER && s.fx[s.len - 1].at_ms == 30500);
  ev = call_event(CK_EVENT_OUTGOING_CALL_REFUSED, busy);
  ev.refusal_reason = CK_REFUSAL_REASON_BUSY;
  handle_ok(&engine, 900, &ev, &s);
  /* The audio-activation wait and the no-answer time-out are cancelled. */
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(s.fx[0].timer.kind == CK_TIMER_AUDIO_ACTIVATION);
  CHECK(s.fx[1].timer.kind == CK_TIMER_NO_ANSWER);
  CHECK(s.fx[2].ended_reason == CK_CALL_ENDED_REASON_REMOTE_ENDED);

  /* An unknown refusal reason is an invalid argument, and changes nothing. */
  const ck_uuid unavailable = uuid("00000000-0000-4000-8000-000000000002");
  start(1000, unavailable, uuid_fill(0xa2));
  ev = call_event(CK_EVENT_OUTGOING_CALL_REFUSED, unavailable);
  ev.refusal_reason = 9;
  CHECK_RESULT(handle(&engine, 1100, &ev, &s), CK_RESULT_INVALID_ARGUMENT);
  /* Unavailable (480) while the start action is held: the action fails, the call ends
   * unanswered. */
  ev.refusal_reason = CK_REFUSAL_REASON_UNAVAILABLE;
  handle_ok(&engine, 1200, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_FAIL_ACTION, CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(s.fx[0].timer.kind == CK_TIMER_START_CONNECT);
  CHECK(uuid_eq(s.fx[1].action, uuid_fill(0xa2)));
  CHECK(s.fx[2].ended_reason == CK_CALL_ENDED_REASON_UNANSWERED);

  /* Nobody answers: ringback plays, then the no-answer time-out hangs up. */
  const ck_uuid ringing = uuid("00000000-0000-4000-8000-000000000003");
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 1900, &ev, &s);
  start(2000, ringing, uuid_fill(0xa3));
  ev = call_event(CK_EVENT_OUTGOING_CALL_RINGING, ringing);
  handle_ok(&engine, 2500, &ev, &s);
  CHECK(find(&s, CK_EFFECT_START_RINGBACK) >= 0);
  ck_timer no_answer = {.kind = CK_TIMER_NO_ANSWER, .call = ringing};
  CHECK_RESULT(handle(&engine, 32499, &(ck_event){.kind = CK_EVENT_TIMER_FIRED, .timer = no_answer}, &s),
               CK_RESULT_TIMER_NOT_DUE);
  fire(32500, no_answer, &s);
  CHECK_KINDS(&s, CK_EFFECT_STOP_MEDIA, CK_EFFECT_STOP_RINGBACK, CK_EFFECT_HANG_UP,
              CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(s.fx[3].ended_reason == CK_CALL_ENDED_REASON_UNANSWERED && s.fx[3].at_ms == 32500);

  /* Signalling never connects: the engine fails the start action itself. */
  const ck_uuid silent = uuid("00000000-0000-4000-8000-000000000004");
  start(40000, silent, uuid_fill(0xa4));
  ck_timer start_connect = {.kind = CK_TIMER_START_CONNECT, .call = silent};
  fire(44020, start_connect, &s);
  CHECK_KINDS(&s, CK_EFFECT_FAIL_ACTION, CK_EFFECT_STOP_MEDIA, CK_EFFECT_HANG_UP,
              CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(uuid_eq(s.fx[0].action, uuid_fill(0xa4)));
  CHECK(s.fx[3].ended_reason == CK_CALL_ENDED_REASON_FAILED);

  ck_status status = status_of(&engine);
  CHECK(status.idle && status.calls == 0 && !status.has_deadline);
  printf("outgoing_bounds: OK\n");
  return 0;
}
