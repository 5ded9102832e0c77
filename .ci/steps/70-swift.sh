#!/usr/bin/env bash
# The Swift package (Package.swift at the root, sources in swift/): makes or reuses the
# toolchain, builds with warnings as errors, runs the tests plain, under AddressSanitizer
# and under ThreadSanitizer. Run by .ci/run as its own step; works alone from any
# directory:
#   bash .ci/steps/70-swift.sh
# Installs what it needs: the Swift toolchain (scripts/swift-toolchain.sh ensure: swift
# on PATH, else Debian trixie's swiftlang in a debootstrap root outside the checkout)
# and the shell linter (apt-get install shellcheck). Each part prints its time.
#
# Time on a fresh clone with the root already made (2 shared cores, niced): 2 min 52 s
# (build 56 s, including the release static library; test 3 s; ASan 74 s; TSan 38 s).
# Making the root on a fresh machine adds 4 min 40 s (done by .ci/run's step 1b).
# The randomized driver test (DriverFuzzTests, 10,000 seeded runs) prints its own time:
# 6.3 s in the plain test, 23.2 s under ASan, 18.7 s under TSan (warm scratch folders,
# whole step 1 min 47 s).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

part_times=()
part() {
  local name="$1"
  shift
  echo "--> swift: $name"
  local start
  start=$(date +%s.%N)
  "$@"
  local took
  took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  part_times+=("$(printf '    %6ss  %s' "$took" "$name")")
  echo "<-- swift: $name: ${took}s"
}
trap 'printf "%s\n" "swift step times:" "${part_times[@]}"' EXIT

install_shellcheck() {
  command -v shellcheck >/dev/null 2>&1 && return 0
  echo "swift: installing shellcheck"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends shellcheck </dev/null; then
    as_root apt-get update </dev/null
    as_root apt-get install -y --no-install-recommends shellcheck </dev/null
  fi
}

part "toolchain (make or reuse)" bash scripts/swift-toolchain.sh ensure
install_shellcheck
part "shellcheck" shellcheck .ci/run .ci/steps/*.sh scripts/*.sh
# One scratch folder for the plain build and test (the test reuses the build), one per
# sanitizer (they instrument every module).
part "build, warnings as errors" bash scripts/swift-test.sh --werror build --build-tests
part "test" bash scripts/swift-test.sh --werror test
# LeakSanitizer is off: swift-corelibs-xctest on Linux never frees its XCTestCase
# instances (and Foundation keeps caches), 26 KB in 308 allocations per run, every stack
# ending in XCTest's runner or Foundation, none in the package (checked with addr2line);
# ASan's checks of every access stay on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
part "test, AddressSanitizer" bash scripts/swift-test.sh --scratch-path .build-asan --werror test --sanitize=address
part "test, ThreadSanitizer" bash scripts/swift-test.sh --scratch-path .build-tsan --werror test --sanitize=thread
