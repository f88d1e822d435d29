//! Dialling and hanging up: discovery (or attaching to a known session),
//! the kernel session socket pppd gets, and the PADT at the end; and what
//! the plugin remembers between pppd's calls for that.

use core::ffi::c_int;

use alloc::string::String;

use rp_pppoe_core::discovery::{self, Link};
use rp_pppoe_core::engine::{Failure, Session};
use rp_pppoe_core::os::{self, Fd, IfInfo};
use rp_pppoe_core::stale;
use rp_pppoe_core::status::State;
use rp_pppoe_core::text::{text, Escaped};
use rp_pppoe_core::{debug, error, info, warning};

use super::api::{self, Api, Once, PppdCell, StringVar};
use super::config::engine_config;
use super::link::{self, Mtu};
use super::report;
use super::settings::Settings;

/// What `check_options` settles: the same for every connect.
struct Setup {
    /// The Ethernet interface (without `nic-`).
    ifname: String,
    settings: Settings,
    /// The MTU/MRU after `check_options`, restored before each connect.
    configured: Mtu,
}

static SETUP: Once<Setup> = Once::new();

/// What the plugin remembers between pppd's calls.
struct Conn {
    /// The Ethernet interface (without `nic-`), set by the device word
    /// (each one replaces the last, until `check_options`).
    ifname: String,
    /// The connected AF_PPPOX socket (pppd's devfd) while a session exists.
    pppox: Option<Fd>,
    /// The session, until it is torn down (PADT sent at most once).
    session: Option<Session>,
    /// Its stale-session record, locked while the session lives.
    record: Option<stale::Held>,
}

static CONN: PppdCell<Conn> = PppdCell::new(Conn {
    ifname: String::new(),
    pppox: None,
    session: None,
    record: None,
});

/// The device word named `ifname`.
pub(crate) fn set_interface(ifname: &str) {
    CONN.with(|c| c.ifname = String::from(ifname));
}

/// The Ethernet interface, once the device word named one (`None` while busy).
pub(crate) fn interface() -> Option<String> {
    CONN.with(|c| c.ifname.clone())
}

/// The checked settings and the MTU/MRU to start every connect from (the
/// interface is the device word's), for good.
pub(crate) fn configure(settings: Settings, configured: Mtu) {
    let ifname = interface().unwrap_or_default();
    SETUP.set(Setup {
        ifname,
        settings,
        configured,
    });
}

/// Discovery (or attach), then the connected kernel session socket for pppd.
pub(crate) fn connect() -> Option<c_int> {
    let api = api::get()?;
    let Setup {
        ifname,
        settings,
        configured,
    } = SETUP.get()?;
    let configured = *configured;
    if api.terminating() {
        // A redial after SIGTERM (see Api::stop_redialling): send nothing.
        info!("pppd is terminating; not dialling");
        api.stop_redialling();
        return None;
    }
    let pppox = match os::pppox_socket() {
        Ok(fd) => fd,
        Err(e) => {
            error!("Failed to create PPPoE socket: %m", m(e.errno));
            return None;
        }
    };
    let info = match os::if_info(ifname) {
        Ok(i) => i,
        Err(e) => {
            error!("Can't get MTU for %0.*v: %m", v(ifname), m(e.errno));
            return None;
        }
    };
    if info.mtu < 1500 {
        warning!(
            "Interface %0.*v has MTU of %d -- should be at least 1500",
            v(ifname),
            d(info.mtu)
        );
    }
    let mut max_payload = link::fit_interface(api, configured, info.mtu);
    if max_payload.is_some() && settings.attach.is_none() && !settings.room_for_max_payload() {
        link::no_room_for_max_payload(api);
        max_payload = None;
    }
    api.set_string(StringVar::PppDevnam, ifname);
    let link = Link {
        ifname,
        priority: settings.priority,
        dump: api.debug(),
    };
    if settings.stale_cleanup {
        stale::sweep(&settings.stale_dir, &link, info.mac, settings.attach);
    }
    let session = match settings.attach {
        Some((sid, ac_mac)) => attach(sid, ac_mac, &info),
        None => discover(api, &link, settings, max_payload)?,
    };
    api.set_session_number(c_int::from(session.session_id));
    if max_payload.is_some() && settings.attach.is_none() {
        link::apply_max_payload(api, session.max_payload());
    }
    announce(api, ifname, &session);
    let dev = os::ifname_bytes(ifname)?;
    if let Err(e) = os::pppox_connect(&pppox, session.session_id, session.ac_mac, &dev) {
        error!(
            "Failed to connect PPPoE socket: %d %m",
            d(e.errno),
            m(e.errno)
        );
        padt(&link, &session);
        return None;
    }
    let record = stale::Held::create(&settings.stale_dir, ifname, &session);
    let fd = pppox.raw();
    report::report(State::Session {
        session_id: session.session_id,
        ac_mac: session.ac_mac,
        ac_name: session.ac_name(),
    });
    CONN.with(|c| {
        c.pppox = Some(pppox);
        c.session = Some(session);
        c.record = record;
    })?;
    Some(fd)
}

