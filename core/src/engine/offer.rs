//! Reading a PADO or PADS: the tags the client cares about ([`Summary`]) and
//! what an offer said ([`Offer`]), read once for the engine, the plugin's
//! status file and `pppoe-discovery`.

use alloc::string::String;

use crate::log::Level;
use crate::text::{text, Hex2, Label, Put};
use crate::wire::{Code, MacAddr, Tag, TagIter, TagType, Tags};
use crate::{debug, info, log};

use super::Ignored;

/// Smallest PPP-Max-Payload value taken from an AC (RFC 4638: larger than 1492).
pub(super) const MIN_MAX_PAYLOAD: u16 = 1492;

/// A PADO that was addressed to us (right MAC and Host-Uniq), accepted or
/// not: its tags as they came, read in place for the plugin, its status file
/// and `pppoe-discovery`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub ac_mac: MacAddr,
    /// The PADO's tags.
    pub tags: Tags,
    /// Chosen (the first acceptable one; in [`Mode::ListOnly`](super::Mode::ListOnly): acceptable).
    pub accepted: bool,
    /// Why it was not accepted.
    pub refused: Option<Ignored>,
}

impl Offer {
    /// The first AC-Name (empty if there was none).
    pub fn ac_name(&self) -> &[u8] {
        self.tags.first(TagType::AC_NAME).unwrap_or_default()
    }

    /// Every Service-Name, in order.
    pub fn service_names(&self) -> impl Iterator<Item = &[u8]> {
        self.tags.all(TagType::SERVICE_NAME)
    }

    /// The first AC-Cookie.
    pub fn cookie(&self) -> Option<&[u8]> {
        self.tags.first(TagType::AC_COOKIE)
    }

    /// The first Relay-Session-Id.
    pub fn relay_session_id(&self) -> Option<&[u8]> {
        self.tags.first(TagType::RELAY_SESSION_ID)
    }

    /// The first PPP-Max-Payload's value, if it is 2 bytes long (whatever the
    /// value; see [`Offer::usable_max_payload`]).
    pub fn max_payload(&self) -> Option<u16> {
        u16_value(self.tags.first(TagType::PPP_MAX_PAYLOAD)?)
    }

    /// The PPP-Max-Payload if it is usable (RFC 4638: at least 1492).
    pub fn usable_max_payload(&self) -> Option<u16> {
        self.max_payload().filter(|&v| v >= MIN_MAX_PAYLOAD)
    }

    /// The first Service-Name-Error, AC-System-Error or Generic-Error tag.
    pub fn error(&self) -> Option<Tag<'_>> {
        self.tags.iter().find(|t| t.ty.is_error())
    }
}

/// A 2-byte big-endian value.
fn u16_value(v: &[u8]) -> Option<u16> {
    match *v {
        [hi, lo] => Some(u16::from_be_bytes([hi, lo])),
        _ => None,
    }
}

/// The first instance of each single-instance tag of a PADO or PADS.
#[derive(Default)]
pub(super) struct Summary<'a> {
    pub(super) ac_name: Option<&'a [u8]>,
    pub(super) service_name: Option<&'a [u8]>,
    pub(super) host_uniq: Option<&'a [u8]>,
    pub(super) cookie: Option<&'a [u8]>,
    pub(super) relay: Option<&'a [u8]>,
    pub(super) max_payload: Option<&'a [u8]>,
    pub(super) first_error: Option<Tag<'a>>,
}

