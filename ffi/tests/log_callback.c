/*
 * The log callback from C: set once (a second set is CK_RESULT_ALREADY_SET, NULL is
 * CK_RESULT_NULL_POINTER), then every corpus payload that names a caller or a handle
 * (tests/payloads/), read through every schema preset, drives an incoming call (push,
 * report, answer, DTMF, end, a refused end) and an outgoing call to the handle the
 * engine read. Records arrive, on this thread and only inside a ck_* call, with the
 * context given, at debug level under the target "callkit_engine", NUL-terminated
 * after `len` bytes; and none holds a caller name, a handle or DTMF digits the engine
 * handled.
 *
 * usage: log_callback <tests/payloads directory>
 */
#include "ck_test.h"

/* Payloads that carry a caller name and/or a handle under some preset. */
static const char *const PAYLOADS[] = {
    "apple-docs-calluuid.json",      "callername-no-uuid.json",
    "escaped-unicode-name.json",     "flutter-callkit-incoming-full.json",
    "flutter-callkit-incoming.json", "linphone-flexisip.json",
    "long-caller-name.json",         "nested-data.json",
    "rn-voip-push.json",             "speakerbox-uppercase-uuid.json",
    "telegram-relay.json",           "twilio-call.json",
};

static const char DIGITS[] = "8675309#";

/* The records of one engine's run, copied out during the callback (the pointers are
 * valid only then). */
#define MAX_RECORDS 256
static char records[MAX_RECORDS][CK_LOG_MESSAGE_CAPACITY + 1];
static size_t record_count;
static size_t total_records;

/* What the callback checks on every record. */
static int inside_ck_call;
static int context_word;
static size_t ringing_records;

static void on_log(void *context, ck_log_level level, ck_str target, ck_str message) {
  CHECK(inside_ck_call);
  CHECK(context == &context_word);
  CHECK(level == CK_LOG_LEVEL_DEBUG);
  check_text(target.ptr, target.len, "callkit_engine");
  CHECK(target.ptr[target.len] == '\0');
  CHECK(message.len > 0 && message.len <= CK_LOG_MESSAGE_CAPACITY);
  CHECK(message.ptr[message.len] == '\0');
  CHECK(record_count < MAX_RECORDS);
  memcpy(records[record_count], message.ptr, message.len + 1);
  if (strstr(records[record_count], "ringing") != NULL) ringing_records++;
  record_count++;
  total_records++;
}

static ck_engine engine;

/* Handles `ev` with the "inside a ck_* call" flag raised. */
static ck_result logged(uint64_t now_ms, const ck_event *ev, step *s) {
  ck_result r;
  inside_ck_call = 1;
  r = handle(&engine, now_ms, ev, s);
  inside_ck_call = 0;
  return r;
}

/* Fails if `len` bytes of `secret` appear in any record of this run. */
static void check_absent(const uint8_t *secret, size_t len, const char *what) {
  char text[CK_MAX_HANDLE_LEN + CK_MAX_CALLER_NAME_LEN + 1];
  if (len < 3) return; /* too short to tell apart from ordinary words and numbers */
  CHECK(len < sizeof text);
  memcpy(text, secret, len);
  text[len] = '\0';
  for (size_t i = 0; i < record_count; i++) {
    if (strstr(records[i], text) != NULL) {
      fprintf(stderr, "the %s \"%s\" reached a log record: %s\n", what, text, records[i]);
      exit(1);
    }
  }
}

/* One engine, one payload, one preset. Returns 1 when the engine read a name or a
 * handle from it. */
