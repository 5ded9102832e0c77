//! The budgets of docs/performance.md, checked: exits non-zero when one is missed.
//!
//! ```sh
//! cargo bench -p callkit-engine-benches --bench budgets
//! ```
//!
//! Instruction counts: every scenario of the benches library runs in a process of its
//! own (on a fresh thread, so that where its stack and heap lie does not depend on the
//! build path) under `valgrind --tool=callgrind --toggle-collect=callkit_bench_region`, which
//! counts only the instructions executed inside [`callkit_bench_region`] (the one
//! measured step; set-up and a warm-up run of the same step happen outside it). The
//! `empty` scenario's count (the call into the region itself) is subtracted. Needs
//! valgrind; without it the instruction budgets are skipped with a message and only the
//! size budgets are checked.
//!
//! Also checked: `size_of` the default engine and of one step's effects, and (unless
//! `CALLKIT_BUDGETS_SKIP_TEXT=1`) the release `.text` of the engine in a `#![no_std]`
//! executable (`benches/text-size.sh`, opt-level "z", LTO, panic=abort). The worst-case
//! stack of one `handle` call is measured (a painted thread stack) and reported, not
//! budgeted.
//!
//! `-- --only-instructions` skips the `.text` build and the stack measurement.
//!
//! `-- --markdown` prints, after the usual output, the figures of the run as the
//! markdown tables of docs/performance.md and the cost sentence of the README, between
//! `<!-- figures:NAME:begin -->` / `<!-- figures:NAME:end -->` lines;
//! `scripts/bench-figures.sh` runs it and writes them into both files.

use std::process::{Command, ExitCode};

use callkit_engine::limits::DEFAULT_MAX_EFFECTS;
use callkit_engine::{Effects, Engine};
use callkit_engine_benches::{scenario, Run, SCENARIOS};

/// Budget: push -> report for the Apple-docs payload, at most this fraction of the
/// `serde_json::Value` baseline on the same bytes.
const PUSH_VS_VALUE: f64 = 0.5;
/// Budget: any non-push event with 4 live calls, under this many instructions.
const NON_PUSH_LIMIT: u64 = 1_000;
/// Budget: an action with 16 live calls at most this many times the cost with 1.
const GROWTH_LIMIT: f64 = 2.0;
/// Budget: `size_of::<Engine>()` with default capacities.
const ENGINE_SIZE_LIMIT: usize = 4096;
/// Budget: `size_of::<Effects<DEFAULT_MAX_EFFECTS>>()`.
const EFFECTS_SIZE_LIMIT: usize = 2048;
/// Budget: release `.text` of the engine in a no_std executable.
const TEXT_LIMIT: u64 = 64 * 1024;

/// The measured region: callgrind counts only what runs between entering and leaving
/// this function (`--toggle-collect`).
#[no_mangle]
#[inline(never)]
pub fn callkit_bench_region(run: &mut dyn Run) {
    run.run();
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--measure") {
        let name = args.get(i + 1).expect("--measure NAME").clone();
        // On a thread of its own, whose stack and malloc arena start out the same
        // whatever the program's path, arguments and environment (those shift the main
        // thread's stack and fill its heap first): `memcmp`, `memcpy` and `malloc` take
        // paths that depend on addresses, so the count would otherwise move with the
        // build path.
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                // Warm-up on an identical copy, outside the region: first-use costs (lazy
                // statics, thread-locals, allocator arenas) are not the step's.
                scenario(&name).run();
                let mut run = scenario(&name);
                callkit_bench_region(&mut *run);
            })
            .expect("spawn")
            .join()
            .expect("measured thread");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--stack") {
        print_stack();
        return ExitCode::SUCCESS;
    }
    let only_instructions = args.iter().any(|a| a == "--only-instructions");
    let markdown = args.iter().any(|a| a == "--markdown");
    let mut report = Report::default();

    check_sizes(&mut report);
    match measure_all() {
        Some(counts) => {
            check_instructions(&counts, &mut report);
            report.counts = counts;
        }
        None => println!(
            "budgets: valgrind not found: instruction budgets SKIPPED (install valgrind to check them)"
        ),
    }
    if !only_instructions {
        if std::env::var_os("CALLKIT_BUDGETS_SKIP_TEXT").is_some() {
            println!("budgets: .text SKIPPED (CALLKIT_BUDGETS_SKIP_TEXT set)");
        } else {
            check_text(&mut report);
        }
        // The stack is measured in a child process so the painted thread starts clean.
        let exe = std::env::current_exe().expect("own path");
        match Command::new(exe).arg("--stack").output() {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout);
                print!("{text}");
                report.stack = parse_stack(&text);
            }
            _ => println!("budgets: stack measurement failed (reported only, not a budget)"),
        }
    }

    println!();
    let missed = &report.missed;
    let code = if missed.is_empty() {
        println!("budgets: all held");
        ExitCode::SUCCESS
    } else {
        println!("budgets: MISSED:");
        for m in missed {
            println!("  - {m}");
        }
        ExitCode::FAILURE
    };
    if markdown {
        print_markdown(&report);
    }
    code
}

