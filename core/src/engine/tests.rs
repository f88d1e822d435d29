//! The engine's unit tests: timelines on the virtual clock of
//! [`crate::testing::Net`], byte-exact frames.

use super::*;
use crate::wire::Frame;
use alloc::vec;

use crate::testing::*;

#[test]
fn host_uniq_from_hex() {
    assert_eq!(parse_host_uniq(b"0a1B2c"), Some(vec![0x0a, 0x1b, 0x2c]));
    assert_eq!(parse_host_uniq(b"0x01020304"), Some(vec![1, 2, 3, 4]));
    assert_eq!(parse_host_uniq(b""), None);
    assert_eq!(parse_host_uniq(b"abc"), None);
    assert_eq!(parse_host_uniq(b"zz"), None);
    assert_eq!(parse_host_uniq(b"0x"), None);
    // As much as fits in a PADI next to an empty Service-Name (as ppp 2.5).
    assert_eq!(MAX_HOST_UNIQ, 1494);
    assert_eq!(
        parse_host_uniq(&[b'a'; 2 * 1494]).map(|v| v.len()),
        Some(1494)
    );
    assert_eq!(parse_host_uniq(&[b'a'; 2 * 1495]), None);
}

#[rustfmt::skip]
static PADI: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x88, 0x63, 0x11, 0x09, 0x00, 0x00, 0x00, 0x0c,
    0x01, 0x01, 0x00, 0x00,
    0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
];

#[rustfmt::skip]
static PADR: [u8; 46] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x88, 0x63, 0x11, 0x19, 0x00, 0x00, 0x00, 0x1a,
    0x01, 0x01, 0x00, 0x00,
    0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
    0x01, 0x04, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
    0x01, 0x10, 0x00, 0x02, 0xab, 0xcd,
];

#[test]
fn transmits_say_what_they_are() {
    let mut net = Net::new(config());
    net.step();
    net.choose(AC, &[]);
    net.step();
    net.step();
    assert_eq!(
        net.kinds,
        [
            (Code::PADI, 1),
            (Code::PADI, 2),
            (Code::PADR, 1),
            (Code::PADR, 2),
            (Code::PADR, 3)
        ]
    );
    // The code is the frame's own.
    for ((_, frame), (code, _)) in net.sent.iter().zip(&net.kinds) {
        assert_eq!(Frame::new_checked(&frame[..]).unwrap().code(), *code);
    }
}

#[test]
fn list_only_reports_every_offer_and_never_sends_padr() {
    let mut net = Net::new(Config {
        ac_name: Some(b"ac2".to_vec()),
        mode: Mode::ListOnly,
        ..config()
    });
    net.recv_at(secs(1), &pado(AC, &[tag(TagType::AC_COOKIE, COOKIE)]));
    assert_eq!(net.ignored(), None);
    let ac2 = frame(
        US,
        AC2,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"ac2"),
            tag(TagType::SERVICE_NAME, b"a"),
            tag(TagType::SERVICE_NAME, b"b"),
            tag(TagType::HOST_UNIQ, HU),
            tag(TagType::PPP_MAX_PAYLOAD, &[0x05, 0x78]),
        ],
    );
    net.recv_at(secs(2), &ac2);
    let broken = frame(
        US,
        OTHER,
        Code::PADO,
        0,
        &[
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, HU),
            tag(TagType::SERVICE_NAME_ERROR, b"no such service"),
        ],
    );
    net.recv_at(secs(3), &broken);
    net.run_to_end();
    // PADIs at 0, 5 and 15 s as when dialling; nothing else, ever.
    assert_eq!(
        net.timeline(),
        [(0, Code::PADI), (5, Code::PADI), (15, Code::PADI)]
    );
    let offers = net.offers();
    assert_eq!(offers.len(), 3);
    assert_eq!(
        (offers[0].accepted, offers[0].refused),
        (false, Some(Ignored::AcNameMismatch))
    );
    assert_eq!(offers[0].cookie(), Some(COOKIE));
    assert_eq!((offers[1].accepted, offers[1].refused), (true, None));
    assert_eq!(offers[1].service_names().collect::<Vec<_>>(), [b"a", b"b"]);
    assert_eq!(offers[1].max_payload(), Some(1400));
    assert_eq!(
        offers[2].refused,
        Some(Ignored::NoAcName),
        "the first failed check"
    );
    assert_eq!(
        offers[2].error(),
        Some(Tag {
            ty: TagType::SERVICE_NAME_ERROR,
            value: b"no such service"
        })
    );
    // The end is Listed after the last PADI's wait (35 s), not a failure.
    assert!(matches!(net.events.last(), Some((t, Event::Listed)) if *t == secs(35)));
    assert_eq!(net.failure(), None);
    assert!(net.engine.is_done());
    assert!(!logged(Level::Error, "Timeout waiting for PADO packets"));
}

#[test]
fn list_only_bounds_offers_nobody_polls() {
    let mut engine = Engine::new(
        Config {
            mode: Mode::ListOnly,
            ..config()
        },
        Duration::ZERO,
    );
    for i in 0..40u8 {
        // Acceptable offers from 40 different ACs, never polled.
        engine.handle_frame(secs(1), &pado(MacAddr([0, 0x11, 0x22, 0x33, 0x44, i]), &[]));
    }
    let mut offers = 0;
    while let Some(e) = engine.poll_event() {
        assert!(matches!(e, Event::Offer(ref o) if o.accepted));
        offers += 1;
    }
    assert_eq!(offers, MAX_QUEUED_OFFERS);
}

#[test]
fn first_padi_is_queued_at_once() {
    let net = Net::new(config());
    assert_eq!(net.sent, [(secs(0), PADI.to_vec())]);
    assert_eq!(net.engine.poll_timeout(), Some(secs(5)));
    assert!(net.events.is_empty());
    assert!(!net.engine.is_done());
}

#[test]
fn padi_with_service_name_and_max_payload() {
    let net = Net::new(Config {
        service_name: Some(b"isp".to_vec()),
        ppp_max_payload: Some(1500),
        ..config()
    });
    #[rustfmt::skip]
    let want = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x88, 0x63, 0x11, 0x09, 0x00, 0x00, 0x00, 0x15,
        0x01, 0x01, 0x00, 0x03, b'i', b's', b'p',
        0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
        0x01, 0x20, 0x00, 0x02, 0x05, 0xdc,
    ];
    assert_eq!(net.last_sent(), want);
}

#[test]
fn padi_without_host_uniq_has_only_service_name() {
    let net = Net::new(Config {
        our_mac: US,
        ..Config::default()
    });
    assert_eq!(
        net.last_sent(),
        [&PADI[..19], &[0x04, 0x01, 0x01, 0x00, 0x00]].concat()
    );
}

