/*
 * providerDidReset from C, with a configuration set from C (grouping on, a 45 s ring):
 * one call answered and talking, a second answered and grouped with it, a third
 * ringing; CallKit resets; every call is released without reportCall(endedAt:) and no
 * action is fulfilled or failed afterwards. Then the signalling ends of other calls
 * (declined / answered elsewhere, remote ended, connection failed, action time-out),
 * each with Apple's CXCallEndedReason. Mirrors tests/traces/reset-with-two-calls.jsonl.
 *
 * usage: reset <tests/payloads directory>
 */
#include "ck_test.h"

static ck_engine engine;

static int count(const step *s, ck_effect_kind kind) {
  int n = 0;
  for (size_t i = 0; i < s->len; i++) n += s->fx[i].kind == kind;
  return n;
}

/* A push for call `id` (hyphenated text) named `name`, reported without error. */
static ck_uuid ring(uint64_t now_ms, uint64_t push, const char *id, const char *name) {
  char json[256];
  step s;
  int n = snprintf(json, sizeof json, "{\"uuid\":\"%s\",\"handle\":\"+15550001111\",\"callerName\":\"%s\"}",
                   id, name);
  CHECK(n > 0 && (size_t)n < sizeof json);
  ck_event ev = push_event(push, json, (size_t)n, uuid_fill(0xfb));
  handle_ok(&engine, now_ms, &ev, &s);
  CHECK(s.fx[0].kind == CK_EFFECT_REPORT_NEW_INCOMING_CALL);
  check_text(s.data.call_update.caller_name, s.data.call_update.caller_name_len, name);
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = push;
  ev.has_push = 1;
  handle_ok(&engine, now_ms + 10, &ev, &s);
  CHECK(s.fx[0].kind == CK_EFFECT_COMPLETE_PUSH);
  return uuid(id);
}

/* The signalling event `kind` for `call` ends it with `reason`. */
static void ended_by(uint64_t now_ms, ck_event_kind kind, ck_uuid call, ck_call_ended_reason reason) {
  step s;
  ck_event ev = call_event(kind, call);
  handle_ok(&engine, now_ms, &ev, &s);
  int i = find(&s, CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(i >= 0);
  CHECK(uuid_eq(s.fx[i].call, call) && s.fx[i].ended_reason == reason && s.fx[i].at_ms == now_ms);
}

static void connected(uint64_t now_ms, ck_uuid call) {
  step s;
  ck_event ev = call_event(CK_EVENT_INCOMING_CALL_CONNECTED, call);
  handle_ok(&engine, now_ms, &ev, &s);
}

static void answer(uint64_t now_ms, ck_uuid call, uint8_t action) {
  step s;
  ck_event ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, uuid_fill(action), call);
  handle_ok(&engine, now_ms, &ev, &s);
  CHECK(find(&s, CK_EFFECT_ANSWER_INCOMING) >= 0);
  CHECK(find(&s, CK_EFFECT_FULFILL_ACTION) >= 0);
  CHECK(uuid_eq(s.fx[find(&s, CK_EFFECT_FULFILL_ACTION)].action, uuid_fill(action)));
}

