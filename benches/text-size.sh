#!/usr/bin/env bash
# Release .text of callkit-engine in a #![no_std] executable.
#
#   bash benches/text-size.sh [z|s ...]     default: z s
#
# Builds, in a scratch crate outside the repository, two #![no_std] #![no_main]
# executables with the same C runtime, panic handler and release profile (opt-level as
# given, lto = true, codegen-units = 1, panic = "abort"):
#   engine: calls Engine::handle with a black-boxed Config, time and Event (so every
#           event handler, the payload parser under any schema and every effect is
#           linked) and Engine::poll_timeout;
#   empty:  the same main without the engine.
# and prints `size -A` .text of both and the difference, the engine's contribution:
#   engine .text bytes: N        (for the last opt-level given)
# Needs cargo, cc and binutils' `size`. Never modifies the repository; the build goes to
# $CARGO_TARGET_DIR/text-size (or target/text-size).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
levels=("$@")
[[ ${#levels[@]} -gt 0 ]] || levels=(z s)
target="${CARGO_TARGET_DIR:-$root/target}/text-size"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/callkit-text-size.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src/bin"

cat >"$scratch/Cargo.toml" <<TOML
[package]
name = "callkit-engine-text-size"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
callkit-engine = { path = "$root", default-features = false }

[profile.release]
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"
debug = false
TOML

common='
use core::panic::PanicInfo;

#[link(name = "c")]
extern "C" {}

#[panic_handler]
fn panic(_info: &PanicInfo<'"'"'_>) -> ! {
    loop {}
}

#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
'

cat >"$scratch/src/bin/engine.rs" <<RS
#![no_std]
#![no_main]
use core::hint::black_box;

use callkit_engine::{Config, Engine, Event, Instant};
$common
#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    let mut engine: Engine = Engine::new(black_box(Config::default()));
    let event: Event<'static> = black_box(Event::ProviderDidBegin);
    let result = engine.handle(black_box(Instant::from_millis(1)), event);
    black_box(&result);
    black_box(engine.poll_timeout());
    black_box(&engine);
    i32::from(result.is_err())
}
RS

cat >"$scratch/src/bin/empty.rs" <<RS
#![no_std]
#![no_main]
use core::hint::black_box;
$common
#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    black_box(0)
}
RS

text_of() { size -A "$1" | awk '$1 == ".text" { n = $2 } END { print n + 0 }'; }
rodata_of() { size -A "$1" | awk '$1 == ".rodata" { n = $2 } END { print n + 0 }'; }

engine_text=""
for level in "${levels[@]}"; do
  CARGO_PROFILE_RELEASE_OPT_LEVEL="$level" cargo build --quiet --release \
    --manifest-path "$scratch/Cargo.toml" --target-dir "$target/opt-$level"
  bin="$target/opt-$level/release"
  e=$(text_of "$bin/engine")
  z=$(text_of "$bin/empty")
  er=$(rodata_of "$bin/engine")
  zr=$(rodata_of "$bin/empty")
  engine_text=$((e - z))
  echo "opt-level=$level lto=true codegen-units=1 panic=abort:"
  echo "  .text   engine binary $e, empty binary $z, engine part $((e - z)) bytes"
  echo "  .rodata engine binary $er, empty binary $zr, engine part $((er - zr)) bytes"
done
echo "engine .text bytes: $engine_text"
