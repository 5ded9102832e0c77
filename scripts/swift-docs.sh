#!/usr/bin/env bash
# Builds the DocC catalogs of the Swift package with the toolchain's `docc`, warnings as
# errors: swift/Sources/CallKitEngine/CallKitEngine.docc,
# swift/Sources/CallKitEngineDriver/CallKitEngineDriver.docc and
# swift/Sources/CallKitEngineTesting/CallKitEngineTesting.docc, each over its module's
# public symbol graph (so a broken ``Symbol`` link in a doc comment fails too).
#
#   scripts/swift-docs.sh              .build-docc/<Module>.doccarchive
#
# The symbol graphs come from `swift build --target CallKitEngineTesting` with
# -emit-symbol-graph in the scratch folder .build-docc (CK_DOCC_SCRATCH to move it). On
# Linux the graphs are those of the Linux build: API that exists only on Apple platforms
# (`#if canImport(os)`) is not in them, so the catalogs name it in code voice only.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
scratch="${CK_DOCC_SCRATCH:-$repo/.build-docc}"
graphs="$scratch/symbol-graphs"
toolchain="$repo/scripts/swift-toolchain.sh"

# Kept between runs: an incremental build rewrites the graphs of the modules it compiles
# and only those.
mkdir -p "$graphs"
echo "+ swift build --target CallKitEngineTesting -emit-symbol-graph" >&2
"$toolchain" run "$repo" build --quiet --scratch-path "$scratch" --target CallKitEngineTesting \
  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs" \
  -Xswiftc -symbol-graph-minimum-access-level -Xswiftc public

for module in CallKitEngine CallKitEngineDriver CallKitEngineTesting; do
  catalog="$repo/swift/Sources/$module/$module.docc"
  module_graphs="$scratch/graphs/$module"
  rm -rf "$module_graphs" "$scratch/$module.doccarchive"
  mkdir -p "$module_graphs"
  # The module's own graph and its extensions of other modules' types (Module@Other).
  cp "$graphs/$module.symbols.json" "$module_graphs/"
  if compgen -G "$graphs/$module@*.symbols.json" >/dev/null; then
    cp "$graphs/$module"@*.symbols.json "$module_graphs/"
  fi
  echo "+ docc convert $module.docc --warnings-as-errors" >&2
  "$toolchain" exec "$repo" docc convert "$catalog" \
    --additional-symbol-graph-dir "$module_graphs" \
    --fallback-display-name "$module" --fallback-bundle-identifier "callkit-engine.$module" \
    --output-path "$scratch/$module.doccarchive" --warnings-as-errors
done
