//! `pppoe-discovery`: lists the PPPoE access concentrators that answer on an interface.
//!
//! Command-line compatible with ppp's tool of the same name, built from the plugin's own
//! wire format, discovery engine and OS layer (no pppd and no kernel PPP needed). It
//! broadcasts PADIs and collects every PADO addressed to us until the timeout; it never
//! sends a PADR, so no session is ever opened on an AC.
//!
//! The engine runs in list-only mode ([`Mode::ListOnly`]): every PADO that answers our
//! PADI (right destination, unicast source, our Host-Uniq) is reported as an
//! [`Offer`], with what it says and whether it matches `-S`/`-C`, and nothing but
//! PADIs is ever queued.
//!
//! Rounds follow ppp's tool: attempt k waits `timeout * 2^(k-1)`; once a round has seen
//! an AC that matches `-S`/`-C`, the tool stops at the end of that round (with `-Q`, at
//! once); otherwise it sends the next PADI until the attempts are used up.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use rp_pppoe_core::discovery;
use rp_pppoe_core::engine::{
    parse_host_uniq, Config, Engine, Event, Ignored, Mode, Offer, Transmit,
};
use rp_pppoe_core::os::{self, DiscoverySocket, OsError};
use rp_pppoe_core::status;
use rp_pppoe_core::text::{self, Escaped, HexBytes};
use rp_pppoe_core::wire::{self, Code};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Exit codes (also in `--help`).
mod exit {
    /// At least one access concentrator answered.
    pub(super) const FOUND: u8 = 0;
    /// No access concentrator answered (as ppp's tool).
    pub(super) const NONE: u8 = 1;
    /// Bad command line.
    pub(super) const USAGE: u8 = 2;
    /// The interface does not exist or is not Ethernet.
    pub(super) const NO_INTERFACE: u8 = 3;
    /// No permission for a raw packet socket (needs root or CAP_NET_RAW).
    pub(super) const NO_PERMISSION: u8 = 4;
    /// Any other system error (socket, send, receive, the -D file).
    pub(super) const SYSTEM: u8 = 5;
}

const USAGE: &str = "\
Usage: pppoe-discovery [options]
Sends PPPoE PADI packets and lists every access concentrator (AC) that answers.

Options:
   -I if_name     -- Specify interface (default eth0)
   -D filename    -- Log every packet sent and received, decoded, in filename
   -t timeout     -- Initial timeout for discovery packets in seconds (default 5;
                     doubles after each attempt)
   -a attempts    -- Number of discovery attempts (default 3)
   -S name        -- Set desired service name
   -C name        -- Set desired access concentrator name
   -U             -- Use Host-Uniq (this process id) to allow parallel discoveries
   -W hexvalue    -- Set the Host-Uniq to the supplied hex string (1-1494 bytes)
   -A             -- Print all access concentrators (the default)
   -Q             -- Quiet mode: print nothing, only the exit status tells
   --json         -- Print the result as one JSON document instead of text
   -V             -- Print version and exit
   -h, --help     -- Print usage information and exit

With -S or -C, discovery stops after the first round in which a matching AC
answered; every AC that answered is listed either way.

Exit status:
   0  at least one access concentrator answered
   1  no access concentrator answered
   2  bad command line
   3  the interface does not exist or is not Ethernet
   4  no permission to open a raw packet socket (run as root or with CAP_NET_RAW)
   5  another system error (socket, send, receive, the -D file)
";

/// The command line.
#[derive(Debug)]
struct Options {
    ifname: String,
    debug_file: Option<String>,
    host_uniq: Option<Vec<u8>>,
    service: Option<Vec<u8>>,
    ac_name: Option<Vec<u8>>,
    timeout: u64,
    attempts: u32,
    quiet: bool,
    json: bool,
}

/// What the command line asks for.
enum Command {
    Run(Options),
    Help,
    Version,
}

/// An error that ends the program: the one-line message and the exit code.
struct Fatal(String, u8);

fn usage_error(msg: String) -> Fatal {
    Fatal(format!("{msg} (see pppoe-discovery -h)"), exit::USAGE)
}

/// `-t` / `-a` values: a decimal integer; values below 1 count as 1 (as ppp's tool).
fn positive(opt: char, value: &str, what: &str) -> Result<u64, Fatal> {
    let n: i64 = value.trim().parse().map_err(|_| {
        usage_error(format!(
            "Illegal argument to -{opt}: Should be -{opt} {what}"
        ))
    })?;
    Ok(n.clamp(1, i64::from(u32::MAX)) as u64)
}

