#!/usr/bin/env bash
# The Swift toolchain for the package at the repository root.
#
#   scripts/swift-toolchain.sh available          exit 0 if a toolchain is there (prints which)
#   scripts/swift-toolchain.sh ensure             make one if there is none (CI)
#   scripts/swift-toolchain.sh run DIR ARGS...    `swift ARGS...` with DIR as working directory
#   scripts/swift-toolchain.sh exec DIR CMD...    any command (e.g. valgrind) the same way
#   scripts/swift-toolchain.sh install PKG...     apt-get install PKG... inside the root
#
# Where `swift` is on PATH (a Mac, a Linux machine with Swift) it is used as is. Otherwise
# the toolchain is Debian trixie's `swiftlang` (Swift 6.0.3) in a debootstrap root kept
# outside the checkout, in $CK_SWIFT_ROOT (default /var/cache/callkit-engine/swift-trixie).
# `ensure` makes that root when it is missing (needs root; installs the host's debootstrap
# package and nothing else on the host: the host's apt sources are only read, for the
# mirror URL, never changed); `available`, `run` and `exec` never make it.
#
# `run`/`exec` in the root: bind-mount /proc and DIR's top directory (the checkout,
# $CK_SWIFT_MOUNT to override) at the same paths inside the root, run the command under
# chroot with a clean environment (PATH, HOME; CI, every CK_* and *SAN_OPTIONS passed
# through), and unmount on exit, failure and signals included. Several invocations may
# run at once: they share the mounts, and the last one still running unmounts them (see
# mount_into), so one finishing never pulls a mount from under another. Give concurrent
# builds their own SwiftPM --scratch-path.
#
# Environment: CK_SWIFT_ROOT (the root's folder), CK_DEBIAN_MIRROR (debootstrap mirror;
# default: the first Debian URI in the host's apt sources, else deb.debian.org),
# CK_SWIFT_USE_ROOT=1 (use the root even if swift is on PATH).
set -euo pipefail

root="${CK_SWIFT_ROOT:-/var/cache/callkit-engine/swift-trixie}"
suite=trixie
root_packages=(swiftlang libc6-dev libstdc++-14-dev)

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

log() { echo "swift-toolchain: $*" >&2; }

host_swift() {
  [[ "${CK_SWIFT_USE_ROOT:-0}" != 1 ]] && command -v swift >/dev/null 2>&1
}

# The root is made in $root.partial and moved into place only when complete.
root_ready() { [[ -x "$root/usr/libexec/swift/bin/swift" ]]; }

need_root_user() {
  if [[ $(id -u) -ne 0 ]]; then
    log "error: the trixie root needs root (mount, chroot); run as root or put swift on PATH"
    exit 1
  fi
}

