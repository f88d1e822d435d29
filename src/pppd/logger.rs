//! The `log` facade, forwarded to pppd's own logging functions.
//!
//! Levels map to pppd's functions: error → `error`, warn → `warn`, info →
//! `info`, debug and trace → `dbglog`. Every call uses the constant format
//! `"%s"`. Debug and trace lines (a line per ignored frame, packet dumps) are
//! only produced with pppd's `debug` option: pppd would send them to syslog
//! anyway, and with many pppd processes on one port every pppd sees every
//! other one's PADOs and PADSs.

use alloc::string::String;
use core::fmt::Write;

use super::api;

struct PppdLogger;

static LOGGER: PppdLogger = PppdLogger;

impl log::Log for PppdLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let Some(api) = api::get() else { return };
        let mut msg = String::new();
        if write!(msg, "{}", record.args()).is_err() {
            return;
        }
        let f = match record.level() {
            log::Level::Error => api.error,
            log::Level::Warn => api.warn,
            log::Level::Info => api.info,
            log::Level::Debug | log::Level::Trace => api.dbglog,
        };
        api.log_with(f, &msg);
    }

    fn flush(&self) {}
}

/// Installs the logger (once; later calls are no-ops). Until pppd's options
/// are known, everything is logged.
pub(crate) fn install() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

/// Sets the level once pppd's options are final: debug lines only with `debug`.
pub(crate) fn set_debug(debug: bool) {
    log::set_max_level(if debug {
        log::LevelFilter::Trace
    } else {
        log::LevelFilter::Info
    });
}
