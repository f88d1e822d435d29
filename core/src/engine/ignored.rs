//! Why the engine did not use a frame: the reason, and its log line.

use core::ffi::CStr;

use crate::log::{self, Arg, Level};
use crate::log_with;
use crate::text::text;
use crate::wire::{self, Code, MacAddr, TagType};

/// Why the engine did not use a received frame (see
/// [`Engine::last_ignored`](super::Engine::last_ignored)). The `Display`
/// text is the log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ignored {
    /// Invalid PPPoE header or tag list.
    Malformed(wire::Error),
    /// A session-stage frame (ethertype 0x8864).
    SessionFrame,
    /// A code that the current state does not wait for (PADI, PADR, a second PADO, ...).
    Unexpected(Code),
    /// A PADT before a session exists.
    PadtDuringDiscovery,
    /// Discovery is over (established or failed).
    Finished(Code),
    /// Addressed to another MAC.
    NotForUs(Code, MacAddr),
    /// Sent from our own MAC.
    FromOurselves(Code),
    /// A PADO from a multicast, broadcast or zero MAC.
    NonUnicastSource(MacAddr),
    /// Host-Uniq in use and the frame's first Host-Uniq tag is missing or different.
    HostUniqMismatch(Code),
    /// A PADO from another MAC than `pppoe-mac`.
    WrongMac(MacAddr),
    /// A PADO without an AC-Name tag.
    NoAcName,
    /// A PADO without a Service-Name tag.
    NoServiceName,
    /// A PADO or PADS carrying Service-Name-Error, AC-System-Error or Generic-Error
    /// (the first one is named). For a PADS this counts as a failed PADR attempt.
    ErrorTag(Code, TagType),
    /// A PADO whose AC-Name differs from `rp_pppoe_ac`.
    AcNameMismatch,
    /// A PADO without a Service-Name equal to `rp_pppoe_service`.
    ServiceMismatch,
    /// A PADO whose PADR would exceed the maximum payload.
    PadrTooLong(wire::Error),
    /// A PADS from another MAC than the chosen AC.
    WrongAc(MacAddr),
}

impl Ignored {
    /// Calls `f` with the line that says why (a format and its arguments,
    /// see [`crate::log`]): the engine logs it, `Display` formats it.
    pub fn with_line<R>(&self, f: impl FnOnce(&'static CStr, &[Arg<'_>]) -> R) -> R {
        match *self {
            Ignored::Malformed(err) => {
                let text = text(&err);
                log_with!(f, "Ignoring invalid PPPoE frame: %0.*v", v(text))
            }
            Ignored::SessionFrame => log_with!(f, "Ignoring PPPoE session frame during discovery"),
            Ignored::Unexpected(code) => {
                log_with!(f, "Ignoring unexpected %0.*v packet", v(code.label()))
            }
            Ignored::PadtDuringDiscovery => log_with!(f, "Ignoring PADT packet during discovery"),
            Ignored::Finished(code) => {
                log_with!(
                    f,
                    "Ignoring %0.*v packet: discovery is over",
                    v(code.label())
                )
            }
            Ignored::NotForUs(code, dst) => log_with!(
                f,
                "Ignoring %0.*v packet addressed to %0.*v",
                v(code.label()),
                v(dst.label(true))
            ),
            Ignored::FromOurselves(code) => log_with!(
                f,
                "Ignoring %0.*v packet from our own MAC address",
                v(code.label())
            ),
            Ignored::NonUnicastSource(src) => log_with!(
                f,
                "Ignoring PADO packet from non-unicast MAC address %0.*v",
                v(src.label(true))
            ),
            Ignored::HostUniqMismatch(code) => log_with!(
                f,
                "Ignoring %0.*v packet with a missing or wrong Host-Uniq tag",
                v(code.label())
            ),
            Ignored::WrongMac(src) => log_with!(
                f,
                "Ignoring PADO packet from wrong MAC address %0.*v",
                v(src.label(true))
            ),
            Ignored::NoAcName => log_with!(f, "Ignoring PADO packet with no AC-Name tag"),
            Ignored::NoServiceName => log_with!(f, "Ignoring PADO packet with no Service-Name tag"),
            Ignored::ErrorTag(code, ty) => log_with!(
                f,
                "Ignoring %0.*v packet with a %0.*v tag",
                v(code.label()),
                v(ty.label())
            ),
            Ignored::AcNameMismatch => log_with!(
                f,
                "Ignoring PADO packet: its AC-Name is not the requested one"
            ),
            Ignored::ServiceMismatch => log_with!(
                f,
                "Ignoring PADO packet: it does not offer the requested Service-Name"
            ),
            Ignored::PadrTooLong(err) => {
                let text = text(&err);
                log_with!(
                    f,
                    "Ignoring PADO packet: the PADR answering it is invalid: %0.*v",
                    v(text)
                )
            }
            Ignored::WrongAc(src) => log_with!(
                f,
                "Ignoring PADS packet from %0.*v: not the chosen access concentrator",
                v(src.label(true))
            ),
        }
    }

    /// Logs the line at `level`.
    pub(super) fn log(&self, level: Level) {
        if !cfg!(rp_pppoe_no_log_lines) && log::enabled(level) {
            self.with_line(|fmt, args| log::emit(level, fmt, args));
        }
    }
}

impl core::fmt::Display for Ignored {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.with_line(|fmt, args| f.write_str(&log::format(fmt, args)))
    }
}

impl Ignored {
    pub(super) fn level(&self) -> Level {
        match self {
            Ignored::WrongMac(_) => Level::Warn,
            _ => Level::Debug,
        }
    }
}
