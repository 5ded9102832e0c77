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
//! ## Threading
//!
//! One engine, one serial queue (the engine's run-loop rule). Calls on one engine from
//! two threads at once do not race: the second gets `CK_RESULT_BUSY` and does nothing.
//! Different engines are independent.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod abi;
mod convert;

use core::mem::{align_of, size_of};
use core::ptr;
use core::sync::atomic::{AtomicU64, Ordering};
use std::panic::{catch_unwind, AssertUnwindSafe};

use callkit_engine::{Engine, Instant, DEFAULT_MAX_EFFECTS, MAX_CALLER_NAME_LEN};

pub use abi::*;

// ---------------------------------------------------------------------------------------
// The engine's memory
// ---------------------------------------------------------------------------------------

/// `state` of a live engine, not in use ("ckengine").
const READY: u64 = 0x636b_656e_6769_6e65;
/// `state` of a live engine while a call runs on it.
const BUSY: u64 = 0x636b_656e_6769_6e2a;
/// `state` after `ck_engine_deinit`.
const GONE: u64 = 0x636b_6465_6164_2121;

/// What a `ck_engine` holds: the magic word, doubling as a try-lock, then the engine.
#[repr(C)]
struct Slot {
    state: AtomicU64,
    engine: Engine,
}

const _: () = {
    assert!(size_of::<Slot>() <= CK_ENGINE_SIZE);
    assert!(align_of::<Slot>() <= CK_ENGINE_ALIGN);
    assert!(size_of::<ck_engine>() == CK_ENGINE_SIZE);
    assert!(align_of::<ck_engine>() == CK_ENGINE_ALIGN);
    // The header's constants are literals (cbindgen does not evaluate paths): keep them
    // equal to the engine's.
    assert!(CK_MAX_EFFECTS == DEFAULT_MAX_EFFECTS);
    assert!(CK_MAX_CALLS == callkit_engine::DEFAULT_MAX_CALLS);
    assert!(CK_MAX_PENDING_PUSHES == callkit_engine::DEFAULT_MAX_PENDING_PUSHES);
    assert!(CK_MAX_TIMERS == CK_MAX_CALLS + CK_MAX_PENDING_PUSHES);
    assert!(CK_MAX_HANDLE_LEN == callkit_engine::MAX_HANDLE_LEN);
    assert!(CK_MAX_CALLER_NAME_LEN == MAX_CALLER_NAME_LEN);
    assert!(CK_MAX_DTMF_DIGITS == callkit_engine::MAX_DTMF_DIGITS);
    assert!(CK_MAX_PUSH_TOKEN_LEN == callkit_engine::MAX_PUSH_TOKEN_LEN);
    assert!(CK_MAX_PUSH_TOKEN_HEX_LEN == 2 * callkit_engine::MAX_PUSH_TOKEN_LEN);
    assert!(CK_MAX_KEY_LEN == callkit_engine::MAX_KEY_LEN);
    assert!(CK_MAX_PAYLOAD_LEN == callkit_engine::MAX_PAYLOAD_LEN);
    assert!(CK_MAX_KEY_LEN <= u8::MAX as usize);
};

/// Runs `f`, turning a panic into `CK_RESULT_PANIC`.
fn guard(f: impl FnOnce() -> ck_result) -> ck_result {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(ck_result::CK_RESULT_PANIC)
}

/// `Ok` when `p` is non-null and aligned for `T`.
fn check<T>(p: *const T) -> Result<(), ck_result> {
    if p.is_null() {
        Err(ck_result::CK_RESULT_NULL_POINTER)
    } else if !p.is_aligned() {
        Err(ck_result::CK_RESULT_MISALIGNED)
    } else {
        Ok(())
    }
}

