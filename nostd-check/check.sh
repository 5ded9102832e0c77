#!/usr/bin/env bash
# no_std link check for callkit-engine.
#
#   nostd-check/check.sh              build the #![no_std] #![no_main] executable that uses
#                                     the library (default features off) and run it
#   nostd-check/check.sh --negative   the same, then the negative control: in a scratch
#                                     copy of the repository, make the library link std
#                                     (`extern crate std;`) and assert that the build FAILS
#                                     with a duplicate `panic_impl` lang item
#
# Works from any directory; never modifies the working tree outside nostd-check/target.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

negative=false
case "${1:-}" in
  "") ;;
  --negative) negative=true ;;
  -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) echo "usage: $0 [--negative]" >&2; exit 2 ;;
esac

echo "nostd-check: building callkit-engine without std (panic=abort, own #[panic_handler])"
cargo build --manifest-path nostd-check/Cargo.toml --release

echo "nostd-check: running the linked executable"
if cargo run --quiet --manifest-path nostd-check/Cargo.toml --release; then
  echo "nostd-check: OK (links and runs without std)"
else
  status=$?
  echo "nostd-check: FAILED: the executable exited with status $status" >&2
  exit 1
fi

$negative || exit 0

echo "nostd-check: negative control (library made to link std, in a scratch copy)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/callkit-nostd-negative.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
tar -C "$root" --exclude=./.git --exclude=./target --exclude=./nostd-check/target -cf - . \
  | tar -C "$scratch" -xf -
printf '\n// nostd-check negative control: link std unconditionally.\nextern crate std;\n' \
  >>"$scratch/src/lib.rs"

log="$scratch/negative-build.log"
# A separate target dir under nostd-check/target (git-ignored): isolated from the real
# build above, but kept between runs so the dependencies are not rebuilt every time.
if cargo build --manifest-path "$scratch/nostd-check/Cargo.toml" --release \
  --target-dir "$root/nostd-check/target/negative-control" >"$log" 2>&1; then
  cat "$log" >&2
  echo "nostd-check: NEGATIVE CONTROL FAILED: the build succeeded although the library links std" >&2
  exit 1
fi
if ! grep -F 'duplicate lang item `panic_impl`' "$log"; then
  cat "$log" >&2
  echo "nostd-check: NEGATIVE CONTROL FAILED: the build failed, but not on a duplicate \`panic_impl\`" >&2
  exit 1
fi
echo "nostd-check: negative control OK (linking std is caught)"
