//! Small API contracts of the value types: raw values and bit sets stay stable.

use callkit_engine::{HandleType, HandleTypes, RejectReason};

#[test]
fn handle_type_sets_round_trip_through_their_bits_and_drop_unknown_bits() {
    let set = HandleTypes::only(HandleType::PhoneNumber).with(HandleType::EmailAddress);
    assert_eq!(set.bits(), 0b1100);
    assert_eq!(HandleTypes::from_bits(set.bits()), set);
    let noisy = HandleTypes::from_bits(0xff);
    assert_eq!(noisy, HandleTypes::ALL);
    assert!(!HandleTypes::from_bits(0b0001).contains(HandleType::Generic));
}

#[test]
fn reject_reasons_keep_their_raw_values() {
    let raws = [
        RejectReason::Declined,
        RejectReason::Busy,
        RejectReason::DoNotDisturb,
        RejectReason::Blocked,
        RejectReason::Unanswered,
        RejectReason::Failed,
    ]
    .map(RejectReason::raw);
    assert_eq!(raws, [1, 2, 3, 4, 5, 6]);
}

#[test]
fn handle_types_are_inferred_from_uris_phone_numbers_and_addresses() {
    for (text, want) in [
        ("+1 (408) 555-1234", HandleType::PhoneNumber),
        ("0123456789", HandleType::PhoneNumber),
        ("alice@example.org", HandleType::EmailAddress),
        ("sip:carol@sip.example.org", HandleType::Generic),
        ("SIPS:carol@example.org", HandleType::Generic),
        ("client:alice", HandleType::Generic),
        ("tel:+14085551234", HandleType::Generic),
        ("+-()", HandleType::Generic),
        ("", HandleType::Generic),
        ("a@b@c", HandleType::Generic),
        ("bob", HandleType::Generic),
    ] {
        assert_eq!(HandleType::infer(text), want, "{text:?}");
    }
}
