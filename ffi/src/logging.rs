//! The log callback: the engine's `log` records (callkit-engine's `log` feature: ids,
//! phases, counts and event names, never caller names, handles or payload bytes),
//! forwarded to one C function the host sets once with `ck_log_set_callback`.
//!
//! A `log::Log` implementation formats each record into a fixed buffer on the stack
//! (`CK_LOG_MESSAGE_CAPACITY` bytes, cut at a character boundary) and calls the
//! callback on the caller's thread, inside the `ck_*` call that logged: nothing is
//! allocated, queued or kept.

#![allow(non_camel_case_types)]
// `N as ck_type` is the cast cbindgen turns into the header's typed constant (as in
// abi.rs).
#![allow(clippy::unnecessary_cast)]

use core::ffi::c_void;
use core::fmt;
use std::sync::OnceLock;

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::abi::{ck_result, ck_str};

/// The most bytes of message text one log record carries; a longer message is cut at
/// the last UTF-8 character boundary that fits. The engine's messages are far shorter
/// (under 160 bytes).
pub const CK_LOG_MESSAGE_CAPACITY: usize = 512 as usize;

/// A log record's severity, as the `log` crate's `Level` (`1` error to `5` trace). The
/// engine logs its transitions at `CK_LOG_LEVEL_DEBUG`.
pub type ck_log_level = u8;
/// Something failed.
pub const CK_LOG_LEVEL_ERROR: ck_log_level = 1 as ck_log_level;
/// Something unexpected that the engine handled.
pub const CK_LOG_LEVEL_WARN: ck_log_level = 2 as ck_log_level;
/// A notable step.
pub const CK_LOG_LEVEL_INFO: ck_log_level = 3 as ck_log_level;
/// A transition of the engine (every record it writes today).
pub const CK_LOG_LEVEL_DEBUG: ck_log_level = 4 as ck_log_level;
/// Fine detail.
pub const CK_LOG_LEVEL_TRACE: ck_log_level = 5 as ck_log_level;

/// The function that receives the engine's log records: `context` as given to
/// `ck_log_set_callback`, the record's `level`, its `target` (`"callkit_engine"`) and
/// its `message` (UTF-8, at most `CK_LOG_MESSAGE_CAPACITY` bytes).
///
/// Called synchronously on the thread of the `ck_*` call that logged, before that call
/// returns, and only from inside one (never from another thread or later). `target` and
/// `message` point into memory that is valid only during the callback: copy what you
/// keep. Both are followed by a NUL that `len` does not count, so they may be printed
/// with `%s`. The callback must not call `ck_*` functions on the engine that is logging
/// (it is busy: `CK_RESULT_BUSY`) and must return normally (no `longjmp`, no exception
/// or unwinding through the library). NULL is no function.
pub type ck_log_callback = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        level: ck_log_level,
        target: ck_str,
        message: ck_str,
    ),
>;

/// The callback and its context, set once.
struct Hook {
    callback: unsafe extern "C" fn(*mut c_void, ck_log_level, ck_str, ck_str),
    context: *mut c_void,
}

// SAFETY: `context` is never dereferenced here; it is only handed back to `callback`,
// on the thread of whichever `ck_*` call logs. `ck_log_set_callback`'s contract makes
// the host responsible for the context being usable from every thread that calls the
// library (as any C callback context shared across queues).
unsafe impl Send for Hook {}
// SAFETY: as for `Send`: shared references only read the two words.
unsafe impl Sync for Hook {}

static HOOK: OnceLock<Hook> = OnceLock::new();

/// The `log::Log` that forwards the engine's records to [`HOOK`].
struct Forward;

static FORWARD: Forward = Forward;

/// The engine's `log` target, NUL-terminated for C.
const TARGET: &str = "callkit_engine\0";

impl Log for Forward {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // Only the engine's own records: another Rust library linked into the same
        // program never reaches the host's callback through this logger.
        metadata.target() == engine_target() && HOOK.get().is_some()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let Some(hook) = HOOK.get() else { return };
        let mut message = Message::new();
        // A formatting error can only be the buffer filling up: what fits is kept.
        let _ = fmt::write(&mut message, *record.args());
        let text = message.terminated();
        let target = ck_str {
            ptr: TARGET.as_ptr(),
            len: TARGET.len() - 1,
        };
        let message = ck_str {
            ptr: text.as_ptr(),
            len: text.len() - 1,
        };
        // SAFETY: `ck_log_set_callback`'s contract: `callback` is a function of this
        // signature that may be called with `context` from the calling thread. Both
        // strings point to live, NUL-terminated UTF-8 for the whole call.
        unsafe { (hook.callback)(hook.context, level(record.level()), target, message) };
    }

    fn flush(&self) {}
}

