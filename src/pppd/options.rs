//! The plugin's pppd option table and the parsing of its values.
//!
//! Every spelling of every upstream and OpenWrt version is registered, with
//! the C plugins' types: `pppoe-service`/`rp_pppoe_service`, `pppoe-ac`/
//! `rp_pppoe_ac`, `pppoe-sess`/`rp_pppoe_sess`, `pppoe-verbose`/
//! `rp_pppoe_verbose`, `pppoe-mac`, `pppoe-host-uniq`/`host-uniq`,
//! `pppoe-padi-timeout`, `pppoe-padi-attempts`, and the device word
//! (`nic-IF` or a bare Ethernet interface name). pppd only stores the values;
//! they are read in `check_options`, so option order does not matter.

use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr::{addr_of_mut, null_mut};
use core::time::Duration;

use alloc::string::String;
use alloc::vec::Vec;
use rp_pppoe_core::text::Hex2;
use rp_pppoe_core::{cat, push};

use super::bindings::{self as b, opt_type, option_t};
use rp_pppoe_core::wire::MacAddr;

/// Longest Host-Uniq we send (bytes). RFC 2516 sets no limit, but it must fit
/// in PADI next to the other tags; 2.5 also rejects over-long values.
pub(crate) const MAX_HOST_UNIQ: usize = 64;

// o_string targets: NULL until pppd strdup()s a value (it free()s the old one).
static mut SERVICE: *mut c_char = null_mut();
static mut AC_NAME: *mut c_char = null_mut();
static mut SESS: *mut c_char = null_mut();
static mut AC_MAC: *mut c_char = null_mut();
static mut HOST_UNIQ: *mut c_char = null_mut();
static mut STATUS_FILE: *mut c_char = null_mut();
// o_bool target (one byte in every pppd version).
static mut STALE_CLEANUP: u8 = 1;
// o_int targets.
static mut VERBOSE: c_int = 0;
static mut PADI_TIMEOUT: c_int = 5;
static mut PADI_ATTEMPTS: c_int = 3;
/// The device entry's addr2 (OPT_A2STRVAL|OPT_STATIC): `dump` prints it.
pub(crate) static mut DEVNAM: [c_char; 64] = [0; 64];

const fn opt(
    name: &'static CStr,
    ty: opt_type,
    addr: *mut c_void,
    description: &'static CStr,
    flags: u32,
    addr2: *mut c_void,
    lower_limit: c_int,
) -> option_t {
    option_t {
        name: name.as_ptr().cast_mut(),
        type_: ty,
        addr,
        description: description.as_ptr().cast_mut(),
        flags,
        addr2,
        upper_limit: 0,
        lower_limit,
        source: core::ptr::null(),
        priority: 0,
        winner: 0,
    }
}

const fn string(
    name: &'static CStr,
    addr: *mut *mut c_char,
    description: &'static CStr,
    flags: u32,
) -> option_t {
    opt(
        name,
        opt_type::o_string,
        addr.cast(),
        description,
        flags,
        null_mut(),
        0,
    )
}

const fn int(
    name: &'static CStr,
    addr: *mut c_int,
    description: &'static CStr,
    flags: u32,
    lower: c_int,
) -> option_t {
    opt(
        name,
        opt_type::o_int,
        addr.cast(),
        description,
        flags,
        null_mut(),
        lower,
    )
}

const DEV_FLAGS: u32 =
    b::OPT_DEVNAM | b::OPT_PRIVFIX | b::OPT_NOARG | b::OPT_A2STRVAL | b::OPT_STATIC;
const ALIAS: u32 = b::OPT_ALIAS;
const TIMING: u32 = b::OPT_PRIO | b::OPT_LLIMIT;

/// Number of entries including the terminating `{ NULL }`.
const N_OPTIONS: usize = 18;

/// The table's terminator: pppd stops at the first entry whose name is NULL.
const END: option_t = option_t {
    name: null_mut(),
    type_: opt_type::o_special_noarg,
    addr: null_mut(),
    description: null_mut(),
    flags: 0,
    addr2: null_mut(),
    upper_limit: 0,
    lower_limit: 0,
    source: core::ptr::null(),
    priority: 0,
    winner: 0,
};

