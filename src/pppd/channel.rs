//! The PPPoE channel: the device-name hook and the `struct channel`
//! callbacks pppd drives (shared/pppd-plugin-abi.md §3).
//!
//! pppd is single-threaded, but it re-enters the plugin: `fatal()` runs
//! `die()`, which calls our `cleanup`. So the connection state sits in a
//! `RefCell` that is borrowed only for short, pppd-free sections; a callback
//! that finds it busy does nothing rather than alias it.

use core::cell::RefCell;
use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr::addr_of_mut;

use alloc::string::String;

use super::api::{self, Api, Notify};
use super::bindings::{self as b, channel};
use super::options::{self, Settings};
use rp_pppoe_core::discovery;
use rp_pppoe_core::engine::{Backoff, Config, Failure, Offer, Session};
use rp_pppoe_core::os::{self, Errno, Fd};
use rp_pppoe_core::stale;
use rp_pppoe_core::status::{self, EndedBy, State};
use rp_pppoe_core::text::text;
use rp_pppoe_core::{cat, debug, error, info, warning};

/// Ethernet MTU minus the 8 bytes of PPPoE + PPP headers.
const PPPOE_OVERHEAD: c_int = 8;
/// The classic PPPoE MTU/MRU (1500 - 8).
const ETH_PPPOE_MTU: c_int = 1492;
/// Upper bound of the MTU/MRU over PPPoE (RFC 4638 with a 1508-byte link).
const MAX_PPPOE_MTU: c_int = 1500;

/// What the plugin remembers between pppd's calls.
struct Conn {
    /// The Ethernet interface (without `nic-`), set by the device hook.
    ifname: String,
    /// Parsed options, set by `check_options`.
    settings: Option<Settings>,
    /// LCP MTU (allow.mru) and MRU (want.mru) after `check_options`, restored
    /// before each connect so that one session's clamps do not stick.
    saved_mtu: c_int,
    saved_mru: c_int,
    /// The connected AF_PPPOX socket (pppd's devfd) while a session exists.
    pppox: Option<Fd>,
    /// The session, until it is torn down (PADT sent at most once).
    session: Option<Session>,
    /// The status file, with `pppoe-status-file`.
    status: Option<StatusFile>,
}

/// Most offers a status document lists (the engine reports each PADO once).
const MAX_OFFERS: usize = 16;

struct StatusFile {
    path: String,
    last: Option<State>,
    /// Offers seen in the current discovery round.
    offers: alloc::vec::Vec<Offer>,
    /// A write failed and was logged (logged once, not at every stage).
    failed: bool,
}

/// Records `state` and rewrites the status file (if there is one).
fn report(c: &mut Conn, state: State) {
    let Some(sf) = c.status.as_mut() else { return };
    let doc = status::render(&state, os::unix_millis(), os::pid(), &c.ifname);
    match os::write_file_atomic(&sf.path, doc.as_bytes()) {
        Ok(()) => sf.failed = false,
        Err(e) if !sf.failed => {
            sf.failed = true;
            warning!("Cannot write status file ", &sf.path, ": ", e);
        }
        Err(_) => {}
    }
    sf.last = Some(state);
}

/// The last reported state's name.
fn last_state(c: &Conn) -> Option<&State> {
    c.status.as_ref().and_then(|s| s.last.as_ref())
}

/// pppd notifier: the link entered a new phase.
unsafe extern "C" fn on_phase(_arg: *mut c_void, phase: c_int) {
    if phase == b::PHASE_AUTHENTICATE as c_int {
        with(|c| report(c, State::Authenticating));
    }
}

/// pppd notifier: IPCP is up.
unsafe extern "C" fn on_ip_up(_arg: *mut c_void, _val: c_int) {
    let Some(ifname) = api::get().and_then(Api::ifname) else {
        return;
    };
    let (local, remote) = os::if_addresses(&ifname).unwrap_or(([0; 4], [0; 4]));
    with(|c| {
        report(
            c,
            State::Up {
                ifname,
                local,
                remote,
            },
        )
    });
}

