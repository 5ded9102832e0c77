#!/usr/bin/env bash
# Makes a release of the Swift package: the XCFramework, zipped, named by URL and
# checksum in a release commit of Package.swift, and a tag on that commit.
#
#   scripts/release.sh [--dry-run] [--sign IDENTITY] [--repository-url URL] VERSION
#
#   1. builds build/release/CCallKitEngine.xcframework (scripts/build-xcframework.sh;
#      macOS only);
#   2. signs it with `codesign --timestamp --sign IDENTITY` when --sign is given;
#   3. zips it with the framework at the archive's root: CCallKitEngine.xcframework.zip;
#   4. computes the zip's checksum with `swift package compute-checksum`;
#   5. rewrites Package.swift's `releaseURL` (URL/releases/download/VERSION/<zip>) and
#      `releaseChecksum`, and checks the result with `swift package dump-package`;
#   6. commits Package.swift and tags the commit VERSION (annotated). Nothing is pushed:
#      the release workflow pushes the tag and uploads the zip.
#
# --dry-run runs every step but the Apple ones, on any host: a stand-in XCFramework (the
# layout xcodebuild writes, with the host's static library and the real header and
# module map) instead of step 1, no signing, and steps 5 and 6 in a scratch repository
# made from HEAD plus the working tree's Package.swift, so the checkout is never
# changed. CI runs it on Linux (.ci/steps/55-release-dry-run.sh).
#
# URL: --repository-url, else $GITHUB_SERVER_URL/$GITHUB_REPOSITORY (set in GitHub
# Actions), else an error; a dry run without either uses https://example.invalid/
# callkit-engine. VERSION is semantic (1.2.3, 1.2.3-rc.1) and becomes the tag as is.
# Environment: CK_RELEASE_OUT (default build/release, build/release-dry-run for a dry
# run), CARGO_TARGET_DIR.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
dry_run=0
identity=""
repository_url=""

usage() {
  sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=1; shift ;;
    --sign) identity="${2:?--sign needs an identity}"; shift 2 ;;
    --repository-url) repository_url="${2:?--repository-url needs a URL}"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "release: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[[ $# -eq 1 ]] || usage
version="$1"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: '$version' is not a semantic version (1.2.3 or 1.2.3-rc.1)" >&2
  exit 2
fi

if [[ -z "$repository_url" ]]; then
  if [[ -n "${GITHUB_SERVER_URL:-}" && -n "${GITHUB_REPOSITORY:-}" ]]; then
    repository_url="$GITHUB_SERVER_URL/$GITHUB_REPOSITORY"
  elif [[ $dry_run -eq 1 ]]; then
    repository_url="https://example.invalid/callkit-engine"
  else
    echo "release: no repository URL: pass --repository-url or run in GitHub Actions" >&2
    exit 2
  fi
fi
repository_url="${repository_url%/}"

if [[ $dry_run -eq 1 ]]; then
  out="${CK_RELEASE_OUT:-$repo/build/release-dry-run}"
else
  out="${CK_RELEASE_OUT:-$repo/build/release}"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
framework_name=CCallKitEngine.xcframework
framework="$out/$framework_name"
zip_name="$framework_name.zip"
zip_path="$out/$zip_name"
url="$repository_url/releases/download/$version/$zip_name"

say() { echo "release: $*" >&2; }
swift_in() { "$repo/scripts/swift-toolchain.sh" run "$@"; }

# The checkout the manifest is rewritten and tagged in.
if [[ $dry_run -eq 1 ]]; then
  work="$out/checkout"
  rm -rf "$work"
  mkdir -p "$work"
  git -C "$repo" archive HEAD | tar -x -C "$work"
  cp "$repo/Package.swift" "$work/Package.swift"
  git -C "$work" init -q
  git -C "$work" add -A
  git -C "$work" -c user.name=dry-run -c user.email=dry-run@example.invalid \
    commit -q -m "HEAD of the checkout (release dry run)"
  git_identity=(-c user.name=dry-run -c user.email=dry-run@example.invalid)
else
  work="$repo"
  git_identity=()
  if [[ -n "$(git -C "$work" status --porcelain --untracked-files=no)" ]]; then
    say "error: the checkout has uncommitted changes"
    exit 1
  fi
fi
if [[ -n "$(git -C "$work" tag -l "$version")" ]]; then
  say "error: tag $version exists"
  exit 1
fi

# --- 1. the XCFramework ----------------------------------------------------------------
rm -rf "$framework" "$zip_path"
if [[ $dry_run -eq 0 ]]; then
  CK_XCFRAMEWORK_OUT="$out" "$repo/scripts/build-xcframework.sh"
