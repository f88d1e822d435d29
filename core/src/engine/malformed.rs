//! Malformed-input corpus: byte-exact frames from a broken or hostile network,
//! each with the exact outcome: ignored for which [`Ignored`] reason (for unparsable frames,
//! which [`wire::Error`]), or exactly which PADR, session or failure follows.
//!
//! The engine runs on [`Net`] with [`config`]: our MAC `02:00:00:00:00:01`, Host-Uniq
//! `01 02 03 04`, empty Service-Name; the AC is `00:11:22:33:44:55`.
//!
//! Cases already covered elsewhere are not repeated here. In `wire` (the parser):
//! `truncated_ethernet_header`, `truncated_pppoe_header`, `wrong_version_or_type`,
//! `wrong_ethertype`, `length_field_larger_than_frame`, `length_field_larger_than_max_payload`,
//! `padded_short_frame_uses_length_field`, `tag_running_past_payload`,
//! `trailing_partial_tag_header`, `zero_length_tags`, `maximal_tag`,
//! `end_of_list_in_the_middle_stops_the_walk`, `unknown_tags_and_codes_round_trip`. In
//! the engine's tests: `malformed_frames_ignored`, `end_of_list_hides_later_tags`,
//! `duplicate_single_instance_tags_use_the_first`, `frames_from_our_own_mac_ignored`,
//! `pado_for_another_host_ignored`, `pado_from_non_unicast_source_ignored`,
//! `padt_during_discovery_ignored`, `unexpected_codes_and_session_frames_ignored`,
//! `late_frames_after_established_ignored`, `pads_from_wrong_mac_or_for_another_host_ignored`,
//! `pads_with_wrong_host_uniq_ignored`, `session_zero_and_ffff_accepted_with_a_warning`,
//! `pads_error_tag_sends_next_padr_at_once`, `pado_with_error_tag_skipped_and_discovery_goes_on`,
//! `ppp_max_payload_values`, `pado_whose_padr_would_be_too_long_is_skipped`.

use super::*;
use crate::testing::{config, Net, AC};
use std::string::String;

/// Ethernet header: to us, from the AC, discovery ethertype.
const AC_TO_US: &str = "020000000001 001122334455 8863";
/// Ethernet header: to the AC, from us, discovery ethertype.
const US_TO_AC: &str = "001122334455 020000000001 8863";
/// AC-Name "ac1" (7 bytes).
const TAG_AC_NAME: &str = "0102 0003 616331";
/// Service-Name "" (4 bytes).
const TAG_SERVICE: &str = "0101 0000";
/// Our Host-Uniq (8 bytes).
const TAG_HOST_UNIQ: &str = "0103 0004 01020304";
/// The tags of an acceptable PADO: AC-Name, Service-Name, Host-Uniq (19 bytes, 0x13).
const OFFER: &str = "0102 0003 616331 0101 0000 0103 0004 01020304";
/// The PADR answering a PADO from the AC that carried no cookie and no relay id.
const PADR_PLAIN: &str =
    "001122334455 020000000001 8863 1119 0000 000c 0101 0000 0103 0004 01020304";

/// Bytes from hex pieces (whitespace ignored).
fn hex(parts: &[&str]) -> Vec<u8> {
    let digits: Vec<u8> = parts
        .concat()
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    crate::text::parse_hex(&digits).expect("hex digits in pairs")
}

/// `n` zero bytes as hex (Ethernet padding).
fn zeros(n: usize) -> String {
    "00".repeat(n)
}

/// Where the engine is when the frame arrives.
#[derive(Clone, Copy, Debug)]
enum Stage {
    /// PADI sent, waiting for PADOs.
    Padi,
    /// The AC's PADO accepted and PADR sent (without cookie or relay id), waiting for a PADS.
    Padr,
    /// Session 0x1234 established with the AC.
    Established,
}

