//! `no_std` link check for `callkit-engine`.
//!
//! A `#![no_std]`, `#![no_main]` executable for the host. The C runtime (crt1.o + libc)
//! calls the `main` below, which drives real engines through VoIP pushes (payload
//! parsing with serde-json-core, UUID parsing and v5 derivation with uuid, heapless
//! containers) and formats the effects with `core::fmt`, so the whole dependency graph
//! of the library is compiled into a fully linked artifact. Exit status 0 means every
//! check passed.
//!
//! What it proves:
//! - no crate in the graph links `std`: std brings its own `panic_impl` lang item, which
//!   would clash with the `#[panic_handler]` below ("found duplicate lang item
//!   `panic_impl`"); `check.sh --negative` demonstrates exactly that failure;
//! - no crate in the graph allocates: there is no `#[global_allocator]` here, so any use
//!   of `alloc` would fail to build;
//! - the library's code actually links (undefined symbols are errors for executables).
#![no_std]
#![no_main]

use core::fmt::{self, Write};
use core::panic::PanicInfo;

use callkit_engine::{
    CallId, Config, Effect, Effects, Engine, Event, Instant, PayloadSchema, PushId,
};

/// A push as the Apple documentation shapes it.
static APPLE_PAYLOAD: &[u8] =
    br#"{"callUUID":"6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11","handle":"+14085551234"}"#;

/// Not JSON at all: the engine must still report a call (under the fallback id).
static GARBAGE_PAYLOAD: &[u8] = b"\xff\xfe not json";

// libc provides `memcpy`, `memmove`, `memset` and `bcmp`, which core's code calls, and
// the startup code (crt1.o) that calls `main`. It is the C library, not Rust's std.
#[link(name = "c")]
extern "C" {}

/// A `fmt::Write` sink that only counts bytes (no allocation, no std).
struct Count(usize);

impl Write for Count {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// Feeds `engine` VoIP push `push` (`payload`, fallback call id of 16 `fallback` bytes)
/// at `now_ms` and returns its effects, which must start with `ReportNewIncomingCall`:
/// `Err(code)` when the engine refuses the push, `Err(code + 1)` when it is not reported
/// first.
fn push_reported<const C: usize, const P: usize, const E: usize>(
    engine: &mut Engine<C, P, E>,
    now_ms: u64,
    push: u64,
    payload: &[u8],
    fallback: u8,
    code: i32,
) -> Result<Effects<E>, i32> {
    let event = Event::VoipPushReceived {
        push: PushId(push),
        payload,
        fallback_call: CallId::from_bytes([fallback; 16]),
        must_report: None,
        received_at_unix_ms: None,
    };
    let effects = engine
        .handle(Instant::from_millis(now_ms), event)
        .map_err(|_| code)?;
    match effects.first() {
        Some(Effect::ReportNewIncomingCall { .. }) => Ok(effects),
        _ => Err(code + 1),
    }
}

/// Engine with explicit capacities (4 calls, 8 pushes, 32 effects) and the Apple-docs
/// schema: one VoIP push must yield `ReportNewIncomingCall` first.
fn explicit_engine(now_ms: u64) -> Result<(), i32> {
    let mut engine = Engine::<4, 8, 32>::new(Config::with_schema(PayloadSchema::apple_docs()));
    push_reported(&mut engine, now_ms, 1, APPLE_PAYLOAD, 7, 10).map(|_| ())
}

/// The default `Engine` with `Config::default()` and an unreadable payload: the push is
/// still reported first; the effects are rendered with `Debug` (every `Debug` impl).
fn default_engine(now_ms: u64) -> Result<(), i32> {
    let mut engine: Engine = Engine::new(Config::default());
    let effects = push_reported(&mut engine, now_ms, 2, GARBAGE_PAYLOAD, 9, 20)?;
    let mut sink = Count(0);
    write!(sink, "{effects:?} {:?}", engine.poll_timeout()).map_err(|_| 22)?;
    if sink.0 == 0 {
        return Err(23);
    }
    Ok(())
}

/// Called by the C runtime's startup code.
#[no_mangle]
pub extern "C" fn main(argc: i32, _argv: *const *const u8) -> i32 {
    // `argc` keeps the inputs opaque to the optimiser, so the engine code really runs.
    let now = 1_000 + u64::from(argc.unsigned_abs());
    match explicit_engine(now).and_then(|()| default_engine(now)) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

#[panic_handler]
fn panic(_info: &PanicInfo<'_>) -> ! {
    loop {}
}

/// Stable-toolchain workaround, not a sign of std: the precompiled `core` is built with
/// `panic=unwind` and so references `rust_eh_personality` from its unwind tables; with
/// `panic = "abort"` it is never called, but the linker still needs the symbol
/// (rust-lang/rust#106864, #56152). Even a trivial `#![no_std]` executable needs it.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