else
  # xcodebuild -create-xcframework's layout for a device and a simulator library.
  say "dry run: a stand-in $framework_name (the layout xcodebuild writes)"
  (cd "$repo" && cargo build --quiet --release -p callkit-engine-ffi)
  target_dir="${CARGO_TARGET_DIR:-$repo/target}"
  case "$target_dir" in /*) ;; *) target_dir="$repo/$target_dir" ;; esac
  for slice in ios-arm64 ios-arm64_x86_64-simulator; do
    mkdir -p "$framework/$slice/Headers/CCallKitEngine"
    "$repo/scripts/localize-symbols.sh" "$target_dir/release/libcallkit_engine_ffi.a" \
      "$framework/$slice/libcallkit_engine_ffi.a"
    cp "$repo/ffi/include/callkit_engine.h" "$framework/$slice/Headers/CCallKitEngine/"
    printf 'module CCallKitEngine {\n    header "callkit_engine.h"\n    export *\n}\n' \
      >"$framework/$slice/Headers/CCallKitEngine/module.modulemap"
  done
  cat >"$framework/Info.plist" <<'PLIST'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>AvailableLibraries</key>
	<array>
		<dict>
			<key>HeadersPath</key><string>Headers</string>
			<key>LibraryIdentifier</key><string>ios-arm64</string>
			<key>LibraryPath</key><string>libcallkit_engine_ffi.a</string>
			<key>SupportedArchitectures</key><array><string>arm64</string></array>
			<key>SupportedPlatform</key><string>ios</string>
		</dict>
		<dict>
			<key>HeadersPath</key><string>Headers</string>
			<key>LibraryIdentifier</key><string>ios-arm64_x86_64-simulator</string>
			<key>LibraryPath</key><string>libcallkit_engine_ffi.a</string>
			<key>SupportedArchitectures</key><array><string>arm64</string><string>x86_64</string></array>
			<key>SupportedPlatform</key><string>ios</string>
			<key>SupportedPlatformVariant</key><string>simulator</string>
		</dict>
	</array>
	<key>CFBundlePackageType</key><string>XFWK</string>
	<key>XCFrameworkFormatVersion</key><string>1.0</string>
</dict>
</plist>
PLIST
fi
[[ -f "$framework/Info.plist" ]] || { say "error: $framework has no Info.plist"; exit 1; }

# --- 2. signing --------------------------------------------------------------------------
if [[ -n "$identity" && $dry_run -eq 0 ]]; then
  codesign --timestamp --verbose --sign "$identity" "$framework"
  codesign --verify --verbose "$framework"
elif [[ -n "$identity" ]]; then
  say "dry run: not signing (codesign is macOS only)"
fi

# --- 3. the zip, the framework at its root -------------------------------------------------
# -y keeps symbolic links as links (a signed framework's _CodeSignature must stay intact);
# -X leaves out extra attributes, so the same files give the same checksum.
(cd "$out" && zip -q -r -y -X "$zip_name" "$framework_name")
mapfile -t entries < <(unzip -Z1 "$zip_path")
for entry in "${entries[@]}"; do
  if [[ "$entry" != "$framework_name/"* ]]; then
    say "error: $zip_name holds $entry outside $framework_name/"
    exit 1
  fi
done
printf '%s\n' "${entries[@]}" | grep -qx "$framework_name/Info.plist" ||
  { say "error: $zip_name has no $framework_name/Info.plist at its root"; exit 1; }
say "zip: $zip_path (${#entries[@]} entries, all under $framework_name/)"

# --- 4. the checksum ---------------------------------------------------------------------
checksum=$(swift_in "$out" package compute-checksum "$zip_path" | tr -d '[:space:]')
if [[ ! "$checksum" =~ ^[0-9a-f]{64}$ ]]; then
  say "error: compute-checksum printed '$checksum'"
  exit 1
fi
# SwiftPM's checksum is the zip's SHA-256.
if [[ "$checksum" != "$(sha256sum "$zip_path" | cut -d' ' -f1)" ]]; then
  say "error: compute-checksum differs from sha256sum"
  exit 1
fi
say "checksum: $checksum"
printf '%s\n' "$checksum" >"$zip_path.checksum"

# --- 5. the manifest ---------------------------------------------------------------------
manifest="$work/Package.swift"
for name in releaseURL releaseChecksum; do
  count=$(grep -c "^let $name = \"[^\"]*\"\$" "$manifest" || true)
  [[ "$count" -eq 1 ]] || { say "error: Package.swift has $count lines 'let $name = \"...\"' (want 1)"; exit 1; }
done
sed -i.orig \
  -e "s|^let releaseURL = \"[^\"]*\"\$|let releaseURL = \"$url\"|" \
  -e "s|^let releaseChecksum = \"[^\"]*\"\$|let releaseChecksum = \"$checksum\"|" \
  "$manifest"
rm -f "$manifest.orig"
# SwiftPM reads the rewritten manifest as an Apple host would (CK_MANIFEST_LAYOUT=apple):
# the C module must be the binary target at that URL with that checksum.
CK_MANIFEST_LAYOUT=apple swift_in "$work" package dump-package >"$out/dump-package.json"
python3 - "$out/dump-package.json" "$url" "$checksum" <<'EOF'
import json, sys
dump, url, checksum = sys.argv[1], sys.argv[2], sys.argv[3]
targets = {t["name"]: t for t in json.load(open(dump))["targets"]}
c = targets.get("CCallKitEngine")
if not c or c.get("type") != "binary" or c.get("url") != url or c.get("checksum") != checksum:
    sys.exit(f"release: error: dump-package shows CCallKitEngine as {c}")
print(f"release: dump-package: CCallKitEngine is the binary target at {url}", file=sys.stderr)
EOF

# --- 6. the release commit and its tag -------------------------------------------------------
git -C "$work" "${git_identity[@]}" commit -q -m "Release $version: CCallKitEngine.xcframework by URL" \
  -m "url: $url" -m "checksum: $checksum" -- Package.swift
git -C "$work" "${git_identity[@]}" tag -a "$version" -m "callkit-engine $version"
say "tagged $version at $(git -C "$work" rev-parse --short "$version^{commit}") in $work"
if [[ $dry_run -eq 1 ]]; then
  say "dry run: done; the checkout is unchanged"
else
  say "next: git push origin $version, and upload $zip_path to the release $version"
fi
