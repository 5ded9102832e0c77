/*
 * Held calls, ringback and the audio-activation time-out from C: call waiting ("Hold &
 * Accept", then a swap), where only the unheld call's media runs; an outgoing call whose
 * far end rings (SIP 180) before the audio session is active; an answer whose
 * didActivate never comes; and a mute while the answer waits for its connection, the
 * media starting and restarting muted. Mirrors
 * tests/traces/call-waiting-hold-and-swap.jsonl, outgoing-ringback.jsonl,
 * audio-activation-never-comes.jsonl and mute-while-connecting.jsonl.
 *
 * usage: hold_ringback_audio
 */
#include "ck_test.h"

static ck_engine engine;

/* A push for `call` (Apple-docs layout), reported, connected and answered with `action`. */
static void answered(uint64_t push, const char *id, ck_uuid action, uint64_t at, step *s) {
  char json[128];
  int n = snprintf(json, sizeof json, "{\"callUUID\":\"%s\",\"handle\":\"+14155550100\"}", id);
  CHECK(n > 0 && (size_t)n < sizeof json);
  ck_event ev = push_event(push, json, (size_t)n, uuid_fill((uint8_t)(0xf0 + push)));
  handle_ok(&engine, at, &ev, s);
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = push;
  ev.has_push = 1;
  handle_ok(&engine, at + 100, &ev, s);
  ev = call_event(CK_EVENT_INCOMING_CALL_CONNECTED, uuid(id));
  handle_ok(&engine, at + 200, &ev, s);
  ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, action, uuid(id));
  handle_ok(&engine, at + 300, &ev, s);
  CHECK(find(s, CK_EFFECT_FULFILL_ACTION) >= 0);
}

static void set_held(ck_uuid call, int on_hold, uint8_t action, uint64_t at, step *s) {
  ck_event ev = action_event(CK_EVENT_PERFORM_SET_HELD, uuid_fill(action), call);
  ev.on_hold = (uint8_t)on_hold;
  handle_ok(&engine, at, &ev, s);
}

/* Whether `call`'s media runs, from ck_engine_calls. */
static int media_of(ck_uuid call) {
  ck_call_info calls[CK_MAX_CALLS];
  size_t n = 0;
  CHECK_OK(ck_engine_calls(&engine, calls, CK_MAX_CALLS, &n));
  for (size_t i = 0; i < n; i++) {
    if (uuid_eq(calls[i].call, call)) return calls[i].media_running;
  }
  return 0;
}

static void call_waiting(void) {
  step s;
  ck_event ev;
  const char *a_id = "0a000000-0000-4000-8000-00000000000a";
  const char *b_id = "0b000000-0000-4000-8000-00000000000b";
  const ck_uuid a = uuid(a_id), b = uuid(b_id);
  ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
  engine_init(&engine, &config);

  answered(1, a_id, uuid_fill(0xa1), 0, &s);
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 500, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_START_MEDIA);
  CHECK(s.fx[0].timer.kind == CK_TIMER_AUDIO_ACTIVATION);

  /* B arrives; "Hold & Accept": A is held (its media stops), B answered (its starts). */
  set_held(a, 1, 0xa2, 60000, &s);
  CHECK_KINDS(&s, CK_EFFECT_SET_HELD, CK_EFFECT_STOP_MEDIA, CK_EFFECT_FULFILL_ACTION);
  CHECK(s.fx[0].on_hold && uuid_eq(s.fx[1].call, a));
  answered(2, b_id, uuid_fill(0xb1), 60000, &s);
  CHECK(s.fx[s.len - 1].kind == CK_EFFECT_START_MEDIA && uuid_eq(s.fx[s.len - 1].call, b));
  CHECK(!media_of(a) && media_of(b));

  /* Swap: B held, A resumed. */
  set_held(b, 1, 0xb2, 90000, &s);
  CHECK_KINDS(&s, CK_EFFECT_SET_HELD, CK_EFFECT_STOP_MEDIA, CK_EFFECT_FULFILL_ACTION);
  set_held(a, 0, 0xa3, 90010, &s);
  CHECK_KINDS(&s, CK_EFFECT_SET_HELD, CK_EFFECT_START_MEDIA, CK_EFFECT_FULFILL_ACTION);
  CHECK(!s.fx[0].on_hold && uuid_eq(s.fx[1].call, a));

  /* A's far end hangs up; B stays held and silent until resumed. */
  ev = call_event(CK_EVENT_REMOTE_ENDED, a);
  handle_ok(&engine, 100000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_STOP_MEDIA, CK_EFFECT_REPORT_CALL_ENDED);
  CHECK(!media_of(b));
  {
    ck_call_info calls[CK_MAX_CALLS];
    size_t n = 0;
    CHECK_OK(ck_engine_calls(&engine, calls, CK_MAX_CALLS, &n));
    CHECK(n == 1 && calls[0].on_hold && !calls[0].media_running);
  }
  set_held(b, 0, 0xb3, 101000, &s);
  CHECK_KINDS(&s, CK_EFFECT_SET_HELD, CK_EFFECT_START_MEDIA, CK_EFFECT_FULFILL_ACTION);
  CHECK_OK(ck_engine_deinit(&engine));
}

