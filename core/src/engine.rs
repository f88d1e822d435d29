//! Sans-IO PPPoE discovery engine, client side (RFC 2516).
//!
//! The engine owns no socket and reads no clock. Time is a [`Duration`] since an arbitrary
//! monotonic origin. Feed it with [`Engine::handle_frame`] and [`Engine::handle_timeout`];
//! after each input drain [`Engine::poll_transmit`] and [`Engine::poll_event`], then sleep
//! until [`Engine::poll_timeout`] or the next received frame.
//!
//! ```text
//!   new() ──PADI──> SendingPadi ──accepted PADO / PADR──> SendingPadr ──PADS──> Established
//!                     │ timeouts: resend PADI                │ timeouts or PADS error: resend PADR
//!                     └─ last attempt ─> Failed(NoOffer)     └─ last attempt ─> Failed(NoConfirm)
//! ```
//!
//! Where the C plugin (ppp 2.4.7 .. 2.5.x) and this engine differ, it is on purpose:
//! a PADO with an error tag is skipped while the engine keeps waiting (2.5 behaviour), and
//! AC-Cookie / Relay-Session-Id are taken only from the PADO that is accepted.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::log::Level;
use crate::text::{Escaped, Hex2, Put};
use crate::{log, push};

use crate::wire::{self, Code, Frame, MacAddr, Repr, Tag, TagIter, TagType};

/// Smallest PPP-Max-Payload value taken from an AC (RFC 4638: larger than 1492).
const MIN_MAX_PAYLOAD: u16 = 1492;
/// Offer events kept while the caller does not poll; later ones are dropped.
const MAX_QUEUED_OFFERS: usize = 16;
/// Frames kept while the caller does not poll; the oldest is dropped beyond this.
const MAX_QUEUED_FRAMES: usize = 8;

/// Longest Host-Uniq accepted from a command line (bytes). RFC 2516 sets no
/// limit, but it must fit in PADI next to the other tags.
pub const MAX_HOST_UNIQ: usize = 64;

/// Parses a Host-Uniq given as hex (`0a1B2c`, an optional `0x` prefix): 1 to
/// [`MAX_HOST_UNIQ`] bytes. The plugin's `host-uniq` and the tools' `-W`.
pub fn parse_host_uniq(v: &[u8]) -> Option<Vec<u8>> {
    let v = v
        .strip_prefix(b"0x")
        .or_else(|| v.strip_prefix(b"0X"))
        .unwrap_or(v);
    crate::text::parse_hex(v).filter(|b| !b.is_empty() && b.len() <= MAX_HOST_UNIQ)
}

/// How the wait grows from one attempt to the next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Backoff {
    /// Attempt k waits `timeout * 2^(k-1)` (stock pppd: 5, 10, 20 s).
    Double,
    /// Every attempt waits `timeout` (OpenWrt's pppd: 5, 5, 5 s).
    #[cfg_attr(not(test), allow(dead_code))] // part of the API; used by tests
    Fixed,
}

/// What the engine is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Mode {
    /// Find an access concentrator and open a session (PADI, PADO, PADR, PADS).
    #[default]
    Dial,
    /// Only list the access concentrators that answer (`pppoe-discovery`):
    /// PADIs as in `Dial`, every PADO reported as an [`Offer`] (`accepted`
    /// meaning it matches the filters), never a PADR; after the last PADI's
    /// wait, [`Event::Listed`] (or `Failed(NoOffer)` at once if no PADI can
    /// be built).
    ListOnly,
}

/// What to ask for and what to accept.
///
/// Not `#[non_exhaustive]`: every user is in this workspace, and a struct
/// literal that names every field fails to compile when a field is added,
/// which is what we want for the plugin's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Our Ethernet address: source of everything we send, destination of what we accept.
    pub our_mac: MacAddr,
    /// Service-Name sent in PADI and PADR (empty = any service). Always sent.
    pub service_name: Vec<u8>,
    /// `rp_pppoe_service`: a PADO must carry a Service-Name tag exactly equal to this.
    pub service_filter: Option<Vec<u8>>,
    /// `rp_pppoe_ac`: a PADO's AC-Name must be exactly equal to this.
    pub ac_name: Option<Vec<u8>>,
    /// `pppoe-mac`: only accept a PADO from this source address.
    pub ac_mac: Option<MacAddr>,
    /// None: send no Host-Uniq and accept on MAC alone. Some(v): send v, and PADO/PADS must
    /// carry a Host-Uniq tag equal to v (length and bytes).
    pub host_uniq: Option<Vec<u8>>,
    /// Some(n): send PPP-Max-Payload n (RFC 4638) in PADI and PADR.
    pub ppp_max_payload: Option<u16>,
    /// Wait after the first PADI (default 5 s).
    pub padi_timeout: Duration,
    /// PADIs to send before giving up (default 3; 0 counts as 1).
    pub padi_attempts: u32,
    /// Wait after the first PADR (default 5 s).
    pub padr_timeout: Duration,
    /// PADRs to send before giving up (default 3; 0 counts as 1).
    pub padr_attempts: u32,
    /// Growth of the wait between attempts (default `Double`).
    pub backoff: Backoff,
    /// `rp_pppoe_verbose`: info-log "Access-Concentrator: NAME" for each PADO seen.
    pub verbose: bool,
    /// Dial (default) or list only.
    pub mode: Mode,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            our_mac: MacAddr::default(),
            service_name: Vec::new(),
            service_filter: None,
            ac_name: None,
            ac_mac: None,
            host_uniq: None,
            ppp_max_payload: None,
            padi_timeout: Duration::from_secs(5),
            padi_attempts: 3,
            padr_timeout: Duration::from_secs(5),
            padr_attempts: 3,
            backoff: Backoff::Double,
            verbose: false,
            mode: Mode::Dial,
        }
    }
}

