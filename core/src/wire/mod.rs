//! Zero-copy view and emitter for Ethernet + PPPoE frames (RFC 2516).
//!
//! [`Frame`] is a view over a received buffer: [`Frame::new_checked`] validates the
//! Ethernet and PPPoE headers once and sizes the payload by the PPPoE length field
//! (Ethernet pads short frames to 60 bytes; the padding is ignored). After that no
//! accessor can panic. [`Frame::tags`] walks the discovery tags without copying.
//!
//! [`Repr`] is the small, `Copy` description of a frame to send; [`Repr::emit`] writes
//! it into a caller-provided buffer and [`Repr::to_vec`] allocates one.
//!
//! [`dump`] decodes any byte string into one human-readable line for debug logs.
//!
//! Layout of a PPPoE frame as seen on an `AF_PACKET` socket with the Ethernet header:
//!
//! ```text
//!  0      6      12   14       15    16        18      20
//!  | dst  | src  | ET | ver/ty | code| session | length| payload (length bytes) | padding
//! ```

mod dump;
mod error;
mod tags;

pub use dump::dump;
pub use error::Error;
pub use tags::Tags;

use alloc::string::String;
use alloc::vec::Vec;

use crate::display_via_put;
use crate::text::{hex_digit, Label, Put};

/// Ethertype of PPPoE discovery frames.
pub const ETH_P_PPPOE_DISC: u16 = 0x8863;
/// Ethertype of PPPoE session frames.
pub const ETH_P_PPPOE_SESS: u16 = 0x8864;
/// Ethernet header (14) plus PPPoE header (6).
pub const HDR_LEN: usize = 20;
/// The largest valid PPPoE length field; the emitter refuses to build more.
pub const MAX_PAYLOAD: usize = 1502;
/// Receive buffer size used by the OS layer (1528, as the C plugin's `PPPoEPacket`).
pub const MAX_FRAME: usize = HDR_LEN + 1508;

/// The version (high nibble) and type (low nibble) byte: both are 1 in RFC 2516.
const VER_TYPE: u8 = 0x11;
/// Length of a tag header: type (2) and length (2).
const TAG_HDR_LEN: usize = 4;

mod field {
    pub(super) type Field = core::ops::Range<usize>;

    pub(super) const DST: Field = 0..6;
    pub(super) const SRC: Field = 6..12;
    pub(super) const ETHERTYPE: Field = 12..14;
    pub(super) const VER_TYPE: usize = 14;
    pub(super) const CODE: usize = 15;
    pub(super) const SESSION_ID: Field = 16..18;
    pub(super) const LENGTH: Field = 18..20;
    pub(super) const PAYLOAD: usize = 20;
}

/// An Ethernet MAC address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// `FF:FF:FF:FF:FF:FF`.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);

    /// Whether this is `FF:FF:FF:FF:FF:FF`.
    #[cfg_attr(not(test), allow(dead_code))] // part of the API; used by tests
    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }

    /// Whether the group bit (bit 0 of the first byte) is set; includes broadcast.
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// Neither multicast nor `00:00:00:00:00:00`.
    pub fn is_unicast(&self) -> bool {
        !self.is_multicast() && self.0 != [0; 6]
    }

    /// Parses `aa:bb:cc:dd:ee:ff`: exactly six colon-separated groups of one or two hex
    /// digits, upper or lower case, and nothing else (no spaces, signs or other separators).
    pub fn parse(s: &str) -> Option<MacAddr> {
        let mut out = [0u8; 6];
        let mut groups = crate::text::split(s, b':');
        for byte in out.iter_mut() {
            let group = groups.next()?;
            *byte = match *group.as_bytes() {
                [lo] => hex_digit(lo)?,
                [hi, lo] => hex_digit(hi)? << 4 | hex_digit(lo)?,
                _ => return None,
            };
        }
        if groups.next().is_some() {
            return None;
        }
        Some(MacAddr(out))
    }
}

impl MacAddr {
    /// Colon-separated hex, upper case as pppd's `MACREMOTE`
    /// (`AA:BB:CC:DD:EE:FF`) or lower case as pppd's formatter prints it.
    pub fn label(&self, upper: bool) -> Label {
        let mut l = Label::new();
        for (i, &b) in self.0.iter().enumerate() {
            if i > 0 {
                l.push(b":");
            }
            l.push_hex(u32::from(b), 2, upper);
        }
        l
    }
}