static int drive(ck_schema_preset_kind preset, const uint8_t *payload, size_t len) {
  ck_config config = config_with(preset);
  ck_event ev;
  step s;
  ck_uuid call, outgoing = uuid_fill(0x0e);
  char handle_text[CK_MAX_HANDLE_LEN + 1] = "+15550100123";
  uint8_t name[CK_MAX_CALLER_NAME_LEN];
  size_t name_len = 0;
  int personal = 0;

  record_count = 0;
  inside_ck_call = 1;
  engine_init(&engine, &config);
  inside_ck_call = 0;

  ev = push_event(1, payload, len, uuid_fill(0xf0));
  CHECK_OK(logged(1000, &ev, &s));
  CHECK(s.fx[0].kind == CK_EFFECT_REPORT_NEW_INCOMING_CALL);
  call = s.fx[0].call;
  CHECK(s.data.kind == CK_STEP_DATA_CALL_UPDATE);
  if (s.data.call_update.has_remote_handle) {
    const ck_handle *h = &s.data.call_update.remote_handle;
    memcpy(handle_text, h->value, h->value_len);
    handle_text[h->value_len] = '\0';
    personal = 1;
  }
  if (s.data.call_update.has_caller_name) {
    name_len = s.data.call_update.caller_name_len;
    memcpy(name, s.data.call_update.caller_name, name_len);
    personal = 1;
  }

  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 1;
  ev.has_push = 1;
  logged(1100, &ev, &s);
  ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, uuid_fill(0xa1), call);
  logged(1200, &ev, &s);
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  logged(1300, &ev, &s);
  ev = call_event(CK_EVENT_INCOMING_CALL_CONNECTED, call);
  logged(1400, &ev, &s);
  ev = action_event(CK_EVENT_PERFORM_PLAY_DTMF, uuid_fill(0xa2), call);
  ev.digits = str(DIGITS);
  ev.dtmf_type = CK_DTMF_TYPE_SINGLE_TONE;
  logged(1500, &ev, &s);
  ev = action_event(CK_EVENT_PERFORM_END_CALL, uuid_fill(0xa3), call);
  logged(1600, &ev, &s);
  ev.action = uuid_fill(0xa4); /* refused: the call is gone */
  logged(1700, &ev, &s);
  ev = event(CK_EVENT_DID_DEACTIVATE_AUDIO_SESSION);
  logged(1800, &ev, &s);

  /* An outgoing call to the handle the payload named. */
  ev = call_event(CK_EVENT_REQUEST_START_CALL, outgoing);
  ev.handle = str(handle_text);
  ev.handle_type = CK_HANDLE_TYPE_GENERIC;
  if (logged(2000, &ev, &s) == CK_RESULT_OK && s.len > 0) {
    ck_event done = event(CK_EVENT_TRANSACTION_COMPLETED);
    done.transaction = s.fx[0].transaction;
    logged(2100, &done, &s);
  }
  ev = action_event(CK_EVENT_PERFORM_START_CALL, uuid_fill(0xa5), outgoing);
  ev.handle = str(handle_text);
  ev.handle_type = CK_HANDLE_TYPE_GENERIC;
  logged(2200, &ev, &s);
  ev = call_event(CK_EVENT_OUTGOING_CALL_CONNECTED, outgoing);
  logged(2300, &ev, &s);
  ev = call_event(CK_EVENT_REQUEST_PLAY_DTMF, outgoing);
  ev.digits = str(DIGITS);
  ev.dtmf_type = CK_DTMF_TYPE_SINGLE_TONE;
  logged(2400, &ev, &s);
  ev = call_event(CK_EVENT_REMOTE_ENDED, outgoing);
  logged(2500, &ev, &s);

  CHECK(record_count > 0);
  check_absent((const uint8_t *)handle_text, strlen(handle_text), "handle");
  check_absent(name, name_len, "caller name");
  check_absent((const uint8_t *)DIGITS, strlen(DIGITS), "DTMF digits");
  return personal;
}

int main(int argc, char **argv) {
  static uint8_t payload[8192];
  char path[4096];
  int personal = 0;
  ck_event ev;
  step s;

  CHECK(argc == 2);

  /* Before a callback is set, engines run silently and nothing is called. */
  {
    ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
    engine_init(&engine, &config);
    ev = event(CK_EVENT_PROVIDER_DID_RESET);
    CHECK_OK(handle(&engine, 0, &ev, &s));
  }

  CHECK_RESULT(ck_log_set_callback(NULL, &context_word), CK_RESULT_NULL_POINTER);
  CHECK_OK(ck_log_set_callback(on_log, &context_word));
  /* Set once: a second set, even of the same callback, changes nothing. */
  CHECK_RESULT(ck_log_set_callback(on_log, NULL), CK_RESULT_ALREADY_SET);

  for (size_t i = 0; i < sizeof PAYLOADS / sizeof PAYLOADS[0]; i++) {
    size_t n = read_file(path_join(path, sizeof path, argv[1], PAYLOADS[i]), payload,
                         sizeof payload);
    for (ck_schema_preset_kind preset = CK_SCHEMA_APPLE_DOCS; preset <= CK_SCHEMA_NESTED_DATA;
         preset++) {
      personal += drive(preset, payload, n);
    }
  }

  /* The runs did handle personal data, and logged (the context stayed the first one). */
  printf("%zu records, %d runs with a name or handle\n", total_records, personal);
  CHECK(personal >= 12);
  CHECK(total_records > 1000);
  CHECK(ringing_records > 0);
  return 0;
}