/// pppd notifier: pppd is exiting with `code`.
unsafe extern "C" fn on_exit(_arg: *mut c_void, code: c_int) {
    with(|c| {
        let state = match last_state(c) {
            _ if code == b::EXIT_AUTH_TOPEER_FAILED as c_int => {
                State::AuthFailed { exit_code: code }
            }
            Some(State::NoServer { .. }) | Some(State::AuthFailed { .. }) => return,
            Some(State::Down {
                reason, ended_by, ..
            }) => State::Down {
                reason: reason.clone(),
                exit_code: code,
                ended_by: *ended_by,
            },
            _ => State::Down {
                reason: status::exit_reason(code).into(),
                exit_code: code,
                ended_by: if code == b::EXIT_PEER_DEAD as c_int {
                    EndedBy::LcpEcho
                } else {
                    EndedBy::Us
                },
            },
        };
        report(c, state);
    });
}

/// Starts the status file: checks that PATH can be written (an option error
/// otherwise) and registers for the later stages.
fn start_status_file(api: &Api, path: &str, attempts: u32) {
    let first = State::Discovering {
        attempt: 0,
        attempts,
    };
    let ifname = with(|c| c.ifname.clone()).unwrap_or_default();
    let doc = status::render(&first, os::unix_millis(), os::pid(), &ifname);
    if let Err(e) = os::write_file_atomic(path, doc.as_bytes()) {
        api.option_error(&cat!("cannot write pppoe-status-file ", path, ": ", e));
        os::exit(b::EXIT_OPTION_ERROR as c_int);
    }
    let ok = api.add_notify(Notify::Phase, Some(on_phase))
        & api.add_notify(Notify::IpUp, Some(on_ip_up))
        & api.add_notify(Notify::Exit, Some(on_exit));
    if !ok {
        warning!("This pppd cannot report all stages; the status file stops at 'session'");
    }
    with(|c| {
        c.status = Some(StatusFile {
            path: path.into(),
            last: Some(first),
            offers: alloc::vec::Vec::new(),
            failed: false,
        });
    });
}

struct Global(RefCell<Conn>);
// SAFETY: pppd is single-threaded and never calls plugin callbacks from a
// signal handler (we register none in `sigreceived`), so the RefCell is only
// ever touched from one thread.
unsafe impl Sync for Global {}

static STATE: Global = Global(RefCell::new(Conn {
    ifname: String::new(),
    settings: None,
    saved_mtu: MAX_PPPOE_MTU,
    saved_mru: MAX_PPPOE_MTU,
    pppox: None,
    session: None,
    status: None,
}));

/// Runs `f` on the state, or returns `None` if it is already borrowed (a
/// re-entrant call from inside pppd's `die()`).
fn with<R>(f: impl FnOnce(&mut Conn) -> R) -> Option<R> {
    STATE.0.try_borrow_mut().ok().map(|mut c| f(&mut c))
}

/// The channel pppd switches to when the device hook claims a word.
pub(crate) static mut CHANNEL: channel = channel {
    options: addr_of_mut!(options::OPTIONS).cast(),
    process_extra_options: Some(process_extra_options),
    check_options: Some(check_options),
    connect: Some(connect),
    disconnect: Some(disconnect),
    // pppd's generic_establish_ppp / generic_disestablish_ppp (2.5:
    // ppp_generic_*), looked up at run time and filled in by plugin_init.
    establish_ppp: None,
    disestablish_ppp: None,
    send_config: None,
    recv_config: None,
    cleanup: Some(cleanup),
    close: Some(close),
};

/// Fills in the pppd functions the channel forwards to.
pub(crate) fn init(api: &Api) {
    // SAFETY: single-threaded, called from plugin_init before pppd can use
    // the channel; written through a raw pointer, never a reference.
    unsafe {
        let ch = addr_of_mut!(CHANNEL);
        (*ch).establish_ppp = api.establish;
        (*ch).disestablish_ppp = api.disestablish;
    }
}

