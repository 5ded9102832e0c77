#!/usr/bin/env bash
# The package is truthful. Every test and example file is a target somewhere (0); for
# each crate meant to be published (publish not false),
#   1. `cargo package` builds the .crate with no warning;
#   2. the README's links name files the .crate holds (absolute docs.rs links only: a
#      relative link breaks on crates.io, which has no repository to resolve it against);
#   3. the unpacked .crate builds and passes its own tests, with no feature and with
#      `log` (the package has no testkit, and so no test that needs it);
#   4. `cargo publish --dry-run` passes with no warning. Dry run only: nothing is uploaded.
# Needs a clean checkout (as CI has); works alone from any directory:
#   bash .ci/steps/30-package.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$(pwd)
scratch=$(mktemp -d)
check=""
trap 'rm -rf "$scratch" ${check:+"$check"}' EXIT

# Fails when cargo's output (in $1) has a warning; shows it. The one exception is the
# notice every dry run ends with ("warning: aborting upload due to dry run").
no_warnings() {
  if grep -n '^warning' "$1" | grep -v ':warning: aborting upload due to dry run$'; then
    echo "error: the step above printed warnings (see $1 excerpt)" >&2
    exit 1
  fi
}

# Runs cargo with its output also kept in $scratch/log.
cargo_logged() {
  echo "+ cargo $*"
  cargo "$@" 2>&1 | tee "$scratch/log"
}

# 0. Targets are listed, not discovered (callkit-engine names only what it ships; the
#    rest are targets of dev-tests/): every file in tests/ and examples/ (top level) must
#    be a target of exactly one workspace package, or it would silently never run.
cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import collections, json, pathlib, sys
root = pathlib.Path.cwd().resolve()
owners = collections.Counter()
for package in json.load(sys.stdin)["packages"]:
    for target in package["targets"]:
        owners[pathlib.Path(target["src_path"]).resolve()] += 1
bad = [
    f"{path.relative_to(root)}: a target of {owners[path]} packages (want 1)"
    for folder in ("tests", "examples")
    for path in sorted((root / folder).glob("*.rs"))
    if owners[path.resolve()] != 1
]
for b in bad:
    print(f"error: {b}: declare it in Cargo.toml or dev-tests/Cargo.toml", file=sys.stderr)
sys.exit(1 if bad else 0)
'
echo "targets: every tests/*.rs and examples/*.rs runs"

mapfile -t crates < <(cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p["publish"] != []:
        print(p["name"], p["version"], p["manifest_path"])
')
[[ ${#crates[@]} -gt 0 ]] || { echo "error: no publishable crate found" >&2; exit 1; }

for entry in "${crates[@]}"; do
  read -r name version manifest <<<"$entry"
  dir=$(dirname "$manifest")
  echo "==> $name $version"

  # 1. The .crate, verified by building it (cargo's own check).
  cargo_logged package -p "$name" --locked
  no_warnings "$scratch/log"
  crate="$root/target/package/$name-$version.crate"

  # 2. README links: none relative, every docs.rs source link names a packaged file.
  cargo package -p "$name" --locked --list >"$scratch/files"
  readme="$dir/README.md"
  if [[ -f "$readme" ]]; then
    python3 - "$readme" "$scratch/files" "$name" <<'EOF'
import re, sys
readme, files, name = sys.argv[1], sys.argv[2], sys.argv[3]
shipped = set(open(files).read().split())
text = open(readme, encoding="utf-8").read()
prefix = f"https://docs.rs/crate/{name}/latest/source/"
bad = []
for target in re.findall(r"\]\(([^)\s]+)\)", text):
    if target.startswith(prefix):
        if target[len(prefix):].split("#")[0] not in shipped:
            bad.append(f"{target}: not in the package")
    elif not re.match(r"(https?://|mailto:|#)", target):
        bad.append(f"{target}: relative, breaks on crates.io (link {prefix}<path>)")
for b in bad:
    print(f"error: README link {b}", file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
    echo "README links: ok"
  fi

  # 3. The unpacked package on its own: its lock file, its tests, its doctests.
  # Unpacked outside the repository (inside, cargo would take it for a workspace member)
  # and always at the same place for this checkout: a test binary keeps the
  # CARGO_MANIFEST_DIR it was built with, and cargo would reuse one built from a
  # directory since deleted.
  check="${TMPDIR:-/tmp}/callkit-package-check-$(printf '%s' "$root" | cksum | cut -d' ' -f1)"
  rm -rf "$check" && mkdir -p "$check"
  tar -xzf "$crate" -C "$check"
  unpacked="$check/$name-$version"
  features=("")
  if python3 -c 'import sys, tomllib; sys.exit("log" not in tomllib.load(open(sys.argv[1], "rb")).get("features", {}))' "$unpacked/Cargo.toml"; then
    features+=("--features log")
  fi
  for set in "${features[@]}"; do
    # shellcheck disable=SC2086  # $set is deliberately split into arguments
    (cd "$unpacked" && CARGO_TARGET_DIR="$root/target/package-check" \
      cargo_logged test --locked $set)
    no_warnings "$scratch/log"
  done

  # 4. The dry run.
  cargo_logged publish --dry-run -p "$name" --locked
  no_warnings "$scratch/log"
done
