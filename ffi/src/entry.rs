//! The `ck_*` entry points: each checks its pointers, then runs inside the boundary's
//! guard ([`crate::boundary`]).

use core::ptr;
use core::sync::atomic::Ordering;

use callkit_engine::{Engine, Instant};

use crate::abi::*;
use crate::boundary::{
    checked, engine_list, guard, put, with_engine, EngineList, Slot, BUSY, GONE, READY,
};
use crate::convert;

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
    // SAFETY: the pointers' contracts are this function's.
    unsafe { engine_list::<Timers>(engine, out, capacity, out_len) }
}

/// Writes the next timer to fire at `now_ms` and its deadline to `*out` and sets `*due`;
/// when no timer is due, sets `*due` to false and leaves `*out` alone.
///
/// This is the one due order every host should fire in (the Rust API's
/// `Engine::next_due_timer`): among the armed timers whose deadline is at or before
/// `now_ms`, the earliest deadline; timers due at the same deadline fire
/// `CK_TIMER_PUSH_COMPLETION` first, then `CK_TIMER_RING`, then
/// `CK_TIMER_ANSWER_CONNECT`, then `CK_TIMER_AUDIO_ACTIVATION`, then
/// `CK_TIMER_START_CONNECT`, then `CK_TIMER_NO_ANSWER`, each kind by id (push
/// number; call UUID bytes, compared in order). Feed the timer with a `CK_EVENT_TIMER_FIRED` event and ask again until
/// `*due` is false: firing one timer can cancel or arm others. Reads only; the engine's
/// clock does not move.
///
/// # Safety
///
/// `engine` as `ck_engine_init`; `out` points to a writable `ck_timer_deadline`, `due`
/// to a writable `bool`.
#[no_mangle]
pub unsafe extern "C" fn ck_engine_next_due_timer(
    engine: *mut ck_engine,
    now_ms: u64,
    out: *mut ck_timer_deadline,
    due: *mut bool,
) -> ck_result {
    checked!(out, due);
    let body = |engine: &mut Engine| {
        let next = engine.next_due_timer(Instant::from_millis(now_ms));
        // SAFETY: `out` and `due` were checked.
        unsafe {
            if let Some(next) = next {
                put(out, convert::timer_deadline(next));
            }
            put(due, next.is_some());
        }
        ck_result::CK_RESULT_OK
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
    // SAFETY: the pointers' contracts are this function's.
    unsafe { engine_list::<Calls>(engine, out, capacity, out_len) }
}

/// The armed timers, as `ck_engine_timers` writes them.
struct Timers;

impl EngineList for Timers {
    type Item = ck_timer_deadline;
    fn items(engine: &Engine) -> impl Iterator<Item = ck_timer_deadline> + '_ {
        engine.timers().map(convert::timer_deadline)
    }
}

/// The live calls, as `ck_engine_calls` writes them.
struct Calls;

impl EngineList for Calls {
    type Item = ck_call_info;
    fn items(engine: &Engine) -> impl Iterator<Item = ck_call_info> + '_ {
        engine.calls().map(convert::call_info)
    }
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

/// Writes to `*out` the call UUID `schema` gives a push whose call id is the `len` bytes
/// of UTF-8 text at `id` (`callkit_engine::PayloadSchema::call_id`): the UUID it spells
/// for `CK_CALL_ID_UUID`, the version 5 UUID in the schema's namespace for
/// `CK_CALL_ID_OPAQUE`. How an app maps its server's call id to CallKit's UUID.
/// `CK_RESULT_INVALID_ARGUMENT` for an id that is not valid for the schema,
/// `CK_RESULT_INVALID_SCHEMA` for a schema `ck_engine_init` would refuse.
///
/// # Safety
///
/// `schema` points to a readable `ck_schema`; `id` to `len` readable bytes (NULL allowed
/// when `len` is 0); `out` to a writable `ck_uuid`.
#[no_mangle]
pub unsafe extern "C" fn ck_schema_call_id(
    schema: *const ck_schema,
    id: *const u8,
    len: usize,
    out: *mut ck_uuid,
) -> ck_result {
    checked!(schema.cast_mut());
    checked!(out);
    guard(|| {
        // SAFETY: checked; every bit pattern is a valid `ck_schema`.
        let schema = match convert::schema(unsafe { &*schema }) {
            Ok(s) => s,
            Err(code) => return code,
        };
        // SAFETY: the caller promises `len` readable bytes at `id`.
        let id = match unsafe { convert::text(id, len) } {
            Ok(t) => t,
            Err(code) => return code,
        };
        match schema.call_id(id) {
            Some(call) => {
                // SAFETY: `out` was checked.
                unsafe {
                    put(
                        out,
                        ck_uuid {
                            bytes: *call.as_bytes(),
                        },
                    )
                };
                ck_result::CK_RESULT_OK
            }
            None => ck_result::CK_RESULT_INVALID_ARGUMENT,
        }
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
pub(crate) const RESULT_NAMES: [(ck_result, &str); 26] = {
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
        (CK_RESULT_ALREADY_SET, "CK_RESULT_ALREADY_SET\0"),
        (
            CK_RESULT_TIME_WENT_BACKWARDS,
            "CK_RESULT_TIME_WENT_BACKWARDS\0",
        ),
        (CK_RESULT_UNKNOWN_CALL, "CK_RESULT_UNKNOWN_CALL\0"),
        (CK_RESULT_UNKNOWN_PUSH, "CK_RESULT_UNKNOWN_PUSH\0"),
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
