//! `pppoe-test-ac`: a one-session access concentrator for the VM suite (test-only, not
//! installed).
//!
//! rp-pppoe's `pppoe-server` (3.15 and 4.0) never confirms a PPP-Max-Payload above 1500
//! (it caps what it echoes at `ETH_JUMBO_LEN - 8`), so the `jumbo-mtu` scenario uses this
//! instead: it does the discovery itself and then hands the session to an AC-side pppd
//! started with `rp_pppoe_sess SID:CLIENT-MAC`.
//!
//!     pppoe-test-ac IFACE [--timeout S] -- PPPD WORDS...
//!
//! It answers the first PADI with a PADO (AC-Name `test-ac`, the Service-Name asked for,
//! an AC-Cookie, the Host-Uniq and Relay-Session-Id echoed, and a PPP-Max-Payload tag
//! echoing the one asked for, capped at the interface MTU minus 8), then the PADR that
//! carries its cookie with a PADS (session id 0x42, the same tags), and then executes
//! `PPPD WORDS...` with every word `SESSION` replaced by `66:CLIENT-MAC`. What it does goes
//! to stderr, one line per frame. Exit 1 (before any exec) if no PADR came within the
//! timeout (default 60 s), 2 on a bad command line, 3 if the socket cannot be opened.

use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use rp_pppoe_core::os::DiscoverySocket;
use rp_pppoe_core::wire::{Code, Frame, MacAddr, Repr, Tag, TagType, MAX_FRAME};

const SESSION_ID: u16 = 0x42;
const AC_NAME: &[u8] = b"test-ac";
const COOKIE: &[u8] = b"pppoe-test-ac cookie";
/// The classic PPPoE payload: a PPP-Max-Payload at or below it is not echoed.
const ETH_PPPOE_MTU: u16 = 1492;

struct Args {
    ifname: String,
    timeout: Duration,
    pppd: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut it = args.iter();
    let ifname = it.next().ok_or("no interface")?.clone();
    let mut timeout = Duration::from_secs(60);
    loop {
        match it.next().map(String::as_str) {
            Some("--timeout") => {
                let s = it.next().ok_or("--timeout needs a value")?;
                timeout = Duration::from_secs(s.parse().map_err(|_| format!("bad timeout {s}"))?);
            }
            Some("--") => break,
            Some(w) => return Err(format!("unknown word {w}")),
            None => return Err("no -- PPPD WORDS".into()),
        }
    }
    let pppd: Vec<String> = it.cloned().collect();
    if pppd.is_empty() {
        return Err("no pppd command after --".into());
    }
    Ok(Args {
        ifname,
        timeout,
        pppd,
    })
}

fn mac_text(m: MacAddr) -> String {
    String::from(m.label(false).as_str())
}

/// What a PADI or PADR asked for.
#[derive(Default)]
struct Asked {
    service: Vec<u8>,
    host_uniq: Option<Vec<u8>>,
    relay: Option<Vec<u8>>,
    max_payload: Option<u16>,
    cookie: Option<Vec<u8>>,
}

fn asked<T: AsRef<[u8]>>(f: &Frame<T>) -> Asked {
    let mut a = Asked::default();
    let mut service = None;
    for t in f.tags().flatten() {
        match t.ty {
            TagType::SERVICE_NAME if service.is_none() => service = Some(t.value.to_vec()),
            TagType::HOST_UNIQ => a.host_uniq = Some(t.value.to_vec()),
            TagType::RELAY_SESSION_ID => a.relay = Some(t.value.to_vec()),
            TagType::AC_COOKIE => a.cookie = Some(t.value.to_vec()),
            TagType::PPP_MAX_PAYLOAD => {
                if let &[hi, lo] = t.value {
                    a.max_payload = Some(u16::from_be_bytes([hi, lo]));
                }
            }
            _ => {}
        }
    }
    a.service = service.unwrap_or_default();
    a
}