/// The table pppd writes into (`source`, `priority`, `winner`): a writable
/// static reached only through raw pointers, ended by a zeroed entry. It is
/// both registered with `add_options` and used as the channel's `options`.
pub(crate) static mut OPTIONS: [option_t; N_OPTIONS] = [
    opt(
        c"device name",
        opt_type::o_wild,
        super::channel::device_hook as *mut c_void,
        c"PPPoE device name",
        DEV_FLAGS,
        addr_of_mut!(DEVNAM).cast(),
        0,
    ),
    string(
        c"pppoe-service",
        addr_of_mut!(SERVICE),
        c"Desired PPPoE service name",
        0,
    ),
    string(
        c"rp_pppoe_service",
        addr_of_mut!(SERVICE),
        c"Legacy alias for pppoe-service",
        ALIAS,
    ),
    string(
        c"pppoe-ac",
        addr_of_mut!(AC_NAME),
        c"Desired PPPoE access concentrator name",
        0,
    ),
    string(
        c"rp_pppoe_ac",
        addr_of_mut!(AC_NAME),
        c"Legacy alias for pppoe-ac",
        ALIAS,
    ),
    string(
        c"pppoe-sess",
        addr_of_mut!(SESS),
        c"Attach to existing session (sessid:macaddr)",
        0,
    ),
    string(
        c"rp_pppoe_sess",
        addr_of_mut!(SESS),
        c"Legacy alias for pppoe-sess",
        ALIAS,
    ),
    int(
        c"pppoe-verbose",
        addr_of_mut!(VERBOSE),
        c"Be verbose about discovered access concentrators",
        0,
        0,
    ),
    int(
        c"rp_pppoe_verbose",
        addr_of_mut!(VERBOSE),
        c"Legacy alias for pppoe-verbose",
        ALIAS,
        0,
    ),
    string(
        c"pppoe-mac",
        addr_of_mut!(AC_MAC),
        c"Only connect to specified MAC address",
        0,
    ),
    string(
        c"pppoe-host-uniq",
        addr_of_mut!(HOST_UNIQ),
        c"Set the Host-Uniq to the supplied hex string",
        0,
    ),
    string(
        c"host-uniq",
        addr_of_mut!(HOST_UNIQ),
        c"Legacy alias for pppoe-host-uniq",
        ALIAS,
    ),
    int(
        c"pppoe-padi-timeout",
        addr_of_mut!(PADI_TIMEOUT),
        c"Initial timeout for discovery packets in seconds",
        TIMING,
        1,
    ),
    int(
        c"pppoe-padi-attempts",
        addr_of_mut!(PADI_ATTEMPTS),
        c"Number of discovery attempts",
        TIMING,
        1,
    ),
    string(
        c"pppoe-status-file",
        addr_of_mut!(STATUS_FILE),
        c"Keep a JSON connection status document at this path",
        b::OPT_PRIV,
    ),
    opt(
        c"pppoe-stale-cleanup",
        opt_type::o_bool,
        addr_of_mut!(STALE_CLEANUP).cast(),
        c"Send PADT for a session a dead pppd left on this interface (default)",
        1,
        null_mut(),
        0,
    ),
    opt(
        c"nopppoe-stale-cleanup",
        opt_type::o_bool,
        addr_of_mut!(STALE_CLEANUP).cast(),
        c"Do not clean up sessions left by a dead pppd",
        0,
        null_mut(),
        0,
    ),
    END,
];

/// The table, for `add_options` and the channel's `options`.
pub(crate) fn table() -> *mut option_t {
    addr_of_mut!(OPTIONS).cast()
}

/// Reads a string option's current value (NULL = unset).
fn get_string(p: *const *mut c_char) -> Option<Vec<u8>> {
    // SAFETY: p is one of our o_string statics; pppd stores NULL or a
    // strdup()ed C string there and nothing else writes it while we read.
    unsafe {
        let s = *p;
        if s.is_null() {
            None
        } else {
            Some(CStr::from_ptr(s).to_bytes().to_vec())
        }
    }
}

fn get_int(p: *const c_int) -> c_int {
    // SAFETY: p is one of our o_int statics.
    unsafe { *p }
}

/// The plugin's settings, parsed and checked (in `check_options`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) service: Option<Vec<u8>>,
    pub(crate) ac_name: Option<Vec<u8>>,
    pub(crate) attach: Option<(u16, MacAddr)>,
    pub(crate) ac_mac: Option<MacAddr>,
    /// `None`: the per-process default (pid).
    pub(crate) host_uniq: Option<Vec<u8>>,
    pub(crate) verbose: bool,
    pub(crate) padi_timeout: Duration,
    pub(crate) padi_attempts: u32,
    pub(crate) status_file: Option<String>,
    pub(crate) stale_cleanup: bool,
}

/// Raw option values as pppd stored them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Raw {
    pub(crate) service: Option<Vec<u8>>,
    pub(crate) ac_name: Option<Vec<u8>>,
    pub(crate) sess: Option<Vec<u8>>,
    pub(crate) ac_mac: Option<Vec<u8>>,
    pub(crate) host_uniq: Option<Vec<u8>>,
    pub(crate) verbose: c_int,
    pub(crate) padi_timeout: c_int,
    pub(crate) padi_attempts: c_int,
    pub(crate) status_file: Option<Vec<u8>>,
    pub(crate) stale_cleanup: bool,
}

