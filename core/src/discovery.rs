//! Runs the sans-IO discovery [`Engine`] over a real [`DiscoverySocket`]:
//! send what it queues, wait for a frame or its next deadline, feed it the
//! frame or the timeout, until it reports a session or gives up.
//!
//! [`drive`] is that loop, with a [`Driver`] deciding what to do with what
//! the engine reports; [`run`] is the plugin's driver (dial), and
//! `pppoe-discovery` has its own (list). No pppd here: the plugin passes a
//! `stop` check (pppd's SIGTERM flag) and a `dump` switch (pppd's `debug`).

use core::time::Duration;

use crate::engine::{Config, Engine, Event, Failure, Ignored, Offer, Refusal, Session, Transmit};
use crate::os::{self, DiscoverySocket, OsError};
use crate::text::HexBytes;
use crate::wire;

/// Why discovery ended without a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The engine gave up (no PADO / no PADS after the configured attempts).
    Failed(Failure),
    /// The stop check said so (SIGTERM).
    Stopped,
    /// The socket failed (interface down or deleted, ...).
    Os(OsError),
}

/// What discovery reports while it runs (for the status file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// PADI attempt `n` (1-based) went out.
    Padi(u32),
    /// A PADO was seen (accepted or not).
    Offer(Offer),
    /// An AC answered with an error tag.
    Refused(Refusal),
}

/// Longest single wait, so a stop request that does not interrupt `poll`
/// (a signal delivered just before it) is still seen promptly.
const MAX_WAIT: Duration = Duration::from_millis(500);

/// Where discovery frames go: the interface, the 802.1p priority of what we
/// send (`pppoe-priority`), and whether every frame is logged.
#[derive(Clone, Copy, Debug)]
pub struct Link<'a> {
    pub ifname: &'a str,
    /// `SO_PRIORITY` of the sockets (a VLAN's egress map turns it into the PCP).
    pub priority: Option<u8>,
    /// Log every frame decoded (pppd's `debug`).
    pub dump: bool,
}

impl Link<'_> {
    /// A discovery socket on the interface, with the priority set.
    pub fn open(&self) -> Result<DiscoverySocket, OsError> {
        let sock = DiscoverySocket::open(self.ifname)?;
        if let Some(p) = self.priority {
            sock.set_priority(p)?;
        }
        Ok(sock)
    }
}

/// What [`drive`] does with what the engine reports.
pub trait Driver {
    /// What discovery ends with.
    type Output;

    /// A frame is about to be sent; `false` ends discovery with
    /// [`Driver::stopped`] instead.
    fn sending(&mut self, _t: &Transmit) -> bool {
        true
    }

    /// A frame was received; the engine gets it next.
    fn received(&mut self, _frame: &[u8]) {}

    /// The engine did not use the frame it just got.
    fn ignored(&mut self, _reason: Ignored) {}

    /// An event; `Some` ends discovery with it.
    fn event(&mut self, event: Event) -> Option<Self::Output>;

    /// Whether to stop now (checked once per turn).
    fn stop(&mut self) -> bool {
        false
    }

    /// What discovery ends with when `sending` or `stop` said so.
    fn stopped(&mut self) -> Self::Output;
}

