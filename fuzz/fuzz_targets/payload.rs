//! Raw bytes through the payload parser under every preset and two custom schemas:
//! no panic, bounded time, agreement with serde_json's reading, stable round trip.
//! The checks live in `callkit_engine_testkit::fuzzing::check_payload`, shared with the
//! corpus replay in `tests/fuzz_corpus.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    callkit_engine_testkit::fuzzing::check_payload(data);
});