/// The `o_wild` device hook: claims `nic-IF` or a bare Ethernet interface.
///
/// With `doit == 0` it only answers (no side effects). It claims a bare word
/// only if it names an existing Ethernet-type interface; it claims any
/// `nic-` word so that a missing or non-Ethernet interface gets a clear
/// option error (exit 2) instead of "unrecognized option".
pub(crate) unsafe extern "C" fn device_hook(
    word: *mut c_char,
    _argv: *mut *mut c_char,
    doit: c_int,
) -> c_int {
    if word.is_null() {
        return 0;
    }
    // SAFETY: pppd passes a NUL-terminated option word.
    let Ok(word) = unsafe { CStr::from_ptr(word) }.to_str() else {
        return 0;
    };
    let (name, explicit) = options::device_name(word);
    let info = os::if_info(name);
    if doit == 0 {
        let ethernet = matches!(info, Ok(i) if i.hwtype == os::ARPHRD_ETHER);
        return c_int::from(ethernet || explicit);
    }
    let Some(api) = api::get() else { return 0 };
    match info {
        Err(e) if e.errno == libc::ENODEV => {
            api.option_error(&cat!("PPPoE interface ", name, " does not exist"));
            return 0;
        }
        Err(e) => {
            api.option_error(&cat!("cannot use interface ", name, " for PPPoE: ", e));
            return 0;
        }
        Ok(i) if i.hwtype != os::ARPHRD_ETHER => {
            api.option_error(&cat!("interface ", name, " is not an Ethernet interface"));
            return 0;
        }
        Ok(_) => {}
    }
    // SAFETY: DEVNAM is our static buffer (the entry's addr2), written only
    // here; name is shorter than IFNAMSIZ (if_info checked it).
    unsafe {
        let d = addr_of_mut!(options::DEVNAM).cast::<c_char>();
        let n = name.len().min(63);
        core::ptr::copy_nonoverlapping(name.as_ptr().cast::<c_char>(), d, n);
        *d.add(n) = 0;
    }
    api.set_devnam(name);
    with(|c| c.ifname = String::from(name));
    if api.install_channel(addr_of_mut!(CHANNEL)) {
        api.clear_modem();
    }
    1
}

/// Reads `/etc/ppp/options.<interface>`, as the C plugin does.
unsafe extern "C" fn process_extra_options() {
    let Some(api) = api::get() else { return };
    let Some(ifname) = with(|c| c.ifname.clone()) else {
        return;
    };
    if ifname.is_empty() {
        return;
    }
    let path = cat!("/etc/ppp/options.", &ifname);
    if !api.options_from_file(&path) {
        os::exit(b::EXIT_OPTION_ERROR as c_int);
    }
}

/// Parses our options (exit 2 on a bad value), checks kernel support, and
/// turns off what makes no sense on Ethernet.
unsafe extern "C" fn check_options() {
    let Some(api) = api::get() else { return };
    super::logger::set_debug(api.debug());
    let settings = match options::Raw::read().parse() {
        Ok(s) => s,
        Err(msg) => {
            api.option_error(&msg);
            os::exit(b::EXIT_OPTION_ERROR as c_int);
        }
    };
    if let Err(e) = os::pppox_socket() {
        if os::is_no_kernel_support(e.errno) {
            error!(
                "Kernel does not support PPPoE sockets (AF_PPPOX: ",
                Errno(e.errno),
                "); load the pppoe kernel module"
            );
            os::exit(b::EXIT_NO_KERNEL_SUPPORT as c_int);
        }
    }
    // SAFETY: the lcp/ccp option arrays are pppd globals whose layout is
    // checked in bindings.rs; only element [0] is used; single-threaded.
    let (mtu, mru) = unsafe {
        for o in [api.lcp_want, api.lcp_allow] {
            (*o).neg_accompression = 0;
            (*o).neg_asyncmap = 0;
            (*o).neg_pcompression = 0;
            (*o).mru = (*o).mru.min(MAX_PPPOE_MTU);
        }
        for o in [api.ccp_want, api.ccp_allow] {
            (*o).deflate = 0;
            (*o).bsd_compress = 0;
        }
        ((*api.lcp_allow).mru, (*api.lcp_want).mru)
    };
    disable_vj(api);
    if let Some(path) = &settings.status_file {
        start_status_file(api, path, settings.padi_attempts);
    }
    with(|c| {
        c.settings = Some(settings);
        c.saved_mtu = mtu;
        c.saved_mru = mru;
    });
}

