//! An `Arbitrary` script of events (payload bytes, colliding ids, time going backwards)
//! through engines of three capacities, every step checked. The checks live in
//! `callkit_engine_testkit::fuzzing::check_events`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    callkit_engine_testkit::fuzzing::check_events(data);
});