/// The exact outcome of delivering the frame.
#[derive(Debug)]
enum Want {
    /// Ignored for this reason: nothing sent, no session, no failure (a PADO addressed to us
    /// may still be reported as a rejected offer).
    Ignored(Ignored),
    /// Accepted as the offer: exactly this PADR went out.
    Padr(Vec<u8>),
    /// Discovery ended with this session id.
    Session(u16),
    /// A PADS error: ignored with `ErrorTag(PADS, ty)` and the same PADR sent again at once.
    PadrAgain(TagType),
    /// A PADS error on the last attempt: discovery fails at once.
    Failed(TagType, Failure),
}

fn check(config: Config, stage: Stage, frame: &[u8], want: Want) {
    let mut net = Net::new(config);
    if let Stage::Padr | Stage::Established = stage {
        net.recv(&hex(&[AC_TO_US, "1107 0000 0013", OFFER]));
        assert_eq!(net.last_sent(), hex(&[PADR_PLAIN]));
    }
    if let Stage::Established = stage {
        net.recv(&hex(&[
            AC_TO_US,
            "1165 1234 000c",
            TAG_SERVICE,
            TAG_HOST_UNIQ,
        ]));
        assert_eq!(net.session().unwrap().session_id, 0x1234);
    }
    let (sent, events) = (net.sent.len(), net.events.len());
    let padr_before = net.sent.last().map(|(_, f)| f.clone()).unwrap_or_default();
    net.recv(frame);
    let new_sent: Vec<Vec<u8>> = net.sent[sent..].iter().map(|(_, f)| f.clone()).collect();
    let new_events: Vec<Event> = net.events[events..]
        .iter()
        .map(|(_, e)| e.clone())
        .collect();
    // An error tag from the AC is also reported as a refusal, and only then.
    let (refusals, new_events): (Vec<Event>, Vec<Event>) = new_events
        .into_iter()
        .partition(|e| matches!(e, Event::Refused(_)));
    let refused_with = match want {
        Want::Ignored(Ignored::ErrorTag(_, ty)) | Want::PadrAgain(ty) | Want::Failed(ty, _) => {
            Some(ty)
        }
        _ => None,
    };
    match refused_with {
        Some(ty) => assert!(
            matches!(refusals.as_slice(), [Event::Refused(r)] if r.tag == ty),
            "{refusals:?}"
        ),
        None => assert!(refusals.is_empty(), "{refusals:?}"),
    }
    let no_final = || {
        new_events
            .iter()
            .all(|e| matches!(e, Event::Offer(o) if !o.accepted))
    };
    match want {
        Want::Ignored(reason) => {
            assert_eq!(net.ignored(), Some(reason));
            assert_eq!(new_sent, Vec::<Vec<u8>>::new(), "nothing sent");
            assert!(no_final(), "{new_events:?}");
        }
        Want::Padr(padr) => {
            assert_eq!(net.ignored(), None);
            assert_eq!(new_sent, [padr], "{}", wire::dump(&new_sent[0]));
            assert!(matches!(
                new_events.as_slice(),
                [Event::Offer(Offer { accepted: true, .. })]
            ));
        }
        Want::Session(id) => {
            assert_eq!(net.ignored(), None);
            assert!(new_sent.is_empty());
            assert!(matches!(
                new_events.as_slice(),
                [Event::Established(Session { session_id, ac_mac: AC, .. })] if *session_id == id
            ));
        }
        Want::PadrAgain(ty) => {
            assert_eq!(net.ignored(), Some(Ignored::ErrorTag(Code::PADS, ty)));
            assert_eq!(new_sent, [padr_before]);
            assert!(new_events.is_empty());
        }
        Want::Failed(ty, failure) => {
            assert_eq!(net.ignored(), Some(Ignored::ErrorTag(Code::PADS, ty)));
            assert!(new_sent.is_empty());
            assert_eq!(new_events, [Event::Failed(failure)]);
        }
    }
}

