//! Decides whether `tests/swift_package.rs` runs. With no usable Swift toolchain
//! (`scripts/swift-toolchain.sh available` fails) and `CK_REQUIRE_SWIFT` not `1`, it sets
//! `cfg(ck_no_swift_toolchain)`, which marks the Swift suite `#[ignore]` with its reason,
//! so `cargo test` lists it as ignored instead of passed. Nothing else reads the cfg.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ck_no_swift_toolchain)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../scripts/swift-toolchain.sh");
    for var in [
        "PATH",
        "CK_SWIFT_ROOT",
        "CK_SWIFT_USE_ROOT",
        "CK_REQUIRE_SWIFT",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    // The trixie root's swift: made or removed, the answer changes. (A missing file makes
    // cargo rerun this script on every build, which is what is wanted until it exists.)
    let root = std::env::var_os("CK_SWIFT_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/callkit-engine/swift-trixie"));
    println!(
        "cargo::rerun-if-changed={}",
        root.join("usr/libexec/swift/bin/swift").display()
    );

    let required = std::env::var_os("CK_REQUIRE_SWIFT").is_some_and(|v| v == "1");
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let available = Command::new("bash")
        .arg(manifest_dir.join("../scripts/swift-toolchain.sh"))
        .arg("available")
        .output()
        .is_ok_and(|out| out.status.success());
    if !available && !required {
        println!("cargo::rustc-cfg=ck_no_swift_toolchain");
    }
}