# The first Debian archive URI named in the host's apt sources (read only).
host_mirror() {
  local uri=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list.d/*.sources || true)
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# Bind mounts are shared by every invocation that needs them and counted by process:
# $root.mounts/<key> lists the PIDs using the mount at $root<src> (dead ones are pruned),
# all under one flock. The first user mounts, the last one unmounts; so no run ever
# loses /proc or its working directory while another finishes (a lazily detached
# mount would leave its working directory unreachable to getcwd).
mounts_dir="$root.mounts"
mounted=()

with_mount_lock() {
  mkdir -p "$mounts_dir"
  (
    flock 8
    "$@"
  ) 8>"$mounts_dir.lock"
}

# live_users FILE: the PIDs in FILE that still run, one a line, without this process.
live_users() {
  local pid
  [[ -f "$1" ]] || return 0
  while IFS= read -r pid; do
    [[ -n "$pid" && "$pid" != "$$" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
  done <"$1"
  return 0
}

mount_key() { printf '%s' "$1" | md5sum | cut -c1-32; }

# mount_locked ROOT SRC: bind SRC at ROOT/SRC unless it is mounted; record this process.
mount_locked() {
  local target="$1$2" users
  users="$mounts_dir/$(mount_key "$target")"
  if ! mountpoint -q "$target"; then
    mkdir -p "$target"
    mount --bind "$2" "$target"
  fi
  { live_users "$users"; echo "$$"; } >"$users.new"
  mv "$users.new" "$users"
}

# unmount_locked TARGET: forget this process; unmount when no live user is left.
unmount_locked() {
  local target="$1" users others
  users="$mounts_dir/$(mount_key "$target")"
  others=$(live_users "$users")
  if [[ -n "$others" ]]; then
    echo "$others" >"$users"
    return 0
  fi
  rm -f "$users"
  while mountpoint -q "$target"; do
    umount "$target" 2>/dev/null || umount -l "$target" || {
      log "warning: could not unmount $target"
      return 0
    }
  done
}

mount_into() {
  with_mount_lock mount_locked "$1" "$2"
  mounted+=("$1$2")
}

unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    with_mount_lock unmount_locked "${mounted[i]}"
  done
  mounted=()
}

# Runs "$@" inside ROOT (already mounted) with a clean environment, in directory $dir.
chroot_run() {
  local dir="$1"
  shift
  # swiftlang installs `swift` (the driver) only in /usr/libexec/swift/bin.
  local -a env_args=(PATH=/usr/libexec/swift/bin:/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8)
  local name
  while IFS= read -r name; do
    env_args+=("$name=${!name}")
  done < <(compgen -e | grep -E '^(CI|CK_[A-Za-z0-9_]+|[AT]SAN_OPTIONS|LSAN_OPTIONS|UBSAN_OPTIONS)$' || true)
  # shellcheck disable=SC2016  # $1 and $@ are the inner shell's
  chroot "$root" /usr/bin/env -i "${env_args[@]}" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$@"
}

make_root() {
  need_root_user
  local lock="$root.lock"
  mkdir -p "$(dirname "$root")"
  exec 9>"$lock"
  flock 9
  if root_ready; then
    exec 9>&-
    return 0
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap on the host"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends debootstrap </dev/null ||
      { apt-get update </dev/null && apt-get install -y --no-install-recommends debootstrap </dev/null; }
  fi
  local mirror="${CK_DEBIAN_MIRROR:-$(host_mirror)}"
  local partial="$root.partial"
  if [[ -d "$partial" ]]; then
    umount -l "$partial/proc" 2>/dev/null || true
    rm -rf "$partial"
  fi
  log "debootstrap --variant=minbase $suite $partial $mirror"
  debootstrap --variant=minbase "$suite" "$partial" "$mirror" >&2
  cp /etc/resolv.conf "$partial/etc/resolv.conf"
  mount --bind /proc "$partial/proc"
  local status=0
  chroot "$partial" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive \
    /bin/sh -c "apt-get update && apt-get install -y --no-install-recommends ${root_packages[*]}" >&2 ||
    status=$?
  umount -l "$partial/proc"
  if [[ $status -ne 0 ]]; then
    log "error: installing ${root_packages[*]} in the root failed ($status)"
    exit "$status"
  fi
  rm -rf "$root"
  mv "$partial" "$root"
  exec 9>&-
  log "made $root"
}

# The directory to bind into the root so that DIR is reachable: the checkout's top.
mount_source() {
  local dir="$1"
  if [[ -n "${CK_SWIFT_MOUNT:-}" ]]; then
    echo "$CK_SWIFT_MOUNT"
  elif top=$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null); then
    echo "$top"
  else
    echo "$dir"
  fi
}

# in_toolchain DIR CMD...: CMD in DIR, with the host's swift or inside the root.
in_toolchain() {
  local dir
  dir=$(cd "$1" && pwd -P)
  shift
  if host_swift; then
    (cd "$dir" && "$@")
    return
  fi
  if ! root_ready; then
    log "error: no Swift toolchain: swift is not on PATH and $root is not made;"
    log "  make it with: scripts/swift-toolchain.sh ensure"
    exit 1
  fi
  need_root_user
  trap unmount_all EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mount_into "$root" /proc
  mount_into "$root" "$(mount_source "$dir")"
  local status=0
  chroot_run "$dir" "$@" || status=$?
  unmount_all
  return "$status"
}

[[ $# -ge 1 ]] || usage
mode="$1"
shift
case "$mode" in
  available)
    if host_swift; then
      echo "swift on PATH: $(command -v swift)"
    elif root_ready && [[ $(id -u) -eq 0 ]]; then
      echo "trixie root: $root"
    elif root_ready; then
      echo "none usable (swift is not on PATH; $root needs root for chroot)"
      exit 1
    else
      echo "none (swift is not on PATH, $root is not made)"
      exit 1
    fi
    ;;
  ensure)
    if host_swift; then
      log "using swift on PATH: $(command -v swift)"
    elif root_ready; then
      log "reusing $root"
    else
      make_root
    fi
    ;;
  run)
    [[ $# -ge 1 ]] || usage
    dir="$1"
    shift
    in_toolchain "$dir" swift "$@"
    ;;
  exec)
    [[ $# -ge 2 ]] || usage
    dir="$1"
    shift
    in_toolchain "$dir" "$@"
    ;;
  install)
    [[ $# -ge 1 ]] || usage
    if host_swift; then
      log "error: install is for the trixie root; swift is on PATH here"
      exit 1
    fi
    root_ready || { log "error: $root is not made (scripts/swift-toolchain.sh ensure)"; exit 1; }
    need_root_user
    missing=()
    for pkg in "$@"; do
      # shellcheck disable=SC2016  # ${Status} is dpkg-query's field
      chroot "$root" /usr/bin/dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' ||
        missing+=("$pkg")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
      trap unmount_all EXIT
      mount_into "$root" /proc
      chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive \
        /bin/sh -c 'apt-get install -y --no-install-recommends "$@" || { apt-get update && apt-get install -y --no-install-recommends "$@"; }' \
        sh "${missing[@]}" >&2
      unmount_all
    fi
    ;;
  *) usage ;;
esac