#[test]
fn happy_path_byte_exact() {
    let mut net = Net::new(config());
    net.recv_at(
        secs(1),
        &pado(
            AC,
            &[
                tag(TagType::AC_COOKIE, COOKIE),
                tag(TagType::RELAY_SESSION_ID, RELAY),
            ],
        ),
    );
    assert_eq!(net.sent[1], (secs(1), PADR.to_vec()));
    assert_eq!(net.engine.poll_timeout(), Some(secs(6)));
    assert_eq!(
        net.offers(),
        [Offer {
            ac_mac: AC,
            // The PADO's tags, as they came.
            tags: tag_list(&[
                (TagType::AC_NAME, b"ac1"),
                (TagType::SERVICE_NAME, b""),
                (TagType::HOST_UNIQ, HU),
                (TagType::AC_COOKIE, COOKIE),
                (TagType::RELAY_SESSION_ID, RELAY),
            ]),
            accepted: true,
            refused: None,
        }]
    );
    net.recv_at(secs(2), &pads(AC, 0x1234, &[]));
    assert_eq!(
        net.session(),
        Some(session_with(
            0x1234,
            &[
                (TagType::AC_NAME, b"ac1"),
                (TagType::SERVICE_NAME, b""),
                (TagType::HOST_UNIQ, HU),
                (TagType::AC_COOKIE, COOKIE),
                (TagType::RELAY_SESSION_ID, RELAY),
            ]
        ))
    );
    assert!(logged(Level::Info, "PPP session is 4660"));
    assert!(net.engine.is_done());
    assert_eq!(net.engine.poll_timeout(), None);
    assert_eq!(net.sent.len(), 2);
    assert_eq!(net.ignored(), None);
}

#[test]
fn padi_retransmit_timeline_doubles_then_gives_up() {
    let mut net = Net::new(config());
    net.run_to_end();
    assert_eq!(
        net.timeline(),
        [(0, Code::PADI), (5, Code::PADI), (15, Code::PADI)]
    );
    assert!(net.sent.iter().all(|(_, f)| *f == PADI));
    assert_eq!(net.failure(), Some((35, Failure::NoOffer)));
    assert_eq!(net.events.len(), 1);
    assert!(logged(Level::Error, "Timeout waiting for PADO packets"));
    assert!(net.engine.is_done());
}

#[test]
fn fixed_backoff_timeline() {
    let mut net = Net::new(Config {
        backoff: Backoff::Fixed,
        ..config()
    });
    net.run_to_end();
    assert_eq!(
        net.timeline(),
        [(0, Code::PADI), (5, Code::PADI), (10, Code::PADI)]
    );
    assert_eq!(net.failure(), Some((15, Failure::NoOffer)));
}

#[test]
fn configured_padi_timeout_and_attempts() {
    let mut net = Net::new(Config {
        padi_timeout: secs(2),
        padi_attempts: 4,
        ..config()
    });
    net.run_to_end();
    let times: Vec<u64> = net.timeline().iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [0, 2, 6, 14]);
    assert_eq!(net.failure(), Some((30, Failure::NoOffer)));
}

#[test]
fn zero_attempts_count_as_one() {
    let mut net = Net::new(Config {
        padi_attempts: 0,
        padr_attempts: 0,
        ..config()
    });
    net.run_to_end();
    assert_eq!(net.timeline(), [(0, Code::PADI)]);
    assert_eq!(net.failure(), Some((5, Failure::NoOffer)));

    let mut net = Net::new(Config {
        padi_attempts: 0,
        padr_attempts: 0,
        ..config()
    });
    net.choose(AC, &[]);
    net.run_to_end();
    assert_eq!(net.timeline(), [(0, Code::PADI), (0, Code::PADR)]);
    assert_eq!(net.failure(), Some((5, Failure::NoConfirm)));
}

#[test]
fn padr_retransmit_timeline() {
    let mut net = Net::new(config());
    net.recv_at(secs(7), &pado(AC, &[]));
    net.run_to_end();
    assert_eq!(
        net.timeline(),
        [
            (0, Code::PADI),
            (5, Code::PADI),
            (7, Code::PADR),
            (12, Code::PADR),
            (22, Code::PADR)
        ]
    );
    let padrs: Vec<_> = net.sent[2..].iter().map(|(_, f)| f.clone()).collect();
    assert!(padrs.iter().all(|f| *f == padrs[0]));
    assert_eq!(net.failure(), Some((42, Failure::NoConfirm)));
    assert!(logged(Level::Error, "Timeout waiting for PADS packets"));
}

#[test]
fn timeout_before_the_deadline_is_a_no_op() {
    let mut net = Net::new(config());
    for t in [0, 1, 4] {
        net.engine.handle_timeout(secs(t));
        net.engine.handle_timeout(secs(5) - Duration::from_nanos(1));
    }
    net.drain();
    assert_eq!(net.sent.len(), 1);
    assert_eq!(net.engine.poll_timeout(), Some(secs(5)));
    // A late call resends once and counts from the time it was called.
    net.now = secs(9);
    net.engine.handle_timeout(secs(9));
    net.drain();
    assert_eq!(net.timeline(), [(0, Code::PADI), (9, Code::PADI)]);
    assert_eq!(net.engine.poll_timeout(), Some(secs(19)));
}

#[test]
fn wrong_host_uniq_ignored_then_right_one_accepted() {
    let mut net = Net::new(config());
    let wrong = frame(
        US,
        AC2,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"other"),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, &[0x01, 0x02, 0x03, 0x05]),
        ],
    );
    net.recv_at(secs(1), &wrong);
    assert_eq!(net.ignored(), Some(Ignored::HostUniqMismatch(Code::PADO)));
    assert!(logged(
        Level::Debug,
        "Ignoring PADO packet with a missing or wrong Host-Uniq tag"
    ));
    // A longer tag with our bytes as a prefix is not ours either.
    let longer = frame(
        US,
        AC2,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"other"),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, &[0x01, 0x02, 0x03, 0x04, 0x00]),
        ],
    );
    net.recv(&longer);
    assert_eq!(net.ignored(), Some(Ignored::HostUniqMismatch(Code::PADO)));
    assert!(
        net.offers().is_empty(),
        "PADOs for other clients are not offers"
    );
    assert_eq!(net.sent.len(), 1);
    net.choose(AC, &[]);
    assert_eq!(Frame::new_checked(net.last_sent()).unwrap().dst(), AC);
}

#[test]
fn missing_host_uniq_ignored_when_configured() {
    let mut net = Net::new(config());
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"ac1"),
            tag(TagType::SERVICE_NAME, b""),
        ],
    );
    net.recv(&pado);
    assert_eq!(net.ignored(), Some(Ignored::HostUniqMismatch(Code::PADO)));
}

