#!/usr/bin/env bash
# The Swift push-cost benchmark of docs/performance.md, per payload: on the same bytes,
# peers' glue (JSONSerialization -> [String: Any] -> UUID(uuidString:) -> a call-update
# struct) against push -> effects through the Swift API; on the same dictionary (PushKit's
# dictionaryPayload), peers' glue (casts and lookups) against the driver's path (the JSON
# bytes it hands the engine, then push -> effects). Prints instruction counts (callgrind;
# valgrind is installed inside the trixie root when that is the toolchain) and the
# wall-time ratios.
#
#   scripts/swift-push-cost.sh            both payloads
#
# Per path and payload, callgrind runs the measured call LOW and HIGH times
# (--collect-atstart=no --toggle-collect='*measured<Path>*': only the measured function
# counts, not the set-up of each iteration's fresh engine) and reports
# (Ir(HIGH) - Ir(LOW)) / (HIGH - LOW): the steady cost per call, without one-time
# initialisation (Foundation's lazy set-up on the first JSONSerialization call).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
scratch=.build-bench
low=10
high=110
toolchain=scripts/swift-toolchain.sh
bench="$scratch/release/PushCostBenchmark"

bash scripts/swift-test.sh --scratch-path "$scratch" --werror build -c release --product PushCostBenchmark >&2
if ! command -v swift >/dev/null 2>&1 || [[ "${CK_SWIFT_USE_ROOT:-0}" == 1 ]]; then
  bash "$toolchain" install valgrind
fi

# collected PATH SCHEMA PAYLOAD N: callgrind's Ir inside the measured function.
collected() {
  local out
  out=$(bash "$toolchain" exec "$repo" valgrind --tool=callgrind --collect-atstart=no \
    "--toggle-collect=*measured${1^}*" --callgrind-out-file=/dev/null \
    "$bench" instructions "$1" "$2" "$3" "$4" 2>&1)
  awk '/Collected :/ { print $NF }' <<<"$out"
}

printf '%-28s %12s %12s %8s %12s %12s %8s\n' "payload" "glue Ir" "engine Ir" "ratio" \
  "dict glue Ir" "driver Ir" "ratio"
for row in "appleDocs tests/payloads/apple-docs-calluuid.json" \
  "reactNativeVoIPPush tests/payloads/rn-voip-push.json"; do
  read -r schema payload <<<"$row"
  bash "$toolchain" exec "$repo" "$bench" check "$schema" "$payload" >&2
  declare -A per_call=()
  for path in glue engine dictionaryGlue driver; do
    a=$(collected "$path" "$schema" "$payload" "$low")
    b=$(collected "$path" "$schema" "$payload" "$high")
    per_call[$path]=$(((b - a) / (high - low)))
  done
  ratio=$(awk -v e="${per_call[engine]}" -v g="${per_call[glue]}" 'BEGIN { printf "%.2fx", e / g }')
  dictionary_ratio=$(awk -v e="${per_call[driver]}" -v g="${per_call[dictionaryGlue]}" \
    'BEGIN { printf "%.2fx", e / g }')
  printf '%-28s %12s %12s %8s %12s %12s %8s\n' "$(basename "$payload") ($(wc -c <"$payload") B)" \
    "${per_call[glue]}" "${per_call[engine]}" "$ratio" \
    "${per_call[dictionaryGlue]}" "${per_call[driver]}" "$dictionary_ratio"
  bash "$toolchain" exec "$repo" "$bench" wall "$schema" "$payload" 5000 9
  unset per_call
done
