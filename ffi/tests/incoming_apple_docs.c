/*
 * The Apple-docs incoming call, from C: a VoIP push with the real corpus payload
 * (tests/payloads/apple-docs-calluuid.json), the report and its completion, the
 * connection, the answer, the audio session, the end. Mirrors
 * tests/traces/apple-docs-answered-and-hung-up.jsonl.
 *
 * usage: incoming_apple_docs <tests/payloads directory>
 */
#include "ck_test.h"

static ck_engine engine; /* static storage: zeroed, aligned */

int main(int argc, char **argv) {
  char path[4096];
  uint8_t payload[CK_MAX_PAYLOAD_LEN + 1];
  size_t payload_len;
  step s;
  ck_event ev;
  const ck_uuid call = uuid("6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
  const ck_uuid answer = uuid_fill(0xa1);
  const ck_uuid end = uuid_fill(0xa2);

  CHECK(argc == 2);
  payload_len = read_file(path_join(path, sizeof path, argv[1], "apple-docs-calluuid.json"),
                          payload, sizeof payload);
  CHECK(payload_len > 0 && payload_len <= CK_MAX_PAYLOAD_LEN);

  ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
  engine_init(&engine, &config);

  /* 0 ms: the push. The report comes first, in this very step (iOS 13 rule). */
  ev = push_event(1, payload, payload_len, uuid_fill(0xfb));
  handle_ok(&engine, 0, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER,
              CK_EFFECT_CONNECT_INCOMING, CK_EFFECT_START_TIMER);
  CHECK(s.fx[0].push == 1);
  CHECK(uuid_eq(s.fx[0].call, call));
  CHECK(s.data.kind == CK_STEP_DATA_CALL_UPDATE);
  CHECK(s.data.call_update.has_remote_handle);
  CHECK(s.data.call_update.remote_handle.handle_type == CK_HANDLE_TYPE_PHONE_NUMBER);
  check_text(s.data.call_update.remote_handle.value, s.data.call_update.remote_handle.value_len,
             "+14085551234");
  CHECK(!s.data.call_update.has_caller_name);
  CHECK(!s.data.call_update.has_video);
  CHECK(s.data.call_update.supports_holding && s.data.call_update.supports_dtmf);
  CHECK(!s.data.call_update.supports_grouping && !s.data.call_update.supports_ungrouping);
  CHECK(s.fx[1].timer.kind == CK_TIMER_PUSH_COMPLETION && s.fx[1].timer.push == 1);
  CHECK(s.fx[1].at_ms == 5000);
  CHECK(uuid_eq(s.fx[2].call, call));
  CHECK(s.fx[3].timer.kind == CK_TIMER_RING && uuid_eq(s.fx[3].timer.call, call));
  CHECK(s.fx[3].at_ms == 30000);

  /* The engine's view: one ringing call, two armed timers. */
  {
    ck_call_info calls[CK_MAX_CALLS];
    ck_timer_deadline timers[CK_MAX_TIMERS];
    size_t n = 0;
    CHECK_OK(ck_engine_calls(&engine, calls, CK_MAX_CALLS, &n));
    CHECK(n == 1);
    CHECK(uuid_eq(calls[0].call, call));
    CHECK(calls[0].direction == CK_DIRECTION_INCOMING);
    CHECK(calls[0].phase == CK_CALL_PHASE_RINGING);
    CHECK(calls[0].report_pending && !calls[0].media_running);
    CHECK_RESULT(ck_engine_timers(&engine, timers, 1, &n), CK_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 2);
    CHECK_OK(ck_engine_timers(&engine, timers, CK_MAX_TIMERS, &n));
    CHECK(n == 2);
    CHECK(timers[0].timer.kind == CK_TIMER_PUSH_COMPLETION && timers[0].deadline_ms == 5000);
    CHECK(timers[1].timer.kind == CK_TIMER_RING && timers[1].deadline_ms == 30000);
    ck_status st = status_of(&engine);
    CHECK(st.calls == 1 && st.pending_pushes == 1 && !st.idle);
    CHECK(st.has_deadline && st.next_deadline_ms == 5000);
  }

  /* 150 ms: CallKit accepted the report; now the PushKit completion may run. */
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 1;
  ev.has_push = 1;
  handle_ok(&engine, 150, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_COMPLETE_PUSH, CK_EFFECT_CANCEL_TIMER);
  CHECK(s.fx[0].push == 1);
  CHECK(s.fx[1].timer.kind == CK_TIMER_PUSH_COMPLETION && s.fx[1].timer.push == 1);
  CHECK(s.data.kind == CK_STEP_DATA_NONE);

  /* 900 ms: the signalling leg is connected. */
  ev = call_event(CK_EVENT_INCOMING_CALL_CONNECTED, call);
  handle_ok(&engine, 900, &ev, &s);
  CHECK(s.len == 0);

  /* 4000 ms: the user answers. */
  ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, answer, call);
  handle_ok(&engine, 4000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_CONFIGURE_AUDIO_SESSION,
              CK_EFFECT_ANSWER_INCOMING, CK_EFFECT_FULFILL_ACTION, CK_EFFECT_START_TIMER);
  CHECK(s.fx[0].timer.kind == CK_TIMER_RING);
  CHECK(uuid_eq(s.fx[2].call, call));
  CHECK(uuid_eq(s.fx[3].action, answer));
  /* The wait for didActivate, 5000 ms by default. */
  CHECK(s.fx[4].timer.kind == CK_TIMER_AUDIO_ACTIVATION && uuid_eq(s.fx[4].timer.call, call));
  CHECK(s.fx[4].at_ms == 4000 + 5000);

  /* 4200 ms: CallKit activated the audio session: media starts only now. */
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 4200, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_START_MEDIA);
  CHECK(s.fx[0].timer.kind == CK_TIMER_AUDIO_ACTIVATION);
  CHECK(uuid_eq(s.fx[1].call, call));
  CHECK(status_of(&engine).audio_session_active);

  /* 64000 ms: the user ends the call from the CallKit UI. */
  ev = action_event(CK_EVENT_PERFORM_END_CALL, end, call);
  handle_ok(&engine, 64000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_STOP_MEDIA, CK_EFFECT_HANG_UP, CK_EFFECT_FULFILL_ACTION);
  CHECK(uuid_eq(s.fx[2].action, end));

  ev = event(CK_EVENT_DID_DEACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 64100, &ev, &s);
  CHECK(s.len == 0);

  ck_status st = status_of(&engine);
  CHECK(st.idle && st.calls == 0 && st.pending_pushes == 0 && !st.has_deadline);
  CHECK(st.now_ms == 64100 && !st.audio_session_active);

  CHECK_OK(ck_engine_deinit(&engine));
  printf("incoming_apple_docs: OK\n");
  return 0;
}
