//! Stale-session records: while a session is up, the plugin keeps a small
//! file describing it (`<dir>/<interface>.<pid>.session`, `dir` by default
//! `/var/run/pppoe-rs`) and removes it on a clean end. After a crash,
//! `kill -9` or a reboot without a clean stop, the next pppd on that
//! interface finds the record of a dead owner and sends the PADT the old one
//! never sent, so the access concentrator frees the session at once instead
//! of refusing a new one ("session limit exceeded") until it times out.
//!
//! The owner holds an advisory lock (`flock`) on its record for the
//! session's life: the lock survives pppd's `fork` when it detaches, dies
//! with the last process holding it, and cannot be fooled by a reused pid or
//! a pid namespace. A record whose lock can be taken is stale, and taking it
//! is also how one pppd, and only one, claims it. The pid in the record is
//! for the log.
//!
//! The text format is `key=value` lines with hex for binary values, so a
//! corrupt file is detected, never trusted ([`encode`], [`decode`]: pure).
//! The records directory must be a private directory (owned by pppd's user,
//! writable by nobody else); records are opened without following links and
//! without blocking.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::discovery::{self, Link};
use crate::engine::Session;
use crate::os::{self, Dir, Fd, OsError};
use crate::text::{parse_dec, parse_hex, HexBytes};
use crate::wire::{MacAddr, TagType, Tags};
use crate::{cat, info, push, warning};

/// Where records live (pppd's run directory).
pub const DIR: &str = "/var/run/pppoe-rs";

/// The record file name for `ifname` and pppd `pid`.
pub fn file_name(ifname: &str, pid: i32) -> String {
    cat!(ifname, '.', pid, ".session")
}

/// True if `name` is a record file for `ifname` (any pid).
pub fn is_record_for(name: &str, ifname: &str) -> bool {
    name.strip_prefix(ifname)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix(".session"))
        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|c| c.is_ascii_digit()))
}

/// A recorded session and the pppd that owned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub ifname: String,
    pub pid: i32,
    pub session: Session,
}

/// The file content for `r`.
pub fn encode(r: &Record) -> String {
    let s = &r.session;
    let mut out = cat!(
        "version=1\nifname=",
        &r.ifname,
        "\npid=",
        r.pid,
        "\nsession_id=",
        s.session_id,
        "\nac_mac=",
        s.ac_mac,
        "\nour_mac=",
        s.our_mac,
        '\n'
    );
    for (key, v) in [
        ("host_uniq", s.host_uniq()),
        ("cookie", s.cookie()),
        ("relay_session_id", s.relay_session_id()),
    ] {
        if let Some(v) = v {
            push!(&mut out; key, '=', HexBytes(v), '\n');
        }
    }
    out
}

/// This process's record of its live session, locked for as long as the
/// session (and any process pppd forks) lives.
#[derive(Debug)]
pub struct Held {
    dir: Dir,
    name: String,
    fd: Fd,
    record: Record,
}

impl Held {
    /// Writes and locks the record of `session` on `ifname` in `dir`. A
    /// failure is logged, never fatal (`None`).
    pub fn create(dir: &str, ifname: &str, session: &Session) -> Option<Held> {
        if cfg!(rp_pppoe_no_stale_records) {
            return None; // scripts/bench only: what the records cost in the .so
        }
        let record = Record {
            ifname: ifname.into(),
            pid: os::pid(),
            session: session.clone(),
        };
        match Self::try_create(dir, record) {
            Ok(held) => Some(held),
            Err(e) => {
                warning!(
                    "Cannot record the session in %0.*v (%0.*v: %m); a crash will leave it to the AC's timeout",
                    v(dir),
                    v(e.what),
                    m(e.errno)
                );
                None
            }
        }
    }

