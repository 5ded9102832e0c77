/*
 * Shared helpers of the C test programs in ffi/tests/ (built by c_programs.rs and by
 * .ci/steps/50-ffi.sh with gcc -std=c11 -Wall -Wextra -Werror, run under valgrind).
 * Header-only: every helper is static.
 */
#ifndef CK_TEST_H
#define CK_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callkit_engine.h"

/* Fails the program with the location and the failed condition. */
#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);        \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

/* Fails the program unless `expr` returns `expected`, naming both codes. */
#define CHECK_RESULT(expr, expected)                                                  \
  do {                                                                                \
    ck_result ck_got_ = (expr);                                                       \
    if (ck_got_ != (expected)) {                                                      \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__,     \
              #expr, result_name(ck_got_), result_name(expected));                    \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

#define CHECK_OK(expr) CHECK_RESULT(expr, CK_RESULT_OK)

static inline const char *result_name(ck_result code) {
  ck_str name;
  if (ck_result_name((uint32_t)code, &name) != CK_RESULT_OK) {
    return "(unknown result code)";
  }
  return (const char *)name.ptr; /* static, NUL-terminated after name.len bytes */
}

/* A UUID from its 36-character hyphenated text. */
static inline ck_uuid uuid(const char *text) {
  ck_uuid out;
  size_t n = 0;
  memset(&out, 0, sizeof out);
  for (const char *p = text; *p != '\0' && n < 32; p++) {
    int v;
    if (*p == '-') continue;
    if (*p >= '0' && *p <= '9') v = *p - '0';
    else if (*p >= 'a' && *p <= 'f') v = *p - 'a' + 10;
    else if (*p >= 'A' && *p <= 'F') v = *p - 'A' + 10;
    else { fprintf(stderr, "bad uuid text %s\n", text); exit(1); }
    out.bytes[n / 2] = (uint8_t)(out.bytes[n / 2] | (v << ((n % 2) ? 0 : 4)));
    n++;
  }
  CHECK(n == 32);
  return out;
}

/* A UUID whose 16 bytes are all `b`. */
static inline ck_uuid uuid_fill(uint8_t b) {
  ck_uuid out;
  memset(out.bytes, b, sizeof out.bytes);
  return out;
}

static inline int uuid_eq(ck_uuid a, ck_uuid b) { return memcmp(a.bytes, b.bytes, 16) == 0; }

static inline ck_str str(const char *text) {
  ck_str s;
  s.ptr = (const uint8_t *)text;
  s.len = strlen(text);
  return s;
}

/* An event of `kind` with every other field zero. */
static inline ck_event event(ck_event_kind kind) {
  ck_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kind;
  return ev;
}

/* An event of `kind` about `call`, every other field zero. */
static inline ck_event call_event(ck_event_kind kind, ck_uuid call) {
  ck_event ev = event(kind);
  ev.call = call;
  return ev;
}

/* A CallKit action event of `kind`: action `action` on `call`, every other field zero. */
static inline ck_event action_event(ck_event_kind kind, ck_uuid action, ck_uuid call) {
  ck_event ev = call_event(kind, call);
  ev.action = action;
  return ev;
}

/* A VoIP push event: push `push` with `len` payload bytes at `payload`, fallback UUID
 * `fallback`. */
static inline ck_event push_event(uint64_t push, const void *payload, size_t len,
                                  ck_uuid fallback) {
  ck_event ev = event(CK_EVENT_VOIP_PUSH_RECEIVED);
  ev.push = push;
  ev.payload.ptr = (const uint8_t *)payload;
  ev.payload.len = len;
  ev.fallback_call = fallback;
  return ev;
}

/* One step's outputs. */
typedef struct step {
  ck_effect fx[CK_MAX_EFFECTS];
  size_t len;
  ck_step_data data;
} step;

static inline const char *effect_name(ck_effect_kind kind) {
  static const char *const names[] = {
      "?", "REPORT_NEW_INCOMING_CALL", "REPORT_CALL_UPDATED",
      "REPORT_OUTGOING_CALL_STARTED_CONNECTING", "REPORT_OUTGOING_CALL_CONNECTED",
      "REPORT_CALL_ENDED", "FULFILL_ACTION", "FAIL_ACTION", "COMPLETE_PUSH",
      "REQUEST_TRANSACTION", "CONNECT_INCOMING", "ANSWER_INCOMING", "REJECT_INCOMING",
      "HANG_UP", "SET_HOLD", "SET_MUTE", "SET_GROUP", "SEND_DTMF", "START_OUTGOING",
      "REGISTER_PUSH_TOKEN", "UNREGISTER_PUSH_TOKEN", "CONFIGURE_AUDIO_SESSION",
      "START_MEDIA", "STOP_MEDIA", "START_TIMER", "CANCEL_TIMER", "START_RINGBACK",
      "STOP_RINGBACK", "AUDIO_ACTIVATION_TIMED_OUT", "MISSED_CALL", "START_TRANSLATION",
      "STOP_TRANSLATION"};
  return kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

/* Handles `ev` at `now_ms` into `out`, printing the effects; returns the code. */
static inline ck_result handle(ck_engine *engine, uint64_t now_ms, const ck_event *ev, step *out) {
  ck_result r = ck_engine_handle(engine, now_ms, ev, out->fx, CK_MAX_EFFECTS, &out->len,
                                 &out->data);
  printf("%6llu ms  event %u -> %s", (unsigned long long)now_ms, ev->kind, result_name(r));
  if (r == CK_RESULT_OK) {
    printf(", %zu effects:", out->len);
    for (size_t i = 0; i < out->len; i++) printf(" %s", effect_name(out->fx[i].kind));
  }
  printf("\n");
  return r;
}

/* Handles `ev`, which must succeed. */
static inline void handle_ok(ck_engine *engine, uint64_t now_ms, const ck_event *ev, step *out) {
  CHECK_OK(handle(engine, now_ms, ev, out));
}

/* Checks that the step's effects are exactly `kinds` (terminated by 0), in order. */
#define CHECK_KINDS(s, ...)                                                           \
  do {                                                                                \
    const ck_effect_kind ck_kinds_[] = {__VA_ARGS__, 0};                              \
    size_t ck_n_ = 0;                                                                 \
    while (ck_kinds_[ck_n_] != 0) ck_n_++;                                            \
    if ((s)->len != ck_n_) {                                                          \
      fprintf(stderr, "%s:%d: %zu effects, expected %zu\n", __FILE__, __LINE__,       \
              (s)->len, ck_n_);                                                       \
      exit(1);                                                                        \
    }                                                                                 \
    for (size_t ck_i_ = 0; ck_i_ < ck_n_; ck_i_++) {                                  \
      if ((s)->fx[ck_i_].kind != ck_kinds_[ck_i_]) {                                  \
        fprintf(stderr, "%s:%d: effect %zu is %s, expected %s\n", __FILE__, __LINE__, \
                ck_i_, effect_name((s)->fx[ck_i_].kind), effect_name(ck_kinds_[ck_i_])); \
        exit(1);                                                                      \
      }                                                                               \
    }                                                                                 \
  } while (0)

/* The index of the first effect of `kind` in the step, or -1. */
static inline int find(const step *s, ck_effect_kind kind) {
  for (size_t i = 0; i < s->len; i++) {
    if (s->fx[i].kind == kind) return (int)i;
  }
  return -1;
}

/* Checks that `len` bytes at `bytes` are the text `expected`. */
static inline void check_text(const uint8_t *bytes, size_t len, const char *expected) {
  if (len != strlen(expected) || memcmp(bytes, expected, len) != 0) {
    fprintf(stderr, "text is \"%.*s\" (%zu bytes), expected \"%s\"\n", (int)len,
            (const char *)bytes, len, expected);
    exit(1);
  }
}

/* Builds the path `dir`/`name` into `buf`. */
static inline const char *path_join(char *buf, size_t cap, const char *dir, const char *name) {
  int n = snprintf(buf, cap, "%s/%s", dir, name);
  CHECK(n > 0 && (size_t)n < cap);
  return buf;
}

/* Reads a whole file (at most `cap` bytes) into `buf`; returns its length. */
static inline size_t read_file(const char *path, uint8_t *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  size_t n;
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  n = fread(buf, 1, cap, f);
  CHECK(feof(f) && !ferror(f));
  fclose(f);
  return n;
}

/* Zeroed engine memory (static storage), initialised with `config`. */
static inline void engine_init(ck_engine *engine, const ck_config *config) {
  memset(engine, 0, sizeof *engine);
  CHECK_OK(ck_engine_init(engine, sizeof *engine, config));
}

/* The default configuration with a payload schema preset. */
static inline ck_config config_with(ck_schema_preset_kind preset) {
  ck_config config;
  CHECK_OK(ck_config_default(&config));
  CHECK_OK(ck_schema_preset(preset, &config.schema));
  return config;
}

static inline ck_status status_of(ck_engine *engine) {
  ck_status s;
  CHECK_OK(ck_engine_status(engine, &s));
  return s;
}

#endif /* CK_TEST_H */