fn engine_target() -> &'static str {
    &TARGET[..TARGET.len() - 1]
}

fn level(level: Level) -> ck_log_level {
    match level {
        Level::Error => CK_LOG_LEVEL_ERROR,
        Level::Warn => CK_LOG_LEVEL_WARN,
        Level::Info => CK_LOG_LEVEL_INFO,
        Level::Debug => CK_LOG_LEVEL_DEBUG,
        Level::Trace => CK_LOG_LEVEL_TRACE,
    }
}

/// A message being formatted: up to [`CK_LOG_MESSAGE_CAPACITY`] bytes of UTF-8 and
/// room for a NUL.
struct Message {
    bytes: [u8; CK_LOG_MESSAGE_CAPACITY + 1],
    len: usize,
}

impl Message {
    fn new() -> Self {
        Message {
            bytes: [0; CK_LOG_MESSAGE_CAPACITY + 1],
            len: 0,
        }
    }

    /// The text and its NUL.
    fn terminated(&mut self) -> &[u8] {
        self.bytes[self.len] = 0;
        &self.bytes[..=self.len]
    }

    #[cfg(test)]
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("<not UTF-8>")
    }
}

impl fmt::Write for Message {
    /// Appends `s`, or as much of it as fits, cut at a character boundary; the text
    /// stays valid UTF-8. Fails (ending the formatting) once something was cut.
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = CK_LOG_MESSAGE_CAPACITY - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        if take < s.len() {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}

/// Sets the function that receives the engine's log records (see `ck_log_callback`),
/// once per process: the records of every engine go to it, at debug level and up
/// (today the engine writes debug records only: transitions, with ids, phases, counts
/// and event names; never caller names, handles, DTMF digits, push tokens or payload
/// bytes). Records of a step the engine refuses are delivered too.
///
/// The first call with a callback returns `CK_RESULT_OK`. Any later call returns
/// `CK_RESULT_ALREADY_SET` and changes nothing: the first callback and context stay,
/// and cannot be removed (make the callback itself ignore records when the app wants
/// silence). So does the first call when another Rust library in the same program has
/// already installed a global `log` logger. A NULL `callback` is
/// `CK_RESULT_NULL_POINTER`.
///
/// # Safety
///
/// `callback` must stay callable, and `context` (which the library never reads) usable
/// by it, for the rest of the process, from every thread that makes `ck_*` calls.
#[no_mangle]
pub unsafe extern "C" fn ck_log_set_callback(
    callback: ck_log_callback,
    context: *mut c_void,
) -> ck_result {
    let Some(callback) = callback else {
        return ck_result::CK_RESULT_NULL_POINTER;
    };
    crate::boundary::guard(|| {
        if HOOK.set(Hook { callback, context }).is_err() {
            return ck_result::CK_RESULT_ALREADY_SET;
        }
        if log::set_logger(&FORWARD).is_err() {
            // Another logger owns the facade: records never reach this one, so the
            // callback is never called; say so.
            return ck_result::CK_RESULT_ALREADY_SET;
        }
        log::set_max_level(LevelFilter::Debug);
        ck_result::CK_RESULT_OK
    })
}

#[cfg(test)]
mod tests {
    use core::fmt::Write;

    use super::*;

    #[test]
    fn a_long_message_is_cut_at_a_character_boundary_within_the_capacity() {
        let mut message = Message::new();
        let filler = "x".repeat(CK_LOG_MESSAGE_CAPACITY - 1);
        assert!(message.write_str(&filler).is_ok());
        // "é" is 2 bytes: only 1 byte of room is left, so none of it is written.
        assert!(message.write_str("é").is_err());
        assert_eq!(message.as_str(), filler);
        assert_eq!(message.terminated().len(), CK_LOG_MESSAGE_CAPACITY);
        assert_eq!(message.terminated().last(), Some(&0));

        let mut message = Message::new();
        let long = "📞".repeat(CK_LOG_MESSAGE_CAPACITY);
        assert!(write!(message, "{long}").is_err());
        assert_eq!(message.as_str().len(), CK_LOG_MESSAGE_CAPACITY);
        assert!(message.as_str().chars().all(|c| c == '📞'));
    }

    #[test]
    fn a_message_that_fits_is_kept_whole_and_terminated() {
        let mut message = Message::new();
        let phase = "ringing";
        assert!(write!(message, "call {} {phase}", 7).is_ok());
        assert_eq!(message.terminated(), b"call 7 ringing\0");
    }

    #[test]
    fn levels_keep_the_log_crates_order() {
        let all = [
            Level::Error,
            Level::Warn,
            Level::Info,
            Level::Debug,
            Level::Trace,
        ];
        for l in all {
            assert_eq!(usize::from(level(l)), l as usize);
        }
    }
}
