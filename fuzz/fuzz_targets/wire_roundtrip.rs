//! Frame parser round trip: any byte string is parsed with `Frame::new_checked`; a valid
//! frame's tags are collected, re-emitted with `Repr` and parsed again, and both readings
//! must agree. Errors must describe the input exactly (lengths, offsets, tag header).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rp_pppoe_core::wire::{self, Code, Error, Frame, Repr, Tag, TagType, HDR_LEN, MAX_PAYLOAD};

fn be16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

/// A parse error must be the first rule the input breaks, with the right numbers.
fn check_header_error(data: &[u8], err: Error) {
    match err {
        Error::Truncated { required, actual } => {
            assert_eq!((required, actual), (HDR_LEN, data.len()));
            assert!(data.len() < HDR_LEN);
        }
        Error::BadEthertype(ty) => {
            assert_eq!(ty, be16(data, 12));
            assert!(ty != 0x8863 && ty != 0x8864);
        }
        Error::BadVersionType(vt) => {
            assert_eq!(vt, data[14]);
            assert_ne!(vt, 0x11);
        }
        Error::LengthTooLong { length, available } => {
            assert_eq!(length, be16(data, 18));
            assert_eq!(available, (data.len() - HDR_LEN).min(MAX_PAYLOAD));
            assert!(usize::from(length) > available);
        }
        other => panic!("new_checked returned a tag or emit error: {other:?}"),
    }
    // Every error has a one-line description.
    let text = format!("{err}");
    assert!(!text.is_empty() && !text.contains('\n'));
}

fuzz_target!(|data: &[u8]| {
    // The debug decoder never panics and always gives one line.
    let line = wire::dump(data);
    assert!(!line.is_empty() && !line.contains('\n'));

    let frame = match Frame::new_checked(data) {
        Ok(frame) => frame,
        Err(err) => return check_header_error(data, err),
    };
    let length = usize::from(frame.length());
    assert!(length <= MAX_PAYLOAD && HDR_LEN + length <= data.len());
    assert_eq!(frame.payload(), &data[HDR_LEN..HDR_LEN + length]);
    assert_eq!((frame.version(), frame.ptype()), (1, 1));

    // Collect the tags up to the end of the walk (End-Of-List, payload end or an error).
    let mut tags: Vec<Tag<'_>> = Vec::new();
    let mut walk_error = None;
    let mut iter = frame.tags();
    for item in iter.by_ref() {
        match item {
            Ok(tag) => tags.push(tag),
            Err(err) => walk_error = Some(err),
        }
    }
    assert_eq!(iter.next(), None, "the tag walk is fused");

    // Re-emit: whatever was parsed from a valid payload fits again.
    let repr = Repr {
        dst: frame.dst(),
        src: frame.src(),
        code: frame.code(),
        session_id: frame.session_id(),
        tags: &tags,
    };
    let out = repr
        .to_vec()
        .expect("tags read from a valid payload fit in a frame");
    assert_eq!(out.len(), repr.buffer_len());
    let again = Frame::new_checked(&out[..]).expect("the emitter builds valid frames");
    assert_eq!(again.dst(), frame.dst());
    assert_eq!(again.src(), frame.src());
    assert_eq!(again.code(), frame.code());
    assert_eq!(again.session_id(), frame.session_id());
    let want_ethertype = if frame.code() == Code::SESSION {
        0x8864
    } else {
        0x8863
    };
    assert_eq!(again.ethertype(), want_ethertype);
    let tags2: Vec<Tag<'_>> = again
        .tags()
        .map(|t| t.expect("re-emitted tags walk cleanly"))
        .collect();
    assert_eq!(tags2, tags);

    // The re-emitted payload is exactly the part of the original that the walk consumed;
    // what is left explains why the walk stopped.
    let payload = frame.payload();
    let consumed = again.payload().len();
    assert_eq!(&payload[..consumed], again.payload());
    let rest = &payload[consumed..];
    match walk_error {
        None => assert!(
            rest.is_empty() || (rest.len() >= 4 && be16(rest, 0) == TagType::END_OF_LIST.0),
            "walk stopped early without a reason"
        ),
        Some(Error::TagTruncated { offset, remaining }) => {
            assert_eq!((offset, remaining), (consumed, rest.len()));
            assert!((1..=3).contains(&remaining));
        }
        Some(Error::TagOverrun {
            offset,
            ty,
            len,
            remaining,
        }) => {
            assert_eq!(offset, consumed);
            assert!(rest.len() >= 4);
            assert_eq!(ty, TagType(be16(rest, 0)));
            assert_ne!(ty, TagType::END_OF_LIST);
            assert_eq!(len, be16(rest, 2));
            assert_eq!(remaining, rest.len() - 4);
            assert!(usize::from(len) > remaining);
        }
        Some(other) => panic!("unexpected tag walk error {other:?}"),
    }
    if let Some(err) = walk_error {
        assert!(!format!("{err}").contains('\n'));
    }

    // emit() writes exactly the frame and nothing past it; a buffer one byte short is
    // refused without writing.
    let mut buf = vec![0x5au8; out.len() + 3];
    assert_eq!(repr.emit(&mut buf), Ok(out.len()));
    assert_eq!(&buf[..out.len()], &out[..]);
    assert!(buf[out.len()..].iter().all(|&b| b == 0x5a));
    let mut short = vec![0x5au8; out.len() - 1];
    assert_eq!(
        repr.emit(&mut short),
        Err(Error::BufferTooSmall {
            required: out.len(),
            actual: out.len() - 1
        })
    );
    assert!(short.iter().all(|&b| b == 0x5a));
});
