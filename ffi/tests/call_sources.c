/*
 * Calls that do not start with a fresh push, from C: an incoming call announced over
 * the app's own connection is reported without a push and its report completes by
 * call (has_push 0); the push for it that follows is the same call; under
 * mustReport == false (CK_MUST_REPORT_NO) a copy of a live call is completed without a
 * report; the app's own Answer button becomes a CXAnswerCallAction request; a push
 * older than the maximum push age by its sent time is a missed call
 * (CK_EFFECT_MISSED_CALL, with the caller's details), never rung; a push without the
 * call id its schema requires (Twilio's preset) is unusable. Mirrors
 * tests/traces/announced-then-pushed.jsonl and tests/traces/stale-push-missed.jsonl.
 */
#include "ck_test.h"

static ck_engine engine;

static const char pushed[] =
    "{\"uuid\":\"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11\",\"handle\":\"+15550001111\"}";
static const char stale[] =
    "{\"uuid\":\"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20\",\"handle\":\"+15550002222\","
    "\"callerName\":\"Ann\",\"sentAt\":1800000000}";

int main(void) {
  step s;
  ck_event ev;
  ck_config config;
  CHECK_OK(ck_config_default(&config));
  CHECK_OK(ck_key_set(&config.schema.sent_at_key, (const uint8_t *)"sentAt", 6));
  CHECK(config.schema.sent_at_unit == CK_SENT_AT_SECONDS);
  CHECK(config.max_push_age_ms == 30000);
  engine_init(&engine, &config);
  ck_uuid call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");

  /* Announced over the app's connection: reported without a push, rung, connected. */
  ev = call_event(CK_EVENT_INCOMING_CALL_ANNOUNCED, call);
  ev.handle = str("+15550001111");
  ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
  ev.caller_name = str("Bob");
  handle_ok(&engine, 0, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_CONNECT_INCOMING,
              CK_EFFECT_START_TIMER);
  CHECK(!s.fx[0].has_push && uuid_eq(s.fx[0].call, call));
  CHECK(s.data.kind == CK_STEP_DATA_CALL_UPDATE && s.data.call_update.has_caller_name);
  check_text(s.data.call_update.caller_name, s.data.call_update.caller_name_len, "Bob");

  /* The server's push for the same call: reported under its UUID, nothing created. */
  ev = push_event(1, pushed, sizeof pushed - 1, uuid_fill(0xf1));
  ev.must_report = CK_MUST_REPORT_YES;
  handle_ok(&engine, 10, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER);
  CHECK(s.fx[0].has_push && s.fx[0].push == 1 && uuid_eq(s.fx[0].call, call));

  /* The announcement's report completes, named by its call. */
  ev = call_event(CK_EVENT_INCOMING_CALL_REPORTED, call);
  ev.has_push = 0;
  handle_ok(&engine, 20, &ev, &s);
  CHECK(s.len == 0);
  ck_call_info info;
  size_t n = 0;
  CHECK_OK(ck_engine_calls(&engine, &info, 1, &n));
  CHECK(n == 1 && !info.report_pending);

  /* The user answers with the app's own button: a CXAnswerCallAction request. */
  ev = call_event(CK_EVENT_REQUEST_ANSWER_CALL, call);
  handle_ok(&engine, 25, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REQUEST_TRANSACTION);
  CHECK(s.fx[0].call_action == CK_CALL_ACTION_ANSWER_CALL && uuid_eq(s.fx[0].call, call));

  /* A third copy under mustReport == false: completed at once, not reported. */
  ev = push_event(2, pushed, sizeof pushed - 1, uuid_fill(0xf2));
  ev.must_report = CK_MUST_REPORT_NO;
  handle_ok(&engine, 30, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_COMPLETE_PUSH);
  CHECK(s.fx[0].push == 2);

  /* A mustReport value out of range is refused like any bad field. */
  ev.must_report = 3;
  CHECK_RESULT(handle(&engine, 40, &ev, &s), CK_RESULT_INVALID_ARGUMENT);

  /* A push sent 31 s before it arrived: a missed call, reported and ended at once. */
  ev = push_event(3, stale, sizeof stale - 1, uuid_fill(0xf3));
  ev.has_received_at = 1;
  ev.received_at_unix_ms = 1800000031000ull;
  handle_ok(&engine, 50, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER, CK_EFFECT_MISSED_CALL);
  CHECK(uuid_eq(s.fx[2].call, uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
  CHECK(s.data.has_push_end_reason && s.data.push_end_reason == CK_PUSH_END_REASON_STALE);
  check_text(s.data.call_update.caller_name, s.data.call_update.caller_name_len, "Ann");
  n = 0;
  CHECK_OK(ck_engine_calls(&engine, &info, 1, &n));
  CHECK(n == 1); /* only the announced call */

  /* Twilio's preset requires the call id: an id-less push is unusable, never rung. */
  static ck_engine twilio;
  ck_config tc = config_with(CK_SCHEMA_TWILIO);
  CHECK(tc.schema.require_call_id == 1);
  engine_init(&twilio, &tc);
  static const char no_id[] = "{\"twi_from\":\"client:alice\"}";
  ev = push_event(1, no_id, sizeof no_id - 1, uuid_fill(0xf4));
  handle_ok(&twilio, 0, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER);
  CHECK(uuid_eq(s.fx[0].call, uuid_fill(0xf4)));
  CHECK(s.data.has_push_end_reason &&
        s.data.push_end_reason == CK_PUSH_END_REASON_MISSING_CALL_ID);

  /* The app maps its server's call id (Twilio's SID) to CallKit's UUID. */
  ck_uuid from_sid, again;
  CHECK_OK(ck_schema_call_id(&tc.schema, (const uint8_t *)"CA11", 4, &from_sid));
  CHECK_OK(ck_schema_call_id(&tc.schema, (const uint8_t *)"CA11", 4, &again));
  CHECK(uuid_eq(from_sid, again) && !uuid_eq(from_sid, uuid_fill(0)));
  CHECK_RESULT(ck_schema_call_id(&tc.schema, (const uint8_t *)"", 0, &again),
               CK_RESULT_INVALID_ARGUMENT);

  printf("call_sources: OK\n");
  return 0;
}