/// Clears IPCP's `neg_vj` (want and allow) through IPCP's own `novj` option
/// entry, because the field's offset differs between pppd builds (§5.3).
fn disable_vj(api: &Api) {
    let mut o = api.protocol_options(c"IPCP");
    // SAFETY: o walks pppd's IPCP option table up to its NULL-named end; the
    // `novj` entry's addr/addr2 point to the want/allow neg_vj bools.
    unsafe {
        while !o.is_null() && !(*o).name.is_null() {
            if CStr::from_ptr((*o).name) == c"novj" {
                for p in [(*o).addr, (*o).addr2] {
                    if !p.is_null() {
                        *p.cast::<u8>() = 0;
                    }
                }
                return;
            }
            o = o.add(1);
        }
    }
    warning!("IPCP option novj not found; VJ compression left as configured");
}

/// Sets both LCP MRU values (MTU = allow.mru, MRU = want.mru).
fn set_mru(api: &Api, f: impl Fn(c_int, c_int) -> (c_int, c_int)) -> c_int {
    // SAFETY: as in check_options.
    unsafe {
        let (mtu, mru) = f((*api.lcp_allow).mru, (*api.lcp_want).mru);
        (*api.lcp_allow).mru = mtu;
        (*api.lcp_want).mru = mru;
        mtu.min(mru)
    }
}

/// Discovery (or attach), then the kernel session socket for pppd.
unsafe extern "C" fn connect() -> c_int {
    connect_inner().unwrap_or(-1)
}

