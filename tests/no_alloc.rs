//! Zero allocations: a counting global allocator, armed only while `Engine::handle` runs
//! (the testkit drivers call a hook right around it), while every shipped trace, every
//! corpus payload under every schema preset, closed-loop simulator runs and a batch of
//! random (proptest-generated) event sequences go through the engine. Not one
//! allocation may happen inside the engine.
//!
//! One test function, so no other test thread allocates while the counter is armed
//! (the flag is per thread anyway).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use callkit_engine::limits::effects_needed;
use callkit_engine::{Config, Event, IncomingCallError, IncomingReport, PushId};
use callkit_engine_testkit::invariants::set_engine_call_hook;
use callkit_engine_testkit::sim::{CallKitSim, SimConfig};
use callkit_engine_testkit::trace::{run_trace_file, schema_by_name, SCHEMA_NAMES};
use callkit_engine_testkit::{call_id, Harness};
use common::{alphabet, config, corpus, Abs, Body, Runner};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

thread_local! {
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static ENGINE_CALLS: AtomicU64 = AtomicU64::new(0);

struct Counting;

fn note() {
    if INSIDE.with(|i| i.get()) {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn hook(inside: bool) {
    if inside {
        ENGINE_CALLS.fetch_add(1, Ordering::SeqCst);
    }
    INSIDE.with(|i| i.set(inside));
}

fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::SeqCst)
}

#[test]
fn the_engine_never_allocates_on_traces_corpus_simulator_runs_and_random_sequences() {
    set_engine_call_hook(Some(hook));

    // The probe itself works: an allocation while armed is counted.
    hook(true);
    let probe = std::hint::black_box(vec![1u8; 16]);
    hook(false);
    drop(probe);
    assert_eq!(
        allocations(),
        1,
        "the counting allocator is not armed by the hook"
    );
    ALLOCATIONS.store(0, Ordering::SeqCst);
    ENGINE_CALLS.store(0, Ordering::SeqCst);

    // 1. Every shipped trace.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/traces");
    let mut traces: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/traces")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    traces.sort();
    assert!(traces.len() >= 7);
    for path in &traces {
        let outcome = run_trace_file(path).expect("trace runs");
        assert!(
            outcome.violations.is_empty(),
            "{}: {:?}",
            path.display(),
            outcome.violations
        );
    }
    let after_traces = ENGINE_CALLS.load(Ordering::SeqCst);
    assert_eq!(
        allocations(),
        0,
        "allocation inside the engine during the traces"
    );

    // 2. Every corpus payload under every schema preset, through report, answer-less
    // ring-out and every timer.
    let payloads = corpus();
    for name in SCHEMA_NAMES {
        let schema = schema_by_name(name).expect("preset");
        for (file, bytes) in &payloads {
            for result in [Ok(()), Err(IncomingCallError::FilteredByDoNotDisturb)] {
                let mut h: Harness = Harness::new(Config::with_schema(schema.clone()));
                h.push(1, bytes);
                h.push(2, bytes);
                let _ = h.try_step(Event::IncomingCallReported {
                    report: IncomingReport::Push(PushId(1)),
                    result,
                });
                h.advance_firing(120_000);
                assert!(h.checker.violations().is_empty(), "{name} {file}");
            }
        }
    }
    let after_corpus = ENGINE_CALLS.load(Ordering::SeqCst);
    assert_eq!(
        allocations(),
        0,
        "allocation inside the engine on the corpus"
    );

    // 3. Closed-loop simulator runs.
    for dnd in [false, true] {
        let mut s: CallKitSim = CallKitSim::new(
            Config::default(),
            SimConfig {
                do_not_disturb: dnd,
                ..SimConfig::default()
            },
        );
        for n in 1..=6u8 {
            let p = format!(r#"{{"uuid":"{}","handle":"+15550100"}}"#, call_id(n));
            s.push(p.as_bytes());
            s.advance(200);
            s.user_answers(call_id(n));
        }
        let _ = s.app_starts_call(call_id(9), "+15550199");
        s.advance(5_000);
        s.user_ends(call_id(1));
        s.reset();
        s.advance(120_000);
        s.finish();
    }
    let after_sim = ENGINE_CALLS.load(Ordering::SeqCst);
    assert_eq!(
        allocations(),
        0,
        "allocation inside the engine in the simulator"
    );

    // 4. A batch of random sequences over the hostile alphabet plus corpus pushes.
    let mut letters = alphabet(3, 3, 3);
    for i in 0..payloads.len() as u8 {
        letters.push(Abs::Push {
            push: 1 + i % 3,
            body: Body::Corpus(i),
            backwards: false,
        });
    }
    let strategy = proptest::collection::vec(proptest::sample::select(letters), 1..64);
    let mut runner = TestRunner::deterministic();
    for _ in 0..500 {
        let sequence = strategy.new_tree(&mut runner).expect("tree").current();
        let mut r: Runner<2, 2, { effects_needed(2, 2) }> = Runner::new(config());
        for abs in sequence {
            r.apply(abs, &payloads);
        }
        // Then let every timer run out.
        for _ in 0..8 {
            r.apply(Abs::JumpToDeadline, &payloads);
            r.apply(Abs::FireTimer { index: 0 }, &payloads);
        }
    }
    let total = ENGINE_CALLS.load(Ordering::SeqCst);
    set_engine_call_hook(None);
    assert_eq!(
        allocations(),
        0,
        "allocation inside the engine on random sequences"
    );
    println!(
        "engine calls without allocation: traces {after_traces}, corpus {}, simulator {}, random {}",
        after_corpus - after_traces,
        after_sim - after_corpus,
        total - after_sim
    );
}
