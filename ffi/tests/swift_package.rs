//! The Swift package (Package.swift at the repository root) under `cargo test`: builds
//! it with warnings as errors and runs its tests (`scripts/swift-test.sh --werror
//! test`), the golden-vector conformance test among them, whenever a Swift toolchain
//! is found: `swift` on PATH, or the trixie root that `scripts/swift-toolchain.sh
//! ensure` makes. This test never makes the root. With no toolchain when the crate was
//! built (ffi/build.rs asks `scripts/swift-toolchain.sh available`) the test is
//! `#[ignore]`d with its reason, so `cargo test` lists it as ignored; one that vanished
//! since skips with a message. `CK_REQUIRE_SWIFT=1` (set by .ci/run when CI=true) turns a
//! missing toolchain into a failure instead.

use std::path::PathBuf;
use std::process::Command;

fn workspace_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("ffi/ has a parent")
        .to_path_buf()
}

fn require_swift() -> bool {
    std::env::var_os("CK_REQUIRE_SWIFT").is_some_and(|v| v == "1")
}

#[test]
#[cfg_attr(
    ck_no_swift_toolchain,
    ignore = "no usable Swift toolchain (`scripts/swift-toolchain.sh available` says why; \
              make one with `scripts/swift-toolchain.sh ensure`)"
)]
fn swift_package_builds_without_warnings_and_its_tests_pass() {
    let root = workspace_dir();
    let available = Command::new("bash")
        .arg(root.join("scripts/swift-toolchain.sh"))
        .arg("available")
        .output()
        .expect("bash runs scripts/swift-toolchain.sh");
    let which = String::from_utf8_lossy(&available.stdout)
        .trim()
        .to_string();
    if !available.status.success() {
        let message = format!(
            "no Swift toolchain ({which}); make one with `scripts/swift-toolchain.sh ensure`"
        );
        assert!(!require_swift(), "CK_REQUIRE_SWIFT=1: {message}");
        eprintln!("skipping the Swift package tests: {message}");
        return;
    }
    eprintln!("Swift toolchain: {which}");
    let out = Command::new("bash")
        .arg(root.join("scripts/swift-test.sh"))
        .args(["--werror", "test"])
        .current_dir(&root)
        .output()
        .expect("bash runs scripts/swift-test.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        println!("{stdout}");
        eprintln!("{stderr}");
        panic!(
            "the Swift package failed ({}): see the output above",
            out.status
        );
    }
    // XCTest prints one summary per suite; the last "Executed" line is the total.
    let summary = stdout
        .lines()
        .chain(stderr.lines())
        .rfind(|l| l.contains("Executed"))
        .unwrap_or("no XCTest summary");
    eprintln!("Swift package: {}", summary.trim());
    assert!(
        summary.contains("with 0 failures"),
        "XCTest summary: {summary}"
    );
}
