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

mod config;
mod ignored;
mod offer;
mod session;

pub use config::{parse_host_uniq, Backoff, Config, Mode, MAX_HOST_UNIQ};
pub use ignored::Ignored;
pub use offer::Offer;
pub use session::Session;

use alloc::vec::Vec;
use core::cell::Cell;
use core::time::Duration;

use crate::log::Level;
use crate::text::text;
use crate::wire::{self, Code, Frame, MacAddr, Repr, Tag, TagType, Tags};
use crate::{debug, error, info, warning};

use offer::{host_uniq_ok, log_error_tags, log_verbose_tags, service_names, Summary};

/// Lines above debug level that frames may cause per discovery (bad PADOs,
/// error tags, PADOs from other ACs with `pppoe-mac`); later ones go to
/// debug level, so a flood of crafted frames cannot flood syslog.
const MAX_FRAME_NOTICES: u32 = 8;
/// Offer events kept while the caller does not poll; later ones are dropped.
const MAX_QUEUED_OFFERS: usize = 16;
/// Frames kept while the caller does not poll; the oldest is dropped beyond this.
const MAX_QUEUED_FRAMES: usize = 8;

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
    /// An access concentrator answered us with a Service-Name-Error,
    /// AC-System-Error or Generic-Error (in a PADO, which is then skipped, or
    /// a PADS, which then counts as a failed PADR): what a router UI shows
    /// when discovery fails because the ACs said no.
    Refused(Refusal),
}

/// An access concentrator's "no": which AC, in which packet, and its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// PADO or PADS.
    pub code: Code,
    pub ac_mac: MacAddr,
    /// The AC-Name of its PADO (empty if unknown).
    pub ac_name: Vec<u8>,
    /// The first error tag.
    pub tag: TagType,
    /// Its text.
    pub text: Vec<u8>,
}

/// The AC chosen from its PADO, and what of it the PADR and the session need.
#[derive(Debug)]
struct Chosen {
    mac: MacAddr,
    /// Its PADO's tags (AC-Name, Service-Name, AC-Cookie, Relay-Session-Id).
    pado: Tags,
    /// Its usable PPP-Max-Payload.
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
    // Queues, oldest first: a few entries at most between two polls (a
    // Vec and `front` are less code than a VecDeque).
    transmit: Vec<Transmit>,
    events: Vec<Event>,
    last_ignored: Option<Ignored>,
    /// Frame-caused lines above debug level so far (see [`MAX_FRAME_NOTICES`]).
    notices: Cell<u32>,
    /// A PADO without an AC-Name was logged at error level (once a round).
    no_ac_name_logged: bool,
}

impl Engine {
    /// Starts discovery: the first PADI (broadcast) is queued at once, with its deadline
    /// at `now + padi_timeout`. If the PADI cannot be built (a Service-Name or Host-Uniq
    /// too long for one frame) the engine fails at once with [`Failure::NoOffer`].
    pub fn new(config: Config, now: Duration) -> Engine {
        let mut engine = Engine {
            config,
            state: State::Failed,
            transmit: Vec::new(),
            events: Vec::new(),
            last_ignored: None,
            notices: Cell::new(0),
            no_ac_name_logged: false,
        };
        engine.send_padi(now, 1);
        engine
    }

    /// Feeds one complete received Ethernet frame (from the 0x8863 socket).
    pub fn handle_frame(&mut self, now: Duration, frame: &[u8]) {
        let result = self.process(now, frame);
        if let Err(reason) = result {
            let mut level = reason.level();
            if reason == Ignored::NoAcName {
                // As the C plugin, at error level; but once a round.
                level = if self.no_ac_name_logged {
                    Level::Debug
                } else {
                    Level::Error
                };
                self.no_ac_name_logged = true;
            }
            reason.log(self.frame_level(level));
        }
        self.last_ignored = result.err();
    }