/// A PADO that was addressed to us (right MAC and Host-Uniq), accepted or
/// not: what it said, read once here for the plugin, its status file and
/// `pppoe-discovery`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub ac_mac: MacAddr,
    /// The first AC-Name tag (empty if there was none).
    pub ac_name: Vec<u8>,
    /// Every Service-Name tag, in order.
    pub service_names: Vec<Vec<u8>>,
    /// The first AC-Cookie tag.
    pub cookie: Option<Vec<u8>>,
    /// The first Relay-Session-Id tag.
    pub relay_session_id: Option<Vec<u8>>,
    /// The first PPP-Max-Payload tag's value, if it is 2 bytes long (whatever
    /// the value; see [`Offer::usable_max_payload`]).
    pub max_payload: Option<u16>,
    /// The first Service-Name-Error, AC-System-Error or Generic-Error tag.
    pub error: Option<(TagType, Vec<u8>)>,
    /// Chosen (the first acceptable one; in [`Mode::ListOnly`]: acceptable).
    pub accepted: bool,
    /// Why it was not accepted.
    pub refused: Option<Ignored>,
}

impl Offer {
    /// The PPP-Max-Payload if it is usable (RFC 4638: at least 1492).
    pub fn usable_max_payload(&self) -> Option<u16> {
        self.max_payload.filter(|&v| v >= MIN_MAX_PAYLOAD)
    }
}

/// A frame the engine wants sent, and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// PADI or PADR.
    pub code: Code,
    /// Which attempt of that code (1-based) within this discovery.
    pub attempt: u32,
    /// The complete Ethernet frame.
    pub frame: Vec<u8>,
}

/// The outcome of a successful discovery: what the OS layer needs to connect the
/// session and, later, to send PADT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub session_id: u16,
    pub ac_mac: MacAddr,
    pub our_mac: MacAddr,
    /// AC-Name of the accepted PADO.
    pub ac_name: Vec<u8>,
    /// The Service-Name of the PADS, or the configured one if the PADS had none.
    pub service_name: Vec<u8>,
    pub host_uniq: Option<Vec<u8>>,
    /// AC-Cookie of the accepted PADO.
    pub cookie: Option<Vec<u8>>,
    /// Relay-Session-Id of the PADS, else of the accepted PADO.
    pub relay_session_id: Option<Vec<u8>>,
    /// PPP-Max-Payload (2 bytes, at least 1492) from the PADS, else from the accepted PADO.
    pub max_payload: Option<u16>,
}

impl Session {
    /// A complete Ethernet PADT for this session: to the AC, from us, with the tags
    /// Host-Uniq (if any), Generic-Error (if given), AC-Cookie (if any) and
    /// Relay-Session-Id (if any), in that order.
    ///
    /// If they do not all fit in one frame, tags are left out in this order until they
    /// do: Generic-Error, Relay-Session-Id, AC-Cookie, Host-Uniq (the session id and the
    /// MAC addresses are what identify the session).
    pub fn padt(&self, generic_error: Option<&[u8]>) -> Vec<u8> {
        let mut tags: Vec<Tag<'_>> = Vec::with_capacity(4);
        let optional = [
            (TagType::HOST_UNIQ, self.host_uniq.as_deref()),
            (TagType::GENERIC_ERROR, generic_error),
            (TagType::AC_COOKIE, self.cookie.as_deref()),
            (TagType::RELAY_SESSION_ID, self.relay_session_id.as_deref()),
        ];
        for (ty, value) in optional {
            if let Some(value) = value {
                tags.push(Tag { ty, value });
            }
        }
        let drop_order = [
            TagType::GENERIC_ERROR,
            TagType::RELAY_SESSION_ID,
            TagType::AC_COOKIE,
            TagType::HOST_UNIQ,
        ];
        let mut drop_order = drop_order.iter();
        loop {
            let repr = Repr {
                dst: self.ac_mac,
                src: self.our_mac,
                code: Code::PADT,
                session_id: self.session_id,
                tags: &tags,
            };
            match repr.to_vec() {
                Ok(frame) => return frame,
                Err(err) => match drop_order.next() {
                    Some(&ty) => {
                        if tags.iter().any(|t| t.ty == ty) {
                            log!(Level::Debug; "PADT: ", err, "; leaving out the ", ty, " tag");
                        }
                        tags.retain(|t| t.ty != ty);
                    }
                    // Unreachable: a PADT without tags always fits.
                    None => return Vec::new(),
                },
            }
        }
    }
}

/// Why discovery ended without a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No acceptable PADO after the last PADI attempt.
    NoOffer,
    /// No usable PADS after the last PADR attempt.
    NoConfirm,
}

/// What the engine reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A PADO addressed to us was seen (see [`Offer::accepted`]).
    Offer(Offer),
    /// Discovery succeeded.
    Established(Session),
    /// Discovery failed; the engine is done.
    Failed(Failure),
    /// [`Mode::ListOnly`]: the last PADI's wait is over; the engine is done.
    Listed,
}

