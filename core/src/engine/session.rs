//! An established session and the PADT that ends it.

use alloc::vec::Vec;

use crate::debug;
use crate::text::text;
use crate::wire::{Code, MacAddr, Repr, Tag, TagType};

/// The outcome of a successful discovery: what the OS layer needs to connect the
/// session and, later, to send PADT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub session_id: u16,
    pub ac_mac: MacAddr,
    pub our_mac: MacAddr,
    /// AC-Name of the accepted PADO.
    pub ac_name: Vec<u8>,
    /// The Service-Name of the PADS, or the configured one if the PADS had none.
    pub service_name: Vec<u8>,
    pub host_uniq: Option<Vec<u8>>,
    /// AC-Cookie of the accepted PADO.
    pub cookie: Option<Vec<u8>>,
    /// Relay-Session-Id of the PADS, else of the accepted PADO.
    pub relay_session_id: Option<Vec<u8>>,
    /// PPP-Max-Payload (2 bytes, at least 1492) from the PADS, else from the accepted PADO.
    pub max_payload: Option<u16>,
}

impl Session {
    /// A complete Ethernet PADT for this session: to the AC, from us, with the tags
    /// Host-Uniq (if any), Generic-Error (if given), AC-Cookie (if any) and
    /// Relay-Session-Id (if any), in that order.
    ///
    /// If they do not all fit in one frame, tags are left out in this order until they
    /// do: Generic-Error, Relay-Session-Id, AC-Cookie, Host-Uniq (the session id and the
    /// MAC addresses are what identify the session).
    pub fn padt(&self, generic_error: Option<&[u8]>) -> Vec<u8> {
        let mut tags: Vec<Tag<'_>> = Vec::with_capacity(4);
        let optional = [
            (TagType::HOST_UNIQ, self.host_uniq.as_deref()),
            (TagType::GENERIC_ERROR, generic_error),
            (TagType::AC_COOKIE, self.cookie.as_deref()),
            (TagType::RELAY_SESSION_ID, self.relay_session_id.as_deref()),
        ];
        for (ty, value) in optional {
            if let Some(value) = value {
                tags.push(Tag { ty, value });
            }
        }
        let drop_order = [
            TagType::GENERIC_ERROR,
            TagType::RELAY_SESSION_ID,
            TagType::AC_COOKIE,
            TagType::HOST_UNIQ,
        ];
        let mut drop_order = drop_order.iter();
        loop {
            let repr = Repr {
                dst: self.ac_mac,
                src: self.our_mac,
                code: Code::PADT,
                session_id: self.session_id,
                tags: &tags,
            };
            match repr.to_vec() {
                Ok(frame) => return frame,
                Err(err) => match drop_order.next() {
                    Some(&ty) => {
                        if tags.iter().any(|t| t.ty == ty) {
                            debug!(
                                "PADT: %0.*v; leaving out the %0.*v tag",
                                v(text(&err)),
                                v(ty.label())
                            );
                        }
                        tags.retain(|t| t.ty != ty);
                    }
                    // Unreachable: a PADT without tags always fits.
                    None => return Vec::new(),
                },
            }
        }
    }
}