impl Put for MacAddr {
    /// Upper case, colon-separated, as pppd's `MACREMOTE`: `AA:BB:CC:DD:EE:FF`.
    fn put(&self, out: &mut String) {
        self.label(true).put(out);
    }
}

/// `open_enum! { Type(repr) ... }`: a newtype over `repr` whose named values
/// are constants, with [`name`](Code::name) from the same table, so every
/// value has one line here (smoltcp's `enum_with_unknown!`, kept open the
/// other way round: unknown values round-trip in the newtype).
macro_rules! open_enum {
    (
        $(#[$attr:meta])*
        pub struct $ty:ident($repr:ty);
        $( $(#[$vattr:meta])* $name:ident = $value:literal, $text:literal; )+
    ) => {
        $(#[$attr])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub struct $ty(pub $repr);

        impl $ty {
            $( $(#[$vattr])* pub const $name: $ty = $ty($value); )+

            /// The RFC name, or `"unknown"`.
            pub fn name(&self) -> &'static str {
                match *self {
                    $( Self::$name => $text, )+
                    _ => "unknown",
                }
            }
        }
    };
}

open_enum! {
    /// The PPPoE code field. Open: unknown values are kept as they are.
    pub struct Code(u8);
    /// PPPoE Active Discovery Initiation.
    PADI = 0x09, "PADI";
    /// PPPoE Active Discovery Offer.
    PADO = 0x07, "PADO";
    /// PPPoE Active Discovery Request.
    PADR = 0x19, "PADR";
    /// PPPoE Active Discovery Session-confirmation.
    PADS = 0x65, "PADS";
    /// PPPoE Active Discovery Terminate.
    PADT = 0xa7, "PADT";
    /// Session data (ethertype 0x8864).
    SESSION = 0x00, "Session";
}

impl Code {
    /// The name, or `Code(0xNN)` for an unknown code.
    pub fn label(&self) -> Label {
        let mut l = Label::new();
        match self.name() {
            "unknown" => {
                l.push(b"Code(0x");
                l.push_hex(u32::from(self.0), 2, false);
                l.push(b")");
            }
            name => l.push(name.as_bytes()),
        }
        l
    }
}

impl Put for Code {
    /// The name, or `Code(0xNN)` for an unknown code.
    fn put(&self, out: &mut String) {
        self.label().put(out);
    }
}

open_enum! {
    /// A discovery tag type. Open: unknown types round-trip unchanged.
    pub struct TagType(u16);
    /// End-Of-List: the tag walk stops here.
    END_OF_LIST = 0x0000, "End-Of-List";
    /// Service-Name (UTF-8, may be empty).
    SERVICE_NAME = 0x0101, "Service-Name";
    /// AC-Name (UTF-8).
    AC_NAME = 0x0102, "AC-Name";
    /// Host-Uniq (opaque, echoed by the AC).
    HOST_UNIQ = 0x0103, "Host-Uniq";
    /// AC-Cookie (opaque, echoed in PADR).
    AC_COOKIE = 0x0104, "AC-Cookie";
    /// Vendor-Specific.
    VENDOR_SPECIFIC = 0x0105, "Vendor-Specific";
    /// Credits (RFC 5578).
    CREDITS = 0x0106, "Credits";
    /// Metrics (RFC 5578).
    METRICS = 0x0107, "Metrics";
    /// Sequence Number (RFC 5578).
    SEQUENCE_NUMBER = 0x0108, "Sequence-Number";
    /// Credit Scale Factor (RFC 5578).
    CREDIT_SCALE_FACTOR = 0x0109, "Credit-Scale-Factor";
    /// Relay-Session-Id (opaque, echoed in PADR and PADT).
    RELAY_SESSION_ID = 0x0110, "Relay-Session-Id";
    /// HURL (RFC 4937).
    HURL = 0x0111, "HURL";
    /// MOTM (RFC 4937).
    MOTM = 0x0112, "MOTM";
    /// PPP-Max-Payload (RFC 4638), 2 bytes big-endian.
    PPP_MAX_PAYLOAD = 0x0120, "PPP-Max-Payload";
    /// IP_Route_Add (RFC 4937).
    IP_ROUTE_ADD = 0x0121, "IP-Route-Add";
    /// Service-Name-Error.
    SERVICE_NAME_ERROR = 0x0201, "Service-Name-Error";
    /// AC-System-Error.
    AC_SYSTEM_ERROR = 0x0202, "AC-System-Error";
    /// Generic-Error.
    GENERIC_ERROR = 0x0203, "Generic-Error";
}

impl TagType {
    /// Service-Name-Error, AC-System-Error or Generic-Error.
    pub fn is_error(&self) -> bool {
        matches!(
            *self,
            Self::SERVICE_NAME_ERROR | Self::AC_SYSTEM_ERROR | Self::GENERIC_ERROR
        )
    }

    /// Tags whose value is text (shown quoted by [`dump`]).
    fn is_text(&self) -> bool {
        self.is_error()
            || matches!(
                *self,
                Self::SERVICE_NAME | Self::AC_NAME | Self::HURL | Self::MOTM
            )
    }
}

impl TagType {
    /// The name, or `Tag(0xNNNN)` for an unknown type.
    pub fn label(&self) -> Label {
        let mut l = Label::new();
        match self.name() {
            "unknown" => {
                l.push(b"Tag(0x");
                l.push_hex(u32::from(self.0), 4, false);
                l.push(b")");
            }
            name => l.push(name.as_bytes()),
        }
        l
    }
}

impl Put for TagType {
    /// The name, or `Tag(0xNNNN)` for an unknown type.
    fn put(&self, out: &mut String) {
        self.label().put(out);
    }
}

/// One discovery tag, borrowed from the frame it was read from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Tag<'a> {
    /// The tag type.
    pub ty: TagType,
    /// The value (the tag length is `value.len()`).
    pub value: &'a [u8],
}

display_via_put!(MacAddr, Code, TagType, Error);
crate::by_value!(MacAddr, Code, TagType, Error);

fn get_u16(bytes: &[u8], range: field::Field) -> u16 {
    match bytes.get(range) {
        Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]),
        _ => 0,
    }
}

fn get_mac(bytes: &[u8], range: field::Field) -> MacAddr {
    let mut mac = [0u8; 6];
    if let Some(src) = bytes.get(range) {
        for (d, s) in mac.iter_mut().zip(src) {
            *d = *s;
        }
    }
    MacAddr(mac)
}

/// Copies `bytes` into `buf` at `at`; false (and nothing written) if it does not fit.
fn put(buf: &mut [u8], at: usize, bytes: &[u8]) -> bool {
    let Some(end) = at.checked_add(bytes.len()) else {
        return false;
    };
    match buf.get_mut(at..end) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

/// A read-only (and, with `AsMut`, writable) view of an Ethernet + PPPoE frame.
///
/// Accessors never panic: on a buffer that was not validated by [`Frame::new_checked`],
/// bytes that are missing read as zero and [`Frame::payload`] is cut to what is present.
#[derive(Debug, Clone)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without validating it.
    pub fn new_unchecked(buffer: T) -> Self {
        Frame { buffer }
    }

    /// Wraps a buffer after checking: at least [`HDR_LEN`] bytes, ethertype 0x8863 or
    /// 0x8864, version 1 and type 1, length field at most [`MAX_PAYLOAD`] and not past the
    /// end of the buffer. Bytes beyond the length field (Ethernet padding) are allowed.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let frame = Self::new_unchecked(buffer);
        frame.check()?;
        Ok(frame)
    }

    fn check(&self) -> Result<(), Error> {
        let len = self.buffer.as_ref().len();
        if len < HDR_LEN {
            return Err(Error::Truncated {
                required: HDR_LEN,
                actual: len,
            });
        }
        let ethertype = self.ethertype();
        if ethertype != ETH_P_PPPOE_DISC && ethertype != ETH_P_PPPOE_SESS {
            return Err(Error::BadEthertype(ethertype));
        }
        let vt = self.ver_type();
        if vt != VER_TYPE {
            return Err(Error::BadVersionType(vt));
        }
        let length = self.length();
        let available = len.saturating_sub(HDR_LEN).min(MAX_PAYLOAD);
        if usize::from(length) > available {
            return Err(Error::LengthTooLong { length, available });
        }
        Ok(())
    }

    fn ver_type(&self) -> u8 {
        self.buffer
            .as_ref()
            .get(field::VER_TYPE)
            .copied()
            .unwrap_or(0)
    }

    /// Ethernet destination.
    pub fn dst(&self) -> MacAddr {
        get_mac(self.buffer.as_ref(), field::DST)
    }

    /// Ethernet source.
    pub fn src(&self) -> MacAddr {
        get_mac(self.buffer.as_ref(), field::SRC)
    }

    /// Ethertype.
    pub fn ethertype(&self) -> u16 {
        get_u16(self.buffer.as_ref(), field::ETHERTYPE)
    }

    /// PPPoE version (high nibble of byte 14).
    #[cfg_attr(not(test), allow(dead_code))] // part of the API; used by tests
    pub fn version(&self) -> u8 {
        self.ver_type() >> 4
    }

    /// PPPoE type (low nibble of byte 14).
    #[cfg_attr(not(test), allow(dead_code))] // part of the API; used by tests
    pub fn ptype(&self) -> u8 {
        self.ver_type() & 0x0f
    }

    /// PPPoE code.
    pub fn code(&self) -> Code {
        Code(self.buffer.as_ref().get(field::CODE).copied().unwrap_or(0))
    }

    /// PPPoE session id.
    pub fn session_id(&self) -> u16 {
        get_u16(self.buffer.as_ref(), field::SESSION_ID)
    }

    /// PPPoE length field.
    pub fn length(&self) -> u16 {
        get_u16(self.buffer.as_ref(), field::LENGTH)
    }

    /// The payload: exactly `length` bytes (padding excluded).
    pub fn payload(&self) -> &[u8] {
        let buf = self.buffer.as_ref();
        let rest = buf.get(field::PAYLOAD..).unwrap_or(&[]);
        let len = usize::from(self.length()).min(rest.len());
        rest.get(..len).unwrap_or(&[])
    }

    /// Walks the discovery tags of the payload.
    pub fn tags(&self) -> TagIter<'_> {
        TagIter::new(self.payload())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    fn put(&mut self, at: usize, bytes: &[u8]) {
        // Setters on a too-short buffer write nothing; `Repr::emit` checks sizes first.
        let _ = put(self.buffer.as_mut(), at, bytes);
    }

    /// Sets the Ethernet destination.
    pub fn set_dst(&mut self, mac: MacAddr) {
        self.put(field::DST.start, &mac.0);
    }

    /// Sets the Ethernet source.
    pub fn set_src(&mut self, mac: MacAddr) {
        self.put(field::SRC.start, &mac.0);
    }

    /// Sets the ethertype.
    pub fn set_ethertype(&mut self, ethertype: u16) {
        self.put(field::ETHERTYPE.start, &ethertype.to_be_bytes());
    }

    /// Sets the version and type nibbles.
    pub fn set_version_type(&mut self, version: u8, ptype: u8) {
        self.put(field::VER_TYPE, &[(version << 4) | (ptype & 0x0f)]);
    }

    /// Sets the code.
    pub fn set_code(&mut self, code: Code) {
        self.put(field::CODE, &[code.0]);
    }

    /// Sets the session id.
    pub fn set_session_id(&mut self, id: u16) {
        self.put(field::SESSION_ID.start, &id.to_be_bytes());
    }

    /// Sets the length field.
    pub fn set_length(&mut self, length: u16) {
        self.put(field::LENGTH.start, &length.to_be_bytes());
    }

    /// Everything after the header, padding included.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.buffer
            .as_mut()
            .get_mut(field::PAYLOAD..)
            .unwrap_or(&mut [])
    }
}