/// Why the engine did not use a received frame (see [`Engine::last_ignored`]).
/// The `Display` text is the log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ignored {
    /// Invalid PPPoE header or tag list.
    Malformed(wire::Error),
    /// A session-stage frame (ethertype 0x8864).
    SessionFrame,
    /// A code that the current state does not wait for (PADI, PADR, a second PADO, ...).
    Unexpected(Code),
    /// A PADT before a session exists.
    PadtDuringDiscovery,
    /// Discovery is over (established or failed).
    Finished(Code),
    /// Addressed to another MAC.
    NotForUs(Code, MacAddr),
    /// Sent from our own MAC.
    FromOurselves(Code),
    /// A PADO from a multicast, broadcast or zero MAC.
    NonUnicastSource(MacAddr),
    /// Host-Uniq in use and the frame's first Host-Uniq tag is missing or different.
    HostUniqMismatch(Code),
    /// A PADO from another MAC than `pppoe-mac`.
    WrongMac(MacAddr),
    /// A PADO without an AC-Name tag.
    NoAcName,
    /// A PADO without a Service-Name tag.
    NoServiceName,
    /// A PADO or PADS carrying Service-Name-Error, AC-System-Error or Generic-Error
    /// (the first one is named). For a PADS this counts as a failed PADR attempt.
    ErrorTag(Code, TagType),
    /// A PADO whose AC-Name differs from `rp_pppoe_ac`.
    AcNameMismatch,
    /// A PADO without a Service-Name equal to `rp_pppoe_service`.
    ServiceMismatch,
    /// A PADO whose PADR would exceed the maximum payload.
    PadrTooLong(wire::Error),
    /// A PADS from another MAC than the chosen AC.
    WrongAc(MacAddr),
}

impl Put for Ignored {
    fn put(&self, out: &mut String) {
        match *self {
            Ignored::Malformed(err) => push!(out; "Ignoring invalid PPPoE frame: ", err),
            Ignored::SessionFrame => out.push_str("Ignoring PPPoE session frame during discovery"),
            Ignored::Unexpected(code) => push!(out; "Ignoring unexpected ", code, " packet"),
            Ignored::PadtDuringDiscovery => out.push_str("Ignoring PADT packet during discovery"),
            Ignored::Finished(code) => push!(out; "Ignoring ", code, " packet: discovery is over"),
            Ignored::NotForUs(code, dst) => {
                push!(out; "Ignoring ", code, " packet addressed to ", dst)
            }
            Ignored::FromOurselves(code) => {
                push!(out; "Ignoring ", code, " packet from our own MAC address")
            }
            Ignored::NonUnicastSource(src) => {
                push!(out; "Ignoring PADO packet from non-unicast MAC address ", src)
            }
            Ignored::HostUniqMismatch(code) => {
                push!(out; "Ignoring ", code, " packet with a missing or wrong Host-Uniq tag")
            }
            Ignored::WrongMac(src) => {
                push!(out; "Ignoring PADO packet from wrong MAC address ", src)
            }
            Ignored::NoAcName => out.push_str("Ignoring PADO packet with no AC-Name tag"),
            Ignored::NoServiceName => out.push_str("Ignoring PADO packet with no Service-Name tag"),
            Ignored::ErrorTag(code, ty) => {
                push!(out; "Ignoring ", code, " packet with a ", ty, " tag")
            }
            Ignored::AcNameMismatch => {
                out.push_str("Ignoring PADO packet: its AC-Name is not the requested one")
            }
            Ignored::ServiceMismatch => {
                out.push_str("Ignoring PADO packet: it does not offer the requested Service-Name")
            }
            Ignored::PadrTooLong(err) => {
                push!(out; "Ignoring PADO packet: the PADR answering it is invalid: ", err)
            }
            Ignored::WrongAc(src) => push!(out;
                "Ignoring PADS packet from ", src, ": not the chosen access concentrator"
            ),
        }
    }
}

crate::display_via_put!(Ignored);
crate::by_value!(Ignored, HexList<'_>);

impl Ignored {
    fn level(&self) -> Level {
        match self {
            Ignored::WrongMac(_) => Level::Warn,
            _ => Level::Debug,
        }
    }
}

/// The AC chosen from its PADO, and what of it the PADR and the session need.
#[derive(Debug)]
struct Chosen {
    mac: MacAddr,
    ac_name: Vec<u8>,
    cookie: Option<Vec<u8>>,
    relay: Option<Vec<u8>>,
    max_payload: Option<u16>,
}

#[derive(Debug)]
struct SendingPadi {
    /// 1-based number of the PADI last sent.
    attempt: u32,
    deadline: Duration,
}

#[derive(Debug)]
struct SendingPadr {
    ac: Chosen,
    /// 1-based number of the PADR last sent.
    attempt: u32,
    deadline: Duration,
}

#[derive(Debug)]
enum State {
    SendingPadi(SendingPadi),
    SendingPadr(SendingPadr),
    Established,
    Failed,
}

/// The first instance of each single-instance tag of a PADO or PADS.
#[derive(Default)]
struct Summary<'a> {
    ac_name: Option<&'a [u8]>,
    service_name: Option<&'a [u8]>,
    host_uniq: Option<&'a [u8]>,
    cookie: Option<&'a [u8]>,
    relay: Option<&'a [u8]>,
    max_payload: Option<&'a [u8]>,
    first_error: Option<Tag<'a>>,
}