static void ringback(void) {
  step s;
  ck_event ev;
  const ck_uuid call = uuid("00000000-0000-4000-8000-000000000001");
  ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
  engine_init(&engine, &config);

  ev = call_event(CK_EVENT_REQUEST_START_CALL, call);
  ev.handle = str("+14155550123");
  ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
  handle_ok(&engine, 0, &ev, &s);
  ev = event(CK_EVENT_TRANSACTION_COMPLETED);
  ev.transaction = s.fx[0].transaction;
  handle_ok(&engine, 40, &ev, &s);
  ev = action_event(CK_EVENT_PERFORM_START_CALL, uuid_fill(0xc1), call);
  ev.handle = str("+14155550123");
  ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
  handle_ok(&engine, 60, &ev, &s);

  /* 180 while still starting: startedConnecting first, no tone without a session. */
  ev = call_event(CK_EVENT_OUTGOING_CALL_RINGING, call);
  handle_ok(&engine, 500, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_OUTGOING_CALL_STARTED_CONNECTING,
              CK_EFFECT_FULFILL_ACTION, CK_EFFECT_START_TIMER, CK_EFFECT_START_TIMER);
  CHECK(s.fx[0].timer.kind == CK_TIMER_START_CONNECT);
  CHECK(s.fx[3].timer.kind == CK_TIMER_AUDIO_ACTIVATION && s.fx[3].at_ms == 500 + 5000);
  CHECK(s.fx[4].timer.kind == CK_TIMER_NO_ANSWER && s.fx[4].at_ms == 500 + 60000);
  {
    ck_call_info calls[CK_MAX_CALLS];
    size_t n = 0;
    CHECK_OK(ck_engine_calls(&engine, calls, CK_MAX_CALLS, &n));
    CHECK(n == 1 && calls[0].remote_ringing && !calls[0].ringback_playing);
  }
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 700, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_START_MEDIA, CK_EFFECT_START_RINGBACK);
  CHECK(uuid_eq(s.fx[2].call, call));

  /* A second 180 changes nothing. */
  ev = call_event(CK_EVENT_OUTGOING_CALL_RINGING, call);
  handle_ok(&engine, 900, &ev, &s);
  CHECK(s.len == 0);

  ev = call_event(CK_EVENT_OUTGOING_CALL_CONNECTED, call);
  handle_ok(&engine, 8000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_OUTGOING_CALL_CONNECTED,
              CK_EFFECT_STOP_RINGBACK);
  CHECK(s.fx[0].timer.kind == CK_TIMER_NO_ANSWER);

  /* A 180 for a connected call is refused and changes nothing. */
  ev = call_event(CK_EVENT_OUTGOING_CALL_RINGING, call);
  CHECK_RESULT(handle(&engine, 9000, &ev, &s), CK_RESULT_WRONG_PHASE);
  CHECK_OK(ck_engine_deinit(&engine));
}

