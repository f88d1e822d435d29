//! The pppd boundary: generated ABI bindings, run-time symbol lookup, the
//! option table, the channel callbacks and logging through pppd.
//!
//! All `unsafe` that touches pppd lives in this module and in `os`.

mod api;
pub(crate) mod bindings;
mod channel;
mod config;
mod device;
mod link;
mod logger;
mod options;
mod report;
mod session;
mod settings;
mod values;

use alloc::string::String;
use core::ffi::c_int;
use core::sync::atomic::{AtomicBool, Ordering};

use rp_pppoe_core::{cat, info, os, push};

include!(concat!(env!("OUT_DIR"), "/version.rs"));

/// `plugin_init`: resolve pppd's symbols, register the
/// options. The device hook switches pppd to our channel later.
pub(crate) fn plugin_init() {
    rp_pppoe_core::log::set_logger(&logger::PPPD);
    let api = match api::resolve() {
        Ok(api) => api,
        Err(missing) => {
            let mut msg = cat!(
                "rp-pppoe.so (built for pppd ",
                PPPD_VERSION_STR,
                "): this pppd lacks "
            );
            for (i, name) in missing.iter().enumerate() {
                push!(&mut msg; if i > 0 { ", " } else { "" }, name.as_str());
            }
            push!(&mut msg; "; wrong pppd version?");
            early_error(&msg);
            os::exit(bindings::EXIT_OPTION_ERROR as c_int);
        }
    };
    channel::init(api, options::table());
    api.add_options(options::table());
    // Debian's C plugins (2.4.9, 2.5.2) print nothing at load; this line is
    // ours (the VM log-parity scenario lists it).
    info!(
        "Rust PPPoE plugin %0.*v for pppd %0.*v (ABI %0.*v)",
        v(env!("CARGO_PKG_VERSION")),
        v(PPPD_VERSION_STR),
        v(bindings::PPPD_ABI_NAME.strip_suffix(b"\0").unwrap_or(b"?"))
    );
}

/// Reports an error before pppd's logging functions are known: to stderr and syslog.
fn early_error(msg: &str) {
    let line = cat!(msg, '\n');
    // SAFETY: writes a valid buffer to fd 2; syslog gets "%s" and a C string.
    unsafe {
        libc::write(2, line.as_ptr().cast(), line.len());
        let c = os::CBuf::lossy(msg);
        libc::syslog(libc::LOG_ERR | libc::LOG_DAEMON, c"%s".as_ptr(), c.as_ptr());
    }
}

#[cfg_attr(test, allow(dead_code))]
static PANICKING: AtomicBool = AtomicBool::new(false);

/// The panic path (the plugin is built with `panic = "abort"`, so nothing can
/// unwind into pppd): log the message through pppd and leave through
/// `fatal()`, which runs pppd's `die(1)` and our `cleanup` (PADT). A second
/// panic on that path aborts.
#[cfg_attr(test, allow(dead_code))]
pub(crate) fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    if PANICKING.swap(true, Ordering::SeqCst) {
        // SAFETY: abort has no preconditions.
        unsafe { libc::abort() }
    }
    // The location, and the message when it is a plain string: formatting
    // the message would link core::fmt into the plugin (see `text`).
    let mut msg = String::from("rp-pppoe.so internal error (please report): panicked");
    if let Some(loc) = info.location() {
        push!(&mut msg; " at ", loc.file(), ':', loc.line(), ':', loc.column());
    }
    if let Some(m) = info.message().as_str() {
        push!(&mut msg; ": ", m);
    }
    match api::get() {
        Some(api) => api.fatal(&msg),
        None => {
            early_error(&msg);
            os::exit(bindings::EXIT_FATAL_ERROR as c_int)
        }
    }
}
