#!/usr/bin/env bash
# MSRV: each workspace crate's rust-version is at least the rust-version of every
# locked package that building or testing it compiles (read with cargo metadata), and
# the README states the root crate's. Only one toolchain is installed, so the claim is
# checked on the lock file instead of by building with the old compiler. Works alone:
#   bash .ci/steps/15-msrv.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v python3 >/dev/null 2>&1 || { echo "error: python3 is required" >&2; exit 1; }
python3 .ci/msrv.py
