//! The PPPoE core shared by the plugin, the tools and the fuzz targets:
//! everything but the pppd boundary.
//!
//! - [`wire`]: Ethernet + PPPoE frames and tags, zero-copy, no I/O, no `unsafe`;
//! - [`engine`]: the sans-IO discovery state machine (frames and `now` in;
//!   frames, deadlines and events out);
//! - [`discovery`]: runs the engine over the AF_PACKET socket;
//! - [`os`]: AF_PACKET and AF_PPPOX sockets, interface ioctls, files, the
//!   clocks, over `libc` (the only module here with `unsafe`);
//! - [`status`]: the status file's JSON documents;
//! - [`stale`]: stale-session records;
//! - [`text`]: log lines and documents without `core::fmt`;
//! - [`log`]: the log hook the host installs.
//!
//! `no_std` + `alloc`: the host brings the allocator and the panic handler
//! (the plugin: the C library's `malloc`, pppd's `fatal()`; the tools: std).

#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod discovery;
pub mod engine;
pub mod log;
pub mod os;
pub mod stale;
pub mod status;
pub mod text;
pub mod wire;

#[cfg(test)]
mod testing;