macro_rules! case {
    ($(#[$doc:meta])* $name:ident: $stage:ident, $frame:expr => $want:expr) => {
        case!($(#[$doc])* $name: $stage with config(), $frame => $want);
    };
    ($(#[$doc:meta])* $name:ident: $stage:ident with $config:expr, $frame:expr => $want:expr) => {
        $(#[$doc])*
        #[test]
        fn $name() {
            check($config, Stage::$stage, &$frame, $want);
        }
    };
}

use wire::Error as E;
use Ignored as I;

// --- Truncated headers ---------------------------------------------------------------

case!(
    /// Cut inside the source MAC (9 bytes).
    cut_inside_the_source_mac: Padi,
    hex(&["020000000001 001122"])
    => Want::Ignored(I::Malformed(E::Truncated { required: 20, actual: 9 }))
);

case!(
    /// Cut inside the PPPoE session id (17 bytes).
    cut_inside_the_session_id: Padi,
    hex(&[AC_TO_US, "1107 00"])
    => Want::Ignored(I::Malformed(E::Truncated { required: 20, actual: 17 }))
);

case!(
    /// A complete header with length 0: a well-formed PADO without any tag is not ours.
    header_only_pado: Padi,
    hex(&[AC_TO_US, "1107 0000 0000"])
    => Want::Ignored(I::HostUniqMismatch(Code::PADO))
);

case!(
    /// The same without Host-Uniq in use: it fails on the missing AC-Name.
    header_only_pado_without_host_uniq: Padi with Config { host_uniq: None, ..config() },
    hex(&[AC_TO_US, "1107 0000 0000"])
    => Want::Ignored(I::NoAcName)
);

// --- Ethertype, version, type --------------------------------------------------------

case!(
    /// An 802.1ad (QinQ) tagged frame: the kernel strips only one VLAN tag.
    qinq_ethertype: Padi,
    hex(&["020000000001 001122334455 88a8 1107 0000 0013", OFFER])
    => Want::Ignored(I::Malformed(E::BadEthertype(0x88a8)))
);

case!(
    /// The ethertype in little-endian order.
    byte_swapped_ethertype: Padi,
    hex(&["020000000001 001122334455 6388 1107 0000 0013", OFFER])
    => Want::Ignored(I::Malformed(E::BadEthertype(0x6388)))
);

case!(
    /// PPPoE version 3.
    version_3: Padi,
    hex(&[AC_TO_US, "3107 0000 0013", OFFER])
    => Want::Ignored(I::Malformed(E::BadVersionType(0x31)))
);

case!(
    /// PPPoE type 15.
    type_15: Padi,
    hex(&[AC_TO_US, "1f07 0000 0013", OFFER])
    => Want::Ignored(I::Malformed(E::BadVersionType(0x1f)))
);

case!(
    /// A PADO code on the session ethertype is a session frame, not an offer.
    pado_code_on_the_session_ethertype: Padi,
    hex(&["020000000001 001122334455 8864 1107 0000 0013", OFFER])
    => Want::Ignored(I::SessionFrame)
);

case!(
    /// A session frame whose length is wrong is reported as malformed first.
    session_frame_with_a_bad_length: Padi,
    hex(&["020000000001 001122334455 8864 1100 1234 0100", OFFER])
    => Want::Ignored(I::Malformed(E::LengthTooLong { length: 256, available: 19 }))
);

// --- The length field ----------------------------------------------------------------

case!(
    /// Length one more than the 19 payload bytes present.
    length_one_more_than_the_frame: Padi,
    hex(&[AC_TO_US, "1107 0000 0014", OFFER])
    => Want::Ignored(I::Malformed(E::LengthTooLong { length: 20, available: 19 }))
);

case!(
    /// Length 0xffff.
    length_0xffff: Padi,
    hex(&[AC_TO_US, "1107 0000 ffff", OFFER])
    => Want::Ignored(I::Malformed(E::LengthTooLong { length: 0xffff, available: 19 }))
);

case!(
    /// A length of 11 ends after the Service-Name: the Host-Uniq behind it is padding.
    length_shorter_hides_the_host_uniq: Padi,
    hex(&[AC_TO_US, "1107 0000 000b", OFFER])
    => Want::Ignored(I::HostUniqMismatch(Code::PADO))
);

case!(
    /// A length of 15 ends right after the Host-Uniq tag header.
    length_ends_after_a_tag_header: Padi,
    hex(&[AC_TO_US, "1107 0000 000f", OFFER])
    => Want::Ignored(I::Malformed(E::TagOverrun {
        offset: 11,
        ty: TagType::HOST_UNIQ,
        len: 4,
        remaining: 0
    }))
);

case!(
    /// A length of 13 ends inside the Host-Uniq tag header.
    length_ends_inside_a_tag_header: Padi,
    hex(&[AC_TO_US, "1107 0000 000d", OFFER])
    => Want::Ignored(I::Malformed(E::TagTruncated { offset: 11, remaining: 2 }))
);

case!(
    /// A PADO with the largest payload (1502 bytes, a 1479-byte cookie): accepted, and the
    /// cookie echoed byte for byte.
    maximal_pado_cookie_echoed: Padi,
    hex(&[AC_TO_US, "1107 0000 05de", OFFER, "0104 05c7", &"ab".repeat(1479)])
    => Want::Padr(hex(&[
        US_TO_AC,
        "1119 0000 05d7",
        TAG_SERVICE,
        TAG_HOST_UNIQ,
        "0104 05c7",
        &"ab".repeat(1479),
    ]))
);

case!(
    /// A PADS with length 0 carries no Host-Uniq.
    pads_with_length_zero: Padr,
    hex(&[AC_TO_US, "1165 1234 0000"])
    => Want::Ignored(I::HostUniqMismatch(Code::PADS))
);

// --- Ethernet padding ----------------------------------------------------------------

case!(
    /// A PADS padded to 60 bytes, with an error tag in the padding: the padding is not read.
    pads_with_an_error_tag_in_the_padding: Padr,
    hex(&[
        AC_TO_US,
        "1165 1234 000c",
        TAG_SERVICE,
        TAG_HOST_UNIQ,
        "0203 0004 6f6f7073",
        &zeros(20),
    ])
    => Want::Session(0x1234)
);

case!(
    /// A tagless PADT padded to 60 bytes while waiting for the PADS.
    padded_tagless_padt_during_discovery: Padr,
    hex(&[AC_TO_US, "11a7 1234 0000", &zeros(40)])
    => Want::Ignored(I::PadtDuringDiscovery)
);

// --- Tags running past the payload ---------------------------------------------------

case!(
    /// The first tag claims 65535 bytes.
    ac_name_claims_65535_bytes: Padi,
    hex(&[AC_TO_US, "1107 0000 0013", "0102 ffff 616331", TAG_SERVICE, TAG_HOST_UNIQ])
    => Want::Ignored(I::Malformed(E::TagOverrun {
        offset: 0,
        ty: TagType::AC_NAME,
        len: 0xffff,
        remaining: 15
    }))
);

case!(
    /// A cookie claiming 16 bytes with 4 present spoils an otherwise good PADO.
    cookie_runs_past_the_payload: Padi,
    hex(&[AC_TO_US, "1107 0000 001b", OFFER, "0104 0010 deadbeef"])
    => Want::Ignored(I::Malformed(E::TagOverrun {
        offset: 19,
        ty: TagType::AC_COOKIE,
        len: 16,
        remaining: 4
    }))
);

case!(
    /// One stray byte after the last tag.
    one_trailing_byte: Padi,
    hex(&[AC_TO_US, "1107 0000 0014", OFFER, "01"])
    => Want::Ignored(I::Malformed(E::TagTruncated { offset: 19, remaining: 1 }))
);

case!(
    /// Three stray bytes after the last tag.
    three_trailing_bytes: Padi,
    hex(&[AC_TO_US, "1107 0000 0016", OFFER, "010400"])
    => Want::Ignored(I::Malformed(E::TagTruncated { offset: 19, remaining: 3 }))
);

case!(
    /// A Host-Uniq claiming 8 bytes where the length gives 4: the 4 bytes of padding that
    /// follow do not complete it.
    tag_overrun_is_not_completed_by_padding: Padr,
    hex(&[AC_TO_US, "1165 1234 000c", TAG_SERVICE, "0103 0008 01020304", "01020304", &zeros(24)])
    => Want::Ignored(I::Malformed(E::TagOverrun {
        offset: 4,
        ty: TagType::HOST_UNIQ,
        len: 8,
        remaining: 4
    }))
);

case!(
    /// An unknown tag that runs past the payload spoils the whole frame too.
    unknown_tag_overrun: Padi,
    hex(&[AC_TO_US, "1107 0000 0018", OFFER, "7777 0100 00"])
    => Want::Ignored(I::Malformed(E::TagOverrun {
        offset: 19,
        ty: TagType(0x7777),
        len: 256,
        remaining: 1
    }))
);

// --- Zero-length tags ----------------------------------------------------------------

case!(
    /// An empty AC-Name is still an AC-Name.
    empty_ac_name_is_accepted: Padi,
    hex(&[AC_TO_US, "1107 0000 0010", "0102 0000", TAG_SERVICE, TAG_HOST_UNIQ])
    => Want::Padr(hex(&[PADR_PLAIN]))
);

case!(
    /// An empty Host-Uniq is not ours.
    empty_host_uniq_is_not_ours: Padi,
    hex(&[AC_TO_US, "1107 0000 000f", TAG_AC_NAME, TAG_SERVICE, "0103 0000"])
    => Want::Ignored(I::HostUniqMismatch(Code::PADO))
);

case!(
    /// An empty AC-Cookie is echoed, empty.
    empty_cookie_is_echoed: Padi,
    hex(&[AC_TO_US, "1107 0000 0017", OFFER, "0104 0000"])
    => Want::Padr(hex(&[US_TO_AC, "1119 0000 0010", TAG_SERVICE, TAG_HOST_UNIQ, "0104 0000"]))
);

case!(
    /// An empty Relay-Session-Id is echoed, empty.
    empty_relay_session_id_is_echoed: Padi,
    hex(&[AC_TO_US, "1107 0000 0017", OFFER, "0110 0000"])
    => Want::Padr(hex(&[US_TO_AC, "1119 0000 0010", TAG_SERVICE, TAG_HOST_UNIQ, "0110 0000"]))
);

case!(
    /// An empty PPP-Max-Payload is invalid and ignored; the PADO is still good.
    empty_ppp_max_payload_is_ignored: Padi,
    hex(&[AC_TO_US, "1107 0000 0017", OFFER, "0120 0000"])
    => Want::Padr(hex(&[PADR_PLAIN]))
);

case!(
    /// An empty Service-Name-Error is still an error.
    empty_service_name_error: Padi,
    hex(&[AC_TO_US, "1107 0000 0017", OFFER, "0201 0000"])
    => Want::Ignored(I::ErrorTag(Code::PADO, TagType::SERVICE_NAME_ERROR))
);

// --- Duplicate tags ------------------------------------------------------------------

case!(
    /// Our Host-Uniq twice: accepted, and sent once in the PADR.
    host_uniq_twice: Padi,
    hex(&[AC_TO_US, "1107 0000 001b", OFFER, TAG_HOST_UNIQ])
    => Want::Padr(hex(&[PADR_PLAIN]))
);

case!(
    /// Two AC-Cookies: the first is echoed.
    two_cookies_first_echoed: Padi,
    hex(&[AC_TO_US, "1107 0000 001e", OFFER, "0104 0001 aa", "0104 0002 bbbb"])
    => Want::Padr(hex(&[US_TO_AC, "1119 0000 0011", TAG_SERVICE, TAG_HOST_UNIQ, "0104 0001 aa"]))
);

case!(
    /// Two Relay-Session-Ids: the first is echoed.
    two_relay_ids_first_echoed: Padi,
    hex(&[AC_TO_US, "1107 0000 001e", OFFER, "0110 0001 aa", "0110 0002 bbbb"])
    => Want::Padr(hex(&[US_TO_AC, "1119 0000 0011", TAG_SERVICE, TAG_HOST_UNIQ, "0110 0001 aa"]))
);

case!(
    /// A PADS with a wrong Host-Uniq before ours: the first decides.
    pads_wrong_then_right_host_uniq: Padr,
    hex(&[AC_TO_US, "1165 1234 0014", TAG_SERVICE, "0103 0004 04030201", TAG_HOST_UNIQ])
    => Want::Ignored(I::HostUniqMismatch(Code::PADS))
);

case!(
    /// A PADS with ours before a wrong one is ours.
    pads_right_then_wrong_host_uniq: Padr,
    hex(&[AC_TO_US, "1165 1234 0014", TAG_SERVICE, TAG_HOST_UNIQ, "0103 0004 04030201"])
    => Want::Session(0x1234)
);

case!(
    /// Two AC-Names: the `pppoe-ac` filter looks at the first only.
    ac_name_filter_reads_the_first_ac_name: Padi with Config { ac_name: Some(b"ac2".to_vec()), ..config() },
    hex(&[AC_TO_US, "1107 0000 001a", TAG_AC_NAME, "0102 0003 616332", TAG_SERVICE, TAG_HOST_UNIQ])
    => Want::Ignored(I::AcNameMismatch)
);

// --- End-Of-List ---------------------------------------------------------------------

case!(
    /// End-Of-List first: nothing after it is read.
    end_of_list_first: Padi,
    hex(&[AC_TO_US, "1107 0000 0017", "0000 0000", OFFER])
    => Want::Ignored(I::HostUniqMismatch(Code::PADO))
);

case!(
    /// An End-Of-List with a non-zero length also ends the walk, before the PADS Host-Uniq.
    end_of_list_with_a_length_in_a_pads: Padr,
    hex(&[AC_TO_US, "1165 1234 0010", TAG_SERVICE, "0000 0004", TAG_HOST_UNIQ])
    => Want::Ignored(I::HostUniqMismatch(Code::PADS))
);

case!(
    /// Garbage after End-Of-List (a tag claiming 65535 bytes) is never read.
    garbage_after_end_of_list: Padi,
    hex(&[AC_TO_US, "1107 0000 001c", OFFER, "0000 0000", "ffff ffff 01"])
    => Want::Padr(hex(&[PADR_PLAIN]))
);

case!(
    /// An error tag after End-Of-List is not seen.
    error_tag_after_end_of_list: Padi,
    hex(&[AC_TO_US, "1107 0000 001e", OFFER, "0000 0000", "0203 0003 626164"])
    => Want::Padr(hex(&[PADR_PLAIN]))
);

// --- Unknown tags and codes ----------------------------------------------------------

case!(
    /// Unknown and vendor tags are skipped and not echoed.
    unknown_tags_are_not_echoed: Padi,
    hex(&[AC_TO_US, "1107 0000 0021", OFFER, "7777 0002 abcd", "0105 0004 00000de9"])
    => Want::Padr(hex(&[PADR_PLAIN]))
);

case!(
    /// Code 0xff while waiting for the PADS.
    unknown_code_while_waiting_for_pads: Padr,
    hex(&[AC_TO_US, "11ff 1234 000c", TAG_SERVICE, TAG_HOST_UNIQ])
    => Want::Ignored(I::Unexpected(Code(0xff)))
);

case!(
    /// A 60-byte all-zero frame on the discovery ethertype: code 0 is no discovery code.
    all_zero_discovery_frame: Padi,
    hex(&["000000000000 000000000000 8863 1100 0000 0000", &zeros(40)])
    => Want::Ignored(I::Unexpected(Code::SESSION))
);

// --- Session ids ---------------------------------------------------------------------

case!(
    /// A PADO must carry session id 0 (RFC 2516) but, as with the C plugin, a non-zero one
    /// does not make it unusable.
    pado_with_a_session_id_is_still_an_offer: Padi,
    hex(&[AC_TO_US, "1107 1234 0013", OFFER])
    => Want::Padr(hex(&[PADR_PLAIN]))
);

case!(
    /// A PADT with session id 0 while waiting for the PADS.
    padt_with_session_0_during_discovery: Padr,
    hex(&[AC_TO_US, "11a7 0000 0008", TAG_HOST_UNIQ])
    => Want::Ignored(I::PadtDuringDiscovery)
);

case!(
    /// A PADT for another session once ours is up: discovery is over (the kernel handles PADT
    /// for the session it owns).
    padt_for_another_session: Established,
    hex(&[AC_TO_US, "11a7 9999 0008", TAG_HOST_UNIQ])
    => Want::Ignored(I::Finished(Code::PADT))
);

case!(
    /// A PADT for our own session reaches the engine only if the socket were still open:
    /// it is over, too.
    padt_for_our_session_after_established: Established,
    hex(&[AC_TO_US, "11a7 1234 0000"])
    => Want::Ignored(I::Finished(Code::PADT))
);

case!(
    /// A PADS error tag with a non-zero session id still costs the attempt.
    pads_error_with_a_session_id: Padr,
    hex(&[AC_TO_US, "1165 4321 0013", TAG_SERVICE, TAG_HOST_UNIQ, "0202 0003 627379"])
    => Want::PadrAgain(TagType::AC_SYSTEM_ERROR)
);

case!(
    /// Session id 1, the smallest valid one.
    pads_with_session_1: Padr,
    hex(&[AC_TO_US, "1165 0001 000c", TAG_SERVICE, TAG_HOST_UNIQ])
    => Want::Session(1)
);

case!(
    /// A PADS error tag with session 0 on the last PADR attempt ends discovery at once.
    pads_error_with_session_0_on_the_last_attempt: Padr with Config { padr_attempts: 1, ..config() },
    hex(&[AC_TO_US, "1165 0000 0010", TAG_SERVICE, TAG_HOST_UNIQ, "0203 0000"])
    => Want::Failed(TagType::GENERIC_ERROR, Failure::NoConfirm)
);

// --- Source and destination addresses ------------------------------------------------

case!(
    /// A broadcast "PADO" from our own MAC is not addressed to us.
    broadcast_pado_from_our_own_mac: Padi,
    hex(&["ffffffffffff 020000000001 8863 1107 0000 0013", OFFER])
    => Want::Ignored(I::NotForUs(Code::PADO, MacAddr::BROADCAST))
);

case!(
    /// A PADO from a locally administered group address.
    pado_from_a_group_address: Padi,
    hex(&["020000000001 030000000001 8863 1107 0000 0013", OFFER])
    => Want::Ignored(I::NonUnicastSource(MacAddr([3, 0, 0, 0, 0, 1])))
);

case!(
    /// A PADO to a multicast group.
    pado_to_a_multicast_group: Padi,
    hex(&["01005e000001 001122334455 8863 1107 0000 0013", OFFER])
    => Want::Ignored(I::NotForUs(Code::PADO, MacAddr([1, 0, 0x5e, 0, 0, 1])))
);

case!(
    /// A PADS from the broadcast address is not from the chosen AC.
    pads_from_broadcast: Padr,
    hex(&["020000000001 ffffffffffff 8863 1165 1234 000c", TAG_SERVICE, TAG_HOST_UNIQ])
    => Want::Ignored(I::WrongAc(MacAddr::BROADCAST))
);

case!(
    /// A PADT from the broadcast address while waiting for PADOs.
    padt_from_broadcast: Padi,
    hex(&["020000000001 ffffffffffff 8863 11a7 0000 0000"])
    => Want::Ignored(I::PadtDuringDiscovery)
);

// --- Text ----------------------------------------------------------------------------

#[test]
fn ac_name_with_control_bytes_is_kept_verbatim() {
    let pado = hex(&[
        AC_TO_US,
        "1107 0000 0014",
        "0102 0004 610a001b",
        TAG_SERVICE,
        TAG_HOST_UNIQ,
    ]);
    check(config(), Stage::Padi, &pado, Want::Padr(hex(&[PADR_PLAIN])));
    let mut net = Net::new(config());
    net.recv(&pado);
    net.recv(&hex(&[
        AC_TO_US,
        "1165 0007 000c",
        TAG_SERVICE,
        TAG_HOST_UNIQ,
    ]));
    assert_eq!(net.session().unwrap().ac_name(), b"a\n\x00\x1b");
}