/// Iterator over the tags of a discovery payload.
///
/// Yields `Ok(tag)` for each whole tag; stops (`None`) at End-Of-List or at the end of the
/// payload. A tag whose length runs past the payload yields one `Err(TagOverrun)`, and
/// 1 to 3 trailing bytes yield one `Err(TagTruncated)`; the walk ends after either.
#[derive(Clone, Debug)]
pub struct TagIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> TagIter<'a> {
    /// Walks the tags in `payload` (a discovery payload, without the PPPoE header).
    pub fn new(payload: &'a [u8]) -> TagIter<'a> {
        TagIter {
            rest: payload,
            offset: 0,
        }
    }

    fn finish(&mut self) {
        self.rest = &[];
    }
}

impl<'a> Iterator for TagIter<'a> {
    type Item = Result<Tag<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let offset = self.offset;
        let (ty, len, value_area) = match *self.rest {
            [] => return None,
            [t0, t1, l0, l1, ref value_area @ ..] => (
                TagType(u16::from_be_bytes([t0, t1])),
                u16::from_be_bytes([l0, l1]),
                value_area,
            ),
            _ => {
                let remaining = self.rest.len();
                self.finish();
                return Some(Err(Error::TagTruncated { offset, remaining }));
            }
        };
        if ty == TagType::END_OF_LIST {
            self.finish();
            return None;
        }
        let Some(value) = value_area.get(..usize::from(len)) else {
            let remaining = value_area.len();
            self.finish();
            return Some(Err(Error::TagOverrun {
                offset,
                ty,
                len,
                remaining,
            }));
        };
        self.rest = value_area.get(usize::from(len)..).unwrap_or(&[]);
        self.offset = offset
            .saturating_add(TAG_HDR_LEN)
            .saturating_add(usize::from(len));
        Some(Ok(Tag { ty, value }))
    }
}