fn parse_args(args: &[String]) -> Result<Command, Fatal> {
    let mut o = Options {
        ifname: "eth0".into(),
        debug_file: None,
        host_uniq: None,
        service: None,
        ac_name: None,
        timeout: 5,
        attempts: 3,
        quiet: false,
        json: false,
    };
    let mut host_uniq_set = false;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        match arg.as_str() {
            "--json" => {
                o.json = true;
                continue;
            }
            "--help" => return Ok(Command::Help),
            "--version" => return Ok(Command::Version),
            "--" => break,
            _ => {}
        }
        let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty()) else {
            return Err(usage_error(format!("unexpected argument '{arg}'")));
        };
        // getopt style: "-UQ", "-Ieth0", "-I eth0".
        for (at, flag) in flags.char_indices() {
            let takes_value = matches!(flag, 'I' | 'D' | 'S' | 'C' | 'W' | 't' | 'a');
            if !takes_value {
                match flag {
                    'U' => {
                        if host_uniq_set {
                            return Err(usage_error("-U and -W are mutually exclusive".into()));
                        }
                        host_uniq_set = true;
                        o.host_uniq = Some(os::pid().to_ne_bytes().to_vec());
                    }
                    'A' => {}
                    'Q' => o.quiet = true,
                    'V' => return Ok(Command::Version),
                    'h' => return Ok(Command::Help),
                    _ => return Err(usage_error(format!("invalid option -- '{flag}'"))),
                }
                continue;
            }
            let rest = &flags[at + flag.len_utf8()..];
            let value = if !rest.is_empty() {
                rest.to_string()
            } else if let Some(next) = args.get(i) {
                i += 1;
                next.clone()
            } else {
                return Err(usage_error(format!(
                    "option requires an argument -- '{flag}'"
                )));
            };
            match flag {
                'I' => o.ifname = value,
                'D' => o.debug_file = Some(value),
                'S' => o.service = Some(value.into_bytes()),
                'C' => o.ac_name = Some(value.into_bytes()),
                't' => o.timeout = positive('t', &value, "timeout")?,
                'a' => o.attempts = positive('a', &value, "attempts")? as u32,
                _ => {
                    // 'W'
                    if host_uniq_set {
                        return Err(usage_error("-U and -W are mutually exclusive".into()));
                    }
                    host_uniq_set = true;
                    o.host_uniq = Some(parse_host_uniq(value.as_bytes()).ok_or_else(|| {
                        usage_error(format!("Invalid host-uniq argument: {value}"))
                    })?);
                }
            }
            break;
        }
    }
    if let Some(extra) = args.get(i) {
        return Err(usage_error(format!("unexpected argument '{extra}'")));
    }
    Ok(Command::Run(o))
}

/// One access concentrator that answered: an offer from the engine.
struct Ac(Offer);

impl Ac {
    /// An offer that lists an AC; the error is why it does not count as an
    /// answering one (no AC-Name or Service-Name, or an error tag).
    fn from_offer(offer: Offer) -> Result<Ac, String> {
        match offer.refused {
            Some(Ignored::ErrorTag(code, ty)) => {
                let text = offer.error().map_or(&[][..], |t| t.value);
                Err(format!("{code}: {ty}: {}", printable(text)))
            }
            Some(reason @ (Ignored::NoAcName | Ignored::NoServiceName)) => Err(reason.to_string()),
            _ => Ok(Ac(offer)),
        }
    }