    fn try_create(dir: &str, record: Record) -> Result<Held, OsError> {
        let dir = Dir::open_private(dir)?;
        let name = file_name(&record.ifname, record.pid);
        let (fd, tmp) = dir.create_new(&cat!('.', &name, '.'))?;
        // Locked before it has its name: no one can see it unlocked. On
        // storage before it is named, and named for good before the session
        // is used: the record is for the power cut (on flash: these are its
        // writes while the session lives, with the unlink at its end).
        let written = os::try_lock(&fd)
            .and_then(|_| os::write_at_start(&fd, encode(&record).as_bytes()))
            .and_then(|()| os::sync(&fd))
            .and_then(|()| dir.rename(&tmp, &name))
            .and_then(|()| dir.sync());
        if let Err(e) = written {
            let _ = dir.unlink(&tmp);
            return Err(e);
        }
        Ok(Held {
            dir,
            name,
            fd,
            record,
        })
    }

    /// pppd now runs as `pid` (it detached: `updetach`, or `persist` in the
    /// background): rename the record and update its pid, through the
    /// descriptor the new process shares, so the lock stays.
    pub fn set_pid(&mut self, pid: i32) {
        if pid == self.record.pid {
            return;
        }
        self.record.pid = pid;
        let name = file_name(&self.record.ifname, pid);
        let done = self
            .dir
            .rename(&self.name, &name)
            .and_then(|()| os::write_at_start(&self.fd, encode(&self.record).as_bytes()))
            .and_then(|()| os::sync(&self.fd))
            .and_then(|()| self.dir.sync());
        self.name = name;
        if let Err(e) = done {
            warning!(
                "Cannot update the session record for pid %d: %0.*v: %m",
                d(pid),
                v(e.what),
                m(e.errno)
            );
        }
    }

    /// The session ended cleanly: remove the record (the lock goes with the
    /// descriptor). When pppd detached, its pid-change notifier ran in the
    /// parent just before the parent exited (pppd's `detach`): the parent
    /// renamed the record to this process's pid, and this process still
    /// knows the old name; so the record is looked for under our own pid's
    /// name too (only if that name is the file we hold).
    pub fn release(self) {
        let own = file_name(&self.record.ifname, os::pid());
        let name = if own != self.name && self.dir.names(&own, &self.fd) {
            &own
        } else {
            &self.name
        };
        let _ = self.dir.unlink(name);
    }

    /// The record's descriptor (a forked script child closes it).
    pub fn raw_fd(&self) -> core::ffi::c_int {
        self.fd.raw()
    }
}

/// After a stale PADT, how long the access concentrator gets to release the
/// old session before our PADI: an AC that allows one session per client
/// (e.g. `pppoe-server -x 1`) still counts it for a moment and ignores a PADI
/// sent at once, which would cost a whole PADI timeout (5 s).
const STALE_RELEASE: Duration = Duration::from_secs(1);

/// A stale record this process claimed (it holds the lock until dropped).
struct Claimed {
    name: String,
    record: Record,
    _lock: Fd,
}

/// The records of dead owners on `ifname` in `dir`, claimed (locked); a
/// corrupt record is logged and removed. Live ones (locked by their owner,
/// or by another pppd claiming them right now) are left alone.
fn claim_stale(dir: &Dir, ifname: &str) -> Vec<Claimed> {
    let Ok(names) = dir.list() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for name in names.into_iter().filter(|n| is_record_for(n, ifname)) {
        let Ok(fd) = dir.open_read(&name, false) else {
            continue;
        };
        if os::try_lock(&fd) != Ok(true) {
            continue;
        }
        match os::read_all(&fd)
            .map_err(|_| "unreadable")
            .and_then(|t| decode(&t))
        {
            Ok(record) => out.push(Claimed {
                name,
                record,
                _lock: fd,
            }),
            Err(why) => {
                warning!(
                    "Ignoring and removing corrupt session record %0.*v/%0.*v: %0.*v",
                    v(dir.path()),
                    v(name),
                    v(why)
                );
                let _ = dir.unlink(&name);
            }
        }
    }
    out
}

/// Ends sessions that dead pppd processes left on `ifname` (a PADT from
/// `our_mac`, then the record is removed). With `adopt`, that one session
/// is taken over instead (we attach to it; its record is removed without a
/// PADT); the others are ended. Problems are logged, never fatal.
pub fn sweep(dir: &str, link: &Link<'_>, our_mac: MacAddr, adopt: Option<(u16, MacAddr)>) {
    if cfg!(rp_pppoe_no_stale_records) {
        return; // scripts/bench only (see Held::create)
    }
    let sent = sweep_with(dir, link.ifname, our_mac, adopt, |s| {
        discovery::send_padt(link, s)
    });
    if sent > 0 {
        os::sleep(STALE_RELEASE);
    }
}

