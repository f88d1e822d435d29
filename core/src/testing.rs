//! Test support shared by the unit tests: a logger that records every line
//! per thread, so tests running in parallel see only their own lines.

use alloc::string::String;
use alloc::vec::Vec;
use std::cell::RefCell;

use crate::log::{Level, Logger};

std::thread_local! {
    static LINES: RefCell<Vec<(Level, String)>> = const { RefCell::new(Vec::new()) };
}

static RECORDER: Logger = Logger {
    enabled: |_| true,
    write: |level, line| LINES.with(|l| l.borrow_mut().push((level, line))),
};

/// Installs the recorder (idempotent). Panics if another logger is installed.
pub(crate) fn record_logs() {
    assert!(
        crate::log::set_logger(&RECORDER),
        "another logger is installed"
    );
}

/// Takes (and clears) this thread's lines; installs the recorder first, so a
/// test that starts with `take_logs()` records from there on.
pub(crate) fn take_logs() -> Vec<(Level, String)> {
    record_logs();
    LINES.with(|l| core::mem::take(&mut *l.borrow_mut()))
}

/// Whether exactly `text` was logged at `level` on this thread.
pub(crate) fn logged(level: Level, text: &str) -> bool {
    LINES.with(|l| l.borrow().iter().any(|(lv, t)| *lv == level && t == text))
}