/// Runs `f` on the engine in `engine` with exclusive access, inside [`guard`].
///
/// # Safety
///
/// When non-null and aligned, `engine` must point to `CK_ENGINE_SIZE` bytes that are
/// readable and writable for the call and are not accessed other than through `ck_*`
/// calls meanwhile.
unsafe fn with_engine(
    engine: *mut ck_engine,
    f: impl FnOnce(&mut Engine) -> ck_result,
) -> ck_result {
    if let Err(code) = check(engine.cast::<Slot>().cast_const()) {
        return code;
    }
    let slot = engine.cast::<Slot>();
    // SAFETY: `slot` is non-null and aligned for `Slot` (checked above), and by the
    // contract points to enough memory for one; only the first 8 bytes are read here,
    // atomically, so a concurrent call on the same engine is no data race.
    let state = unsafe { &*ptr::addr_of!((*slot).state) };
    match state.compare_exchange(READY, BUSY, Ordering::Acquire, Ordering::Relaxed) {
        Ok(_) => {}
        Err(BUSY) => return ck_result::CK_RESULT_BUSY,
        Err(_) => return ck_result::CK_RESULT_NOT_INITIALIZED,
    }
    // SAFETY: the state was READY, so `ck_engine_init` wrote a valid `Engine` after it,
    // and our compare-exchange to BUSY makes this the only live reference to it until
    // the store below.
    let engine = unsafe { &mut *ptr::addr_of_mut!((*slot).engine) };
    let result = guard(|| f(engine));
    state.store(READY, Ordering::Release);
    result
}

/// Writes `value` to `out`.
///
/// # Safety
///
/// `out` was accepted by [`check`] and points to writable memory for a `T`.
unsafe fn put<T>(out: *mut T, value: T) {
    // SAFETY: the caller's contract; `ptr::write` does not read or drop the old value,
    // which may be uninitialised.
    unsafe { out.write(value) }
}

/// Writes `items` (exactly `n` of them) to `out[0..n]` and `n` to `*out_len`; when `n`
/// exceeds `capacity`, writes only `n` to `*out_len` and returns
/// `CK_RESULT_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `out_len` is writable; `out` holds `capacity` writable elements (unused when
/// `capacity` is 0).
unsafe fn put_list<T>(
    items: impl Iterator<Item = T>,
    n: usize,
    out: *mut T,
    capacity: usize,
    out_len: *mut usize,
) -> ck_result {
    if n > capacity {
        // SAFETY: the caller's contract for `out_len`.
        unsafe { put(out_len, n) };
        return ck_result::CK_RESULT_BUFFER_TOO_SMALL;
    }
    for (i, item) in items.take(n).enumerate() {
        // SAFETY: `i < n <= capacity`, and `out` holds `capacity` elements.
        unsafe { put(out.add(i), item) };
    }
    // SAFETY: the caller's contract for `out_len`.
    unsafe { put(out_len, n) };
    ck_result::CK_RESULT_OK
}

macro_rules! checked {
    ($($p:expr),+ $(,)?) => {
        $(if let Err(code) = check($p.cast_const()) { return code; })+
    };
}

// ---------------------------------------------------------------------------------------
// Engine life cycle
// ---------------------------------------------------------------------------------------

/// Sets up an engine in the caller's memory, with no calls, at time 0.
///
/// `size` is the size of that memory (`sizeof(ck_engine)`, at least `CK_ENGINE_SIZE`,
/// else `CK_RESULT_BUFFER_TOO_SMALL`); it must be aligned to `CK_ENGINE_ALIGN`. The
/// configuration is checked whole before anything is written (`CK_RESULT_INVALID_*`).
/// Initialising memory that already holds an engine replaces that engine (it holds no
/// resources), unless a call is running on it (`CK_RESULT_BUSY`).
///
/// # Safety
///
/// `engine` must point to `size` writable bytes, zeroed or holding an engine, not
/// accessed by anything else during the call; `config` to a readable `ck_config`.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_init(
    engine: *mut ck_engine,
    size: usize,
    config: *const ck_config,
) -> ck_result {
    checked!(engine.cast::<Slot>(), config.cast_mut());
    if size < CK_ENGINE_SIZE {
        return ck_result::CK_RESULT_BUFFER_TOO_SMALL;
    }
    guard(|| {
        // SAFETY: checked non-null and aligned; every bit pattern is a valid `ck_config`
        // (integers and byte arrays only).
        let config = match convert::config(unsafe { &*config }) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let slot = engine.cast::<Slot>();
        // SAFETY: non-null, aligned, and `size` bytes long per the contract; the state
        // word is read atomically.
        let state = unsafe { &*ptr::addr_of!((*slot).state) };
        let current = state.load(Ordering::Acquire);
        if current == BUSY
            || state
                .compare_exchange(current, BUSY, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return ck_result::CK_RESULT_BUSY;
        }
        // SAFETY: we hold the engine (state BUSY); the field is in bounds and aligned.
        // `ptr::write` does not drop the previous contents, which may be zeroes (an
        // `Engine` has no destructor that matters: it owns no resources).
        unsafe { ptr::addr_of_mut!((*slot).engine).write(Engine::new(config)) };
        state.store(READY, Ordering::Release);
        ck_result::CK_RESULT_OK
    })
}

