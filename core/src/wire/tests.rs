//! The wire format's unit tests: byte-exact frames parsed and built, every
//! malformed length and offset, dumps.

use super::*;
use crate::testing::XorShift;
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
    assert_eq!(
        dump(&[]),
        "invalid frame (0 bytes): truncated frame: 0 bytes, the Ethernet and PPPoE headers need 20"
    );
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
