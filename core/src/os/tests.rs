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
fn loopback_is_not_ethernet() {
    let lo = if_info("lo").expect("lo exists");
    assert_ne!(lo.hwtype, ARPHRD_ETHER);
    assert_eq!(if_info("nosuch-if0").unwrap_err().errno, libc::ENODEV);
}

#[test]
fn errno_text() {
    assert_eq!(alloc::format!("{}", Errno(libc::ENODEV)), "No such device");
}

#[test]
fn atomic_write_replaces_the_file() {
    let dir = std::env::temp_dir().join(alloc::format!("rp-pppoe-os-{}", pid()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("status.json");
    let ps = p.to_str().unwrap();
    write_file_atomic(ps, b"one").unwrap();
    write_file_atomic(ps, b"two").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"two");
    assert!(!dir.join("status.json.tmp").exists());
    assert_eq!(
        write_file_atomic("/nonexistent-dir/x", b"")
            .unwrap_err()
            .errno,
        libc::ENOENT
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_and_dirs() {
    let dir = alloc::format!("{}/rp-pppoe-dir-{}", std::env::temp_dir().display(), pid());
    make_dir(&dir).unwrap();
    make_dir(&dir).unwrap();
    let f = alloc::format!("{dir}/a.1.session");
    write_file_atomic(&f, b"hello").unwrap();
    assert_eq!(read_file(&f).unwrap(), b"hello");
    assert_eq!(list_dir(&dir).unwrap(), ["a.1.session"]);
    assert_eq!(remove_file(&f), Ok(true));
    assert_eq!(remove_file(&f), Ok(false));
    assert!(list_dir(&dir).unwrap().is_empty());
    std::fs::remove_dir(&dir).unwrap();
}

#[test]
fn pppd_owner_check() {
    // This test process is not a pppd; pid 0 and a dead pid are nobody.
    assert!(!is_running_pppd(pid()));
    assert!(!is_running_pppd(0));
    assert!(!is_running_pppd(i32::MAX));
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