impl Raw {
    /// Reads the values pppd stored in our option variables.
    pub(crate) fn read() -> Raw {
        Raw {
            service: get_string(addr_of_mut!(SERVICE)),
            ac_name: get_string(addr_of_mut!(AC_NAME)),
            sess: get_string(addr_of_mut!(SESS)),
            ac_mac: get_string(addr_of_mut!(AC_MAC)),
            host_uniq: get_string(addr_of_mut!(HOST_UNIQ)),
            verbose: get_int(addr_of_mut!(VERBOSE)),
            padi_timeout: get_int(addr_of_mut!(PADI_TIMEOUT)),
            padi_attempts: get_int(addr_of_mut!(PADI_ATTEMPTS)),
            status_file: get_string(addr_of_mut!(STATUS_FILE)),
            // SAFETY: our o_bool static (pppd writes 0 or 1 into it).
            stale_cleanup: unsafe { *addr_of_mut!(STALE_CLEANUP) } != 0,
        }
    }

    /// Checks and converts; the error is the message for `option_error`.
    pub(crate) fn parse(&self) -> Result<Settings, String> {
        let ac_mac = match &self.ac_mac {
            None => None,
            Some(v) => Some(
                core::str::from_utf8(v)
                    .ok()
                    .and_then(MacAddr::parse)
                    .ok_or_else(|| cat!("cannot parse pppoe-mac option value '", &shown(v), "'"))?,
            ),
        };
        let attach = match &self.sess {
            None => None,
            Some(v) => Some(parse_sess(v).ok_or_else(|| {
                cat!(
                    "cannot parse pppoe-sess option value '",
                    &shown(v),
                    "' (expected SESSID:aa:bb:cc:dd:ee:ff)"
                )
            })?),
        };
        let host_uniq = match &self.host_uniq {
            None => None,
            Some(v) => Some(parse_hex(v).ok_or_else(|| {
                cat!(
                    "invalid host-uniq value '",
                    &shown(v),
                    "': expected an even number of hex digits, 1 to ",
                    MAX_HOST_UNIQ,
                    " bytes"
                )
            })?),
        };
        let status_file = match &self.status_file {
            None => None,
            Some(v) => Some(
                String::from_utf8(v.clone())
                    .ok()
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| cat!("invalid pppoe-status-file path '", &shown(v), "'"))?,
            ),
        };
        Ok(Settings {
            service: self.service.clone(),
            ac_name: self.ac_name.clone(),
            attach,
            ac_mac,
            host_uniq,
            verbose: self.verbose != 0,
            padi_timeout: Duration::from_secs(self.padi_timeout.max(1) as u64),
            padi_attempts: self.padi_attempts.max(1) as u32,
            status_file,
            stale_cleanup: self.stale_cleanup,
        })
    }
}

/// A user-supplied value for a message: printable ASCII kept, the rest escaped.
fn shown(v: &[u8]) -> String {
    let mut s = String::new();
    for &c in v.iter().take(100) {
        if (0x20..0x7f).contains(&c) {
            s.push(c as char);
        } else {
            push!(&mut s; "\\x", Hex2(c));
        }
    }
    if v.len() > 100 {
        s.push_str("...");
    }
    s
}

