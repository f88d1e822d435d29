//! Generated pppd ABI declarations (build.rs runs bindgen over
//! `pppd-headers/<abi>/pppd-abi.h` with an allowlist), plus our own
//! compile-time checks of the layouts against docs/pppd-abi.md.

#![allow(
    dead_code,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    unreachable_pub,
    clippy::all
)]

include!(concat!(env!("OUT_DIR"), "/pppd_bindings.rs"));

use core::mem::{offset_of, size_of};

const P64: bool = cfg!(target_pointer_width = "64");

/// Picks the LP64 or the ILP32 value from docs/pppd-abi.md.
const fn lp(lp64: usize, ilp32: usize) -> usize {
    if P64 {
        lp64
    } else {
        ilp32
    }
}

// option_t (docs/pppd-abi.md §5.1)
const _: () = assert!(size_of::<option_t>() == lp(72, 40));
const _: () = assert!(offset_of!(option_t, name) == 0);
const _: () = assert!(offset_of!(option_t, type_) == lp(8, 4));
const _: () = assert!(offset_of!(option_t, addr) == lp(16, 8));
const _: () = assert!(offset_of!(option_t, description) == lp(24, 12));
const _: () = assert!(offset_of!(option_t, flags) == lp(32, 16));
const _: () = assert!(offset_of!(option_t, addr2) == lp(40, 20));
const _: () = assert!(offset_of!(option_t, upper_limit) == lp(48, 24));
const _: () = assert!(offset_of!(option_t, lower_limit) == lp(52, 28));
const _: () = assert!(offset_of!(option_t, source) == lp(56, 32));
const _: () = assert!(offset_of!(option_t, priority) == lp(64, 36));
const _: () = assert!(offset_of!(option_t, winner) == lp(66, 38));
const _: () = assert!(size_of::<opt_type>() == 4);

// struct channel (§6.1)
const _: () = assert!(size_of::<channel>() == lp(88, 44));
const _: () = assert!(offset_of!(channel, options) == 0);
const _: () = assert!(offset_of!(channel, process_extra_options) == lp(8, 4));
const _: () = assert!(offset_of!(channel, check_options) == lp(16, 8));
const _: () = assert!(offset_of!(channel, connect) == lp(24, 12));
const _: () = assert!(offset_of!(channel, disconnect) == lp(32, 16));
const _: () = assert!(offset_of!(channel, establish_ppp) == lp(40, 20));
const _: () = assert!(offset_of!(channel, disestablish_ppp) == lp(48, 24));
const _: () = assert!(offset_of!(channel, send_config) == lp(56, 28));
const _: () = assert!(offset_of!(channel, recv_config) == lp(64, 32));
const _: () = assert!(offset_of!(channel, cleanup) == lp(72, 36));
const _: () = assert!(offset_of!(channel, close) == lp(80, 40));

// struct protent (§7.1)
const _: () = assert!(size_of::<protent>() == lp(136, 68));
const _: () = assert!(offset_of!(protent, name) == lp(88, 44));
const _: () = assert!(offset_of!(protent, options) == lp(104, 52));

// struct notifier (§8.1)
const _: () = assert!(size_of::<notifier>() == lp(24, 12));
const _: () = assert!(offset_of!(notifier, func) == lp(8, 4));
const _: () = assert!(offset_of!(notifier, arg) == lp(16, 8));

// lcp_options (§7.2): no pointers, the same on every target.
const _: () = assert!(size_of::<lcp_options>() == 68);
const _: () = assert!(offset_of!(lcp_options, neg_mru) == 3);
const _: () = assert!(offset_of!(lcp_options, neg_asyncmap) == 4);
const _: () = assert!(offset_of!(lcp_options, neg_pcompression) == 9);
const _: () = assert!(offset_of!(lcp_options, neg_accompression) == 10);
const _: () = assert!(offset_of!(lcp_options, mru) == 16);
const _: () = assert!(offset_of!(lcp_options, asyncmap) == 28);
const _: () = assert!(offset_of!(lcp_options, endpoint) == 44);

// ccp_options: the two booleans the plugin clears (§7.3).
const _: () = assert!(offset_of!(ccp_options_head, bsd_compress) == 0);
const _: () = assert!(offset_of!(ccp_options_head, deflate) == 1);
