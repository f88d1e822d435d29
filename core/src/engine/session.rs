//! An established session and the PADT that ends it.

use alloc::vec::Vec;

use crate::debug;
use crate::text::text;
use crate::wire::{Code, MacAddr, Repr, Tag, TagType, Tags};

/// The outcome of a successful discovery: what the OS layer needs to connect the
/// session and, later, to send PADT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub session_id: u16,
    pub ac_mac: MacAddr,
    pub our_mac: MacAddr,
    /// What the session keeps of discovery, at most one of each: AC-Name
    /// (of the accepted PADO), Service-Name (of the PADS, else the one asked
    /// for), Host-Uniq (ours), AC-Cookie (of the accepted PADO),
    /// Relay-Session-Id (of the PADS, else of the PADO), PPP-Max-Payload
    /// (usable, of the PADS, else of the PADO).
    pub tags: Tags,
}

impl Session {
    /// A session attached to without discovery (`pppoe-sess`): no tags.
    pub fn attached(session_id: u16, ac_mac: MacAddr, our_mac: MacAddr) -> Session {
        Session {
            session_id,
            ac_mac,
            our_mac,
            tags: Tags::new(),
        }
    }

    /// The AC-Name of the accepted PADO (empty if unknown).
    pub fn ac_name(&self) -> &[u8] {
        self.tags.first(TagType::AC_NAME).unwrap_or_default()
    }

    pub fn host_uniq(&self) -> Option<&[u8]> {
        self.tags.first(TagType::HOST_UNIQ)
    }

    pub fn cookie(&self) -> Option<&[u8]> {
        self.tags.first(TagType::AC_COOKIE)
    }

    pub fn relay_session_id(&self) -> Option<&[u8]> {
        self.tags.first(TagType::RELAY_SESSION_ID)
    }

    /// The PPP-Max-Payload the AC confirmed (RFC 4638).
    pub fn max_payload(&self) -> Option<u16> {
        match *self.tags.first(TagType::PPP_MAX_PAYLOAD)? {
            [hi, lo] => Some(u16::from_be_bytes([hi, lo])),
            _ => None,
        }
    }
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
            (TagType::HOST_UNIQ, self.host_uniq()),
            (TagType::GENERIC_ERROR, generic_error),
            (TagType::AC_COOKIE, self.cookie()),
            (TagType::RELAY_SESSION_ID, self.relay_session_id()),
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
