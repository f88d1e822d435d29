//! Runs the sans-IO discovery [`Engine`] over a real [`DiscoverySocket`]:
//! send what it queues, wait for a frame or its next deadline, feed it the
//! frame or the timeout, until it reports a session or gives up.
//!
//! No pppd here: the caller passes a `stop` check (pppd's SIGTERM flag) and
//! a `dump` switch (pppd's `debug`), so this loop also serves tests and tools.

use core::time::Duration;

use crate::engine::{Config, Engine, Event, Failure, Session};
use crate::os::{self, DiscoverySocket, OsError};
use crate::wire;

/// Why discovery ended without a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Error {
    /// The engine gave up (no PADO / no PADS after the configured attempts).
    Failed(Failure),
    /// The stop check said so (SIGTERM).
    Stopped,
    /// The socket failed (interface down or deleted, ...).
    Os(OsError),
}

/// Longest single wait, so a stop request that does not interrupt `poll`
/// (a signal delivered just before it) is still seen promptly.
const MAX_WAIT: Duration = Duration::from_millis(500);

/// Discovers a session on `sock` with `config`.
pub(crate) fn run(
    sock: &DiscoverySocket,
    config: Config,
    dump: bool,
    mut stop: impl FnMut() -> bool,
) -> Result<Session, Error> {
    let mut engine = Engine::new(config, os::now());
    let mut buf = [0u8; wire::MAX_FRAME];
    loop {
        while let Some(frame) = engine.poll_transmit() {
            if dump {
                log::debug!("SENT {}", wire::dump(&frame));
            }
            sock.send(&frame).map_err(Error::Os)?;
        }
        while let Some(event) = engine.poll_event() {
            match event {
                Event::Established(session) => return Ok(session),
                Event::Failed(f) => return Err(Error::Failed(f)),
                Event::Offer(_) => {}
            }
        }
        if stop() {
            return Err(Error::Stopped);
        }
        let now = os::now();
        let wait = engine
            .poll_timeout()
            .map_or(MAX_WAIT, |d| d.saturating_sub(now))
            .min(MAX_WAIT);
        match sock.recv(&mut buf, wait).map_err(Error::Os)? {
            Some(n) => {
                let frame = buf.get(..n).unwrap_or(&[]);
                if dump {
                    log::debug!("RCVD {}", wire::dump(frame));
                }
                engine.handle_frame(os::now(), frame);
            }
            None => engine.handle_timeout(os::now()),
        }
    }
}

/// Sends a PADT for `session` from a fresh socket on `ifname` (the discovery
/// socket is closed once the session is up, so scripts cannot inherit it and
/// no discovery traffic is queued for the whole session).
pub(crate) fn send_padt(ifname: &str, session: &Session, dump: bool) -> Result<(), OsError> {
    let sock = DiscoverySocket::open(ifname)?;
    let frame = session.padt(None);
    if dump {
        log::debug!("SENT {}", wire::dump(&frame));
    }
    sock.send(&frame)
}
