//! LCP, CCP and IPCP policy for a PPPoE link, as the C plugin sets it: no
//! serial-line options, and an MTU/MRU that fits the Ethernet link (RFC 4638
//! for more than 1492). The writes into pppd's option structures are `Api`
//! methods.

use core::ffi::c_int;

use rp_pppoe_core::{info, warning};

use super::api::Api;

/// Ethernet MTU minus the 8 bytes of PPPoE + PPP headers.
const PPPOE_OVERHEAD: c_int = 8;
/// The classic PPPoE MTU/MRU (1500 - 8).
pub(crate) const ETH_PPPOE_MTU: c_int = 1492;

/// An LCP MTU (what we send: `allow.mru`) and MRU (`want.mru`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mtu {
    pub(crate) mtu: c_int,
    pub(crate) mru: c_int,
}

impl Mtu {
    /// Both values at most `limit`.
    fn capped(self, limit: c_int) -> Mtu {
        Mtu {
            mtu: self.mtu.min(limit),
            mru: self.mru.min(limit),
        }
    }

    /// The smaller of the two (what the link can carry both ways).
    fn both(self) -> c_int {
        self.mtu.min(self.mru)
    }
}

fn get(api: &Api) -> Mtu {
    let (mtu, mru) = api.lcp_mtu_mru();
    Mtu { mtu, mru }
}

fn set(api: &Api, m: Mtu) {
    api.set_lcp_mtu_mru(m.mtu, m.mru);
}

/// At `check_options`: turns off what makes no sense on Ethernet (LCP
/// ACFC, PFC and asyncmap, CCP deflate and BSD-Compress, IPCP VJ). Returns
/// the MTU/MRU to start every connect from, so one session's clamps do not
/// stick. There is no 1500 cap (as ppp 2.5.3): a jumbo-capable link gets
/// what its MTU allows and the AC confirms (RFC 4638).
pub(crate) fn prepare(api: &Api) -> Mtu {
    api.disable_serial_options();
    let configured = get(api);
    if !api.disable_vj() {
        warning!("IPCP option novj not found; VJ compression left as configured");
    }
    configured
}

/// Before a connect: `configured` clamped to the interface's MTU minus the
/// PPPoE overhead. Returns the payload to ask the AC for (PPP-Max-Payload,
/// RFC 4638), if more than the classic 1492.
pub(crate) fn fit_interface(api: &Api, configured: Mtu, if_mtu: c_int) -> Option<u16> {
    let m = configured.capped(if_mtu - PPPOE_OVERHEAD);
    set(api, m);
    let want = m.both();
    (want > ETH_PPPOE_MTU).then(|| u16::try_from(want).unwrap_or(u16::MAX))
}

/// The classic 1492 when PPP-Max-Payload cannot be asked for (no room for
/// the tag in the PADI beside a long Host-Uniq), with a warning.
pub(crate) fn no_room_for_max_payload(api: &Api) {
    set(api, get(api).capped(ETH_PPPOE_MTU));
    warning!(
        "No room in the PADI for PPP-Max-Payload (RFC 4638) beside the Host-Uniq and Service-Name; limiting MTU/MRU to %d",
        d(ETH_PPPOE_MTU)
    );
}

/// After PADS, when we asked for more than 1492: the AC's confirmed
/// PPP-Max-Payload caps the MTU/MRU; without one, 1492 (with a warning).
pub(crate) fn apply_max_payload(api: &Api, confirmed: Option<u16>) {
    match confirmed {
        Some(mp) => {
            let m = get(api).capped(c_int::from(mp));
            set(api, m);
            info!(
                "PPP-Max-Payload %u accepted by the access concentrator; MTU/MRU up to %d",
                d(mp),
                d(m.both())
            );
        }
        None => {
            set(api, get(api).capped(ETH_PPPOE_MTU));
            warning!(
                "Access concentrator did not confirm PPP-Max-Payload (RFC 4638); limiting MTU/MRU to %d",
                d(ETH_PPPOE_MTU)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capping() {
        let m = Mtu {
            mtu: 1500,
            mru: 1400,
        };
        assert_eq!(
            m.capped(1492),
            Mtu {
                mtu: 1492,
                mru: 1400
            }
        );
        assert_eq!(m.capped(1492).both(), 1400);
        assert_eq!(m.capped(9000), m);
    }
}
