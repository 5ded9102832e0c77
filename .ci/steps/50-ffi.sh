#!/usr/bin/env bash
# C ABI (ffi/): the cbindgen header is fresh, and the C programs in ffi/tests/ pass
# under valgrind. Run by .ci/run as its own step; works alone from any directory:
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

# --- the C programs under valgrind ------------------------------------------------------
# c_programs.rs builds the static library, compiles the header as C11 and C++17, builds
# each program with gcc -std=c11 -Wall -Wextra -Werror (g++ for the C++ one) and runs it
# under valgrind --error-exitcode=1 --leak-check=full; here a missing tool is an error.
CK_FFI_REQUIRE_VALGRIND=1 cargo test -p callkit-engine-ffi -- --nocapture --test-threads=1
