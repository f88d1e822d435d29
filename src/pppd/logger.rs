//! Log lines handed to pppd's own logging functions, format and arguments
//! as they are (see `rp_pppoe_core::log`): pppd formats them, so the lines
//! read exactly as the C plugin's and the plugin carries no formatter.
//!
//! Levels map to pppd's functions: error → `error`, warn → `warn`, info →
//! `info`, debug → `dbglog` (docs/pppd-abi.md §11). Debug lines (a line per
//! ignored frame, packet dumps) are only produced with pppd's `debug`
//! option: pppd would send them to syslog anyway, and with many pppd
//! processes on one port every pppd sees every other one's PADOs and PADSs.

use core::ffi::CStr;
use core::sync::atomic::{AtomicBool, Ordering};

use rp_pppoe_core::log::{Arg, Level, Logger};

use super::api;

/// The core's log hook, installed by `plugin_init`.
pub(crate) static PPPD: Logger = Logger {
    enabled: log_enabled,
    write: log_line,
};

/// Whether debug lines are wanted. Until pppd's options are known, everything
/// is logged.
static DEBUG: AtomicBool = AtomicBool::new(true);

/// Sets the level once pppd's options are final: debug lines only with `debug`.
pub(crate) fn set_debug(debug: bool) {
    DEBUG.store(debug, Ordering::Relaxed);
}

/// Whether a line at `level` is logged.
fn log_enabled(level: Level) -> bool {
    level != Level::Debug || DEBUG.load(Ordering::Relaxed)
}

/// Logs one line through pppd (nothing before pppd's functions are resolved).
fn log_line(level: Level, fmt: &'static CStr, args: &[Arg<'_>]) {
    let Some(api) = api::get() else { return };
    let f = match level {
        Level::Error => api.error,
        Level::Warn => api.warn,
        Level::Info => api.info,
        Level::Debug => api.dbglog,
    };
    api.log_args(f, fmt, args);
}