impl<'a> Summary<'a> {
    /// Reads the tags of an already validated payload; logs duplicates (the first wins).
    fn new(code: Code, payload: &'a [u8]) -> Summary<'a> {
        let mut s = Summary::default();
        for tag in TagIter::new(payload).flatten() {
            let slot = match tag.ty {
                TagType::SERVICE_NAME => {
                    s.service_name.get_or_insert(tag.value);
                    continue;
                }
                ty if ty.is_error() => {
                    s.first_error.get_or_insert(tag);
                    continue;
                }
                TagType::AC_NAME => &mut s.ac_name,
                TagType::HOST_UNIQ => &mut s.host_uniq,
                TagType::AC_COOKIE => &mut s.cookie,
                TagType::RELAY_SESSION_ID => &mut s.relay,
                TagType::PPP_MAX_PAYLOAD => &mut s.max_payload,
                _ => continue,
            };
            if slot.is_some() {
                log!(Level::Debug; code, ": ignoring duplicate ", tag.ty, " tag");
            } else {
                *slot = Some(tag.value);
            }
        }
        s
    }

    /// The PPP-Max-Payload tag's value if it is 2 bytes long.
    fn raw_max_payload(&self) -> Option<u16> {
        match self.max_payload? {
            &[hi, lo] => Some(u16::from_be_bytes([hi, lo])),
            _ => None,
        }
    }

    /// The PPP-Max-Payload value if it is valid (2 bytes, at least 1492).
    fn max_payload(&self, code: Code) -> Option<u16> {
        let value = self.max_payload?;
        let usable = self.raw_max_payload().filter(|&v| v >= MIN_MAX_PAYLOAD);
        if usable.is_none() {
            log!(Level::Debug;
                code, ": ignoring invalid PPP-Max-Payload tag ", HexList(value)
            );
        }
        usable
    }

    /// What an offer reports of these tags (a PADO's).
    fn offer(&self, ac_mac: MacAddr, payload: &[u8]) -> Offer {
        let owned = |v: Option<&[u8]>| v.map(<[u8]>::to_vec);
        Offer {
            ac_mac,
            ac_name: self.ac_name.unwrap_or_default().to_vec(),
            service_names: service_names(payload).map(<[u8]>::to_vec).collect(),
            cookie: owned(self.cookie),
            relay_session_id: owned(self.relay),
            max_payload: self.raw_max_payload(),
            error: self.first_error.map(|t| (t.ty, t.value.to_vec())),
            accepted: false,
            refused: None,
        }
    }
}

/// Every Service-Name tag of an already validated payload.
fn service_names(payload: &[u8]) -> impl Iterator<Item = &[u8]> {
    TagIter::new(payload)
        .flatten()
        .filter(|t| t.ty == TagType::SERVICE_NAME)
        .map(|t| t.value)
}

/// Logs every error tag of a validated payload: "PADO: Service-Name-Error: TEXT".
fn log_error_tags(code: Code, payload: &[u8]) {
    for tag in TagIter::new(payload).flatten() {
        if tag.ty.is_error() {
            log!(Level::Error; code, ": ", tag.ty, ": ", Escaped::text(tag.value));
        }
    }
}

/// Bytes as `[05, dc, 01]` (`{:02x?}`).
struct HexList<'a>(&'a [u8]);

impl Put for HexList<'_> {
    fn put(&self, out: &mut String) {
        out.push('[');
        for (i, &b) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            Hex2(b).put(out);
        }
        out.push(']');
    }
}

fn host_uniq_ok(want: Option<&[u8]>, got: Option<&[u8]>) -> bool {
    match want {
        None => true,
        Some(want) => got == Some(want),
    }
}

/// The wait after sending attempt `attempt` (1-based), saturating.
fn attempt_timeout(base: Duration, attempt: u32, backoff: Backoff) -> Duration {
    match backoff {
        Backoff::Fixed => base,
        Backoff::Double => {
            let shift = attempt.saturating_sub(1);
            match 1u32.checked_shl(shift) {
                Some(factor) => base.saturating_mul(factor),
                _ if base.is_zero() => Duration::ZERO,
                _ => Duration::MAX,
            }
        }
    }
}

/// The client side of PPPoE discovery.
#[derive(Debug)]
pub struct Engine {
    config: Config,
    state: State,
    transmit: VecDeque<Transmit>,
    events: VecDeque<Event>,
    last_ignored: Option<Ignored>,
}

impl Engine {
    /// Starts discovery: the first PADI (broadcast) is queued at once, with its deadline
    /// at `now + padi_timeout`. If the PADI cannot be built (a Service-Name or Host-Uniq
    /// too long for one frame) the engine fails at once with [`Failure::NoOffer`].
    pub fn new(config: Config, now: Duration) -> Engine {
        let mut engine = Engine {
            config,
            state: State::Failed,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            last_ignored: None,
        };
        engine.send_padi(now, 1);
        engine
    }

    /// Feeds one complete received Ethernet frame (from the 0x8863 socket).
    pub fn handle_frame(&mut self, now: Duration, frame: &[u8]) {
        let result = self.process(now, frame);
        if let Err(reason) = result {
            log!(reason.level(); reason);
        }
        self.last_ignored = result.err();
    }

    /// Resends or gives up when the deadline has passed; no-op before it.
    pub fn handle_timeout(&mut self, now: Duration) {
        match &self.state {
            State::SendingPadi(s) if now >= s.deadline => {
                let attempt = s.attempt;
                if attempt < self.config.padi_attempts.max(1) {
                    log!(Level::Debug; "No PADO yet; resending PADI");
                    self.send_padi(now, attempt.saturating_add(1));
                } else if self.config.mode == Mode::ListOnly {
                    self.state = State::Failed;
                    self.events.push_back(Event::Listed);
                } else {
                    log!(Level::Error; "Timeout waiting for PADO packets");
                    self.fail(Failure::NoOffer);
                }
            }
            State::SendingPadr(s) if now >= s.deadline => {
                self.padr_failed(now, "Timeout waiting for PADS packets");
            }
            _ => {}
        }
    }

