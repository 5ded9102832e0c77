//! # callkit-engine-ffi
//!
//! The C ABI of [callkit-engine](callkit_engine), for the iOS layer (Swift through a
//! module map) or any C or C++ host. The header, `ffi/include/callkit_engine.h`, is
//! generated from this crate by cbindgen 0.29 (`ffi/cbindgen.toml`) and checked fresh
//! in CI; every C name starts with `ck_` / `CK_`. docs/ios-integration.md shows the
//! build for iOS and a Swift adapter.
//!
//! ## Shape
//!
//! - **Memory.** The host owns the engine's memory: a `ck_engine` (an opaque struct of
//!   `CK_ENGINE_SIZE` bytes, aligned to `CK_ENGINE_ALIGN`), set up by
//!   `ck_engine_init(&engine, sizeof engine, &config)`. Nothing is allocated, by this
//!   crate or by the engine, in any `ck_*` call (`tests/no_alloc.rs` counts).
//! - **Steps.** `ck_engine_handle(engine, now_ms, &event, effects, capacity, &len,
//!   &data)` feeds one `ck_event` and writes the step's `ck_effect`s and its one piece
//!   of variable-size data (`ck_step_data`: call update, handle, DTMF digits or hex
//!   push token, in fixed arrays), all copied out: nothing points into library memory
//!   after a call returns.
//! - **Results.** Every function returns a `ck_result` (stable numbers,
//!   `ck_result_name` names them) and writes its outputs only on `CK_RESULT_OK`; the one
//!   exception is `CK_RESULT_BUFFER_TOO_SMALL`, which writes the size needed to the
//!   length out-parameter and nothing else.
//! - **Checks.** NULL pointers, pointers misaligned for their type, an engine that was
//!   never initialised (a 64-bit magic word), an engine in use by another thread (the
//!   same word doubles as a try-lock), unknown kinds, out-of-range enumerations, flags
//!   other than 0/1, lengths over their maxima and text that is not UTF-8 all get an
//!   error code instead of undefined behaviour. What no check can catch is left to the
//!   caller, and each function's `# Safety` section says what: pointers must point to
//!   memory of the right size that lives for the call, and borrowed bytes must not
//!   change during it.
//!
//! ## A too-small effect buffer is refused first
//!
//! The engine reveals how many effects a step has only after handling it, so
//! `ck_engine_handle` requires room for the worst case of any step up front:
//! `capacity >= CK_MAX_EFFECTS` (28 = `effects_needed(4, 8)`, also returned by
//! `ck_effects_capacity_needed`). A smaller buffer gets `CK_RESULT_BUFFER_TOO_SMALL`
//! with `*effects_len = 28`, before the engine is even looked at, so no event is ever
//! half-handled or an effect lost. This is deterministic: a host that sizes its buffer
//! once with the constant never sees the error.
//!
//! ## Panics never cross the boundary
//!
//! The engine is written never to panic, but a bug must not become undefined
//! behaviour in a Swift app. This crate links `std` (a `no_std` staticlib would need
//! its own `#[panic_handler]`, which clashes with the `rlib` that the tests link
//! against std, plus `panic = "abort"` in the workspace profiles, which would change
//! every member's tests), and guards each entry point as rustls-ffi does:
//!
//! 1. Every `extern "C"` function runs its body inside [`std::panic::catch_unwind`] and
//!    turns a panic into `CK_RESULT_PANIC`.
//! 2. `ck_engine_handle` handles the event on a copy of the engine (2.7 KB, on the
//!    stack) and commits the copy only once every output is ready, so a panic, like
//!    any refusal, leaves the engine exactly as it was and the engine stays usable.
//!    The engine's try-lock is released on every path.
//! 3. The functions are `extern "C"`, not `extern "C-unwind"`: since Rust 1.81 an
//!    unwind that somehow escaped (a panic inside the panic hook) aborts the process
//!    instead of unwinding into Swift or C frames.
//!
//! `std` costs nothing at run time here: no `ck_*` call allocates, spawns, or touches
//! the panic machinery unless a panic happens. On iOS the standard library links
//! against libSystem like any Swift app; on Linux the C tests link `-lpthread -ldl -lm`.
//!
//! ## Logs
//!
//! `ck_log_set_callback(callback, context)` (once per process) receives the engine's
//! `log` records (callkit-engine's `log` feature): a level, the target
//! `"callkit_engine"` and the message as pointer + length, formatted into a
//! `CK_LOG_MESSAGE_CAPACITY`-byte buffer on the stack, synchronously on the caller's
//! thread inside the `ck_*` call that logged. The pointers are valid during the
//! callback only. The records hold ids, phases, counts and event names: no caller
//! names, handles, digits, tokens or payload bytes (`tests/log_callback.c` checks with
//! the corpus payloads).
//!
//! ## Threading
//!
//! One engine, one serial queue (the engine's run-loop rule). Calls on one engine from
//! two threads at once do not race: the second gets `CK_RESULT_BUSY` and does nothing.
//! Different engines are independent.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod abi;
mod boundary;
mod convert;
mod entry;
mod logging;

pub use abi::*;
pub use entry::*;
pub use logging::*;

#[cfg(test)]
mod tests;