/// Parses a Host-Uniq hex string ("0a1B2c"; an optional "0x" prefix).
pub(crate) fn parse_hex(v: &[u8]) -> Option<Vec<u8>> {
    let v = v
        .strip_prefix(b"0x")
        .or_else(|| v.strip_prefix(b"0X"))
        .unwrap_or(v);
    if v.is_empty() || v.len() % 2 != 0 || v.len() / 2 > MAX_HOST_UNIQ {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    v.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// Parses `SESSID:aa:bb:cc:dd:ee:ff` (SESSID decimal, 1-65534).
pub(crate) fn parse_sess(v: &[u8]) -> Option<(u16, MacAddr)> {
    let s = core::str::from_utf8(v).ok()?;
    let (sid, mac) = s.split_once(':')?;
    if sid.is_empty() || !sid.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let sid: u16 = sid.parse().ok()?;
    if sid == 0 || sid == 0xffff {
        return None;
    }
    Some((sid, MacAddr::parse(mac)?))
}

/// Strips the optional `nic-` prefix of the device word (only when something
/// follows it, as the C plugin does).
pub(crate) fn device_name(word: &str) -> (&str, bool) {
    match word.strip_prefix("nic-") {
        Some(rest) if !rest.is_empty() => (rest, true),
        _ => (word, false),
    }
}

/// Names of all registered options (for tests and the README check).
#[cfg(test)]
pub(crate) fn names() -> Vec<String> {
    let t = addr_of_mut!(OPTIONS).cast::<option_t>();
    let mut out = Vec::new();
    // SAFETY: test-only read of our own table; index within bounds.
    unsafe {
        for i in 0..N_OPTIONS - 1 {
            out.push(alloc::string::ToString::to_string(
                CStr::from_ptr((*t.add(i)).name).to_str().unwrap(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn hex() {
        assert_eq!(parse_hex(b"0a1B2c"), Some(vec![0x0a, 0x1b, 0x2c]));
        assert_eq!(parse_hex(b"0x01020304"), Some(vec![1, 2, 3, 4]));
        assert_eq!(parse_hex(b""), None);
        assert_eq!(parse_hex(b"abc"), None);
        assert_eq!(parse_hex(b"zz"), None);
        assert_eq!(parse_hex(b"0x"), None);
        assert_eq!(parse_hex(&[b'a'; 128]).map(|v| v.len()), Some(64));
        assert_eq!(parse_hex(&[b'a'; 130]), None);
    }

    #[test]
    fn sess() {
        let mac = MacAddr([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
        assert_eq!(parse_sess(b"1234:aa:bb:cc:dd:ee:ff"), Some((1234, mac)));
        assert_eq!(parse_sess(b"1234:AA:BB:CC:DD:EE:FF"), Some((1234, mac)));
        assert_eq!(parse_sess(b"0:aa:bb:cc:dd:ee:ff"), None);
        assert_eq!(parse_sess(b"65535:aa:bb:cc:dd:ee:ff"), None);
        assert_eq!(parse_sess(b"70000:aa:bb:cc:dd:ee:ff"), None);
        assert_eq!(parse_sess(b"12:aa:bb:cc:dd:ee"), None);
        assert_eq!(parse_sess(b"aa:bb:cc:dd:ee:ff"), None);
        assert_eq!(parse_sess(b"-1:aa:bb:cc:dd:ee:ff"), None);
    }

    #[test]
    fn settings_errors_name_the_value() {
        let raw = Raw {
            ac_mac: Some(b"00:11:22:33:44".to_vec()),
            padi_timeout: 5,
            padi_attempts: 3,
            ..Raw::default()
        };
        assert_eq!(
            raw.parse().unwrap_err(),
            "cannot parse pppoe-mac option value '00:11:22:33:44'"
        );
        let raw = Raw {
            host_uniq: Some(b"xyz\x01".to_vec()),
            padi_timeout: 5,
            padi_attempts: 3,
            ..Raw::default()
        };
        assert!(raw.parse().unwrap_err().contains("'xyz\\x01'"));
        let raw = Raw {
            sess: Some(b"nope".to_vec()),
            padi_timeout: 5,
            padi_attempts: 3,
            ..Raw::default()
        };
        assert!(raw
            .parse()
            .unwrap_err()
            .starts_with("cannot parse pppoe-sess option value 'nope'"));
    }

    #[test]
    fn settings_defaults() {
        let raw = Raw {
            padi_timeout: 5,
            padi_attempts: 3,
            ..Raw::default()
        };
        let s = raw.parse().unwrap();
        assert_eq!(s.padi_timeout, Duration::from_secs(5));
        assert_eq!(s.padi_attempts, 3);
        assert_eq!(s.host_uniq, None);
        assert!(!s.verbose);
    }

    #[test]
    fn nic_prefix() {
        assert_eq!(device_name("nic-eth0"), ("eth0", true));
        assert_eq!(device_name("eth0"), ("eth0", false));
        assert_eq!(device_name("nic-"), ("nic-", false));
        assert_eq!(device_name("nic-br-wan"), ("br-wan", true));
    }

    #[test]
    fn every_spelling_is_registered() {
        let names = names();
        for n in [
            "device name",
            "pppoe-service",
            "rp_pppoe_service",
            "pppoe-ac",
            "rp_pppoe_ac",
            "pppoe-sess",
            "rp_pppoe_sess",
            "pppoe-verbose",
            "rp_pppoe_verbose",
            "pppoe-mac",
            "pppoe-host-uniq",
            "host-uniq",
            "pppoe-padi-timeout",
            "pppoe-padi-attempts",
            "pppoe-status-file",
            "pppoe-stale-cleanup",
            "nopppoe-stale-cleanup",
        ] {
            assert!(names.iter().any(|x| x == n), "{n} missing");
        }
    }

    #[test]
    fn aliases_follow_their_main_entry() {
        // OPT_ALIAS means "alias of the previous entry": each alias must sit
        // right after an entry with the same target.
        let t = addr_of_mut!(OPTIONS).cast::<option_t>();
        for i in 1..N_OPTIONS - 1 {
            // SAFETY: test-only read of our own table within bounds.
            let (prev, cur) = unsafe { (&*t.add(i - 1), &*t.add(i)) };
            if cur.flags & b::OPT_ALIAS != 0 {
                assert_eq!(prev.addr, cur.addr);
                assert_eq!(prev.type_ as u32, cur.type_ as u32);
            }
        }
    }
}
