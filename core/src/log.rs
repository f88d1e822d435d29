//! Where the core's log lines go: a hook the host installs once.
//!
//! The core never prints. Its lines (built with [`crate::text`], never with
//! `core::fmt`) go to the [`Logger`] the host installed with [`set_logger`]:
//! the plugin forwards them to pppd's `error`/`warn`/`info`/`dbglog`, the
//! tools to stderr, tests to a recorder ([`crate::testing`]). Before a logger
//! is installed, lines are dropped.
//!
//! [`log!`](crate::log!) builds a line only when the logger wants its level,
//! so a debug line costs nothing unless pppd runs with `debug`.
//! `--cfg rp_pppoe_no_log_lines` compiles every line out: only `scripts/bench`
//! builds that, to show what the log lines cost in the `.so`.

use alloc::string::String;
use once_cell::race::OnceRef;

/// Log levels, most severe first: pppd's `error`, `warn`, `info` and `dbglog`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

/// The host's log sink: plain functions, so installing one needs no allocation
/// and a line costs one indirect call.
pub struct Logger {
    /// Whether lines at this level are wanted (checked before a line is built).
    pub enabled: fn(Level) -> bool,
    /// Takes one finished line (no trailing newline).
    pub write: fn(Level, String),
}

static LOGGER: OnceRef<'static, Logger> = OnceRef::new();

/// Installs the logger; the first one installed stays (returns false for a
/// later, different one).
pub fn set_logger(logger: &'static Logger) -> bool {
    core::ptr::eq(LOGGER.get_or_init(|| logger), logger)
}

/// Whether a line at `level` would be written (used by [`log!`](crate::log!)).
#[doc(hidden)]
#[inline(never)] // one call per log site, not the lookup inlined into each
pub fn enabled(level: Level) -> bool {
    LOGGER.get().is_some_and(|l| (l.enabled)(level))
}

/// Writes one line (used by [`log!`](crate::log!)).
#[doc(hidden)]
#[inline(never)]
pub fn write(level: Level, line: String) {
    if let Some(l) = LOGGER.get() {
        (l.write)(level, line);
    }
}

/// `log!(level; a, b, ...)`: logs `cat!(a, b, ...)` at `level`; the text is only
/// built when the installed logger wants the level.
#[macro_export]
macro_rules! log {
    ($level:expr; $($e:expr),+ $(,)?) => {{
        let level: $crate::log::Level = $level;
        if !cfg!(rp_pppoe_no_log_lines) && $crate::log::enabled(level) {
            $crate::log::write(level, $crate::cat!($($e),+));
        }
    }};
}

/// `error!(a, b, ...)`: an error-level line.
#[macro_export]
macro_rules! error {
    ($($e:expr),+ $(,)?) => { $crate::log!($crate::log::Level::Error; $($e),+) };
}

/// `warning!(a, b, ...)`: a warning-level line.
#[macro_export]
macro_rules! warning {
    ($($e:expr),+ $(,)?) => { $crate::log!($crate::log::Level::Warn; $($e),+) };
}

/// `info!(a, b, ...)`: an info-level line.
#[macro_export]
macro_rules! info {
    ($($e:expr),+ $(,)?) => { $crate::log!($crate::log::Level::Info; $($e),+) };
}

/// `debug!(a, b, ...)`: a debug-level line (pppd: only with `debug`).
#[macro_export]
macro_rules! debug {
    ($($e:expr),+ $(,)?) => { $crate::log!($crate::log::Level::Debug; $($e),+) };
}