/// [`sweep`] with the PADT sender given; the number of PADTs sent.
fn sweep_with(
    dir: &str,
    ifname: &str,
    our_mac: MacAddr,
    adopt: Option<(u16, MacAddr)>,
    mut send_padt: impl FnMut(&Session) -> Result<(), OsError>,
) -> usize {
    let dir = match Dir::open_private(dir) {
        Ok(d) => d,
        Err(e) if e.errno == libc::ENOENT => return 0,
        Err(e) => {
            warning!(
                "Not using the session records in %0.*v: %0.*v: %m",
                v(dir),
                v(e.what),
                m(e.errno)
            );
            return 0;
        }
    };
    let mut sent = 0;
    for c in claim_stale(&dir, ifname) {
        let s = &c.record.session;
        if adopt == Some((s.session_id, s.ac_mac)) {
            info!(
                "Taking over PPPoE session %d left by pppd %d",
                d(s.session_id),
                d(c.record.pid)
            );
        } else {
            let mut s = s.clone();
            s.our_mac = our_mac;
            match send_padt(&s) {
                Ok(()) => {
                    sent += 1;
                    info!(
                        "Sent PADT for stale session %d to %0.*v (left by pppd %d on %0.*v)",
                        d(s.session_id),
                        v(s.ac_mac.label(true)),
                        d(c.record.pid),
                        v(ifname)
                    )
                }
                Err(e) => warning!(
                    "Could not send PADT for stale session %d: %0.*v: %m",
                    d(s.session_id),
                    v(e.what),
                    m(e.errno)
                ),
            }
        }
        let _ = dir.unlink(&c.name);
    }
    sent
}