/// The answer (PADO or PADS) to what `a` asked for; `mp` is the PPP-Max-Payload to echo.
fn answer(
    sock: &DiscoverySocket,
    to: MacAddr,
    code: Code,
    session_id: u16,
    a: &Asked,
    mp: Option<[u8; 2]>,
) -> Result<(), String> {
    let mut tags = vec![
        Tag {
            ty: TagType::SERVICE_NAME,
            value: &a.service,
        },
        Tag {
            ty: TagType::AC_NAME,
            value: AC_NAME,
        },
    ];
    if code == Code::PADO {
        tags.push(Tag {
            ty: TagType::AC_COOKIE,
            value: COOKIE,
        });
    }
    if let Some(h) = &a.host_uniq {
        tags.push(Tag {
            ty: TagType::HOST_UNIQ,
            value: h,
        });
    }
    if let Some(r) = &a.relay {
        tags.push(Tag {
            ty: TagType::RELAY_SESSION_ID,
            value: r,
        });
    }
    if let Some(mp) = &mp {
        tags.push(Tag {
            ty: TagType::PPP_MAX_PAYLOAD,
            value: mp,
        });
    }
    let frame = Repr {
        dst: to,
        src: sock.info.mac,
        code,
        session_id,
        tags: &tags,
    }
    .to_vec()
    .map_err(|e| format!("cannot build the {}: {e}", code.name()))?;
    sock.send(&frame)
        .map_err(|e| format!("cannot send the {}: {e}", code.name()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "pppoe-test-ac: {e}\nusage: pppoe-test-ac IFACE [--timeout S] -- PPPD WORDS..."
            );
            return ExitCode::from(2);
        }
    };
    let sock = match DiscoverySocket::open_unfiltered(&o.ifname) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pppoe-test-ac: {}: {e}", o.ifname);
            return ExitCode::from(3);
        }
    };
    let our = sock.info.mac;
    let limit = u16::try_from(sock.info.mtu - 8).unwrap_or(ETH_PPPOE_MTU);
    let deadline = Instant::now() + o.timeout;
    let mut buf = vec![0u8; MAX_FRAME + 64];
    eprintln!(
        "pppoe-test-ac: on {} ({}, MTU {}): waiting for a PADI",
        o.ifname,
        mac_text(our),
        sock.info.mtu
    );
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            eprintln!("pppoe-test-ac: no PADR within {} s", o.timeout.as_secs());
            return ExitCode::from(1);
        }
        let n = match sock.recv(&mut buf, left) {
            Ok(Some(n)) => n,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("pppoe-test-ac: {e}");
                return ExitCode::from(1);
            }
        };
        let Ok(f) = Frame::new_checked(&buf[..n]) else {
            continue;
        };
        let from = f.src();
        if from == our || !from.is_unicast() {
            continue;
        }
        let a = asked(&f);
        // PPP-Max-Payload: echoed when asked for above 1492, capped at what the link carries.
        let mp = a
            .max_payload
            .filter(|&m| m > ETH_PPPOE_MTU)
            .map(|m| m.min(limit).to_be_bytes());
        let mp_text = mp.map_or("none".to_string(), |b| u16::from_be_bytes(b).to_string());
        match f.code() {
            Code::PADI if f.dst().is_broadcast() || f.dst() == our => {
                if let Err(e) = answer(&sock, from, Code::PADO, 0, &a, mp) {
                    eprintln!("pppoe-test-ac: {e}");
                    return ExitCode::from(1);
                }
                eprintln!(
                    "pppoe-test-ac: PADI from {} (PPP-Max-Payload {}): sent PADO (PPP-Max-Payload {mp_text})",
                    mac_text(from),
                    a.max_payload.map_or("none".to_string(), |m| m.to_string())
                );
            }
            Code::PADR if f.dst() == our && a.cookie.as_deref() == Some(COOKIE) => {
                if let Err(e) = answer(&sock, from, Code::PADS, SESSION_ID, &a, mp) {
                    eprintln!("pppoe-test-ac: {e}");
                    return ExitCode::from(1);
                }
                eprintln!(
                    "pppoe-test-ac: PADR from {}: sent PADS, session {SESSION_ID} (PPP-Max-Payload {mp_text})",
                    mac_text(from)
                );
                drop(sock);
                let sess = format!("{SESSION_ID}:{}", mac_text(from));
                let words: Vec<String> = o
                    .pppd
                    .iter()
                    .map(|w| {
                        if w == "SESSION" {
                            sess.clone()
                        } else {
                            w.clone()
                        }
                    })
                    .collect();
                eprintln!("pppoe-test-ac: exec {}", words.join(" "));
                let e = Command::new(&words[0]).args(&words[1..]).exec();
                eprintln!("pppoe-test-ac: cannot run {}: {e}", words[0]);
                return ExitCode::from(1);
            }
            _ => {}
        }
    }
}
