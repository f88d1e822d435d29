//! The plugin's settings: the values pppd stored for our options ([`Raw`]),
//! checked and converted ([`Settings`]). Pure: no pppd, no I/O, so every rule
//! is unit-tested here; `options` reads the values, `channel` uses the result.

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_int;
use core::time::Duration;

use core::ffi::CStr;

use rp_pppoe_core::engine::{parse_host_uniq, MAX_HOST_UNIQ};
use rp_pppoe_core::log::{self, Arg};
use rp_pppoe_core::log_with;
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

/// An option value that is not acceptable, and which option it was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bad<'a> {
    Mac(&'a [u8]),
    Sess(&'a [u8]),
    HostUniq(&'a [u8]),
    StatusFile(&'a [u8]),
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

impl Raw {
    /// Checks and converts; the error says which value is not acceptable.
    pub(crate) fn parse(&self) -> Result<Settings, Bad<'_>> {
        let ac_mac = checked(&self.ac_mac, parse_mac, Bad::Mac)?;
        let attach = checked(&self.sess, parse_sess, Bad::Sess)?;
        let host_uniq = checked(&self.host_uniq, parse_host_uniq, Bad::HostUniq)?;
        let status_file = checked(&self.status_file, parse_path, Bad::StatusFile)?;
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
    let (sid, mac) = s.split_once(':')?;
    if sid.is_empty() || !sid.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let sid: u16 = sid.parse().ok()?;
    if sid == 0 || sid == 0xffff {
        return None;
    }
    Some((sid, parse_mac(mac.as_bytes())?))
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
}
