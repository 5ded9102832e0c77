#!/usr/bin/env bash
# Builds build/CCallKitEngine.xcframework: the C ABI's static library
# (crate callkit-engine-ffi) for iOS devices and the iOS simulator, with the header and a
# module map for the Clang module `CCallKitEngine` in Headers/CCallKitEngine/. On a branch
# (or with CK_LOCAL_XCFRAMEWORK=1) Package.swift's Apple binaryTarget points at this path;
# run the script once before opening the package in Xcode, and again after changing ffi/
# or src/. scripts/release.sh runs it for a release. Each library exports only the ck_
# functions (scripts/localize-symbols.sh).
#
#   scripts/build-xcframework.sh            build/CCallKitEngine.xcframework
#
# macOS only: it needs Xcode (xcodebuild, lipo) and rustup's iOS targets, which it adds.
# Elsewhere it stops with a message and exit code 2; the Linux CI checks it with shellcheck
# only, the macOS job of .github/workflows/ci.yml runs it.
#
# Environment: IPHONEOS_DEPLOYMENT_TARGET (default 16.0, Package.swift's platform),
# CARGO_TARGET_DIR (default target/), CK_XCFRAMEWORK_OUT (default build/).
set -euo pipefail

if [[ "$(uname -s)" != Darwin ]]; then
  echo "build-xcframework: this script runs only on macOS (it needs Xcode's xcodebuild and lipo);" >&2
  echo "  on Linux the package links the host-built static library instead (scripts/swift-test.sh)." >&2
  exit 2
fi
for tool in cargo rustup xcodebuild lipo; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-xcframework: '$tool' not found: install Xcode and rustup" >&2
    exit 1
  fi
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
out="${CK_XCFRAMEWORK_OUT:-$repo/build}"
framework="$out/CCallKitEngine.xcframework"
staging="$out/xcframework-staging"
lib=libcallkit_engine_ffi.a

# PushKit's report-inside-the-callback rule holds from iOS 13; the package needs 15.
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-16.0}"

device=aarch64-apple-ios
simulators=(aarch64-apple-ios-sim x86_64-apple-ios)

# 1. The static library for the device and both simulator architectures.
rustup target add "$device" "${simulators[@]}"
for target in "$device" "${simulators[@]}"; do
  (cd "$repo" && cargo build --release -p callkit-engine-ffi --target "$target")
done

rm -rf "$staging" "$framework"
mkdir -p "$staging/ios" "$staging/ios-simulator" "$staging/include" "$staging/sim-arm64" "$staging/sim-x86_64"
# Each library exports only the C ABI's ck_ functions (scripts/localize-symbols.sh): the
# Rust runtime's symbols would clash with any other Rust library in the app.
localize="$repo/scripts/localize-symbols.sh"
"$localize" "$target_dir/$device/release/$lib" "$staging/ios/$lib" arm64
"$localize" "$target_dir/${simulators[0]}/release/$lib" "$staging/sim-arm64/$lib" arm64
"$localize" "$target_dir/${simulators[1]}/release/$lib" "$staging/sim-x86_64/$lib" x86_64
# An XCFramework takes one library per platform variant: one fat simulator archive.
lipo -create "$staging/sim-arm64/$lib" "$staging/sim-x86_64/$lib" -output "$staging/ios-simulator/$lib"

# 2. The header (cbindgen's, unchanged) and the module map of module CCallKitEngine, the
#    name swift/Sources/CCallKitEngine/module.modulemap gives the same header on Linux.
#    Both go in a subdirectory named for the module, Headers/CCallKitEngine/: Xcode copies
#    each XCFramework's Headers into one shared include/ directory, so a module.modulemap at
#    the top of Headers clashes with any other package doing the same ("Multiple commands
#    produce .../include/module.modulemap"). The map's header path is relative to the map.
headers="$staging/include"
mkdir -p "$headers/CCallKitEngine"
cp "$repo/ffi/include/callkit_engine.h" "$headers/CCallKitEngine/"
cat >"$headers/CCallKitEngine/module.modulemap" <<'MODULEMAP'
module CCallKitEngine {
    header "callkit_engine.h"
    export *
}
MODULEMAP

# 3. The XCFramework.
xcodebuild -create-xcframework \
  -library "$staging/ios/$lib" -headers "$headers" \
  -library "$staging/ios-simulator/$lib" -headers "$headers" \
  -output "$framework"
rm -rf "$staging"
echo "build-xcframework: wrote $framework"
