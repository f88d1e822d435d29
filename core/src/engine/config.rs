//! What the engine is asked to do: [`Config`], and the Host-Uniq given on a
//! command line.

use alloc::vec::Vec;
use core::time::Duration;

use crate::wire::MacAddr;

/// Longest Host-Uniq accepted from a command line (bytes): what fits in a
/// PADI next to an empty Service-Name tag (two tag headers of 4 bytes), as
/// ppp 2.5 allows; RFC 2516 sets no limit of its own.
pub const MAX_HOST_UNIQ: usize = crate::wire::MAX_PAYLOAD - 2 * 4;

/// Parses a Host-Uniq given as hex (`0a1B2c`, an optional `0x` prefix): 1 to
/// [`MAX_HOST_UNIQ`] bytes. The plugin's `host-uniq` and the tools' `-W`.
pub fn parse_host_uniq(v: &[u8]) -> Option<Vec<u8>> {
    let v = v
        .strip_prefix(b"0x")
        .or_else(|| v.strip_prefix(b"0X"))
        .unwrap_or(v);
    crate::text::parse_hex(v).filter(|b| !b.is_empty() && b.len() <= MAX_HOST_UNIQ)
}

/// How the wait grows from one attempt to the next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Backoff {
    /// Attempt k waits `timeout * 2^(k-1)` (stock pppd: 5, 10, 20 s).
    Double,
    /// Every attempt waits `timeout` (OpenWrt's pppd: 5, 5, 5 s).
    #[cfg_attr(not(test), allow(dead_code))] // part of the API; used by tests
    Fixed,
}

/// What the engine is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Mode {
    /// Find an access concentrator and open a session (PADI, PADO, PADR, PADS).
    #[default]
    Dial,
    /// Only list the access concentrators that answer (`pppoe-discovery`):
    /// PADIs as in `Dial`, every PADO reported as an [`Offer`] (`accepted`
    /// meaning it matches the filters), never a PADR; after the last PADI's
    /// wait, [`Event::Listed`] (or `Failed(NoOffer)` at once if no PADI can
    /// be built).
    ListOnly,
}

/// What to ask for and what to accept.
///
/// Not `#[non_exhaustive]`: every user is in this workspace, and a struct
/// literal that names every field fails to compile when a field is added,
/// which is what we want for the plugin's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Our Ethernet address: source of everything we send, destination of what we accept.
    pub our_mac: MacAddr,
    /// Service-Name sent in PADI and PADR (empty = any service). `None`
    /// (`NO-SERVICE-NAME-NON-RFC-COMPLIANT`, for ACs that refuse a PADI
    /// carrying one): no Service-Name tag in the PADI, and the chosen PADO's
    /// first Service-Name in the PADR.
    pub service_name: Option<Vec<u8>>,
    /// `rp_pppoe_service`: a PADO must carry a Service-Name tag exactly equal to this.
    pub service_filter: Option<Vec<u8>>,
    /// `rp_pppoe_ac`: a PADO's AC-Name must be exactly equal to this.
    pub ac_name: Option<Vec<u8>>,
    /// `pppoe-mac`: only accept a PADO from this source address.
    pub ac_mac: Option<MacAddr>,
    /// None: send no Host-Uniq and accept on MAC alone. Some(v): send v, and PADO/PADS must
    /// carry a Host-Uniq tag equal to v (length and bytes).
    pub host_uniq: Option<Vec<u8>>,
    /// Some(n): send PPP-Max-Payload n (RFC 4638) in PADI and PADR.
    pub ppp_max_payload: Option<u16>,
    /// Wait after the first PADI (default 5 s).
    pub padi_timeout: Duration,
    /// PADIs to send before giving up (default 3; 0 counts as 1).
    pub padi_attempts: u32,
    /// Wait after the first PADR (default 5 s).
    pub padr_timeout: Duration,
    /// PADRs to send before giving up (default 3; 0 counts as 1).
    pub padr_attempts: u32,
    /// Growth of the wait between attempts (default `Double`).
    pub backoff: Backoff,
    /// `pppoe-verbose`, as in ppp 2.5: from 1, the tags of every PADO that
    /// answers us are logged (info level); from 2, packet dumps (with pppd's
    /// `debug`) carry the frame in hex too.
    pub verbose: u8,
    /// Dial (default) or list only.
    pub mode: Mode,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            our_mac: MacAddr::default(),
            service_name: Some(Vec::new()),
            service_filter: None,
            ac_name: None,
            ac_mac: None,
            host_uniq: None,
            ppp_max_payload: None,
            padi_timeout: Duration::from_secs(5),
            padi_attempts: 3,
            padr_timeout: Duration::from_secs(5),
            padr_attempts: 3,
            backoff: Backoff::Double,
            verbose: 0,
            mode: Mode::Dial,
        }
    }
}
