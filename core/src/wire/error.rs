//! Why a frame could not be parsed or emitted: data (lengths, offsets, the
//! tag), and its text.

use alloc::string::String;

use crate::push;
use crate::text::{Hex2, Hex4, Put};

use super::TagType;

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
