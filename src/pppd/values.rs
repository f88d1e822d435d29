//! The variables behind our pppd options: pppd writes what it parsed into
//! them, [`read`] reads them back as a [`Raw`] (checking is `settings`). The
//! table that points pppd at them is `options`.

use core::ffi::{c_char, c_int, CStr};
use core::ptr::{addr_of_mut, null_mut};

use alloc::vec::Vec;

use super::settings::Raw;

// o_string targets: NULL until pppd strdup()s a value (it free()s the old one).
pub(super) static mut SERVICE: *mut c_char = null_mut();
pub(super) static mut AC_NAME: *mut c_char = null_mut();
pub(super) static mut SESS: *mut c_char = null_mut();
pub(super) static mut AC_MAC: *mut c_char = null_mut();
pub(super) static mut HOST_UNIQ: *mut c_char = null_mut();
pub(super) static mut STATUS_FILE: *mut c_char = null_mut();
pub(super) static mut PADI_BACKOFF: *mut c_char = null_mut();
pub(super) static mut STALE_DIR: *mut c_char = null_mut();
// o_bool target (one byte in every pppd version).
pub(super) static mut STALE_CLEANUP: u8 = 1;
// o_int targets.
pub(super) static mut VERBOSE: c_int = 0;
pub(super) static mut PADI_TIMEOUT: c_int = 5;
pub(super) static mut PADI_ATTEMPTS: c_int = 3;
/// -1: not set.
pub(super) static mut PRIORITY: c_int = -1;

/// Reads a string option's current value (NULL = unset).
fn get_string(p: *const *mut c_char) -> Option<Vec<u8>> {
    // SAFETY: p is one of our o_string statics; pppd stores NULL or a
    // strdup()ed C string there and nothing else writes it while we read.
    unsafe {
        let s = *p;
        if s.is_null() {
            None
        } else {
            Some(CStr::from_ptr(s).to_bytes().to_vec())
        }
    }
}

fn get_int(p: *const c_int) -> c_int {
    // SAFETY: p is one of our o_int statics.
    unsafe { *p }
}

/// The values pppd stored in our option variables.
pub(crate) fn read() -> Raw {
    Raw {
        service: get_string(addr_of_mut!(SERVICE)),
        ac_name: get_string(addr_of_mut!(AC_NAME)),
        sess: get_string(addr_of_mut!(SESS)),
        ac_mac: get_string(addr_of_mut!(AC_MAC)),
        host_uniq: get_string(addr_of_mut!(HOST_UNIQ)),
        verbose: get_int(addr_of_mut!(VERBOSE)),
        padi_timeout: get_int(addr_of_mut!(PADI_TIMEOUT)),
        padi_attempts: get_int(addr_of_mut!(PADI_ATTEMPTS)),
        status_file: get_string(addr_of_mut!(STATUS_FILE)),
        padi_backoff: get_string(addr_of_mut!(PADI_BACKOFF)),
        stale_dir: get_string(addr_of_mut!(STALE_DIR)),
        priority: get_int(addr_of_mut!(PRIORITY)),
        // SAFETY: our o_bool static (pppd writes 0 or 1 into it).
        stale_cleanup: unsafe { *addr_of_mut!(STALE_CLEANUP) } != 0,
    }
}
