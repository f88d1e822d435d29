//! The OS layer's unit tests (no root needed; the socket tests are in
//! `discovery`).

use super::*;

#[test]
fn ifname_rules() {
    assert!(ifname_bytes("eth0").is_some());
    assert!(ifname_bytes("br-wan.100").is_some());
    assert!(ifname_bytes("").is_none());
    assert!(ifname_bytes("abcdefghijklmnop").is_none()); // 16 bytes
    assert!(ifname_bytes("abcdefghijklmno").is_some()); // 15 bytes
    assert!(ifname_bytes("../x").is_none());
}

#[test]
fn c_strings_end_in_one_nul() {
    let read = |c: &CBuf| {
        // SAFETY: the pointer is a NUL-terminated buffer that c owns.
        let s = unsafe { core::ffi::CStr::from_ptr(c.as_ptr()) };
        s.to_bytes().to_vec()
    };
    assert_eq!(read(&CBuf::new("/run/pppoe-rs").unwrap()), b"/run/pppoe-rs");
    assert_eq!(read(&CBuf::new("").unwrap()), b"");
    assert!(
        CBuf::new("a\0b").is_none(),
        "a path with a NUL would name another file"
    );
    assert_eq!(read(&CBuf::lossy("ac\0name\0")), b"ac?name?");
}

#[test]
fn loopback_is_not_ethernet() {
    let lo = if_info("lo").expect("lo exists");
    assert_ne!(lo.hwtype, ARPHRD_ETHER);
    assert_eq!(if_info("nosuch-if0").unwrap_err().errno, libc::ENODEV);
}

#[test]
fn errno_text() {
    assert_eq!(alloc::format!("{}", Errno(libc::ENODEV)), "No such device");
}

/// A fresh directory of this test's own under the temp directory.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(alloc::format!("rp-pppoe-{name}-{}", pid()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn atomic_write_replaces_the_file() {
    let dir = scratch("atomic");
    let p = dir.join("status.json");
    let ps = p.to_str().unwrap();
    write_file_atomic(ps, b"one").unwrap();
    write_file_atomic(ps, b"two").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"two");
    // No temporary file is left behind.
    let names: alloc::vec::Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1);
    assert_eq!(
        write_file_atomic("/nonexistent-dir/x", b"")
            .unwrap_err()
            .errno,
        libc::ENOENT
    );
    assert_eq!(
        write_file_atomic("relative.json", b"").unwrap_err().errno,
        libc::EINVAL
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn status_write_does_not_follow_a_planted_link_or_trip_on_a_planted_name() {
    // Another user who can write to the directory plants what the old
    // "PATH.tmp" scheme would have opened: a symbolic link to a file it
    // wants overwritten, and a directory in the way.
    let dir = scratch("planted");
    let victim = dir.join("victim");
    std::fs::write(&victim, b"secret").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("status.json.tmp")).unwrap();
    std::fs::create_dir(dir.join(".status.json.tmp")).unwrap();
    let p = dir.join("status.json");
    write_file_atomic(p.to_str().unwrap(), b"{}").unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"secret");
    assert_eq!(std::fs::read(&p).unwrap(), b"{}");
    // A link at the file itself is replaced, not followed.
    std::fs::remove_file(&p).unwrap();
    std::os::unix::fs::symlink(&victim, &p).unwrap();
    write_file_atomic(p.to_str().unwrap(), b"{\"state\":\"up\"}").unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"secret");
    assert!(!std::fs::symlink_metadata(&p)
        .unwrap()
        .file_type()
        .is_symlink());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn private_directories_and_safe_reads() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("private");
    let d = dir.join("records");
    let ds = d.to_str().unwrap();
    // Created 0700 when missing; then opened again.
    let opened = Dir::open_private(ds).unwrap();
    assert_eq!(
        std::fs::metadata(&d).unwrap().permissions().mode() & 0o777,
        0o700
    );
    drop(opened);
    Dir::open_private(ds).unwrap();
    // Writable by others, or a link: refused.
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_eq!(Dir::open_private(ds).unwrap_err().errno, libc::EPERM);
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    let link = dir.join("link");
    std::os::unix::fs::symlink(&d, &link).unwrap();
    assert!(Dir::open_private(link.to_str().unwrap()).is_err());
    // Reads: a FIFO or a link is refused at once (no hang, no following).
    let dd = Dir::open_private(ds).unwrap();
    let fifo = std::ffi::CString::new(d.join("fifo").to_str().unwrap()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    assert_eq!(dd.open_read("fifo", false).unwrap_err().errno, libc::EINVAL);
    std::os::unix::fs::symlink("/etc/hostname", d.join("lnk")).unwrap();
    assert_eq!(dd.open_read("lnk", false).unwrap_err().errno, libc::ELOOP);
    std::fs::write(d.join("f"), b"hello").unwrap();
    assert_eq!(
        read_all(&dd.open_read("f", false).unwrap()).unwrap(),
        b"hello"
    );
    let mut names = dd.list().unwrap();
    names.sort();
    assert_eq!(names, ["f", "fifo", "lnk"]);
    assert_eq!(dd.unlink("f"), Ok(true));
    assert_eq!(dd.unlink("f"), Ok(false));
    assert!(dd.unlink("../x").is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn locks_are_per_open_file() {
    let dir = scratch("locks");
    let dd = Dir::open_private(dir.to_str().unwrap()).unwrap();
    let (fd, name) = dd.create_new("x.").unwrap();
    assert!(try_lock(&fd).unwrap());
    // Another open of the same file cannot take it, even in this process.
    let other = dd.open_read(&name, false).unwrap();
    assert!(!try_lock(&other).unwrap());
    write_at_start(&fd, b"longer content").unwrap();
    write_at_start(&fd, b"short").unwrap();
    assert_eq!(
        read_all(&dd.open_read(&name, false).unwrap()).unwrap(),
        b"short"
    );
    drop(fd);
    assert!(try_lock(&other).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn loopback_addresses() {
    assert_eq!(if_addresses("lo").unwrap().0, [127, 0, 0, 1]);
    assert!(unix_millis() > 1_600_000_000_000);
}

#[test]
fn clock_moves_forward() {
    let a = now();
    let b = now();
    assert!(b >= a);
}

#[test]
fn wall_clock_milliseconds_are_right_after_2038() {
    // 2040-01-01T00:00:00.999Z: past the 32-bit time_t limit (2^31 - 1 s).
    assert_eq!(super::millis(2_208_988_800, 999_999_999), 2_208_988_800_999);
    assert_eq!(super::millis(0x7fff_ffff + 1, 0), 2_147_483_648_000);
    assert_eq!(super::millis(-1, 5), 0);
    assert_eq!(super::millis(1, 2_000_000_000), 1_999);
    // The reading itself (the kernel's clock_gettime64 on 32-bit targets,
    // under qemu-user in scripts/test-bigendian) agrees with std's.
    let std_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let ours = super::unix_millis();
    assert!(ours.abs_diff(std_ms) < 5_000, "ours {ours}, std {std_ms}");
}
