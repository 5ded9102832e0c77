/*
 * Late caller details and the kept end, from C: caller details that arrive while the
 * report is pending wait for it (a later push's name, the app's CK_EVENT_CALL_DETAILS_
 * CHANGED) and become CK_EFFECT_REPORT_CALL_UPDATED; a timer fired after the engine
 * cancelled it is accepted with no effect; a cancel push for a call not ringing here
 * says why in its report step and is ended once CallKit accepts the report (Twilio
 * schema); a call answered elsewhere before its push is reported and ended
 * answeredElsewhere, never rung. Mirrors tests/traces/late-caller-details.jsonl and
 * tests/traces/ended-before-push.jsonl.
 */
#include "ck_test.h"

static ck_engine engine;

static const char first[] =
    "{\"uuid\":\"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11\",\"handle\":\"+15550001111\"}";
static const char named[] =
    "{\"uuid\":\"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11\",\"handle\":\"+15550001111\","
    "\"callerName\":\"Bob\"}";

int main(void) {
  step s;
  ck_event ev;
  ck_config config;
  CHECK_OK(ck_config_default(&config));
  engine_init(&engine, &config);
  ck_uuid call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");

  /* The first push rings; its copy with the caller's name arrives before CallKit
   * answered the first report: nothing is updated yet. */
  ev = push_event(1, first, sizeof first - 1, uuid_fill(0xf1));
  handle_ok(&engine, 0, &ev, &s);
  CHECK(!s.data.has_push_end_reason);
  ev = push_event(2, named, sizeof named - 1, uuid_fill(0xf2));
  handle_ok(&engine, 10, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER);

  /* The app's own details (the address book) wait too. */
  ev = call_event(CK_EVENT_CALL_DETAILS_CHANGED, call);
  ev.caller_name = str("Bob Lee");
  handle_ok(&engine, 20, &ev, &s);
  CHECK(s.len == 0);
  ck_call_info info;
  size_t n = 0;
  CHECK_OK(ck_engine_calls(&engine, &info, 1, &n));
  CHECK(n == 1 && info.report_pending);

  /* CallKit accepts the report: the kept details follow as one call update. */
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 1;
  ev.has_push = 1;
  handle_ok(&engine, 30, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_COMPLETE_PUSH, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_CALL_UPDATED);
  CHECK(uuid_eq(s.fx[2].call, call));
  CHECK(s.data.kind == CK_STEP_DATA_CALL_UPDATE && s.data.call_update.has_caller_name);
  check_text(s.data.call_update.caller_name, s.data.call_update.caller_name_len, "Bob Lee");
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 2;
  ev.has_push = 1;
  ev.has_error = 1;
  ev.error_code = CK_INCOMING_CALL_ERROR_CALL_UUID_ALREADY_EXISTS;
  handle_ok(&engine, 31, &ev, &s);
  CHECK(find(&s, CK_EFFECT_REPORT_CALL_UPDATED) < 0);

  /* Now that CallKit knows the call, new details go out at once; video needs
   * supportsVideo (off by default). */
  ev = call_event(CK_EVENT_CALL_DETAILS_CHANGED, call);
  ev.caller_name = str("Robert Lee");
  handle_ok(&engine, 40, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_CALL_UPDATED);
  check_text(s.data.call_update.caller_name, s.data.call_update.caller_name_len, "Robert Lee");
  ev.caller_name = str("");
  ev.changes_video = 1;
  ev.video = 1;
  CHECK_RESULT(handle(&engine, 41, &ev, &s), CK_RESULT_NOT_SUPPORTED);

  /* Answered at the ring deadline: the ring timer the engine cancels fires anyway. */
  ev = call_event(CK_EVENT_INCOMING_CALL_CONNECTED, call);
  handle_ok(&engine, 50, &ev, &s);
  ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, uuid_fill(0xa1), call);
  handle_ok(&engine, 30000, &ev, &s);
  CHECK(s.fx[0].kind == CK_EFFECT_CANCEL_TIMER && s.fx[0].timer.kind == CK_TIMER_RING);
  ev = event(CK_EVENT_TIMER_FIRED);
  ev.timer = s.fx[0].timer;
  handle_ok(&engine, 30000, &ev, &s);
  CHECK(s.len == 0);
  /* A timer the engine never armed is still refused. */
  ev.timer.call = uuid_fill(0x99);
  CHECK_RESULT(handle(&engine, 30000, &ev, &s), CK_RESULT_UNKNOWN_TIMER);

  /* The remote side hangs up as the user does: the second end is a race, no error. */
  ev = call_event(CK_EVENT_REMOTE_ENDED, call);
  handle_ok(&engine, 31000, &ev, &s);
  CHECK(find(&s, CK_EFFECT_REPORT_CALL_ENDED) >= 0);
  ev = call_event(CK_EVENT_REQUEST_END_CALL, call);
  handle_ok(&engine, 31000, &ev, &s);
  CHECK(s.len == 0);

  /* A Twilio cancel for a call not ringing here: reported, the reason given at once,
   * ended once CallKit accepted the report. */
  ck_config twilio = config_with(CK_SCHEMA_TWILIO);
  engine_init(&engine, &twilio);
  static const char cancel[] =
      "{\"twi_message_type\":\"twilio.voice.cancel\",\"twi_call_sid\":\"CA0001\"}";
  ev = push_event(3, cancel, sizeof cancel - 1, uuid_fill(0xf3));
  handle_ok(&engine, 0, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER);
  CHECK(s.data.has_push_end_reason);
  CHECK(s.data.push_end_reason == CK_PUSH_END_REASON_CANCELLED_UNKNOWN_CALL);
  CHECK(s.data.payload_error == 0 && s.data.payload_field == CK_PAYLOAD_FIELD_NONE);
  ck_uuid cancelled = s.fx[0].call;
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 3;
  ev.has_push = 1;
  handle_ok(&engine, 90, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_COMPLETE_PUSH, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(uuid_eq(s.fx[2].call, cancelled));
  CHECK(s.fx[2].ended_reason == CK_CALL_ENDED_REASON_REMOTE_ENDED);

  /* Refused by CallKit: it never had the call, so no end follows. */
  ev = push_event(4, cancel, sizeof cancel - 1, uuid_fill(0xf4));
  handle_ok(&engine, 100, &ev, &s);
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 4;
  ev.has_push = 1;
  ev.has_error = 1;
  ev.error_code = CK_INCOMING_CALL_ERROR_FILTERED_BY_BLOCK_LIST;
  handle_ok(&engine, 150, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_COMPLETE_PUSH, CK_EFFECT_CANCEL_TIMER);
  CHECK(status_of(&engine).idle);

  /* Answered on another device before its push: the early end is accepted with no
   * effect; the push is reported without ringing and ended answeredElsewhere. */
  engine_init(&engine, &config);
  ck_uuid early = uuid("0e000000-0000-4000-8000-0000000000e1");
  ev = call_event(CK_EVENT_ANSWERED_ELSEWHERE, early);
  handle_ok(&engine, 0, &ev, &s);
  CHECK(s.len == 0);
  static const char early_push[] = "{\"uuid\":\"0e000000-0000-4000-8000-0000000000e1\"}";
  ev = push_event(5, early_push, sizeof early_push - 1, uuid_fill(0xf5));
  handle_ok(&engine, 700, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER);
  CHECK(uuid_eq(s.fx[0].call, early));
  CHECK(s.fx[1].timer.kind == CK_TIMER_PUSH_COMPLETION);
  CHECK(s.data.has_push_end_reason && s.data.push_end_reason == CK_PUSH_END_REASON_CALL_ENDED);
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 5;
  ev.has_push = 1;
  handle_ok(&engine, 800, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_COMPLETE_PUSH, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(s.fx[2].ended_reason == CK_CALL_ENDED_REASON_ANSWERED_ELSEWHERE);
  /* A connection failure of a call never seen is still refused. */
  ev = call_event(CK_EVENT_CONNECTION_FAILED, uuid_fill(0x77));
  CHECK_RESULT(handle(&engine, 900, &ev, &s), CK_RESULT_UNKNOWN_CALL);
  CHECK(status_of(&engine).idle);
  printf("late_details: OK\n");
  return 0;
}
