//! Stateful fuzzing of the discovery engine: the input chooses a configuration and then a
//! sequence of received frames (structured ones built from a palette of addresses, codes
//! and tag values, mutated or not, and raw byte strings) and timer events, and whether the
//! caller drains the engine's queues after each step.
//!
//! After every step the engine is checked against an independent model (its own frame
//! reader, not the wire module's):
//! - a PADO is accepted exactly when the model finds it acceptable, and a PADS ends
//!   discovery exactly when it is valid: so never a PADR to a non-unicast, filtered-out or
//!   silent MAC, never a session without our Host-Uniq when one is configured;
//! - every frame sent is valid, from us, a PADI (broadcast, before any PADR) or a PADR to
//!   the chosen AC echoing its first AC-Cookie and Relay-Session-Id byte for byte;
//! - a session id of 0 or 0xffff is reported only together with the warning line;
//! - at most one final event, nothing after it, no deadline once done;
//! - the queues stay bounded when the caller does not drain them.
#![no_main]

use std::cell::RefCell;
use std::time::Duration;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use rp_pppoe_core::engine::{Backoff, Config, Engine, Event, Failure, Ignored, Mode, Offer};
use rp_pppoe_core::log::{self, Level, Logger};
use rp_pppoe_core::wire::{self, Code, Frame, MacAddr, Repr, Tag, TagType};

/// Frames the engine keeps queued at most (engine.rs `MAX_QUEUED_FRAMES`).
const MAX_QUEUED_FRAMES: usize = 8;
/// Offer events kept while nobody polls (engine.rs `MAX_QUEUED_OFFERS`), plus the accepted one.
const MAX_QUEUED_OFFERS: usize = 16 + 1;
/// Steps per input, so that one input stays fast.
const MAX_STEPS: usize = 96;

const US: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
const AC: MacAddr = MacAddr([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
const AC2: MacAddr = MacAddr([0x00, 0x11, 0x22, 0x33, 0x44, 0x66]);
const OTHER: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x99]);
const MCAST: MacAddr = MacAddr([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]);
const ZERO: MacAddr = MacAddr([0; 6]);
const MACS: [MacAddr; 7] = [AC, AC2, OTHER, US, MacAddr::BROADCAST, MCAST, ZERO];
const HU: &[u8] = &[0x01, 0x02, 0x03, 0x04];
const NAMES: [&[u8]; 4] = [b"", b"isp", b"ac1", b"x"];

// ---------------------------------------------------------------------------------------
// Log capture (the crate-root hooks of `text`): every line is built, so the log text code
// runs too, and must stay on one line; warnings are kept for the session-id check.

std::thread_local! {
    static WARNINGS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Every line is built (enabled for all levels), so the log text code runs too.
static CAPTURE: Logger = Logger {
    enabled: |_| true,
    write: |level, fmt, args| {
        let line = log::format(fmt, args);
        assert!(!line.contains('\n'), "multi-line log: {line:?}");
        if level <= Level::Warn {
            WARNINGS.with(|w| w.borrow_mut().push(line));
        }
    },
};

fn take_warnings() -> Vec<String> {
    WARNINGS.with(|w| core::mem::take(&mut *w.borrow_mut()))
}

// ---------------------------------------------------------------------------------------
// The model's own frame reader (deliberately not the wire module).

struct Read {
    dst: MacAddr,
    src: MacAddr,
    code: u8,
    session_id: u16,
    tags: Vec<(u16, Vec<u8>)>,
}

impl Read {
    fn first(&self, ty: TagType) -> Option<&[u8]> {
        self.tags
            .iter()
            .find(|(t, _)| *t == ty.0)
            .map(|(_, v)| &v[..])
    }

    fn all(&self, ty: TagType) -> impl Iterator<Item = &[u8]> {
        self.tags
            .iter()
            .filter(move |(t, _)| *t == ty.0)
            .map(|(_, v)| &v[..])
    }

    fn has_error_tag(&self) -> bool {
        self.tags.iter().any(|(t, _)| (0x0201..=0x0203).contains(t))
    }
}

fn mac(bytes: &[u8]) -> MacAddr {
    let mut m = [0u8; 6];
    m.copy_from_slice(bytes);
    MacAddr(m)
}

/// A clean discovery frame (ethertype 0x8863, ver/type 0x11, sane length, a tag walk that
/// ends at End-Of-List or exactly at the end of the payload), or None.
fn read(bytes: &[u8]) -> Option<Read> {
    if bytes.len() < 20 || bytes[12..14] != [0x88, 0x63] || bytes[14] != 0x11 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([bytes[18], bytes[19]]));
    if len > 1502 || 20 + len > bytes.len() {
        return None;
    }
    let payload = &bytes[20..20 + len];
    let mut tags = Vec::new();
    let mut i = 0;
    while i < payload.len() {
        if payload.len() - i < 4 {
            return None;
        }
        let ty = u16::from_be_bytes([payload[i], payload[i + 1]]);
        let l = usize::from(u16::from_be_bytes([payload[i + 2], payload[i + 3]]));
        if ty == 0 {
            break;
        }
        if i + 4 + l > payload.len() {
            return None;
        }
        tags.push((ty, payload[i + 4..i + 4 + l].to_vec()));
        i += 4 + l;
    }
    Some(Read {
        dst: mac(&bytes[0..6]),
        src: mac(&bytes[6..12]),
        code: bytes[15],
        session_id: u16::from_be_bytes([bytes[16], bytes[17]]),
        tags,
    })
}

