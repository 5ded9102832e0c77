#!/usr/bin/env bash
# C ABI (ffi/): the cbindgen header is fresh, the static library as shipped exports
# only the ck_ functions (nm), and the C programs in ffi/tests/ pass under valgrind. Run by .ci/run as its own step; works alone from any directory:
#   bash .ci/steps/50-ffi.sh
# Installs what it needs: valgrind (apt-get), cbindgen 0.29 (cargo install --locked).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# --- tools -------------------------------------------------------------------------
if ! command -v valgrind >/dev/null 2>&1; then
  echo "ffi: installing valgrind"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends valgrind </dev/null; then
    as_root apt-get update </dev/null
    as_root apt-get install -y --no-install-recommends valgrind </dev/null
  fi
fi
valgrind --version

if ! cbindgen --version 2>/dev/null | grep -q '^cbindgen 0\.29\.'; then
  echo "ffi: installing cbindgen 0.29"
  cargo install --locked cbindgen --version '^0.29'
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cbindgen --version

# --- the header is fresh -------------------------------------------------------------
fresh="$(mktemp -d)/callkit_engine.h"
cbindgen --quiet --config ffi/cbindgen.toml --crate callkit-engine-ffi --output "$fresh" ffi
if ! diff -u ffi/include/callkit_engine.h "$fresh"; then
  echo "error: ffi/include/callkit_engine.h is stale; regenerate it with:" >&2
  echo "  cbindgen --config ffi/cbindgen.toml --crate callkit-engine-ffi --output ffi/include/callkit_engine.h ffi" >&2
  exit 1
fi
echo "ffi: header is fresh"

# --- the static library exports only ck_ symbols ------------------------------------------
# As shipped (scripts/localize-symbols.sh, which scripts/swift-test.sh and
# scripts/build-xcframework.sh apply): every defined global symbol is a ck_ function, and
# every function the header declares is one of them. The control: cargo's own archive
# exports the Rust runtime too (which is why the script exists).
cargo build --quiet --release -p callkit-engine-ffi
target_dir="${CARGO_TARGET_DIR:-target}"
scratch_lib="$(mktemp -d)"
bash scripts/localize-symbols.sh "$target_dir/release/libcallkit_engine_ffi.a" "$scratch_lib/lib.a"
exported() { nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort -u; }
others=$(exported "$scratch_lib/lib.a" | grep -v '^ck_' || true)
if [[ -n "$others" ]]; then
  echo "error: the static library exports symbols besides ck_ ones:" >&2
  echo "$others" | head -n 20 >&2
  exit 1
fi
declared=$(grep -oE '\bck_[a-z0-9_]+\(' ffi/include/callkit_engine.h | tr -d '(' | sort -u)
missing=$(comm -23 <(echo "$declared") <(exported "$scratch_lib/lib.a"))
if [[ -n "$missing" ]]; then
  echo "error: the header declares functions the library does not export: $missing" >&2
  exit 1
fi
# (2>/dev/null: nm says "no symbols" for each of the archive's many symbol-less members.)
raw_others=$(exported "$target_dir/release/libcallkit_engine_ffi.a" 2>/dev/null | grep -vc '^ck_' || true)
[[ "$raw_others" -gt 0 ]] || { echo "error: control: cargo's archive exports only ck_ symbols?" >&2; exit 1; }
echo "ffi: nm: the library exports $(exported "$scratch_lib/lib.a" | wc -l) symbols, all ck_ (cargo's archive: $raw_others others)"
rm -rf "$scratch_lib"

# --- the C programs under valgrind ------------------------------------------------------
# c_programs.rs builds the static library, compiles the header as C11 and C++17, builds
# each program with gcc -std=c11 -Wall -Wextra -Werror (g++ for the C++ one) and runs it
# under valgrind --error-exitcode=1 --leak-check=full; here a missing tool is an error.
CK_FFI_REQUIRE_VALGRIND=1 cargo test -p callkit-engine-ffi -- --nocapture --test-threads=1
