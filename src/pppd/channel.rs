//! Our `struct channel` (docs/pppd-abi.md §6): the callbacks pppd drives once
//! the device word switched it to this plugin. Each is short: it hands over
//! to `settings`, `link`, `report` or `session`.

use core::ffi::c_int;
use core::ptr::{addr_of_mut, null_mut};

use rp_pppoe_core::{cat, error, os};

use super::api::{self, Api, Notify};
use super::bindings::{self as b, channel};
use super::{link, report, session, values};

/// The channel pppd switches to when the device word is claimed. The option
/// table and pppd's own establish/disestablish functions are filled in by
/// [`init`].
static mut CHANNEL: channel = channel {
    options: null_mut(),
    process_extra_options: Some(process_extra_options),
    check_options: Some(check_options),
    connect: Some(connect),
    disconnect: Some(disconnect),
    establish_ppp: None,
    disestablish_ppp: None,
    send_config: None,
    recv_config: None,
    cleanup: Some(cleanup),
    close: Some(close),
};

/// Completes the channel (from `plugin_init`).
pub(crate) fn init(api: &Api, options: *mut b::option_t) {
    api.init_channel(addr_of_mut!(CHANNEL), options);
}

/// The device word named `ifname`: remember it, make our channel pppd's.
pub(crate) fn install(api: &Api, ifname: &str) {
    session::set_interface(ifname);
    if api.install_channel(addr_of_mut!(CHANNEL)) {
        api.clear_modem();
    }
}

/// Reads `/etc/ppp/options.<interface>`, as the C plugin does.
extern "C" fn process_extra_options() {
    let Some(api) = api::get() else { return };
    let Some(ifname) = session::interface().filter(|n| !n.is_empty()) else {
        return;
    };
    if !api.options_from_file(&cat!("/etc/ppp/options.", &ifname)) {
        os::exit(b::EXIT_OPTION_ERROR as c_int);
    }
}

/// Parses our options (exit 2 on a bad value), checks kernel support, and
/// sets the link options for Ethernet.
extern "C" fn check_options() {
    let Some(api) = api::get() else { return };
    super::logger::set_debug(api.debug());
    let settings = match values::read().parse() {
        Ok(s) => s,
        Err(bad) => {
            bad.with_line(|fmt, args| api.option_error_args(fmt, args));
            os::exit(b::EXIT_OPTION_ERROR as c_int);
        }
    };
    if let Err(e) = os::pppox_socket() {
        if os::is_no_kernel_support(e.errno) {
            error!(
                "Kernel does not support PPPoE sockets (AF_PPPOX: %m); load the pppoe kernel module",
                m(e.errno)
            );
            os::exit(b::EXIT_NO_KERNEL_SUPPORT as c_int);
        }
    }
    let configured = link::prepare(api);
    // Without it a detached pppd's session record would name a dead pid;
    // the record's lock, not the pid, proves the owner alive either way.
    api.add_notify(Notify::PidChange, Some(on_pid_change));
    if let Some(path) = &settings.status_file {
        let ifname = session::interface().unwrap_or_default();
        report::start(api, path, &ifname, settings.padi_attempts);
    }
    session::configure(settings, configured);
}

/// Discovery (or attach), then the kernel session socket for pppd (-1 on failure).
extern "C" fn connect() -> c_int {
    session::connect().unwrap_or(-1)
}

extern "C" fn disconnect() {
    session::teardown();
}

/// Called by `die()` (also after `fatal()`, where `disconnect` is skipped)
/// and after every failed connect; pppd may call it twice.
extern "C" fn cleanup() {
    session::teardown();
}

/// pppd notifier: pppd continues as process `pid` (it detached).
extern "C" fn on_pid_change(_arg: *mut core::ffi::c_void, pid: c_int) {
    session::pid_changed(pid);
}

/// In a forked script child: close our descriptors, touch nothing else.
extern "C" fn close() {
    session::close_fds();
}
