//! Unit tests of what the C programs cannot reach: the panic guard, the try-lock, and
//! the tables (every event kind, every engine error, every result name).

use super::*;
use crate::boundary::{guard, with_engine};
use crate::entry::RESULT_NAMES;
use callkit_engine::{CallId, Error, Instant, PushId, Timer};

fn ready_engine() -> Box<ck_engine> {
    // SAFETY: ck_engine is plain words; all-zero is the documented starting state.
    let mut engine: Box<ck_engine> = Box::new(unsafe { core::mem::zeroed() });
    let mut config = ck_config::default();
    // SAFETY: valid pointers to live values.
    unsafe {
        assert_eq!(ck_config_default(&mut config), ck_result::CK_RESULT_OK);
        assert_eq!(
            ck_engine_init(&mut *engine, size_of::<ck_engine>(), &config),
            ck_result::CK_RESULT_OK
        );
    }
    engine
}

#[test]
fn a_panic_becomes_a_result_code() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let code = guard(|| panic!("boom"));
    std::panic::set_hook(previous);
    assert_eq!(code, ck_result::CK_RESULT_PANIC);
}

#[test]
fn a_panic_inside_an_engine_call_releases_the_engine() {
    let mut engine = ready_engine();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    // SAFETY: a live, initialised engine.
    let code = unsafe { with_engine(&mut *engine, |_| panic!("boom")) };
    std::panic::set_hook(previous);
    assert_eq!(code, ck_result::CK_RESULT_PANIC);
    let mut status = ck_status::default();
    // SAFETY: valid pointers.
    let code = unsafe { ck_engine_status(&mut *engine, &mut status) };
    assert_eq!(code, ck_result::CK_RESULT_OK);
    assert!(status.idle);
}

#[test]
fn a_call_on_an_engine_in_use_is_refused_as_busy() {
    let mut engine = ready_engine();
    let raw: *mut ck_engine = &mut *engine;
    // SAFETY: a live, initialised engine; the nested calls only touch the state word
    // before being refused.
    let code = unsafe {
        with_engine(raw, |_| {
            let mut status = ck_status::default();
            let inner = ck_engine_status(raw, &mut status);
            assert_eq!(ck_engine_deinit(raw), ck_result::CK_RESULT_BUSY);
            let config = ck_config::default();
            assert_eq!(
                ck_engine_init(raw, CK_ENGINE_SIZE, &config),
                ck_result::CK_RESULT_INVALID_ARGUMENT,
                "an invalid config is refused before the engine is looked at"
            );
            let mut good = ck_config::default();
            ck_config_default(&mut good);
            assert_eq!(
                ck_engine_init(raw, CK_ENGINE_SIZE, &good),
                ck_result::CK_RESULT_BUSY
            );
            inner
        })
    };
    assert_eq!(code, ck_result::CK_RESULT_BUSY);
}

#[test]
fn every_event_kind_decodes_and_unknown_kinds_are_refused() {
    let handle = "+14085551234";
    let digits = "12#";
    for kind in 1..=convert::LAST_EVENT_KIND {
        let mut ev = ck_event::zeroed(kind);
        ev.handle = ck_str {
            ptr: handle.as_ptr(),
            len: handle.len(),
        };
        ev.digits = ck_str {
            ptr: digits.as_ptr(),
            len: digits.len(),
        };
        ev.handle_type = CK_HANDLE_TYPE_PHONE_NUMBER;
        ev.dtmf_type = CK_DTMF_TYPE_SINGLE_TONE;
        ev.timer.kind = CK_TIMER_RING;
        ev.refusal_reason = CK_REFUSAL_REASON_BUSY;
        assert_eq!(decode(&ev), Ok(()), "kind {kind}");
    }
    let unknown = [0u32, convert::LAST_EVENT_KIND + 1, u32::MAX];
    for kind in unknown {
        assert_eq!(
            decode(&ck_event::zeroed(kind)),
            Err(ck_result::CK_RESULT_INVALID_ARGUMENT)
        );
    }
}

/// Decodes `ev`, which borrows nothing or only live data.
fn decode(ev: &ck_event) -> Result<(), ck_result> {
    // SAFETY: every caller's event borrows only data that outlives this call.
    unsafe { convert::event(ev) }.map(|_| ())
}

