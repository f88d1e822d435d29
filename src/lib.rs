//! A drop-in replacement for pppd's `rp-pppoe.so` PPPoE plugin.
//!
//! Layout (each module readable and testable alone):
//! - [`wire`]: Ethernet + PPPoE frames and tags, zero-copy, no I/O;
//! - [`engine`]: the sans-IO discovery state machine (PADI/PADO/PADR/PADS);
//! - [`os`]: AF_PACKET and AF_PPPOX sockets, interface ioctls, the clock;
//! - [`discovery`]: runs the engine over the socket;
//! - [`pppd`]: the pppd boundary (bindings, options, channel, logging);
//! - [`text`]: log lines and documents without `core::fmt` (size).
//!
//! The shipped plugin is `#![no_std]` + `alloc` over `libc` (see README,
//! Design notes); unit tests build with std.

#![cfg_attr(not(test), no_std)]

extern crate alloc;

mod discovery;
mod engine;
mod os;
mod pppd;
mod stale;
mod status;
mod text;
mod wire;

/// Whether a line at `level` is wanted (see `text`): pppd's log in the plugin.
#[cfg(not(test))]
fn log_enabled(level: text::Level) -> bool {
    pppd::log_enabled(level)
}

/// Logs one line through pppd.
#[cfg(not(test))]
fn log_line(level: text::Level, line: alloc::string::String) {
    pppd::log_line(level, line);
}

#[cfg(test)]
fn log_enabled(_: text::Level) -> bool {
    true
}

#[cfg(test)]
fn log_line(level: text::Level, line: alloc::string::String) {
    text::test_log::record(level, &line);
}

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
static ALLOCATOR: os::Malloc = os::Malloc;
