//! The `log` facade, forwarded to pppd's own logging functions.
//!
//! Levels map to pppd's functions: error → `error`, warn → `warn`, info →
//! `info`, debug and trace → `dbglog` (pppd writes those to its log file only
//! with `debug`). Every call uses the constant format `"%s"`.

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

/// Installs the logger (once; later calls are no-ops).
pub(crate) fn install() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}
