/*
 * The one due order from C: ck_engine_next_due_timer names the timers due at a time in
 * the order the engine documents (earliest deadline; at one deadline push completions
 * first, then ring timers, then answer-connect timers, each kind by id), whatever order
 * they were armed in. Three pushes arrive at 0 ms: two calls (the second with the
 * smaller UUID) and one malformed push; the two calls' reports complete, so at 5000 ms
 * push 3's completion timer and both ring timers are due together. Firing them in the
 * order the function gives is accepted every time, and then nothing is due.
 *
 * usage: next_due_timer
 */
#include "ck_test.h"

static ck_engine engine;

/* Strict order of two armed timers by the documented tie-break (kind, then id). */
static int timer_before(const ck_timer_deadline *a, const ck_timer_deadline *b) {
  if (a->deadline_ms != b->deadline_ms) return a->deadline_ms < b->deadline_ms;
  if (a->timer.kind != b->timer.kind) return a->timer.kind < b->timer.kind;
  if (a->timer.kind == CK_TIMER_PUSH_COMPLETION) return a->timer.push < b->timer.push;
  return memcmp(a->timer.call.bytes, b->timer.call.bytes, 16) < 0;
}

static int timer_eq(const ck_timer *a, const ck_timer *b) {
  return a->kind == b->kind && a->push == b->push && uuid_eq(a->call, b->call);
}

static void push(uint64_t id, const char *payload, uint8_t fallback) {
  step s;
  ck_event ev = push_event(id, payload, strlen(payload), uuid_fill(fallback));
  handle_ok(&engine, 0, &ev, &s);
  CHECK(s.fx[0].kind == CK_EFFECT_REPORT_NEW_INCOMING_CALL && s.fx[0].push == id);
}

int main(void) {
  ck_config config;
  ck_timer_deadline armed[CK_MAX_TIMERS], next;
  size_t n_armed = 0;
  bool due = true;
  step s;

  /* Not initialised, NULL outputs. */
  memset(&engine, 0, sizeof engine);
  CHECK_RESULT(ck_engine_next_due_timer(&engine, 0, &next, &due), CK_RESULT_NOT_INITIALIZED);
  CHECK_OK(ck_config_default(&config)); /* react-native-voip-push schema: "uuid" */
  config.ring_timeout_ms = 5000;
  config.push_completion_timeout_ms = 5000;
  engine_init(&engine, &config);
  CHECK_RESULT(ck_engine_next_due_timer(&engine, 0, NULL, &due), CK_RESULT_NULL_POINTER);
  CHECK_RESULT(ck_engine_next_due_timer(&engine, 0, &next, NULL), CK_RESULT_NULL_POINTER);
  CHECK_OK(ck_engine_next_due_timer(&engine, 0, &next, &due));
  CHECK(!due);

  push(1, "{\"uuid\":\"22222222-2222-4222-8222-222222222222\",\"handle\":\"+15550101\"}", 0xf1);
  push(2, "{\"uuid\":\"11111111-1111-4111-8111-111111111111\",\"handle\":\"+15550102\"}", 0xf2);
  push(3, "{\"uuid\":", 0xf3); /* malformed: reported and ended at once */
  for (uint64_t id = 1; id <= 2; id++) {
    ck_event ev = event(CK_EVENT_INCOMING_CALL_REPORTED);
    ev.push = id;
    ev.has_push = 1;
    handle_ok(&engine, 100, &ev, &s);
  }

  CHECK_OK(ck_engine_timers(&engine, armed, CK_MAX_TIMERS, &n_armed));
  CHECK(n_armed == 3);
  /* The documented order, computed here from the armed timers (insertion sort). */
  for (size_t i = 1; i < n_armed; i++) {
    for (size_t j = i; j > 0 && timer_before(&armed[j], &armed[j - 1]); j--) {
      ck_timer_deadline t = armed[j];
      armed[j] = armed[j - 1];
      armed[j - 1] = t;
    }
  }
  /* All three are due together: the tie-break decides, not the arming order. */
  CHECK(armed[0].deadline_ms == 5000 && armed[2].deadline_ms == 5000);
  CHECK(armed[0].timer.kind == CK_TIMER_PUSH_COMPLETION && armed[0].timer.push == 3);
  CHECK(armed[1].timer.kind == CK_TIMER_RING &&
        uuid_eq(armed[1].timer.call, uuid("11111111-1111-4111-8111-111111111111")));
  CHECK(armed[2].timer.kind == CK_TIMER_RING &&
        uuid_eq(armed[2].timer.call, uuid("22222222-2222-4222-8222-222222222222")));

  /* Nothing is due a millisecond early, and asking does not move the clock. */
  CHECK_OK(ck_engine_next_due_timer(&engine, 4999, &next, &due));
  CHECK(!due);
  CHECK(status_of(&engine).now_ms == 100);

  for (size_t i = 0; i < n_armed; i++) {
    ck_event ev = event(CK_EVENT_TIMER_FIRED);
    CHECK_OK(ck_engine_next_due_timer(&engine, 5000, &next, &due));
    CHECK(due);
    CHECK(timer_eq(&next.timer, &armed[i].timer) && next.deadline_ms == armed[i].deadline_ms);
    ev.timer = next.timer;
    handle_ok(&engine, 5000, &ev, &s);
  }
  CHECK_OK(ck_engine_next_due_timer(&engine, 5000, &next, &due));
  CHECK(!due);
  CHECK(status_of(&engine).idle);
  CHECK_OK(ck_engine_deinit(&engine));
  printf("next_due_timer: ok\n");
  return 0;
}
