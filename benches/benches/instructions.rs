//! Instruction counts (callgrind, through gungraun) of every benchmark scenario: push ->
//! `reportNewIncomingCall` for the three payload size classes beside both serde_json
//! baselines, the incoming and outgoing lifecycles per event, one provider action with
//! 1, 4 and 16 live calls, and `providerDidReset` with every slot full.
//!
//! Needs valgrind and the runner at exactly the library's version:
//!
//! ```sh
//! cargo install --locked gungraun-runner --version 0.20.0
//! cargo bench -p callkit-engine-benches --bench instructions
//! ```
//!
//! The scenarios and what one step covers are in the benches crate's library
//! (`benches/src/lib.rs`); set-up (the `scenario(..)` calls) is not counted.

use std::hint::black_box;

use callkit_engine_benches::{scenario, Run};
use gungraun::{library_benchmark, library_benchmark_group, main};

/// One step; the state is returned so that dropping it is not counted.
fn step(mut run: Box<dyn Run>) -> Box<dyn Run> {
    run.run();
    black_box(run)
}

#[library_benchmark]
#[bench::apple_docs_engine(scenario("push/apple-docs/engine"))]
#[bench::apple_docs_serde_typed(scenario("push/apple-docs/serde-typed"))]
#[bench::apple_docs_serde_value(scenario("push/apple-docs/serde-value"))]
#[bench::flutter_engine(scenario("push/flutter/engine"))]
#[bench::flutter_serde_typed(scenario("push/flutter/serde-typed"))]
#[bench::flutter_serde_value(scenario("push/flutter/serde-value"))]
#[bench::limit_engine(scenario("push/limit/engine"))]
#[bench::limit_serde_typed(scenario("push/limit/serde-typed"))]
#[bench::limit_serde_value(scenario("push/limit/serde-value"))]
fn push(run: Box<dyn Run>) -> Box<dyn Run> {
    step(run)
}

#[library_benchmark]
#[bench::s1_push(scenario("incoming/1-push"))]
#[bench::s2_report_ok(scenario("incoming/2-report-ok"))]
#[bench::s3_connected(scenario("incoming/3-connected"))]
#[bench::s4_answer(scenario("incoming/4-answer"))]
#[bench::s5_audio_on(scenario("incoming/5-audio-on"))]
#[bench::s6_end(scenario("incoming/6-end"))]
fn incoming(run: Box<dyn Run>) -> Box<dyn Run> {
    step(run)
}

#[library_benchmark]
#[bench::s1_request_start(scenario("outgoing/1-request-start"))]
#[bench::s2_start_tx_ok(scenario("outgoing/2-start-tx-ok"))]
#[bench::s3_perform_start(scenario("outgoing/3-perform-start"))]
#[bench::s4_audio_on(scenario("outgoing/4-audio-on"))]
#[bench::s5_connecting(scenario("outgoing/5-connecting"))]
#[bench::s6_connected(scenario("outgoing/6-connected"))]
#[bench::s7_request_end(scenario("outgoing/7-request-end"))]
#[bench::s8_end_tx_ok(scenario("outgoing/8-end-tx-ok"))]
#[bench::s9_perform_end(scenario("outgoing/9-perform-end"))]
fn outgoing(run: Box<dyn Run>) -> Box<dyn Run> {
    step(run)
}

#[library_benchmark]
#[bench::answer_1(scenario("action/answer/1"))]
#[bench::answer_4(scenario("action/answer/4"))]
#[bench::answer_16(scenario("action/answer/16"))]
#[bench::end_oldest_1(scenario("action/end-oldest/1"))]
#[bench::end_oldest_4(scenario("action/end-oldest/4"))]
#[bench::end_oldest_16(scenario("action/end-oldest/16"))]
#[bench::mute_1(scenario("action/mute/1"))]
#[bench::mute_4(scenario("action/mute/4"))]
#[bench::mute_16(scenario("action/mute/16"))]
fn action(run: Box<dyn Run>) -> Box<dyn Run> {
    step(run)
}

#[library_benchmark]
#[bench::full(scenario("reset/full"))]
fn reset(run: Box<dyn Run>) -> Box<dyn Run> {
    step(run)
}

library_benchmark_group!(
    name = engine,
    benchmarks = [push, incoming, outgoing, action, reset]
);

main!(library_benchmark_groups = engine);
