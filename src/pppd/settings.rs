//! The plugin's settings: the values pppd stored for our options ([`Raw`]),
//! checked and converted ([`Settings`]). Pure: no pppd, no I/O, so every rule
//! is unit-tested here; `options` reads the values, `channel` uses the result.

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_int;
use core::time::Duration;

use rp_pppoe_core::cat;
use rp_pppoe_core::engine::{parse_host_uniq, MAX_HOST_UNIQ};
use rp_pppoe_core::text::Escaped;
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

impl Raw {
    /// Checks and converts; the error is the message for `option_error`.
    pub(crate) fn parse(&self) -> Result<Settings, String> {
        let ac_mac = checked(&self.ac_mac, parse_mac, |v| {
            cat!("cannot parse pppoe-mac option value '", shown(v), "'")
        })?;
        let attach = checked(&self.sess, parse_sess, |v| {
            cat!(
                "cannot parse pppoe-sess option value '",
                shown(v),
                "' (expected SESSID:aa:bb:cc:dd:ee:ff)"
            )
        })?;
        let host_uniq = checked(&self.host_uniq, parse_host_uniq, |v| {
            cat!(
                "invalid host-uniq value '",
                shown(v),
                "': expected an even number of hex digits, 1 to ",
                MAX_HOST_UNIQ,
                " bytes"
            )
        })?;
        let status_file = checked(&self.status_file, parse_path, |v| {
            cat!(
                "invalid pppoe-status-file path '",
                shown(v),
                "' (an absolute path is needed)"
            )
        })?;
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

/// An option's value converted by `parse`, or the message `error` makes of
/// it; an unset option is `None`.
fn checked<T>(
    value: &Option<Vec<u8>>,
    parse: impl Fn(&[u8]) -> Option<T>,
    error: impl Fn(&[u8]) -> String,
) -> Result<Option<T>, String> {
    value
        .as_deref()
        .map(|v| parse(v).ok_or_else(|| error(v)))
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

/// A user-supplied value for a message, escaped and cut at 100 characters.
fn shown(v: &[u8]) -> Escaped<'_> {
    Escaped {
        max: 100,
        ..Escaped::text(v)
    }
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
            let e = with(bad).parse().unwrap_err();
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
