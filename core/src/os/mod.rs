//! OS layer: the AF_PACKET discovery socket ([`packet`]) and its kernel
//! filter ([`filter`]), the AF_PPPOX
//! session socket ([`pppox`]), files ([`fs`]), the allocator ([`malloc`]),
//! interface queries, processes and the clocks, over `libc`.
//!
//! No pppd here: errors are returned as [`OsError`] values (the failed step
//! and `errno`) and the caller decides what to log. The plugin is `no_std`
//! (see README, Design notes), which is why this module uses `libc` directly
//! rather than `nix`.

mod filter;
mod fs;
mod malloc;
mod packet;
mod pppox;

pub use filter::{discovery_filter, Insn};
pub use fs::{read_all, read_file, sync, try_lock, write_at_start, write_file_atomic, Dir};
pub use malloc::Malloc;
pub use packet::DiscoverySocket;
pub use pppox::{is_no_kernel_support, pppox_connect, pppox_socket};

use core::ffi::c_int;
use core::mem;
use core::time::Duration;

use alloc::string::String;

use crate::text::Put;
use crate::wire::MacAddr;
use crate::{display_via_put, push};

/// `ARPHRD_ETHER`.
pub const ARPHRD_ETHER: u16 = 1;
/// Linux interface names are at most 15 bytes plus the NUL.
pub const IFNAMSIZ: usize = 16;

/// A NUL-terminated copy of a string for a C call: what `CString` does,
/// without its conversion and `memchr` code (0.8 KB of the plugin on x86_64,
/// 1.0 KB on aarch64, 1.5 KB on MIPS).
#[derive(Debug)]
pub struct CBuf(alloc::vec::Vec<u8>);

impl CBuf {
    /// `s` and a NUL; `None` if `s` holds a NUL of its own.
    pub fn new(s: &str) -> Option<CBuf> {
        (!s.bytes().any(|b| b == 0)).then(|| CBuf::lossy(s))
    }

    /// `s` and a NUL, each NUL of `s` replaced by `?` (for text shown to a
    /// person or handed to pppd: a NUL is impossible in our own text but
    /// possible in bytes from the wire, and the text must never be dropped).
    pub fn lossy(s: &str) -> CBuf {
        let mut v = alloc::vec::Vec::with_capacity(s.len() + 1);
        v.extend(s.bytes().map(|b| if b == 0 { b'?' } else { b }));
        v.push(0);
        CBuf(v)
    }

    /// The C string, valid while `self` lives.
    pub fn as_ptr(&self) -> *const core::ffi::c_char {
        self.0.as_ptr().cast()
    }
}

/// A failed system call: which step, and `errno`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OsError {
    pub what: &'static str,
    pub errno: i32,
}

impl OsError {
    fn last(what: &'static str) -> OsError {
        OsError {
            what,
            errno: errno(),
        }
    }
}

impl Put for OsError {
    fn put(&self, out: &mut String) {
        push!(out; self.what, ": ", Errno(self.errno));
    }
}

/// Displays an errno value as `strerror` text.
pub struct Errno(pub i32);

impl Put for Errno {
    fn put(&self, out: &mut String) {
        let mut buf = [0u8; 128];
        // SAFETY: buf is a valid writable buffer of the given length; the XSI
        // strerror_r writes a NUL-terminated string into it or fails.
        let rc = unsafe { libc::strerror_r(self.0, buf.as_mut_ptr().cast(), buf.len()) };
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        match (rc, core::str::from_utf8(&buf[..end])) {
            (0, Ok(s)) if !s.is_empty() => out.push_str(s),
            _ => push!(out; "error ", self.0),
        }
    }
}

display_via_put!(OsError, Errno);
crate::by_value!(OsError, Errno);

fn errno() -> i32 {
    // SAFETY: __errno_location returns the calling thread's errno slot.
    unsafe { *libc::__errno_location() }
}

/// Monotonic time since an arbitrary origin (CLOCK_MONOTONIC).
pub fn now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    // Nanoseconds in a u64 last 584 years of uptime; `Duration::new` would
    // bring a panic path for a carry that cannot happen.
    let ns = (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64);
    Duration::from_nanos(ns)
}

/// The process id (the default Host-Uniq).
pub fn pid() -> i32 {
    // SAFETY: getpid has no preconditions.
    unsafe { libc::getpid() }
}