/// Runs `engine` over `sock` until the driver has its result.
pub fn drive<D: Driver>(
    sock: &DiscoverySocket,
    engine: &mut Engine,
    driver: &mut D,
) -> Result<D::Output, OsError> {
    let mut buf = [0u8; wire::MAX_FRAME];
    loop {
        while let Some(t) = engine.poll_transmit() {
            if !driver.sending(&t) {
                return Ok(driver.stopped());
            }
            sock.send(&t.frame)?;
        }
        while let Some(event) = engine.poll_event() {
            if let Some(out) = driver.event(event) {
                return Ok(out);
            }
        }
        if driver.stop() {
            return Ok(driver.stopped());
        }
        // The deadline first: a steady stream of frames must not keep the
        // socket from ever being idle and the timeout from ever firing.
        let now = os::now();
        let deadline = engine.poll_timeout();
        if deadline.is_some_and(|d| d <= now) {
            engine.handle_timeout(now);
            continue;
        }
        // In nanoseconds: Duration's own arithmetic brings a panic path.
        let wait = deadline.map_or(MAX_WAIT, |d| {
            let ns = d.as_nanos().saturating_sub(now.as_nanos());
            Duration::from_nanos(ns.min(MAX_WAIT.as_nanos()) as u64)
        });
        match sock.recv(&mut buf, wait)? {
            Some(n) => {
                let frame = buf.get(..n).unwrap_or(&[]);
                driver.received(frame);
                engine.handle_frame(os::now(), frame);
                if let Some(reason) = engine.last_ignored() {
                    driver.ignored(reason);
                }
            }
            None => engine.handle_timeout(os::now()),
        }
    }
}

/// The plugin's driver: dial, reporting progress, stopping on request.
struct Dial<S, P> {
    dump: bool,
    /// `pppoe-verbose 2`: dumps carry the frame in hex too.
    hex: bool,
    stop: S,
    progress: P,
}

impl<S, P> Dial<S, P> {
    fn dump(&self, what: &str, frame: &[u8]) {
        if self.dump {
            crate::debug!("%0.*v %0.*v", v(what), v(wire::dump(frame)));
            if self.hex {
                crate::debug!("%0.*v", v(crate::text::text(&HexBytes(frame))));
            }
        }
    }
}

impl<S: FnMut() -> bool, P: FnMut(Progress)> Driver for Dial<S, P> {
    type Output = Result<Session, Error>;

    fn sending(&mut self, t: &Transmit) -> bool {
        self.dump("SENT", &t.frame);
        if t.code == wire::Code::PADI {
            (self.progress)(Progress::Padi(t.attempt));
        }
        true
    }

    fn received(&mut self, frame: &[u8]) {
        self.dump("RCVD", frame);
    }

    fn event(&mut self, event: Event) -> Option<Self::Output> {
        match event {
            Event::Established(session) => Some(Ok(session)),
            Event::Failed(f) => Some(Err(Error::Failed(f))),
            // Only in list-only mode, which `run` is not for.
            Event::Listed => Some(Err(Error::Failed(Failure::NoOffer))),
            Event::Offer(o) => {
                (self.progress)(Progress::Offer(o));
                None
            }
            Event::Refused(r) => {
                (self.progress)(Progress::Refused(r));
                None
            }
        }
    }

    fn stop(&mut self) -> bool {
        (self.stop)()
    }

    fn stopped(&mut self) -> Self::Output {
        Err(Error::Stopped)
    }
}

/// Discovers a session on `sock` with `config`, telling `progress` about
/// each PADI attempt and each offer; `dump` logs every frame (debug level).
pub fn run(
    sock: &DiscoverySocket,
    config: Config,
    dump: bool,
    stop: impl FnMut() -> bool,
    progress: impl FnMut(Progress),
) -> Result<Session, Error> {
    let hex = config.verbose >= 2;
    let mut engine = Engine::new(config, os::now());
    let mut dial = Dial {
        dump,
        hex,
        stop,
        progress,
    };
    drive(sock, &mut engine, &mut dial).map_err(Error::Os)?
}

/// Sends a PADT for `session` from a fresh socket on `ifname` (the discovery
/// socket is closed once the session is up, so scripts cannot inherit it and
/// no discovery traffic is queued for the whole session).
pub fn send_padt(link: &Link<'_>, session: &Session) -> Result<(), OsError> {
    let sock = link.open()?;
    let frame = session.padt(None);
    let dump = link.dump;
    if dump {
        crate::debug!("SENT %0.*v", v(wire::dump(&frame)));
    }
    sock.send(&frame)
}