/// Parses a record; the error names what is wrong (for the log line).
pub fn decode(text: &[u8]) -> Result<Record, &'static str> {
    let text = core::str::from_utf8(text).map_err(|_| "not text")?;
    let (mut version, mut ifname, mut pid, mut sid, mut ac, mut ours) =
        (None, None, None, None, None, None);
    // What the PADT needs: Host-Uniq, AC-Cookie, Relay-Session-Id.
    let mut tags = Tags::new();
    for line in crate::text::split(text, b'\n').filter(|l| !l.is_empty()) {
        let (k, v) = crate::text::split_once(line, b'=').ok_or("a line without '='")?;
        match k {
            "version" => version = Some(v),
            "ifname" => ifname = Some(String::from(v)),
            "pid" => pid = Some(parse_dec(v, i32::MAX as u32).ok_or("bad pid")? as i32),
            "session_id" => sid = Some(parse_dec(v, 0xffff).ok_or("bad session_id")? as u16),
            "ac_mac" => ac = Some(MacAddr::parse(v).ok_or("bad ac_mac")?),
            "our_mac" => ours = Some(MacAddr::parse(v).ok_or("bad our_mac")?),
            _ => {
                // The tags a PADT carries, hex: one parse for the three.
                let (ty, bad) = match k {
                    "host_uniq" => (TagType::HOST_UNIQ, "bad host_uniq"),
                    "cookie" => (TagType::AC_COOKIE, "bad cookie"),
                    "relay_session_id" => (TagType::RELAY_SESSION_ID, "bad relay_session_id"),
                    _ => return Err("unknown key"),
                };
                tags.push(ty, &parse_hex(v.as_bytes()).ok_or(bad)?);
            }
        }
    }
    if version != Some("1") {
        return Err("unknown version");
    }
    let session_id = sid.ok_or("no session_id")?;
    if session_id == 0 || session_id == 0xffff {
        return Err("bad session_id");
    }
    let pid = pid.filter(|p| *p > 0).ok_or("no pid")?;
    Ok(Record {
        ifname: ifname.filter(|n| !n.is_empty()).ok_or("no ifname")?,
        pid,
        session: Session {
            session_id,
            ac_mac: ac.filter(MacAddr::is_unicast).ok_or("no ac_mac")?,
            our_mac: ours.ok_or("no our_mac")?,
            tags,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            ifname: "eth0".into(),
            pid: 4242,
            session: Session {
                session_id: 0x1234,
                ac_mac: MacAddr([0x02, 0, 0, 0, 0, 0xac]),
                our_mac: MacAddr([0x02, 0, 0, 0, 0, 0x01]),
                tags: crate::testing::tag_list(&[
                    (TagType::HOST_UNIQ, &[0xc0, 0xff, 0xee]),
                    (TagType::AC_COOKIE, &[0; 20]),
                ]),
            },
        }
    }

    #[test]
    fn round_trip() {
        let r = record();
        let text = encode(&r);
        assert_eq!(
            text,
            "version=1\nifname=eth0\npid=4242\nsession_id=4660\nac_mac=02:00:00:00:00:AC\nour_mac=02:00:00:00:00:01\n\
host_uniq=c0ffee\ncookie=0000000000000000000000000000000000000000\n"
        );
        assert_eq!(decode(text.as_bytes()), Ok(r));
    }

    #[test]
    fn corrupt_records_are_rejected_with_a_reason() {
        let good = encode(&record());
        assert_eq!(decode(b"\xff\xfe"), Err("not text"));
        assert_eq!(decode(b""), Err("unknown version"));
        assert_eq!(
            decode(good.replace("version=1", "version=2").as_bytes()),
            Err("unknown version")
        );
        assert_eq!(
            decode(good.replace("session_id=4660", "session_id=0").as_bytes()),
            Err("bad session_id")
        );
        assert_eq!(
            decode(good.replace("session_id=4660", "session_id=x").as_bytes()),
            Err("bad session_id")
        );
        assert_eq!(
            decode(
                good.replace("host_uniq=c0ffee", "host_uniq=c0ffe")
                    .as_bytes()
            ),
            Err("bad host_uniq")
        );
        assert_eq!(
            decode(good.replace("pid=4242\n", "").as_bytes()),
            Err("no pid")
        );
        assert_eq!(
            decode(
                good.replace("ac_mac=02:00:00:00:00:AC", "ac_mac=ff:ff:ff:ff:ff:ff")
                    .as_bytes()
            ),
            Err("no ac_mac")
        );
        assert_eq!(decode(b"version=1\ngarbage\n"), Err("a line without '='"));
        assert_eq!(
            decode(&good.as_bytes()[..good.len() / 2]),
            Err("bad our_mac")
        );
        for (line, why) in [
            ("cookie=0g", "bad cookie"),
            ("relay_session_id=abc", "bad relay_session_id"),
            ("colour=blue", "unknown key"),
        ] {
            assert_eq!(
                decode(cat!(&good, line, '\n').as_bytes()),
                Err(why),
                "{line}"
            );
        }
        let mut relayed = record();
        relayed
            .session
            .tags
            .push(TagType::RELAY_SESSION_ID, &[1, 2, 3]);
        assert_eq!(decode(encode(&relayed).as_bytes()), Ok(relayed));
    }

    /// A private records directory of this test's own.
    fn records_dir(name: &str) -> String {
        let dir = std::env::temp_dir().join(alloc::format!("rp-pppoe-stale-{name}-{}", os::pid()));
        let _ = std::fs::remove_dir_all(&dir);
        String::from(dir.to_str().unwrap())
    }

    fn session(id: u16) -> Session {
        Session {
            session_id: id,
            ..record().session
        }
    }

    /// Sweeps `dir` for eth0; the session ids it sent a PADT for.
    fn swept(dir: &str, adopt: Option<(u16, MacAddr)>) -> Vec<u16> {
        let mut ids = Vec::new();
        let us = MacAddr([0x02, 0, 0, 0, 0, 0x09]);
        sweep_with(dir, "eth0", us, adopt, |s| {
            assert_eq!(s.our_mac, us);
            ids.push(s.session_id);
            Ok(())
        });
        ids.sort();
        ids
    }

    #[test]
    fn a_locked_record_is_alive_whatever_its_pid() {
        // pppd with `updetach` forks after the session is up and goes on
        // under a new pid: the pid in the record is then a dead process's.
        // The lock, held through the descriptor both processes share, still
        // says the owner is alive, so the next pppd sends no PADT.
        let dir = records_dir("alive");
        let mut held = Held::create(&dir, "eth0", &session(7)).unwrap();
        held.set_pid(999_999); // no such process
        assert_eq!(swept(&dir, None), [] as [u16; 0]);
        let name = alloc::format!("{dir}/eth0.999999.session");
        assert!(
            std::path::Path::new(&name).exists(),
            "the record follows the pid"
        );
        // The owner dies without cleaning up (kill -9): now it is stale, once.
        drop(held);
        assert_eq!(swept(&dir, None), [7]);
        assert_eq!(swept(&dir, None), [] as [u16; 0]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_detached_pppd_removes_the_record_its_parent_renamed() {
        // pppd's detach(): the parent runs the pid-change notifier (so
        // renames the record to the child's pid) and exits; the child, which
        // still knows the old name, ends the session cleanly later. Here
        // this process plays the child, and a record made for a "parent"
        // pid 999999 is renamed to ours as the parent would.
        let dir = records_dir("detached");
        let mut held = Held::create(&dir, "eth0", &session(9)).unwrap();
        let (own, parent) = (file_name("eth0", os::pid()), file_name("eth0", 999_999));
        let path = |n: &str| alloc::format!("{dir}/{n}");
        std::fs::rename(path(&own), path(&parent)).unwrap();
        (held.name, held.record.pid) = (parent.clone(), 999_999);
        // The parent's notifier: the record now carries the child's pid.
        std::fs::rename(path(&parent), path(&own)).unwrap();
        held.release();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        // A file under our pid's name that is not our record stays.
        let mut held = Held::create(&dir, "eth1", &session(10)).unwrap();
        let other = file_name("eth1", os::pid());
        std::fs::rename(path(&other), path("kept")).unwrap();
        std::fs::write(path(&other), b"not ours").unwrap();
        held.name = String::from("kept");
        held.release();
        let left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left, [other]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_clean_end_leaves_no_record() {
        let dir = records_dir("clean");
        let held = Held::create(&dir, "eth0", &session(8)).unwrap();
        held.release();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn adopting_one_session_still_ends_the_others() {
        let dir = records_dir("adopt");
        for (id, pid) in [(1u16, 101), (2, 102), (3, 103)] {
            let rec = Record {
                pid,
                session: session(id),
                ..record()
            };
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(alloc::format!("{dir}/eth0.{pid}.session"), encode(&rec)).unwrap();
        }
        let ac = record().session.ac_mac;
        // Session 2 is taken over (pppoe-sess); 1 and 3 get their PADT.
        assert_eq!(swept(&dir, Some((2, ac))), [1, 3]);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn records_only_in_a_private_directory_and_never_through_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = records_dir("private");
        std::fs::create_dir_all(&dir).unwrap();
        let stale = encode(&record());
        std::fs::write(alloc::format!("{dir}/eth0.4242.session"), &stale).unwrap();
        // Writable by others: not used at all.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(swept(&dir, None), [] as [u16; 0]);
        assert!(Held::create(&dir, "eth0", &session(9)).is_none());
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        // A link or a FIFO named like a record is skipped, without hanging.
        std::os::unix::fs::symlink("/etc/hostname", alloc::format!("{dir}/eth0.5.session"))
            .unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(alloc::format!("{dir}/eth0.6.session"))
            .status()
            .unwrap();
        assert!(fifo.success());
        assert_eq!(swept(&dir, None), [0x1234]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn file_names() {
        assert_eq!(file_name("eth0", 12), "eth0.12.session");
        assert!(is_record_for("eth0.12.session", "eth0"));
        assert!(!is_record_for("eth0.12.session", "eth"));
        assert!(!is_record_for("eth0.1.12.session", "eth0"));
        assert!(!is_record_for("eth0..session", "eth0"));
        assert!(!is_record_for("eth0.12.session.tmp", "eth0"));
        assert!(is_record_for("br-wan.7.session", "br-wan"));
    }
}
