//! Test support shared by the unit tests (quinn-proto's `tests/util.rs` is the
//! model): a logger that records every line per thread, so tests running in
//! parallel see only their own lines; one deterministic generator; and the
//! engine on a virtual clock ([`Net`]) with the frames of one test network
//! (us, two ACs, another host).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;
use std::cell::RefCell;

use crate::engine::{Config, Engine, Event, Failure, Ignored, Offer, Session};
use crate::log::{Level, Logger};
use crate::wire::{Code, Frame, MacAddr, Repr, Tag, TagType, Tags};

std::thread_local! {
    static LINES: RefCell<Vec<(Level, String)>> = const { RefCell::new(Vec::new()) };
}

/// Records each line as pppd would print it ([`crate::log::format`]).
static RECORDER: Logger = Logger {
    enabled: |_| true,
    write: |level, fmt, args| {
        let line = crate::log::format(fmt, args);
        LINES.with(|l| l.borrow_mut().push((level, line)))
    },
};

/// Installs the recorder (idempotent). Panics if another logger is installed.
pub(crate) fn record_logs() {
    assert!(
        crate::log::set_logger(&RECORDER),
        "another logger is installed"
    );
}

/// Takes (and clears) this thread's lines; installs the recorder first, so a
/// test that starts with `take_logs()` records from there on.
pub(crate) fn take_logs() -> Vec<(Level, String)> {
    record_logs();
    LINES.with(|l| core::mem::take(&mut *l.borrow_mut()))
}

/// Whether exactly `text` was logged at `level` on this thread.
pub(crate) fn logged(level: Level, text: &str) -> bool {
    LINES.with(|l| l.borrow().iter().any(|(lv, t)| *lv == level && t == text))
}

pub(crate) struct XorShift(pub(crate) u64);
impl XorShift {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn byte(&mut self) -> u8 {
        (self.next() >> 24) as u8
    }
}

pub(crate) const US: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
pub(crate) const AC: MacAddr = MacAddr([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
pub(crate) const AC2: MacAddr = MacAddr([0x00, 0x11, 0x22, 0x33, 0x44, 0x66]);
pub(crate) const OTHER: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x99]);
pub(crate) const HU: &[u8] = &[0x01, 0x02, 0x03, 0x04];
pub(crate) const COOKIE: &[u8] = &[0xde, 0xad, 0xbe, 0xef];
pub(crate) const RELAY: &[u8] = &[0xab, 0xcd];

pub(crate) fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub(crate) fn config() -> Config {
    Config {
        our_mac: US,
        host_uniq: Some(HU.to_vec()),
        ..Config::default()
    }
}

pub(crate) fn tag(ty: TagType, value: &[u8]) -> Tag<'_> {
    Tag { ty, value }
}

