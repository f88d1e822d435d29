//! The plugin's settings: the values pppd stored for our options ([`Raw`]),
//! checked and converted ([`Settings`]). Pure: no pppd, no I/O, so every rule
//! is unit-tested here; `options` reads the values, `channel` uses the result.

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_int;
use core::time::Duration;

use core::ffi::CStr;

use rp_pppoe_core::engine::{parse_host_uniq, Backoff, MAX_HOST_UNIQ};
use rp_pppoe_core::log::{self, Arg};
use rp_pppoe_core::log_with;
use rp_pppoe_core::stale;
use rp_pppoe_core::wire::MacAddr;

/// The plugin's settings, parsed and checked (in `check_options`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) service: Option<Vec<u8>>,
    pub(crate) ac_name: Option<Vec<u8>>,
    pub(crate) attach: Option<(u16, MacAddr)>,
    pub(crate) ac_mac: Option<MacAddr>,
    /// `None`: the per-process default (pid).
    pub(crate) host_uniq: Option<Vec<u8>>,
    /// `pppoe-verbose`: 0, 1 (every PADO's tags), 2 (and hex dumps).
    pub(crate) verbose: u8,
    pub(crate) padi_timeout: Duration,
    pub(crate) padi_attempts: u32,
    /// `pppoe-padi-backoff`: doubling (stock pppd) or fixed (OpenWrt <= 23.05).
    pub(crate) padi_backoff: Backoff,
    pub(crate) status_file: Option<String>,
    pub(crate) stale_cleanup: bool,
    /// `pppoe-stale-dir`: where the session records live.
    pub(crate) stale_dir: String,
    /// `pppoe-priority`: SO_PRIORITY (802.1p on a VLAN) of discovery frames.
    pub(crate) priority: Option<u8>,
}

/// Where the session records live unless `pppoe-stale-dir` says otherwise.
pub(crate) const STALE_DIR: &str = stale::DIR;

/// The Service-Name that means "send none" (every C plugin since 2008).
pub(crate) const NO_SERVICE_NAME: &[u8] = b"NO-SERVICE-NAME-NON-RFC-COMPLIANT";

/// Longest PPPoE payload (the length field of a discovery frame).
const MAX_PAYLOAD: usize = rp_pppoe_core::wire::MAX_PAYLOAD;

/// Raw option values as pppd stored them.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    pub(crate) padi_backoff: Option<Vec<u8>>,
    pub(crate) stale_dir: Option<Vec<u8>>,
    /// -1: not set.
    pub(crate) priority: c_int,
}

impl Default for Raw {
    /// What pppd leaves in the variables when no option is given.
    fn default() -> Raw {
        Raw {
            service: None,
            ac_name: None,
            sess: None,
            ac_mac: None,
            host_uniq: None,
            verbose: 0,
            padi_timeout: 5,
            padi_attempts: 3,
            status_file: None,
            stale_cleanup: true,
            padi_backoff: None,
            stale_dir: None,
            priority: -1,
        }
    }
}