/// Ends an engine: afterwards every call on it gets `CK_RESULT_NOT_INITIALIZED` until
/// it is initialised again, and its memory may be freed. The engine holds no
/// resources; this only marks the memory.
///
/// # Safety
///
/// As `ck_engine_init`.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_deinit(engine: *mut ck_engine) -> ck_result {
    checked!(engine.cast::<Slot>());
    let slot = engine.cast::<Slot>();
    // SAFETY: non-null and aligned (checked), and by the contract `CK_ENGINE_SIZE`
    // bytes long; the state word is accessed atomically only.
    let state = unsafe { &*ptr::addr_of!((*slot).state) };
    match state.compare_exchange(READY, GONE, Ordering::AcqRel, Ordering::Relaxed) {
        Ok(_) => ck_result::CK_RESULT_OK,
        Err(BUSY) => ck_result::CK_RESULT_BUSY,
        Err(_) => ck_result::CK_RESULT_NOT_INITIALIZED,
    }
}

// ---------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------

/// Feeds one event at time `now_ms` (the host's monotonic clock, milliseconds, counting
/// through sleep) and writes the effects to carry out, in order, to
/// `effects[0..*effects_len]`, and the step's variable-size data to `*data`.
///
/// `capacity` must be at least `CK_MAX_EFFECTS`: a smaller buffer gets
/// `CK_RESULT_BUFFER_TOO_SMALL` with `*effects_len = CK_MAX_EFFECTS`, before anything
/// else happens. An event the engine refuses gets its code (20 and up) and changes
/// nothing, not even the engine's clock; so does any other error. A
/// `CK_EVENT_VOIP_PUSH_RECEIVED` is never refused by the engine (only by the argument
/// checks), whatever its payload or time.
///
/// # Safety
///
/// `engine` as `ck_engine_init`; `event` points to a readable `ck_event` whose
/// borrowed bytes (the fields its kind reads) are valid for the call; `effects` points
/// to `capacity` writable `ck_effect`s, `effects_len` to a writable `size_t`, `data`
/// to a writable `ck_step_data`, none overlapping the engine.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_handle(
    engine: *mut ck_engine,
    now_ms: u64,
    event: *const ck_event,
    effects: *mut ck_effect,
    capacity: usize,
    effects_len: *mut usize,
    data: *mut ck_step_data,
) -> ck_result {
    checked!(
        engine.cast::<Slot>(),
        event.cast_mut(),
        effects,
        effects_len,
        data
    );
    if capacity < CK_MAX_EFFECTS {
        // SAFETY: checked non-null and aligned; the caller provides a writable size_t.
        unsafe { put(effects_len, CK_MAX_EFFECTS) };
        return ck_result::CK_RESULT_BUFFER_TOO_SMALL;
    }
    let body = |engine: &mut Engine| {
        // SAFETY: checked non-null and aligned; every bit pattern is a valid
        // `ck_event` (integers, byte arrays and raw pointers only).
        let event = unsafe { &*event };
        // SAFETY: the caller promises the borrowed bytes are valid for the call.
        let event = match unsafe { convert::event(event) } {
            Ok(e) => e,
            Err(code) => return code,
        };
        let mut next = engine.clone();
        let fx = match next.handle(Instant::from_millis(now_ms), event) {
            Ok(fx) => fx,
            Err(e) => return convert::error(e),
        };
        let mut staged = [ck_effect::default(); CK_MAX_EFFECTS];
        for (out, e) in staged.iter_mut().zip(fx.iter()) {
            *out = convert::effect(e);
        }
        let len = fx.len();
        let step = convert::step_data(&fx);
        *engine = next;
        // SAFETY: `effects` holds `capacity >= CK_MAX_EFFECTS >= len` writable
        // elements (checked above / the engine's compile-time bound) and does not
        // overlap the stack array; `effects_len` and `data` were checked.
        unsafe {
            ptr::copy_nonoverlapping(staged.as_ptr(), effects, len);
            put(effects_len, len);
            put(data, step);
        }
        ck_result::CK_RESULT_OK
    };
    // SAFETY: the engine pointer's contract is this function's.
    unsafe { with_engine(engine, body) }
}