#[test]
fn bad_flags_enums_and_text_are_refused() {
    let mut ev = ck_event::zeroed(CK_EVENT_REQUEST_SET_MUTED);
    ev.muted = 2;
    assert_eq!(decode(&ev), Err(ck_result::CK_RESULT_INVALID_ARGUMENT));

    let bad = [0xffu8, 0xfe];
    let mut ev = ck_event::zeroed(CK_EVENT_REQUEST_PLAY_DTMF);
    ev.dtmf_type = CK_DTMF_TYPE_SINGLE_TONE;
    ev.digits = ck_str {
        ptr: bad.as_ptr(),
        len: bad.len(),
    };
    assert_eq!(decode(&ev), Err(ck_result::CK_RESULT_INVALID_UTF8));
    let good = b"1";
    ev.digits = ck_str {
        ptr: good.as_ptr(),
        len: good.len(),
    };
    ev.dtmf_type = 9;
    assert_eq!(decode(&ev), Err(ck_result::CK_RESULT_INVALID_ARGUMENT));
    ev.digits = ck_str {
        ptr: core::ptr::null(),
        len: 3,
    };
    assert_eq!(decode(&ev), Err(ck_result::CK_RESULT_NULL_POINTER));

    let mut ev = ck_event::zeroed(CK_EVENT_TIMER_FIRED);
    ev.timer.kind = 7;
    assert_eq!(decode(&ev), Err(ck_result::CK_RESULT_INVALID_ARGUMENT));
}

#[test]
fn every_engine_error_has_its_own_code_and_name() {
    let call = CallId::from_bytes([1; 16]);
    let errors = [
        Error::TimeWentBackwards {
            last: Instant::from_millis(2),
            now: Instant::from_millis(1),
        },
        Error::UnknownCall(call),
        Error::UnknownPush(PushId(1)),
        Error::DuplicateAction(callkit_engine::ActionId::from_bytes([2; 16])),
        Error::UnknownTransaction(callkit_engine::TransactionId(1)),
        Error::UnknownTimer(Timer::Ring(call)),
        Error::TimerNotDue {
            timer: Timer::Ring(call),
            deadline: Instant::from_millis(5),
        },
        Error::CallExists(call),
        Error::CallCapacity,
        Error::TransactionCapacity,
        Error::WrongPhase(call),
        Error::NotSupported(call),
        Error::InvalidHandle,
        Error::InvalidDtmf,
        Error::InvalidPushToken,
    ];
    let mut codes: Vec<u32> = errors.iter().map(|e| convert::error(*e) as u32).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
    // 20 to 35 without 23, which is reserved.
    assert_eq!(codes, (20..36).filter(|&c| c != 23).collect::<Vec<_>>());

    for (code, name) in RESULT_NAMES {
        let mut out = ck_str::empty();
        // SAFETY: valid pointer.
        let named = unsafe { ck_result_name(code as u32, &mut out) };
        assert_eq!(named, ck_result::CK_RESULT_OK);
        // SAFETY: static text of `len + 1` bytes.
        let text = unsafe { core::slice::from_raw_parts(out.ptr, out.len + 1) };
        assert_eq!(text, name.as_bytes());
        assert_eq!(format!("{code:?}\0"), name);
    }
}

#[test]
fn configs_round_trip_through_c() {
    for preset in 1..=8 {
        let mut config = ck_config::default();
        // SAFETY: valid pointers.
        unsafe {
            assert_eq!(ck_config_default(&mut config), ck_result::CK_RESULT_OK);
            assert_eq!(
                ck_schema_preset(preset, &mut config.schema),
                ck_result::CK_RESULT_OK
            );
        }
        let rust = convert::config(&config).expect("a preset is valid");
        assert_eq!(convert::c_config(&rust), config);
        assert_eq!(rust.schema, convert::preset(preset).unwrap());
    }
}

#[test]
fn reject_reasons_cross_as_their_raw_values_the_header_constants() {
    use callkit_engine::{Effect, RejectReason};
    let reasons = [
        (RejectReason::Declined, CK_REJECT_REASON_DECLINED),
        (RejectReason::Busy, CK_REJECT_REASON_BUSY),
        (RejectReason::DoNotDisturb, CK_REJECT_REASON_DO_NOT_DISTURB),
        (RejectReason::Blocked, CK_REJECT_REASON_BLOCKED),
        (RejectReason::Unanswered, CK_REJECT_REASON_UNANSWERED),
        (RejectReason::Failed, CK_REJECT_REASON_FAILED),
    ];
    for (reason, constant) in reasons {
        let call = CallId::from_bytes([7; 16]);
        let effect = crate::convert::effect(&Effect::RejectIncoming { call, reason });
        assert_eq!(effect.kind, CK_EFFECT_REJECT_INCOMING, "{reason:?}");
        assert_eq!(effect.reject_reason, constant, "{reason:?}");
    }
}