    /// Resends or gives up when the deadline has passed; no-op before it.
    pub fn handle_timeout(&mut self, now: Duration) {
        match &self.state {
            State::SendingPadi(s) if now >= s.deadline => {
                let attempt = s.attempt;
                if attempt < self.config.padi_attempts.max(1) {
                    debug!("No PADO yet; resending PADI");
                    self.send_padi(now, attempt.saturating_add(1));
                } else if self.config.mode == Mode::ListOnly {
                    self.state = State::Failed;
                    self.events.push(Event::Listed);
                } else {
                    error!("Timeout waiting for PADO packets");
                    self.fail(Failure::NoOffer);
                }
            }
            State::SendingPadr(s) if now >= s.deadline => {
                self.padr_failed(now);
            }
            _ => {}
        }
    }

    /// The next frame to send, in order.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        front(&mut self.transmit)
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
        front(&mut self.events)
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

    /// The level for a line a received frame causes: as asked, until
    /// [`MAX_FRAME_NOTICES`] lines above debug level were logged; then debug
    /// (and once a line saying so).
    fn frame_level(&self, level: Level) -> Level {
        if level > Level::Warn {
            return level;
        }
        let n = self.notices.get().saturating_add(1);
        self.notices.set(n);
        if n == MAX_FRAME_NOTICES + 1 {
            warning!("Many unusable discovery packets; more are logged only with debug");
        }
        if n > MAX_FRAME_NOTICES {
            Level::Debug
        } else {
            level
        }
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
        let verbose = self.config.verbose > 0 && self.config.ac_mac.is_none_or(|m| m == src);
        if verbose {
            log_verbose_tags(payload);
        }
        let max_payload = tags.max_payload(Code::PADO);
        let pado = Tags::from_payload(payload);
        let verdict = self.judge_pado(src, &pado, payload, &tags, max_payload);
        if verbose
            && !matches!(
                verdict,
                Err(Ignored::NoAcName | Ignored::NoServiceName | Ignored::ErrorTag(..))
            )
        {
            info!("AC-Ethernet-Address: %0.*v", v(src.label(false)));
            info!("--------------------------------------------------");
        }
        if let Some(tag) = tags.first_error {
            self.refused(Code::PADO, src, tags.ac_name.unwrap_or_default(), tag);
        }
        self.push_offer(Offer {
            ac_mac: src,
            tags: pado,
            accepted: verdict.is_ok(),
            refused: verdict.as_ref().err().copied(),
        });
        if self.config.mode == Mode::ListOnly {
            // Reported, so used, whatever the verdict (it is in the offer).
            return Ok(());
        }
        let (ac, padr) = verdict?.ok_or(Ignored::Unexpected(Code::PADO))?;
        debug!(
            "Chose access concentrator %0.*v; sending PADR",
            v(ac.mac.label(true))
        );
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
        pado: &Tags,
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
            log_error_tags(Code::PADO, payload, self.frame_level(Level::Error));
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
            pado: pado.clone(),
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
            log_error_tags(Code::PADS, payload, self.frame_level(Level::Error));
            let name = waiting
                .ac
                .pado
                .first(TagType::AC_NAME)
                .unwrap_or_default()
                .to_vec();
            self.refused(Code::PADS, src, &name, tag);
            self.padr_failed(now);
            return Err(Ignored::ErrorTag(Code::PADS, tag.ty));
        }

