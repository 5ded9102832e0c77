//! Every CallKit enumeration keeps Apple's raw values, both ways (docs/callkit-facts.md,
//! "CallKit enumerations"): hosts and the C ABI pass these numbers straight through.

use callkit_engine::{
    CallEndedReason, DtmfType, HandleType, HandleTypes, IncomingCallError, RequestTransactionError,
};

/// Each value has its raw value, and the raw value reads back as the value.
/// Each value in `all` has its raw value.
fn raw_values<T: Copy + std::fmt::Debug, R: Copy + PartialEq + std::fmt::Debug>(
    all: &[(T, R)],
    raw: fn(T) -> R,
) {
    for &(value, n) in all {
        assert_eq!(raw(value), n, "{value:?}");
    }
}

/// Each value in `all` has its raw value, and reads back from it.
fn both_ways<T: Copy + PartialEq + std::fmt::Debug, R: Copy + PartialEq + std::fmt::Debug>(
    all: &[(T, R)],
    raw: fn(T) -> R,
    from_raw: fn(R) -> Option<T>,
) {
    raw_values(all, raw);
    for &(value, n) in all {
        assert_eq!(from_raw(n), Some(value), "{n:?}");
    }
}

/// Raw values no CallKit header names (yet): just past the named ones, far past, and
/// the ends of `NSInteger` and of a C `uint32_t`.
const UNNAMED: [i64; 9] = [
    9,
    42,
    255,
    256,
    -1,
    u32::MAX as i64,
    u32::MAX as i64 + 1,
    i64::MIN,
    i64::MAX,
];

#[test]
fn incoming_call_errors_keep_apples_raw_values_both_ways() {
    let all = [
        (IncomingCallError::Unknown, 0),
        (IncomingCallError::Unentitled, 1),
        (IncomingCallError::CallUuidAlreadyExists, 2),
        (IncomingCallError::FilteredByDoNotDisturb, 3),
        (IncomingCallError::FilteredByBlockList, 4),
        (IncomingCallError::FilteredDuringRestrictedSharingMode, 5),
        (IncomingCallError::CallIsProtected, 6),
        (IncomingCallError::FilteredBySensitiveParticipants, 7),
    ];
    both_ways(&all, IncomingCallError::raw, |raw| {
        Some(IncomingCallError::from_raw(raw))
    });
}

#[test]
fn an_incoming_call_error_apple_has_no_name_for_keeps_its_number() {
    for code in [8].into_iter().chain(UNNAMED) {
        let error = IncomingCallError::from_raw(code);
        let IncomingCallError::Unrecognized(kept) = error else {
            panic!("{code} read as {error:?}");
        };
        assert_eq!(kept.raw(), code);
        assert_eq!(error.raw(), code);
        assert_eq!(IncomingCallError::from_raw(error.raw()), error);
    }
    assert_ne!(
        IncomingCallError::from_raw(8),
        IncomingCallError::from_raw(9)
    );
}

#[test]
fn request_transaction_errors_keep_apples_raw_values_both_ways() {
    let all = [
        (RequestTransactionError::Unknown, 0),
        (RequestTransactionError::Unentitled, 1),
        (RequestTransactionError::UnknownCallProvider, 2),
        (RequestTransactionError::EmptyTransaction, 3),
        (RequestTransactionError::UnknownCallUuid, 4),
        (RequestTransactionError::CallUuidAlreadyExists, 5),
        (RequestTransactionError::InvalidAction, 6),
        (RequestTransactionError::MaximumCallGroupsReached, 7),
        (RequestTransactionError::CallIsProtected, 8),
    ];
    both_ways(&all, RequestTransactionError::raw, |raw| {
        Some(RequestTransactionError::from_raw(raw))
    });
}

#[test]
fn a_request_transaction_error_apple_has_no_name_for_keeps_its_number() {
    for code in UNNAMED {
        let error = RequestTransactionError::from_raw(code);
        let RequestTransactionError::Unrecognized(kept) = error else {
            panic!("{code} read as {error:?}");
        };
        assert_eq!(kept.raw(), code);
        assert_eq!(error.raw(), code);
        assert_eq!(RequestTransactionError::from_raw(error.raw()), error);
    }
}