pub(crate) fn frame(
    dst: MacAddr,
    src: MacAddr,
    code: Code,
    session_id: u16,
    tags: &[Tag<'_>],
) -> Vec<u8> {
    Repr {
        dst,
        src,
        code,
        session_id,
        tags,
    }
    .to_vec()
    .unwrap()
}

/// A PADO from `src` to us with AC-Name "ac1", Service-Name "" and Host-Uniq, then `extra`.
pub(crate) fn pado(src: MacAddr, extra: &[Tag<'_>]) -> Vec<u8> {
    let mut tags = vec![
        tag(TagType::AC_NAME, b"ac1"),
        tag(TagType::SERVICE_NAME, b""),
        tag(TagType::HOST_UNIQ, HU),
    ];
    tags.extend_from_slice(extra);
    frame(US, src, Code::PADO, 0, &tags)
}

/// A PADS from `src` to us with Service-Name "" and Host-Uniq, then `extra`.
pub(crate) fn pads(src: MacAddr, session_id: u16, extra: &[Tag<'_>]) -> Vec<u8> {
    let mut tags = vec![tag(TagType::SERVICE_NAME, b""), tag(TagType::HOST_UNIQ, HU)];
    tags.extend_from_slice(extra);
    frame(US, src, Code::PADS, session_id, &tags)
}

/// The engine on a virtual clock, with everything it sent and reported.
pub(crate) struct Net {
    pub(crate) engine: Engine,
    pub(crate) now: Duration,
    pub(crate) sent: Vec<(Duration, Vec<u8>)>,
    /// What the engine said each frame in `sent` is.
    pub(crate) kinds: Vec<(Code, u32)>,
    pub(crate) events: Vec<(Duration, Event)>,
}

impl Net {
    pub(crate) fn new(config: Config) -> Net {
        take_logs();
        let mut net = Net {
            engine: Engine::new(config, Duration::ZERO),
            now: Duration::ZERO,
            sent: Vec::new(),
            kinds: Vec::new(),
            events: Vec::new(),
        };
        net.drain();
        net
    }

    pub(crate) fn drain(&mut self) {
        while let Some(t) = self.engine.poll_transmit() {
            self.kinds.push((t.code, t.attempt));
            self.sent.push((self.now, t.frame));
        }
        while let Some(event) = self.engine.poll_event() {
            self.events.push((self.now, event));
        }
    }

    /// Jumps to the next deadline and fires it; false when there is none.
    pub(crate) fn step(&mut self) -> bool {
        let Some(deadline) = self.engine.poll_timeout() else {
            return false;
        };
        assert!(deadline >= self.now, "deadline in the past");
        self.now = deadline;
        self.engine.handle_timeout(self.now);
        self.drain();
        true
    }

    pub(crate) fn run_to_end(&mut self) {
        for _ in 0..1000 {
            if !self.step() {
                return;
            }
        }
        panic!("engine never finished");
    }

    /// Moves the clock to `t` (firing timers on the way) and delivers `frame`.
    pub(crate) fn recv_at(&mut self, t: Duration, frame: &[u8]) {
        while self.engine.poll_timeout().is_some_and(|d| d <= t) {
            self.step();
        }
        self.now = t;
        self.engine.handle_frame(t, frame);
        self.drain();
    }

    pub(crate) fn recv(&mut self, frame: &[u8]) {
        let now = self.now;
        self.recv_at(now, frame);
    }

    /// (time in seconds, code) of every frame sent.
    pub(crate) fn timeline(&self) -> Vec<(u64, Code)> {
        self.sent
            .iter()
            .map(|(t, f)| (t.as_secs(), Frame::new_checked(&f[..]).unwrap().code()))
            .collect()
    }

    pub(crate) fn offers(&self) -> Vec<Offer> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                Event::Offer(o) => Some(o.clone()),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn session(&self) -> Option<Session> {
        self.events.iter().find_map(|(_, e)| match e {
            Event::Established(s) => Some(s.clone()),
            _ => None,
        })
    }

    pub(crate) fn failure(&self) -> Option<(u64, Failure)> {
        self.events.iter().find_map(|(t, e)| match e {
            Event::Failed(f) => Some((t.as_secs(), *f)),
            _ => None,
        })
    }

    pub(crate) fn ignored(&self) -> Option<Ignored> {
        self.engine.last_ignored()
    }

    pub(crate) fn last_sent(&self) -> &[u8] {
        &self.sent.last().unwrap().1
    }

    /// Delivers a PADO that is accepted, leaving the engine waiting for a PADS.
    pub(crate) fn choose(&mut self, src: MacAddr, extra: &[Tag<'_>]) {
        self.recv(&pado(src, extra));
        assert_eq!(self.ignored(), None);
        assert_eq!(self.timeline().last().unwrap().1, Code::PADR);
    }
}

/// A tag list from `(type, value)` pairs, in order.
pub(crate) fn tag_list(tags: &[(TagType, &[u8])]) -> Tags {
    let mut t = Tags::new();
    for &(ty, value) in tags {
        t.push(ty, value);
    }
    t
}

/// A session to or from [`AC`] with these kept tags.
pub(crate) fn session_with(session_id: u16, tags: &[(TagType, &[u8])]) -> Session {
    Session {
        session_id,
        ac_mac: AC,
        our_mac: US,
        tags: tag_list(tags),
    }
}