#[test]
fn no_host_uniq_configured_accepts_on_mac_alone() {
    for host_uniq in [None, Some(&[9u8, 9][..])] {
        let mut net = Net::new(Config {
            our_mac: US,
            ..Config::default()
        });
        let mut tags = vec![
            tag(TagType::AC_NAME, b"ac1"),
            tag(TagType::SERVICE_NAME, b""),
        ];
        if let Some(v) = host_uniq {
            tags.push(tag(TagType::HOST_UNIQ, v));
        }
        net.recv(&frame(US, AC, Code::PADO, 0, &tags));
        assert_eq!(net.ignored(), None);
        #[rustfmt::skip]
        let padr = [
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x88, 0x63, 0x11, 0x19, 0x00, 0x00, 0x00, 0x04,
            0x01, 0x01, 0x00, 0x00,
        ];
        assert_eq!(net.last_sent(), padr);
        net.recv(&frame(
            US,
            AC,
            Code::PADS,
            3,
            &[tag(TagType::SERVICE_NAME, b"")],
        ));
        assert_eq!(net.session().unwrap().host_uniq(), None);
    }
}

#[test]
fn pado_without_ac_name_ignored() {
    let mut net = Net::new(config());
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[tag(TagType::SERVICE_NAME, b""), tag(TagType::HOST_UNIQ, HU)],
    );
    net.recv(&pado);
    assert_eq!(net.ignored(), Some(Ignored::NoAcName));
    // At error level, as the C plugin (once a round: see
    // a_pado_without_ac_name_is_an_error_once_a_round).
    assert!(logged(
        Level::Error,
        "Ignoring PADO packet with no AC-Name tag"
    ));
    let offers = net.offers();
    assert_eq!(offers.len(), 1);
    assert!(!offers[0].accepted);
    assert!(offers[0].ac_name().is_empty());
    assert_eq!(net.sent.len(), 1);
}

#[test]
fn pado_without_service_name_ignored() {
    let mut net = Net::new(config());
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[tag(TagType::AC_NAME, b"ac1"), tag(TagType::HOST_UNIQ, HU)],
    );
    net.recv(&pado);
    assert_eq!(net.ignored(), Some(Ignored::NoServiceName));
    assert!(logged(
        Level::Debug,
        "Ignoring PADO packet with no Service-Name tag"
    ));
    assert_eq!(net.sent.len(), 1);
    assert!(!net.offers()[0].accepted);
}

#[test]
fn pado_from_non_unicast_source_ignored() {
    let mut net = Net::new(config());
    for src in [
        MacAddr::BROADCAST,
        MacAddr([0x01, 0x00, 0x5e, 0, 0, 1]),
        MacAddr([0x33, 0x33, 0, 0, 0, 1]),
        MacAddr::default(),
    ] {
        net.recv(&pado(src, &[]));
        assert_eq!(net.ignored(), Some(Ignored::NonUnicastSource(src)));
    }
    assert!(logged(
        Level::Debug,
        "Ignoring PADO packet from non-unicast MAC address FF:FF:FF:FF:FF:FF"
    ));
    assert!(net.offers().is_empty());
    assert_eq!(net.sent.len(), 1);
}

#[test]
fn pppoe_mac_filter() {
    let mut net = Net::new(Config {
        ac_mac: Some(AC2),
        ..config()
    });
    net.recv(&pado(AC, &[]));
    assert_eq!(net.ignored(), Some(Ignored::WrongMac(AC)));
    assert!(logged(
        Level::Warn,
        "Ignoring PADO packet from wrong MAC address 00:11:22:33:44:55"
    ));
    assert_eq!(net.offers().len(), 1);
    assert!(!net.offers()[0].accepted);
    net.choose(AC2, &[]);
    assert_eq!(Frame::new_checked(net.last_sent()).unwrap().dst(), AC2);
}

#[test]
fn ac_name_filter_is_exact() {
    let mut net = Net::new(Config {
        ac_name: Some(b"ac".to_vec()),
        ..config()
    });
    net.recv(&pado(AC, &[])); // "ac1"
    assert_eq!(net.ignored(), Some(Ignored::AcNameMismatch));
    let named = |name: &'static [u8]| {
        frame(
            US,
            AC2,
            Code::PADO,
            0,
            &[
                tag(TagType::AC_NAME, name),
                tag(TagType::SERVICE_NAME, b""),
                tag(TagType::HOST_UNIQ, HU),
            ],
        )
    };
    net.recv(&named(b"AC"));
    assert_eq!(net.ignored(), Some(Ignored::AcNameMismatch));
    net.recv(&named(b"ac"));
    assert_eq!(net.ignored(), None);
    let offers = net.offers();
    assert_eq!(
        offers.iter().map(|o| o.accepted).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert_eq!(offers[2].ac_mac, AC2);
}

#[test]
fn service_filter_needs_one_exact_service_name() {
    let offering = |names: &[&'static [u8]]| {
        let mut tags = vec![tag(TagType::AC_NAME, b"ac1"), tag(TagType::HOST_UNIQ, HU)];
        tags.extend(names.iter().map(|n| tag(TagType::SERVICE_NAME, n)));
        frame(US, AC, Code::PADO, 0, &tags)
    };
    let mut net = Net::new(Config {
        service_filter: Some(b"b".to_vec()),
        ..config()
    });
    net.recv(&offering(&[b"a", b"bb", b""]));
    assert_eq!(net.ignored(), Some(Ignored::ServiceMismatch));
    net.recv(&offering(&[b"a", b"b"]));
    assert_eq!(net.ignored(), None);
    assert_eq!(
        net.offers()[1].service_names().collect::<Vec<_>>(),
        [b"a", b"b"]
    );

    // An empty filter asks for an empty Service-Name tag.
    let mut net = Net::new(Config {
        service_filter: Some(vec![]),
        ..config()
    });
    net.recv(&offering(&[b"a"]));
    assert_eq!(net.ignored(), Some(Ignored::ServiceMismatch));
    net.recv(&offering(&[b"a", b""]));
    assert_eq!(net.ignored(), None);
}

#[test]
fn pado_with_error_tag_skipped_and_discovery_goes_on() {
    let mut net = Net::new(config());
    net.recv_at(
        secs(1),
        &pado(AC, &[tag(TagType::SERVICE_NAME_ERROR, b"no such service")]),
    );
    assert_eq!(
        net.ignored(),
        Some(Ignored::ErrorTag(Code::PADO, TagType::SERVICE_NAME_ERROR))
    );
    assert!(logged(
        Level::Error,
        "PADO: Service-Name-Error: no such service"
    ));
    assert_eq!(net.sent.len(), 1, "no new PADI at once (2.5 behaviour)");
    assert_eq!(net.engine.poll_timeout(), Some(secs(5)));
    net.recv_at(
        secs(2),
        &pado(
            AC,
            &[
                tag(TagType::AC_SYSTEM_ERROR, b"busy\r\n\x1b[31m"),
                tag(TagType::GENERIC_ERROR, &[0xff, b'x']),
            ],
        ),
    );
    // As the C plugin says it ("System-Error"), shown the way pppd shows
    // text: control characters as ^X, bytes from 0x80 as M-.
    assert!(logged(Level::Error, "PADO: System-Error: busy^M^J^[[31m"));
    // One error line per frame: the second tag only at debug level.
    assert!(logged(Level::Debug, "PADO: Generic-Error: M-^?x"));
    assert!(!logged(Level::Error, "PADO: Generic-Error: M-^?x"));
    net.choose(AC2, &[]);
    assert_eq!(
        net.offers().iter().map(|o| o.accepted).collect::<Vec<_>>(),
        [false, false, true]
    );
}