    /// The next frame to send, in order.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmit.pop_front()
    }

    /// The absolute time at which [`Engine::handle_timeout`] must be called; None when done.
    pub fn poll_timeout(&self) -> Option<Duration> {
        match &self.state {
            State::SendingPadi(s) => Some(s.deadline),
            State::SendingPadr(s) => Some(s.deadline),
            State::Established | State::Failed => None,
        }
    }

    /// The next event, in order.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Established or failed: nothing more will happen.
    #[cfg_attr(not(test), allow(dead_code))] // part of the API; used by tests
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Established | State::Failed)
    }

    /// Why the last frame given to [`Engine::handle_frame`] was not used (None if it was).
    #[cfg_attr(not(test), allow(dead_code))] // part of the API; used by tests
    pub fn last_ignored(&self) -> Option<Ignored> {
        self.last_ignored
    }

    fn process(&mut self, now: Duration, bytes: &[u8]) -> Result<(), Ignored> {
        let frame = Frame::new_checked(bytes).map_err(Ignored::Malformed)?;
        if frame.ethertype() != wire::ETH_P_PPPOE_DISC {
            return Err(Ignored::SessionFrame);
        }
        if let Some(Err(err)) = frame.tags().find(Result::is_err) {
            return Err(Ignored::Malformed(err));
        }
        let code = frame.code();
        match (&self.state, code) {
            (State::Established | State::Failed, code) => Err(Ignored::Finished(code)),
            (_, Code::PADT) => Err(Ignored::PadtDuringDiscovery),
            (State::SendingPadi(_), Code::PADO) => self.on_pado(now, &frame),
            (State::SendingPadr(_), Code::PADS) => self.on_pads(now, &frame),
            (_, code) => Err(Ignored::Unexpected(code)),
        }
    }

    fn on_pado(&mut self, now: Duration, frame: &Frame<&[u8]>) -> Result<(), Ignored> {
        let (src, dst) = (frame.src(), frame.dst());
        if dst != self.config.our_mac {
            return Err(Ignored::NotForUs(Code::PADO, dst));
        }
        if src == self.config.our_mac {
            return Err(Ignored::FromOurselves(Code::PADO));
        }
        if !src.is_unicast() {
            return Err(Ignored::NonUnicastSource(src));
        }
        let payload = frame.payload();
        let tags = Summary::new(Code::PADO, payload);
        if !host_uniq_ok(self.config.host_uniq.as_deref(), tags.host_uniq) {
            return Err(Ignored::HostUniqMismatch(Code::PADO));
        }

        // From here on the PADO answers our PADI: report it whatever the verdict.
        if self.config.verbose {
            if let Some(name) = tags.ac_name {
                log!(Level::Info; "Access-Concentrator: ", Escaped::text(name));
            }
        }
        let max_payload = tags.max_payload(Code::PADO);
        let verdict = self.judge_pado(src, payload, &tags, max_payload);
        let mut offer = tags.offer(src, payload);
        offer.accepted = verdict.is_ok();
        offer.refused = verdict.as_ref().err().copied();
        self.push_offer(offer);
        if self.config.mode == Mode::ListOnly {
            // Reported, so used, whatever the verdict (it is in the offer).
            return Ok(());
        }
        let (ac, padr) = verdict?.ok_or(Ignored::Unexpected(Code::PADO))?;
        log!(Level::Debug; "Chose access concentrator ", ac.mac, "; sending PADR");
        self.state = State::SendingPadr(SendingPadr {
            ac,
            attempt: 1,
            deadline: now.saturating_add(self.padr_wait(1)),
        });
        self.queue(Code::PADR, 1, padr);
        Ok(())
    }

    /// The checks after the Host-Uniq one; on success, the chosen AC and its
    /// PADR (`None` in [`Mode::ListOnly`], which never sends one).
    fn judge_pado(
        &self,
        src: MacAddr,
        payload: &[u8],
        tags: &Summary<'_>,
        max_payload: Option<u16>,
    ) -> Result<Option<(Chosen, Vec<u8>)>, Ignored> {
        let config = &self.config;
        if config.ac_mac.is_some_and(|mac| mac != src) {
            return Err(Ignored::WrongMac(src));
        }
        let ac_name = tags.ac_name.ok_or(Ignored::NoAcName)?;
        if tags.service_name.is_none() {
            return Err(Ignored::NoServiceName);
        }
        if let Some(tag) = tags.first_error {
            log_error_tags(Code::PADO, payload);
            return Err(Ignored::ErrorTag(Code::PADO, tag.ty));
        }
        if config
            .ac_name
            .as_deref()
            .is_some_and(|want| want != ac_name)
        {
            return Err(Ignored::AcNameMismatch);
        }
        if let Some(want) = config.service_filter.as_deref() {
            if !service_names(payload).any(|name| name == want) {
                return Err(Ignored::ServiceMismatch);
            }
        }
        if config.mode == Mode::ListOnly {
            return Ok(None);
        }
        let ac = Chosen {
            mac: src,
            ac_name: ac_name.to_vec(),
            cookie: tags.cookie.map(<[u8]>::to_vec),
            relay: tags.relay.map(<[u8]>::to_vec),
            max_payload,
        };
        let padr = self.padr(&ac).map_err(Ignored::PadrTooLong)?;
        Ok(Some((ac, padr)))
    }

    fn on_pads(&mut self, now: Duration, frame: &Frame<&[u8]>) -> Result<(), Ignored> {
        let State::SendingPadr(waiting) = &self.state else {
            return Err(Ignored::Unexpected(Code::PADS));
        };
        let (src, dst) = (frame.src(), frame.dst());
        if src != waiting.ac.mac {
            return Err(Ignored::WrongAc(src));
        }
        if dst != self.config.our_mac {
            return Err(Ignored::NotForUs(Code::PADS, dst));
        }
        let payload = frame.payload();
        let tags = Summary::new(Code::PADS, payload);
        if !host_uniq_ok(self.config.host_uniq.as_deref(), tags.host_uniq) {
            return Err(Ignored::HostUniqMismatch(Code::PADS));
        }
        if let Some(tag) = tags.first_error {
            log_error_tags(Code::PADS, payload);
            self.padr_failed(
                now,
                "No usable PADS: the access concentrator answered the last PADR with an error",
            );
            return Err(Ignored::ErrorTag(Code::PADS, tag.ty));
        }

        let session_id = frame.session_id();
        if session_id == 0 || session_id == 0xffff {
            // Only 0 and 0xffff get here.
            let shown = if session_id == 0 { "0x0" } else { "0xffff" };
            log!(Level::Warn;
                "Access concentrator used a session value of ", shown,
                " -- the AC is violating RFC 2516"
            );
        }
        let max_payload = tags.max_payload(Code::PADS);
        let State::SendingPadr(waiting) = core::mem::replace(&mut self.state, State::Established)
        else {
            return Err(Ignored::Unexpected(Code::PADS));
        };
        let ac = waiting.ac;
        let session = Session {
            session_id,
            ac_mac: ac.mac,
            our_mac: self.config.our_mac,
            ac_name: ac.ac_name,
            service_name: tags
                .service_name
                .map_or_else(|| self.config.service_name.clone(), <[u8]>::to_vec),
            host_uniq: self.config.host_uniq.clone(),
            cookie: ac.cookie,
            relay_session_id: tags.relay.map(<[u8]>::to_vec).or(ac.relay),
            max_payload: max_payload.or(ac.max_payload),
        };
        log!(Level::Info; "PPP session is ", session_id);
        self.events.push_back(Event::Established(session));
        Ok(())
    }

    /// The PADR attempt in flight failed (timeout or PADS error): resend, or give up
    /// with the error line `give_up` after the last attempt.
    fn padr_failed(&mut self, now: Duration, give_up: &str) {
        let State::SendingPadr(waiting) = core::mem::replace(&mut self.state, State::Failed) else {
            return;
        };
        if waiting.attempt < self.config.padr_attempts.max(1) {
            let attempt = waiting.attempt.saturating_add(1);
            match self.padr(&waiting.ac) {
                Ok(padr) => {
                    log!(Level::Debug; "Resending PADR (attempt ", attempt, ")");
                    self.state = State::SendingPadr(SendingPadr {
                        ac: waiting.ac,
                        attempt,
                        deadline: now.saturating_add(self.padr_wait(attempt)),
                    });
                    self.queue(Code::PADR, attempt, padr);
                }
                Err(err) => {
                    log!(Level::Error; "Cannot build PADR: ", err);
                    self.fail(Failure::NoConfirm);
                }
            }
        } else {
            log!(Level::Error; give_up);
            self.fail(Failure::NoConfirm);
        }
    }

    fn send_padi(&mut self, now: Duration, attempt: u32) {
        match self.padi() {
            Ok(padi) => {
                let wait = attempt_timeout(self.config.padi_timeout, attempt, self.config.backoff);
                self.state = State::SendingPadi(SendingPadi {
                    attempt,
                    deadline: now.saturating_add(wait),
                });
                self.queue(Code::PADI, attempt, padi);
            }
            Err(err) => {
                log!(Level::Error; "Cannot build PADI: ", err);
                self.fail(Failure::NoOffer);
            }
        }
    }

    fn padr_wait(&self, attempt: u32) -> Duration {
        attempt_timeout(self.config.padr_timeout, attempt, self.config.backoff)
    }

    fn padi(&self) -> Result<Vec<u8>, wire::Error> {
        let config = &self.config;
        let max_payload = config.ppp_max_payload.map(u16::to_be_bytes);
        let mut tags = Vec::with_capacity(3);
        tags.push(Tag {
            ty: TagType::SERVICE_NAME,
            value: &config.service_name,
        });
        if let Some(value) = config.host_uniq.as_deref() {
            tags.push(Tag {
                ty: TagType::HOST_UNIQ,
                value,
            });
        }
        if let Some(value) = max_payload.as_ref() {
            tags.push(Tag {
                ty: TagType::PPP_MAX_PAYLOAD,
                value,
            });
        }
        Repr {
            dst: MacAddr::BROADCAST,
            src: config.our_mac,
            code: Code::PADI,
            session_id: 0,
            tags: &tags,
        }
        .to_vec()
    }

    fn padr(&self, ac: &Chosen) -> Result<Vec<u8>, wire::Error> {
        let config = &self.config;
        let max_payload = config.ppp_max_payload.map(u16::to_be_bytes);
        let optional = [
            (TagType::HOST_UNIQ, config.host_uniq.as_deref()),
            (
                TagType::PPP_MAX_PAYLOAD,
                max_payload.as_ref().map(|v| &v[..]),
            ),
            (TagType::AC_COOKIE, ac.cookie.as_deref()),
            (TagType::RELAY_SESSION_ID, ac.relay.as_deref()),
        ];
        let mut tags = Vec::with_capacity(5);
        tags.push(Tag {
            ty: TagType::SERVICE_NAME,
            value: &config.service_name,
        });
        for (ty, value) in optional {
            if let Some(value) = value {
                tags.push(Tag { ty, value });
            }
        }
        Repr {
            dst: ac.mac,
            src: config.our_mac,
            code: Code::PADR,
            session_id: 0,
            tags: &tags,
        }
        .to_vec()
    }

    fn fail(&mut self, failure: Failure) {
        self.state = State::Failed;
        self.events.push_back(Event::Failed(failure));
    }

    fn queue(&mut self, code: Code, attempt: u32, frame: Vec<u8>) {
        if self.transmit.len() >= MAX_QUEUED_FRAMES {
            log!(Level::Debug; "Transmit queue full; dropping the oldest frame");
            self.transmit.pop_front();
        }
        self.transmit.push_back(Transmit {
            code,
            attempt,
            frame,
        });
    }

    fn push_offer(&mut self, offer: Offer) {
        let queued = self
            .events
            .iter()
            .filter(|e| matches!(e, Event::Offer(_)))
            .count();
        // When dialling, the accepted offer (at most one) always goes in; when
        // listing, any number can be acceptable, so the bound is for all.
        let chosen = offer.accepted && self.config.mode == Mode::Dial;
        if queued >= MAX_QUEUED_OFFERS && !chosen {
            log!(Level::Debug; "Event queue full; dropping the offer from ", offer.ac_mac);
            return;
        }
        self.events.push_back(Event::Offer(offer));
    }
}