/// Real-link tests: a veth pair on this host, our discovery on one end and a
/// minimal access concentrator built from the wire module on the other, over
/// real AF_PACKET sockets. They need root, so they are `#[ignore]`d for a
/// plain `cargo test`; `scripts/test` runs them with `--include-ignored`.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Code, Frame, Repr, Tag, TagType};
    use std::process::Command;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::vec::Vec;

    /// A veth pair with unique names, deleted on drop.
    struct Veth(std::string::String, std::string::String);

    impl Veth {
        fn new() -> Veth {
            static N: AtomicU32 = AtomicU32::new(0);
            let n = N.fetch_add(1, Ordering::SeqCst);
            let id = std::process::id() % 10000;
            let (a, b) = (std::format!("rpt{id}a{n}"), std::format!("rpt{id}b{n}"));
            let ok = |args: &[&str]| {
                let st = Command::new("ip")
                    .args(args)
                    .status()
                    .expect("ip (iproute2)");
                assert!(st.success(), "ip {args:?} failed: these tests need root");
            };
            ok(&["link", "add", &a, "type", "veth", "peer", "name", &b]);
            let v = Veth(a, b);
            ok(&["link", "set", &v.0, "up"]);
            ok(&["link", "set", &v.1, "up"]);
            v
        }
    }

    impl Drop for Veth {
        fn drop(&mut self) {
            let _ = Command::new("ip").args(["link", "del", &self.0]).status();
        }
    }

    /// Waits for the next frame with `code` on the AC side.
    fn expect(sock: &DiscoverySocket, code: Code) -> Vec<u8> {
        let mut buf = [0u8; wire::MAX_FRAME];
        let deadline = os::now() + Duration::from_secs(5);
        while os::now() < deadline {
            if let Some(n) = sock.recv(&mut buf, Duration::from_millis(200)).unwrap() {
                if Frame::new_checked(&buf[..n]).map(|f| f.code()) == Ok(code) {
                    return buf[..n].to_vec();
                }
            }
        }
        panic!("no {code:?} within 5 s");
    }

    fn tag_value(frame: &[u8], ty: TagType) -> Option<Vec<u8>> {
        let f = Frame::new_checked(frame).ok()?;
        let v = f
            .tags()
            .filter_map(Result::ok)
            .find(|t| t.ty == ty)
            .map(|t| t.value.to_vec());
        v
    }

    #[test]
    #[ignore = "needs root: veth pairs and AF_PACKET sockets (scripts/test runs it)"]
    fn discovers_over_a_real_link_and_sends_padt() {
        let veth = Veth::new();
        let client = DiscoverySocket::open(&veth.0).unwrap();
        let ac = DiscoverySocket::open_unfiltered(&veth.1).unwrap();
        let ac_mac = ac.info.mac;
        let host_uniq = std::vec![0xde, 0xad, 0xbe, 0xef];
        let config = Config {
            our_mac: client.info.mac,
            host_uniq: Some(host_uniq.clone()),
            padi_timeout: Duration::from_secs(1),
            ..Config::default()
        };
        let acthread = std::thread::spawn(move || {
            let padi = expect(&ac, Code::PADI);
            let peer = Frame::new_checked(&padi[..]).unwrap().src();
            let hu = tag_value(&padi, TagType::HOST_UNIQ).unwrap();
            let tags = [
                Tag {
                    ty: TagType::AC_NAME,
                    value: b"test-ac",
                },
                Tag {
                    ty: TagType::SERVICE_NAME,
                    value: b"",
                },
                Tag {
                    ty: TagType::HOST_UNIQ,
                    value: &hu,
                },
                Tag {
                    ty: TagType::AC_COOKIE,
                    value: b"cookie!",
                },
            ];
            let pado = Repr {
                dst: peer,
                src: ac.info.mac,
                code: Code::PADO,
                session_id: 0,
                tags: &tags,
            };
            ac.send(&pado.to_vec().unwrap()).unwrap();
            let padr = expect(&ac, Code::PADR);
            assert_eq!(
                tag_value(&padr, TagType::AC_COOKIE).as_deref(),
                Some(&b"cookie!"[..])
            );
            let tags = [
                Tag {
                    ty: TagType::SERVICE_NAME,
                    value: b"",
                },
                Tag {
                    ty: TagType::HOST_UNIQ,
                    value: &hu,
                },
            ];
            let pads = Repr {
                dst: peer,
                src: ac.info.mac,
                code: Code::PADS,
                session_id: 0x1234,
                tags: &tags,
            };
            ac.send(&pads.to_vec().unwrap()).unwrap();
            expect(&ac, Code::PADT)
        });
        let mut seen = Vec::new();
        let session = run(&client, config, false, || false, |p| seen.push(p)).unwrap();
        // PADI 1 first (a loaded host may need a second one before the
        // AC's thread answers), then the accepted offer.
        assert!(
            matches!(&seen[..], [Progress::Padi(1), .., Progress::Offer(o)] if o.accepted && o.ac_name() == b"test-ac"),
            "{seen:?}"
        );
        assert_eq!(session.session_id, 0x1234);
        assert_eq!(session.ac_mac, ac_mac);
        assert_eq!(session.ac_name(), b"test-ac");
        let link = Link {
            ifname: &veth.0,
            priority: None,
            dump: false,
        };
        send_padt(&link, &session).unwrap();
        let padt = acthread.join().unwrap();
        let f = Frame::new_checked(&padt[..]).unwrap();
        assert_eq!(f.session_id(), 0x1234);
        assert_eq!(f.dst(), ac_mac);
        assert_eq!(tag_value(&padt, TagType::HOST_UNIQ), Some(host_uniq));
        assert_eq!(
            tag_value(&padt, TagType::AC_COOKIE).as_deref(),
            Some(&b"cookie!"[..])
        );
    }

    #[test]
    #[ignore = "needs root: veth pairs and AF_PACKET sockets (scripts/test runs it)"]
    fn kernel_filter_passes_only_frames_for_us() {
        let veth = Veth::new();
        let client = DiscoverySocket::open(&veth.0).unwrap();
        assert!(client.filtered);
        let unfiltered = DiscoverySocket::open_unfiltered(&veth.0).unwrap();
        let peer = DiscoverySocket::open_unfiltered(&veth.1).unwrap();
        let other = crate::wire::MacAddr([0x02, 0, 0, 0, 0x99, 0x99]);
        let send = |dst, code, sid| {
            let tags = [Tag {
                ty: TagType::AC_NAME,
                value: b"x",
            }];
            let f = Repr {
                dst,
                src: peer.info.mac,
                code,
                session_id: sid,
                tags: &tags,
            };
            peer.send(&f.to_vec().unwrap()).unwrap();
        };
        send(other, Code::PADO, 1); // for another pppd on the link
        send(crate::wire::MacAddr::BROADCAST, Code::PADI, 2); // someone's PADI
        send(crate::wire::MacAddr::BROADCAST, Code::PADT, 3); // broadcast PADT
        send(client.info.mac, Code::PADO, 4); // ours
        let sessions = |s: &DiscoverySocket| {
            let mut got = Vec::new();
            let mut buf = [0u8; wire::MAX_FRAME];
            while let Some(n) = s.recv(&mut buf, Duration::from_millis(300)).unwrap() {
                got.push(Frame::new_checked(&buf[..n]).unwrap().session_id());
            }
            got
        };
        // Not even a broadcast PADT wakes a client.
        assert_eq!(sessions(&client), [4]);
        // Without the filter the same link delivers all four.
        assert_eq!(sessions(&unfiltered), [1, 2, 3, 4]);
    }

    #[test]
    #[ignore = "needs root: veth pairs and AF_PACKET sockets (scripts/test runs it)"]
    fn no_ac_times_out_after_the_configured_attempts() {
        let veth = Veth::new();
        let client = DiscoverySocket::open(&veth.0).unwrap();
        let config = Config {
            our_mac: client.info.mac,
            padi_timeout: Duration::from_millis(100),
            padi_attempts: 2,
            ..Config::default()
        };
        let t0 = os::now();
        assert_eq!(
            run(&client, config, false, || false, |_| {}),
            Err(Error::Failed(Failure::NoOffer))
        );
        // 100 ms + 200 ms of waiting (doubling), not a busy loop or a hang.
        assert!(os::now() - t0 >= Duration::from_millis(300));
    }

    #[test]
    #[ignore = "needs root: veth pairs and AF_PACKET sockets (scripts/test runs it)"]
    fn gives_up_on_time_during_a_stream_of_frames() {
        let veth = Veth::new();
        let client = DiscoverySocket::open(&veth.0).unwrap();
        let flooder = DiscoverySocket::open_unfiltered(&veth.1).unwrap();
        let us = client.info.mac;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = done.clone();
        // Unusable PADOs to us (no Host-Uniq), faster than any timeout, for
        // 20 s at most; it returns whether it ran out by itself.
        let t = std::thread::spawn(move || {
            let tags = [Tag {
                ty: TagType::AC_NAME,
                value: b"noise",
            }];
            let f = Repr {
                dst: us,
                src: flooder.info.mac,
                code: Code::PADO,
                session_id: 0,
                tags: &tags,
            }
            .to_vec()
            .unwrap();
            let end = os::now() + Duration::from_secs(20);
            while !stop.load(Ordering::SeqCst) {
                if os::now() > end {
                    return true;
                }
                // As fast as it goes: the receive queue is never empty.
                for _ in 0..64 {
                    let _ = flooder.send(&f);
                }
            }
            false
        });
        let config = Config {
            our_mac: us,
            host_uniq: Some(std::vec![1, 2, 3, 4]),
            padi_timeout: Duration::from_millis(100),
            padi_attempts: 2,
            ..Config::default()
        };
        let r = run(&client, config, false, || false, |_| {});
        done.store(true, Ordering::SeqCst);
        let flood_ran_out = t.join().unwrap();
        assert_eq!(r, Err(Error::Failed(Failure::NoOffer)));
        // It gave up after its 300 ms of waits, while the frames still came.
        assert!(
            !flood_ran_out,
            "discovery only ended when the frames stopped"
        );
    }

    #[test]
    #[ignore = "needs root: veth pairs and AF_PACKET sockets (scripts/test runs it)"]
    fn stop_request_ends_discovery() {
        let veth = Veth::new();
        let client = DiscoverySocket::open(&veth.0).unwrap();
        let config = Config {
            our_mac: client.info.mac,
            ..Config::default()
        };
        let mut calls = 0;
        let r = run(
            &client,
            config,
            false,
            || {
                calls += 1;
                calls > 2
            },
            |_| {},
        );
        assert_eq!(r, Err(Error::Stopped));
    }

    #[test]
    #[ignore = "needs root: veth pairs and AF_PACKET sockets (scripts/test runs it)"]
    fn interface_deleted_during_discovery_is_an_error_not_a_hang() {
        let veth = Veth::new();
        let client = DiscoverySocket::open(&veth.0).unwrap();
        let config = Config {
            our_mac: client.info.mac,
            padi_timeout: Duration::from_secs(30),
            ..Config::default()
        };
        let name = veth.0.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            drop(veth);
        });
        let t0 = os::now();
        let r = run(&client, config, false, || false, |_| {});
        t.join().unwrap();
        assert!(matches!(r, Err(Error::Os(_))), "{name}: {r:?}");
        assert!(os::now() - t0 < Duration::from_secs(5));
    }
}
