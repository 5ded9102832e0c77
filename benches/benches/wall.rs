//! Wall time (criterion) of every benchmark scenario: the same scenarios, on the same
//! bytes, as the instruction-count bench (`benches/instructions.rs`).
//!
//! ```sh
//! cargo bench -p callkit-engine-benches --bench wall
//! cargo bench -p callkit-engine-benches --bench wall -- push/   # one group
//! ```
//!
//! Set-up (driving the engine to the state before the event, building the baseline's
//! registry) runs outside the timed loop (`iter_batched_ref`); one iteration is one
//! `Run::run`: the event and the drop of its output. Wall time on a shared machine is
//! noisy: the instruction counts are the authority, this is the sanity check.

use std::time::Duration;

use callkit_engine_benches::{scenario, SCENARIOS};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn all(c: &mut Criterion) {
    for name in SCENARIOS
        .iter()
        .filter(|n| **n != "empty" && !n.starts_with("live4/"))
    {
        c.bench_function(name, |b| {
            b.iter_batched_ref(|| scenario(name), |run| run.run(), BatchSize::SmallInput)
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = all
}
criterion_main!(benches);
