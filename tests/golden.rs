//! Golden vectors of every trace in tests/traces/ (tests/golden/traces/), for the Swift
//! package's conformance test (swift/Tests/CallKitEngineTests/GoldenVectorTests.swift),
//! which feeds each event through the Swift API and must get the same effects.
//! Rewrite them with `GOLDEN_BLESS=1 cargo test --test golden`.

#[path = "support/golden.rs"]
mod golden;

use std::collections::BTreeMap;

use callkit_engine_testkit::trace::{load_trace, run_trace_observed};

#[test]
fn golden_vectors_of_every_trace_are_fresh() {
    let dir = golden::root().join("tests/traces");
    let mut sources: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/traces exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    sources.sort();
    assert!(sources.len() >= 10, "the traces are there");
    let mut vectors = BTreeMap::new();
    for path in &sources {
        let trace = load_trace(path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let mut steps = Vec::new();
        run_trace_observed(&trace, &mut |at, event, result| {
            steps.push(golden::step_json(at, event, result));
        })
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert!(!steps.is_empty(), "{} feeds no event", path.display());
        let source = format!(
            "tests/traces/{}",
            path.file_name().expect("a file").to_string_lossy()
        );
        vectors.insert(
            golden::vector_name(path),
            golden::vector_json(&source, &trace.config, &trace.schema_name, steps),
        );
    }
    golden::check_fresh("tests/golden/traces", &vectors, "golden");
}

#[test]
fn refusals_are_named_as_the_c_abi_names_them() {
    use callkit_engine::{CallId, Error, Instant};
    assert_eq!(
        golden::result_name(&Error::UnknownCall(CallId::from_bytes([0; 16]))),
        "CK_RESULT_UNKNOWN_CALL"
    );
    assert_eq!(
        golden::result_name(&Error::InvalidDtmf),
        "CK_RESULT_INVALID_DTMF"
    );
    assert_eq!(
        golden::result_name(&Error::TimeWentBackwards {
            last: Instant::from_millis(2),
            now: Instant::from_millis(1)
        }),
        "CK_RESULT_TIME_WENT_BACKWARDS"
    );
}
