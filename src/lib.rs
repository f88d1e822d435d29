//! A drop-in replacement for pppd's `rp-pppoe.so` PPPoE plugin.
//!
//! This crate is the pppd boundary ([`pppd`]: bindings, options, channel
//! callbacks, logging); the wire format, the discovery engine and the OS
//! layer are the `rp-pppoe-core` library.
//!
//! The shipped plugin is `#![no_std]` + `alloc` over `libc` (see README,
//! Design notes); unit tests build with std.

#![cfg_attr(not(test), no_std)]

extern crate alloc;

mod pppd;

/// The pppd version this plugin is built for, as a NUL-terminated array:
/// pppd compares the symbol's address as a string (`strcmp`).
#[no_mangle]
#[used]
pub static pppd_version: [u8; pppd::PPPD_VERSION_BYTES.len()] = pppd::PPPD_VERSION_BYTES;

/// Called by pppd right after `dlopen`.
#[no_mangle]
pub extern "C" fn plugin_init() {
    pppd::plugin_init();
}

#[cfg(not(test))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    pppd::on_panic(info)
}

#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: rp_pppoe_core::os::Malloc = rp_pppoe_core::os::Malloc;