fn connect_inner() -> Option<c_int> {
    let api = api::get()?;
    let (ifname, settings, saved_mtu, saved_mru) = with(|c| {
        (
            c.ifname.clone(),
            c.settings.clone(),
            c.saved_mtu,
            c.saved_mru,
        )
    })?;
    let settings = settings?;
    if api.terminating() {
        // A redial after SIGTERM (see Api::stop_redialling): send nothing.
        info!("pppd is terminating; not dialling");
        api.stop_redialling();
        return None;
    }
    let pppox = match os::pppox_socket() {
        Ok(fd) => fd,
        Err(e) => {
            error!("Failed to create PPPoE socket: ", Errno(e.errno));
            return None;
        }
    };
    let info = match os::if_info(&ifname) {
        Ok(i) => i,
        Err(e) => {
            error!("Cannot use interface ", &ifname, ": ", e);
            return None;
        }
    };
    if info.mtu < 1500 {
        warning!(
            "Interface ",
            &ifname,
            " has MTU of ",
            info.mtu,
            " -- should be at least 1500"
        );
    }
    let limit = info.mtu - PPPOE_OVERHEAD;
    let requested = set_mru(api, |_, _| (saved_mtu.min(limit), saved_mru.min(limit)));
    api.set_ppp_devnam(&ifname);
    let debug = api.debug();

    if settings.stale_cleanup {
        clear_stale(&ifname, info.mac, debug, settings.attach);
    }
    let session = match settings.attach {
        Some((sid, ac_mac)) => {
            info!(
                "Attaching to PPPoE session ",
                sid, " with ", ac_mac, " (no discovery)"
            );
            Session {
                session_id: sid,
                ac_mac,
                our_mac: info.mac,
                ac_name: alloc::vec::Vec::new(),
                service_name: alloc::vec::Vec::new(),
                host_uniq: None,
                cookie: None,
                relay_session_id: None,
                max_payload: None,
            }
        }
        None => {
            let sock = match os::DiscoverySocket::open(&ifname) {
                Ok(s) => s,
                Err(e) if e.errno == libc::EPERM || e.errno == libc::EACCES => {
                    error!(
                        "Cannot open raw socket on ",
                        &ifname, " (", e, "): pppd must run as root"
                    );
                    return None;
                }
                Err(e) => {
                    error!("Cannot open PPPoE discovery socket on ", &ifname, ": ", e);
                    return None;
                }
            };
            if !sock.filtered {
                debug!(
                    "Kernel socket filter not attached on ",
                    &ifname, "; filtering in user space only"
                );
            }
            if !sock.info.mac.is_unicast() {
                error!(
                    "Interface ",
                    &ifname, " has a non-unicast MAC address ", sock.info.mac
                );
                return None;
            }
            let config = Config {
                our_mac: sock.info.mac,
                service_name: settings.service.clone().unwrap_or_default(),
                service_filter: settings.service.clone(),
                ac_name: settings.ac_name.clone(),
                ac_mac: settings.ac_mac,
                // Default Host-Uniq: unique per pppd process (the pid, host
                // byte order, as the C plugin).
                host_uniq: Some(
                    settings
                        .host_uniq
                        .clone()
                        .unwrap_or_else(|| os::pid().to_ne_bytes().to_vec()),
                ),
                ppp_max_payload: (requested > ETH_PPPOE_MTU).then_some(requested as u16),
                padi_timeout: settings.padi_timeout,
                padi_attempts: settings.padi_attempts,
                padr_timeout: settings.padi_timeout,
                padr_attempts: settings.padi_attempts,
                backoff: Backoff::Double,
                verbose: settings.verbose,
            };
            let attempts = settings.padi_attempts;
            with(|c| {
                if let Some(sf) = c.status.as_mut() {
                    sf.offers.clear();
                }
            });
            let progress = |p: discovery::Progress| {
                with(|c| match p {
                    discovery::Progress::Padi(attempt) => {
                        report(c, State::Discovering { attempt, attempts })
                    }
                    discovery::Progress::Offer(o) => {
                        let Some(sf) = c.status.as_mut() else { return };
                        if sf.offers.len() < MAX_OFFERS || o.accepted {
                            sf.offers.push(o.clone());
                        }
                        if o.accepted {
                            let offers = sf.offers.clone();
                            report(c, State::ServerFound { chosen: o, offers });
                        }
                    }
                });
            };
            match discovery::run(&sock, config, debug, || api.terminating(), progress) {
                Ok(s) => s,
                Err(e) => {
                    match e {
                        discovery::Error::Failed(Failure::NoOffer) => {
                            with(|c| report(c, State::NoServer { attempts }));
                        }
                        discovery::Error::Failed(Failure::NoConfirm) => {
                            with(|c| {
                                let state = State::Down {
                                    reason: "no PADS from the access concentrator".into(),
                                    exit_code: b::EXIT_CONNECT_FAILED as c_int,
                                    ended_by: EndedBy::Unknown,
                                };
                                report(c, state)
                            });
                        }
                        discovery::Error::Stopped => {
                            info!("PPPoE discovery stopped by signal");
                            api.stop_redialling();
                        }
                        discovery::Error::Os(e) => {
                            error!("PPPoE discovery on ", &ifname, " failed: ", e)
                        }
                    }
                    error!("Unable to complete PPPoE Discovery");
                    return None;
                }
            }
        }
    };

    api.set_session_number(c_int::from(session.session_id));
    if requested > ETH_PPPOE_MTU && settings.attach.is_none() {
        match session.max_payload {
            Some(mp) => {
                let mp = c_int::from(mp);
                let now = set_mru(api, |mtu, mru| (mtu.min(mp), mru.min(mp)));
                info!(
                    "PPP-Max-Payload ",
                    mp, " accepted by the access concentrator; MTU/MRU up to ", now
                );
            }
            None => {
                set_mru(api, |mtu, mru| {
                    (mtu.min(ETH_PPPOE_MTU), mru.min(ETH_PPPOE_MTU))
                });
                warning!(
                    "Access concentrator did not confirm PPP-Max-Payload (RFC 4638); limiting MTU/MRU to ",
                    ETH_PPPOE_MTU
                );
            }
        }
    }
    let mac = text(&session.ac_mac);
    api.set_remote_number(&mac);
    warning!("Connected to ", &mac, " via interface ", &ifname);
    api.script_setenv("MACREMOTE", &mac);
    if !session.ac_name.is_empty() {
        api.script_setenv("ACNAME", &String::from_utf8_lossy(&session.ac_name));
    }
    let dev = os::ifname_bytes(&ifname)?;
    if let Err(e) = os::pppox_connect(&pppox, session.session_id, session.ac_mac, &dev) {
        error!(
            "Failed to connect PPPoE socket: ",
            e.errno,
            ' ',
            Errno(e.errno)
        );
        padt(&ifname, &session, debug);
        return None;
    }
    write_record(&ifname, &session);
    let fd = pppox.raw();
    with(|c| {
        let state = State::Session {
            session_id: session.session_id,
            ac_mac: session.ac_mac,
            ac_name: session.ac_name.clone(),
        };
        report(c, state);
        c.pppox = Some(pppox);
        c.session = Some(session);
    })?;
    Some(fd)
}

