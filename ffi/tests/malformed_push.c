/*
 * Malformed VoIP pushes from C (default react-native schema): wrong JSON types, bytes
 * that are not JSON, a truncated object, an oversize payload. Each one is still
 * reported to CallKit in its own step, under the host's fallback UUID, with the reason
 * in the step data (which payload error, at which schema field), and ended as failed
 * once CallKit accepts the report. Also: a caller name holding a NUL byte crosses intact (text is
 * pointer + length), a push whose report never completes is completed by its timer,
 * and a report that CallKit filters (do not disturb) is rejected towards the server.
 * Mirrors tests/traces/malformed-payload.jsonl.
 *
 * usage: malformed_push <tests/payloads directory>
 */
#include "ck_test.h"

static ck_engine engine;
static uint8_t payload[8192];

/* Pushes `len` bytes as push `push` with fallback UUID fb..fb(`push`) and checks the
 * report-now, end-once-accepted pattern and its reason (`error` at `field`); then
 * completes the report. */
static void malformed(uint64_t now_ms, uint64_t push, const uint8_t *bytes, size_t len,
                      ck_payload_error error, ck_payload_field field) {
  step s;
  ck_event ev = event(CK_EVENT_VOIP_PUSH_RECEIVED);
  ck_uuid fallback = uuid_fill(0xf0);
  fallback.bytes[15] = (uint8_t)push;
  ev.push = push;
  ev.payload.ptr = bytes;
  ev.payload.len = len;
  ev.fallback_call = fallback;
  handle_ok(&engine, now_ms, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER);
  CHECK(s.fx[0].push == push && uuid_eq(s.fx[0].call, fallback));
  CHECK(s.data.kind == CK_STEP_DATA_CALL_UPDATE && !s.data.call_update.has_remote_handle);
  CHECK(s.data.has_push_end_reason);
  CHECK(s.data.push_end_reason == CK_PUSH_END_REASON_UNREADABLE);
  CHECK(s.data.payload_error == error && s.data.payload_field == field);

  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = push;
  ev.has_push = 1;
  handle_ok(&engine, now_ms + 80, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_COMPLETE_PUSH, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(s.fx[0].push == push);
  CHECK(uuid_eq(s.fx[2].call, fallback));
  CHECK(s.fx[2].ended_reason == CK_CALL_ENDED_REASON_FAILED);
  CHECK(s.fx[2].at_ms == now_ms + 80);
  CHECK(!s.data.has_push_end_reason);
}

int main(int argc, char **argv) {
  char path[4096];
  step s;
  ck_event ev;
  size_t n;

  CHECK(argc == 2);
  ck_config config;
  CHECK_OK(ck_config_default(&config)); /* react-native-voip-push schema */
  engine_init(&engine, &config);

  n = read_file(path_join(path, sizeof path, argv[1], "wrong-types.json"), payload, sizeof payload);
  malformed(0, 1, payload, n, CK_PAYLOAD_ERROR_WRONG_TYPE, CK_PAYLOAD_FIELD_CALL_ID);
  n = read_file(path_join(path, sizeof path, argv[1], "not-json.bin"), payload, sizeof payload);
  malformed(5000, 2, payload, n, CK_PAYLOAD_ERROR_SYNTAX, CK_PAYLOAD_FIELD_NONE);
  {
    static const char truncated[] =
        "{\"uuid\":\"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20\",\"handle\":\"+44";
    malformed(9000, 3, (const uint8_t *)truncated, sizeof truncated - 1, CK_PAYLOAD_ERROR_SYNTAX,
              CK_PAYLOAD_FIELD_HANDLE);
  }
  n = read_file(path_join(path, sizeof path, argv[1], "oversize-5kib.json"), payload, sizeof payload);
  CHECK(n > CK_MAX_PAYLOAD_LEN);
  malformed(10000, 4, payload, n, CK_PAYLOAD_ERROR_TOO_LARGE, CK_PAYLOAD_FIELD_NONE);
  /* an empty payload: NULL is fine with length 0 */
  malformed(11000, 5, NULL, 0, CK_PAYLOAD_ERROR_SYNTAX, CK_PAYLOAD_FIELD_NONE);

  /* A well-formed push whose caller name holds a NUL (\u0000): it crosses intact. */
  {
    static const char nul_name[] =
        "{\"uuid\":\"d4c3b2a1-0f9e-4d8c-b7a6-958473625140\",\"handle\":\"+15550001111\","
        "\"callerName\":\"Ann\\u0000Lee\"}";
    ev = push_event(6, nul_name, sizeof nul_name - 1, uuid_fill(0xf6));
    handle_ok(&engine, 12000, &ev, &s);
    CHECK_KINDS(&s, CK_EFFECT_REPORT_NEW_INCOMING_CALL, CK_EFFECT_START_TIMER,
                CK_EFFECT_CONNECT_INCOMING, CK_EFFECT_START_TIMER);
    CHECK(uuid_eq(s.fx[0].call, uuid("d4c3b2a1-0f9e-4d8c-b7a6-958473625140")));
    CHECK(s.data.call_update.has_caller_name);
    CHECK(s.data.call_update.caller_name_len == 7);
    CHECK(memcmp(s.data.call_update.caller_name, "Ann\0Lee", 7) == 0);

    /* CallKit never answers the report: the push-completion timer completes the push.
     * Fired early it is refused, and nothing changes. */
    ck_timer timer = s.fx[1].timer;
    uint64_t deadline = s.fx[1].at_ms;
    CHECK(timer.kind == CK_TIMER_PUSH_COMPLETION && timer.push == 6 && deadline == 17000);
    ev = event(CK_EVENT_TIMER_FIRED);
    ev.timer = timer;
    CHECK_RESULT(handle(&engine, 16999, &ev, &s), CK_RESULT_TIMER_NOT_DUE);
    CHECK(status_of(&engine).pending_pushes == 1);
    handle_ok(&engine, deadline, &ev, &s);
    CHECK(find(&s, CK_EFFECT_COMPLETE_PUSH) == 0);
    CHECK(s.fx[0].push == 6);
    CHECK(status_of(&engine).pending_pushes == 0);
    /* Fired again (the host's timer raced the completion): accepted, nothing to do. */
    handle_ok(&engine, deadline, &ev, &s);
    CHECK(s.len == 0);

    /* CallKit's late answer for an already completed push is accepted quietly. */
    ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
    ev.push = 6;
    ev.has_push = 1;
    handle_ok(&engine, 17100, &ev, &s);
    CHECK(find(&s, CK_EFFECT_COMPLETE_PUSH) < 0);
  }

  /* A push that CallKit filters (do not disturb): the server hears why. */
  {
    static const char dnd[] =
        "{\"uuid\":\"11111111-2222-4333-8444-555555555555\",\"handle\":\"bob@example.org\"}";
    ev = push_event(7, dnd, sizeof dnd - 1, uuid_fill(0xf7));
    handle_ok(&engine, 20000, &ev, &s);
    CHECK(s.fx[0].kind == CK_EFFECT_REPORT_NEW_INCOMING_CALL);
    CHECK(s.data.call_update.remote_handle.handle_type == CK_HANDLE_TYPE_EMAIL_ADDRESS);
    ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
    ev.push = 7;
    ev.has_push = 1;
    ev.has_error = 1;
    ev.error_code = CK_INCOMING_CALL_ERROR_FILTERED_BY_DO_NOT_DISTURB;
    handle_ok(&engine, 20100, &ev, &s);
    int reject = find(&s, CK_EFFECT_REJECT_INCOMING);
    CHECK(reject >= 0);
    CHECK(s.fx[reject].reject_reason == CK_REJECT_REASON_DO_NOT_DISTURB);
    CHECK(find(&s, CK_EFFECT_COMPLETE_PUSH) >= 0);
    CHECK(find(&s, CK_EFFECT_REPORT_CALL_ENDED) < 0); /* CallKit never had the call */
  }

  ck_status st = status_of(&engine);
  printf("calls %u, pushes %u\n", st.calls, st.pending_pushes);
  CHECK(st.pending_pushes == 0);
  printf("malformed_push: OK\n");
  return 0;
}