fn unicast(m: MacAddr) -> bool {
    m.0[0] & 1 == 0 && m.0 != [0; 6]
}

// ---------------------------------------------------------------------------------------
// The model.

#[derive(Clone, Debug)]
struct Chosen {
    mac: MacAddr,
    /// Its first Service-Name.
    service: Option<Vec<u8>>,
    cookie: Option<Vec<u8>>,
    relay: Option<Vec<u8>>,
}

#[derive(Debug, PartialEq)]
enum Verdict {
    /// A PADO the engine must accept (and answer with a PADR).
    Accept,
    /// A valid PADS: discovery must end with a session.
    Establish,
    /// A PADS for us carrying an error tag: a failed PADR attempt.
    PadsError,
    /// List-only mode: a PADO for us, reported as an offer.
    Listed,
    /// Anything else: the engine must ignore it.
    Ignore,
}

struct Model {
    config: Config,
    chosen: Option<Chosen>,
    done: bool,
    /// A final event (Established / Failed) was drained.
    finished: bool,
    /// A PADR was drained (no PADI may follow).
    padr_sent: bool,
}

impl Model {
    fn padr_fits(&self, r: &Read) -> bool {
        let c = &self.config;
        // The PADR's Service-Name: ours, or (sending none in the PADI) the
        // PADO's first.
        let service = match &c.service_name {
            Some(s) => s.len(),
            None => r.first(TagType::SERVICE_NAME).map_or(0, <[u8]>::len),
        };
        let mut len = 4 + service;
        len += c.host_uniq.as_ref().map_or(0, |h| 4 + h.len());
        len += c.ppp_max_payload.map_or(0, |_| 6);
        len += r.first(TagType::AC_COOKIE).map_or(0, |v| 4 + v.len());
        len += r
            .first(TagType::RELAY_SESSION_ID)
            .map_or(0, |v| 4 + v.len());
        len <= 1502
    }

    fn host_uniq_ok(&self, r: &Read) -> bool {
        match &self.config.host_uniq {
            None => true,
            Some(want) => r.first(TagType::HOST_UNIQ) == Some(&want[..]),
        }
    }

    fn list_only(&self) -> bool {
        self.config.mode == Mode::ListOnly
    }

    /// List-only mode: an offer is accepted exactly when what it says passes
    /// the filters, and otherwise says why not.
    fn check_listed(&self, o: &Offer) {
        let c = &self.config;
        let acceptable = c.ac_mac.is_none_or(|m| m == o.ac_mac)
            && !o.ac_name().is_empty()
            && o.service_names().next().is_some()
            && o.error().is_none()
            && c.ac_name.as_deref().is_none_or(|want| o.ac_name() == want)
            && c.service_filter
                .as_deref()
                .is_none_or(|want| o.service_names().any(|s| s == want));
        // An empty AC-Name tag reads as no name in the offer: only check
        // acceptance when the name is there or the offer says it is missing.
        if !o.ac_name().is_empty() || o.refused == Some(Ignored::NoAcName) {
            assert_eq!(o.accepted, acceptable, "{o:?}");
        }
        assert_eq!(o.accepted, o.refused.is_none(), "{o:?}");
    }

