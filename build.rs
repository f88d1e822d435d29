//! Selects the pppd ABI at build time and provides the pppd bindings for it.
//!
//! `PPPD_VERSION` (default `2.4.7`) is the exact pppd version the plugin is for:
//! it becomes the `pppd_version` string pppd compares at load time, and picks
//! the header set in `pppd-headers/`: 2.4.7 and 2.4.8 use `2.4.7/`, 2.4.9 uses
//! `2.4.9/`, 2.5.0-2.5.x use `2.5/`. The Rust declarations of that set are
//! committed in `src/pppd/generated/pppd-<abi>.rs`; with the `bindgen`
//! feature they are generated from it instead (needs libclang).

use std::env;
use std::fs;
use std::path::PathBuf;

fn abi_for(version: &str) -> Option<&'static str> {
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    match (parts[0], parts[1], parts[2]) {
        ("2", "4", "7") | ("2", "4", "8") => Some("2.4.7"),
        ("2", "4", "9") => Some("2.4.9"),
        ("2", "5", _) => Some("2.5"),
        _ => None,
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=PPPD_VERSION");
    println!("cargo:rerun-if-changed=pppd-headers");
    let version = env::var("PPPD_VERSION").unwrap_or_else(|_| "2.4.7".to_string());
    let Some(abi) = abi_for(&version) else {
        panic!(
            "PPPD_VERSION={version:?} is not a supported pppd version (2.4.7, 2.4.8, 2.4.9, 2.5.x)"
        );
    };
    println!("cargo:rustc-cfg=pppd_abi=\"{abi}\"");

    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let version_rs = format!(
        "/// The pppd version this build is for (`PPPD_VERSION`).\n\
         pub(crate) const PPPD_VERSION_STR: &str = {version:?};\n\
         /// `pppd_version` as pppd compares it: NUL-terminated.\n\
         pub(crate) const PPPD_VERSION_BYTES: [u8; {n}] = *b\"{version}\\0\";\n",
        n = version.len() + 1
    );
    fs::write(out.join("version.rs"), version_rs).expect("write version.rs");

    // The pppd bindings: committed per ABI in src/pppd/generated/ (bindgen
    // needs libclang, which OpenWrt's build hosts do not have). The
    // `bindgen` feature regenerates them from pppd-headers/ instead;
    // scripts/bindings writes them back or checks that they are unchanged.
    println!("cargo:rerun-if-changed=src/pppd/generated");
    let bindings = out.join("pppd_bindings.rs");
    #[cfg(feature = "bindgen")]
    generate_bindings(abi, &bindings);
    #[cfg(not(feature = "bindgen"))]
    fs::copy(format!("src/pppd/generated/pppd-{abi}.rs"), &bindings)
        .expect("copy src/pppd/generated/pppd-<abi>.rs");

    // Only the cdylib gets the unwinder stubs: the unit-test binary links std,
    // which has the real ones.
    println!("cargo:rerun-if-changed=src/unwind_stubs.c");
    cc::Build::new()
        .file("src/unwind_stubs.c")
        .cargo_metadata(false)
        .compile("rp_pppoe_unwind_stubs");
    println!(
        "cargo:rustc-cdylib-link-arg={}",
        out.join("librp_pppoe_unwind_stubs.a").display()
    );

    // Nothing unwinds (panic = "abort", no C++ above or below us), so the
    // unwind tables (.eh_frame, about 15 KiB of a 100 KiB plugin) are dead
    // weight on a router's flash: the cdylib link discards them, with MIPS's
    // procedure descriptors (.pdr, for debuggers) and the compilers' version
    // strings (.comment), which strip leaves behind. Tests and
    // other targets of the crate keep theirs.
    let script = out.join("discard-unwind-tables.ld");
    fs::write(
        &script,
        "SECTIONS { /DISCARD/ : { *(.eh_frame) *(.eh_frame_hdr) *(.pdr) *(.comment) } }\nINSERT AFTER .text;\n",
    )
    .expect("write linker script");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-T,{}", script.display());
    println!("cargo:rustc-cdylib-link-arg=-Wl,--no-eh-frame-hdr");

    // With musl the `libc` crate (no std) links no C library by itself; name
    // it so the .so records its NEEDED entry.
    if env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("musl") {
        println!("cargo:rustc-cdylib-link-arg=-lc");
    }
}

/// bindgen over `pppd-headers/<abi>/pppd-abi.h` with an allowlist. No layout
/// tests: the output must not depend on the target (the committed files
/// serve every target); src/pppd/bindings.rs asserts the layouts for each
/// pointer width at compile time instead.
#[cfg(feature = "bindgen")]
fn generate_bindings(abi: &str, dest: &std::path::Path) {
    let header = format!("pppd-headers/{abi}/pppd-abi.h");
    bindgen::Builder::default()
        .header(header)
        .use_core()
        .ctypes_prefix("core::ffi")
        .allowlist_type("option_t|opt_type|channel|notifier|notify_func|protent|lcp_options|ccp_options_head|epdisc")
        .allowlist_type("ppp_.*_fn")
        .allowlist_var("OPT_.*|EXIT_.*|PHASE_.*|NF_.*|PPP_SYM_.*|PPPD_ABI_NAME|PPP_MAXNAMELEN|PPP_MAXPATHLEN")
        .rustified_enum("opt_type")
        .layout_tests(false)
        .derive_default(false)
        .derive_debug(false)
        .generate_comments(false)
        .generate()
        .expect("bindgen failed on pppd-headers (is libclang installed? run scripts/deps)")
        .write_to_file(dest)
        .expect("write bindings");
}
