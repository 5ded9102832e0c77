#!/usr/bin/env python3
"""The MSRV claim holds: each workspace crate's `rust-version` is at least the
`rust-version` of every package in Cargo.lock that building or testing it compiles.

Only one toolchain is installed, so the claim is checked on the lock file, read with
`cargo metadata --locked --all-features` (every feature of every crate, every target
platform). A crate needs what its normal, build and dev dependencies reach, following
only normal and build edges below the first level (a dependency's own dev-dependencies
are never built). Dev-dependencies count for every crate: callkit-engine ships tests
in its package, and `cargo test --workspace` builds the others' tests.

Also checks that the README states the root crate's MSRV ("MSRV: Rust 1.NN").

Run from anywhere: `python3 .ci/msrv.py`. Exit status 1 names each crate whose claim is
false, with the package that needs more.
"""

import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def version_key(text):
    """'1.85.1' -> (1, 85, 1); '1.88' -> (1, 88, 0)."""
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in metadata["packages"]}
    edges = {node["id"]: node["deps"] for node in metadata["resolve"]["nodes"]}

    def reached(member):
        """Every package compiled to build or test `member` (not `member` itself)."""
        seen = set()
        todo = [(member, True)]
        while todo:
            node, is_member = todo.pop()
            for dep in edges[node]:
                kinds = {k["kind"] for k in dep["dep_kinds"]}
                if not (kinds & {None, "build"} or (is_member and "dev" in kinds)):
                    continue
                if dep["pkg"] not in seen and dep["pkg"] != member:
                    seen.add(dep["pkg"])
                    todo.append((dep["pkg"], False))
        return seen

    failures = []
    for member in metadata["workspace_members"]:
        package = packages[member]
        name, declared = package["name"], package.get("rust_version")
        needs = [
            (packages[p]["rust_version"], packages[p]["name"], packages[p]["version"], p)
            for p in reached(member)
            if packages[p].get("rust_version")
        ]
        # On a tie, name a registry package (the reason) over a workspace crate.
        need, by, by_version, _ = max(
            needs,
            key=lambda n: (version_key(n[0]), n[3] not in metadata["workspace_members"]),
            default=("0", "-", "", None),
        )
        ok = declared is not None and version_key(declared) >= version_key(need)
        print(
            f"{'ok  ' if ok else 'FAIL'} {name:<26} rust-version {declared or 'unset':<6} "
            f"needs {need} ({by} {by_version})"
        )
        if not ok:
            failures.append(
                f"{name}: rust-version {declared or 'unset'} is below {need}, "
                f"the rust-version of {by} {by_version} in Cargo.lock"
            )
        if package["manifest_path"] == str(ROOT / "Cargo.toml") and declared:
            readme = (ROOT / "README.md").read_text(encoding="utf-8")
            stated = re.search(r"MSRV\**:?\**\s+Rust (\d+\.\d+(?:\.\d+)?)", readme)
            if not stated or version_key(stated.group(1)) != version_key(declared):
                failures.append(
                    f"README.md must state 'MSRV: Rust {declared}' "
                    f"(found {stated.group(0) if stated else 'nothing'})"
                )

    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