#[test]
fn a_flood_of_bad_padoes_cannot_flood_the_log() {
    // 300 PADOs with 50 error tags each, and 300 from another AC than
    // pppoe-mac: a handful of lines above debug level, not hundreds.
    let mut net = Net::new(Config {
        ac_mac: Some(AC2),
        ..config()
    });
    let errors: Vec<Tag<'_>> = (0..50)
        .map(|_| tag(TagType::GENERIC_ERROR, b"go away"))
        .collect();
    for _ in 0..300 {
        net.recv(&pado(AC2, &errors));
        net.recv(&pado(AC, &[]));
    }
    let loud = take_logs()
        .into_iter()
        .filter(|(level, _)| *level <= Level::Warn)
        .map(|(_, line)| line)
        .collect::<Vec<_>>();
    assert_eq!(loud.len(), 8 + 1, "{loud:?}");
    assert_eq!(
        loud.last().map(String::as_str),
        Some("Many unusable discovery packets; more are logged only with debug")
    );
    // Nothing is lost with pppd's debug option.
    net.recv(&pado(AC, &[]));
    assert!(logged(
        Level::Debug,
        "Ignoring PADO packet from wrong MAC address 00:11:22:33:44:55"
    ));
}

#[test]
fn pads_error_tag_sends_next_padr_at_once() {
    let mut net = Net::new(config());
    net.choose(AC, &[]);
    let padr = net.last_sent().to_vec();
    net.recv_at(
        secs(1),
        &pads(AC, 0, &[tag(TagType::SERVICE_NAME_ERROR, b"denied")]),
    );
    assert_eq!(
        net.ignored(),
        Some(Ignored::ErrorTag(Code::PADS, TagType::SERVICE_NAME_ERROR))
    );
    assert!(logged(Level::Error, "PADS: Service-Name-Error: denied"));
    assert_eq!(
        net.timeline(),
        [(0, Code::PADI), (0, Code::PADR), (1, Code::PADR)]
    );
    assert_eq!(net.last_sent(), padr);
    assert_eq!(
        net.engine.poll_timeout(),
        Some(secs(11)),
        "attempt 2 waits 10 s"
    );
    net.recv_at(secs(2), &pads(AC, 0, &[tag(TagType::GENERIC_ERROR, b"")]));
    assert_eq!(
        net.engine.poll_timeout(),
        Some(secs(22)),
        "attempt 3 waits 20 s"
    );
    net.recv_at(
        secs(3),
        &pads(AC, 0, &[tag(TagType::AC_SYSTEM_ERROR, b"full")]),
    );
    assert_eq!(net.failure(), Some((3, Failure::NoConfirm)));
    assert_eq!(net.sent.len(), 4);
    assert!(net.session().is_none());
    assert!(net.engine.is_done());
    // The C plugin's last line after error PADSes (it logs them, then waits out).
    assert!(logged(Level::Error, "Timeout waiting for PADS packets"));
}

#[test]
fn pads_from_wrong_mac_or_for_another_host_ignored() {
    let mut net = Net::new(config());
    net.choose(AC, &[]);
    net.recv(&pads(AC2, 7, &[]));
    assert_eq!(net.ignored(), Some(Ignored::WrongAc(AC2)));
    net.recv(&pads(US, 7, &[]));
    assert_eq!(net.ignored(), Some(Ignored::WrongAc(US)));
    let to_other = frame(OTHER, AC, Code::PADS, 7, &[tag(TagType::HOST_UNIQ, HU)]);
    net.recv(&to_other);
    assert_eq!(net.ignored(), Some(Ignored::NotForUs(Code::PADS, OTHER)));
    let broadcast = frame(
        MacAddr::BROADCAST,
        AC,
        Code::PADS,
        7,
        &[tag(TagType::HOST_UNIQ, HU)],
    );
    net.recv(&broadcast);
    assert_eq!(
        net.ignored(),
        Some(Ignored::NotForUs(Code::PADS, MacAddr::BROADCAST))
    );
    assert!(net.session().is_none());
    net.recv(&pads(AC, 7, &[]));
    assert_eq!(net.session().unwrap().session_id, 7);
}

#[test]
fn pads_with_wrong_host_uniq_ignored() {
    let mut net = Net::new(config());
    net.choose(AC, &[]);
    let wrong = frame(
        US,
        AC,
        Code::PADS,
        7,
        &[tag(TagType::HOST_UNIQ, &[4, 3, 2, 1])],
    );
    net.recv(&wrong);
    assert_eq!(net.ignored(), Some(Ignored::HostUniqMismatch(Code::PADS)));
    let missing = frame(US, AC, Code::PADS, 7, &[tag(TagType::SERVICE_NAME, b"")]);
    net.recv(&missing);
    assert_eq!(net.ignored(), Some(Ignored::HostUniqMismatch(Code::PADS)));
    // A PADS error tag without our Host-Uniq does not cost a PADR attempt.
    let foreign_error = frame(US, AC, Code::PADS, 0, &[tag(TagType::GENERIC_ERROR, b"x")]);
    net.recv(&foreign_error);
    assert_eq!(net.ignored(), Some(Ignored::HostUniqMismatch(Code::PADS)));
    assert_eq!(net.sent.len(), 2);
    assert!(!net.engine.is_done());
}

#[test]
fn session_zero_and_ffff_accepted_with_an_error_line() {
    for (id, text) in [
        (
            0u16,
            "Access concentrator used a session value of 0 -- the AC is violating RFC 2516",
        ),
        (
            0xffff,
            "Access concentrator used a session value of ffff -- the AC is violating RFC 2516",
        ),
    ] {
        let mut net = Net::new(config());
        net.choose(AC, &[]);
        net.recv(&pads(AC, id, &[]));
        assert!(logged(Level::Error, text));
        assert_eq!(net.session().unwrap().session_id, id);
    }
}

#[test]
fn ppp_max_payload_values() {
    let mp = |v: &'static [u8]| tag(TagType::PPP_MAX_PAYLOAD, v);
    let cases: [(&[Tag<'_>], &[Tag<'_>], Option<u16>); 7] = [
        (&[mp(&[0x05, 0xdc])], &[], Some(1500)),
        (&[mp(&[0x05, 0x78])], &[], None),       // 1400 < 1492
        (&[mp(&[0x05, 0xd4])], &[], Some(1492)), // the boundary
        (&[mp(&[0x00, 0x05, 0xdc])], &[], None), // 3 bytes
        (&[mp(&[0x05])], &[], None),             // 1 byte
        (&[mp(&[0x05, 0xdc])], &[mp(&[0x05, 0xd8])], Some(1496)), // PADS wins
        (&[mp(&[0x05, 0xdc])], &[mp(&[0x05, 0x00])], Some(1500)), // invalid PADS value ignored
    ];
    for (pado_tags, pads_tags, want) in cases {
        let mut net = Net::new(config());
        net.choose(AC, pado_tags);
        net.recv(&pads(AC, 1, pads_tags));
        assert_eq!(
            net.session().unwrap().max_payload(),
            want,
            "{pado_tags:?} {pads_tags:?}"
        );
    }
    let mut net = Net::new(config());
    net.choose(AC, &[mp(&[0x05, 0x78])]);
    // Reported as it is (pppoe-discovery shows it), not usable.
    assert_eq!(net.offers()[0].max_payload(), Some(1400));
    assert_eq!(net.offers()[0].usable_max_payload(), None);
    assert!(logged(
        Level::Debug,
        "PADO: ignoring invalid PPP-Max-Payload tag [05, 78]"
    ));
}