/// What one run measured, for the summary and `--markdown`.
#[derive(Default)]
struct Report {
    /// One line per missed budget.
    missed: Vec<String>,
    /// (budget, measured, held) per budget checked, in order.
    budgets: Vec<(String, String, bool)>,
    /// Net instruction count per scenario (empty without valgrind).
    counts: Vec<(&'static str, u64)>,
    /// Stack bytes per scenario (empty with `--only-instructions`).
    stack: Vec<(String, usize)>,
}

/// Prints `line` and the verdict on `ok`; records the budget (`what`, `measured`) for the
/// markdown table; a missed budget adds `miss()` to the missed list.
fn budget(
    report: &mut Report,
    ok: bool,
    line: String,
    (what, measured): (String, String),
    miss: impl FnOnce() -> String,
) {
    println!("{line}: {}", verdict(ok));
    report.budgets.push((what, measured, ok));
    if !ok {
        report.missed.push(miss());
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "held"
    } else {
        "MISSED"
    }
}

fn check_sizes(report: &mut Report) {
    let engine = core::mem::size_of::<Engine>();
    let effects = core::mem::size_of::<Effects<DEFAULT_MAX_EFFECTS>>();
    println!("== sizes");
    for (what, size, limit) in [
        (
            "size_of::<Engine>() (4 calls, 8 pushes)",
            engine,
            ENGINE_SIZE_LIMIT,
        ),
        (
            "size_of::<Effects<32>>() (one step)",
            effects,
            EFFECTS_SIZE_LIMIT,
        ),
    ] {
        budget(
            report,
            size <= limit,
            format!("  {what}: {size} bytes (budget {limit})"),
            (
                match what.split_once(" (") {
                    Some((code, rest)) => {
                        format!("`{code}` ({rest} at most {} bytes", thousands(limit as u64))
                    }
                    None => format!("`{what}` at most {} bytes", thousands(limit as u64)),
                },
                format!("{} bytes", thousands(size as u64)),
            ),
            || format!("{what}: {size} > {limit} bytes"),
        );
    }
}

/// Net instruction count of every scenario, or `None` without valgrind.
fn measure_all() -> Option<Vec<(&'static str, u64)>> {
    let found = Command::new("valgrind").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let exe = std::env::current_exe().expect("own path");
    let dir = std::env::temp_dir().join(format!("callkit-budgets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut raw = Vec::new();
    for (i, name) in SCENARIOS.iter().enumerate() {
        let out = dir.join(format!("callgrind.{i}.out"));
        let output = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg("--collect-atstart=no")
            .arg("--toggle-collect=callkit_bench_region")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(&exe)
            .arg("--measure")
            .arg(name)
            .output()
            .expect("run valgrind");
        assert!(
            output.status.success(),
            "{name}: valgrind run failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = std::fs::read_to_string(&out).expect("callgrind output");
        let total = text
            .lines()
            .find_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{name}: no totals in {}", out.display()));
        raw.push((*name, total));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let empty = raw
        .iter()
        .find(|(n, _)| *n == "empty")
        .map_or(0, |(_, c)| *c);
    println!("== instructions (callgrind Ir, region overhead of {empty} subtracted)");
    let counts: Vec<(&'static str, u64)> = raw
        .into_iter()
        .filter(|(n, _)| *n != "empty")
        .map(|(n, c)| (n, c.saturating_sub(empty)))
        .collect();
    for (name, count) in &counts {
        println!("  {count:>9}  {name}");
    }
    Some(counts)
}

fn count(counts: &[(&str, u64)], name: &str) -> u64 {
    counts
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .unwrap_or_else(|| panic!("no count for {name}"))
}

fn check_instructions(counts: &[(&str, u64)], report: &mut Report) {
    println!("== instruction budgets");
    // Push -> report, Apple-docs payload.
    let ours = count(counts, "push/apple-docs/engine");
    let value = count(counts, "push/apple-docs/serde-value");
    let typed = count(counts, "push/apple-docs/serde-typed");
    let limit = (value as f64 * PUSH_VS_VALUE) as u64;
    // (limit, baseline the ratio is of, the limit as printed, the baseline as missed,
    // the budget and the measurement as tabled)
    let push_budgets = [
        (
            limit,
            value,
            format!("{PUSH_VS_VALUE} x serde_json::Value {value} = {limit}"),
            format!("half of Value baseline {value}"),
            format!(
                "push -> report, Apple-docs payload, at most {PUSH_VS_VALUE} x the `serde_json::Value` baseline"
            ),
            format!(
                "{} vs {PUSH_VS_VALUE} x {} = {} ({:.2}x the baseline)",
                thousands(ours),
                thousands(value),
                thousands(limit),
                ours as f64 / value as f64
            ),
        ),
        (
            typed,
            typed,
            format!("typed serde_json + HashMap {typed}"),
            format!("typed baseline {typed}"),
            "push -> report, Apple-docs payload, at most the typed `serde_json` + `HashMap` baseline"
                .to_string(),
            format!(
                "{} vs {} ({:.2}x)",
                thousands(ours),
                thousands(typed),
                ours as f64 / typed as f64
            ),
        ),
    ];
    for (limit, baseline, shown, miss, what, measured) in push_budgets {
        budget(
            report,
            ours <= limit,
            format!(
                "  push->report (apple-docs) {ours} <= {shown} ({:.2}x)",
                ours as f64 / baseline as f64,
            ),
            (what, measured),
            || format!("push->report {ours} > {miss}"),
        );
    }

    // Every non-push event with 4 live calls.
    let non_push: Vec<(&str, u64)> = counts
        .iter()
        .filter(|(n, _)| {
            (n.starts_with("live4/") && *n != "live4/push")
                || n.starts_with("action/") && n.ends_with("/4")
                || *n == "reset/full"
        })
        .map(|(n, c)| (*n, *c))
        .collect();
    let (worst_name, worst) = non_push
        .iter()
        .copied()
        .max_by_key(|(_, c)| *c)
        .expect("non-push scenarios");
    let over: Vec<String> = non_push
        .iter()
        .filter(|(_, c)| *c >= NON_PUSH_LIMIT)
        .map(|(n, c)| format!("{n} = {c}"))
        .collect();
    println!(
        "  non-push events, 4 live calls: {} events, worst {worst} ({worst_name}) < {NON_PUSH_LIMIT}: {}",
        non_push.len(),
        verdict(over.is_empty())
    );
    report.budgets.push((
        format!(
            "every non-push event with 4 live calls under {} instructions",
            thousands(NON_PUSH_LIMIT)
        ),
        format!(
            "{} events, worst {} (`{worst_name}`)",
            non_push.len(),
            thousands(worst)
        ),
        over.is_empty(),
    ));
    for o in over {
        report.missed.push(format!(
            "non-push event with 4 live calls >= {NON_PUSH_LIMIT}: {o}"
        ));
    }

    // Growth with the number of live calls.
    for action in ["answer", "end-oldest", "mute"] {
        let one = count(counts, &format!("action/{action}/1"));
        let four = count(counts, &format!("action/{action}/4"));
        let sixteen = count(counts, &format!("action/{action}/16"));
        let ratio = sixteen as f64 / one as f64;
        budget(
            report,
            ratio <= GROWTH_LIMIT,
            format!(
                "  growth, {action}: 1 call {one}, 4 calls {four}, 16 calls {sixteen}: {ratio:.2}x <= {GROWTH_LIMIT}x"
            ),
            (
                format!("{action} with 16 live calls at most {GROWTH_LIMIT}x the cost with 1"),
                format!("1 / 4 / 16 calls: {one} / {four} / {sixteen} ({ratio:.2}x)"),
            ),
            || format!("growth of {action}: 16 calls {sixteen} is {ratio:.2}x 1 call {one}"),
        );
    }
}

fn check_text(report: &mut Report) {
    println!("== release .text (benches/text-size.sh)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/text-size.sh");
    let output = Command::new("bash").arg(script).arg("z").output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            println!("{}", String::from_utf8_lossy(&o.stderr));
            report.missed.push("text-size.sh failed".into());
            return;
        }
        Err(e) => {
            report
                .missed
                .push(format!("text-size.sh could not run: {e}"));
            return;
        }
    };
    let text = String::from_utf8_lossy(&output.stdout);
    print!("{text}");
    let engine_text = text
        .lines()
        .find_map(|l| l.strip_prefix("engine .text bytes: "))
        .and_then(|v| v.trim().parse::<u64>().ok());
    match engine_text {
        Some(bytes) => {
            budget(
                report,
                bytes <= TEXT_LIMIT,
                format!(
                    "  engine .text {bytes} bytes ({:.1} KiB) <= {} KiB",
                    bytes as f64 / 1024.0,
                    TEXT_LIMIT / 1024,
                ),
                (
                    format!(
                        "release `.text` of the engine in a `no_std` executable (opt-level \"z\") at most {} KiB",
                        TEXT_LIMIT / 1024
                    ),
                    format!(
                        "{} bytes ({:.1} KiB)",
                        thousands(bytes),
                        bytes as f64 / 1024.0
                    ),
                ),
                || format!(".text {bytes} > {TEXT_LIMIT} bytes"),
            );
        }
        None => report
            .missed
            .push("text-size.sh printed no engine .text".into()),
    }
}

// --------------------------------------------------------------------- markdown

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `  {bytes}  {name}` lines of `--stack`.
fn parse_stack(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let bytes = words.next()?.parse().ok()?;
            let name = words.next()?;
            words.next().is_none().then(|| (name.to_string(), bytes))
        })
        .collect()
}

/// The figures of this run as docs/performance.md's tables and the README's sentence.
fn print_markdown(report: &Report) {
    let get = |name: &str| {
        report
            .counts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c)
    };
    println!();
    println!("<!-- figures:push:begin -->");
    println!("| payload | engine | typed `serde_json` + `HashMap` | `serde_json::Value` | engine / typed | engine / `Value` |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (class, label) in [
        ("apple-docs", "Apple docs, 75 B"),
        ("flutter", "flutter full, 374 B"),
        ("limit", "at the limit, 5,120 B"),
    ] {
        let (Some(ours), Some(typed), Some(value)) = (
            get(&format!("push/{class}/engine")),
            get(&format!("push/{class}/serde-typed")),
            get(&format!("push/{class}/serde-value")),
        ) else {
            continue;
        };
        println!(
            "| {label} | {} | {} | {} | {:.2}x | {:.2}x |",
            thousands(ours),
            thousands(typed),
            thousands(value),
            ours as f64 / typed as f64,
            ours as f64 / value as f64,
        );
    }
    println!("<!-- figures:push:end -->");

    println!();
    println!("<!-- figures:budgets:begin -->");
    println!("| budget | measured | verdict |");
    println!("| --- | --- | --- |");
    for (what, measured, ok) in &report.budgets {
        let verdict = if *ok { "held" } else { "**missed**" };
        println!("| {what} | {measured} | {verdict} |");
    }
    println!("<!-- figures:budgets:end -->");

    println!();
    println!("<!-- figures:scenarios:begin -->");
    println!("| scenario | instructions | stack (bytes) |");
    println!("| --- | ---: | ---: |");
    let stack = |name: &str| {
        report
            .stack
            .iter()
            .find(|(n, _)| n == name)
            .map_or("-".to_string(), |(_, b)| thousands(*b as u64))
    };
    for (name, count) in &report.counts {
        println!("| `{name}` | {} | {} |", thousands(*count), stack(name));
    }
    for (name, _) in &report.stack {
        if !report.counts.iter().any(|(n, _)| n == name) {
            println!("| `{name}` | - | {} |", stack(name));
        }
    }
    println!("<!-- figures:scenarios:end -->");

    if let (Some(ours), Some(typed)) = (
        get("push/apple-docs/engine"),
        get("push/apple-docs/serde-typed"),
    ) {
        let worst = report
            .counts
            .iter()
            .filter(|(n, _)| {
                (n.starts_with("live4/") && *n != "live4/push")
                    || n.starts_with("action/") && n.ends_with("/4")
                    || *n == "reset/full"
            })
            .map(|(_, c)| *c)
            .max()
            .unwrap_or(0);
        println!();
        println!("<!-- figures:readme:begin -->");
        println!(
            "Cost ([docs/performance.md](https://docs.rs/crate/callkit-engine/latest/source/docs/performance.md),\n\
             callgrind instruction counts, `cargo bench -p callkit-engine-benches --bench budgets`): a\n\
             push from Apple's 75-byte payload to `reportNewIncomingCall` takes {} instructions,\n\
             {:.2}x the typed `serde_json` + `HashMap` way on the same bytes; every other event at\n\
             most {} with four live calls; no allocation, ever.",
            thousands(ours),
            ours as f64 / typed as f64,
            thousands(worst),
        );
        println!("<!-- figures:readme:end -->");
    }
}

// ------------------------------------------------------------------------ stack

/// Bytes painted below the measuring frame.
const PAINT_LEN: usize = 256 * 1024;
/// Gap left between the painting frame and the painted area.
const PAINT_GAP: usize = 512;
const PAINT: u64 = 0x5a5a_5a5a_5a5a_5a5a;

/// The address of a local: the current stack depth, give or take a frame.
#[inline(never)]
fn stack_here() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Paints `PAINT_LEN` bytes of the (unused, mapped) stack below the caller; returns the
/// top of the painted area.
#[inline(never)]
fn paint() -> usize {
    let top = (stack_here() - PAINT_GAP) & !7;
    let bottom = top - PAINT_LEN;
    let mut a = bottom;
    while a < top {
        // SAFETY: [bottom, top) lies inside this thread's stack (spawned with a stack
        // well over PAINT_LEN + the frames above), below every live frame, and is not
        // in use by anything else at this point.
        unsafe { (a as *mut u64).write_volatile(PAINT) };
        a += 8;
    }
    top
}

/// The lowest address below `top` whose paint was overwritten.
#[inline(never)]
fn lowest_touched(top: usize) -> usize {
    let mut a = top - PAINT_LEN;
    while a < top {
        // SAFETY: as in `paint`; the area is mapped and only read here.
        if unsafe { (a as *const u64).read_volatile() } != PAINT {
            return a;
        }
        a += 8;
    }
    top
}

/// The stack one step uses: painted, run, scanned; on a fresh 1 MiB thread.
fn stack_of(name: &'static str) -> usize {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            let mut run = scenario(name);
            let top = paint();
            let from = stack_here();
            callkit_bench_region(&mut *run);
            let low = lowest_touched(top);
            from.saturating_sub(low)
        })
        .expect("spawn")
        .join()
        .expect("join")
}

fn print_stack() {
    println!("== stack of one handle call (painted 1 MiB thread stack, release build)");
    let empty = stack_of("empty");
    let mut worst = ("", 0);
    let mut names: Vec<&'static str> = SCENARIOS
        .iter()
        .copied()
        .filter(|n| !n.contains("serde") && *n != "empty")
        .collect();
    names.push("stack/push-deepest");
    for name in names {
        let used = stack_of(name).saturating_sub(empty);
        if used > worst.1 {
            worst = (name, used);
        }
        println!("  {used:>7}  {name}");
    }
    println!(
        "  worst-case stack of one handle call: {} bytes ({}), empty-region overhead {empty} subtracted",
        worst.1, worst.0
    );
}
