//! Replays a call trace (JSON lines, see `testkit/src/trace.rs` for the format) through
//! the engine and prints what the host would do, step by step.
//!
//! ```text
//! cargo run --example replay -- tests/traces/twilio-call-then-cancel.jsonl
//! ```
//!
//! Exit status: 0 when the PushKit rule held, 1 when the rule checker found a violation,
//! 2 when the trace file could not be read or run.
//!
//! This is a development tool: it prints payload bytes, handles and caller names in clear.

use std::process::ExitCode;

use callkit_engine_testkit::trace::{load_trace, run_trace};

#[path = "../tests/support/render.rs"]
mod render;
use render::{render_summary, render_timeline};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: cargo run --example replay -- <trace.jsonl>");
        return ExitCode::from(2);
    };
    let trace = match load_trace(&path) {
        Ok(trace) => trace,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = match run_trace(&trace) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let c = &trace.config;
    println!(
        "Trace {path}: schema {}, ring time-out {} ms, push completion {} ms, answer-connect {} ms, start-connect {} ms, no-answer {} ms, audio activation {} ms, video {}",
        trace.schema_name,
        c.ring_timeout_ms,
        c.push_completion_timeout_ms,
        c.answer_connect_timeout_ms,
        c.start_connect_timeout_ms,
        c.no_answer_timeout_ms,
        c.audio_activation_timeout_ms,
        if c.provider.supports_video { "on" } else { "off" },
    );
    println!();
    print!("{}", render_timeline(&outcome));
    println!();
    print!("{}", render_summary(&outcome));
    if outcome.violations.is_empty() {
        println!(
            "OK: every push was reported in its own step (or, under mustReport false, completed in it) and completed once."
        );
        ExitCode::SUCCESS
    } else {
        println!("FAIL: the PushKit rule broke; iOS would kill this app.");
        ExitCode::from(1)
    }
}
