//! Builds the C programs in `ffi/tests/` against the static library with
//! `gcc -std=c11 -Wall -Wextra -Werror -pedantic` (the C++ one with g++ -std=c++17) and
//! runs each under `valgrind --error-exitcode=1 --leak-check=full`.
//!
//! Also checks that the header compiles alone as C11 and as C++17, that every C name
//! in it starts with `ck_` / `CK_`, that every function it declares is called by at
//! least one C program, and (when cbindgen 0.29 is installed) that it is fresh.
//!
//! Missing tools skip their part with a message: no gcc skips everything, no valgrind
//! runs the programs directly. `CK_FFI_REQUIRE_VALGRIND=1` (set by .ci/steps/50-ffi.sh)
//! turns a missing gcc, g++ or valgrind into a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// (source, arguments: `true` when the program takes the payload directory).
const PROGRAMS: [(&str, bool); 13] = [
    ("incoming_apple_docs.c", true),
    ("outgoing_call.c", false),
    ("outgoing_bounds.c", false),
    ("translation.c", false),
    ("malformed_push.c", true),
    ("reset.c", true),
    ("abi_checks.c", false),
    ("next_due_timer.c", false),
    ("hold_ringback_audio.c", false),
    ("late_details.c", false),
    ("call_sources.c", false),
    ("cpp_compat.cpp", false),
    ("log_callback.c", true),
];

fn ffi_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workspace_dir() -> PathBuf {
    ffi_dir().parent().expect("ffi/ has a parent").to_path_buf()
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_dir().join(dir)
            }
        }
        None => workspace_dir().join("target"),
    }
}

fn require_tools() -> bool {
    std::env::var_os("CK_FFI_REQUIRE_VALGRIND").is_some_and(|v| v == "1")
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "failed ({}): {shown}", out.status);
}

/// Builds the static library (a no-op when `cargo test` already did) and returns it.
fn static_library() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo)
        .current_dir(workspace_dir())
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["build", "--quiet", "-p", "callkit-engine-ffi", "--lib"]));
    let lib = target_dir().join("debug").join("libcallkit_engine_ffi.a");
    assert!(lib.is_file(), "no static library at {}", lib.display());
    lib
}

fn header() -> PathBuf {
    ffi_dir().join("include").join("callkit_engine.h")
}

/// The function names the header declares.
fn header_functions(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("enum ck_result ck_"))
        .map(|l| {
            let rest = &l["enum ck_result ".len()..];
            rest[..rest.find('(').expect("a declaration")].to_string()
        })
        .collect()
}

#[test]
fn header_names_are_prefixed_and_every_function_is_called_from_c() {
    let text = std::fs::read_to_string(header()).expect("the committed header");
    for line in text.lines() {
        let name = if let Some(rest) = line.strip_prefix("#define ") {
            rest.split_whitespace().next()
        } else if let Some(rest) = line.strip_prefix("typedef ") {
            // A function pointer type names itself in `(*name)`.
            let pointer = rest.split_once("(*").and_then(|(_, r)| r.split_once(')'));
            pointer.map(|(name, _)| name).or_else(|| {
                rest.trim_end_matches(" {")
                    .trim_end_matches(';')
                    .split_whitespace()
                    .last()
            })
        } else if line.starts_with("} ") && !line.contains("extern") {
            line[2..].trim_end_matches(';').split_whitespace().last()
        } else if line.starts_with("  CK_") {
            line.split_whitespace().next()
        } else {
            None
        };
        if let Some(name) = name {
            let name = name.trim_start_matches('*');
            assert!(
                name.starts_with("ck_") || name.starts_with("CK_") || name == "CALLKIT_ENGINE_H",
                "unprefixed C name {name:?} in: {line}"
            );
        }
    }
    let functions = header_functions(&text);
    assert_eq!(functions.len(), 17, "functions: {functions:?}");
    let mut sources = String::new();
    for (src, _) in PROGRAMS {
        sources += &std::fs::read_to_string(ffi_dir().join("tests").join(src)).unwrap();
    }
    sources += &std::fs::read_to_string(ffi_dir().join("tests").join("ck_test.h")).unwrap();
    for f in &functions {
        assert!(sources.contains(&format!("{f}(")), "no C test calls {f}");
    }
}

