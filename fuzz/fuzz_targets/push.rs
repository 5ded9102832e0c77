//! Raw bytes as a VoIP push into a live engine (calls in every phase, full call and push
//! tables) under every schema: the PushKit rule and the engine's consistency hold. The
//! checks live in `callkit_engine_testkit::fuzzing::check_push`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    callkit_engine_testkit::fuzzing::check_push(data);
});