int main(int argc, char **argv) {
  char path[4096];
  uint8_t payload[CK_MAX_PAYLOAD_LEN];
  step s;
  ck_event ev;

  CHECK(argc == 2);
  ck_config config = config_with(CK_SCHEMA_REACT_NATIVE_VOIP_PUSH);
  config.supports_grouping = 1;
  config.supports_ungrouping = 1;
  config.ring_timeout_ms = 45000;
  CHECK_OK(ck_config_validate(&config));
  engine_init(&engine, &config);
  {
    ck_config back;
    CHECK_OK(ck_engine_get_config(&engine, &back));
    CHECK(back.supports_grouping == 1 && back.supports_ungrouping == 1);
    CHECK(back.ring_timeout_ms == 45000 && back.push_completion_timeout_ms == 5000);
    CHECK(back.schema.id_kind == CK_CALL_ID_UUID);
    check_text(back.schema.id_key.bytes, back.schema.id_key.len, "uuid");
    check_text(back.schema.caller_name_key.bytes, back.schema.caller_name_key.len, "callerName");
  }

  /* Call A: Bob, from the corpus payload, answered and talking. */
  size_t n = read_file(path_join(path, sizeof path, argv[1], "rn-voip-push.json"), payload,
                       sizeof payload);
  ev = push_event(1, payload, n, uuid_fill(0xfa));
  handle_ok(&engine, 0, &ev, &s);
  const ck_uuid a = s.fx[0].call;
  CHECK(uuid_eq(a, uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20")));
  check_text(s.data.call_update.caller_name, s.data.call_update.caller_name_len, "Bob");
  CHECK(s.fx[3].timer.kind == CK_TIMER_RING && s.fx[3].at_ms == 45000); /* the config's ring */
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 1;
  ev.has_push = 1;
  handle_ok(&engine, 100, &ev, &s);
  connected(800, a);
  answer(3000, a, 0xa1);
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 3100, &ev, &s);

  /* Call B: Dana, answered, then grouped with A. */
  const ck_uuid b = ring(20000, 2, "d4c3b2a1-0f9e-4d8c-b7a6-958473625140", "Dana");
  connected(21000, b);
  answer(22000, b, 0xa2);
  ev = action_event(CK_EVENT_PERFORM_SET_GROUP, uuid_fill(0xa3), b);
  ev.has_group_with = 1;
  ev.group_with = a;
  handle_ok(&engine, 22500, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_SET_GROUP, CK_EFFECT_FULFILL_ACTION);
  CHECK(uuid_eq(s.fx[0].call, b) && s.fx[0].has_group_with && uuid_eq(s.fx[0].group_with, a));

  /* Call C: Eve, ringing. */
  const ck_uuid c = ring(23000, 3, "11111111-2222-4333-8444-555555555555", "Eve");
  {
    ck_call_info calls[CK_MAX_CALLS];
    size_t len = 0;
    CHECK_RESULT(ck_engine_calls(&engine, calls, 2, &len), CK_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == 3);
    CHECK_OK(ck_engine_calls(&engine, calls, CK_MAX_CALLS, &len));
    CHECK(len == 3);
    CHECK(calls[0].phase == CK_CALL_PHASE_ANSWERED && calls[0].media_running);
    CHECK(calls[1].phase == CK_CALL_PHASE_ANSWERED && uuid_eq(calls[1].group, calls[0].group));
    CHECK(calls[2].phase == CK_CALL_PHASE_RINGING && uuid_eq(calls[2].call, c));
  }

  /* callservicesd restarted: CallKit resets the provider. */
  ev = event(CK_EVENT_PROVIDER_DID_RESET);
  handle_ok(&engine, 25000, &ev, &s);
  CHECK(count(&s, CK_EFFECT_STOP_MEDIA) == 2);
  CHECK(count(&s, CK_EFFECT_HANG_UP) == 2);
  CHECK(count(&s, CK_EFFECT_REJECT_INCOMING) == 1);
  CHECK(count(&s, CK_EFFECT_CANCEL_TIMER) == 1);
  CHECK(count(&s, CK_EFFECT_REPORT_CALL_ENDED) == 0);
  CHECK(count(&s, CK_EFFECT_FULFILL_ACTION) == 0 && count(&s, CK_EFFECT_FAIL_ACTION) == 0);
  CHECK(s.fx[find(&s, CK_EFFECT_REJECT_INCOMING)].reject_reason == CK_REJECT_REASON_FAILED);
  ev = event(CK_EVENT_DID_DEACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 25050, &ev, &s);
  ck_status st = status_of(&engine);
  CHECK(st.idle && st.calls == 0 && st.pending_pushes == 0 && st.pending_transactions == 0);

  /* A late copy of A's push after the reset: reported, and ended once CallKit accepts
   * the report. */
  ev = push_event(4, payload, n, uuid_fill(0xfc));
  handle_ok(&engine, 26000, &ev, &s);
  CHECK(s.fx[0].kind == CK_EFFECT_REPORT_NEW_INCOMING_CALL && uuid_eq(s.fx[0].call, a));
  CHECK(find(&s, CK_EFFECT_REPORT_CALL_ENDED) < 0);
  CHECK(s.data.has_push_end_reason && s.data.push_end_reason == CK_PUSH_END_REASON_CALL_ENDED);
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 4;
  ev.has_push = 1;
  handle_ok(&engine, 26010, &ev, &s);
  CHECK(find(&s, CK_EFFECT_REPORT_CALL_ENDED) >= 0);
  CHECK(s.fx[find(&s, CK_EFFECT_REPORT_CALL_ENDED)].ended_reason == CK_CALL_ENDED_REASON_REMOTE_ENDED);

  /* The signalling ends calls with Apple's reasons: each call rings (push 5, 6, ... at
   * 30000, 31000, ... ms) and is ended 100 ms later. */
  {
    static const struct {
      const char *id;
      const char *name;
      ck_event_kind kind;
      ck_call_ended_reason reason;
    } endings[] = {
        {"20000000-0000-4000-8000-000000000001", "Fay", CK_EVENT_DECLINED_ELSEWHERE,
         CK_CALL_ENDED_REASON_DECLINED_ELSEWHERE},
        {"20000000-0000-4000-8000-000000000002", "Gus", CK_EVENT_ANSWERED_ELSEWHERE,
         CK_CALL_ENDED_REASON_ANSWERED_ELSEWHERE},
        {"20000000-0000-4000-8000-000000000003", "Hal", CK_EVENT_REMOTE_ENDED,
         CK_CALL_ENDED_REASON_REMOTE_ENDED},
        {"20000000-0000-4000-8000-000000000004", "Ida", CK_EVENT_CONNECTION_FAILED,
         CK_CALL_ENDED_REASON_FAILED},
    };
    for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++) {
      const uint64_t at_ms = 30000 + 1000 * (uint64_t)i;
      const ck_uuid call = ring(at_ms, 5 + i, endings[i].id, endings[i].name);
      ended_by(at_ms + 100, endings[i].kind, call, endings[i].reason);
    }
  }

  /* An answer before the connection is ready is deferred; CallKit times it out. */
  const ck_uuid j = ring(34000, 9, "20000000-0000-4000-8000-000000000005", "Jo");
  ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, uuid_fill(0xa9), j);
  handle_ok(&engine, 34100, &ev, &s);
  CHECK(find(&s, CK_EFFECT_FULFILL_ACTION) < 0); /* deferred */
  ev = event(CK_EVENT_TIMED_OUT_PERFORMING);
  ev.action = uuid_fill(0xa9);
  handle_ok(&engine, 34200, &ev, &s);
  CHECK(find(&s, CK_EFFECT_FULFILL_ACTION) < 0 && find(&s, CK_EFFECT_FAIL_ACTION) < 0);
  CHECK(find(&s, CK_EFFECT_REPORT_CALL_ENDED) >= 0);
  CHECK(s.fx[find(&s, CK_EFFECT_REPORT_CALL_ENDED)].ended_reason == CK_CALL_ENDED_REASON_FAILED);

  CHECK(status_of(&engine).idle);
  printf("reset: OK\n");
  return 0;
}