/// The record path of this pppd's session on `ifname`.
fn record_path(ifname: &str) -> String {
    cat!(stale::DIR, '/', &stale::file_name(ifname, os::pid()))
}

/// Records the live session so that a later pppd can end it if this one dies.
fn write_record(ifname: &str, session: &Session) {
    let r = stale::Record {
        ifname: ifname.into(),
        pid: os::pid(),
        session: session.clone(),
    };
    let done = os::make_dir(stale::DIR)
        .and_then(|()| os::write_file_atomic(&record_path(ifname), stale::encode(&r).as_bytes()));
    if let Err(e) = done {
        warning!(
            "Cannot record the session in ",
            stale::DIR,
            " (",
            e,
            "); a crash will leave it to the AC's timeout"
        );
    }
}

/// After a stale PADT, how long the access concentrator gets to release the
/// old session before our PADI: an AC that allows one session per client
/// (e.g. `pppoe-server -x 1`) still counts it for a moment and ignores a PADI
/// sent at once, which would cost a whole PADI timeout (5 s).
const STALE_RELEASE: core::time::Duration = core::time::Duration::from_secs(1);

/// Ends sessions that dead pppd processes left on `ifname` (PADT, then the
/// record is removed). With `adopt`, only removes the record of that
/// session (we are attaching to it). Problems are logged, never fatal.
fn clear_stale(
    ifname: &str,
    our_mac: rp_pppoe_core::wire::MacAddr,
    debug: bool,
    adopt: Option<(u16, rp_pppoe_core::wire::MacAddr)>,
) {
    let Ok(names) = os::list_dir(stale::DIR) else {
        return;
    };
    let mut sent = 0;
    for name in names.iter().filter(|n| stale::is_record_for(n, ifname)) {
        let path = cat!(stale::DIR, '/', name);
        let Ok(text) = os::read_file(&path) else {
            continue;
        };
        let rec = match stale::decode(&text) {
            Ok(r) => r,
            Err(why) => {
                warning!(
                    "Ignoring and removing corrupt session record ",
                    &path,
                    ": ",
                    why
                );
                let _ = os::remove_file(&path);
                continue;
            }
        };
        if rec.pid == os::pid() || os::is_running_pppd(rec.pid) {
            continue;
        }
        // Claim it: only the pppd whose unlink succeeds sends the PADT.
        if os::remove_file(&path) != Ok(true) {
            continue;
        }
        let s = &rec.session;
        if let Some((sid, mac)) = adopt {
            if (s.session_id, s.ac_mac) == (sid, mac) {
                info!("Taking over PPPoE session ", sid, " left by pppd ", rec.pid);
            }
            continue;
        }
        let mut s = rec.session.clone();
        s.our_mac = our_mac;
        match discovery::send_padt(ifname, &s, debug) {
            Ok(()) => {
                sent += 1;
                info!(
                    "Sent PADT for stale session ",
                    s.session_id, " to ", s.ac_mac, " (left by pppd ", rec.pid, " on ", ifname, ")"
                )
            }
            Err(e) => warning!(
                "Could not send PADT for stale session ",
                s.session_id,
                ": ",
                e
            ),
        }
    }
    if sent > 0 {
        os::sleep(STALE_RELEASE);
    }
}

