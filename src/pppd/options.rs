//! The plugin's pppd option table: the entries pppd parses and writes into
//! (docs/pppd-abi.md §5). The variables behind them are `values`; whether a
//! word is our device is `device`.
//!
//! Every spelling of every upstream and OpenWrt version is registered, with
//! the C plugins' types: `pppoe-service`/`rp_pppoe_service`, `pppoe-ac`/
//! `rp_pppoe_ac`, `pppoe-sess`/`rp_pppoe_sess`, `pppoe-verbose`/
//! `rp_pppoe_verbose`, `pppoe-mac`, `pppoe-host-uniq`/`host-uniq`,
//! `pppoe-padi-timeout`, `pppoe-padi-attempts`, and the device word
//! (`nic-IF` or a bare Ethernet interface name). pppd only stores the values;
//! they are read in `check_options`, so option order does not matter.

use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr::{addr_of_mut, null_mut};

use super::bindings::{self as b, opt_type, option_t};
use super::device;
use super::values::{
    AC_MAC, AC_NAME, HOST_UNIQ, PADI_ATTEMPTS, PADI_BACKOFF, PADI_TIMEOUT, PRIORITY, SERVICE, SESS,
    STALE_CLEANUP, STALE_DIR, STATUS_FILE, VERBOSE,
};

const fn opt(
    name: &'static CStr,
    ty: opt_type,
    addr: *mut c_void,
    description: &'static CStr,
    flags: u32,
    addr2: *mut c_void,
    lower_limit: c_int,
) -> option_t {
    option_t {
        name: name.as_ptr().cast_mut(),
        type_: ty,
        addr,
        description: description.as_ptr().cast_mut(),
        flags,
        addr2,
        upper_limit: 0,
        lower_limit,
        source: core::ptr::null(),
        priority: 0,
        winner: 0,
    }
}

const fn string(
    name: &'static CStr,
    addr: *mut *mut c_char,
    description: &'static CStr,
    flags: u32,
) -> option_t {
    opt(
        name,
        opt_type::o_string,
        addr.cast(),
        description,
        flags,
        null_mut(),
        0,
    )
}

const fn int(
    name: &'static CStr,
    addr: *mut c_int,
    description: &'static CStr,
    flags: u32,
    lower: c_int,
) -> option_t {
    opt(
        name,
        opt_type::o_int,
        addr.cast(),
        description,
        flags,
        null_mut(),
        lower,
    )
}

const DEV_FLAGS: u32 =
    b::OPT_DEVNAM | b::OPT_PRIVFIX | b::OPT_NOARG | b::OPT_A2STRVAL | b::OPT_STATIC;
const ALIAS: u32 = b::OPT_ALIAS;
const TIMING: u32 = b::OPT_PRIO | b::OPT_LLIMIT;

/// Number of entries including the terminating `{ NULL }`.
const N_OPTIONS: usize = 22;

/// The device entry's value (its `addr2`, OPT_A2STRVAL|OPT_STATIC): the
/// claimed interface name, which pppd's `dump` prints.
static mut DEVNAM: [c_char; 64] = [0; 64];

/// The `o_wild` entry: pppd offers it every word no other option took
/// (docs/pppd-abi.md §5.5); `device::claim` decides. With `doit == 0` it only
/// answers; with `doit == 1` it claims the word, and its interface name
/// becomes the entry's value.
extern "C" fn device_word(word: *mut c_char, _argv: *mut *mut c_char, doit: c_int) -> c_int {
    if word.is_null() {
        return 0;
    }
    // SAFETY: pppd passes a NUL-terminated option word that outlives the call.
    let Ok(word) = unsafe { CStr::from_ptr(word) }.to_str() else {
        return 0;
    };
    let Some(name) = device::claim(word, doit != 0) else {
        return 0;
    };
    if doit != 0 {
        // SAFETY: DEVNAM is our static buffer, written only here, through a
        // raw pointer; at most 63 bytes and the NUL go in (the name is
        // shorter than IFNAMSIZ: `claim` checked the interface).
        unsafe {
            let d = addr_of_mut!(DEVNAM).cast::<c_char>();
            let n = name.len().min(63);
            core::ptr::copy_nonoverlapping(name.as_ptr().cast::<c_char>(), d, n);
            *d.add(n) = 0;
        }
    }
    1
}