// ---------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------

/// Writes a snapshot of the engine to `*out`: its clock, counts, whether the audio
/// session is active, and the earliest timer deadline (for a host that prefers one
/// wake-up to one timer per `CK_EFFECT_START_TIMER`).
///
/// # Safety
///
/// `engine` as `ck_engine_init`; `out` points to a writable `ck_status`.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_status(
    engine: *mut ck_engine,
    out: *mut ck_status,
) -> ck_result {
    checked!(out);
    let body = |engine: &mut Engine| {
        let deadline = engine.poll_timeout();
        let status = ck_status {
            now_ms: engine.now().as_millis(),
            next_deadline_ms: deadline.map_or(0, Instant::as_millis),
            calls: engine.calls().count() as u32,
            pending_pushes: engine.pending_pushes() as u32,
            pending_transactions: engine.pending_transactions() as u32,
            has_deadline: deadline.is_some(),
            idle: engine.is_idle(),
            audio_session_active: engine.audio_session_active(),
        };
        // SAFETY: `out` was checked.
        unsafe { put(out, status) };
        ck_result::CK_RESULT_OK
    };
    // SAFETY: the engine pointer's contract is this function's.
    unsafe { with_engine(engine, body) }
}

/// Writes every armed timer and its deadline to `out[0..*out_len]` (at most
/// `CK_MAX_TIMERS`). A `capacity` below the number armed gets
/// `CK_RESULT_BUFFER_TOO_SMALL` with that number in `*out_len`.
///
/// # Safety
///
/// `engine` as `ck_engine_init`; `out` points to `capacity` writable
/// `ck_timer_deadline`s (it may be NULL only when `capacity` is 0), `out_len` to a
/// writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_timers(
    engine: *mut ck_engine,
    out: *mut ck_timer_deadline,
    capacity: usize,
    out_len: *mut usize,
) -> ck_result {
    checked!(out_len);
    if capacity > 0 {
        checked!(out);
    }
    let body = |engine: &mut Engine| {
        let entries = engine.timers().map(|(timer, deadline)| ck_timer_deadline {
            timer: convert::c_timer(timer),
            deadline_ms: deadline.as_millis(),
        });
        // SAFETY: `out_len` was checked, and `out` holds `capacity` elements.
        unsafe { put_list(entries, engine.timers().count(), out, capacity, out_len) }
    };
    // SAFETY: the engine pointer's contract is this function's.
    unsafe { with_engine(engine, body) }
}

/// Writes every live call, in the engine's slot order, to `out[0..*out_len]` (at most
/// `CK_MAX_CALLS`). A `capacity` below the number of calls gets
/// `CK_RESULT_BUFFER_TOO_SMALL` with that number in `*out_len`.
///
/// # Safety
///
/// `engine` as `ck_engine_init`; `out` points to `capacity` writable `ck_call_info`s
/// (it may be NULL only when `capacity` is 0), `out_len` to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_calls(
    engine: *mut ck_engine,
    out: *mut ck_call_info,
    capacity: usize,
    out_len: *mut usize,
) -> ck_result {
    checked!(out_len);
    if capacity > 0 {
        checked!(out);
    }
    let body = |engine: &mut Engine| {
        let infos = engine.calls().map(convert::call_info);
        // SAFETY: `out_len` was checked, and `out` holds `capacity` elements.
        unsafe { put_list(infos, engine.calls().count(), out, capacity, out_len) }
    };
    // SAFETY: the engine pointer's contract is this function's.
    unsafe { with_engine(engine, body) }
}

/// Writes the engine's configuration to `*out` (as `ck_engine_init` read it).
///
/// # Safety
///
/// `engine` as `ck_engine_init`; `out` points to a writable `ck_config`.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_get_config(
    engine: *mut ck_engine,
    out: *mut ck_config,
) -> ck_result {
    checked!(out);
    let body = |engine: &mut Engine| {
        let config = convert::c_config(engine.config());
        // SAFETY: `out` was checked.
        unsafe { put(out, config) };
        ck_result::CK_RESULT_OK
    };
    // SAFETY: the engine pointer's contract is this function's.
    unsafe { with_engine(engine, body) }
}

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

