/*
 * Call translation from C (iOS 26, CXSetTranslatingCallAction): refused by the
 * configuration, then on an answered call: StartTranslation and the fulfil, the
 * languages in ck_call_info, a mute during translation that keeps the media running,
 * a tag that is no BCP 47 tag failed, then StopTranslation. Mirrors
 * tests/traces/call-translation.jsonl.
 *
 * usage: translation
 */
#include "ck_test.h"

static ck_engine engine;

static ck_event translating(uint8_t action, ck_uuid call, int on, const char *local,
                            const char *remote) {
  ck_event ev = action_event(CK_EVENT_PERFORM_SET_TRANSLATING, uuid_fill(action), call);
  ev.translating = (uint8_t)on;
  ev.local_language = str(local);
  ev.remote_language = str(remote);
  return ev;
}

static ck_call_info only_call(void) {
  ck_call_info calls[CK_MAX_CALLS];
  size_t n = 0;
  CHECK_OK(ck_engine_calls(&engine, calls, CK_MAX_CALLS, &n));
  CHECK(n == 1);
  return calls[0];
}

int main(void) {
  step s;
  ck_event ev;
  const char *id = "6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11";
  const char payload[] =
      "{\"callUUID\":\"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11\",\"handle\":\"+14085551234\"}";
  const ck_uuid call = uuid(id);

  ck_config config = config_with(CK_SCHEMA_APPLE_DOCS);
  CHECK(config.supports_audio_translation == 0);
  config.supports_audio_translation = 1;
  engine_init(&engine, &config);

  ev = push_event(1, payload, sizeof payload - 1, uuid_fill(0xf1));
  handle_ok(&engine, 0, &ev, &s);
  ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
  ev.push = 1;
  ev.has_push = 1;
  handle_ok(&engine, 100, &ev, &s);
  ev = call_event(CK_EVENT_INCOMING_CALL_CONNECTED, call);
  handle_ok(&engine, 200, &ev, &s);

  /* Ringing: translation is failed. */
  ev = translating(0xa1, call, 1, "en", "fr");
  handle_ok(&engine, 300, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_FAIL_ACTION);

  ev = action_event(CK_EVENT_PERFORM_ANSWER_CALL, uuid_fill(0xa2), call);
  handle_ok(&engine, 400, &ev, &s);
  ev = event(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
  handle_ok(&engine, 500, &ev, &s);

  ev = translating(0xa3, call, 1, "en-US", "pt-BR");
  handle_ok(&engine, 1000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_START_TRANSLATION, CK_EFFECT_FULFILL_ACTION);
  CHECK(uuid_eq(s.fx[0].call, call) && uuid_eq(s.fx[1].action, uuid_fill(0xa3)));
  ck_call_info info = only_call();
  CHECK(info.translating && info.media_running);
  CHECK(info.local_language_len == 5 && memcmp(info.local_language, "en-US", 5) == 0);
  CHECK(info.remote_language_len == 5 && memcmp(info.remote_language, "pt-BR", 5) == 0);

  /* A mute during translation: the input is muted, the media keeps running. */
  ev = action_event(CK_EVENT_PERFORM_SET_MUTED, uuid_fill(0xa4), call);
  ev.muted = 1;
  handle_ok(&engine, 2000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_SET_MUTED, CK_EFFECT_FULFILL_ACTION);
  CHECK(only_call().media_running);

  /* A tag that is no BCP 47 tag: failed, the translation unchanged. */
  ev = translating(0xa5, call, 1, "en_US!", "de");
  handle_ok(&engine, 3000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_FAIL_ACTION);
  CHECK(only_call().translating);

  ev = translating(0xa6, call, 0, "", "");
  handle_ok(&engine, 4000, &ev, &s);
  CHECK_KINDS(&s, CK_EFFECT_STOP_TRANSLATION, CK_EFFECT_FULFILL_ACTION);
  info = only_call();
  CHECK(!info.translating && info.local_language_len == 0);

  printf("translation: OK\n");
  return 0;
}
