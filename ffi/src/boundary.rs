//! The boundary plumbing every entry point ([`crate::entry`]) goes through: the
//! engine's memory (a magic word doubling as a try-lock, then the engine), the panic
//! guard, the pointer checks and the writes into the caller's memory.

use core::mem::{align_of, size_of};
use core::ptr;
use core::sync::atomic::{AtomicU64, Ordering};
use std::panic::{catch_unwind, AssertUnwindSafe};

use callkit_engine::limits::{DEFAULT_MAX_EFFECTS, MAX_CALLER_NAME_LEN};
use callkit_engine::Engine;

use crate::abi::*;

// ---------------------------------------------------------------------------------------
// The engine's memory
// ---------------------------------------------------------------------------------------

/// `state` of a live engine, not in use ("ckengine").
pub(crate) const READY: u64 = 0x636b_656e_6769_6e65;
/// `state` of a live engine while a call runs on it.
pub(crate) const BUSY: u64 = 0x636b_656e_6769_6e2a;
/// `state` after `ck_engine_deinit`.
pub(crate) const GONE: u64 = 0x636b_6465_6164_2121;

/// What a `ck_engine` holds: the magic word, doubling as a try-lock, then the engine.
#[repr(C)]
pub(crate) struct Slot {
    pub(crate) state: AtomicU64,
    pub(crate) engine: Engine,
}

const _: () = {
    assert!(size_of::<Slot>() <= CK_ENGINE_SIZE);
    assert!(align_of::<Slot>() <= CK_ENGINE_ALIGN);
    assert!(size_of::<ck_engine>() == CK_ENGINE_SIZE);
    assert!(align_of::<ck_engine>() == CK_ENGINE_ALIGN);
    // The header's constants are literals (cbindgen does not evaluate paths): keep them
    // equal to the engine's.
    assert!(CK_MAX_EFFECTS == DEFAULT_MAX_EFFECTS);
    assert!(CK_MAX_CALLS == callkit_engine::limits::DEFAULT_MAX_CALLS);
    assert!(CK_MAX_PENDING_PUSHES == callkit_engine::limits::DEFAULT_MAX_PENDING_PUSHES);
    assert!(CK_MAX_TIMERS == 2 * CK_MAX_CALLS + CK_MAX_PENDING_PUSHES);
    assert!(CK_MAX_HANDLE_LEN == callkit_engine::limits::MAX_HANDLE_LEN);
    assert!(CK_MAX_CALLER_NAME_LEN == MAX_CALLER_NAME_LEN);
    assert!(CK_MAX_LANGUAGE_TAG_LEN == callkit_engine::limits::MAX_LANGUAGE_TAG_LEN);
    assert!(CK_MAX_DTMF_DIGITS == callkit_engine::limits::MAX_DTMF_DIGITS);
    assert!(CK_MAX_PUSH_TOKEN_LEN == callkit_engine::limits::MAX_PUSH_TOKEN_LEN);
    assert!(CK_MAX_PUSH_TOKEN_HEX_LEN == 2 * callkit_engine::limits::MAX_PUSH_TOKEN_LEN);
    assert!(CK_MAX_KEY_LEN == callkit_engine::limits::MAX_KEY_LEN);
    assert!(CK_MAX_PAYLOAD_LEN == callkit_engine::limits::MAX_PAYLOAD_LEN);
    assert!(CK_MAX_KEY_LEN <= u8::MAX as usize);
};

/// Runs `f`, turning a panic into `CK_RESULT_PANIC`.
pub(crate) fn guard(f: impl FnOnce() -> ck_result) -> ck_result {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(ck_result::CK_RESULT_PANIC)
}

/// `Ok` when `p` is non-null and aligned for `T`.
pub(crate) fn check<T>(p: *const T) -> Result<(), ck_result> {
    if p.is_null() {
        Err(ck_result::CK_RESULT_NULL_POINTER)
    } else if !p.is_aligned() {
        Err(ck_result::CK_RESULT_MISALIGNED)
    } else {
        Ok(())
    }
}

/// `Ok` when `out_len` passes [`check`] and so does `out`, unless `capacity` is 0 (a
/// list output may be NULL when it has no room).
pub(crate) fn check_list<T>(
    out: *mut T,
    capacity: usize,
    out_len: *mut usize,
) -> Result<(), ck_result> {
    check(out_len.cast_const())?;
    if capacity > 0 {
        check(out.cast_const())?;
    }
    Ok(())
}

/// Runs `f` on the engine in `engine` with exclusive access, inside [`guard`].
///
/// # Safety
///
/// When non-null and aligned, `engine` must point to `CK_ENGINE_SIZE` bytes that are
/// readable and writable for the call and are not accessed other than through `ck_*`
/// calls meanwhile.
pub(crate) unsafe fn with_engine(
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
pub(crate) unsafe fn put<T>(out: *mut T, value: T) {
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
pub(crate) unsafe fn put_list<T>(
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

/// A list of the engine's items that an entry point writes out whole, converted to
/// their C shape ([`engine_list`]).
pub(crate) trait EngineList {
    /// The C shape of one item.
    type Item;
    /// The engine's items, converted, in the order they are written.
    fn items(engine: &Engine) -> impl Iterator<Item = Self::Item> + '_;
}

/// Checks `out` and `out_len` ([`check_list`]), then writes `L`'s items of the engine in
/// `engine` to `out[0..*out_len]` ([`put_list`]), inside [`with_engine`].
///
/// # Safety
///
/// `engine` as [`with_engine`]; when checked, `out` holds `capacity` writable elements
/// and `out_len` is writable.
pub(crate) unsafe fn engine_list<L: EngineList>(
    engine: *mut ck_engine,
    out: *mut L::Item,
    capacity: usize,
    out_len: *mut usize,
) -> ck_result {
    if let Err(code) = check_list(out, capacity, out_len) {
        return code;
    }
    let body = |engine: &mut Engine| {
        let n = L::items(engine).count();
        // SAFETY: `out_len` was checked, and `out` holds `capacity` elements.
        unsafe { put_list(L::items(engine), n, out, capacity, out_len) }
    };
    // SAFETY: the engine pointer's contract is the caller's.
    unsafe { with_engine(engine, body) }
}

/// Returns the first failing [`check`]'s code from the calling function.
macro_rules! checked {
    ($($p:expr),+ $(,)?) => {
        $(if let Err(code) = $crate::boundary::check($p.cast_const()) { return code; })+
    };
}
pub(crate) use checked;
