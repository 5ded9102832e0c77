#!/usr/bin/env bash
# Re-measures the figures of docs/performance.md and the README's cost paragraph in one
# run of the budget bench, and writes them into both files.
#
#   scripts/bench-figures.sh            measure, then rewrite both files
#   scripts/bench-figures.sh --print    measure, print the tables, change nothing
#
# Runs `cargo bench -p callkit-engine-benches --bench budgets -- --markdown` (needs
# valgrind; honours CARGO_TARGET_DIR), whose output ends with the tables between
# `<!-- figures:NAME:begin -->` and `<!-- figures:NAME:end -->` lines; each such block
# replaces the block with the same markers in docs/performance.md or README.md. The
# `run` block (commit, date, toolchain, machine) is written here. The bench exits 1
# when a budget is missed; the figures are written all the same.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

status=0
cargo bench -p callkit-engine-benches --bench budgets -- --markdown | tee "$out" || status=$?
for name in push budgets scenarios readme; do
  grep -q "<!-- figures:$name:end -->" "$out" || {
    echo "bench-figures: the bench printed no '$name' table (valgrind missing?)" >&2
    exit 1
  }
done

commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- src benches Cargo.lock || commit="$commit plus uncommitted changes"
case $status in
  0) verdict="every budget held" ;;
  1) verdict="the bench exits 1: a budget is missed" ;;
  *) verdict="the bench exited $status" ;;
esac
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
run="<!-- figures:run:begin -->
Figures of one run: commit $commit, $(date -u +%Y-%m-%d), $(rustc --version | cut -d' ' -f1-2),
$(valgrind --version), ${cpu:-unknown CPU} ($(nproc) cores); $verdict.
<!-- figures:run:end -->"

if [[ "${1:-}" == --print ]]; then
  echo "$run"
  exit 0
fi

# block NAME: the lines from NAME's begin marker to its end marker in the bench output.
block() { sed -n "/<!-- figures:$1:begin -->/,/<!-- figures:$1:end -->/p" "$out"; }

# splice FILE NAME TEXT: replaces NAME's marked block in FILE with TEXT.
splice() {
  grep -q "<!-- figures:$2:begin -->" "$1" || { echo "bench-figures: no '$2' block in $1" >&2; exit 1; }
  BLOCK="$3" perl -0pi -e "s/<!-- figures:$2:begin -->.*?<!-- figures:$2:end -->/\$ENV{BLOCK}/s" "$1"
}

splice docs/performance.md run "$run"
for name in push budgets scenarios; do
  splice docs/performance.md "$name" "$(block "$name")"
done
splice README.md readme "$(block readme)"
echo "bench-figures: docs/performance.md and README.md rewritten (bench exit status $status)"