/// Writes the default configuration to `*out`: audio only, the Apple defaults for
/// `CXProviderConfiguration`, holding and DTMF supported, 30 s ring, 10 s answer
/// connect, 5 s push completion, the react-native-voip-push payload schema.
///
/// # Safety
///
/// `out` points to a writable `ck_config`.
#[no_mangle]
pub unsafe extern "C" fn ck_config_default(out: *mut ck_config) -> ck_result {
    checked!(out);
    guard(|| {
        let config = convert::c_config(&callkit_engine::Config::default());
        // SAFETY: `out` was checked.
        unsafe { put(out, config) };
        ck_result::CK_RESULT_OK
    })
}

/// Checks a configuration as `ck_engine_init` would, without an engine.
///
/// # Safety
///
/// `config` points to a readable `ck_config`.
#[no_mangle]
pub unsafe extern "C" fn ck_config_validate(config: *const ck_config) -> ck_result {
    checked!(config.cast_mut());
    guard(|| {
        // SAFETY: checked; every bit pattern is a valid `ck_config`.
        match convert::config(unsafe { &*config }) {
            Ok(_) => ck_result::CK_RESULT_OK,
            Err(code) => code,
        }
    })
}

/// Writes a payload schema preset (`CK_SCHEMA_*`) to `*out`, typically
/// `&config.schema`. An unknown preset is `CK_RESULT_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `out` points to a writable `ck_schema`.
#[no_mangle]
pub unsafe extern "C" fn ck_schema_preset(
    preset: ck_schema_preset_kind,
    out: *mut ck_schema,
) -> ck_result {
    checked!(out);
    guard(|| match convert::preset(preset) {
        Ok(schema) => {
            // SAFETY: `out` was checked.
            unsafe { put(out, convert::c_schema(&schema)) };
            ck_result::CK_RESULT_OK
        }
        Err(code) => code,
    })
}

/// Sets a schema key (or root path) to `len` bytes of UTF-8 text at `text`: at most
/// `CK_MAX_KEY_LEN` (`CK_RESULT_INVALID_ARGUMENT`), valid UTF-8
/// (`CK_RESULT_INVALID_UTF8`). Length 0 clears an optional key. Root paths are checked
/// by `ck_engine_init` / `ck_config_validate` (`CK_RESULT_INVALID_SCHEMA`).
///
/// # Safety
///
/// `key` points to a writable `ck_key`; `text` to `len` readable bytes (NULL allowed
/// when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn ck_key_set(key: *mut ck_key, text: *const u8, len: usize) -> ck_result {
    checked!(key);
    guard(|| {
        // SAFETY: the caller promises `len` readable bytes at `text`.
        let text = match unsafe { convert::text(text, len) } {
            Ok(t) => t,
            Err(code) => return code,
        };
        if text.len() > CK_MAX_KEY_LEN {
            return ck_result::CK_RESULT_INVALID_ARGUMENT;
        }
        let mut out = ck_key {
            len: text.len() as u8,
            ..ck_key::default()
        };
        out.bytes[..text.len()].copy_from_slice(text.as_bytes());
        // SAFETY: `key` was checked.
        unsafe { put(key, out) };
        ck_result::CK_RESULT_OK
    })
}

// ---------------------------------------------------------------------------------------
// Constants and names
// ---------------------------------------------------------------------------------------

/// Writes the effect capacity `ck_engine_handle` needs, `CK_MAX_EFFECTS` (28), to
/// `*out`: the library's own value, for hosts that check it against the header.
///
/// # Safety
///
/// `out` points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn ck_effects_capacity_needed(out: *mut usize) -> ck_result {
    checked!(out);
    // SAFETY: `out` was checked.
    unsafe { put(out, CK_MAX_EFFECTS) };
    ck_result::CK_RESULT_OK
}

/// Writes the size and alignment an engine needs (`CK_ENGINE_SIZE`,
/// `CK_ENGINE_ALIGN`): the library's own values, for hosts that allocate the engine
/// dynamically or check the header.
///
/// # Safety
///
/// `size` and `align` point to writable `size_t`s.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_layout(size: *mut usize, align: *mut usize) -> ck_result {
    checked!(size, align);
    // SAFETY: both were checked.
    unsafe {
        put(size, CK_ENGINE_SIZE);
        put(align, CK_ENGINE_ALIGN);
    }
    ck_result::CK_RESULT_OK
}