/// The table's terminator: pppd stops at the first entry whose name is NULL.
const END: option_t = option_t {
    name: null_mut(),
    type_: opt_type::o_special_noarg,
    addr: null_mut(),
    description: null_mut(),
    flags: 0,
    addr2: null_mut(),
    upper_limit: 0,
    lower_limit: 0,
    source: core::ptr::null(),
    priority: 0,
    winner: 0,
};

/// The table pppd writes into (`source`, `priority`, `winner`): a writable
/// static reached only through raw pointers, ended by a zeroed entry. It is
/// both registered with `add_options` and used as the channel's `options`.
pub(crate) static mut OPTIONS: [option_t; N_OPTIONS] = [
    opt(
        c"device name",
        opt_type::o_wild,
        device_word as *mut c_void,
        c"PPPoE device name",
        DEV_FLAGS,
        addr_of_mut!(DEVNAM).cast(),
        0,
    ),
    string(
        c"pppoe-service",
        addr_of_mut!(SERVICE),
        c"Desired PPPoE service name",
        0,
    ),
    string(
        c"rp_pppoe_service",
        addr_of_mut!(SERVICE),
        c"Legacy alias for pppoe-service",
        ALIAS,
    ),
    string(
        c"pppoe-ac",
        addr_of_mut!(AC_NAME),
        c"Desired PPPoE access concentrator name",
        0,
    ),
    string(
        c"rp_pppoe_ac",
        addr_of_mut!(AC_NAME),
        c"Legacy alias for pppoe-ac",
        ALIAS,
    ),
    // Privileged: it makes pppd send a PADT for any session on the wire.
    string(
        c"pppoe-sess",
        addr_of_mut!(SESS),
        c"Attach to existing session (sessid:macaddr)",
        b::OPT_PRIV,
    ),
    string(
        c"rp_pppoe_sess",
        addr_of_mut!(SESS),
        c"Legacy alias for pppoe-sess",
        ALIAS | b::OPT_PRIV,
    ),
    int(
        c"pppoe-verbose",
        addr_of_mut!(VERBOSE),
        c"Be verbose about discovered access concentrators",
        0,
        0,
    ),
    int(
        c"rp_pppoe_verbose",
        addr_of_mut!(VERBOSE),
        c"Legacy alias for pppoe-verbose",
        ALIAS,
        0,
    ),
    string(
        c"pppoe-mac",
        addr_of_mut!(AC_MAC),
        c"Only connect to specified MAC address",
        0,
    ),
    string(
        c"rp_pppoe_mac",
        addr_of_mut!(AC_MAC),
        c"Legacy alias for pppoe-mac",
        ALIAS,
    ),
    string(
        c"pppoe-host-uniq",
        addr_of_mut!(HOST_UNIQ),
        c"Set the Host-Uniq to the supplied hex string",
        0,
    ),
    string(
        c"host-uniq",
        addr_of_mut!(HOST_UNIQ),
        c"Legacy alias for pppoe-host-uniq",
        ALIAS,
    ),
    int(
        c"pppoe-padi-timeout",
        addr_of_mut!(PADI_TIMEOUT),
        c"Initial timeout for discovery packets in seconds",
        TIMING,
        1,
    ),
    int(
        c"pppoe-padi-attempts",
        addr_of_mut!(PADI_ATTEMPTS),
        c"Number of discovery attempts",
        TIMING,
        1,
    ),
    string(
        c"pppoe-padi-backoff",
        addr_of_mut!(PADI_BACKOFF),
        c"PADI/PADR timeout growth: double (default) or fixed",
        b::OPT_PRIO,
    ),
    option_t {
        upper_limit: 7,
        ..int(
            c"pppoe-priority",
            addr_of_mut!(PRIORITY),
            c"802.1p priority (SO_PRIORITY, 0-7) of the discovery frames",
            b::OPT_LIMITS,
            0,
        )
    },
    // Privileged: pppd writes files there as root.
    string(
        c"pppoe-stale-dir",
        addr_of_mut!(STALE_DIR),
        c"Directory of the stale-session records (default /var/run/pppoe-rs)",
        b::OPT_PRIV,
    ),
    string(
        c"pppoe-status-file",
        addr_of_mut!(STATUS_FILE),
        c"Keep a JSON connection status document at this path",
        b::OPT_PRIV,
    ),
    opt(
        c"pppoe-stale-cleanup",
        opt_type::o_bool,
        addr_of_mut!(STALE_CLEANUP).cast(),
        c"Send PADT for a session a dead pppd left on this interface (default)",
        1,
        null_mut(),
        0,
    ),
    opt(
        c"nopppoe-stale-cleanup",
        opt_type::o_bool,
        addr_of_mut!(STALE_CLEANUP).cast(),
        c"Do not clean up sessions left by a dead pppd",
        0,
        null_mut(),
        0,
    ),
    END,
];

