#!/usr/bin/env bash
# Benches never rot: build every bench target of callkit-engine-benches (criterion
# `wall`, gungraun `instructions`, the `budgets` checker) without running them. Running
# them needs valgrind and gungraun-runner and minutes of machine time; the commands are
# in docs/performance.md. The size budgets (benches/tests/sizes.rs) already run in
# `cargo test --workspace`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

echo "+ cargo bench -p callkit-engine-benches --no-run"
cargo bench -p callkit-engine-benches --no-run

echo "+ bash -n benches/text-size.sh scripts/bench-figures.sh"
bash -n benches/text-size.sh
bash -n scripts/bench-figures.sh