/// The name of every result code, in one table (the name is followed by a NUL).
const RESULT_NAMES: [(ck_result, &str); 26] = {
    use ck_result::*;
    [
        (CK_RESULT_OK, "CK_RESULT_OK\0"),
        (CK_RESULT_NULL_POINTER, "CK_RESULT_NULL_POINTER\0"),
        (CK_RESULT_MISALIGNED, "CK_RESULT_MISALIGNED\0"),
        (CK_RESULT_NOT_INITIALIZED, "CK_RESULT_NOT_INITIALIZED\0"),
        (CK_RESULT_BUSY, "CK_RESULT_BUSY\0"),
        (CK_RESULT_BUFFER_TOO_SMALL, "CK_RESULT_BUFFER_TOO_SMALL\0"),
        (CK_RESULT_INVALID_ARGUMENT, "CK_RESULT_INVALID_ARGUMENT\0"),
        (CK_RESULT_INVALID_UTF8, "CK_RESULT_INVALID_UTF8\0"),
        (CK_RESULT_INVALID_SCHEMA, "CK_RESULT_INVALID_SCHEMA\0"),
        (CK_RESULT_PANIC, "CK_RESULT_PANIC\0"),
        (
            CK_RESULT_TIME_WENT_BACKWARDS,
            "CK_RESULT_TIME_WENT_BACKWARDS\0",
        ),
        (CK_RESULT_UNKNOWN_CALL, "CK_RESULT_UNKNOWN_CALL\0"),
        (CK_RESULT_UNKNOWN_PUSH, "CK_RESULT_UNKNOWN_PUSH\0"),
        (CK_RESULT_UNKNOWN_ACTION, "CK_RESULT_UNKNOWN_ACTION\0"),
        (CK_RESULT_DUPLICATE_ACTION, "CK_RESULT_DUPLICATE_ACTION\0"),
        (
            CK_RESULT_UNKNOWN_TRANSACTION,
            "CK_RESULT_UNKNOWN_TRANSACTION\0",
        ),
        (CK_RESULT_UNKNOWN_TIMER, "CK_RESULT_UNKNOWN_TIMER\0"),
        (CK_RESULT_TIMER_NOT_DUE, "CK_RESULT_TIMER_NOT_DUE\0"),
        (CK_RESULT_CALL_EXISTS, "CK_RESULT_CALL_EXISTS\0"),
        (CK_RESULT_CALL_CAPACITY, "CK_RESULT_CALL_CAPACITY\0"),
        (
            CK_RESULT_TRANSACTION_CAPACITY,
            "CK_RESULT_TRANSACTION_CAPACITY\0",
        ),
        (CK_RESULT_WRONG_PHASE, "CK_RESULT_WRONG_PHASE\0"),
        (CK_RESULT_NOT_SUPPORTED, "CK_RESULT_NOT_SUPPORTED\0"),
        (CK_RESULT_INVALID_HANDLE, "CK_RESULT_INVALID_HANDLE\0"),
        (CK_RESULT_INVALID_DTMF, "CK_RESULT_INVALID_DTMF\0"),
        (
            CK_RESULT_INVALID_PUSH_TOKEN,
            "CK_RESULT_INVALID_PUSH_TOKEN\0",
        ),
    ]
};

/// Writes the name of result code `code` (`"CK_RESULT_OK"`, ...) to `*out`: static
/// text that lives as long as the program, `out->len` bytes followed by a NUL (so
/// `out->ptr` may be printed with `%s`). An unknown code is
/// `CK_RESULT_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `out` points to a writable `ck_str`.
#[no_mangle]
pub unsafe extern "C" fn ck_result_name(code: u32, out: *mut ck_str) -> ck_result {
    checked!(out);
    let Some((_, name)) = RESULT_NAMES.iter().find(|(c, _)| *c as u32 == code) else {
        return ck_result::CK_RESULT_INVALID_ARGUMENT;
    };
    let name = ck_str {
        ptr: name.as_ptr(),
        len: name.len() - 1,
    };
    // SAFETY: `out` was checked.
    unsafe { put(out, name) };
    ck_result::CK_RESULT_OK
}

#[cfg(test)]
mod tests;
