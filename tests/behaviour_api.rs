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
