#!/usr/bin/env bash
# Rewrites a static library of the C ABI so that it exports only the `ck_` functions:
# every object is linked into one relocatable object (`ld -r`) and every other global
# symbol, the Rust standard library's and the engine's, becomes local. Two Rust static
# libraries in one app otherwise clash at link time on the runtime's symbols
# (`rust_eh_personality`, `__rust_alloc`, ...).
#
#   scripts/localize-symbols.sh IN.a OUT.a [ARCH]
#
# Linux (ELF): GNU ld -r --whole-archive, then objcopy --keep-global-symbols.
# macOS (Mach-O): ld -r -all_load -exported_symbols_list (ARCH, e.g. arm64, is required;
# a library with one architecture only: run it before lipo). Checked with nm: on Linux by
# .ci/steps/50-ffi.sh, on macOS by the workflow's XCFramework job.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  sed -n '7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
in="$1"
out="$2"
arch="${3:-}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [[ "$(uname -s)" == Darwin ]]; then
  [[ -n "$arch" ]] || { echo "localize-symbols: ARCH is required on macOS" >&2; exit 2; }
  # Mach-O names carry a leading underscore.
  nm -gU "$in" 2>/dev/null | awk '$3 ~ /^_ck_/ { print $3 }' | sort -u >"$scratch/keep"
  [[ -s "$scratch/keep" ]] || { echo "localize-symbols: no _ck_ symbol in $in" >&2; exit 1; }
  xcrun ld -r -arch "$arch" -all_load -exported_symbols_list "$scratch/keep" \
    -o "$scratch/engine.o" "$in"
  rm -f "$out"
  xcrun libtool -static -o "$out" "$scratch/engine.o"
else
  nm -g --defined-only "$in" 2>/dev/null | awk 'NF == 3 && $3 ~ /^ck_/ { print $3 }' |
    sort -u >"$scratch/keep"
  [[ -s "$scratch/keep" ]] || { echo "localize-symbols: no ck_ symbol in $in" >&2; exit 1; }
  ld -r --whole-archive "$in" -o "$scratch/engine.o"
  # .llvmbc/.llvmcmd: LLVM bitcode rustc embeds in the standard library's objects, of no
  # use to a C linker; binutils' LTO plugins (an LLVMgold of an older LLVM) abort on it.
  objcopy --keep-global-symbols="$scratch/keep" \
    --remove-section=.llvmbc --remove-section=.llvmcmd "$scratch/engine.o"
  rm -f "$out"
  ar rcs "$out" "$scratch/engine.o"
fi
echo "localize-symbols: $out exports $(wc -l <"$scratch/keep") ck_ symbols" >&2