#[test]
fn header_is_fresh_when_cbindgen_is_installed() {
    let version = Command::new("cbindgen").arg("--version").output();
    let Ok(version) = version else {
        println!("SKIP: cbindgen not installed (CI checks the header: .ci/steps/50-ffi.sh)");
        return;
    };
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    if !version.contains(" 0.29.") {
        println!("SKIP: {} is not cbindgen 0.29", version.trim());
        return;
    }
    let out = target_dir()
        .join("ffi-c-tests")
        .join("callkit_engine.fresh.h");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    run(Command::new("cbindgen")
        .current_dir(workspace_dir())
        .args([
            "--config",
            "ffi/cbindgen.toml",
            "--crate",
            "callkit-engine-ffi",
            "--quiet",
        ])
        .arg("--output")
        .arg(&out)
        .arg("ffi"));
    let fresh = std::fs::read_to_string(&out).unwrap();
    let committed = std::fs::read_to_string(header()).unwrap();
    assert!(
        fresh == committed,
        "ffi/include/callkit_engine.h is stale: regenerate it with cbindgen (see ffi/cbindgen.toml)"
    );
}

#[test]
fn c_programs_pass_under_valgrind() {
    let strict = require_tools();
    for tool in ["gcc", "g++"] {
        if !have(tool) {
            assert!(!strict, "{tool} is required (CK_FFI_REQUIRE_VALGRIND=1)");
            println!("SKIP: {tool} not found, the C programs were not built");
            return;
        }
    }
    let valgrind = have("valgrind");
    if !valgrind {
        assert!(!strict, "valgrind is required (CK_FFI_REQUIRE_VALGRIND=1)");
        println!("SKIP (valgrind part): valgrind not found; running the C programs directly");
    }
    let include = ffi_dir().join("include");
    let tests = ffi_dir().join("tests");
    let payloads = workspace_dir().join("tests").join("payloads");
    let out_dir = target_dir().join("ffi-c-tests");
    std::fs::create_dir_all(&out_dir).unwrap();

    // The header alone, as C11 and as C++17.
    run(Command::new("gcc")
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-fsyntax-only",
            "-x",
            "c",
        ])
        .arg(header()));
    run(Command::new("g++")
        .args([
            "-std=c++17",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-fsyntax-only",
        ])
        .args(["-x", "c++"])
        .arg(header()));

    let lib = static_library();
    for (src, takes_payloads) in PROGRAMS {
        let exe = out_dir.join(Path::new(src).file_stem().unwrap());
        let cpp = src.ends_with(".cpp");
        let mut cc = Command::new(if cpp { "g++" } else { "gcc" });
        cc.arg(if cpp { "-std=c++17" } else { "-std=c11" })
            .args(["-Wall", "-Wextra", "-Werror", "-pedantic", "-g", "-I"])
            .arg(&include)
            .arg(tests.join(src))
            .arg(&lib)
            .args(["-lpthread", "-ldl", "-lm", "-o"])
            .arg(&exe);
        run(&mut cc);

        let mut cmd = if valgrind {
            let mut c = Command::new("valgrind");
            c.args(["-q", "--error-exitcode=1", "--leak-check=full"])
                .arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        if takes_payloads {
            cmd.arg(&payloads);
        }
        println!("== {src}");
        run(&mut cmd);
    }
}

/// The README's C block ("From C"): the first ```c block, compiled as C11 with warnings
/// as errors, linked as the README says and run.
#[test]
fn the_readmes_c_host_loop_compiles_links_and_runs() {
    if !have("gcc") {
        assert!(
            !require_tools(),
            "gcc is required (CK_FFI_REQUIRE_VALGRIND=1)"
        );
        println!("SKIP: gcc not found, the README's C block was not built");
        return;
    }
    let readme = std::fs::read_to_string(workspace_dir().join("README.md")).expect("README.md");
    let start = readme.find("\n```c\n").expect("README.md has a ```c block") + "\n```c\n".len();
    let len = readme[start..]
        .find("\n```\n")
        .expect("the ```c block ends");
    let out_dir = target_dir().join("ffi-c-tests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let src = out_dir.join("readme_host_loop.c");
    std::fs::write(&src, &readme[start..=start + len]).unwrap();
    let exe = out_dir.join("readme_host_loop");
    run(Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(ffi_dir().join("include"))
        .arg(&src)
        .arg(static_library())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe));
    let out = Command::new(&exe).output().expect("runs");
    assert!(out.status.success(), "exit {}", out.status);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "report the call of push 1\ncomplete push 1\n"
    );
}
