//! The pppd boundary: generated ABI bindings, run-time symbol lookup, the
//! option table, the channel callbacks and logging through pppd.
//!
//! All `unsafe` that touches pppd lives in this module and in `os`.

mod api;
pub(crate) mod bindings;
mod channel;
mod logger;
mod options;

use alloc::format;
use alloc::string::String;
use core::ffi::c_int;
use core::sync::atomic::{AtomicBool, Ordering};

include!(concat!(env!("OUT_DIR"), "/version.rs"));

/// `plugin_init`: resolve pppd's symbols, install the logger, register the
/// options. The device hook switches pppd to our channel later.
pub(crate) fn plugin_init() {
    let api = match api::resolve() {
        Ok(api) => api,
        Err(missing) => {
            early_error(&format!(
                "rp-pppoe.so (built for pppd {PPPD_VERSION_STR}): this pppd lacks {}; wrong pppd version?",
                missing.join(", ")
            ));
            crate::os::exit(bindings::EXIT_OPTION_ERROR as c_int);
        }
    };
    logger::install();
    channel::init(api);
    api.add_options(options::table());
    log::info!(
        "Rust PPPoE plugin {} for pppd {} (ABI {})",
        env!("CARGO_PKG_VERSION"),
        PPPD_VERSION_STR,
        core::str::from_utf8(bindings::PPPD_ABI_NAME)
            .unwrap_or("?")
            .trim_end_matches('\0'),
    );
}

/// Reports an error before pppd's logging functions are known: to stderr and syslog.
fn early_error(msg: &str) {
    let line = format!("{msg}\n");
    // SAFETY: writes a valid buffer to fd 2; syslog gets "%s" and a C string.
    unsafe {
        libc::write(2, line.as_ptr().cast(), line.len());
        let c = api::cstring(msg);
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
    let mut msg = String::from("rp-pppoe.so internal error (please report): ");
    let _ = core::fmt::write(&mut msg, format_args!("{info}"));
    match api::get() {
        Some(api) => api.fatal(&msg),
        None => {
            early_error(&msg);
            crate::os::exit(bindings::EXIT_FATAL_ERROR as c_int)
        }
    }
}
