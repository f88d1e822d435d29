//! Stale-session records: while a session is up, the plugin keeps a small
//! file describing it (`/var/run/pppoe-rs/<interface>.<pid>.session`) and
//! removes it on a clean end. After a crash, `kill -9` or a reboot without a
//! clean stop, the next pppd on that interface finds the record of a dead
//! owner and sends the PADT the old one never sent, so the access
//! concentrator frees the session at once instead of refusing a new one
//! ("session limit exceeded") until it times out.
//!
//! The text format is `key=value` lines with hex for binary values, so a
//! corrupt file is detected, never trusted ([`encode`], [`decode`]: pure).
//! [`write`], [`remove`] and [`sweep`] keep the records of this process and
//! end the sessions of dead ones.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::discovery;
use crate::engine::Session;
use crate::os;
use crate::text::{parse_hex, HexBytes};
use crate::wire::MacAddr;
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
        ("host_uniq", &s.host_uniq),
        ("cookie", &s.cookie),
        ("relay_session_id", &s.relay_session_id),
    ] {
        if let Some(v) = v {
            push!(&mut out; key, '=', HexBytes(v), '\n');
        }
    }
    out
}

/// The path of this process's record for `ifname`.
fn own_path(ifname: &str) -> String {
    cat!(DIR, '/', &file_name(ifname, os::pid()))
}

/// Records the live session so that a later pppd can end it if this one
/// dies. A failure is logged, never fatal.
pub fn write(ifname: &str, session: &Session) {
    let r = Record {
        ifname: ifname.into(),
        pid: os::pid(),
        session: session.clone(),
    };
    let done = os::make_dir(DIR)
        .and_then(|()| os::write_file_atomic(&own_path(ifname), encode(&r).as_bytes()));
    if let Err(e) = done {
        warning!(
            "Cannot record the session in ",
            DIR,
            " (",
            e,
            "); a crash will leave it to the AC's timeout"
        );
    }
}

/// Removes this process's record for `ifname` (the session ended cleanly).
pub fn remove(ifname: &str) {
    let _ = os::remove_file(&own_path(ifname));
}

/// After a stale PADT, how long the access concentrator gets to release the
/// old session before our PADI: an AC that allows one session per client
/// (e.g. `pppoe-server -x 1`) still counts it for a moment and ignores a PADI
/// sent at once, which would cost a whole PADI timeout (5 s).
const STALE_RELEASE: Duration = Duration::from_secs(1);

/// Ends sessions that dead pppd processes left on `ifname` (PADT from
/// `our_mac`, then the record is removed). With `adopt`, only removes the
/// record of that session (we are attaching to it). Problems are logged,
/// never fatal.
pub fn sweep(ifname: &str, our_mac: MacAddr, debug: bool, adopt: Option<(u16, MacAddr)>) {
    let Ok(names) = os::list_dir(DIR) else {
        return;
    };
    let mut sent = 0;
    for name in names.iter().filter(|n| is_record_for(n, ifname)) {
        let path = cat!(DIR, '/', name);
        let Ok(text) = os::read_file(&path) else {
            continue;
        };
        let rec = match decode(&text) {
            Ok(r) => r,
            Err(why) => {
                warning!(
                    "Ignoring and removing corrupt session record ",
                    &path,
                    ": ",
                    why
                );
                let _ = os::remove_file(&path);
                continue;
            }
        };
        if rec.pid == os::pid() || os::is_running_pppd(rec.pid) {
            continue;
        }
        // Claim it: only the pppd whose unlink succeeds sends the PADT.
        if os::remove_file(&path) != Ok(true) {
            continue;
        }
        let s = &rec.session;
        if let Some((sid, mac)) = adopt {
            if (s.session_id, s.ac_mac) == (sid, mac) {
                info!("Taking over PPPoE session ", sid, " left by pppd ", rec.pid);
            }
            continue;
        }
        let mut s = rec.session.clone();
        s.our_mac = our_mac;
        match discovery::send_padt(ifname, &s, debug) {
            Ok(()) => {
                sent += 1;
                info!(
                    "Sent PADT for stale session ",
                    s.session_id, " to ", s.ac_mac, " (left by pppd ", rec.pid, " on ", ifname, ")"
                )
            }
            Err(e) => warning!(
                "Could not send PADT for stale session ",
                s.session_id,
                ": ",
                e
            ),
        }
    }
    if sent > 0 {
        os::sleep(STALE_RELEASE);
    }
}

/// Parses a record; the error names what is wrong (for the log line).
pub fn decode(text: &[u8]) -> Result<Record, &'static str> {
    let text = core::str::from_utf8(text).map_err(|_| "not text")?;
    let (mut version, mut ifname, mut pid, mut sid, mut ac, mut ours) =
        (None, None, None, None, None, None);
    let (mut host_uniq, mut cookie, mut relay) = (None, None, None);
    for line in text.lines() {
        let (k, v) = line.split_once('=').ok_or("a line without '='")?;
        match k {
            "version" => version = Some(v),
            "ifname" => ifname = Some(String::from(v)),
            "pid" => pid = Some(v.parse::<i32>().map_err(|_| "bad pid")?),
            "session_id" => sid = Some(v.parse::<u16>().map_err(|_| "bad session_id")?),
            "ac_mac" => ac = Some(MacAddr::parse(v).ok_or("bad ac_mac")?),
            "our_mac" => ours = Some(MacAddr::parse(v).ok_or("bad our_mac")?),
            "host_uniq" => host_uniq = Some(parse_hex(v.as_bytes()).ok_or("bad host_uniq")?),
            "cookie" => cookie = Some(parse_hex(v.as_bytes()).ok_or("bad cookie")?),
            "relay_session_id" => {
                relay = Some(parse_hex(v.as_bytes()).ok_or("bad relay_session_id")?)
            }
            _ => return Err("unknown key"),
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
            ac_name: Vec::new(),
            service_name: Vec::new(),
            host_uniq,
            cookie,
            relay_session_id: relay,
            max_payload: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn record() -> Record {
        Record {
            ifname: "eth0".into(),
            pid: 4242,
            session: Session {
                session_id: 0x1234,
                ac_mac: MacAddr([0x02, 0, 0, 0, 0, 0xac]),
                our_mac: MacAddr([0x02, 0, 0, 0, 0, 0x01]),
                ac_name: vec![],
                service_name: vec![],
                host_uniq: Some(vec![0xc0, 0xff, 0xee]),
                cookie: Some(vec![0; 20]),
                relay_session_id: None,
                max_payload: None,
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
