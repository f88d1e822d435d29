//! The device word: `nic-IF` or a bare Ethernet interface name
//! (docs/pppd-abi.md §5.5). pppd offers the option table's `o_wild` entry
//! every word no other option took; `options` passes it here.

use core::ffi::CStr;

use rp_pppoe_core::log::Arg;
use rp_pppoe_core::{log_with, os};

use super::api::{self, StringVar};
use super::channel;

/// Strips the optional `nic-` prefix of the device word (only when something
/// follows it, as the C plugin does); true if it was there.
pub(crate) fn device_name(word: &str) -> (&str, bool) {
    match word.strip_prefix("nic-") {
        Some(rest) if !rest.is_empty() => (rest, true),
        _ => (word, false),
    }
}

/// Whether `word` is our device; the interface name if so.
///
/// With `doit` false it only answers, with no side effects. It claims a bare
/// word only if it names an existing Ethernet-type interface; it claims any
/// `nic-` word, so that with `doit` a missing or non-Ethernet interface gets a
/// clear option error (exit 2) instead of "unrecognized option".
///
/// With `doit` true it checks the interface (an option error and `None` if
/// it is unusable), sets pppd's device name and switches pppd to our channel.
pub(crate) fn claim(word: &str, doit: bool) -> Option<&str> {
    let (name, explicit) = device_name(word);
    let info = os::if_info(name);
    if !doit {
        let ethernet = matches!(info, Ok(i) if i.hwtype == os::ARPHRD_ETHER);
        return (ethernet || explicit).then_some(name);
    }
    let api = api::get()?;
    let usable = problem(name, info, |fmt, args| api.option_error_args(fmt, args));
    if usable {
        api.set_string(StringVar::Devnam, name);
        channel::install(api, name);
    }
    usable.then_some(name)
}

/// Whether interface `name` can carry PPPoE; if not, `report` gets the
/// option error (a format and its arguments, see `rp_pppoe_core::log`; the
/// name is shown "visible": it comes from the command line).
fn problem(
    name: &str,
    info: Result<os::IfInfo, os::OsError>,
    report: impl FnOnce(&'static CStr, &[Arg<'_>]),
) -> bool {
    match info {
        Err(e) if e.errno == libc::ENODEV => {
            log_with!(report, "PPPoE interface %0.*v does not exist", v(name))
        }
        Err(e) => log_with!(
            report,
            "cannot use interface %0.*v for PPPoE: %0.*v: %m",
            v(name),
            v(e.what),
            m(e.errno)
        ),
        Ok(i) if i.hwtype != os::ARPHRD_ETHER => log_with!(
            report,
            "interface %0.*v is not an Ethernet interface",
            v(name)
        ),
        Ok(_) => return true,
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nic_prefix() {
        assert_eq!(device_name("nic-eth0"), ("eth0", true));
        assert_eq!(device_name("eth0"), ("eth0", false));
        assert_eq!(device_name("nic-"), ("nic-", false));
        assert_eq!(device_name("nic-br-wan"), ("br-wan", true));
    }

    #[test]
    fn interface_errors_escape_the_name() {
        let missing = Err(os::OsError {
            what: "SIOCGIFINDEX",
            errno: libc::ENODEV,
        });
        let line = |name, info| {
            let mut out = None;
            problem(name, info, |fmt, args| {
                out = Some(rp_pppoe_core::log::format(fmt, args))
            });
            out
        };
        assert_eq!(
            line("eth\x1b[2J0", missing).unwrap(),
            "PPPoE interface eth^[[2J0 does not exist"
        );
        assert_eq!(
            line("lo", os::if_info("lo")).unwrap(),
            "interface lo is not an Ethernet interface"
        );
    }

    #[test]
    fn asking_refuses_unknown_and_loopback_without_side_effects() {
        // doit == false must only answer: no channel switch, no state change.
        assert_eq!(claim("lo", false), None);
        assert_eq!(claim("nosuch0", false), None);
        assert_eq!(claim("noauth", false), None);
        // An explicit nic- word is claimed so that doit can explain the error.
        assert_eq!(claim("nic-nosuch0", false), Some("nosuch0"));
        assert_eq!(
            super::super::session::interface(),
            Some(alloc::string::String::new())
        );
    }
}
