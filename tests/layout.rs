//! Pins every pppd struct the plugin touches to the offsets in
//! docs/pppd-abi.md, for each header set in `pppd-headers/` and for
//! 64-bit and 32-bit targets of both byte orders (x86_64, aarch64, i686,
//! armv7, mips, mipsel). clang checks `tests/layout/check.c` with
//! `-fsyntax-only`, which needs no target sysroot. The Rust side repeats the
//! checks at compile time (src/pppd/bindings.rs) for the target being built.
//! Needs clang (installed by scripts/deps).

use std::path::Path;
use std::process::Command;

const TARGETS: &[&str] = &[
    "x86_64-linux-gnu",
    "aarch64-linux-gnu",
    "i686-linux-gnu",
    "armv7-linux-gnueabihf",
    "mips-linux-gnu",
    "mipsel-linux-gnu",
];

const ABIS: &[&str] = &["2.4.7", "2.4.9", "2.5"];

#[test]
fn headers_match_fact_sheet_on_64_and_32_bit_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    for abi in ABIS {
        for target in TARGETS {
            let out = Command::new("clang")
                .arg(format!("--target={target}"))
                .args([
                    "-fsyntax-only",
                    "-std=c11",
                    "-Wall",
                    "-Werror",
                    "-Wno-unused-const-variable",
                    "-ffreestanding",
                ])
                .arg("-I")
                .arg(root.join("pppd-headers").join(abi))
                .arg(root.join("tests/layout/check.c"))
                .output()
                .expect("clang not found: run scripts/deps");
            if !out.status.success() {
                failures.push(format!(
                    "{abi} {target}:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "layout mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_wrong_offset_is_caught() {
    // The check itself must be able to fail: feed it a header with one field
    // moved and expect clang to reject it.
    let dir = std::env::temp_dir().join(format!("rp-pppoe-layout-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("abi")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let common = std::fs::read_to_string(root.join("pppd-headers/common.h")).unwrap();
    let broken = common.replacen("    short priority;\n", "    int priority;\n", 1);
    assert_ne!(broken, common);
    std::fs::write(dir.join("common.h"), broken).unwrap();
    let abi = std::fs::read_to_string(root.join("pppd-headers/2.4.7/pppd-abi.h")).unwrap();
    std::fs::write(dir.join("abi/pppd-abi.h"), abi).unwrap();
    let out = Command::new("clang")
        .args([
            "--target=mipsel-linux-gnu",
            "-fsyntax-only",
            "-ffreestanding",
            "-I",
        ])
        .arg(dir.join("abi"))
        .arg(root.join("tests/layout/check.c"))
        .output()
        .expect("clang not found: run scripts/deps");
    std::fs::remove_dir_all(&dir).ok();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("option_t.winner"));
}
