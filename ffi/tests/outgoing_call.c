/*
 * An outgoing call from C, plus push-token registration: the app requests a start call
 * through CXCallController, CallKit performs it, signalling connects, the remote
 * answers, DTMF, mute, hold from the app, and the app ends the call. Mirrors
 * tests/traces/outgoing-call.jsonl.
 *
 * usage: outgoing_call
 */
#include "ck_test.h"

static ck_engine engine;

/* Handles `ev`, which must request exactly one CXCallController transaction for
 * `action`. */
static void request_ok(uint64_t now_ms, const ck_event *ev, step *s, ck_call_action_kind action) {
  handle_ok(&engine, now_ms, ev, s);
  CHECK_KINDS(s, CK_EFFECT_REQUEST_TRANSACTION);
  CHECK(s->fx[0].call_action == action);
}

/* The completion of CXCallController.request for `transaction`, without error. */
static void transaction_ok(uint64_t now_ms, uint64_t transaction) {
  step s;
  ck_event ev = event(CK_EVENT_TRANSACTION_COMPLETED);
  ev.transaction = transaction;
  handle_ok(&engine, now_ms, &ev, &s);
  CHECK(s.len == 0);
}

int main(void) {
  step s;
  ck_event ev;
  const ck_uuid call = uuid("00000000-0000-4000-8000-000000000001");
  const uint8_t token[4] = {0xde, 0xad, 0xbe, 0xef};

  ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
  engine_init(&engine, &config);

  ev = event(CK_EVENT_PROVIDER_DID_BEGIN);
  handle_ok(&engine, 0, &ev, &s);
  CHECK(s.len == 0);

  /* PushKit credentials: the hex token goes to the server. */
  ev = event(CK_EVENT_PUSH_CREDENTIALS_UPDATED);
  ev.token.ptr = token;
  ev.token.len = sizeof token;
  handle_ok(&engine, 0, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_REGISTER_PUSH_TOKEN);
  CHECK(s.data.kind == CK_STEP_DATA_PUSH_TOKEN_HEX);
  check_text(s.data.push_token_hex, s.data.push_token_hex_len, "deadbeef");

  /* The user starts a call in the app: a CXStartCallAction is requested. */
  ev = call_event(CK_EVENT_REQUEST_START_CALL, call);
  ev.handle = str("+14155550123");
  ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
  request_ok(0, &ev, &s, CK_CALL_ACTION_START_CALL);
  CHECK(s.fx[0].transaction == 0 && uuid_eq(s.fx[0].call, call) && !s.fx[0].video);
  CHECK(s.data.kind == CK_STEP_DATA_HANDLE);
  CHECK(s.data.handle.handle_type == CK_HANDLE_TYPE_PHONE_NUMBER);
  check_text(s.data.handle.value, s.data.handle.value_len, "+14155550123");
  transaction_ok(40, 0);

  /* CallKit performs the start action. */
  ev = action_event(CK_EVENT_PERFORM_START_CALL, uuid_fill(0xb1), call);
  ev.handle = str("+14155550123");
  ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
  handle_ok(&engine, 60, &ev, &s);
  /* The start action is held until signalling connects, for at most the start-connect
   * bound. */
  CHECK_KINDS(&s, CK_EFFECT_CONFIGURE_AUDIO_SESSION, CK_EFFECT_START_OUTGOING,
              CK_EFFECT_START_TIMER);
  CHECK(uuid_eq(s.fx[1].call, call) && !s.fx[1].video);
  CHECK(s.fx[2].timer.kind == CK_TIMER_START_CONNECT && s.fx[2].at_ms == 60 + 10000);
  CHECK(s.data.kind == CK_STEP_DATA_HANDLE);
  check_text(s.data.handle.value, s.data.handle.value_len, "+14155550123");

  /* Signalling connects: startedConnectingAt, then the start action is fulfilled. */
  ev = call_event(CK_EVENT_OUTGOING_CALL_CONNECTING, call);
  handle_ok(&engine, 700, &ev, &s);
  /* The fulfilled start action with the session inactive arms the wait for didActivate. */
  /* The no-answer time-out is armed beside it. */
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_OUTGOING_CALL_STARTED_CONNECTING,
              CK_EFFECT_FULFILL_ACTION, CK_EFFECT_START_TIMER, CK_EFFECT_START_TIMER);
  CHECK(s.fx[0].timer.kind == CK_TIMER_START_CONNECT);
  CHECK(s.fx[1].at_ms == 700);
  CHECK(uuid_eq(s.fx[2].action, uuid_fill(0xb1)));
  CHECK(s.fx[3].timer.kind == CK_TIMER_AUDIO_ACTIVATION);
  CHECK(s.fx[4].timer.kind == CK_TIMER_NO_ANSWER && s.fx[4].at_ms == 700 + 60000);

  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 750, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_START_MEDIA);

  ev = call_event(CK_EVENT_OUTGOING_CALL_CONNECTED, call);
  handle_ok(&engine, 8000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_CANCEL_TIMER, CK_EFFECT_REPORT_OUTGOING_CALL_CONNECTED);
  CHECK(s.fx[0].timer.kind == CK_TIMER_NO_ANSWER);
  CHECK(s.fx[1].at_ms == 8000);

  /* DTMF from the CallKit keypad. */
  ev = action_event(CK_EVENT_PERFORM_PLAY_DTMF, uuid_fill(0xb2), call);
  ev.digits = str("42#");
  ev.dtmf_type = CK_DTMF_TYPE_SINGLE_TONE;
  handle_ok(&engine, 12000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_PLAY_DTMF, CK_EFFECT_FULFILL_ACTION);
  CHECK(s.fx[0].dtmf_type == CK_DTMF_TYPE_SINGLE_TONE);
  CHECK(s.data.kind == CK_STEP_DATA_DTMF_DIGITS);
  check_text(s.data.dtmf_digits, s.data.dtmf_digits_len, "42#");

  /* Mute from the CallKit UI. */
  ev = action_event(CK_EVENT_PERFORM_SET_MUTED, uuid_fill(0xb3), call);
  ev.muted = 1;
  handle_ok(&engine, 15000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_SET_MUTED, CK_EFFECT_FULFILL_ACTION);
  CHECK(s.fx[0].muted);

  /* Hold from the app: requested through CXCallController, then performed. */
  ev = call_event(CK_EVENT_REQUEST_SET_HELD, call);
  ev.on_hold = 1;
  request_ok(20000, &ev, &s, CK_CALL_ACTION_SET_HELD);
  CHECK(s.fx[0].on_hold);
  uint64_t hold_transaction = s.fx[0].transaction;
  transaction_ok(20010, hold_transaction);
  ev = action_event(CK_EVENT_PERFORM_SET_HELD, uuid_fill(0xb4), call);
  ev.on_hold = 1;
  handle_ok(&engine, 20020, &ev, &s);
  /* A held call's media stops. */
  CHECK_KINDS(&s, CK_EFFECT_SET_HELD, CK_EFFECT_STOP_MEDIA, CK_EFFECT_FULFILL_ACTION);
  CHECK(s.fx[0].on_hold);

  /* Unmute and DTMF from the app go through CXCallController too. */
  ev = call_event(CK_EVENT_REQUEST_SET_MUTED, call);
  ev.muted = 0;
  request_ok(21000, &ev, &s, CK_CALL_ACTION_SET_MUTED);
  CHECK(!s.fx[0].muted);
  transaction_ok(21010, s.fx[0].transaction);
  ev = call_event(CK_EVENT_REQUEST_PLAY_DTMF, call);
  ev.digits = str("9");
  ev.dtmf_type = CK_DTMF_TYPE_SINGLE_TONE;
  request_ok(22000, &ev, &s, CK_CALL_ACTION_PLAY_DTMF);
  CHECK(s.data.kind == CK_STEP_DATA_DTMF_DIGITS);
  check_text(s.data.dtmf_digits, s.data.dtmf_digits_len, "9");
  transaction_ok(22010, s.fx[0].transaction);

  /* The user ends the call in the app: a CXEndCallAction is requested, then performed. */
  ev = call_event(CK_EVENT_REQUEST_END_CALL, call);
  request_ok(90000, &ev, &s, CK_CALL_ACTION_END_CALL);
  CHECK(uuid_eq(s.fx[0].call, call));
  transaction_ok(90030, s.fx[0].transaction);
  ev = action_event(CK_EVENT_PERFORM_END_CALL, uuid_fill(0xb5), call);
  handle_ok(&engine, 90050, &ev, &s);
  /* On hold, so no media to stop. */
  CHECK_KINDS(&s, CK_EFFECT_HANG_UP, CK_EFFECT_FULFILL_ACTION);
  CHECK(uuid_eq(s.fx[1].action, uuid_fill(0xb5)));

  ev = event(CK_EVENT_DID_DEACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 90200, &ev, &s);
  CHECK(s.len == 0);

  ev = event(CK_EVENT_PUSH_CREDENTIALS_INVALIDATED);
  handle_ok(&engine, 90300, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_UNREGISTER_PUSH_TOKEN);

  CHECK(status_of(&engine).idle);
  printf("outgoing_call: OK\n");
  return 0;
}