    fn verdict(&self, bytes: &[u8]) -> Verdict {
        let Some(r) = read(bytes) else {
            return Verdict::Ignore;
        };
        if self.done {
            return Verdict::Ignore;
        }
        let c = &self.config;
        if self.list_only() {
            let reported = Code(r.code) == Code::PADO
                && r.dst == c.our_mac
                && r.src != c.our_mac
                && unicast(r.src)
                && self.host_uniq_ok(&r);
            return if reported {
                Verdict::Listed
            } else {
                Verdict::Ignore
            };
        }
        match (&self.chosen, Code(r.code)) {
            (None, Code::PADO) => {
                let ok = r.dst == c.our_mac
                    && r.src != c.our_mac
                    && unicast(r.src)
                    && self.host_uniq_ok(&r)
                    && c.ac_mac.is_none_or(|m| m == r.src)
                    && r.first(TagType::AC_NAME).is_some()
                    && r.first(TagType::SERVICE_NAME).is_some()
                    && !r.has_error_tag()
                    && c.ac_name
                        .as_deref()
                        .is_none_or(|want| r.first(TagType::AC_NAME) == Some(want))
                    && c.service_filter
                        .as_deref()
                        .is_none_or(|want| r.all(TagType::SERVICE_NAME).any(|s| s == want))
                    && self.padr_fits(&r);
                if ok {
                    Verdict::Accept
                } else {
                    Verdict::Ignore
                }
            }
            (Some(chosen), Code::PADS) => {
                if r.src != chosen.mac || r.dst != c.our_mac || !self.host_uniq_ok(&r) {
                    Verdict::Ignore
                } else if r.has_error_tag() {
                    Verdict::PadsError
                } else {
                    Verdict::Establish
                }
            }
            _ => Verdict::Ignore,
        }
    }

    /// Checks one frame the engine sent.
    fn check_sent(&mut self, bytes: &[u8]) {
        let r = read(bytes).expect("the engine sends only clean frames");
        let frame = Frame::new_checked(bytes).expect("wire agrees");
        assert!(frame.tags().all(|t| t.is_ok()));
        let c = &self.config;
        assert_eq!(r.src, c.our_mac, "sent from another MAC");
        assert_eq!(r.session_id, 0);
        let offered = self.chosen.as_ref().and_then(|ch| ch.service.as_deref());
        let service = match (Code(r.code), &c.service_name) {
            (_, Some(s)) => Some(&s[..]),
            (Code::PADI, None) => None,
            (_, None) => Some(offered.unwrap_or_default()),
        };
        assert_eq!(r.first(TagType::SERVICE_NAME), service);
        assert_eq!(r.first(TagType::HOST_UNIQ), c.host_uniq.as_deref());
        let mp = c.ppp_max_payload.map(u16::to_be_bytes);
        assert_eq!(
            r.first(TagType::PPP_MAX_PAYLOAD),
            mp.as_ref().map(|v| &v[..])
        );
        match Code(r.code) {
            Code::PADI => {
                assert_eq!(r.dst, MacAddr::BROADCAST);
                assert!(!self.padr_sent, "PADI after a PADR");
                assert!(!self.finished, "PADI after the final event");
            }
            Code::PADR => {
                let chosen = self.chosen.as_ref().expect("PADR without an accepted PADO");
                assert_eq!(r.dst, chosen.mac, "PADR to another AC than the chosen one");
                assert!(unicast(r.dst), "PADR to a non-unicast MAC");
                assert_ne!(r.dst, c.our_mac);
                if let Some(m) = c.ac_mac {
                    assert_eq!(r.dst, m, "PADR to a MAC that pppoe-mac filters out");
                }
                assert_eq!(r.first(TagType::AC_COOKIE), chosen.cookie.as_deref());
                assert_eq!(r.first(TagType::RELAY_SESSION_ID), chosen.relay.as_deref());
                assert!(!self.finished, "PADR after the final event");
                self.padr_sent = true;
            }
            other => panic!("the engine sent {other}"),
        }
    }