    /// The text block of ppp's tool.
    fn text(&self) -> String {
        let o = &self.0;
        let mut out = String::new();
        let _ = writeln!(out, "Access-Concentrator: {}", printable(o.ac_name()));
        for service in o.service_names().filter(|s| !s.is_empty()) {
            let _ = writeln!(out, "Service-Name: {}", printable(service));
        }
        for (label, value) in [("Cookie", o.cookie()), ("Relay-ID", o.relay_session_id())] {
            if let Some(value) = value {
                out.push_str(label);
                out.push(':');
                for b in value.iter().take(20) {
                    let _ = write!(out, " {b:02x}");
                }
                if value.len() > 20 {
                    out.push_str("...");
                }
                out.push('\n');
            }
        }
        if let Some(mp) = o.max_payload() {
            let _ = writeln!(out, "Max-Payload: {mp}");
        }
        let m = o.ac_mac.0;
        let _ = writeln!(
            out,
            "AC-Ethernet-Address: {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        );
        out.push_str("--------------------------------------------------\n");
        out
    }

    fn json(&self) -> String {
        let o = &self.0;
        let services: Vec<String> = o.service_names().map(json_string).collect();
        let hex = |v: Option<&[u8]>| match v {
            Some(v) => format!("\"{}\"", text::text(&HexBytes(v))),
            None => "null".into(),
        };
        format!(
            "{{\"ac_name\":{},\"ac_mac\":\"{}\",\"service_names\":[{}],\"cookie\":{},\"cookie_hex\":{},\"relay_session_id\":{},\"max_payload\":{}}}",
            json_string(o.ac_name()),
            o.ac_mac,
            services.join(","),
            o.cookie().is_some(),
            hex(o.cookie()),
            hex(o.relay_session_id()),
            o.max_payload()
                .map_or_else(|| "null".to_string(), |v| v.to_string()),
        )
    }
}

/// Text from the wire for a terminal (whole: a tag is at most 1500 bytes).
fn printable(bytes: &[u8]) -> String {
    text::text(&Escaped {
        max: usize::MAX,
        ..Escaped::text(bytes)
    })
}

/// A JSON string literal for bytes from the wire (lossy UTF-8, escaped as in
/// the plugin's status file).
fn json_string(bytes: &[u8]) -> String {
    let mut out = String::new();
    status::json_str(&mut out, bytes);
    out
}

/// The `-D` file: every frame sent and received, decoded, and why a frame was not used.
struct Debug(Option<File>);

impl Debug {
    fn line(&mut self, text: &str) {
        if let Some(file) = &mut self.0 {
            let _ = writeln!(file, "{text}");
        }
    }
}

fn open_error(ifname: &str, err: OsError) -> Fatal {
    let code = match err.errno {
        libc::ENODEV | libc::ENXIO | libc::EINVAL if err.what != "socket(AF_PACKET)" => {
            exit::NO_INTERFACE
        }
        libc::EPERM | libc::EACCES => exit::NO_PERMISSION,
        _ => exit::SYSTEM,
    };
    let msg = match code {
        exit::NO_INTERFACE => format!("interface {ifname}: no such interface ({err})"),
        exit::NO_PERMISSION => format!(
            "interface {ifname}: cannot open a raw packet socket ({err}): run as root or with CAP_NET_RAW"
        ),
        _ => format!("interface {ifname}: cannot open the discovery socket ({err})"),
    };
    Fatal(msg, code)
}

fn run(o: &Options) -> Result<u8, Fatal> {
    let mut debug = Debug(None);
    if let Some(path) = &o.debug_file {
        let file = File::create(path)
            .map_err(|e| Fatal(format!("Could not open {path}: {e}"), exit::SYSTEM))?;
        debug = Debug(Some(file));
        debug.line(&format!("pppoe-discovery from rp-pppoe {VERSION}"));
    }
    let sock = DiscoverySocket::open(&o.ifname).map_err(|e| open_error(&o.ifname, e))?;
    if sock.info.hwtype != os::ARPHRD_ETHER {
        return Err(Fatal(
            format!("interface {}: not an Ethernet interface", o.ifname),
            exit::NO_INTERFACE,
        ));
    }
    if !sock.info.mac.is_unicast() {
        return Err(Fatal(
            format!(
                "interface {}: has a non-unicast MAC address {}",
                o.ifname, sock.info.mac
            ),
            exit::NO_INTERFACE,
        ));
    }
    let config = Config {
        our_mac: sock.info.mac,
        service_name: Some(o.service.clone().unwrap_or_default()),
        service_filter: o.service.clone(),
        ac_name: o.ac_name.clone(),
        host_uniq: o.host_uniq.clone(),
        padi_timeout: Duration::from_secs(o.timeout),
        padi_attempts: o.attempts,
        mode: Mode::ListOnly,
        ..Config::default()
    };
    let mut engine = Engine::new(config, os::now());
    let mut lister = Lister {
        o,
        debug,
        acs: Vec::new(),
        unlisted: 0,
        matched: false,
        padis: 0,
        out: Ok(()),
    };
    let sys = |e: OsError| Fatal(format!("interface {}: {e}", o.ifname), exit::SYSTEM);
    discovery::drive(&sock, &mut engine, &mut lister).map_err(sys)?;
    lister.out?;
    if lister.padis == 0 {
        return Err(usage_error(
            "cannot build a PADI: the Service-Name or Host-Uniq is too long".into(),
        ));
    }
    if lister.unlisted > 0 && !o.quiet {
        eprintln!(
            "{} more answers from other access concentrators not listed (at most {MAX_LISTED})",
            lister.unlisted
        );
    }
    if !lister.matched && !o.quiet {
        eprintln!("Timeout waiting for PADO packets");
    }
    if o.json && !o.quiet {
        let list: Vec<String> = lister.acs.iter().map(Ac::json).collect();
        write_out(&format!(
            "{{\"interface\":{},\"access_concentrators\":[{}]}}\n",
            json_string(o.ifname.as_bytes()),
            list.join(",")
        ))?;
    }
    Ok(if lister.acs.is_empty() {
        exit::NONE
    } else {
        exit::FOUND
    })
}

/// Most access concentrators listed (and kept for `--json`): a flood of
/// PADOs from random MACs cannot grow the tool without bound.
const MAX_LISTED: usize = 64;

/// The tool's discovery driver: lists the offers the engine reports.
struct Lister<'a> {
    o: &'a Options,
    debug: Debug,
    /// The ACs listed so far (at most [`MAX_LISTED`]).
    acs: Vec<Ac>,
    /// Answers from ACs not listed because the list was full.
    unlisted: usize,
    /// An AC matching `-S`/`-C` answered.
    matched: bool,
    padis: u32,
    /// A write to stdout failed: discovery ends, and so does the tool.
    out: Result<(), Fatal>,
}

