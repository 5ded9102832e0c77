/*
 * The ABI's own checks, from C: every function's NULL pointers, misaligned and
 * uninitialised engines, the effect buffer refused before any state changes (with the
 * size needed), bad kinds, flags, enumerations and text, each engine refusal leaving
 * the outputs untouched, the configuration and schema functions, result names, and
 * the engine's life cycle.
 *
 * usage: abi_checks
 */
#include "ck_test.h"

static ck_engine engine;
/* Room for an engine at a misaligned address. */
static union {
  ck_engine aligned;
  uint8_t bytes[sizeof(ck_engine) + 16];
} spare;

static void check_untouched(const step *s, uint8_t fill) {
  const uint8_t *p = (const uint8_t *)s;
  for (size_t i = 0; i < sizeof *s; i++) CHECK(p[i] == fill);
}

int main(void) {
  step s;
  ck_event ev;
  size_t n = 0;
  ck_config config;

  /* Layout and capacities: the library agrees with the header. */
  {
    size_t size = 0, align = 0;
    CHECK_OK(ck_engine_layout(&size, &align));
    CHECK(size == CK_ENGINE_SIZE && size == sizeof(ck_engine));
    CHECK(align == CK_ENGINE_ALIGN && align == _Alignof(ck_engine));
    CHECK_RESULT(ck_engine_layout(NULL, &align), CK_RESULT_NULL_POINTER);
    CHECK_RESULT(ck_engine_layout(&size, NULL), CK_RESULT_NULL_POINTER);
    CHECK_OK(ck_effects_capacity_needed(&n));
    CHECK(n == CK_MAX_EFFECTS && n == 32);
    CHECK_RESULT(ck_effects_capacity_needed(NULL), CK_RESULT_NULL_POINTER);
  }

  /* Result names: every code has one, unknown and reserved codes are refused. */
  {
    static const uint32_t codes[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 20, 21,
                                     22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
    ck_str name;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
      CHECK_OK(ck_result_name(codes[i], &name));
      CHECK(name.len > 10 && memcmp(name.ptr, "CK_RESULT_", 10) == 0);
      CHECK(name.ptr[name.len] == '\0');
    }
    CHECK_OK(ck_result_name(CK_RESULT_BUFFER_TOO_SMALL, &name));
    check_text(name.ptr, name.len, "CK_RESULT_BUFFER_TOO_SMALL");
    CHECK_RESULT(ck_result_name(11, &name), CK_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(ck_result_name(23, &name), CK_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(ck_result_name(36, &name), CK_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(ck_result_name(0, NULL), CK_RESULT_NULL_POINTER);
  }

  /* Configuration and schema. */
  {
    ck_schema schema;
    ck_key key;
    CHECK_RESULT(ck_config_default(NULL), CK_RESULT_NULL_POINTER);
    CHECK_OK(ck_config_default(&config));
    CHECK(config.maximum_call_groups == 2 && config.maximum_calls_per_call_group == 5);
    CHECK(config.supports_video == 0 && config.includes_calls_in_recents == 1);
    CHECK(config.supported_handle_types ==
          (CK_HANDLE_TYPES_GENERIC | CK_HANDLE_TYPES_PHONE_NUMBER | CK_HANDLE_TYPES_EMAIL_ADDRESS));
    CHECK(config.ring_timeout_ms == 30000 && config.answer_connect_timeout_ms == 10000);
    check_text(config.schema.id_key.bytes, config.schema.id_key.len, "uuid");
    CHECK_OK(ck_config_validate(&config));
    CHECK_RESULT(ck_config_validate(NULL), CK_RESULT_NULL_POINTER);

    for (ck_schema_preset_kind p = CK_SCHEMA_APPLE_DOCS; p <= CK_SCHEMA_NESTED_DATA; p++) {
      CHECK_OK(ck_schema_preset(p, &schema));
    }
    CHECK_OK(ck_schema_preset(CK_SCHEMA_TWILIO, &schema));
    CHECK(schema.id_kind == CK_CALL_ID_OPAQUE && schema.handle_type == CK_HANDLE_TYPE_GENERIC);
    check_text(schema.cancel_message_type.bytes, schema.cancel_message_type.len,
               "twilio.voice.cancel");
    CHECK_OK(ck_schema_preset(CK_SCHEMA_NESTED_DATA, &schema));
    check_text(schema.root.bytes, schema.root.len, "data");
    CHECK_RESULT(ck_schema_preset(0, &schema), CK_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(ck_schema_preset(9, &schema), CK_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(ck_schema_preset(CK_SCHEMA_TWILIO, NULL), CK_RESULT_NULL_POINTER);

    CHECK_OK(ck_key_set(&key, (const uint8_t *)"payload.call", 12));
    check_text(key.bytes, key.len, "payload.call");
    CHECK_RESULT(ck_key_set(&key, (const uint8_t *)"0123456789abcdef0123456789abcdefX", 33),
                 CK_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(ck_key_set(&key, (const uint8_t *)"\xff\xfe", 2), CK_RESULT_INVALID_UTF8);
    CHECK_RESULT(ck_key_set(&key, NULL, 3), CK_RESULT_NULL_POINTER);
    CHECK_RESULT(ck_key_set(NULL, (const uint8_t *)"a", 1), CK_RESULT_NULL_POINTER);
    check_text(key.bytes, key.len, "payload.call"); /* untouched by the failures */
    CHECK_OK(ck_key_set(&key, NULL, 0));
    CHECK(key.len == 0);

    /* A custom schema set from C: root path checked at validation. */
    ck_config custom = config;
    CHECK_OK(ck_key_set(&custom.schema.root, (const uint8_t *)"data.call", 9));
    CHECK_OK(ck_key_set(&custom.schema.id_key, (const uint8_t *)"id", 2));
    CHECK_OK(ck_config_validate(&custom));
    CHECK_OK(ck_key_set(&custom.schema.root, (const uint8_t *)"data..call", 10));
    CHECK_RESULT(ck_config_validate(&custom), CK_RESULT_INVALID_SCHEMA);
    CHECK_OK(ck_key_set(&custom.schema.root, (const uint8_t *)"a.b.c.d.e", 9));
    CHECK_RESULT(ck_config_validate(&custom), CK_RESULT_INVALID_SCHEMA);

    custom = config;
    custom.supports_video = 2;
    CHECK_RESULT(ck_config_validate(&custom), CK_RESULT_INVALID_ARGUMENT);
    custom = config;
    custom.supported_handle_types = 1; /* bit 0 is no handle type */
    CHECK_RESULT(ck_config_validate(&custom), CK_RESULT_INVALID_ARGUMENT);
    custom = config;
    custom.schema.id_kind = 9;
    CHECK_RESULT(ck_config_validate(&custom), CK_RESULT_INVALID_ARGUMENT);
    custom = config;
    custom.schema.handle_type = 4;
    CHECK_RESULT(ck_config_validate(&custom), CK_RESULT_INVALID_ARGUMENT);
    custom = config;
    custom.schema.video_key.len = CK_MAX_KEY_LEN + 1;
    CHECK_RESULT(ck_config_validate(&custom), CK_RESULT_INVALID_ARGUMENT);
  }

  /* Engine memory: NULL, too small, misaligned, never initialised. */
  {
    ck_status st;
    CHECK_RESULT(ck_engine_init(NULL, sizeof engine, &config), CK_RESULT_NULL_POINTER);
    CHECK_RESULT(ck_engine_init(&engine, sizeof engine, NULL), CK_RESULT_NULL_POINTER);
    CHECK_RESULT(ck_engine_init(&engine, sizeof engine - 1, &config), CK_RESULT_BUFFER_TOO_SMALL);
    ck_engine *misaligned = (ck_engine *)(void *)(spare.bytes + 4);
    CHECK_RESULT(ck_engine_init(misaligned, sizeof engine, &config), CK_RESULT_MISALIGNED);
    CHECK_RESULT(ck_engine_status(misaligned, &st), CK_RESULT_MISALIGNED);
    ev = event(CK_EVENT_PROVIDER_DID_BEGIN);
    CHECK_RESULT(ck_engine_handle(misaligned, 0, &ev, s.fx, CK_MAX_EFFECTS, &s.len, &s.data),
                 CK_RESULT_MISALIGNED);

    /* Zeroed memory, and memory full of garbage: not an engine. */
    CHECK_RESULT(ck_engine_status(&engine, &st), CK_RESULT_NOT_INITIALIZED);
    memset(&spare, 0xa5, sizeof spare);
    CHECK_RESULT(ck_engine_status(&spare.aligned, &st), CK_RESULT_NOT_INITIALIZED);
    CHECK_RESULT(ck_engine_handle(&spare.aligned, 0, &ev, s.fx, CK_MAX_EFFECTS, &s.len, &s.data),
                 CK_RESULT_NOT_INITIALIZED);
    CHECK_RESULT(ck_engine_deinit(&engine), CK_RESULT_NOT_INITIALIZED);
    CHECK_RESULT(ck_engine_status(NULL, &st), CK_RESULT_NULL_POINTER);

    /* An invalid configuration leaves the memory uninitialised. */
    ck_config bad = config;
    bad.supports_dtmf = 7;
    CHECK_RESULT(ck_engine_init(&engine, sizeof engine, &bad), CK_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(ck_engine_status(&engine, &st), CK_RESULT_NOT_INITIALIZED);
  }

  engine_init(&engine, &config);

  /* Queries: NULL outputs, empty results, a NULL buffer with capacity 0. */
  {
    ck_status st;
    ck_config back;
    CHECK_RESULT(ck_engine_status(&engine, NULL), CK_RESULT_NULL_POINTER);
    CHECK_RESULT(ck_engine_get_config(&engine, NULL), CK_RESULT_NULL_POINTER);
    CHECK_RESULT(ck_engine_get_config(NULL, &back), CK_RESULT_NULL_POINTER);
    CHECK_OK(ck_engine_get_config(&engine, &back));
    CHECK(back.ring_timeout_ms == config.ring_timeout_ms);
    CHECK_RESULT(ck_engine_timers(&engine, NULL, 0, NULL), CK_RESULT_NULL_POINTER);
    CHECK_RESULT(ck_engine_timers(&engine, NULL, 4, &n), CK_RESULT_NULL_POINTER);
    CHECK_OK(ck_engine_timers(&engine, NULL, 0, &n));
    CHECK(n == 0);
    CHECK_RESULT(ck_engine_calls(&engine, NULL, 0, NULL), CK_RESULT_NULL_POINTER);
    CHECK_RESULT(ck_engine_calls(&engine, NULL, 4, &n), CK_RESULT_NULL_POINTER);
    CHECK_OK(ck_engine_calls(&engine, NULL, 0, &n));
    CHECK(n == 0);
    st = status_of(&engine);
    CHECK(st.idle && st.now_ms == 0 && !st.has_deadline);
  }

  /* A too-small effect buffer is refused before anything changes, with the size
   * needed; nothing else is written, and the same push then goes through. */
  {
    static const char json[] = "{\"uuid\":\"0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20\",\"handle\":\"+1555\"}";
    ev = push_event(1, json, sizeof json - 1, uuid_fill(0xfb));
    memset(&s, 0x5a, sizeof s);
    size_t len = 0;
    CHECK_RESULT(ck_engine_handle(&engine, 1000, &ev, s.fx, CK_MAX_EFFECTS - 1, &len, &s.data),
                 CK_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == CK_MAX_EFFECTS);
    check_untouched(&s, 0x5a);
    CHECK_RESULT(ck_engine_handle(&engine, 1000, &ev, s.fx, 0, &len, &s.data),
                 CK_RESULT_BUFFER_TOO_SMALL);
    ck_status st = status_of(&engine);
    CHECK(st.calls == 0 && st.pending_pushes == 0 && st.now_ms == 0); /* nothing changed */
    handle_ok(&engine, 1000, &ev, &s);
    CHECK(s.fx[0].kind == CK_EFFECT_REPORT_NEW_INCOMING_CALL);
    CHECK(status_of(&engine).calls == 1);
  }

  /* NULL arguments of a step. */
  ev = event(CK_EVENT_PROVIDER_DID_BEGIN);
  CHECK_RESULT(ck_engine_handle(NULL, 2000, &ev, s.fx, CK_MAX_EFFECTS, &s.len, &s.data),
               CK_RESULT_NULL_POINTER);
  CHECK_RESULT(ck_engine_handle(&engine, 2000, NULL, s.fx, CK_MAX_EFFECTS, &s.len, &s.data),
               CK_RESULT_NULL_POINTER);
  CHECK_RESULT(ck_engine_handle(&engine, 2000, &ev, NULL, CK_MAX_EFFECTS, &s.len, &s.data),
               CK_RESULT_NULL_POINTER);
  CHECK_RESULT(ck_engine_handle(&engine, 2000, &ev, s.fx, CK_MAX_EFFECTS, NULL, &s.data),
               CK_RESULT_NULL_POINTER);
  CHECK_RESULT(ck_engine_handle(&engine, 2000, &ev, s.fx, CK_MAX_EFFECTS, &s.len, NULL),
               CK_RESULT_NULL_POINTER);

  /* Bad events: refused with their code, outputs untouched, the clock unchanged. */
  {
    const ck_uuid call = uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20");
    const ck_uuid stranger = uuid_fill(0x77);
    struct {
      ck_event ev;
      uint64_t now_ms;
      ck_result expected;
    } cases[20];
    size_t k = 0;

    cases[k].ev = event(0), cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_INVALID_ARGUMENT;
    cases[k].ev = event(99), cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_INVALID_ARGUMENT;
    cases[k].ev = event(CK_EVENT_REQUEST_SET_MUTED);
    cases[k].ev.call = call, cases[k].ev.muted = 2;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_INVALID_ARGUMENT;
    cases[k].ev = event(CK_EVENT_REQUEST_START_CALL);
    cases[k].ev.call = stranger, cases[k].ev.handle.ptr = (const uint8_t *)"\xc3\x28", cases[k].ev.handle.len = 2;
    cases[k].ev.handle_type = CK_HANDLE_TYPE_GENERIC;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_INVALID_UTF8;
    cases[k].ev = event(CK_EVENT_REQUEST_START_CALL);
    cases[k].ev.call = stranger, cases[k].ev.handle = str("+1555"), cases[k].ev.handle_type = 4;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_INVALID_ARGUMENT;
    cases[k].ev = event(CK_EVENT_VOIP_PUSH_RECEIVED);
    cases[k].ev.push = 2, cases[k].ev.payload.ptr = NULL, cases[k].ev.payload.len = 10;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_NULL_POINTER;
    cases[k].ev = event(CK_EVENT_PROVIDER_DID_BEGIN);
    cases[k].now_ms = 999, cases[k++].expected = CK_RESULT_TIME_WENT_BACKWARDS;
    cases[k].ev = event(CK_EVENT_CONNECTION_FAILED);
    cases[k].ev.call = stranger;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_UNKNOWN_CALL;
    cases[k].ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
    cases[k].ev.push = 99;
    cases[k].ev.has_push = 1;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_UNKNOWN_PUSH;
    cases[k].ev = event(CK_EVENT_TRANSACTION_COMPLETED);
    cases[k].ev.transaction = 42;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_UNKNOWN_TRANSACTION;
    cases[k].ev = event(CK_EVENT_TIMER_FIRED);
    /* A call the engine never knew (a live call's unarmed timer is a race: no error). */
    cases[k].ev.timer.kind = CK_TIMER_ANSWER_CONNECT, cases[k].ev.timer.call = stranger;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_UNKNOWN_TIMER;
    cases[k].ev = event(CK_EVENT_TIMER_FIRED);
    cases[k].ev.timer.kind = 0;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_INVALID_ARGUMENT;
    cases[k].ev = event(CK_EVENT_TIMER_FIRED);
    cases[k].ev.timer.kind = CK_TIMER_RING, cases[k].ev.timer.call = call;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_TIMER_NOT_DUE;
    cases[k].ev = event(CK_EVENT_REQUEST_START_CALL);
    cases[k].ev.call = call, cases[k].ev.handle = str("+1555"), cases[k].ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_CALL_EXISTS;
    cases[k].ev = event(CK_EVENT_REQUEST_START_CALL);
    cases[k].ev.call = stranger, cases[k].ev.handle = str(""), cases[k].ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_INVALID_HANDLE;
    cases[k].ev = event(CK_EVENT_REQUEST_START_CALL);
    cases[k].ev.call = stranger, cases[k].ev.handle = str("+1555"), cases[k].ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
    cases[k].ev.video = 1; /* supportsVideo is off */
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_NOT_SUPPORTED;
    cases[k].ev = event(CK_EVENT_PUSH_CREDENTIALS_UPDATED);
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_INVALID_PUSH_TOKEN;
    cases[k].ev = event(CK_EVENT_OUTGOING_CALL_CONNECTED);
    cases[k].ev.call = call; /* an incoming call */
    cases[k].now_ms = 2000, cases[k++].expected = CK_RESULT_WRONG_PHASE;

    for (size_t i = 0; i < k; i++) {
      memset(&s, 0x5a, sizeof s);
      CHECK_RESULT(handle(&engine, cases[i].now_ms, &cases[i].ev, &s), cases[i].expected);
      check_untouched(&s, 0x5a);
      CHECK(status_of(&engine).now_ms == 1000);
    }
  }

  /* DTMF problems, on an answered call. */
  {
    const ck_uuid call = uuid("0b7b8a3e-2f0c-4d57-8c9e-1c5a9e7d4f20");
    ev = call_event(CK_EVENT_INCOMING_CALL_CONNECTED, call);
    handle_ok(&engine, 3000, &ev, &s);
    ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, uuid_fill(0xa1), call);
    handle_ok(&engine, 3100, &ev, &s);
    ev = call_event(CK_EVENT_REQUEST_PLAY_DTMF, call);
    ev.digits = str("12x");
    ev.dtmf_type = CK_DTMF_TYPE_SINGLE_TONE;
    CHECK_RESULT(handle(&engine, 3200, &ev, &s), CK_RESULT_INVALID_DTMF);
    ev = action_event(CK_EVENT_PERFORM_END_CALL, uuid_fill(0xa2), call);
    handle_ok(&engine, 3300, &ev, &s);
    CHECK(find(&s, CK_EFFECT_HANG_UP) >= 0);
  }

  /* Life cycle: deinit, refused afterwards, initialised again. */
  CHECK_RESULT(ck_engine_deinit(NULL), CK_RESULT_NULL_POINTER);
  CHECK_OK(ck_engine_deinit(&engine));
  CHECK_RESULT(ck_engine_deinit(&engine), CK_RESULT_NOT_INITIALIZED);
  ev = event(CK_EVENT_PROVIDER_DID_BEGIN);
  CHECK_RESULT(handle(&engine, 4000, &ev, &s), CK_RESULT_NOT_INITIALIZED);
  CHECK_OK(ck_engine_init(&engine, sizeof engine, &config));
  CHECK(status_of(&engine).now_ms == 0);
  CHECK_OK(ck_engine_init(&engine, sizeof engine, &config)); /* re-initialising replaces */

  printf("abi_checks: OK\n");
  return 0;
}