static void audio_never_activates(void) {
  step s;
  ck_event ev;
  const char *id = "6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11";
  const ck_uuid call = uuid(id);
  ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
  CHECK(config.audio_activation_timeout_ms == 5000);
  config.audio_activation_timeout_ms = 3000;
  engine_init(&engine, &config);

  answered(1, id, uuid_fill(0xd1), 0, &s);
  CHECK(s.fx[s.len - 1].kind == CK_EFFECT_START_TIMER);
  ck_timer timer = s.fx[s.len - 1].timer;
  CHECK(timer.kind == CK_TIMER_AUDIO_ACTIVATION && uuid_eq(timer.call, call));
  CHECK(s.fx[s.len - 1].at_ms == 300 + 3000);

  ev = event(CK_EVENT_TIMER_FIRED);
  ev.timer = timer;
  handle_ok(&engine, 3300, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_AUDIO_ACTIVATION_TIMED_OUT);
  CHECK(uuid_eq(s.fx[0].call, call));
  /* The call is left as it is: answered, no timer armed. */
  {
    ck_call_info calls[CK_MAX_CALLS];
    size_t n = 0;
    CHECK_OK(ck_engine_calls(&engine, calls, CK_MAX_CALLS, &n));
    CHECK(n == 1 && calls[0].phase == CK_CALL_PHASE_ANSWERED && !calls[0].media_running);
    CHECK(!status_of(&engine).has_deadline);
  }
  /* The host activated the session itself and says so: media starts. */
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 3400, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_START_MEDIA);
  CHECK_OK(ck_engine_deinit(&engine));
}

/* The step starts media, and a SetMuted(true) follows it at once. */
static void check_starts_muted(const step *s) {
  int start = find(s, CK_EFFECT_START_MEDIA);
  CHECK(start >= 0 && (size_t)start + 1 < s->len);
  CHECK(s->fx[start + 1].kind == CK_EFFECT_SET_MUTED && s->fx[start + 1].muted);
}

static void mute_while_connecting(void) {
  step s;
  ck_event ev;
  const char *id = "6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11";
  const ck_uuid call = uuid(id);
  ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
  engine_init(&engine, &config);
  static const char payload[] = "{\"callUUID\":\"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11\"}";
  ev = push_event(1, payload, sizeof payload - 1, uuid_fill(0xf1));
  handle_ok(&engine, 0, &ev, &s);
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 1;
  ev.has_push = 1;
  handle_ok(&engine, 100, &ev, &s);
  /* Answered before the connection: deferred. Muted meanwhile: fulfilled. */
  ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, uuid_fill(0xa1), call);
  handle_ok(&engine, 1500, &ev, &s);
  CHECK(find(&s, CK_EFFECT_ANSWER_INCOMING) < 0);
  ev = action_event(CK_EVENT_PERFORM_SET_MUTED, uuid_fill(0xa2), call);
  ev.muted = 1;
  handle_ok(&engine, 1700, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_SET_MUTED, CK_EFFECT_FULFILL_ACTION);
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 1800, &ev, &s);
  /* Connected: answered, and the media starts muted. */
  ev = call_event(CK_EVENT_INCOMING_CALL_CONNECTED, call);
  handle_ok(&engine, 2600, &ev, &s);
  check_starts_muted(&s);
  /* Held and resumed: the media restarts muted. */
  set_held(call, 1, 0xa3, 30000, &s);
  set_held(call, 0, 0xa4, 90000, &s);
  check_starts_muted(&s);
  CHECK_OK(ck_engine_deinit(&engine));
}

int main(void) {
  call_waiting();
  ringback();
  audio_never_activates();
  mute_while_connecting();
  printf("hold_ringback_audio: OK\n");
  return 0;
}