#[test]
fn padr_carries_max_payload_and_configured_service() {
    let mut net = Net::new(Config {
        service_name: Some(b"isp".to_vec()),
        ppp_max_payload: Some(1500),
        ..config()
    });
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"ac1"),
            tag(TagType::SERVICE_NAME, b"other"),
            tag(TagType::SERVICE_NAME, b"isp"),
            tag(TagType::HOST_UNIQ, HU),
            tag(TagType::AC_COOKIE, COOKIE),
        ],
    );
    net.recv(&pado);
    #[rustfmt::skip]
    let want = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x88, 0x63, 0x11, 0x19, 0x00, 0x00, 0x00, 0x1d,
        0x01, 0x01, 0x00, 0x03, b'i', b's', b'p',
        0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
        0x01, 0x20, 0x00, 0x02, 0x05, 0xdc,
        0x01, 0x04, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
    ];
    assert_eq!(net.last_sent(), want);
    // The session names the service the PADS confirmed, or the one we asked for.
    net.recv(&frame(
        US,
        AC,
        Code::PADS,
        9,
        &[tag(TagType::HOST_UNIQ, HU)],
    ));
    assert_eq!(
        net.session().unwrap().tags.first(TagType::SERVICE_NAME),
        Some(&b"isp"[..])
    );
}

#[test]
fn session_service_name_comes_from_pads() {
    let mut net = Net::new(config());
    net.choose(AC, &[]);
    let pads = frame(
        US,
        AC,
        Code::PADS,
        9,
        &[
            tag(TagType::SERVICE_NAME, b"internet"),
            tag(TagType::HOST_UNIQ, HU),
        ],
    );
    net.recv(&pads);
    assert_eq!(
        net.session().unwrap().tags.first(TagType::SERVICE_NAME),
        Some(&b"internet"[..])
    );
}

#[test]
fn pads_relay_session_id_overwrites_the_pado_one() {
    let mut net = Net::new(config());
    net.choose(AC, &[tag(TagType::RELAY_SESSION_ID, RELAY)]);
    net.recv(&pads(AC, 1, &[tag(TagType::RELAY_SESSION_ID, &[7, 7, 7])]));
    assert_eq!(
        net.session().unwrap().relay_session_id(),
        Some(&[7, 7, 7][..])
    );
}

#[test]
fn cookie_and_relay_only_from_the_accepted_pado() {
    let mut net = Net::new(Config {
        ac_name: Some(b"good".to_vec()),
        ..config()
    });
    // Rejected (wrong AC-Name) but carrying a cookie and a relay id.
    net.recv(&pado(
        AC2,
        &[
            tag(TagType::AC_COOKIE, COOKIE),
            tag(TagType::RELAY_SESSION_ID, RELAY),
        ],
    ));
    assert_eq!(net.ignored(), Some(Ignored::AcNameMismatch));
    let good = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"good"),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, HU),
        ],
    );
    net.recv(&good);
    assert_eq!(
        net.last_sent(),
        [&PADR[..19], &[0x0c], &PADR[20..32]].concat()
    );
    net.recv(&pads(AC, 1, &[]));
    let session = net.session().unwrap();
    assert_eq!((session.cookie(), session.relay_session_id()), (None, None));
}

#[test]
fn duplicate_single_instance_tags_use_the_first() {
    let mut net = Net::new(config());
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"first"),
            tag(TagType::AC_NAME, b"second"),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, HU),
            tag(TagType::HOST_UNIQ, b"junk"),
            tag(TagType::AC_COOKIE, COOKIE),
            tag(TagType::AC_COOKIE, b"other cookie"),
        ],
    );
    net.recv(&pado);
    assert_eq!(net.ignored(), None);
    assert!(logged(Level::Debug, "PADO: ignoring duplicate AC-Name tag"));
    assert!(logged(
        Level::Debug,
        "PADO: ignoring duplicate Host-Uniq tag"
    ));
    assert!(logged(
        Level::Debug,
        "PADO: ignoring duplicate AC-Cookie tag"
    ));
    let padr = Frame::new_checked(net.last_sent()).unwrap();
    let cookies: Vec<_> = padr
        .tags()
        .flatten()
        .filter(|t| t.ty == TagType::AC_COOKIE)
        .collect();
    assert_eq!(cookies, [tag(TagType::AC_COOKIE, COOKIE)]);
    net.recv(&pads(AC, 1, &[]));
    assert_eq!(net.session().unwrap().ac_name(), b"first");

    // The first Host-Uniq decides, even if a later one would match.
    let mut net = Net::new(config());
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"ac1"),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, b"junk"),
            tag(TagType::HOST_UNIQ, HU),
        ],
    );
    net.recv(&pado);
    assert_eq!(net.ignored(), Some(Ignored::HostUniqMismatch(Code::PADO)));
}

#[test]
fn padt_built_by_session_byte_exact() {
    let session = session_with(
        0x1234,
        &[
            (TagType::AC_NAME, b"ac1"),
            (TagType::SERVICE_NAME, b""),
            (TagType::HOST_UNIQ, HU),
            (TagType::AC_COOKIE, COOKIE),
            (TagType::RELAY_SESSION_ID, RELAY),
            (TagType::PPP_MAX_PAYLOAD, &[0x05, 0xdc]),
        ],
    );
    #[rustfmt::skip]
    let full = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x88, 0x63, 0x11, 0xa7, 0x12, 0x34, 0x00, 0x21,
        0x01, 0x03, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
        0x02, 0x03, 0x00, 0x07, b'S', b'h', b'u', b't', b'd', b'o', b'w',
        0x01, 0x04, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
        0x01, 0x10, 0x00, 0x02, 0xab, 0xcd,
    ];
    assert_eq!(session.padt(Some(b"Shutdow")), full);
    let without_error = session.padt(None);
    assert_eq!(&without_error[18..20], &[0x00, 0x16]);
    assert_eq!(&without_error[20..28], &full[20..28]);
    assert_eq!(&without_error[28..], &full[39..]);
    let bare = session_with(0x1234, &[(TagType::AC_NAME, b"ac1")]);
    #[rustfmt::skip]
    let want = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x88, 0x63, 0x11, 0xa7, 0x12, 0x34, 0x00, 0x00,
    ];
    assert_eq!(bare.padt(None), want);
}

