//! pppoe-discovery's command line where no network is needed (no root).

use std::process::{Command, Stdio};

const TOOL: &str = env!("CARGO_BIN_EXE_pppoe-discovery");

/// A pipe whose reading end is already closed: writing to it fails with
/// EPIPE (SIGPIPE is ignored in Rust programs), as in
/// `(sleep .3; pppoe-discovery -h) | true`.
fn closed_pipe() -> std::process::ChildStdin {
    // The writing end of a process's stdin, kept after that process ended.
    let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
    let write = reader.stdin.take().unwrap();
    reader.wait().unwrap();
    write
}

#[test]
fn a_closed_stdout_ends_the_tool_quietly() {
    for args in [&["-h"][..], &["-V"], &["--help"]] {
        let out = Command::new(TOOL)
            .args(args)
            .stdout(Stdio::from(closed_pipe()))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        // Not an abort (134) from a panicking print!: exit 5, nothing said.
        assert_eq!(out.status.code(), Some(5), "{args:?}: {:?}", out.status);
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn usage_and_bad_arguments() {
    let out = Command::new(TOOL).arg("-h").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let usage = String::from_utf8_lossy(&out.stdout);
    assert!(usage.starts_with("Usage: pppoe-discovery"));
    // The Host-Uniq limit it states is the one it applies.
    let limit = rp_pppoe_core::engine::MAX_HOST_UNIQ;
    assert!(usage.contains(&format!("(1-{limit} bytes)")), "{usage}");
    let longest = "ab".repeat(limit);
    for (hu, ok) in [(longest.clone(), true), (longest + "ab", false)] {
        let out = Command::new(TOOL)
            .args(["-W", &hu, "-I", "nonexistent0"])
            .output()
            .unwrap();
        // 3: the interface, i.e. the Host-Uniq was accepted; 2: it was not.
        assert_eq!(
            out.status.code(),
            Some(if ok { 3 } else { 2 }),
            "{}",
            hu.len()
        );
    }
    let out = Command::new(TOOL).args(["-W", "0xzz"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Invalid host-uniq argument: 0xzz"));
}