/// `pppoe-sess SID:MAC`: the session exists already; no discovery.
fn attach(session_id: u16, ac_mac: rp_pppoe_core::wire::MacAddr, info: &IfInfo) -> Session {
    info!(
        "Attaching to PPPoE session %d with %0.*v (no discovery)",
        d(session_id),
        v(ac_mac.label(true))
    );
    Session::attached(session_id, ac_mac, info.mac)
}

/// One discovery round on `ifname`; failures are logged and reported.
fn discover(
    api: &Api,
    link: &Link<'_>,
    settings: &Settings,
    max_payload: Option<u16>,
) -> Option<Session> {
    let ifname = link.ifname;
    let sock = match link.open() {
        Ok(s) => s,
        Err(e) if e.errno == libc::EPERM || e.errno == libc::EACCES => {
            error!(
                "Cannot open a raw socket on %0.*v (%0.*v: %m): pppd needs CAP_NET_RAW (or root)",
                v(ifname),
                v(e.what),
                m(e.errno)
            );
            return None;
        }
        Err(e) => {
            error!(
                "Failed to create PPPoE discovery socket on %0.*v: %0.*v: %m",
                v(ifname),
                v(e.what),
                m(e.errno)
            );
            return None;
        }
    };
    if !sock.filtered {
        debug!(
            "Kernel socket filter not attached on %0.*v; filtering in user space only",
            v(ifname)
        );
    }
    if !sock.info.mac.is_unicast() {
        error!(
            "Interface %0.*v has a non-unicast MAC address %0.*v",
            v(ifname),
            v(sock.info.mac.label(true))
        );
        return None;
    }
    let config = engine_config(settings, sock.info.mac, os::pid(), max_payload);
    report::discovery_started();
    let result = discovery::run(
        &sock,
        config,
        link.dump,
        || api.terminating(),
        report::progress,
    );
    match result {
        Ok(s) => return Some(s),
        Err(discovery::Error::Failed(f)) => report::discovery_failed(f),
        Err(discovery::Error::Stopped) => {
            info!("PPPoE discovery stopped by signal");
            api.stop_redialling();
        }
        Err(discovery::Error::Os(e)) => {
            error!(
                "PPPoE discovery on %0.*v failed: %0.*v: %m",
                v(ifname),
                v(e.what),
                m(e.errno)
            )
        }
    }
    // As the C plugin of this pppd version says it.
    if cfg!(pppd_abi = "2.5") {
        if result == Err(discovery::Error::Failed(Failure::NoConfirm)) {
            error!("Unable to complete PPPoE Discovery phase 2");
        } else {
            error!("Unable to complete PPPoE Discovery phase 1");
        }
    } else {
        error!("Unable to complete PPPoE Discovery");
    }
    None
}