#[test]
fn padt_that_would_be_too_long_drops_tags() {
    let session = session_with(
        1,
        &[
            (TagType::HOST_UNIQ, HU),
            (TagType::AC_COOKIE, &[0xcc; 1000]),
            (TagType::RELAY_SESSION_ID, &[0xee; 400]),
        ],
    );
    let error = vec![b'e'; 200];
    let padt = session.padt(Some(&error));
    let frame = Frame::new_checked(&padt[..]).unwrap();
    let types: Vec<_> = frame.tags().flatten().map(|t| t.ty).collect();
    assert_eq!(
        types,
        [
            TagType::HOST_UNIQ,
            TagType::AC_COOKIE,
            TagType::RELAY_SESSION_ID
        ]
    );
    let huge = session_with(
        1,
        &[
            (TagType::HOST_UNIQ, HU),
            (TagType::AC_COOKIE, &[0; 1400]),
            (TagType::RELAY_SESSION_ID, &[0xee; 400]),
        ],
    );
    let padt = huge.padt(Some(&error));
    let frame = Frame::new_checked(&padt[..]).unwrap();
    let types: Vec<_> = frame.tags().flatten().map(|t| t.ty).collect();
    assert_eq!(types, [TagType::HOST_UNIQ, TagType::AC_COOKIE]);
    assert_eq!(frame.session_id(), 1);
}

#[test]
fn established_session_round_trips_to_a_padt() {
    let mut net = Net::new(config());
    net.choose(
        AC,
        &[
            tag(TagType::AC_COOKIE, COOKIE),
            tag(TagType::RELAY_SESSION_ID, RELAY),
        ],
    );
    net.recv(&pads(AC, 0x1234, &[]));
    let padt = net.session().unwrap().padt(None);
    assert_eq!(
        wire::dump(&padt),
        "PADT dst 00:11:22:33:44:55 src 02:00:00:00:00:01 sess 0x1234 len 22 \
         [Host-Uniq 0x01020304] [AC-Cookie 0xdeadbeef] [Relay-Session-Id 0xabcd]"
    );
}

#[test]
fn frames_from_our_own_mac_ignored() {
    let mut net = Net::new(config());
    net.recv(&pado(US, &[]));
    assert_eq!(net.ignored(), Some(Ignored::FromOurselves(Code::PADO)));
    assert!(logged(
        Level::Debug,
        "Ignoring PADO packet from our own MAC address"
    ));
    // Our own PADI, looped back by the packet socket.
    net.recv(&PADI);
    assert_eq!(net.ignored(), Some(Ignored::Unexpected(Code::PADI)));
    assert!(net.offers().is_empty());
    assert_eq!(net.sent.len(), 1);
}

#[test]
fn pado_for_another_host_ignored() {
    let mut net = Net::new(config());
    for dst in [OTHER, MacAddr::BROADCAST] {
        let pado = frame(
            dst,
            AC,
            Code::PADO,
            0,
            &[
                tag(TagType::AC_NAME, b"ac1"),
                tag(TagType::SERVICE_NAME, b""),
                tag(TagType::HOST_UNIQ, HU),
            ],
        );
        net.recv(&pado);
        assert_eq!(net.ignored(), Some(Ignored::NotForUs(Code::PADO, dst)));
    }
    assert!(logged(
        Level::Debug,
        "Ignoring PADO packet addressed to 02:00:00:00:00:99"
    ));
    assert_eq!(net.sent.len(), 1);
}

#[test]
fn padt_during_discovery_ignored() {
    let mut net = Net::new(config());
    let padt = frame(US, AC, Code::PADT, 0x1234, &[tag(TagType::HOST_UNIQ, HU)]);
    net.recv(&padt);
    assert_eq!(net.ignored(), Some(Ignored::PadtDuringDiscovery));
    net.choose(AC, &[]);
    net.recv(&padt);
    assert_eq!(net.ignored(), Some(Ignored::PadtDuringDiscovery));
    assert!(logged(
        Level::Debug,
        "Ignoring PADT packet during discovery"
    ));
    assert!(!net.engine.is_done());
    assert_eq!(net.sent.len(), 2);
}

#[test]
fn unexpected_codes_and_session_frames_ignored() {
    let mut net = Net::new(config());
    let padi = frame(
        MacAddr::BROADCAST,
        OTHER,
        Code::PADI,
        0,
        &[tag(TagType::SERVICE_NAME, b"")],
    );
    net.recv(&padi);
    assert_eq!(net.ignored(), Some(Ignored::Unexpected(Code::PADI)));
    net.recv(&frame(US, OTHER, Code::PADR, 0, &[]));
    assert_eq!(net.ignored(), Some(Ignored::Unexpected(Code::PADR)));
    net.recv(&pads(AC, 1, &[]));
    assert_eq!(net.ignored(), Some(Ignored::Unexpected(Code::PADS)));
    net.recv(&frame(US, AC, Code(0x42), 0, &[]));
    assert_eq!(net.ignored(), Some(Ignored::Unexpected(Code(0x42))));
    assert!(logged(
        Level::Debug,
        "Ignoring unexpected Code(0x42) packet"
    ));
    net.recv(&frame(
        US,
        AC,
        Code::SESSION,
        1,
        &[tag(TagType(0xc021), b"lcp")],
    ));
    assert_eq!(net.ignored(), Some(Ignored::SessionFrame));
    // A second PADO once an AC is chosen changes nothing.
    net.choose(AC, &[]);
    net.recv(&pado(AC2, &[]));
    assert_eq!(net.ignored(), Some(Ignored::Unexpected(Code::PADO)));
    assert_eq!(net.offers().len(), 1);
    net.recv(&pads(AC, 5, &[]));
    assert_eq!(net.session().unwrap().ac_mac, AC);
}

#[test]
fn malformed_frames_ignored() {
    let mut net = Net::new(config());
    let good = pado(AC, &[]);
    net.recv(&good[..15]);
    assert_eq!(
        net.ignored(),
        Some(Ignored::Malformed(wire::Error::Truncated {
            required: 20,
            actual: 15
        }))
    );
    let mut bad_version = good.clone();
    bad_version[14] = 0x21;
    net.recv(&bad_version);
    assert_eq!(
        net.ignored(),
        Some(Ignored::Malformed(wire::Error::BadVersionType(0x21)))
    );
    net.recv(&good[..good.len() - 1]);
    assert!(matches!(
        net.ignored(),
        Some(Ignored::Malformed(wire::Error::LengthTooLong { .. }))
    ));
    // The AC-Name tag claims more than the payload holds.
    let mut overrun = good.clone();
    overrun[23] = 0xff;
    net.recv(&overrun);
    assert!(matches!(
        net.ignored(),
        Some(Ignored::Malformed(wire::Error::TagOverrun { .. }))
    ));
    // A trailing partial tag header spoils the whole PADO.
    let mut trailing = good.clone();
    trailing.extend_from_slice(&[0x01, 0x01]);
    let len = trailing.len() as u16 - 20;
    trailing[18..20].copy_from_slice(&len.to_be_bytes());
    net.recv(&trailing);
    assert_eq!(
        net.ignored(),
        Some(Ignored::Malformed(wire::Error::TagTruncated {
            offset: usize::from(len) - 2,
            remaining: 2
        }))
    );
    assert!(net.offers().is_empty());
    assert_eq!(net.sent.len(), 1);
    // The intact frame, padded to a long Ethernet frame, is still accepted.
    let mut padded = good.clone();
    padded.resize(100, 0xaa);
    net.recv(&padded);
    assert_eq!(net.ignored(), None);
}

