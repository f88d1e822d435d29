//! One-line human decodes of frames for debug logs and `pppoe-discovery -D`.

use alloc::string::String;

use crate::text::{Escaped, Hex2, Hex4, Put, Style};
use crate::{cat, push};

use super::{Frame, TagType, ETH_P_PPPOE_SESS};

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
