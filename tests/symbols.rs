//! Builds the plugin for each pppd ABI and checks its dynamic symbols:
//! exactly `pppd_version` and `plugin_init` exported, only C-library
//! functions imported (every pppd symbol is looked up at run time, so none
//! can make pppd's `dlopen(RTLD_NOW)` fail, e.g. OpenWrt's missing
//! `new_style_driver`), only libc.so.6 needed, and `pppd_version` equal to
//! the target version. Then loads the plugin outside pppd and checks that
//! `plugin_init` reports the missing pppd symbols and exits 2 (no crash).

use std::path::{Path, PathBuf};
use std::process::Command;

/// C-library functions the plugin may import (glibc names).
const ALLOWED_IMPORTS: &[&str] = &[
    "__errno_location",
    "__xpg_strerror_r",
    "abort",
    "bcmp",
    "bind",
    "calloc",
    "clock_gettime",
    "close",
    "connect",
    "dlsym",
    "exit",
    "free",
    "getpid",
    "getsockopt",
    "ioctl",
    "malloc",
    "memcmp",
    "memcpy",
    "memmove",
    "memset",
    "poll",
    "posix_memalign",
    "realloc",
    "recv",
    "rename",
    "send",
    "setsockopt",
    "socket",
    "strlen",
    "syslog",
    "nanosleep",
    "mkdir",
    "opendir",
    "readdir",
    "readdir64",
    "closedir",
    "write",
    "open",
    "read",
    "fsync",
    "unlink",
    "kill",
    "flock",
    "fstat",
    "ftruncate",
    "geteuid",
    "lseek",
    "openat",
    "renameat",
    "unlinkat",
    // a raw clock_gettime64 syscall on 32-bit targets (time after 2038)
    "syscall",
    // weak references from the C runtime's crt files
    "_ITM_deregisterTMCloneTable",
    "_ITM_registerTMCloneTable",
    "__cxa_finalize",
    "__gmon_start__",
];

fn build(version: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = root.join("target").join(format!("pppd-{version}"));
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--target-dir"])
        .arg(&target_dir)
        .current_dir(root)
        .env("PPPD_VERSION", version)
        .status()
        .expect("run cargo");
    assert!(status.success(), "build for pppd {version} failed");
    target_dir.join("release/librp_pppoe.so")
}

fn nm(so: &Path, flag: &str) -> Vec<(String, String)> {
    let out = Command::new("nm")
        .args(["-D", flag])
        .arg(so)
        .output()
        .expect("nm (binutils)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (kind, name) = (f.get(f.len().checked_sub(2)?)?, f.last()?);
            Some((kind.to_string(), name.split('@').next()?.to_string()))
        })
        .collect()
}

fn check(version: &str) {
    let so = build(version);
    let mut exported: Vec<String> = nm(&so, "--defined-only")
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    exported.sort();
    assert_eq!(
        exported,
        ["plugin_init", "pppd_version"],
        "pppd {version}: exports"
    );

    for (kind, name) in nm(&so, "--undefined-only") {
        assert!(
            ALLOWED_IMPORTS.contains(&name.as_str()),
            "pppd {version}: unexpected import {name} ({kind})"
        );
    }

    let out = Command::new("readelf")
        .arg("-d")
        .arg(&so)
        .output()
        .expect("readelf");
    let needed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .map(|l| {
            l.split('[')
                .nth(1)
                .unwrap_or("")
                .trim_end_matches(']')
                .to_string()
        })
        .collect();
    assert_eq!(needed, ["libc.so.6"], "pppd {version}: needed libraries");

    // Load it outside pppd: pppd_version must read as the version, and
    // plugin_init must fail cleanly (exit 2, a message) as no pppd is there.
    let script = r#"
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
v = (ctypes.c_char * 16).in_dll(lib, "pppd_version").value.decode()
print("VERSION=" + v, flush=True)
lib.plugin_init()
print("RETURNED", flush=True)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&so)
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains(&format!("VERSION={version}\n")),
        "pppd {version}: {stdout}"
    );
    assert!(
        !stdout.contains("RETURNED"),
        "plugin_init returned without pppd"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "pppd {version}: stderr {stderr}"
    );
    assert!(
        stderr.contains("this pppd lacks"),
        "pppd {version}: stderr {stderr}"
    );
}

#[test]
fn symbols_pppd_2_4_7() {
    check("2.4.7");
}

#[test]
fn symbols_pppd_2_4_9() {
    check("2.4.9");
}

#[test]
fn symbols_pppd_2_5_2() {
    check("2.5.2");
}