#[test]
fn end_of_list_hides_later_tags() {
    let mut net = Net::new(config());
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"ac1"),
            tag(TagType::HOST_UNIQ, HU),
            tag(TagType::END_OF_LIST, b""),
            tag(TagType::SERVICE_NAME, b""),
        ],
    );
    net.recv(&pado);
    assert_eq!(net.ignored(), Some(Ignored::NoServiceName));
}

#[test]
fn late_frames_after_established_ignored() {
    let mut net = Net::new(config());
    net.choose(AC, &[]);
    net.recv(&pads(AC, 3, &[]));
    let events = net.events.len();
    for late in [
        pads(AC, 4, &[]),
        pado(AC2, &[]),
        frame(US, AC, Code::PADT, 3, &[]),
        pads(AC, 0, &[tag(TagType::GENERIC_ERROR, b"x")]),
    ] {
        let code = Frame::new_checked(&late[..]).unwrap().code();
        net.recv(&late);
        assert_eq!(net.ignored(), Some(Ignored::Finished(code)));
    }
    net.engine.handle_timeout(secs(1000));
    net.drain();
    assert_eq!(net.events.len(), events);
    assert_eq!(net.sent.len(), 2);
    assert_eq!(net.session().unwrap().session_id, 3);
}

#[test]
fn frames_after_failure_ignored() {
    let mut net = Net::new(config());
    net.run_to_end();
    net.recv(&pado(AC, &[]));
    assert_eq!(net.ignored(), Some(Ignored::Finished(Code::PADO)));
    assert_eq!(net.sent.len(), 3);
    assert_eq!(net.events.len(), 1);
    assert_eq!(net.engine.poll_timeout(), None);
}

#[test]
fn verbose_logs_every_ac_name_seen() {
    let mut net = Net::new(Config {
        verbose: 1,
        ac_name: Some(b"ac2".to_vec()),
        ..config()
    });
    // Logged even for an AC that is then rejected (here by the AC-Name filter).
    net.recv(&pado(AC, &[]));
    assert!(logged(Level::Info, "Access-Concentrator: ac1"));
    assert_eq!(net.ignored(), Some(Ignored::AcNameMismatch));
    // Without verbose: no such line.
    let mut net = Net::new(config());
    net.recv(&pado(AC, &[]));
    assert!(!take_logs()
        .iter()
        .any(|(_, t)| t.starts_with("Access-Concentrator")));
}

#[test]
fn verbose_lines_are_ppp_2_5s() {
    let mut net = Net::new(Config {
        verbose: 1,
        ..config()
    });
    take_logs();
    let cookie: Vec<u8> = (0..24).collect();
    net.recv(&frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"isp-ac"),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::SERVICE_NAME, b"internet"),
            tag(TagType::HOST_UNIQ, HU),
            tag(TagType::AC_COOKIE, &cookie),
            tag(TagType::RELAY_SESSION_ID, &[0xab, 0xcd]),
            tag(TagType::PPP_MAX_PAYLOAD, &[0x05, 0xdc]),
        ],
    ));
    let info: Vec<String> = take_logs()
        .into_iter()
        .filter(|(l, _)| *l == Level::Info)
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        info,
        [
            "Access-Concentrator: isp-ac",
            "Service-Name: internet",
            "Cookie: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13...",
            "Relay-ID: ab cd",
            "Max-Payload: 1500",
            "AC-Ethernet-Address: 00:11:22:33:44:55",
            "--------------------------------------------------",
        ]
    );
    // Not for a PADO from another AC than pppoe-mac (as the C plugin).
    let mut net = Net::new(Config {
        verbose: 1,
        ac_mac: Some(AC2),
        ..config()
    });
    take_logs();
    net.recv(&pado(AC, &[]));
    assert!(!take_logs().iter().any(|(l, _)| *l == Level::Info));
}

#[test]
fn a_pado_without_ac_name_is_an_error_once_a_round() {
    let mut net = Net::new(config());
    take_logs();
    let nameless = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[tag(TagType::SERVICE_NAME, b""), tag(TagType::HOST_UNIQ, HU)],
    );
    for _ in 0..3 {
        net.recv(&nameless);
    }
    let lines = take_logs();
    let at = |level| {
        lines
            .iter()
            .filter(|(l, t)| *l == level && t == "Ignoring PADO packet with no AC-Name tag")
            .count()
    };
    assert_eq!((at(Level::Error), at(Level::Debug)), (1, 2));
}

#[test]
fn no_service_name_tag_when_asked_not_to_send_one() {
    let mut net = Net::new(Config {
        service_name: None,
        ..config()
    });
    let padi = Frame::new_checked(&net.sent[0].1[..]).unwrap();
    assert!(padi.tags().flatten().all(|t| t.ty != TagType::SERVICE_NAME));
    // The PADR asks for what the chosen AC offered.
    net.recv(&frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"ac1"),
            tag(TagType::SERVICE_NAME, b"internet"),
            tag(TagType::HOST_UNIQ, HU),
        ],
    ));
    let padr = Frame::new_checked(net.last_sent()).unwrap();
    assert_eq!(padr.code(), Code::PADR);
    let services: Vec<&[u8]> = padr
        .tags()
        .flatten()
        .filter(|t| t.ty == TagType::SERVICE_NAME)
        .map(|t| t.value)
        .collect();
    assert_eq!(services, [&b"internet"[..]]);
}

#[test]
fn refusals_are_reported() {
    let mut net = Net::new(config());
    net.recv(&pado(
        AC,
        &[tag(TagType::SERVICE_NAME_ERROR, b"no such service")],
    ));
    net.choose(AC2, &[]);
    net.recv(&pads(AC2, 0, &[tag(TagType::AC_SYSTEM_ERROR, b"full")]));
    let refusals: Vec<Refusal> = net
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Refused(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        refusals,
        [
            Refusal {
                code: Code::PADO,
                ac_mac: AC,
                ac_name: b"ac1".to_vec(),
                tag: TagType::SERVICE_NAME_ERROR,
                text: b"no such service".to_vec(),
            },
            Refusal {
                code: Code::PADS,
                ac_mac: AC2,
                ac_name: b"ac1".to_vec(),
                tag: TagType::AC_SYSTEM_ERROR,
                text: b"full".to_vec(),
            },
        ]
    );
}