/// Tells pppd and the scripts who we are connected to.
fn announce(api: &Api, ifname: &str, session: &Session) {
    let mac = text(&session.ac_mac);
    api.set_string(StringVar::RemoteNumber, &mac);
    // The C plugin's line: pppd 2.4 formats the MAC itself (lower-case hex),
    // 2.5 prints its upper-case remote_number.
    warning!(
        "Connected to %0.*v via interface %0.*v",
        v(session.ac_mac.label(cfg!(pppd_abi = "2.5"))),
        v(ifname)
    );
    api.script_setenv("MACREMOTE", &mac);
    if !session.ac_name().is_empty() {
        api.script_setenv("ACNAME", &acname(session.ac_name()));
    }
}

/// `ACNAME` for ip-up/ip-down: the AC-Name from the wire, printable only
/// (control characters as `\xNN`), so no script can be handed an escape
/// sequence or a newline.
fn acname(name: &[u8]) -> String {
    text(&Escaped::text(name))
}

/// Sends the PADT for `session` and logs the outcome.
fn padt(link: &Link<'_>, session: &Session) {
    let ifname = link.ifname;
    match discovery::send_padt(link, session) {
        Ok(()) => info!("Sent PADT"),
        Err(e) => warning!(
            "Could not send PADT on %0.*v: %0.*v: %m",
            v(ifname),
            v(e.what),
            m(e.errno)
        ),
    }
}

/// Ends the session once: unbind the kernel socket, close it, send PADT
/// unless the AC already ended the session. Safe to call any number of times.
pub(crate) fn teardown() {
    let Some((pppox, session, record)) =
        CONN.with(|c| (c.pppox.take(), c.session.take(), c.record.take()))
    else {
        return;
    };
    let Some(setup) = SETUP.get() else { return };
    let ifname = setup.ifname.as_str();
    let link = Link {
        ifname,
        priority: setup.settings.priority,
        dump: api::get().is_some_and(|a| a.debug()),
    };
    let mut ended_by_ac = false;
    if let (Some(fd), Some(s), Some(dev)) = (&pppox, &session, os::ifname_bytes(ifname)) {
        match os::pppox_connect(fd, 0, s.ac_mac, &dev) {
            Ok(()) => {}
            // The kernel already unbound the session: the AC's PADT did it.
            Err(e) if e.errno == libc::EALREADY => ended_by_ac = true,
            Err(e) => error!(
                "Failed to disconnect PPPoE socket: %d %m",
                d(e.errno),
                m(e.errno)
            ),
        }
    }
    drop(pppox);
    let Some(s) = session else { return };
    if let Some(r) = record {
        r.release();
    }
    report::session_ended(api::get().map_or(-1, Api::status), ended_by_ac);
    if ended_by_ac {
        info!(
            "PPPoE session %d was ended by the access concentrator",
            d(s.session_id)
        );
    } else {
        padt(&link, &s);
    }
}

/// In a forked script child: close our descriptors, touch nothing else.
pub(crate) fn close_fds() {
    let fds = CONN.with(|c| {
        [
            c.pppox.as_ref().map(Fd::raw),
            c.record.as_ref().map(stale::Held::raw_fd),
        ]
    });
    for fd in fds.into_iter().flatten().flatten() {
        os::close_raw(fd);
    }
}

/// pppd now runs as `pid` (it detached): the session record follows it.
pub(crate) fn pid_changed(pid: c_int) {
    CONN.with(|c| {
        if let Some(r) = c.record.as_mut() {
            r.set_pid(pid);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acname_is_printable() {
        assert_eq!(acname(b"isp-ac 1"), "isp-ac 1");
        assert_eq!(acname(b"ac\n\x1b[31m;reboot"), "ac\\x0a\\x1b[31m;reboot");
    }

    #[test]
    fn teardown_without_session_is_a_no_op() {
        teardown();
        teardown();
        assert_eq!(CONN.with(|c| c.session.is_none()), Some(true));
    }
}
