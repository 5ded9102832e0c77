//! The size budgets of docs/performance.md, and the benchmark scenarios' set-up.
//!
//! Runs in `cargo test --workspace`: `size_of` the default engine at most 4 KiB, one
//! step's effects at most 2 KiB; every scenario builds and its step is accepted; the
//! corpus payloads the benches read start a page.

use callkit_engine::limits::{DEFAULT_MAX_EFFECTS, MAX_PAYLOAD_LEN};
use callkit_engine::{Config, Effects, Engine, PayloadSchema};
use callkit_engine_benches::{
    deepest_payload, limit_payload, live_calls_before, scenario, PayloadClass, SCENARIOS,
};

/// Budget: the engine with default capacities fits in 4 KiB.
pub const ENGINE_BUDGET: usize = 4096;
/// Budget: one step's effect container fits in 2 KiB.
pub const EFFECTS_BUDGET: usize = 2048;

#[test]
fn engine_with_default_capacities_is_at_most_4_kib() {
    let size = core::mem::size_of::<Engine>();
    println!("size_of::<Engine>() = {size}");
    assert!(
        size <= ENGINE_BUDGET,
        "Engine is {size} bytes, budget {ENGINE_BUDGET}"
    );
}

#[test]
fn one_steps_effects_are_at_most_2_kib() {
    let size = core::mem::size_of::<Effects<DEFAULT_MAX_EFFECTS>>();
    println!("size_of::<Effects<{DEFAULT_MAX_EFFECTS}>>() = {size}");
    assert!(
        size <= EFFECTS_BUDGET,
        "Effects is {size} bytes, budget {EFFECTS_BUDGET}"
    );
}

#[test]
fn limit_payload_is_exactly_at_the_limit_and_reads() {
    let payload = limit_payload();
    assert_eq!(payload.len(), MAX_PAYLOAD_LEN);
    let parsed = PayloadSchema::flutter_callkit_incoming()
        .parse(payload)
        .expect("the limit payload reads");
    assert!(parsed.call.is_some());
    assert!(parsed.caller_name.is_some());
    serde_json::from_slice::<serde_json::Value>(payload).expect("valid JSON");
}

/// The push counts of the benches do not move with the build path: the corpus payloads
/// they read start a page (`Aligned`) wherever the linker puts them.
#[test]
fn the_corpus_payloads_of_the_benches_start_a_page() {
    for class in [PayloadClass::AppleDocs, PayloadClass::Flutter] {
        let at = class.bytes().as_ptr() as usize;
        assert_eq!(at % 4096, 0, "{class:?} payload at {at:#x}");
    }
}

#[test]
fn deepest_payload_reads() {
    let parsed = PayloadSchema::apple_docs()
        .parse(deepest_payload())
        .expect("depth 16 reads");
    assert!(parsed.call.is_some());
}

#[test]
fn every_scenario_builds_and_its_step_is_accepted() {
    for name in SCENARIOS {
        // `scenario` runs the step once on a copy and panics if it is refused.
        let mut run = scenario(name);
        run.run();
    }
}

#[test]
fn live4_scenarios_hold_at_least_three_calls_before_and_four_around_the_event() {
    for name in SCENARIOS.iter().filter(|n| n.starts_with("live4/")) {
        let Some(live) = live_calls_before(name) else {
            continue;
        };
        // A push or request-start adds the fourth; every other step has four.
        let want = if name.ends_with("1-push") || name.ends_with("1-request-start") {
            3
        } else {
            4
        };
        assert_eq!(live, want, "{name}");
    }
    let _ = Engine::<4, 8, 32>::new(Config::default());
}