#[test]
fn push_end_reasons_payload_errors_and_fields_keep_their_c_values() {
    use callkit_engine::{PayloadError, PayloadField, PushEndReason};
    let reasons = [
        (
            PushEndReason::Unreadable {
                error: PayloadError::Syntax,
                field: None,
            },
            CK_PUSH_END_REASON_UNREADABLE,
        ),
        (
            PushEndReason::MissingCallId,
            CK_PUSH_END_REASON_MISSING_CALL_ID,
        ),
        (
            PushEndReason::CancelledUnknownCall,
            CK_PUSH_END_REASON_CANCELLED_UNKNOWN_CALL,
        ),
        (PushEndReason::CallEnded, CK_PUSH_END_REASON_CALL_ENDED),
        (
            PushEndReason::CallCapacity,
            CK_PUSH_END_REASON_CALL_CAPACITY,
        ),
        (
            PushEndReason::OutgoingCallId,
            CK_PUSH_END_REASON_OUTGOING_CALL_ID,
        ),
    ];
    for (reason, c) in reasons {
        assert_eq!(reason.raw(), c, "{reason:?}");
    }
    let errors = [
        (
            PayloadError::TooLarge { len: 9 },
            CK_PAYLOAD_ERROR_TOO_LARGE,
        ),
        (PayloadError::TooDeep, CK_PAYLOAD_ERROR_TOO_DEEP),
        (PayloadError::Syntax, CK_PAYLOAD_ERROR_SYNTAX),
        (PayloadError::WrongType, CK_PAYLOAD_ERROR_WRONG_TYPE),
        (PayloadError::DuplicateKey, CK_PAYLOAD_ERROR_DUPLICATE_KEY),
        (
            PayloadError::InvalidCallId,
            CK_PAYLOAD_ERROR_INVALID_CALL_ID,
        ),
        (
            PayloadError::HandleTooLong,
            CK_PAYLOAD_ERROR_HANDLE_TOO_LONG,
        ),
        (PayloadError::InvalidEscape, CK_PAYLOAD_ERROR_INVALID_ESCAPE),
        (PayloadError::MissingRoot, CK_PAYLOAD_ERROR_MISSING_ROOT),
    ];
    for (error, c) in errors {
        assert_eq!(error.raw(), c, "{error:?}");
    }
    let fields = [
        (PayloadField::Root, CK_PAYLOAD_FIELD_ROOT),
        (PayloadField::CallId, CK_PAYLOAD_FIELD_CALL_ID),
        (PayloadField::Handle, CK_PAYLOAD_FIELD_HANDLE),
        (PayloadField::CallerName, CK_PAYLOAD_FIELD_CALLER_NAME),
        (PayloadField::Video, CK_PAYLOAD_FIELD_VIDEO),
        (PayloadField::MediaType, CK_PAYLOAD_FIELD_MEDIA_TYPE),
        (PayloadField::RingTimeout, CK_PAYLOAD_FIELD_RING_TIMEOUT),
        (PayloadField::MessageType, CK_PAYLOAD_FIELD_MESSAGE_TYPE),
    ];
    for (field, c) in fields {
        assert_eq!(field.raw(), c, "{field:?}");
    }
}

#[test]
fn completion_error_codes_cross_whole_even_when_apple_has_no_name_for_them() {
    use callkit_engine::{Event, IncomingCallError, RequestTransactionError};
    for code in [
        0,
        2,
        7,
        8,
        9,
        42,
        -1,
        i64::from(u32::MAX),
        i64::MIN,
        i64::MAX,
    ] {
        let mut ev = ck_event::zeroed(CK_EVENT_INCOMING_CALL_REPORTED);
        ev.has_error = 1;
        ev.error_code = code;
        // SAFETY: the event borrows nothing.
        let Ok(Event::IncomingCallReported { result, .. }) = (unsafe { convert::event(&ev) })
        else {
            panic!("a report completion decodes");
        };
        assert_eq!(result, Err(IncomingCallError::from_raw(code)));
        assert_eq!(result.map_err(IncomingCallError::raw), Err(code));

        let mut ev = ck_event::zeroed(CK_EVENT_TRANSACTION_COMPLETED);
        ev.has_error = 1;
        ev.error_code = code;
        // SAFETY: the event borrows nothing.
        let Ok(Event::TransactionCompleted { result, .. }) = (unsafe { convert::event(&ev) })
        else {
            panic!("a transaction completion decodes");
        };
        assert_eq!(result.map_err(RequestTransactionError::raw), Err(code));
    }
}