    fn check_event(&mut self, event: &Event) {
        assert!(!self.finished, "event after the final one: {event:?}");
        let list_only = self.list_only();
        // List-only mode fails only when it cannot build a PADI at all.
        let dial_only = matches!(
            event,
            Event::Established(_) | Event::Failed(Failure::NoConfirm)
        );
        assert!(
            !(list_only && dial_only) && (list_only || !matches!(event, Event::Listed)),
            "{event:?} in mode {:?}",
            self.config.mode
        );
        match event {
            Event::Offer(offer) => {
                assert!(unicast(offer.ac_mac));
                assert_ne!(offer.ac_mac, self.config.our_mac);
                if list_only {
                    self.check_listed(offer);
                }
            }
            Event::Listed => self.finished = true,
            Event::Refused(r) => {
                assert!(unicast(r.ac_mac));
                assert_ne!(r.ac_mac, self.config.our_mac);
                assert!(r.tag.is_error(), "{r:?}");
                assert!(matches!(r.code, Code::PADO | Code::PADS), "{r:?}");
            }
            Event::Established(s) => {
                let chosen = self.chosen.as_ref().expect("session without a chosen AC");
                assert_eq!(s.ac_mac, chosen.mac);
                assert_eq!(s.our_mac, self.config.our_mac);
                assert_eq!(s.host_uniq(), self.config.host_uniq.as_deref());
                assert_eq!(s.cookie(), chosen.cookie.as_deref());
                self.finished = true;
            }
            Event::Failed(Failure::NoOffer) => {
                assert!(self.chosen.is_none());
                self.finished = true;
            }
            Event::Failed(Failure::NoConfirm) => {
                assert!(self.chosen.is_some());
                self.finished = true;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Input decoding.

fn duration(u: &mut Unstructured<'_>) -> Result<Duration> {
    Ok(match u.int_in_range(0..=9u8)? {
        0 => Duration::ZERO,
        1 => Duration::MAX,
        2 => Duration::from_nanos(u.arbitrary()?),
        _ => Duration::from_millis(u.int_in_range(1..=20_000)?),
    })
}

fn attempts(u: &mut Unstructured<'_>) -> Result<u32> {
    Ok(if u.ratio(1, 16)? {
        u.arbitrary()?
    } else {
        u.int_in_range(0..=4)?
    })
}

fn name(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    Ok(if u.ratio(1, 8)? {
        let n = u.int_in_range(0..=1600)?;
        u.bytes(n)?.to_vec()
    } else {
        u.choose(&NAMES)?.to_vec()
    })
}

fn config(u: &mut Unstructured<'_>) -> Result<Config> {
    let our_mac = if u.ratio(1, 16)? {
        MacAddr(u.arbitrary()?)
    } else {
        US
    };
    let host_uniq = match u.int_in_range(0..=5u8)? {
        0 => None,
        1 => Some(Vec::new()),
        2 => {
            let n = u.int_in_range(1..=80)?;
            Some(u.bytes(n)?.to_vec())
        }
        _ => Some(HU.to_vec()),
    };
    Ok(Config {
        our_mac,
        service_name: if u.ratio(1, 8)? { None } else { Some(name(u)?) },
        service_filter: if u.arbitrary()? { Some(name(u)?) } else { None },
        ac_name: if u.arbitrary()? { Some(name(u)?) } else { None },
        ac_mac: match u.int_in_range(0..=3u8)? {
            0 => Some(*u.choose(&MACS)?),
            1 => Some(MacAddr(u.arbitrary()?)),
            _ => None,
        },
        host_uniq,
        ppp_max_payload: if u.arbitrary()? {
            Some(u.arbitrary()?)
        } else {
            None
        },
        padi_timeout: duration(u)?,
        padi_attempts: attempts(u)?,
        padr_timeout: duration(u)?,
        padr_attempts: attempts(u)?,
        backoff: if u.arbitrary()? {
            Backoff::Double
        } else {
            Backoff::Fixed
        },
        verbose: u.int_in_range(0..=2)?,
        mode: if u.ratio(1, 4)? {
            Mode::ListOnly
        } else {
            Mode::Dial
        },
    })
}

/// A value for a tag: mostly one that means something to the configuration.
fn value(u: &mut Unstructured<'_>, c: &Config) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0..=11u8)? {
        0 => c.host_uniq.clone().unwrap_or_default(),
        1 => c.ac_name.clone().unwrap_or_default(),
        2 => c.service_filter.clone().unwrap_or_default(),
        3 => c.service_name.clone().unwrap_or_default(),
        4 => Vec::new(),
        5 => vec![0x05, 0xdc],
        6 => vec![0x05, 0xd4],
        7 => {
            let n = u.int_in_range(0..=1500)?;
            vec![u.arbitrary::<u8>()?; n]
        }
        8 => HU.to_vec(),
        _ => {
            let n = u.int_in_range(0..=64)?;
            u.bytes(n)?.to_vec()
        }
    })
}

const TAG_TYPES: [TagType; 11] = [
    TagType::AC_NAME,
    TagType::SERVICE_NAME,
    TagType::HOST_UNIQ,
    TagType::AC_COOKIE,
    TagType::RELAY_SESSION_ID,
    TagType::PPP_MAX_PAYLOAD,
    TagType::SERVICE_NAME_ERROR,
    TagType::AC_SYSTEM_ERROR,
    TagType::GENERIC_ERROR,
    TagType::END_OF_LIST,
    TagType::VENDOR_SPECIFIC,
];

const CODES: [Code; 8] = [
    Code::PADO,
    Code::PADO,
    Code::PADS,
    Code::PADS,
    Code::PADT,
    Code::PADI,
    Code::PADR,
    Code::SESSION,
];

fn structured_frame(u: &mut Unstructured<'_>, c: &Config) -> Result<Vec<u8>> {
    let dst = if u.ratio(3, 4)? {
        c.our_mac
    } else {
        *u.choose(&MACS)?
    };
    let src = match u.int_in_range(0..=7u8)? {
        0 => MacAddr(u.arbitrary()?),
        1..=3 => c.ac_mac.unwrap_or(AC),
        _ => *u.choose(&MACS)?,
    };
    let code = if u.ratio(1, 16)? {
        Code(u.arbitrary()?)
    } else {
        *u.choose(&CODES)?
    };
    let session_id = match u.int_in_range(0..=4u8)? {
        0 => 0,
        1 => 0xffff,
        2 => u.arbitrary()?,
        _ => 0x1234,
    };
    // Half of the frames start as a proper answer for their code (the tags a PADO, PADS or
    // PADT to us would carry under this configuration), so that deep states are reached
    // whatever the configuration; random tags are then mixed in.
    let mut values: Vec<(TagType, Vec<u8>)> = Vec::new();
    if u.arbitrary()? {
        let ac_name = c.ac_name.clone().unwrap_or_else(|| b"ac1".to_vec());
        let service = c.service_filter.clone().unwrap_or_default();
        match code {
            Code::PADO => {
                values.push((TagType::AC_NAME, ac_name));
                values.push((TagType::SERVICE_NAME, service));
            }
            Code::PADS => values.push((TagType::SERVICE_NAME, service)),
            _ => {}
        }
        if let Some(hu) = &c.host_uniq {
            values.push((TagType::HOST_UNIQ, hu.clone()));
        }
    }
    let n = u.int_in_range(0..=6)?;
    for _ in 0..n {
        let ty = if u.ratio(1, 16)? {
            TagType(u.arbitrary()?)
        } else {
            *u.choose(&TAG_TYPES)?
        };
        let v = value(u, c)?;
        let at = u.int_in_range(0..=values.len())?;
        values.insert(at, (ty, v));
    }
    let mut tags: Vec<Tag<'_>> = values
        .iter()
        .map(|(ty, v)| Tag { ty: *ty, value: v })
        .collect();
    let mut bytes = loop {
        let repr = Repr {
            dst,
            src,
            code,
            session_id,
            tags: &tags,
        };
        match repr.to_vec() {
            Ok(bytes) => break bytes,
            Err(_) => {
                tags.pop();
            }
        }
    };
    // Sometimes damage it.
    match u.int_in_range(0..=11u8)? {
        0 => {
            let at = u.int_in_range(0..=bytes.len())?;
            bytes.truncate(at);
        }
        1 => {
            let at = u.int_in_range(0..=bytes.len() - 1)?;
            bytes[at] = u.arbitrary()?;
        }
        2 => {
            let len: u16 = u.arbitrary()?;
            bytes[18..20].copy_from_slice(&len.to_be_bytes());
        }
        3 => {
            // Ethernet padding (or trailing junk) past the length field.
            let n = u.int_in_range(0..=100)?;
            bytes.extend_from_slice(u.bytes(n)?);
        }
        _ => {}
    }
    Ok(bytes)
}

// ---------------------------------------------------------------------------------------

struct Harness {
    engine: Engine,
    model: Model,
    now: Duration,
    drain: bool,
}

impl Harness {
    /// Drains (when the caller does) and checks everything queued.
    fn after_step(&mut self, force_drain: bool) {
        assert_eq!(
            self.engine.poll_timeout().is_none(),
            self.engine.is_done(),
            "a deadline exactly while discovery runs"
        );
        self.model.done = self.engine.is_done();
        if !(self.drain || force_drain) {
            return;
        }
        let mut frames = 0;
        while let Some(t) = self.engine.poll_transmit() {
            frames += 1;
            let code = Frame::new_checked(&t.frame[..]).map(|f| f.code());
            assert_eq!(code, Ok(t.code), "the engine said it sent a {}", t.code);
            self.model.check_sent(&t.frame);
        }
        assert!(frames <= MAX_QUEUED_FRAMES, "{frames} frames queued");
        let (mut offers, mut finals, mut refusals) = (0, 0, 0);
        while let Some(event) = self.engine.poll_event() {
            match event {
                Event::Offer(_) => offers += 1,
                Event::Refused(_) => refusals += 1,
                _ => finals += 1,
            }
            self.model.check_event(&event);
        }
        assert!(offers <= MAX_QUEUED_OFFERS, "{offers} offers queued");
        assert!(finals <= 1);
        assert!(refusals <= 1, "{refusals} refusals queued");
    }

    fn deliver(&mut self, bytes: &[u8]) {
        let verdict = self.model.verdict(bytes);
        let was_done = self.engine.is_done();
        take_warnings();
        self.engine.handle_frame(self.now, bytes);
        let ignored = self.engine.last_ignored();
        let warnings = take_warnings();
        if was_done {
            assert!(ignored.is_some(), "a frame used after discovery ended");
            assert!(self.engine.is_done());
        }
        match verdict {
            Verdict::Accept => {
                assert_eq!(ignored, None, "an acceptable PADO was not accepted");
                let r = read(bytes).expect("accepted frames are clean");
                self.model.chosen = Some(Chosen {
                    mac: r.src,
                    service: r.first(TagType::SERVICE_NAME).map(<[u8]>::to_vec),
                    cookie: r.first(TagType::AC_COOKIE).map(<[u8]>::to_vec),
                    relay: r.first(TagType::RELAY_SESSION_ID).map(<[u8]>::to_vec),
                });
            }
            Verdict::Establish => {
                assert_eq!(ignored, None, "a valid PADS was not taken");
                assert!(self.engine.is_done());
                let r = read(bytes).expect("accepted frames are clean");
                if let Some(want) = &self.model.config.host_uniq {
                    assert_eq!(r.first(TagType::HOST_UNIQ), Some(&want[..]));
                }
                let warned = warnings
                    .iter()
                    .any(|w| w.contains("the AC is violating RFC 2516"));
                let bad_id = r.session_id == 0 || r.session_id == 0xffff;
                assert_eq!(warned, bad_id, "session id {:#x}", r.session_id);
                // The session event says the same (drain it now if the caller would not).
                self.after_step(true);
                return;
            }
            Verdict::Listed => {
                assert_eq!(ignored, None, "a PADO for us was not reported");
            }
            Verdict::PadsError => {
                assert!(
                    matches!(ignored, Some(Ignored::ErrorTag(Code::PADS, _))),
                    "PADS error taken as {ignored:?}"
                );
            }
            Verdict::Ignore => {
                assert!(
                    ignored.is_some(),
                    "the engine used a frame the model rejects: {}",
                    wire::dump(bytes)
                );
            }
        }
        self.after_step(false);
    }

    fn timeout(&mut self, now: Duration) {
        self.now = now.max(self.now);
        self.engine.handle_timeout(self.now);
        self.after_step(false);
    }
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let config = config(&mut u)?;
    let mut h = Harness {
        engine: Engine::new(config.clone(), Duration::ZERO),
        model: Model {
            config,
            chosen: None,
            done: false,
            finished: false,
            padr_sent: false,
        },
        now: Duration::ZERO,
        drain: true,
    };
    h.after_step(false);
    for _ in 0..MAX_STEPS {
        if u.is_empty() {
            break;
        }
        match u.int_in_range(0..=15u8)? {
            0..=9 => {
                let frame = structured_frame(&mut u, &h.model.config)?;
                h.deliver(&frame);
            }
            10 => {
                let n = u.int_in_range(0..=1600)?;
                let frame = u.bytes(n)?.to_vec();
                h.deliver(&frame);
            }
            11 | 12 => {
                // The caller wakes up at the deadline.
                let at = h.engine.poll_timeout().unwrap_or(h.now);
                h.timeout(at);
            }
            13 => {
                let later = h.now.saturating_add(duration(&mut u)?);
                h.timeout(later);
            }
            14 => {
                // Early or repeated wake-ups change nothing.
                let now = h.now;
                h.timeout(now);
            }
            _ => h.drain = !h.drain,
        }
    }
    h.after_step(true);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    log::set_logger(&CAPTURE);
    let _ = run(data);
});