/// The table, for `add_options` and the channel's `options`.
pub(crate) fn table() -> *mut option_t {
    addr_of_mut!(OPTIONS).cast()
}

/// Names of all registered options (for tests and the README check).
#[cfg(test)]
pub(crate) fn names() -> alloc::vec::Vec<alloc::string::String> {
    let t = addr_of_mut!(OPTIONS).cast::<option_t>();
    let mut out = alloc::vec::Vec::new();
    // SAFETY: test-only read of our own table; index within bounds.
    unsafe {
        for i in 0..N_OPTIONS - 1 {
            out.push(alloc::string::ToString::to_string(
                CStr::from_ptr((*t.add(i)).name).to_str().unwrap(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's options table lists every option pppd is given.
    #[test]
    fn the_readme_lists_every_option() {
        let readme = include_str!("../../README.md");
        let table = &readme[readme.find("## Options").unwrap()..];
        let table = &table[..table.find("\n### ").unwrap()];
        for name in names() {
            if name == "device name" {
                continue; // the device word: `nic-IF` or `IF`
            }
            assert!(
                table.contains(&alloc::format!("`{name}")),
                "README's options table lacks {name}"
            );
        }
    }

    #[test]
    fn every_spelling_is_registered() {
        let names = names();
        for n in [
            "device name",
            "pppoe-service",
            "rp_pppoe_service",
            "pppoe-ac",
            "rp_pppoe_ac",
            "pppoe-sess",
            "rp_pppoe_sess",
            "pppoe-verbose",
            "rp_pppoe_verbose",
            "pppoe-mac",
            "pppoe-host-uniq",
            "host-uniq",
            "pppoe-padi-timeout",
            "pppoe-padi-attempts",
            "pppoe-status-file",
            "pppoe-stale-cleanup",
            "nopppoe-stale-cleanup",
            "rp_pppoe_mac",
            "pppoe-padi-backoff",
            "pppoe-priority",
            "pppoe-stale-dir",
        ] {
            assert!(names.iter().any(|x| x == n), "{n} missing");
        }
    }

    #[test]
    fn privileged_options() {
        let t = addr_of_mut!(OPTIONS).cast::<option_t>();
        for i in 0..N_OPTIONS - 1 {
            // SAFETY: test-only read of our own table within bounds.
            let o = unsafe { &*t.add(i) };
            // SAFETY: every entry but the terminator has a name.
            let name = unsafe { CStr::from_ptr(o.name) }.to_str().unwrap();
            let privileged = o.flags & b::OPT_PRIV != 0;
            let want = matches!(
                name,
                "pppoe-sess" | "rp_pppoe_sess" | "pppoe-status-file" | "pppoe-stale-dir"
            );
            assert_eq!(privileged, want, "{name}");
        }
    }

    #[test]
    fn aliases_follow_their_main_entry() {
        // OPT_ALIAS means "alias of the previous entry": each alias must sit
        // right after an entry with the same target.
        let t = addr_of_mut!(OPTIONS).cast::<option_t>();
        for i in 1..N_OPTIONS - 1 {
            // SAFETY: test-only read of our own table within bounds.
            let (prev, cur) = unsafe { (&*t.add(i - 1), &*t.add(i)) };
            if cur.flags & b::OPT_ALIAS != 0 {
                assert_eq!(prev.addr, cur.addr);
                assert_eq!(prev.type_ as u32, cur.type_ as u32);
            }
        }
    }
}