/// An owned file descriptor, closed on drop.
#[derive(Debug)]
pub struct Fd(c_int);

impl Fd {
    pub fn raw(&self) -> c_int {
        self.0
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: we own this descriptor; closing it once is correct.
        unsafe { libc::close(self.0) };
    }
}

fn socket(domain: c_int, ty: c_int, proto: c_int, what: &'static str) -> Result<Fd, OsError> {
    // SAFETY: plain socket(2) call with integer arguments.
    let fd = unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, proto) };
    if fd < 0 {
        Err(OsError::last(what))
    } else {
        Ok(Fd(fd))
    }
}

/// Interface name as a NUL-padded `ifr_name`; `None` if empty or too long.
pub fn ifname_bytes(name: &str) -> Option<[libc::c_char; IFNAMSIZ]> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() >= IFNAMSIZ || b.contains(&0) || b.contains(&b'/') {
        return None;
    }
    let mut out = [0 as libc::c_char; IFNAMSIZ];
    for (o, &c) in out.iter_mut().zip(b) {
        *o = c as libc::c_char;
    }
    Some(out)
}

fn ifreq(name: &[libc::c_char; IFNAMSIZ]) -> libc::ifreq {
    // SAFETY: ifreq is plain old data; all-zero is a valid value.
    let mut r: libc::ifreq = unsafe { mem::zeroed() };
    r.ifr_name = *name;
    r
}

fn ioctl_ifreq(
    fd: &Fd,
    req: libc::c_ulong,
    r: &mut libc::ifreq,
    what: &'static str,
) -> Result<(), OsError> {
    // SAFETY: `req` is one of the SIOCGIF* requests, which read ifr_name and
    // write into the ifreq union; r is a valid, writable ifreq.
    let rc = unsafe { libc::ioctl(fd.raw(), req as _, r as *mut libc::ifreq) };
    if rc < 0 {
        Err(OsError::last(what))
    } else {
        Ok(())
    }
}

/// What the plugin needs to know about an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IfInfo {
    pub index: c_int,
    pub hwtype: u16,
    pub mac: MacAddr,
    pub mtu: c_int,
}

/// Queries an interface without side effects (a datagram socket and three
/// SIOCGIF* ioctls). Used by the device-name hook and before discovery.
pub fn if_info(name: &str) -> Result<IfInfo, OsError> {
    let n = ifname_bytes(name).ok_or(OsError {
        what: "interface name",
        errno: libc::EINVAL,
    })?;
    let fd = socket(libc::AF_INET, libc::SOCK_DGRAM, 0, "socket(AF_INET)")
        .or_else(|_| socket(libc::AF_UNIX, libc::SOCK_DGRAM, 0, "socket(AF_UNIX)"))?;
    let mut r = ifreq(&n);
    ioctl_ifreq(&fd, libc::SIOCGIFINDEX, &mut r, "SIOCGIFINDEX")?;
    // SAFETY: SIOCGIFINDEX filled the ifru_ifindex member.
    let index = unsafe { r.ifr_ifru.ifru_ifindex };
    let mut r = ifreq(&n);
    ioctl_ifreq(&fd, libc::SIOCGIFHWADDR, &mut r, "SIOCGIFHWADDR")?;
    // SAFETY: SIOCGIFHWADDR filled the ifru_hwaddr member.
    let hw = unsafe { r.ifr_ifru.ifru_hwaddr };
    let mut mac = [0u8; 6];
    for (m, &c) in mac.iter_mut().zip(hw.sa_data.iter()) {
        *m = c as u8;
    }
    let mut r = ifreq(&n);
    ioctl_ifreq(&fd, libc::SIOCGIFMTU, &mut r, "SIOCGIFMTU")?;
    // SAFETY: SIOCGIFMTU filled the ifru_mtu member.
    let mtu = unsafe { r.ifr_ifru.ifru_mtu };
    Ok(IfInfo {
        index,
        hwtype: hw.sa_family,
        mac: MacAddr(mac),
        mtu,
    })
}

/// Closes a raw descriptor that is not owned by an [`Fd`] (used in forked
/// script children, where the parent's state must not be dropped).
pub fn close_raw(fd: c_int) {
    if fd >= 0 {
        // SAFETY: closing an fd number has no memory-safety preconditions.
        unsafe { libc::close(fd) };
    }
}

