#!/usr/bin/env bash
# Builds the C ABI's static library on the host, then runs a SwiftPM command on the
# package at the repository root, with the library's directory passed to the linker.
#
#   scripts/swift-test.sh [--scratch-path DIR] [--werror] SUBCOMMAND [ARGS...]
#
#   scripts/swift-test.sh test                          the whole suite
#   scripts/swift-test.sh --werror build                warnings as errors (CI)
#   scripts/swift-test.sh test --sanitize=thread
#   scripts/swift-test.sh --scratch-path .build-s2 test --filter Driver
#   scripts/swift-test.sh run -c release PushCostBenchmark
#
# SUBCOMMAND is `build`, `test` or `run` (`swift build`, ...); ARGS go after this
# script's own options, so for `run` the executable's arguments come last as usual.
# --scratch-path (default $CK_SWIFT_SCRATCH, else .build) keeps concurrent builds
# apart. The toolchain is scripts/swift-toolchain.sh's (swift on PATH, else the trixie
# root; this script never makes the root: `scripts/swift-toolchain.sh ensure` does).
# CARGO_TARGET_DIR is honoured, inside the checkout or outside it: the library is linked
# from the scratch folder, which the trixie root can always reach, as
# scripts/localize-symbols.sh leaves it (only the ck_ functions exported, as shipped).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
scratch="${CK_SWIFT_SCRATCH:-.build}"
werror=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --scratch-path) scratch="$2"; shift 2 ;;
    --scratch-path=*) scratch="${1#*=}"; shift ;;
    --werror) werror=1; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
if [[ $# -lt 1 ]]; then
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
subcommand="$1"
shift

target_dir="${CARGO_TARGET_DIR:-$repo/target}"
case "$target_dir" in
  /*) ;;
  *) target_dir="$repo/$target_dir" ;;
esac

echo "+ cargo build --release -p callkit-engine-ffi" >&2
(cd "$repo" && cargo build --quiet --release -p callkit-engine-ffi)

# SwiftPM does not track the static library it links, so after a change to the engine
# it would run the tests against the old one: drop the linked test bundles and
# executables whenever the library differs from the one they were linked with.
case "$scratch" in
  /*) scratch_dir="$scratch" ;;
  *) scratch_dir="$repo/$scratch" ;;
esac
lib_sum=$(sha256sum "$target_dir/release/libcallkit_engine_ffi.a" | cut -d' ' -f1)
stamp="$scratch_dir/callkit-engine-ffi.sha256"
if [[ -d "$scratch_dir" && "$(cat "$stamp" 2>/dev/null || true)" != "$lib_sum" ]]; then
  find "$scratch_dir" -mindepth 2 -maxdepth 3 \( -name '*.xctest' -o -name PushCostBenchmark \) \
    -prune -exec rm -rf {} +
fi
# The library as shipped: only the ck_ functions exported (scripts/localize-symbols.sh).
mkdir -p "$scratch_dir/callkit-engine-ffi"
"$repo/scripts/localize-symbols.sh" "$target_dir/release/libcallkit_engine_ffi.a" \
  "$scratch_dir/callkit-engine-ffi/libcallkit_engine_ffi.a"
printf '%s\n' "$lib_sum" >"$stamp"

args=("$subcommand" --scratch-path "$scratch" -Xlinker "-L$scratch_dir/callkit-engine-ffi")
if [[ $werror -eq 1 ]]; then
  args+=(-Xswiftc -warnings-as-errors)
fi
echo "+ swift ${args[*]} $*" >&2
exec "$repo/scripts/swift-toolchain.sh" run "$repo" "${args[@]}" "$@"
