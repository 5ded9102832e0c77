#!/usr/bin/env bash
# Fuzz smoke: builds the three cargo-fuzz targets (fuzz/, its own workspace) on the
# stable toolchain without a sanitizer and runs each for FUZZ_SMOKE_SECONDS (default 60)
# from the committed corpus. The corpus replay itself (every file of fuzz/corpus/ and
# fuzz/regressions/ through the same checks) already ran in `cargo test --workspace`
# (tests/fuzz_corpus.rs); this step only adds a short live run. New inputs go to a
# scratch directory, so the committed corpus is never changed. Set FUZZ_SMOKE_SECONDS=0
# to build the targets only.
#
# Cost on the 2-core machine (measured while it was shared): cargo-fuzz install 80 s
# (skipped when present), fuzz build 55 s cold, 3 x 60 s of fuzzing: 3 min 6 s warm,
# about 5.5 min cold. A crash fails the step and leaves its input in
# fuzz/artifacts/<target>/: turn it into a regression (docs/robustness.md, Findings).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

seconds="${FUZZ_SMOKE_SECONDS:-60}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi
cargo fuzz --version

cd fuzz
cargo fuzz build --sanitizer none
[[ "$seconds" -gt 0 ]] || exit 0

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in payload push events; do
  case "$target" in
    events) max_len=4096 ;;
    *) max_len=6000 ;;
  esac
  mkdir -p "$scratch/$target"
  echo "+ cargo fuzz run --sanitizer none $target (${seconds}s)"
  # A crash exits non-zero and leaves its input in fuzz/artifacts/$target/.
  if ! cargo fuzz run --sanitizer none "$target" "$scratch/$target" "corpus/$target" -- \
    -dict=json.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$max_len" -print_final_stats=1 >"$scratch/$target.log" 2>&1; then
    tail -n 100 "$scratch/$target.log"
    echo "fuzz target $target failed: see fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(stat::|#[0-9]+ +DONE)' "$scratch/$target.log" || tail -n 5 "$scratch/$target.log"
done
