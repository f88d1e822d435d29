//! Why the engine did not use a frame: the reason, and its log line.

use alloc::string::String;

use crate::log::Level;
use crate::push;
use crate::text::Put;
use crate::wire::{self, Code, MacAddr, TagType};

/// Why the engine did not use a received frame (see [`Engine::last_ignored`]).
/// The `Display` text is the log line.
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

impl Put for Ignored {
    fn put(&self, out: &mut String) {
        match *self {
            Ignored::Malformed(err) => push!(out; "Ignoring invalid PPPoE frame: ", err),
            Ignored::SessionFrame => out.push_str("Ignoring PPPoE session frame during discovery"),
            Ignored::Unexpected(code) => push!(out; "Ignoring unexpected ", code, " packet"),
            Ignored::PadtDuringDiscovery => out.push_str("Ignoring PADT packet during discovery"),
            Ignored::Finished(code) => push!(out; "Ignoring ", code, " packet: discovery is over"),
            Ignored::NotForUs(code, dst) => {
                push!(out; "Ignoring ", code, " packet addressed to ", dst)
            }
            Ignored::FromOurselves(code) => {
                push!(out; "Ignoring ", code, " packet from our own MAC address")
            }
            Ignored::NonUnicastSource(src) => {
                push!(out; "Ignoring PADO packet from non-unicast MAC address ", src)
            }
            Ignored::HostUniqMismatch(code) => {
                push!(out; "Ignoring ", code, " packet with a missing or wrong Host-Uniq tag")
            }
            Ignored::WrongMac(src) => {
                push!(out; "Ignoring PADO packet from wrong MAC address ", src)
            }
            Ignored::NoAcName => out.push_str("Ignoring PADO packet with no AC-Name tag"),
            Ignored::NoServiceName => out.push_str("Ignoring PADO packet with no Service-Name tag"),
            Ignored::ErrorTag(code, ty) => {
                push!(out; "Ignoring ", code, " packet with a ", ty, " tag")
            }
            Ignored::AcNameMismatch => {
                out.push_str("Ignoring PADO packet: its AC-Name is not the requested one")
            }
            Ignored::ServiceMismatch => {
                out.push_str("Ignoring PADO packet: it does not offer the requested Service-Name")
            }
            Ignored::PadrTooLong(err) => {
                push!(out; "Ignoring PADO packet: the PADR answering it is invalid: ", err)
            }
            Ignored::WrongAc(src) => push!(out;
                "Ignoring PADS packet from ", src, ": not the chosen access concentrator"
            ),
        }
    }
}

crate::display_via_put!(Ignored);
crate::by_value!(Ignored);

impl Ignored {
    pub(super) fn level(&self) -> Level {
        match self {
            Ignored::WrongMac(_) => Level::Warn,
            _ => Level::Debug,
        }
    }
}
