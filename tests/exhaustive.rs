//! Exhaustive exploration: a breadth-first search over every sequence of abstract events
//! up to a bounded depth (2 call ids, 2 push ids, 2 action ids, every event kind, time
//! ticks and jumps to the next deadline), deduplicating engine states, with the
//! invariant checker (I1-I10) watching every step of every path.
//!
//! `cargo test --test exhaustive` runs the CI depth; `EXHAUSTIVE_DEPTH=6 cargo test
//! --release --test exhaustive -- --nocapture` a deeper one (docs/testing.md has the
//! recorded runs).

mod common;

use std::collections::HashSet;
use std::time::Instant as Clock;

use callkit_engine::limits::effects_needed;
use common::{alphabet, config, corpus, Abs, Outcome, Runner};

/// Depth explored by `cargo test` (fits in well under a minute in the debug profile).
const CI_DEPTH: usize = 4;

struct Stats {
    states: usize,
    transitions: usize,
    depth: usize,
    violations: Vec<(Vec<Abs>, Vec<String>)>,
}

fn depth() -> usize {
    std::env::var("EXHAUSTIVE_DEPTH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CI_DEPTH)
}

fn explore<const C: usize, const P: usize, const E: usize>(max_depth: usize) -> Stats {
    let letters = alphabet(2, 2, 2);
    let corpus = corpus();
    let root: Runner<C, P, E> = Runner::new(config());
    let mut seen = HashSet::new();
    seen.insert(root.key());
    let mut frontier: Vec<Vec<u8>> = vec![Vec::new()];
    let mut stats = Stats {
        states: 1,
        transitions: 0,
        depth: 0,
        violations: Vec::new(),
    };
    for level in 1..=max_depth {
        let mut next = Vec::new();
        for path in &frontier {
            // Rebuild the state by replaying its path (cheaper in memory than keeping it).
            let mut parent: Runner<C, P, E> = Runner::new(config());
            for &i in path {
                parent.apply(letters[usize::from(i)], &corpus);
            }
            for (i, &letter) in letters.iter().enumerate() {
                let mut r = parent.clone();
                let outcome = r.apply(letter, &corpus);
                if matches!(outcome, Outcome::NoStep) && r.harness.now == parent.harness.now {
                    continue;
                }
                stats.transitions += 1;
                if r.harness.checker.violations().len() > parent.harness.checker.violations().len()
                {
                    let mut p: Vec<Abs> = path.iter().map(|&i| letters[usize::from(i)]).collect();
                    p.push(letter);
                    let new = r.harness.checker.violations()
                        [parent.harness.checker.violations().len()..]
                        .to_vec();
                    stats.violations.push((p, new));
                    continue;
                }
                if seen.insert(r.key()) {
                    stats.states += 1;
                    let mut p = path.clone();
                    p.push(i as u8);
                    next.push(p);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        stats.depth = level;
        frontier = next;
    }
    stats
}

fn report(name: &str, stats: &Stats, took: f64) {
    println!(
        "{name}: depth {}, {} distinct states, {} transitions, {:.1} s",
        stats.depth, stats.states, stats.transitions, took
    );
    let mut shown = HashSet::new();
    let mut text = String::new();
    for (path, violations) in &stats.violations {
        // One example per distinct first message shape.
        let shape: String = violations[0]
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        if shown.insert(shape) {
            text.push_str(&format!("{path:?}\n  {violations:#?}\n"));
        }
    }
    assert!(
        stats.violations.is_empty(),
        "{name}: {} paths broke an invariant; one example per kind:\n{text}",
        stats.violations.len()
    );
}

/// Two call slots and two push slots: grouping, holding and two calls at once.
#[test]
fn every_sequence_up_to_the_depth_keeps_the_invariants_with_two_call_slots() {
    let start = Clock::now();
    let stats = explore::<2, 2, { effects_needed(2, 2) }>(depth());
    report("2 calls, 2 pushes", &stats, start.elapsed().as_secs_f64());
}

/// One call slot and one push slot: the busy path and the push-table overflow.
#[test]
fn every_sequence_up_to_the_depth_keeps_the_invariants_at_full_capacity() {
    let start = Clock::now();
    let stats = explore::<1, 1, { effects_needed(1, 1) }>(depth());
    report("1 call, 1 push", &stats, start.elapsed().as_secs_f64());
}