impl<'a> Summary<'a> {
    /// Reads the tags of an already validated payload; logs duplicates (the first wins).
    pub(super) fn new(code: Code, payload: &'a [u8]) -> Summary<'a> {
        let mut s = Summary::default();
        for tag in TagIter::new(payload).flatten() {
            let slot = match tag.ty {
                TagType::SERVICE_NAME => {
                    s.service_name.get_or_insert(tag.value);
                    continue;
                }
                ty if ty.is_error() => {
                    s.first_error.get_or_insert(tag);
                    continue;
                }
                TagType::AC_NAME => &mut s.ac_name,
                TagType::HOST_UNIQ => &mut s.host_uniq,
                TagType::AC_COOKIE => &mut s.cookie,
                TagType::RELAY_SESSION_ID => &mut s.relay,
                TagType::PPP_MAX_PAYLOAD => &mut s.max_payload,
                _ => continue,
            };
            if slot.is_some() {
                debug!(
                    "%0.*v: ignoring duplicate %0.*v tag",
                    v(code.label()),
                    v(tag.ty.label())
                );
            } else {
                *slot = Some(tag.value);
            }
        }
        s
    }

    /// The PPP-Max-Payload value if it is valid (2 bytes, at least 1492).
    pub(super) fn max_payload(&self, code: Code) -> Option<u16> {
        let value = self.max_payload?;
        let usable = u16_value(value).filter(|&v| v >= MIN_MAX_PAYLOAD);
        if usable.is_none() {
            debug!(
                "%0.*v: ignoring invalid PPP-Max-Payload tag %0.*v",
                v(code.label()),
                v(text(&HexList(value)))
            );
        }
        usable
    }
}

/// Every Service-Name tag of an already validated payload.
pub(super) fn service_names(payload: &[u8]) -> impl Iterator<Item = &[u8]> {
    TagIter::new(payload)
        .flatten()
        .filter(|t| t.ty == TagType::SERVICE_NAME)
        .map(|t| t.value)
}

/// Logs the error tags of a validated payload as the C plugin does
/// ("PADO: Service-Name-Error: TEXT", "PADS: System-Error: TEXT"): the first
/// at `first`, any others at debug level (a frame can carry hundreds; one
/// line per frame is enough for syslog).
pub(super) fn log_error_tags(code: Code, payload: &[u8], first: Level) {
    let mut level = first;
    for tag in TagIter::new(payload).flatten() {
        if tag.ty.is_error() {
            let name = match tag.ty {
                TagType::AC_SYSTEM_ERROR => {
                    let mut l = Label::new();
                    l.push(b"System-Error");
                    l
                }
                ty => ty.label(),
            };
            log!(
                level,
                "%0.*v: %0.*v: %0.*v",
                v(code.label()),
                v(name),
                v(tag.value)
            );
            level = Level::Debug;
        }
    }
}

/// With `pppoe-verbose`, logs the tags of a PADO as ppp 2.5's plugin does,
/// in their order: the AC-Name, every non-empty Service-Name, the first 20
/// bytes of the AC-Cookie and of the Relay-Session-Id, PPP-Max-Payload.
pub(super) fn log_verbose_tags(payload: &[u8]) {
    for tag in TagIter::new(payload).flatten() {
        match (tag.ty, tag.value) {
            (TagType::AC_NAME, name) => info!("Access-Concentrator: %0.*v", v(name)),
            (TagType::SERVICE_NAME, name) if !name.is_empty() => {
                info!("Service-Name: %0.*v", v(name))
            }
            (TagType::AC_COOKIE, bytes) => info!("Cookie:%0.*v", v(hex_prefix(bytes))),
            (TagType::RELAY_SESSION_ID, bytes) => info!("Relay-ID:%0.*v", v(hex_prefix(bytes))),
            (TagType::PPP_MAX_PAYLOAD, &[hi, lo]) => {
                info!("Max-Payload: %u", d(u16::from_be_bytes([hi, lo])))
            }
            _ => {}
        }
    }
}

/// ` xx xx ...`: the first 20 bytes in hex, and `...` if there are more.
fn hex_prefix(bytes: &[u8]) -> HexPrefix {
    let mut out = HexPrefix([0; 64], 0);
    for &b in bytes.iter().take(20) {
        out.push(b' ');
        out.push(LOWER_HEX[usize::from(b >> 4)]);
        out.push(LOWER_HEX[usize::from(b & 0xf)]);
    }
    if bytes.len() > 20 {
        for &c in b"..." {
            out.push(c);
        }
    }
    out
}

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

/// What [`hex_prefix`] makes (at most 63 bytes).
struct HexPrefix([u8; 64], usize);

impl HexPrefix {
    fn push(&mut self, c: u8) {
        if let Some(slot) = self.0.get_mut(self.1) {
            *slot = c;
            self.1 += 1;
        }
    }
}

impl AsRef<[u8]> for HexPrefix {
    fn as_ref(&self) -> &[u8] {
        self.0.get(..self.1).unwrap_or(&[])
    }
}

/// Bytes as `[05, dc, 01]` (`{:02x?}`).
struct HexList<'a>(&'a [u8]);

impl Put for HexList<'_> {
    fn put(&self, out: &mut String) {
        out.push('[');
        for (i, &b) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            Hex2(b).put(out);
        }
        out.push(']');
    }
}

pub(super) fn host_uniq_ok(want: Option<&[u8]>, got: Option<&[u8]>) -> bool {
    match want {
        None => true,
        Some(want) => got == Some(want),
    }
}

crate::by_value!(HexList<'_>);
