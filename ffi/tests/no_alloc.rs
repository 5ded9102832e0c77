//! No `ck_*` call allocates: a whole call (push with the Apple-docs payload, report,
//! connect, answer, audio, end, reset) driven through the C functions, with the log
//! callback set (so every record is formatted and delivered) and a counting global
//! allocator watching this thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use callkit_engine_ffi::*;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator; counting has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static RECORDS: AtomicUsize = AtomicUsize::new(0);

/// Counts the records and reads every byte of each (as a host copying them would).
unsafe extern "C" fn count_record(
    _context: *mut core::ffi::c_void,
    _level: ck_log_level,
    target: ck_str,
    message: ck_str,
) {
    // SAFETY: the callback's contract: both point to `len` readable bytes.
    let (target, message) = unsafe {
        (
            std::slice::from_raw_parts(target.ptr, target.len),
            std::slice::from_raw_parts(message.ptr, message.len),
        )
    };
    assert_eq!(target, b"callkit_engine");
    assert!(!message.is_empty());
    RECORDS.fetch_add(1, Ordering::Relaxed);
}

fn uuid(b: u8) -> ck_uuid {
    ck_uuid { bytes: [b; 16] }
}

#[test]
fn no_ck_call_allocates() {
    let payload = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/payloads/apple-docs-calluuid.json"
    ))
    .unwrap();
    let call = ck_uuid {
        bytes: *b"\x6f\x1c\x3e\x1a\x7b\x2d\x4c\x4e\x9a\x51\x0d\x3f\x6c\x2b\x9e\x11",
    };
    // SAFETY: ck_engine is plain words; all-zero is the documented starting state.
    let mut engine: Box<ck_engine> = Box::new(unsafe { std::mem::zeroed() });
    let mut effects = [ck_effect::default(); CK_MAX_EFFECTS];
    let mut data = ck_step_data::zero();
    let mut len = 0usize;
    let mut config = ck_config::default();
    let mut status = ck_status::default();

    let mut push = ck_event::zeroed(CK_EVENT_VOIP_PUSH_RECEIVED);
    push.push = 1;
    push.payload = ck_bytes {
        ptr: payload.as_ptr(),
        len: payload.len(),
    };
    push.fallback_call = uuid(0xfb);
    let mut reported = ck_event::zeroed(CK_EVENT_INCOMING_CALL_REPORTED);
    reported.push = 1;
    reported.has_push = 1;
    let mut connected = ck_event::zeroed(CK_EVENT_INCOMING_CALL_CONNECTED);
    connected.call = call;
    let mut answer = ck_event::zeroed(CK_EVENT_PERFORM_ANSWER_CALL);
    answer.call = call;
    answer.action = uuid(0xa1);
    let activate = ck_event::zeroed(CK_EVENT_DID_ACTIVATE_AUDIO_SESSION);
    let mut end = ck_event::zeroed(CK_EVENT_PERFORM_END_CALL);
    end.call = call;
    end.action = uuid(0xa2);
    let reset = ck_event::zeroed(CK_EVENT_PROVIDER_DID_RESET);
    let steps = [
        (0, push),
        (150, reported),
        (900, connected),
        (4000, answer),
        (4200, activate),
        (64000, end),
        (65000, reset),
    ];

    WATCHING.with(|w| w.set(true));
    // SAFETY: every pointer is to a live local of the right type and size.
    unsafe {
        assert_eq!(
            ck_log_set_callback(Some(count_record), std::ptr::null_mut()),
            ck_result::CK_RESULT_OK
        );
        assert_eq!(ck_config_default(&mut config), ck_result::CK_RESULT_OK);
        assert_eq!(
            ck_schema_preset(CK_SCHEMA_APPLE_DOCS, &mut config.schema),
            ck_result::CK_RESULT_OK
        );
        assert_eq!(
            ck_engine_init(&mut *engine, CK_ENGINE_SIZE, &config),
            ck_result::CK_RESULT_OK
        );
        for (now, ev) in &steps {
            let code = ck_engine_handle(
                &mut *engine,
                *now,
                ev,
                effects.as_mut_ptr(),
                effects.len(),
                &mut len,
                &mut data,
            );
            assert_eq!(code, ck_result::CK_RESULT_OK);
        }
        assert_eq!(
            ck_engine_status(&mut *engine, &mut status),
            ck_result::CK_RESULT_OK
        );
        assert_eq!(ck_engine_deinit(&mut *engine), ck_result::CK_RESULT_OK);
    }
    WATCHING.with(|w| w.set(false));
    assert!(status.idle);
    assert!(
        RECORDS.load(Ordering::Relaxed) >= steps.len(),
        "records were delivered"
    );
    assert_eq!(
        ALLOCATIONS.load(Ordering::Relaxed),
        0,
        "a ck_* call allocated"
    );
}