impl Lister<'_> {
    /// Lists one offer; `false` ends discovery.
    fn offer(&mut self, offer: Offer) -> bool {
        let ac = match Ac::from_offer(offer) {
            Ok(ac) => ac,
            Err(reason) => {
                self.debug.line(&format!("  ignored: {reason}"));
                if !self.o.quiet {
                    eprintln!("{reason}");
                }
                return true;
            }
        };
        // Linear in the (bounded) list.
        if self
            .acs
            .iter()
            .any(|a| a.0.ac_mac == ac.0.ac_mac && a.0.ac_name() == ac.0.ac_name())
        {
            self.debug.line("  (this AC was already listed)");
            return true;
        }
        if self.acs.len() == MAX_LISTED {
            self.debug.line("  (not listed: the list is full)");
            self.unlisted += 1;
            return true;
        }
        let hit = ac.0.accepted;
        if !self.o.quiet && !self.o.json {
            self.out = write_out(&ac.text());
        }
        self.acs.push(ac);
        self.matched |= hit;
        self.out.is_ok() && !(hit && self.o.quiet)
    }
}

impl discovery::Driver for Lister<'_> {
    type Output = ();

    fn sending(&mut self, t: &Transmit) -> bool {
        if t.code != Code::PADI {
            // List-only mode sends nothing else; never send anything but a PADI.
            self.debug
                .line(&format!("NOT SENT (not a PADI) {}", wire::dump(&t.frame)));
            return false;
        }
        if self.matched {
            // A matching AC answered in the round that just ended.
            return false;
        }
        self.padis += 1;
        self.debug.line(&format!("SENT {}", wire::dump(&t.frame)));
        true
    }

    fn received(&mut self, frame: &[u8]) {
        self.debug.line(&format!("RCVD {}", wire::dump(frame)));
    }

    fn ignored(&mut self, reason: Ignored) {
        self.debug.line(&format!("  ignored: {reason}"));
    }

    fn event(&mut self, event: Event) -> Option<()> {
        match event {
            Event::Offer(offer) => (!self.offer(offer)).then_some(()),
            Event::Listed | Event::Failed(_) => Some(()),
            // The offer says the same.
            Event::Refused(_) => None,
            other => {
                self.debug
                    .line(&format!("unexpected engine event {other:?}"));
                None
            }
        }
    }

    fn stopped(&mut self) {}
}

/// Writes to stdout. A failure (a closed pipe: `pppoe-discovery | head`)
/// ends the tool quietly with exit status 5, instead of a panic.
fn write_out(text: &str) -> Result<(), Fatal> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            let quiet = e.kind() == std::io::ErrorKind::BrokenPipe;
            Fatal(
                if quiet {
                    String::new()
                } else {
                    format!("stdout: {e}")
                },
                exit::SYSTEM,
            )
        })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = parse_args(&args).and_then(|command| match command {
        Command::Help => write_out(USAGE).map(|()| exit::FOUND),
        Command::Version => {
            write_out(&format!("pppoe-discovery from rp-pppoe {VERSION}\n")).map(|()| exit::FOUND)
        }
        Command::Run(o) => run(&o),
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Fatal(msg, code)) => {
            if !msg.is_empty() {
                eprintln!("pppoe-discovery: {msg}");
            }
            ExitCode::from(code)
        }
    }
}