/// An option value that is not acceptable, and which option it was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bad<'a> {
    Mac(&'a [u8]),
    Sess(&'a [u8]),
    HostUniq(&'a [u8]),
    /// A Host-Uniq and Service-Name that do not fit in one PADI.
    TooLong(usize),
    StatusFile(&'a [u8]),
    Backoff(&'a [u8]),
    StaleDir(&'a [u8]),
}

impl Bad<'_> {
    /// Calls `f` with the option error (a format and its arguments, see
    /// `rp_pppoe_core::log`): pppd's `option_error` prints it.
    pub(crate) fn with_line<R>(&self, f: impl FnOnce(&'static CStr, &[Arg<'_>]) -> R) -> R {
        // The value as the user gave it, shown "visible", at most 100 bytes.
        let shown = |v: &[u8]| -> usize { v.len().min(100) };
        match *self {
            Bad::Mac(value) => log_with!(
                f,
                "cannot parse pppoe-mac option value '%0.*v'",
                v(value[..shown(value)])
            ),
            Bad::Sess(value) => log_with!(
                f,
                "cannot parse pppoe-sess option value '%0.*v' (expected SESSID:aa:bb:cc:dd:ee:ff)",
                v(value[..shown(value)])
            ),
            Bad::HostUniq(value) => log_with!(
                f,
                "invalid host-uniq value '%0.*v': expected an even number of hex digits, 1 to %d bytes",
                v(value[..shown(value)]),
                d(MAX_HOST_UNIQ)
            ),
            Bad::TooLong(len) => log_with!(
                f,
                "host-uniq and pppoe-service take %d bytes, more than a PADI can carry (%d)",
                d(len),
                d(MAX_PAYLOAD)
            ),
            Bad::Backoff(value) => log_with!(
                f,
                "invalid pppoe-padi-backoff value '%0.*v' (expected fixed or double)",
                v(value[..shown(value)])
            ),
            Bad::StaleDir(value) => log_with!(
                f,
                "invalid pppoe-stale-dir path '%0.*v' (an absolute path is needed)",
                v(value[..shown(value)])
            ),
            Bad::StatusFile(value) => log_with!(
                f,
                "invalid pppoe-status-file path '%0.*v' (an absolute path is needed)",
                v(value[..shown(value)])
            ),
        }
    }
}

impl core::fmt::Display for Bad<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.with_line(|fmt, args| f.write_str(&log::format(fmt, args)))
    }
}

/// The bytes of a PADI's tags: the Service-Name (none with
/// NO-SERVICE-NAME-NON-RFC-COMPLIANT) and the Host-Uniq (the pid's 4 bytes
/// by default), 4 bytes of tag header each.
fn padi_len(service: Option<&[u8]>, host_uniq: Option<&[u8]>) -> usize {
    let service = match service {
        Some(NO_SERVICE_NAME) => 0,
        Some(s) => 4 + s.len(),
        None => 4,
    };
    service + 4 + host_uniq.map_or(4, <[u8]>::len)
}

impl Settings {
    /// Whether the PADI has room for the 6-byte PPP-Max-Payload tag besides
    /// the Service-Name and Host-Uniq.
    pub(crate) fn room_for_max_payload(&self) -> bool {
        padi_len(self.service.as_deref(), self.host_uniq.as_deref()) + 6 <= MAX_PAYLOAD
    }
}

impl Raw {
    /// Checks and converts; the error says which value is not acceptable.
    pub(crate) fn parse(&self) -> Result<Settings, Bad<'_>> {
        let ac_mac = checked(&self.ac_mac, parse_mac, Bad::Mac)?;
        let attach = checked(&self.sess, parse_sess, Bad::Sess)?;
        let host_uniq = checked(&self.host_uniq, parse_host_uniq, Bad::HostUniq)?;
        let status_file = checked(&self.status_file, parse_path, Bad::StatusFile)?;
        let stale_dir = checked(&self.stale_dir, parse_path, Bad::StaleDir)?;
        let padi_backoff = checked(&self.padi_backoff, parse_backoff, Bad::Backoff)?;
        // The PADI carries the Service-Name (unless told not to) and the
        // Host-Uniq: they must fit in one frame (as ppp 2.5). The 6-byte
        // PPP-Max-Payload tag is asked for only where there is room left
        // (Settings::room_for_max_payload).
        let padi = padi_len(self.service.as_deref(), host_uniq.as_deref());
        if padi > MAX_PAYLOAD {
            return Err(Bad::TooLong(padi));
        }
        Ok(Settings {
            service: self.service.clone(),
            ac_name: self.ac_name.clone(),
            attach,
            ac_mac,
            host_uniq,
            verbose: self.verbose.clamp(0, 2) as u8,
            padi_timeout: Duration::from_secs(self.padi_timeout.max(1) as u64),
            padi_attempts: self.padi_attempts.max(1) as u32,
            padi_backoff: padi_backoff.unwrap_or(Backoff::Double),
            status_file,
            stale_cleanup: self.stale_cleanup,
            stale_dir: stale_dir.unwrap_or_else(|| STALE_DIR.into()),
            priority: u8::try_from(self.priority).ok().filter(|p| *p <= 7),
        })
    }
}

/// An option's value converted by `parse`, or `bad` of it; an unset option
/// is `None`.
fn checked<'a, T>(
    value: &'a Option<Vec<u8>>,
    parse: impl Fn(&[u8]) -> Option<T>,
    bad: impl Fn(&'a [u8]) -> Bad<'a>,
) -> Result<Option<T>, Bad<'a>> {
    value
        .as_deref()
        .map(|v| parse(v).ok_or_else(|| bad(v)))
        .transpose()
}

/// `aa:bb:cc:dd:ee:ff`, unicast: a PADO never comes from a group or zero
/// address, and a session's PADT must not go to one.
fn parse_mac(v: &[u8]) -> Option<MacAddr> {
    core::str::from_utf8(v)
        .ok()
        .and_then(MacAddr::parse)
        .filter(MacAddr::is_unicast)
}

/// `fixed` or `double`.
fn parse_backoff(v: &[u8]) -> Option<Backoff> {
    match v {
        b"fixed" => Some(Backoff::Fixed),
        b"double" => Some(Backoff::Double),
        _ => None,
    }
}

/// An absolute UTF-8 path (pppd changes to `/` when it detaches, so a
/// relative one would not stay where the user meant).
fn parse_path(v: &[u8]) -> Option<String> {
    core::str::from_utf8(v)
        .ok()
        .filter(|p| p.starts_with('/') && p.len() > 1)
        .map(String::from)
}

