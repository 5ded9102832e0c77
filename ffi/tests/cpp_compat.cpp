/*
 * The header from C++ (g++ -std=c++17 -Wall -Wextra -Werror): it compiles, its
 * functions link with C linkage, and a push is reported.
 *
 * usage: cpp_compat
 */
#include <cstdio>
#include <cstring>

#include "callkit_engine.h"

static ck_engine engine;

int main() {
  ck_config config;
  if (ck_config_default(&config) != CK_RESULT_OK) return 1;
  if (ck_schema_preset(CK_SCHEMA_APPLE_DOCS, &config.schema) != CK_RESULT_OK) return 1;
  if (ck_engine_init(&engine, sizeof engine, &config) != CK_RESULT_OK) return 1;

  static const char json[] =
      "{\"callUUID\":\"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11\",\"handle\":\"+14085551234\"}";
  ck_event ev;
  std::memset(&ev, 0, sizeof ev);
  ev.kind = CK_EVENT_VOIP_PUSH_RECEIVED;
  ev.push = 1;
  ev.payload.ptr = reinterpret_cast<const uint8_t *>(json);
  ev.payload.len = sizeof json - 1;

  ck_effect effects[CK_MAX_EFFECTS];
  size_t len = 0;
  ck_step_data data;
  ck_result r = ck_engine_handle(&engine, 0, &ev, effects, CK_MAX_EFFECTS, &len, &data);
  if (r != CK_RESULT_OK || len == 0 || effects[0].kind != CK_EFFECT_REPORT_NEW_INCOMING_CALL) {
    std::fprintf(stderr, "cpp_compat: unexpected result %d\n", static_cast<int>(r));
    return 1;
  }
  if (data.kind != CK_STEP_DATA_CALL_UPDATE ||
      std::memcmp(data.call_update.remote_handle.value, "+14085551234", 12) != 0) {
    return 1;
  }
  std::printf("cpp_compat: OK\n");
  return 0;
}