impl core::iter::FusedIterator for TagIter<'_> {}

/// A frame to emit.
#[derive(Clone, Copy, Debug)]
pub struct Repr<'a> {
    pub dst: MacAddr,
    pub src: MacAddr,
    pub code: Code,
    pub session_id: u16,
    /// Emitted in this order; no End-Of-List is added.
    pub tags: &'a [Tag<'a>],
}

impl<'a> Repr<'a> {
    /// Bytes of payload: 4 + value length per tag (saturating).
    pub fn payload_len(&self) -> usize {
        self.tags.iter().fold(0usize, |acc, tag| {
            acc.saturating_add(TAG_HDR_LEN)
                .saturating_add(tag.value.len())
        })
    }

    /// [`HDR_LEN`] + [`Repr::payload_len`].
    #[cfg_attr(not(test), allow(dead_code))] // part of the API; used by tests
    pub fn buffer_len(&self) -> usize {
        HDR_LEN.saturating_add(self.payload_len())
    }

    /// Writes the frame at the start of `buf` and returns the number of bytes written.
    /// The ethertype is 0x8864 for [`Code::SESSION`] and 0x8863 otherwise; version and type
    /// are 1. Fails with `TooLong` if the payload would exceed [`MAX_PAYLOAD`] and with
    /// `BufferTooSmall` if `buf` is too short; nothing is written then.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let payload_len = self.payload_len();
        if payload_len > MAX_PAYLOAD {
            return Err(Error::TooLong {
                required: payload_len,
                max: MAX_PAYLOAD,
            });
        }
        let total = HDR_LEN.saturating_add(payload_len);
        let Some(out) = buf.get_mut(..total) else {
            return Err(Error::BufferTooSmall {
                required: total,
                actual: buf.len(),
            });
        };
        let mut frame = Frame::new_unchecked(out);
        frame.set_dst(self.dst);
        frame.set_src(self.src);
        frame.set_ethertype(if self.code == Code::SESSION {
            ETH_P_PPPOE_SESS
        } else {
            ETH_P_PPPOE_DISC
        });
        frame.set_version_type(1, 1);
        frame.set_code(self.code);
        frame.set_session_id(self.session_id);
        // payload_len <= MAX_PAYLOAD, so it fits in the 16-bit field.
        frame.set_length(u16::try_from(payload_len).unwrap_or(u16::MAX));
        let payload = frame.payload_mut();
        let mut at = 0usize;
        for tag in self.tags {
            // Each value is at most MAX_PAYLOAD bytes here, so its length fits.
            let len = u16::try_from(tag.value.len()).unwrap_or(u16::MAX);
            let _ = put(payload, at, &tag.ty.0.to_be_bytes());
            let _ = put(payload, at.saturating_add(2), &len.to_be_bytes());
            let _ = put(payload, at.saturating_add(TAG_HDR_LEN), tag.value);
            at = at
                .saturating_add(TAG_HDR_LEN)
                .saturating_add(tag.value.len());
        }
        Ok(total)
    }

    /// Emits into a new vector of exactly [`Repr::buffer_len`] bytes.
    // `&self` as `emit` (and as the agreed API), though `Repr` is `Copy`.
    #[allow(clippy::wrong_self_convention)]
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let payload_len = self.payload_len();
        if payload_len > MAX_PAYLOAD {
            return Err(Error::TooLong {
                required: payload_len,
                max: MAX_PAYLOAD,
            });
        }
        let mut buf = alloc::vec![0u8; HDR_LEN.saturating_add(payload_len)];
        self.emit(&mut buf)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests;
