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

use alloc::string::String;
use alloc::vec::Vec;

use crate::text::{hex_digit, Escaped, Hex2, Hex4, Put, Style};
use crate::{cat, display_via_put, push};

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
        let mut groups = s.split(':');
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

impl Put for MacAddr {
    /// Upper case, colon-separated, as pppd's `MACREMOTE`: `AA:BB:CC:DD:EE:FF`.
    fn put(&self, out: &mut String) {
        for (i, &b) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            crate::text::hex(out, u64::from(b), 2, true);
        }
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

impl Put for Code {
    /// The name, or `Code(0xNN)` for an unknown code.
    fn put(&self, out: &mut String) {
        match self.name() {
            "unknown" => push!(out; "Code(0x", Hex2(self.0), ")"),
            name => out.push_str(name),
        }
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

impl Put for TagType {
    /// The name, or `Tag(0xNNNN)` for an unknown type.
    fn put(&self, out: &mut String) {
        match self.name() {
            "unknown" => push!(out; "Tag(0x", Hex4(self.0), ")"),
            name => out.push_str(name),
        }
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

/// Why a frame could not be parsed or emitted. Offsets are from the start of the payload.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Error {
    /// The buffer is shorter than the Ethernet + PPPoE header.
    Truncated { required: usize, actual: usize },
    /// The ethertype is neither 0x8863 nor 0x8864.
    BadEthertype(u16),
    /// The version/type byte is not 0x11.
    BadVersionType(u8),
    /// The length field is larger than the bytes present, or than [`MAX_PAYLOAD`].
    /// `available` is the number of payload bytes that could be used (at most `MAX_PAYLOAD`).
    LengthTooLong { length: u16, available: usize },
    /// 1 to 3 bytes are left at `offset`: not a whole tag header.
    TagTruncated { offset: usize, remaining: usize },
    /// The tag at `offset` claims `len` value bytes but only `remaining` follow its header.
    TagOverrun {
        offset: usize,
        ty: TagType,
        len: u16,
        remaining: usize,
    },
    /// Emitting would need a payload of `required` bytes, more than `max`.
    TooLong { required: usize, max: usize },
    /// The output buffer holds `actual` bytes but `required` are needed.
    BufferTooSmall { required: usize, actual: usize },
}

impl Put for Error {
    fn put(&self, out: &mut String) {
        match *self {
            Error::Truncated { required, actual } => push!(out;
                "truncated frame: ", actual, " bytes, the Ethernet and PPPoE headers need ", required
            ),
            Error::BadEthertype(ty) => push!(out; "not a PPPoE frame: ethertype 0x", Hex4(ty)),
            Error::BadVersionType(vt) => push!(out;
                "unsupported PPPoE version ", vt >> 4, " / type ", vt & 0x0f, " (byte 0x", Hex2(vt),
                "), expected 1 / 1"
            ),
            Error::LengthTooLong { length, available } => push!(out;
                "invalid PPPoE length field ", length, ": only ", available,
                " payload bytes available"
            ),
            Error::TagTruncated { offset, remaining } => push!(out;
                "truncated tag header at payload offset ", offset, ": ", remaining,
                " bytes left, 4 needed"
            ),
            Error::TagOverrun {
                offset,
                ty,
                len,
                remaining,
            } => push!(out;
                ty, " tag at payload offset ", offset, " has length ", len, " but only ", remaining,
                " bytes follow"
            ),
            Error::TooLong { required, max } => push!(out;
                "would create too-long packet: payload of ", required, " bytes, maximum ", max
            ),
            Error::BufferTooSmall { required, actual } => push!(out;
                "buffer too small: ", actual, " bytes, ", required, " needed"
            ),
        }
    }
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

/// Text longer than this is cut in [`dump`].
const DUMP_TEXT_MAX: usize = 64;
/// Binary values longer than this are cut in [`dump`].
const DUMP_HEX_MAX: usize = 32;

fn dump_hex(out: &mut String, value: &[u8]) {
    if value.is_empty() {
        out.push_str("(empty)");
        return;
    }
    out.push_str("0x");
    for &b in value.iter().take(DUMP_HEX_MAX) {
        Hex2(b).put(out);
    }
    if value.len() > DUMP_HEX_MAX {
        push!(out; "... (", value.len(), " bytes)");
    }
}

/// One-line human decode of a frame for debug logs, e.g.
/// `PADI dst FF:FF:FF:FF:FF:FF src 02:00:00:00:00:01 sess 0x0000 len 12 [Service-Name ""] [Host-Uniq 0x01020304]`.
/// Text tags are quoted with non-printable bytes as `\xNN`, binary tags are in hex, long
/// values are cut with `...`. Never panics: an invalid frame prints the parse error.
pub fn dump(frame: &[u8]) -> String {
    let frame = match Frame::new_checked(frame) {
        Ok(frame) => frame,
        Err(err) => {
            return cat!("invalid frame (", frame.len(), " bytes): ", err);
        }
    };
    let mut out = cat!(
        frame.code(),
        " dst ",
        frame.dst(),
        " src ",
        frame.src(),
        " sess 0x",
        Hex4(frame.session_id()),
        " len ",
        frame.length()
    );
    if frame.ethertype() == ETH_P_PPPOE_SESS {
        // Session payloads are PPP, not tags.
        return out;
    }
    for tag in frame.tags() {
        match tag {
            Ok(tag) => {
                push!(&mut out; " [", tag.ty, ' ');
                match (tag.ty, tag.value) {
                    (TagType::PPP_MAX_PAYLOAD, &[hi, lo]) => {
                        u16::from_be_bytes([hi, lo]).put(&mut out);
                    }
                    (ty, bytes) if ty.is_text() => Escaped {
                        bytes,
                        style: Style::Quoted,
                        max: DUMP_TEXT_MAX,
                    }
                    .put(&mut out),
                    (_, value) => dump_hex(&mut out, value),
                }
                out.push(']');
            }
            Err(err) => push!(&mut out; " [error: ", err, "]"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const US: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
    const AC: MacAddr = MacAddr([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
    const HOST_UNIQ: &[u8] = &[0x01, 0x02, 0x03, 0x04];

    #[rustfmt::skip]
    static PADI: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // dst
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // src
        0x88, 0x63,                         // ethertype
        0x11, 0x09, 0x00, 0x00, 0x00, 0x0c, // ver/type, PADI, session 0, length 12
        0x01, 0x01, 0x00, 0x00,             // Service-Name ""
        0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, // Host-Uniq
    ];

    #[rustfmt::skip]
    static PADO: [u8; 59] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x88, 0x63,
        0x11, 0x07, 0x00, 0x00, 0x00, 0x27, // PADO, length 39
        0x01, 0x02, 0x00, 0x03, b'a', b'c', b'1',         // AC-Name "ac1"
        0x01, 0x01, 0x00, 0x00,                           // Service-Name ""
        0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,   // Host-Uniq
        0x01, 0x04, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,   // AC-Cookie
        0x01, 0x10, 0x00, 0x02, 0xab, 0xcd,               // Relay-Session-Id
        0x01, 0x20, 0x00, 0x02, 0x05, 0xdc,               // PPP-Max-Payload 1500
    ];

    #[rustfmt::skip]
    static PADR: [u8; 46] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x88, 0x63,
        0x11, 0x19, 0x00, 0x00, 0x00, 0x1a, // PADR, length 26
        0x01, 0x01, 0x00, 0x00,
        0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
        0x01, 0x04, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
        0x01, 0x10, 0x00, 0x02, 0xab, 0xcd,
    ];

    #[rustfmt::skip]
    static PADS: [u8; 35] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x88, 0x63,
        0x11, 0x65, 0x12, 0x34, 0x00, 0x0f, // PADS, session 0x1234, length 15
        0x01, 0x01, 0x00, 0x03, b'i', b's', b'p',        // Service-Name "isp"
        0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
    ];

    #[rustfmt::skip]
    static PADT: [u8; 35] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x88, 0x63,
        0x11, 0xa7, 0x12, 0x34, 0x00, 0x0f, // PADT, session 0x1234, length 15
        0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
        0x02, 0x03, 0x00, 0x03, b'b', b'y', b'e',        // Generic-Error "bye"
    ];

    fn tags_of(frame: &Frame<&[u8]>) -> Vec<Tag<'static>> {
        // Leak-free copy for comparisons: tests only use static vectors.
        frame
            .tags()
            .map(|t| t.expect("clean tag walk"))
            .map(|t| Tag {
                ty: t.ty,
                value: Vec::leak(t.value.to_vec()),
            })
            .collect()
    }

    fn check_round_trip(bytes: &[u8], repr: &Repr<'_>) {
        let frame = Frame::new_checked(bytes).expect("valid vector");
        assert_eq!(frame.dst(), repr.dst);
        assert_eq!(frame.src(), repr.src);
        assert_eq!(frame.code(), repr.code);
        assert_eq!(frame.session_id(), repr.session_id);
        assert_eq!(frame.version(), 1);
        assert_eq!(frame.ptype(), 1);
        assert_eq!(usize::from(frame.length()), repr.payload_len());
        assert_eq!(tags_of(&frame), repr.tags);
        assert_eq!(repr.buffer_len(), bytes.len());
        let mut buf = vec![0xeeu8; bytes.len() + 7];
        assert_eq!(repr.emit(&mut buf), Ok(bytes.len()));
        assert_eq!(&buf[..bytes.len()], bytes);
        assert!(
            buf[bytes.len()..].iter().all(|&b| b == 0xee),
            "wrote past the end"
        );
        assert_eq!(repr.to_vec().unwrap(), bytes);
    }

    #[test]
    fn padi_parse_and_emit() {
        let tags = [
            Tag {
                ty: TagType::SERVICE_NAME,
                value: b"",
            },
            Tag {
                ty: TagType::HOST_UNIQ,
                value: HOST_UNIQ,
            },
        ];
        let repr = Repr {
            dst: MacAddr::BROADCAST,
            src: US,
            code: Code::PADI,
            session_id: 0,
            tags: &tags,
        };
        check_round_trip(&PADI, &repr);
        let frame = Frame::new_checked(&PADI[..]).unwrap();
        assert_eq!(frame.ethertype(), ETH_P_PPPOE_DISC);
        assert!(frame.dst().is_broadcast());
        assert_eq!(frame.payload(), &PADI[20..]);
    }

    #[test]
    fn pado_parse_and_emit() {
        let tags = [
            Tag {
                ty: TagType::AC_NAME,
                value: b"ac1",
            },
            Tag {
                ty: TagType::SERVICE_NAME,
                value: b"",
            },
            Tag {
                ty: TagType::HOST_UNIQ,
                value: HOST_UNIQ,
            },
            Tag {
                ty: TagType::AC_COOKIE,
                value: &[0xde, 0xad, 0xbe, 0xef],
            },
            Tag {
                ty: TagType::RELAY_SESSION_ID,
                value: &[0xab, 0xcd],
            },
            Tag {
                ty: TagType::PPP_MAX_PAYLOAD,
                value: &[0x05, 0xdc],
            },
        ];
        let repr = Repr {
            dst: US,
            src: AC,
            code: Code::PADO,
            session_id: 0,
            tags: &tags,
        };
        check_round_trip(&PADO, &repr);
    }

    #[test]
    fn padr_parse_and_emit() {
        let tags = [
            Tag {
                ty: TagType::SERVICE_NAME,
                value: b"",
            },
            Tag {
                ty: TagType::HOST_UNIQ,
                value: HOST_UNIQ,
            },
            Tag {
                ty: TagType::AC_COOKIE,
                value: &[0xde, 0xad, 0xbe, 0xef],
            },
            Tag {
                ty: TagType::RELAY_SESSION_ID,
                value: &[0xab, 0xcd],
            },
        ];
        let repr = Repr {
            dst: AC,
            src: US,
            code: Code::PADR,
            session_id: 0,
            tags: &tags,
        };
        check_round_trip(&PADR, &repr);
    }

    #[test]
    fn pads_parse_and_emit() {
        let tags = [
            Tag {
                ty: TagType::SERVICE_NAME,
                value: b"isp",
            },
            Tag {
                ty: TagType::HOST_UNIQ,
                value: HOST_UNIQ,
            },
        ];
        let repr = Repr {
            dst: US,
            src: AC,
            code: Code::PADS,
            session_id: 0x1234,
            tags: &tags,
        };
        check_round_trip(&PADS, &repr);
    }

    #[test]
    fn padt_parse_and_emit() {
        let tags = [
            Tag {
                ty: TagType::HOST_UNIQ,
                value: HOST_UNIQ,
            },
            Tag {
                ty: TagType::GENERIC_ERROR,
                value: b"bye",
            },
        ];
        let repr = Repr {
            dst: AC,
            src: US,
            code: Code::PADT,
            session_id: 0x1234,
            tags: &tags,
        };
        check_round_trip(&PADT, &repr);
    }

    #[test]
    fn session_frames_use_session_ethertype() {
        let repr = Repr {
            dst: AC,
            src: US,
            code: Code::SESSION,
            session_id: 7,
            tags: &[],
        };
        let bytes = repr.to_vec().unwrap();
        assert_eq!(
            &bytes[12..20],
            &[0x88, 0x64, 0x11, 0x00, 0x00, 0x07, 0x00, 0x00]
        );
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        assert_eq!(frame.ethertype(), ETH_P_PPPOE_SESS);
        assert_eq!(frame.payload(), b"");
    }

    #[test]
    fn truncated_ethernet_header() {
        for len in [0, 1, 6, 13] {
            assert_eq!(
                Frame::new_checked(&PADI[..len]).unwrap_err(),
                Error::Truncated {
                    required: 20,
                    actual: len
                }
            );
        }
    }

    #[test]
    fn truncated_pppoe_header() {
        for len in [14, 15, 19] {
            assert_eq!(
                Frame::new_checked(&PADI[..len]).unwrap_err(),
                Error::Truncated {
                    required: 20,
                    actual: len
                }
            );
        }
    }

    #[test]
    fn wrong_version_or_type() {
        for vt in [0x10u8, 0x01, 0x21, 0x12, 0x00, 0xff] {
            let mut bytes = PADI;
            bytes[14] = vt;
            assert_eq!(
                Frame::new_checked(&bytes[..]).unwrap_err(),
                Error::BadVersionType(vt)
            );
        }
    }

    #[test]
    fn wrong_ethertype() {
        let mut bytes = PADI;
        bytes[12..14].copy_from_slice(&[0x08, 0x00]);
        assert_eq!(
            Frame::new_checked(&bytes[..]).unwrap_err(),
            Error::BadEthertype(0x0800)
        );
        // An 802.1Q tag is not stripped here: the kernel does that for AF_PACKET sockets.
        bytes[12..14].copy_from_slice(&[0x81, 0x00]);
        assert_eq!(
            Frame::new_checked(&bytes[..]).unwrap_err(),
            Error::BadEthertype(0x8100)
        );
    }

    #[test]
    fn length_field_larger_than_frame() {
        let mut bytes = PADI;
        bytes[19] = 13; // one more than present
        assert_eq!(
            Frame::new_checked(&bytes[..]).unwrap_err(),
            Error::LengthTooLong {
                length: 13,
                available: 12
            }
        );
        // A frame cut inside the payload.
        assert_eq!(
            Frame::new_checked(&PADI[..25]).unwrap_err(),
            Error::LengthTooLong {
                length: 12,
                available: 5
            }
        );
    }

    #[test]
    fn length_field_larger_than_max_payload() {
        let mut bytes = vec![0u8; MAX_FRAME];
        bytes[..20].copy_from_slice(&PADI[..20]);
        bytes[18..20].copy_from_slice(&1503u16.to_be_bytes());
        assert_eq!(
            Frame::new_checked(&bytes[..]).unwrap_err(),
            Error::LengthTooLong {
                length: 1503,
                available: 1502
            }
        );
        bytes[18..20].copy_from_slice(&0xffffu16.to_be_bytes());
        assert_eq!(
            Frame::new_checked(&bytes[..]).unwrap_err(),
            Error::LengthTooLong {
                length: 0xffff,
                available: 1502
            }
        );
        // 1502 itself is fine (all-zero payload = End-Of-List at once).
        bytes[18..20].copy_from_slice(&1502u16.to_be_bytes());
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        assert_eq!(frame.payload().len(), 1502);
        assert_eq!(frame.tags().count(), 0);
    }

    #[test]
    fn padded_short_frame_uses_length_field() {
        // A 32-byte PADI padded by the Ethernet layer to 60 bytes with junk.
        let mut bytes = [0x5au8; 60];
        bytes[..32].copy_from_slice(&PADI);
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        assert_eq!(frame.payload(), &PADI[20..]);
        let tags: Vec<_> = frame.tags().collect();
        assert_eq!(tags.len(), 2);
        assert!(tags.iter().all(Result::is_ok));
        // A tagless PADT padded to 60 bytes.
        let mut padt = [0u8; 60];
        padt[..20].copy_from_slice(&PADT[..20]);
        padt[18..20].copy_from_slice(&[0, 0]);
        padt[20..].fill(0xff);
        let frame = Frame::new_checked(&padt[..]).unwrap();
        assert_eq!(frame.code(), Code::PADT);
        assert_eq!(frame.payload(), b"");
        assert_eq!(frame.tags().next(), None);
    }

    #[test]
    fn tag_running_past_payload() {
        // Service-Name "" then a Host-Uniq claiming 5 bytes with 4 present.
        let mut bytes = PADI;
        bytes[27] = 5;
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        let mut tags = frame.tags();
        assert_eq!(
            tags.next(),
            Some(Ok(Tag {
                ty: TagType::SERVICE_NAME,
                value: b""
            }))
        );
        assert_eq!(
            tags.next(),
            Some(Err(Error::TagOverrun {
                offset: 4,
                ty: TagType::HOST_UNIQ,
                len: 5,
                remaining: 4
            }))
        );
        assert_eq!(tags.next(), None);
        assert_eq!(tags.next(), None);
        // The bytes beyond the length field (padding) never count as tag data.
        let mut padded = [0u8; 60];
        padded[..32].copy_from_slice(&bytes);
        let frame = Frame::new_checked(&padded[..]).unwrap();
        assert!(matches!(
            frame.tags().nth(1),
            Some(Err(Error::TagOverrun { .. }))
        ));
    }

    #[test]
    fn trailing_partial_tag_header() {
        for extra in 1..=3usize {
            let mut payload = vec![0x01, 0x01, 0x00, 0x00];
            payload.extend(core::iter::repeat_n(0x01, extra));
            let mut tags = TagIter::new(&payload);
            assert!(matches!(tags.next(), Some(Ok(_))));
            assert_eq!(
                tags.next(),
                Some(Err(Error::TagTruncated {
                    offset: 4,
                    remaining: extra
                }))
            );
            assert_eq!(tags.next(), None);
        }
    }

    #[test]
    fn zero_length_tags() {
        let tags = [
            Tag {
                ty: TagType::AC_NAME,
                value: b"",
            },
            Tag {
                ty: TagType::SERVICE_NAME,
                value: b"",
            },
            Tag {
                ty: TagType::HOST_UNIQ,
                value: b"",
            },
            Tag {
                ty: TagType::AC_COOKIE,
                value: b"",
            },
        ];
        let repr = Repr {
            dst: US,
            src: AC,
            code: Code::PADO,
            session_id: 0,
            tags: &tags,
        };
        let bytes = repr.to_vec().unwrap();
        assert_eq!(bytes.len(), 20 + 16);
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        assert_eq!(tags_of(&frame), tags);
    }

    #[test]
    fn maximal_tag() {
        let value = vec![0xa5u8; MAX_PAYLOAD - 4];
        let tags = [Tag {
            ty: TagType::AC_COOKIE,
            value: &value,
        }];
        let repr = Repr {
            dst: US,
            src: AC,
            code: Code::PADO,
            session_id: 0,
            tags: &tags,
        };
        assert_eq!(repr.payload_len(), MAX_PAYLOAD);
        let bytes = repr.to_vec().unwrap();
        assert_eq!(&bytes[18..20], &1502u16.to_be_bytes());
        assert_eq!(&bytes[20..24], &[0x01, 0x04, 0x05, 0xda]);
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        let got: Vec<_> = frame.tags().collect();
        assert_eq!(
            got,
            [Ok(Tag {
                ty: TagType::AC_COOKIE,
                value: &value[..]
            })]
        );
    }

    #[test]
    fn end_of_list_in_the_middle_stops_the_walk() {
        let tags = [
            Tag {
                ty: TagType::SERVICE_NAME,
                value: b"a",
            },
            Tag {
                ty: TagType::END_OF_LIST,
                value: b"",
            },
            Tag {
                ty: TagType::AC_NAME,
                value: b"ignored",
            },
        ];
        let repr = Repr {
            dst: US,
            src: AC,
            code: Code::PADO,
            session_id: 0,
            tags: &tags,
        };
        let bytes = repr.to_vec().unwrap();
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        assert_eq!(tags_of(&frame), &tags[..1]);
        // Even garbage after End-Of-List is not looked at.
        let payload = [0x00, 0x00, 0x00, 0x00, 0xff];
        assert_eq!(TagIter::new(&payload).next(), None);
        // An End-Of-List with a (bogus) non-zero length also ends the walk.
        let payload = [0x00, 0x00, 0x00, 0x09];
        assert_eq!(TagIter::new(&payload).next(), None);
    }

    #[test]
    fn unknown_tags_and_codes_round_trip() {
        let tags = [
            Tag {
                ty: TagType(0x1234),
                value: &[9, 8, 7],
            },
            Tag {
                ty: TagType::VENDOR_SPECIFIC,
                value: &[0, 0, 0x0d, 0xe9, 1],
            },
        ];
        let repr = Repr {
            dst: US,
            src: AC,
            code: Code(0x42),
            session_id: 0xbeef,
            tags: &tags,
        };
        let bytes = repr.to_vec().unwrap();
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        assert_eq!(frame.code(), Code(0x42));
        assert_eq!(frame.code().name(), "unknown");
        assert_eq!(tags_of(&frame), tags);
        assert_eq!(TagType(0x1234).name(), "unknown");
        assert_eq!(alloc::format!("{}", TagType(0x1234)), "Tag(0x1234)");
        assert_eq!(alloc::format!("{}", Code(0x42)), "Code(0x42)");
    }

    #[test]
    fn emit_refuses_more_than_max_payload() {
        let value = vec![0u8; MAX_PAYLOAD - 3];
        let tags = [Tag {
            ty: TagType::AC_COOKIE,
            value: &value,
        }];
        let repr = Repr {
            dst: AC,
            src: US,
            code: Code::PADR,
            session_id: 0,
            tags: &tags,
        };
        let err = Error::TooLong {
            required: 1503,
            max: 1502,
        };
        assert_eq!(repr.to_vec(), Err(err));
        let mut buf = vec![0x77u8; 4000];
        assert_eq!(repr.emit(&mut buf), Err(err));
        assert!(buf.iter().all(|&b| b == 0x77), "nothing written on error");
        // Many tags whose sum overflows.
        let many = vec![
            Tag {
                ty: TagType::HOST_UNIQ,
                value: &value
            };
            3
        ];
        let repr = Repr {
            tags: &many,
            ..repr
        };
        assert!(matches!(repr.to_vec(), Err(Error::TooLong { .. })));
    }

    #[test]
    fn emit_into_too_small_buffer() {
        let tags = [Tag {
            ty: TagType::SERVICE_NAME,
            value: b"",
        }];
        let repr = Repr {
            dst: MacAddr::BROADCAST,
            src: US,
            code: Code::PADI,
            session_id: 0,
            tags: &tags,
        };
        let mut buf = [0x33u8; 23];
        assert_eq!(
            repr.emit(&mut buf),
            Err(Error::BufferTooSmall {
                required: 24,
                actual: 23
            })
        );
        assert!(buf.iter().all(|&b| b == 0x33));
        let mut empty: [u8; 0] = [];
        assert_eq!(
            repr.emit(&mut empty),
            Err(Error::BufferTooSmall {
                required: 24,
                actual: 0
            })
        );
    }

    #[test]
    fn unchecked_accessors_never_panic() {
        for len in 0..=PADO.len() {
            let frame = Frame::new_unchecked(&PADO[..len]);
            let _ = (frame.dst(), frame.src(), frame.ethertype(), frame.version());
            let _ = (
                frame.ptype(),
                frame.code(),
                frame.session_id(),
                frame.length(),
            );
            assert!(frame.payload().len() <= len.saturating_sub(20));
            let _ = frame.tags().count();
        }
        let mut short = [0u8; 3];
        let mut frame = Frame::new_unchecked(&mut short[..]);
        frame.set_session_id(0xffff);
        frame.set_length(5);
        assert!(frame.payload_mut().is_empty());
        assert_eq!(short, [0, 0, 0]);
    }

    #[test]
    fn mac_parse_good() {
        assert_eq!(MacAddr::parse("00:11:22:33:44:55"), Some(AC));
        assert_eq!(MacAddr::parse("0:11:22:33:44:55"), Some(AC));
        assert_eq!(MacAddr::parse("2:0:0:0:0:1"), Some(US));
        assert_eq!(
            MacAddr::parse("aA:Bb:cc:DD:ee:FF"),
            Some(MacAddr([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]))
        );
        assert_eq!(
            MacAddr::parse("ff:ff:ff:ff:ff:ff"),
            Some(MacAddr::BROADCAST)
        );
    }

    #[test]
    fn mac_parse_bad() {
        for bad in [
            "",
            "aa:bb:cc:dd:ee",
            "aa:bb:cc:dd:ee:ff:00",
            "aa:bb:cc:dd:ee:ff:",
            ":aa:bb:cc:dd:ee:ff",
            "zz:bb:cc:dd:ee:ff",
            "aa-bb-cc-dd-ee-ff",
            "aaa:bb:cc:dd:ee:ff",
            "aa:bb::dd:ee:ff",
            "aa:bb:cc:dd:ee:+f",
            "aa:bb:cc:dd:ee:-1",
            " aa:bb:cc:dd:ee:ff",
            "aa:bb:cc:dd:ee:ff ",
            "aabbccddeeff",
            "0x:bb:cc:dd:ee:ff",
            "aa:bb:cc:dd:ee:é",
        ] {
            assert_eq!(MacAddr::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn mac_display_and_classes() {
        let mac = MacAddr([0xaa, 0x0b, 0xcc, 0x0d, 0xee, 0x0f]);
        assert_eq!(alloc::format!("{mac}"), "AA:0B:CC:0D:EE:0F");
        assert_eq!(MacAddr::parse(&alloc::format!("{mac}")), Some(mac));
        assert!(MacAddr::BROADCAST.is_broadcast());
        assert!(MacAddr::BROADCAST.is_multicast());
        assert!(!MacAddr::BROADCAST.is_unicast());
        let mcast = MacAddr([0x01, 0x00, 0x5e, 0, 0, 1]);
        assert!(mcast.is_multicast() && !mcast.is_broadcast() && !mcast.is_unicast());
        assert!(!MacAddr::default().is_unicast());
        assert!(!MacAddr::default().is_multicast());
        assert!(US.is_unicast() && AC.is_unicast());
    }

    #[test]
    fn names() {
        let codes = [
            (Code::PADI, "PADI"),
            (Code::PADO, "PADO"),
            (Code::PADR, "PADR"),
            (Code::PADS, "PADS"),
            (Code::PADT, "PADT"),
            (Code::SESSION, "Session"),
        ];
        for (code, name) in codes {
            assert_eq!(code.name(), name);
            assert_eq!(alloc::format!("{code}"), name);
        }
        assert_eq!(TagType::SERVICE_NAME.name(), "Service-Name");
        assert_eq!(TagType::PPP_MAX_PAYLOAD.name(), "PPP-Max-Payload");
        assert_eq!(TagType::GENERIC_ERROR.name(), "Generic-Error");
        assert_eq!(TagType(0x0110).name(), "Relay-Session-Id");
        assert!(TagType::AC_SYSTEM_ERROR.is_error() && !TagType::AC_NAME.is_error());
    }

    #[test]
    fn error_display_is_clear() {
        let cases = [
            (
                Error::Truncated {
                    required: 20,
                    actual: 3,
                },
                "truncated frame: 3 bytes, the Ethernet and PPPoE headers need 20",
            ),
            (
                Error::BadEthertype(0x0800),
                "not a PPPoE frame: ethertype 0x0800",
            ),
            (
                Error::BadVersionType(0x21),
                "unsupported PPPoE version 2 / type 1 (byte 0x21), expected 1 / 1",
            ),
            (
                Error::LengthTooLong {
                    length: 1600,
                    available: 1502,
                },
                "invalid PPPoE length field 1600: only 1502 payload bytes available",
            ),
            (
                Error::TagTruncated {
                    offset: 8,
                    remaining: 2,
                },
                "truncated tag header at payload offset 8: 2 bytes left, 4 needed",
            ),
            (
                Error::TagOverrun {
                    offset: 4,
                    ty: TagType::AC_COOKIE,
                    len: 9,
                    remaining: 2,
                },
                "AC-Cookie tag at payload offset 4 has length 9 but only 2 bytes follow",
            ),
            (
                Error::TooLong {
                    required: 1503,
                    max: 1502,
                },
                "would create too-long packet: payload of 1503 bytes, maximum 1502",
            ),
            (
                Error::BufferTooSmall {
                    required: 24,
                    actual: 23,
                },
                "buffer too small: 23 bytes, 24 needed",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(alloc::format!("{err}"), text);
        }
    }

    #[test]
    fn dump_decodes_tags() {
        assert_eq!(
            dump(&PADI),
            "PADI dst FF:FF:FF:FF:FF:FF src 02:00:00:00:00:01 sess 0x0000 len 12 \
             [Service-Name \"\"] [Host-Uniq 0x01020304]"
        );
        assert_eq!(
            dump(&PADO),
            "PADO dst 02:00:00:00:00:01 src 00:11:22:33:44:55 sess 0x0000 len 39 \
             [AC-Name \"ac1\"] [Service-Name \"\"] [Host-Uniq 0x01020304] \
             [AC-Cookie 0xdeadbeef] [Relay-Session-Id 0xabcd] [PPP-Max-Payload 1500]"
        );
        assert_eq!(
            dump(&PADT),
            "PADT dst 00:11:22:33:44:55 src 02:00:00:00:00:01 sess 0x1234 len 15 \
             [Host-Uniq 0x01020304] [Generic-Error \"bye\"]"
        );
    }

    #[test]
    fn dump_escapes_and_truncates() {
        let long = vec![b'x'; 100];
        let cookie = vec![0xabu8; 40];
        let tags = [
            Tag {
                ty: TagType::AC_NAME,
                value: b"a\"b\\c\n\x00\xff",
            },
            Tag {
                ty: TagType::SERVICE_NAME,
                value: &long,
            },
            Tag {
                ty: TagType::AC_COOKIE,
                value: &cookie,
            },
            Tag {
                ty: TagType::HOST_UNIQ,
                value: b"",
            },
            Tag {
                ty: TagType(0x1234),
                value: &[1],
            },
        ];
        let repr = Repr {
            dst: US,
            src: AC,
            code: Code::PADO,
            session_id: 0,
            tags: &tags,
        };
        let text = dump(&repr.to_vec().unwrap());
        assert!(
            text.contains("[AC-Name \"a\\\"b\\\\c\\x0a\\x00\\xff\"]"),
            "{text}"
        );
        assert!(
            text.contains(&alloc::format!("[Service-Name \"{}\"...]", "x".repeat(64))),
            "{text}"
        );
        assert!(
            text.contains(&alloc::format!(
                "[AC-Cookie 0x{}... (40 bytes)]",
                "ab".repeat(32)
            )),
            "{text}"
        );
        assert!(
            text.contains("[Host-Uniq (empty)] [Tag(0x1234) 0x01]"),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }

    #[test]
    fn dump_on_garbage() {
        assert_eq!(dump(&[]), "invalid frame (0 bytes): truncated frame: 0 bytes, the Ethernet and PPPoE headers need 20");
        let mut bytes = PADI;
        bytes[12] = 0x08;
        assert!(dump(&bytes).starts_with("invalid frame (32 bytes): not a PPPoE frame"));
        bytes = PADI;
        bytes[27] = 0xff;
        assert!(dump(&bytes).ends_with(
            "[Service-Name \"\"] [error: Host-Uniq tag at payload offset 4 has length 255 but only 4 bytes follow]"
        ));
        // Pseudo-random garbage of every length, some of it made to look like PPPoE.
        let mut rng = XorShift(0x1234_5678_9abc_def1);
        for round in 0..2000usize {
            let len = round % 80;
            let mut buf: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            if round % 2 == 0 && len >= 20 {
                buf[12..15].copy_from_slice(&[0x88, 0x63, 0x11]);
                buf[18] = 0;
                buf[19] = (rng.byte() as usize % (len - 19)) as u8;
            }
            let text = dump(&buf);
            assert!(!text.is_empty() && !text.contains('\n'));
        }
    }

    /// A tiny deterministic generator so the tests need no extra crates.
    struct XorShift(u64);
    impl XorShift {
        fn byte(&mut self) -> u8 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 24) as u8
        }
    }

    #[test]
    fn parse_emit_parse_agrees_on_random_frames() {
        let mut rng = XorShift(42);
        let mut parsed = 0;
        for round in 0..3000usize {
            let len = 20 + round % 64;
            let mut buf: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            buf[12..15].copy_from_slice(&[0x88, 0x63, 0x11]);
            buf[18] = 0;
            buf[19] = (rng.byte() as usize % (len - 19)) as u8;
            // Make short, plausible tags likely.
            for i in (20..len).step_by(4) {
                if rng.byte() < 128 {
                    buf[i] = 0x01;
                    if i + 2 < len {
                        buf[i + 2] = 0;
                    }
                }
            }
            let Ok(frame) = Frame::new_checked(&buf[..]) else {
                continue;
            };
            let Ok(tags) = frame.tags().collect::<Result<Vec<_>, _>>() else {
                continue;
            };
            parsed += 1;
            let repr = Repr {
                dst: frame.dst(),
                src: frame.src(),
                code: frame.code(),
                session_id: frame.session_id(),
                tags: &tags,
            };
            let out = repr.to_vec().unwrap();
            let again = Frame::new_checked(&out[..]).unwrap();
            assert_eq!(again.dst(), frame.dst());
            assert_eq!(again.code(), frame.code());
            assert_eq!(again.session_id(), frame.session_id());
            let tags2: Vec<_> = again.tags().map(Result::unwrap).collect();
            assert_eq!(tags2, tags);
            // Without End-Of-List or padding, the emitted payload is a prefix of the original.
            assert!(frame.payload().starts_with(again.payload()));
        }
        assert!(parsed > 150, "only {parsed} random frames parsed");
    }
}