/// Parses `SESSID:aa:bb:cc:dd:ee:ff` (SESSID decimal, 1-65534).
pub(crate) fn parse_sess(v: &[u8]) -> Option<(u16, MacAddr)> {
    let s = core::str::from_utf8(v).ok()?;
    let (sid, mac) = rp_pppoe_core::text::split_once(s, b':')?;
    let sid = rp_pppoe_core::text::parse_dec(sid, 0xfffe).filter(|n| *n != 0)?;
    Some((sid as u16, parse_mac(mac.as_bytes())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_and_zero_macs_are_refused() {
        // The final PADT would go to everyone (pppoe-sess), or no PADO could
        // ever match (pppoe-mac).
        for bad in [
            "ff:ff:ff:ff:ff:ff",
            "01:00:5e:00:00:01",
            "00:00:00:00:00:00",
        ] {
            assert_eq!(
                parse_sess(alloc::format!("7:{bad}").as_bytes()),
                None,
                "{bad}"
            );
            assert_eq!(parse_mac(bad.as_bytes()), None, "{bad}");
        }
        assert!(parse_mac(b"02:00:00:00:00:01").is_some());
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
            raw.parse().unwrap_err().to_string(),
            "cannot parse pppoe-mac option value '00:11:22:33:44'"
        );
        let raw = Raw {
            host_uniq: Some(b"xyz\x01".to_vec()),
            padi_timeout: 5,
            padi_attempts: 3,
            ..Raw::default()
        };
        assert!(raw.parse().unwrap_err().to_string().contains("'xyz^A'"));
        let raw = Raw {
            sess: Some(b"nope".to_vec()),
            padi_timeout: 5,
            padi_attempts: 3,
            ..Raw::default()
        };
        assert!(raw
            .parse()
            .unwrap_err()
            .to_string()
            .starts_with("cannot parse pppoe-sess option value 'nope'"));
    }

    #[test]
    fn status_file_path_must_be_absolute() {
        let with = |p: &[u8]| Raw {
            status_file: Some(p.to_vec()),
            padi_timeout: 5,
            padi_attempts: 3,
            ..Raw::default()
        };
        assert_eq!(
            with(b"/var/run/wan.json")
                .parse()
                .unwrap()
                .status_file
                .as_deref(),
            Some("/var/run/wan.json")
        );
        for bad in [&b"wan.json"[..], b"./wan.json", b"", b"/"] {
            let e = with(bad).parse().unwrap_err().to_string();
            assert!(e.contains("an absolute path is needed"), "{e}");
        }
    }

    #[test]
    fn new_options_are_checked() {
        let parse = |raw: Raw| raw.parse().map_err(|e| e.to_string());
        let s = parse(Raw {
            padi_backoff: Some(b"fixed".to_vec()),
            stale_dir: Some(b"/overlay/pppoe-rs".to_vec()),
            priority: 6,
            verbose: 9,
            ..Raw::default()
        })
        .unwrap();
        assert_eq!(s.padi_backoff, Backoff::Fixed);
        assert_eq!(s.stale_dir, "/overlay/pppoe-rs");
        assert_eq!(s.priority, Some(6));
        assert_eq!(s.verbose, 2);
        let e = parse(Raw {
            padi_backoff: Some(b"exponential".to_vec()),
            ..Raw::default()
        })
        .unwrap_err();
        assert_eq!(
            e,
            "invalid pppoe-padi-backoff value 'exponential' (expected fixed or double)"
        );
        let e = parse(Raw {
            stale_dir: Some(b"var/run".to_vec()),
            ..Raw::default()
        })
        .unwrap_err();
        assert!(
            e.starts_with("invalid pppoe-stale-dir path 'var/run'"),
            "{e}"
        );
    }

    #[test]
    fn host_uniq_up_to_what_fits_in_a_padi() {
        let hex = |n: usize| alloc::vec![b'a'; 2 * n];
        let with = |hu: usize, service: &[u8]| Raw {
            host_uniq: Some(hex(hu)),
            service: Some(service.to_vec()),
            ..Raw::default()
        };
        // 4 + 0 (empty Service-Name) + 4 + 1494 = 1502: the README's limit.
        assert!(with(1494, b"").parse().is_ok());
        assert_eq!(
            with(1495, b"").parse().unwrap_err().to_string(),
            "invalid host-uniq value '".to_string()
                + &"a".repeat(100)
                + "': expected an even number of hex digits, 1 to 1494 bytes"
        );
        assert!(with(1486, b"isp-long").parse().is_ok());
        assert_eq!(
            with(1487, b"isp-long").parse().unwrap_err().to_string(),
            "host-uniq and pppoe-service take 1503 bytes, more than a PADI can carry (1502)"
        );
        // No Service-Name tag at all with NO-SERVICE-NAME-NON-RFC-COMPLIANT.
        assert!(with(1494, NO_SERVICE_NAME).parse().is_ok());
        // PPP-Max-Payload (6 bytes) is asked for only where it fits.
        assert!(with(1488, b"").parse().unwrap().room_for_max_payload());
        assert!(!with(1489, b"").parse().unwrap().room_for_max_payload());
        assert!(Raw::default().parse().unwrap().room_for_max_payload());
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
        assert_eq!(s.verbose, 0);
    }
}
