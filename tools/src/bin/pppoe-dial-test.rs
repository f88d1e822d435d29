//! TEST-ONLY driver, not a tool for users and not installed: runs the plugin's discovery
//! (`discovery::run`, the very loop pppd runs through the plugin) once on an interface,
//! without pppd, and prints one line:
//!
//! - `SESSION <id> <AC MAC>` (decimal id, MAC as in `MACREMOTE`), exit 0;
//! - `FAILED NoOffer` or `FAILED NoConfirm` when discovery gives up, exit 1;
//! - `ERROR <message>` for a bad command line or a socket error, exit 2.
//!
//! `tests/hostile/run` uses it against misbehaving access concentrators. It opens no
//! kernel PPPoE session (the AC's session simply stays half-open; `-T` sends a PADT).
//!
//! Options (values as for the plugin): `-I IF` (required), `-S SERVICE`
//! (`pppoe-service`: asked for and required in the PADO), `-C AC` (`pppoe-ac`),
//! `-M MAC` (`pppoe-mac`), `-W HEX` (`pppoe-host-uniq`; default: the pid, 4 bytes, as the
//! plugin), `-N` (no Host-Uniq), `-t SECONDS` (`pppoe-padi-timeout`, also for PADR),
//! `-a N` (`pppoe-padi-attempts`, also for PADR), `-T` (send a PADT once the session is
//! up), `-d` (log the engine's lines and every frame to stderr).

use std::process::ExitCode;
use std::time::Duration;

use rp_pppoe_core::engine::{parse_host_uniq, Config, Failure};
use rp_pppoe_core::log::{self, Level, Logger};
use rp_pppoe_core::wire::MacAddr;
use rp_pppoe_core::{discovery, os};

/// `-d`: every engine and discovery line; otherwise warnings and errors.
static DEBUG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Engine and discovery log lines go to stderr.
static STDERR: Logger = Logger {
    enabled: |level| level <= Level::Warn || DEBUG.load(std::sync::atomic::Ordering::Relaxed),
    write: |level, fmt, args| {
        let name = match level {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
        };
        eprintln!("{name}: {}", log::format(fmt, args));
    },
};

struct Options {
    ifname: Option<String>,
    service: Option<Vec<u8>>,
    ac_name: Option<Vec<u8>>,
    ac_mac: Option<MacAddr>,
    host_uniq: Option<Vec<u8>>,
    timeout: u64,
    attempts: u32,
    padt: bool,
    debug: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        ifname: None,
        service: None,
        ac_name: None,
        ac_mac: None,
        host_uniq: Some(os::pid().to_ne_bytes().to_vec()),
        timeout: 5,
        attempts: 3,
        padt: false,
        debug: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "-I" => o.ifname = Some(value()?),
            "-S" => o.service = Some(value()?.into_bytes()),
            "-C" => o.ac_name = Some(value()?.into_bytes()),
            "-M" => {
                let v = value()?;
                o.ac_mac = Some(MacAddr::parse(&v).ok_or(format!("bad MAC {v}"))?);
            }
            "-W" => {
                let v = value()?;
                o.host_uniq = Some(parse_host_uniq(v.as_bytes()).ok_or(format!("bad hex {v}"))?);
            }
            "-N" => o.host_uniq = None,
            "-t" => {
                let v = value()?;
                o.timeout = v.parse().map_err(|_| format!("bad timeout {v}"))?;
            }
            "-a" => {
                let v = value()?;
                o.attempts = v.parse().map_err(|_| format!("bad attempts {v}"))?;
            }
            "-T" => o.padt = true,
            "-d" => o.debug = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.ifname.is_none() {
        return Err("-I IF is required".into());
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            println!("ERROR {e}");
            return ExitCode::from(2);
        }
    };
    DEBUG.store(o.debug, std::sync::atomic::Ordering::Relaxed);
    log::set_logger(&STDERR);
    let ifname = o.ifname.clone().unwrap_or_default();
    let sock = match os::DiscoverySocket::open(&ifname) {
        Ok(sock) => sock,
        Err(e) => {
            println!("ERROR {ifname}: {e}");
            return ExitCode::from(2);
        }
    };
    let timeout = Duration::from_secs(o.timeout);
    let config = Config {
        our_mac: sock.info.mac,
        service_name: Some(o.service.clone().unwrap_or_default()),
        service_filter: o.service.clone(),
        ac_name: o.ac_name.clone(),
        ac_mac: o.ac_mac,
        host_uniq: o.host_uniq.clone(),
        padi_timeout: timeout,
        padi_attempts: o.attempts,
        padr_timeout: timeout,
        padr_attempts: o.attempts,
        verbose: u8::from(o.debug),
        ..Config::default()
    };
    let result = discovery::run(&sock, config, o.debug, || false, |_| {});
    drop(sock);
    match result {
        Ok(session) => {
            println!("SESSION {} {}", session.session_id, session.ac_mac);
            if o.padt {
                let link = discovery::Link {
                    ifname: &ifname,
                    priority: None,
                    dump: o.debug,
                };
                if let Err(e) = discovery::send_padt(&link, &session) {
                    eprintln!("PADT not sent: {e}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(discovery::Error::Failed(f)) => {
            println!(
                "FAILED {}",
                match f {
                    Failure::NoOffer => "NoOffer",
                    Failure::NoConfirm => "NoConfirm",
                }
            );
            ExitCode::from(1)
        }
        Err(e) => {
            println!("ERROR {e:?}");
            ExitCode::from(2)
        }
    }
}