#[test]
fn ended_reasons_handle_types_and_dtmf_types_keep_apples_raw_values() {
    let reasons = [
        (CallEndedReason::Failed, 1),
        (CallEndedReason::RemoteEnded, 2),
        (CallEndedReason::Unanswered, 3),
        (CallEndedReason::AnsweredElsewhere, 4),
        (CallEndedReason::DeclinedElsewhere, 5),
    ];
    raw_values(&reasons, CallEndedReason::raw);
    let handles = [
        (HandleType::Generic, 1),
        (HandleType::PhoneNumber, 2),
        (HandleType::EmailAddress, 3),
    ];
    both_ways(&handles, HandleType::raw, HandleType::from_raw);
    assert_eq!(HandleType::from_raw(0), None);
    assert_eq!(HandleType::from_raw(4), None);
    let dtmf = [
        (DtmfType::SingleTone, 1),
        (DtmfType::SoftPause, 2),
        (DtmfType::HardPause, 3),
    ];
    both_ways(&dtmf, DtmfType::raw, DtmfType::from_raw);
    assert_eq!(DtmfType::from_raw(0), None);
    assert_eq!(DtmfType::from_raw(4), None);
}

#[test]
fn a_handle_type_set_holds_exactly_the_types_added() {
    let set = HandleTypes::NONE.with(HandleType::Generic);
    assert!(set.contains(HandleType::Generic));
    assert!(!set.contains(HandleType::PhoneNumber));
    let both = set.with(HandleType::EmailAddress);
    assert!(both.contains(HandleType::Generic) && both.contains(HandleType::EmailAddress));
    assert!(!both.contains(HandleType::PhoneNumber));
    assert_eq!(HandleTypes::ALL, both.with(HandleType::PhoneNumber));
}

#[test]
fn adding_a_handle_type_twice_keeps_it() {
    let set = HandleTypes::only(HandleType::PhoneNumber).with(HandleType::PhoneNumber);
    assert!(set.contains(HandleType::PhoneNumber));
    assert_eq!(set, HandleTypes::only(HandleType::PhoneNumber));
}

#[test]
fn ids_and_names_print_in_the_form_hosts_log_them() {
    use callkit_engine::{ActionId, CallId, CallerName};
    let bytes = *b"\x6f\x1c\x3e\x1a\x7b\x2d\x4c\x4e\x9a\x51\x0d\x3f\x6c\x2b\x9e\x11";
    let call = CallId::from_bytes(bytes);
    assert_eq!(format!("{call:?}"), "6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    assert_eq!(call.to_string(), "6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11");
    let action = ActionId::from_bytes(bytes);
    assert_eq!(
        format!("{action:?}"),
        "action:6f1c3e1a-7b2d-4c4e-9a51-0d3f6c2b9e11"
    );
    let name = CallerName::truncating("Chloé");
    assert_eq!(format!("{name:?}"), "\"Chloé\"");
}

#[test]
fn reject_reasons_and_push_end_reasons_keep_their_documented_raw_values() {
    // The engine's own enumerations that cross the C ABI by number: the values are the
    // ones their docs and `ffi/include/callkit_engine.h` promise hosts.
    use callkit_engine::{PayloadError, PushEndReason, RejectReason};
    let rejects = [
        (RejectReason::Declined, 1),
        (RejectReason::Busy, 2),
        (RejectReason::DoNotDisturb, 3),
        (RejectReason::Blocked, 4),
        (RejectReason::Unanswered, 5),
        (RejectReason::Failed, 6),
    ];
    raw_values(&rejects, RejectReason::raw);
    let ends = [
        (
            PushEndReason::Unreadable {
                error: PayloadError::Syntax,
                field: None,
            },
            1,
        ),
        (PushEndReason::MissingCallId, 2),
        (PushEndReason::CancelledUnknownCall, 3),
        (PushEndReason::CallEnded, 4),
        (PushEndReason::CallCapacity, 5),
        (PushEndReason::OutgoingCallId, 6),
    ];
    raw_values(&ends, |r| r.raw());
}