#[test]
fn too_long_padi_fails_at_once() {
    let net = Net::new(Config {
        service_name: Some(vec![b's'; 1499]),
        ..config()
    });
    assert!(net.sent.is_empty());
    assert_eq!(net.failure(), Some((0, Failure::NoOffer)));
    assert!(net.engine.is_done());
    assert!(logged(
        Level::Error,
        "Cannot build PADI: would create too-long packet: payload of 1511 bytes, maximum 1502"
    ));
}

#[test]
fn pado_whose_padr_would_be_too_long_is_skipped() {
    let service = vec![b's'; 700];
    let mut net = Net::new(Config {
        service_name: Some(service.clone()),
        ..config()
    });
    let cookie = vec![0xcc; 900];
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"a"),
            tag(TagType::SERVICE_NAME, &service),
            tag(TagType::HOST_UNIQ, HU),
            tag(TagType::AC_COOKIE, &cookie[..700]),
        ],
    );
    net.recv(&pado);
    assert_eq!(net.ignored(), None, "a PADR payload of 1416 bytes fits");
    let mut net = Net::new(Config {
        service_name: Some(service.clone()),
        ppp_max_payload: Some(1500),
        ..config()
    });
    let pado = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b""),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, HU),
            tag(TagType::AC_COOKIE, &cookie[..784]),
        ],
    );
    net.recv(&pado);
    assert_eq!(
        net.ignored(),
        Some(Ignored::PadrTooLong(wire::Error::TooLong {
            required: 1506,
            max: 1502
        }))
    );
    assert_eq!(net.sent.len(), 1);
}

#[test]
fn huge_timeouts_saturate() {
    let mut net = Net::new(Config {
        padi_timeout: Duration::MAX / 2,
        padi_attempts: 100,
        ..config()
    });
    net.step();
    net.step();
    assert_eq!(net.engine.poll_timeout(), Some(Duration::MAX));
    assert_eq!(attempt_timeout(secs(5), 40, Backoff::Double), Duration::MAX);
    assert_eq!(
        attempt_timeout(Duration::ZERO, 40, Backoff::Double),
        Duration::ZERO
    );
    assert_eq!(attempt_timeout(secs(5), 3, Backoff::Double), secs(20));
    assert_eq!(attempt_timeout(secs(5), u32::MAX, Backoff::Fixed), secs(5));
}

#[test]
fn memory_stays_bounded_under_a_pado_flood() {
    let mut engine = Engine::new(
        Config {
            ac_name: Some(b"real".to_vec()),
            ..config()
        },
        Duration::ZERO,
    );
    for i in 0..1000u32 {
        let mut mac = [0x02, 0, 0, 0, 0, 0];
        mac[2..].copy_from_slice(&i.to_be_bytes());
        engine.handle_frame(
            Duration::ZERO,
            &pado(MacAddr(mac), &[tag(TagType::AC_COOKIE, &[0; 1000])]),
        );
    }
    assert_eq!(engine.events.len(), MAX_QUEUED_OFFERS);
    let real = frame(
        US,
        AC,
        Code::PADO,
        0,
        &[
            tag(TagType::AC_NAME, b"real"),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, HU),
        ],
    );
    engine.handle_frame(Duration::ZERO, &real);
    assert_eq!(engine.last_ignored(), None);
    let last = engine.events.last().cloned();
    assert!(matches!(
        last,
        Some(Event::Offer(Offer {
            accepted: true,
            ac_mac: AC,
            ..
        }))
    ));
    for _ in 0..100 {
        engine.handle_timeout(Duration::MAX);
    }
    assert!(engine.transmit.len() <= MAX_QUEUED_FRAMES);
    take_logs();
}

/// Small deterministic generator: no extra crates needed.
#[test]
fn random_frame_storm_keeps_the_invariants() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let codes = [Code::PADO, Code::PADS, Code::PADT, Code::PADI, Code(0x33)];
    let types = [
        TagType::AC_NAME,
        TagType::SERVICE_NAME,
        TagType::HOST_UNIQ,
        TagType::AC_COOKIE,
        TagType::RELAY_SESSION_ID,
        TagType::PPP_MAX_PAYLOAD,
        TagType::GENERIC_ERROR,
        TagType::END_OF_LIST,
        TagType(0x7777),
    ];
    let macs = [
        US,
        AC,
        AC2,
        OTHER,
        MacAddr::BROADCAST,
        MacAddr([1, 0, 0x5e, 0, 0, 1]),
        MacAddr::default(),
    ];
    for run in 0..200u64 {
        let mut engine = Engine::new(config(), Duration::ZERO);
        let mut now = Duration::ZERO;
        let mut chosen: Option<MacAddr> = None;
        for _ in 0..60 {
            let r = rng.next();
            if r % 7 == 0 {
                now += Duration::from_millis(rng.next() % 20_000);
                engine.handle_timeout(now);
            } else {
                let values: [&[u8]; 6] = [b"", HU, b"ac1", &[0x05, 0xdc], &[1, 2, 3], COOKIE];
                let mut tags = Vec::new();
                for _ in 0..(rng.next() % 6) {
                    let ty = types[(rng.next() % types.len() as u64) as usize];
                    let value = values[(rng.next() % values.len() as u64) as usize];
                    tags.push(tag(ty, value));
                }
                let dst = if rng.next() % 3 == 0 {
                    macs[(rng.next() % 7) as usize]
                } else {
                    US
                };
                let src = macs[(rng.next() % 7) as usize];
                let code = codes[(rng.next() % codes.len() as u64) as usize];
                let mut bytes = frame(dst, src, code, (rng.next() % 3) as u16, &tags);
                if rng.next() % 5 == 0 {
                    // Corrupt a byte or cut the frame.
                    let i = (rng.next() % bytes.len() as u64) as usize;
                    if rng.next() % 2 == 0 {
                        bytes[i] = rng.byte();
                    } else {
                        bytes.truncate(i);
                    }
                }
                engine.handle_frame(now, &bytes);
            }
            while let Some(out) = engine.poll_transmit() {
                let f = Frame::new_checked(&out.frame[..]).expect("we only send valid frames");
                assert_eq!(f.src(), US);
                if f.code() == Code::PADR {
                    assert!(f.dst().is_unicast(), "PADR to {}", f.dst());
                    assert!(
                        chosen.is_none() || chosen == Some(f.dst()),
                        "PADR to two ACs"
                    );
                    chosen = Some(f.dst());
                } else {
                    assert_eq!(f.code(), Code::PADI);
                    assert!(chosen.is_none(), "PADI after choosing an AC");
                }
            }
            while let Some(event) = engine.poll_event() {
                if let Event::Established(s) = event {
                    assert_eq!(Some(s.ac_mac), chosen, "run {run}");
                    assert_eq!(s.host_uniq(), Some(HU));
                    assert!(engine.is_done());
                }
            }
            if let Some(deadline) = engine.poll_timeout() {
                assert!(deadline >= now);
            }
        }
        take_logs();
    }
}