/// The malformed-input corpus.
#[cfg(test)]
mod malformed;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Frame;
    use alloc::vec;

    use crate::testing::{logged, take_logs};

    const US: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
    const AC: MacAddr = MacAddr([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
    const AC2: MacAddr = MacAddr([0x00, 0x11, 0x22, 0x33, 0x44, 0x66]);
    const OTHER: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x99]);
    const HU: &[u8] = &[0x01, 0x02, 0x03, 0x04];
    const COOKIE: &[u8] = &[0xde, 0xad, 0xbe, 0xef];
    const RELAY: &[u8] = &[0xab, 0xcd];

    #[test]
    fn host_uniq_from_hex() {
        assert_eq!(parse_host_uniq(b"0a1B2c"), Some(vec![0x0a, 0x1b, 0x2c]));
        assert_eq!(parse_host_uniq(b"0x01020304"), Some(vec![1, 2, 3, 4]));
        assert_eq!(parse_host_uniq(b""), None);
        assert_eq!(parse_host_uniq(b"abc"), None);
        assert_eq!(parse_host_uniq(b"zz"), None);
        assert_eq!(parse_host_uniq(b"0x"), None);
        assert_eq!(parse_host_uniq(&[b'a'; 128]).map(|v| v.len()), Some(64));
        assert_eq!(parse_host_uniq(&[b'a'; 130]), None);
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn config() -> Config {
        Config {
            our_mac: US,
            host_uniq: Some(HU.to_vec()),
            ..Config::default()
        }
    }

    fn tag(ty: TagType, value: &[u8]) -> Tag<'_> {
        Tag { ty, value }
    }

    fn frame(dst: MacAddr, src: MacAddr, code: Code, session_id: u16, tags: &[Tag<'_>]) -> Vec<u8> {
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
    fn pado(src: MacAddr, extra: &[Tag<'_>]) -> Vec<u8> {
        let mut tags = vec![
            tag(TagType::AC_NAME, b"ac1"),
            tag(TagType::SERVICE_NAME, b""),
            tag(TagType::HOST_UNIQ, HU),
        ];
        tags.extend_from_slice(extra);
        frame(US, src, Code::PADO, 0, &tags)
    }

    /// A PADS from `src` to us with Service-Name "" and Host-Uniq, then `extra`.
    fn pads(src: MacAddr, session_id: u16, extra: &[Tag<'_>]) -> Vec<u8> {
        let mut tags = vec![tag(TagType::SERVICE_NAME, b""), tag(TagType::HOST_UNIQ, HU)];
        tags.extend_from_slice(extra);
        frame(US, src, Code::PADS, session_id, &tags)
    }

    /// The engine on a virtual clock, with everything it sent and reported.
    struct Net {
        engine: Engine,
        now: Duration,
        sent: Vec<(Duration, Vec<u8>)>,
        /// What the engine said each frame in `sent` is.
        kinds: Vec<(Code, u32)>,
        events: Vec<(Duration, Event)>,
    }

    impl Net {
        fn new(config: Config) -> Net {
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

        fn drain(&mut self) {
            while let Some(t) = self.engine.poll_transmit() {
                self.kinds.push((t.code, t.attempt));
                self.sent.push((self.now, t.frame));
            }
            while let Some(event) = self.engine.poll_event() {
                self.events.push((self.now, event));
            }
        }

        /// Jumps to the next deadline and fires it; false when there is none.
        fn step(&mut self) -> bool {
            let Some(deadline) = self.engine.poll_timeout() else {
                return false;
            };
            assert!(deadline >= self.now, "deadline in the past");
            self.now = deadline;
            self.engine.handle_timeout(self.now);
            self.drain();
            true
        }

        fn run_to_end(&mut self) {
            for _ in 0..1000 {
                if !self.step() {
                    return;
                }
            }
            panic!("engine never finished");
        }

        /// Moves the clock to `t` (firing timers on the way) and delivers `frame`.
        fn recv_at(&mut self, t: Duration, frame: &[u8]) {
            while self.engine.poll_timeout().is_some_and(|d| d <= t) {
                self.step();
            }
            self.now = t;
            self.engine.handle_frame(t, frame);
            self.drain();
        }

        fn recv(&mut self, frame: &[u8]) {
            let now = self.now;
            self.recv_at(now, frame);
        }

        /// (time in seconds, code) of every frame sent.
        fn timeline(&self) -> Vec<(u64, Code)> {
            self.sent
                .iter()
                .map(|(t, f)| (t.as_secs(), Frame::new_checked(&f[..]).unwrap().code()))
                .collect()
        }

        fn offers(&self) -> Vec<Offer> {
            self.events
                .iter()
                .filter_map(|(_, e)| match e {
                    Event::Offer(o) => Some(o.clone()),
                    _ => None,
                })
                .collect()
        }

        fn session(&self) -> Option<Session> {
            self.events.iter().find_map(|(_, e)| match e {
                Event::Established(s) => Some(s.clone()),
                _ => None,
            })
        }

        fn failure(&self) -> Option<(u64, Failure)> {
            self.events.iter().find_map(|(t, e)| match e {
                Event::Failed(f) => Some((t.as_secs(), *f)),
                _ => None,
            })
        }

        fn ignored(&self) -> Option<Ignored> {
            self.engine.last_ignored()
        }

        fn last_sent(&self) -> &[u8] {
            &self.sent.last().unwrap().1
        }

        /// Delivers a PADO that is accepted, leaving the engine waiting for a PADS.
        fn choose(&mut self, src: MacAddr, extra: &[Tag<'_>]) {
            self.recv(&pado(src, extra));
            assert_eq!(self.ignored(), None);
            assert_eq!(self.timeline().last().unwrap().1, Code::PADR);
        }
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
        assert_eq!(offers[0].cookie.as_deref(), Some(COOKIE));
        assert_eq!((offers[1].accepted, offers[1].refused), (true, None));
        assert_eq!(offers[1].service_names, [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(offers[1].max_payload, Some(1400));
        assert_eq!(
            offers[2].refused,
            Some(Ignored::NoAcName),
            "the first failed check"
        );
        assert_eq!(
            offers[2].error,
            Some((TagType::SERVICE_NAME_ERROR, b"no such service".to_vec()))
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
            service_name: b"isp".to_vec(),
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
                ac_name: b"ac1".to_vec(),
                service_names: vec![vec![]],
                cookie: Some(COOKIE.to_vec()),
                relay_session_id: Some(RELAY.to_vec()),
                max_payload: None,
                error: None,
                accepted: true,
                refused: None,
            }]
        );
        net.recv_at(secs(2), &pads(AC, 0x1234, &[]));
        assert_eq!(
            net.session(),
            Some(Session {
                session_id: 0x1234,
                ac_mac: AC,
                our_mac: US,
                ac_name: b"ac1".to_vec(),
                service_name: vec![],
                host_uniq: Some(HU.to_vec()),
                cookie: Some(COOKIE.to_vec()),
                relay_session_id: Some(RELAY.to_vec()),
                max_payload: None,
            })
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
            assert_eq!(net.session().unwrap().host_uniq, None);
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
        assert!(logged(
            Level::Debug,
            "Ignoring PADO packet with no AC-Name tag"
        ));
        let offers = net.offers();
        assert_eq!(offers.len(), 1);
        assert!(!offers[0].accepted);
        assert!(offers[0].ac_name.is_empty());
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
            net.offers()[1].service_names,
            [b"a".to_vec(), b"b".to_vec()]
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
        assert!(logged(
            Level::Error,
            "PADO: AC-System-Error: busy\\x0d\\x0a\\x1b[31m"
        ));
        assert!(logged(Level::Error, "PADO: Generic-Error: \u{fffd}x"));
        net.choose(AC2, &[]);
        assert_eq!(
            net.offers().iter().map(|o| o.accepted).collect::<Vec<_>>(),
            [false, false, true]
        );
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
    fn session_zero_and_ffff_accepted_with_a_warning() {
        for (id, text) in [
            (0u16, "Access concentrator used a session value of 0x0 -- the AC is violating RFC 2516"),
            (0xffff, "Access concentrator used a session value of 0xffff -- the AC is violating RFC 2516"),
        ] {
            let mut net = Net::new(config());
            net.choose(AC, &[]);
            net.recv(&pads(AC, id, &[]));
            assert!(logged(Level::Warn, text));
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
                net.session().unwrap().max_payload,
                want,
                "{pado_tags:?} {pads_tags:?}"
            );
        }
        let mut net = Net::new(config());
        net.choose(AC, &[mp(&[0x05, 0x78])]);
        // Reported as it is (pppoe-discovery shows it), not usable.
        assert_eq!(net.offers()[0].max_payload, Some(1400));
        assert_eq!(net.offers()[0].usable_max_payload(), None);
        assert!(logged(
            Level::Debug,
            "PADO: ignoring invalid PPP-Max-Payload tag [05, 78]"
        ));
    }

    #[test]
    fn padr_carries_max_payload_and_configured_service() {
        let mut net = Net::new(Config {
            service_name: b"isp".to_vec(),
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
        assert_eq!(net.session().unwrap().service_name, b"isp");
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
        assert_eq!(net.session().unwrap().service_name, b"internet");
    }

    #[test]
    fn pads_relay_session_id_overwrites_the_pado_one() {
        let mut net = Net::new(config());
        net.choose(AC, &[tag(TagType::RELAY_SESSION_ID, RELAY)]);
        net.recv(&pads(AC, 1, &[tag(TagType::RELAY_SESSION_ID, &[7, 7, 7])]));
        assert_eq!(net.session().unwrap().relay_session_id, Some(vec![7, 7, 7]));
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
        assert_eq!((session.cookie, session.relay_session_id), (None, None));
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
        assert_eq!(net.session().unwrap().ac_name, b"first");

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
        let session = Session {
            session_id: 0x1234,
            ac_mac: AC,
            our_mac: US,
            ac_name: b"ac1".to_vec(),
            service_name: vec![],
            host_uniq: Some(HU.to_vec()),
            cookie: Some(COOKIE.to_vec()),
            relay_session_id: Some(RELAY.to_vec()),
            max_payload: Some(1500),
        };
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
        let bare = Session {
            host_uniq: None,
            cookie: None,
            relay_session_id: None,
            ..session
        };
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
        let session = Session {
            session_id: 1,
            ac_mac: AC,
            our_mac: US,
            ac_name: vec![],
            service_name: vec![],
            host_uniq: Some(HU.to_vec()),
            cookie: Some(vec![0xcc; 1000]),
            relay_session_id: Some(vec![0xee; 400]),
            max_payload: None,
        };
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
        let huge = Session {
            cookie: Some(vec![0; 1400]),
            ..session
        };
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
            verbose: true,
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
    fn too_long_padi_fails_at_once() {
        let net = Net::new(Config {
            service_name: vec![b's'; 1499],
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
            service_name: service.clone(),
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
            service_name: service.clone(),
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
        let last = engine.events.back().cloned();
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
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn byte(&mut self) -> u8 {
            (self.next() >> 24) as u8
        }
    }

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
                        assert_eq!(s.host_uniq.as_deref(), Some(HU));
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
}