/// Terminates the process with `code` (after an option error, as pppd itself does).
pub fn exit(code: c_int) -> ! {
    // SAFETY: exit(3) has no preconditions; pppd's atexit state is its own.
    unsafe { libc::exit(code) }
}

/// Sleeps for `d` (a signal may cut it short).
pub fn sleep(d: Duration) {
    let ts = libc::timespec {
        tv_sec: d.as_secs() as _, // seconds of a short pause: fits any time_t
        tv_nsec: d.subsec_nanos() as libc::c_long,
    };
    // SAFETY: ts is a valid timespec; the remaining time is not wanted.
    unsafe { libc::nanosleep(&ts, core::ptr::null_mut()) };
}

/// Wall-clock time in Unix milliseconds (for the status file), right after
/// 19 January 2038 on 32-bit targets too, whatever the width of the C
/// library's `time_t` (32 bits on uClibc-ng, glibc before 2.34 and musl
/// before 1.2).
pub fn unix_millis() -> u64 {
    let (sec, nsec) = realtime();
    millis(sec, nsec)
}

/// Unix milliseconds of a wall-clock reading (0 before 1970).
fn millis(sec: i64, nsec: i64) -> u64 {
    u64::try_from(sec)
        .unwrap_or(0)
        .saturating_mul(1000)
        .saturating_add(u64::try_from(nsec.clamp(0, 999_999_999)).unwrap_or(0) / 1_000_000)
}

/// CLOCK_REALTIME through the kernel's `clock_gettime64` (Linux 5.1) on
/// 32-bit targets, called directly so that the plugin imports no time64
/// symbol that an older C library lacks; the C library's `clock_gettime`
/// if the kernel has no such call.
#[cfg(target_pointer_width = "32")]
fn realtime() -> (i64, i64) {
    /// The kernel's `struct __kernel_timespec`: 64-bit fields everywhere.
    #[repr(C)]
    struct KernelTimespec {
        sec: i64,
        nsec: i64,
    }
    /// `__NR_clock_gettime64`: 403 on every 32-bit architecture, plus the
    /// o32 base of 4000 on MIPS.
    const NR: libc::c_long = if cfg!(target_arch = "mips") {
        4403
    } else {
        403
    };
    let mut ts = KernelTimespec { sec: 0, nsec: 0 };
    // SAFETY: ts is a valid, writable __kernel_timespec; the clock id is an
    // integer.
    if unsafe { libc::syscall(NR, libc::CLOCK_REALTIME, &mut ts as *mut KernelTimespec) } == 0 {
        return (ts.sec, ts.nsec);
    }
    realtime_libc()
}

#[cfg(not(target_pointer_width = "32"))]
fn realtime() -> (i64, i64) {
    realtime_libc()
}

fn realtime_libc() -> (i64, i64) {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    #[allow(clippy::useless_conversion)] // i64 already where time_t is 64 bits
    (i64::from(ts.tv_sec), i64::from(ts.tv_nsec))
}

/// The local and peer IPv4 addresses of a point-to-point interface (ppp0).
pub fn if_addresses(name: &str) -> Result<([u8; 4], [u8; 4]), OsError> {
    let n = ifname_bytes(name).ok_or(OsError {
        what: "interface name",
        errno: libc::EINVAL,
    })?;
    let fd = socket(libc::AF_INET, libc::SOCK_DGRAM, 0, "socket(AF_INET)")?;
    let get = |req, what| -> Result<[u8; 4], OsError> {
        let mut r = ifreq(&n);
        ioctl_ifreq(&fd, req, &mut r, what)?;
        // SAFETY: SIOCGIFADDR/SIOCGIFDSTADDR fill ifru_addr with a sockaddr_in.
        let sa = unsafe { r.ifr_ifru.ifru_addr };
        let mut a = [0u8; 4];
        // sockaddr_in: family (2 bytes), port (2), address (4).
        for (o, &c) in a.iter_mut().zip(sa.sa_data.iter().skip(2)) {
            *o = c as u8;
        }
        Ok(a)
    };
    Ok((
        get(libc::SIOCGIFADDR, "SIOCGIFADDR")?,
        get(libc::SIOCGIFDSTADDR, "SIOCGIFDSTADDR")?,
    ))
}

#[cfg(test)]
mod tests;
