#!/usr/bin/env bash
# The release process without an Apple host: scripts/release.sh --dry-run builds a
# stand-in XCFramework, zips it, checks the zip's layout (the framework at its root),
# computes its checksum with `swift package compute-checksum`, rewrites Package.swift in
# a scratch repository and reads it back with `swift package dump-package`, then commits
# and tags there. The checkout is not changed. Works alone from any directory:
#   bash .ci/steps/55-release-dry-run.sh
# Needs the Swift toolchain (.ci/run's step 1b makes it) and zip/unzip (apt-get).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
for tool in zip unzip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "release: installing $tool"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y --no-install-recommends "$tool" </dev/null ||
      { as_root apt-get update </dev/null && as_root apt-get install -y --no-install-recommends "$tool" </dev/null; }
  fi
done

before=$(git status --porcelain)
bash scripts/release.sh --dry-run --sign "stand-in identity" 0.0.0-dry-run
if [[ "$(git status --porcelain)" != "$before" ]]; then
  echo "error: the release dry run changed the checkout:" >&2
  git status --short >&2
  exit 1
fi