/// Sends the PADT for `session` and logs the outcome.
fn padt(ifname: &str, session: &Session, debug: bool) {
    match discovery::send_padt(ifname, session, debug) {
        Ok(()) => info!("Sent PADT"),
        Err(e) => warning!("Could not send PADT on ", ifname, ": ", e),
    }
}

/// Ends the session once: unbind the kernel socket, close it, send PADT
/// unless the AC already ended the session. Safe to call any number of times.
fn teardown() {
    let Some((pppox, session, ifname)) =
        with(|c| (c.pppox.take(), c.session.take(), c.ifname.clone()))
    else {
        return;
    };
    let debug = api::get().is_some_and(|a| a.debug());
    let mut ended_by_ac = false;
    if let (Some(fd), Some(s), Some(dev)) = (&pppox, &session, os::ifname_bytes(&ifname)) {
        match os::pppox_connect(fd, 0, s.ac_mac, &dev) {
            Ok(()) => {}
            // The kernel already unbound the session: the AC's PADT did it.
            Err(e) if e.errno == libc::EALREADY => ended_by_ac = true,
            Err(e) => warning!("Failed to disconnect PPPoE socket: ", e),
        }
    }
    drop(pppox);
    if session.is_some() {
        let _ = os::remove_file(&record_path(&ifname));
        let code = api::get().map_or(-1, Api::status);
        let ended_by = if ended_by_ac || code == b::EXIT_HANGUP as c_int {
            EndedBy::AcPadt
        } else if code == b::EXIT_PEER_DEAD as c_int {
            EndedBy::LcpEcho
        } else {
            EndedBy::Us
        };
        let reason = if ended_by == EndedBy::AcPadt {
            "session ended by the access concentrator"
        } else {
            status::exit_reason(code)
        };
        let state = if code == b::EXIT_AUTH_TOPEER_FAILED as c_int {
            // Final for a UI: report it now, not only at pppd's exit.
            State::AuthFailed { exit_code: code }
        } else {
            State::Down {
                reason: reason.into(),
                exit_code: code,
                ended_by,
            }
        };
        with(|c| report(c, state));
    }
    if let Some(s) = session {
        if ended_by_ac {
            info!(
                "PPPoE session ",
                s.session_id, " was ended by the access concentrator"
            );
        } else {
            padt(&ifname, &s, debug);
        }
    }
}

unsafe extern "C" fn disconnect() {
    teardown();
}

/// Called by `die()` (also after `fatal()`, where `disconnect` is skipped)
/// and after every failed connect; pppd may call it twice.
unsafe extern "C" fn cleanup() {
    teardown();
}

/// In a forked script child: close our descriptors, touch nothing else.
unsafe extern "C" fn close() {
    if let Some(fd) = with(|c| c.pppox.as_ref().map(Fd::raw)).flatten() {
        os::close_raw(fd);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use core::ptr::null_mut;

    #[test]
    fn hook_refuses_unknown_and_loopback_without_side_effects() {
        // doit == 0 must only answer: no channel switch, no state change.
        let ask = |w: &CStr| {
            // SAFETY: a valid C string; doit = 0 only queries interfaces.
            unsafe { device_hook(w.as_ptr().cast_mut(), null_mut(), 0) }
        };
        assert_eq!(ask(c"lo"), 0);
        assert_eq!(ask(c"nosuch0"), 0);
        assert_eq!(ask(c"noauth"), 0);
        // An explicit nic- word is claimed so that doit=1 can explain the error.
        assert_eq!(ask(c"nic-nosuch0"), 1);
        assert_eq!(with(|c| c.ifname.clone()), Some(String::new()));
    }

    #[test]
    fn teardown_without_session_is_a_no_op() {
        teardown();
        teardown();
        assert_eq!(with(|c| c.session.is_none()), Some(true));
    }
}