        let session_id = frame.session_id();
        if session_id == 0 || session_id == 0xffff {
            // As the C plugin says it (and accepts it).
            error!(
                "Access concentrator used a session value of %x -- the AC is violating RFC 2516",
                d(session_id)
            );
        }
        let max_payload = tags.max_payload(Code::PADS);
        let State::SendingPadr(waiting) = core::mem::replace(&mut self.state, State::Established)
        else {
            return Err(Ignored::Unexpected(Code::PADS));
        };
        let ac = waiting.ac;
        let first = |ty| ac.pado.first(ty);
        let mut kept = Tags::new();
        kept.push_some(TagType::AC_NAME, first(TagType::AC_NAME));
        let service = tags
            .service_name
            .or(self.config.service_name.as_deref())
            .or(first(TagType::SERVICE_NAME));
        kept.push(TagType::SERVICE_NAME, service.unwrap_or_default());
        kept.push_some(TagType::HOST_UNIQ, self.config.host_uniq.as_deref());
        kept.push_some(TagType::AC_COOKIE, first(TagType::AC_COOKIE));
        kept.push_some(
            TagType::RELAY_SESSION_ID,
            tags.relay.or(first(TagType::RELAY_SESSION_ID)),
        );
        if let Some(mp) = max_payload.or(ac.max_payload) {
            kept.push(TagType::PPP_MAX_PAYLOAD, &mp.to_be_bytes());
        }
        let session = Session {
            session_id,
            ac_mac: ac.mac,
            our_mac: self.config.our_mac,
            tags: kept,
        };
        info!("PPP session is %d", d(session_id));
        self.events.push(Event::Established(session));
        Ok(())
    }

    /// The PADR attempt in flight failed (timeout or PADS error): resend, or give up
    /// after the last attempt with the C plugin's line (it says the same after PADSes
    /// with an error tag, which it logs as we do, then waits out).
    fn padr_failed(&mut self, now: Duration) {
        let State::SendingPadr(waiting) = core::mem::replace(&mut self.state, State::Failed) else {
            return;
        };
        if waiting.attempt < self.config.padr_attempts.max(1) {
            let attempt = waiting.attempt.saturating_add(1);
            match self.padr(&waiting.ac) {
                Ok(padr) => {
                    debug!("Resending PADR (attempt %u)", d(attempt));
                    self.state = State::SendingPadr(SendingPadr {
                        ac: waiting.ac,
                        attempt,
                        deadline: now.saturating_add(self.padr_wait(attempt)),
                    });
                    self.queue(Code::PADR, attempt, padr);
                }
                Err(err) => {
                    error!("Cannot build PADR: %0.*v", v(text(&err)));
                    self.fail(Failure::NoConfirm);
                }
            }
        } else {
            error!("Timeout waiting for PADS packets");
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
                error!("Cannot build PADI: %0.*v", v(text(&err)));
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
        if let Some(value) = config.service_name.as_deref() {
            tags.push(Tag {
                ty: TagType::SERVICE_NAME,
                value,
            });
        }
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
            (TagType::AC_COOKIE, ac.pado.first(TagType::AC_COOKIE)),
            (
                TagType::RELAY_SESSION_ID,
                ac.pado.first(TagType::RELAY_SESSION_ID),
            ),
        ];
        let service = config.service_name.as_deref();
        let mut tags = Vec::with_capacity(5);
        tags.push(Tag {
            ty: TagType::SERVICE_NAME,
            value: service
                .or(ac.pado.first(TagType::SERVICE_NAME))
                .unwrap_or_default(),
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
        self.events.push(Event::Failed(failure));
    }

    fn queue(&mut self, code: Code, attempt: u32, frame: Vec<u8>) {
        if self.transmit.len() >= MAX_QUEUED_FRAMES {
            debug!("Transmit queue full; dropping the oldest frame");
            front(&mut self.transmit);
        }
        self.transmit.push(Transmit {
            code,
            attempt,
            frame,
        });
    }

    /// Reports an AC's error tag (one pending report at most: a flood of
    /// refusals nobody polls for keeps the newest).
    fn refused(&mut self, code: Code, ac_mac: MacAddr, ac_name: &[u8], tag: Tag<'_>) {
        self.events.retain(|e| !matches!(e, Event::Refused(_)));
        self.events.push(Event::Refused(Refusal {
            code,
            ac_mac,
            ac_name: ac_name.to_vec(),
            tag: tag.ty,
            text: tag.value.to_vec(),
        }));
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
            debug!(
                "Event queue full; dropping the offer from %0.*v",
                v(offer.ac_mac.label(true))
            );
            return;
        }
        self.events.push(Event::Offer(offer));
    }
}

/// The malformed-input corpus.
#[cfg(test)]
mod malformed;

/// Takes the oldest entry of a queue.
fn front<T>(queue: &mut Vec<T>) -> Option<T> {
    (!queue.is_empty()).then(|| queue.remove(0))
}

#[cfg(test)]
mod tests;
