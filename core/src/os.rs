//! OS layer: the AF_PACKET discovery socket, the AF_PPPOX session socket,
//! interface queries and the monotonic clock, over `libc`.
//!
//! No pppd here: errors are returned as [`OsError`] values (the failed step
//! and `errno`) and the caller decides what to log. The plugin is `no_std`
//! (see README, Design notes), which is why this module uses `libc` directly
//! rather than `nix`.

use core::ffi::c_int;
use core::mem;
use core::time::Duration;

use alloc::string::String;

use crate::text::Put;
use crate::wire::{MacAddr, ETH_P_PPPOE_DISC};
use crate::{cat, display_via_put, push};

/// `AF_PPPOX` / `PF_PPPOX` (linux/if_pppox.h).
const AF_PPPOX: c_int = 24;
/// `PX_PROTO_OE`.
const PX_PROTO_OE: c_int = 0;
/// `ARPHRD_ETHER`.
pub const ARPHRD_ETHER: u16 = 1;
/// Linux interface names are at most 15 bytes plus the NUL.
pub const IFNAMSIZ: usize = 16;

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
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
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

/// The PPPoE discovery socket: AF_PACKET, SOCK_RAW, bound to 0x8863 on one
/// interface; frames are sent and received with their Ethernet header.
#[derive(Debug)]
pub struct DiscoverySocket {
    fd: Fd,
    pub info: IfInfo,
    /// Whether the kernel filter ([`discovery_filter`]) is attached.
    pub filtered: bool,
}

const fn bpf(code: u32, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

/// A classic BPF program that passes only frames addressed to `mac`, and
/// broadcast PADTs: with many pppd processes on one interface (multi-dial),
/// no pppd is woken for another one's PADOs, PADSs, or any PADI, PADR or
/// frame that is not for it.
pub fn discovery_filter(mac: MacAddr) -> [libc::sock_filter; 12] {
    let m = mac.0;
    let low4 = u32::from_be_bytes([m[2], m[3], m[4], m[5]]);
    let high2 = u32::from(u16::from_be_bytes([m[0], m[1]]));
    const LD_W: u32 = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    const LD_H: u32 = libc::BPF_LD | libc::BPF_H | libc::BPF_ABS;
    const LD_B: u32 = libc::BPF_LD | libc::BPF_B | libc::BPF_ABS;
    const JEQ: u32 = libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K;
    const RET: u32 = libc::BPF_RET | libc::BPF_K;
    const ACCEPT: u32 = 0x0004_0000;
    [
        bpf(LD_W, 0, 0, 2),          // 0: A = dst[2..6]
        bpf(JEQ, 0, 3, low4),        // 1: ours? -> 2, else broadcast test at 5
        bpf(LD_H, 0, 0, 0),          // 2: A = dst[0..2]
        bpf(JEQ, 0, 7, high2),       // 3: ours -> 4, else drop (11)
        bpf(RET, 0, 0, ACCEPT),      // 4: accept
        bpf(JEQ, 0, 5, 0xffff_ffff), // 5: dst[2..6] broadcast? else drop
        bpf(LD_H, 0, 0, 0),          // 6: A = dst[0..2]
        bpf(JEQ, 0, 3, 0xffff),      // 7: broadcast? else drop
        bpf(LD_B, 0, 0, 15),         // 8: A = PPPoE code
        bpf(JEQ, 0, 1, 0xa7),        // 9: PADT -> accept, else drop
        bpf(RET, 0, 0, ACCEPT),      // 10: accept
        bpf(RET, 0, 0, 0),           // 11: drop
    ]
}

impl DiscoverySocket {
    /// A client's socket: only frames for our MAC (and broadcast PADT) pass.
    pub fn open(ifname: &str) -> Result<DiscoverySocket, OsError> {
        Self::open_with(ifname, true)
    }

    /// Without the kernel filter: sees every discovery frame on the link
    /// (an access concentrator's view; test ACs and tools).
    #[cfg_attr(not(test), allow(dead_code))] // used by tests and tools
    pub fn open_unfiltered(ifname: &str) -> Result<DiscoverySocket, OsError> {
        Self::open_with(ifname, false)
    }

    fn open_with(ifname: &str, filter: bool) -> Result<DiscoverySocket, OsError> {
        let info = if_info(ifname)?;
        let proto = ETH_P_PPPOE_DISC.to_be() as c_int;
        let fd = socket(libc::AF_PACKET, libc::SOCK_RAW, proto, "socket(AF_PACKET)")?;
        let one: c_int = 1;
        // SAFETY: SO_BROADCAST takes an int option value of the given size.
        let rc = unsafe {
            libc::setsockopt(
                fd.raw(),
                libc::SOL_SOCKET,
                libc::SO_BROADCAST,
                (&one as *const c_int).cast(),
                mem::size_of::<c_int>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(OsError::last("setsockopt(SO_BROADCAST)"));
        }
        // The filter goes on before bind, so no unfiltered frame is queued.
        let mut prog = discovery_filter(info.mac);
        let fprog = libc::sock_fprog {
            len: prog.len() as u16,
            filter: prog.as_mut_ptr(),
        };
        // SAFETY: fprog points to `prog`, which outlives the call; the kernel
        // copies the program.
        let filtered = filter
            && unsafe {
                libc::setsockopt(
                    fd.raw(),
                    libc::SOL_SOCKET,
                    libc::SO_ATTACH_FILTER,
                    (&fprog as *const libc::sock_fprog).cast(),
                    mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
                )
            } == 0;
        // SAFETY: sockaddr_ll is plain old data; all-zero is valid.
        let mut sa: libc::sockaddr_ll = unsafe { mem::zeroed() };
        sa.sll_family = libc::AF_PACKET as u16;
        sa.sll_protocol = ETH_P_PPPOE_DISC.to_be();
        sa.sll_ifindex = info.index;
        // SAFETY: sa is a valid sockaddr_ll and the length matches it.
        let rc = unsafe {
            libc::bind(
                fd.raw(),
                (&sa as *const libc::sockaddr_ll).cast(),
                mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(OsError::last("bind(AF_PACKET)"));
        }
        Ok(DiscoverySocket { fd, info, filtered })
    }

    pub fn send(&self, frame: &[u8]) -> Result<(), OsError> {
        // SAFETY: frame is a valid readable buffer of frame.len() bytes.
        let n = unsafe { libc::send(self.fd.raw(), frame.as_ptr().cast(), frame.len(), 0) };
        if n < 0 {
            Err(OsError::last("send"))
        } else {
            Ok(())
        }
    }

    /// Waits up to `timeout` for a frame. `Ok(None)` on timeout or when a
    /// signal interrupted the wait (the caller checks its stop flag).
    pub fn recv(&self, buf: &mut [u8], timeout: Duration) -> Result<Option<usize>, OsError> {
        let mut pfd = libc::pollfd {
            fd: self.fd.raw(),
            events: libc::POLLIN,
            revents: 0,
        };
        // Round up so that a deadline 0.3 ms away does not spin.
        let ms = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as c_int;
        // SAFETY: pfd is one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = errno();
            return if e == libc::EINTR {
                Ok(None)
            } else {
                Err(OsError {
                    what: "poll",
                    errno: e,
                })
            };
        }
        if rc == 0 {
            return Ok(None);
        }
        if pfd.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0
            && pfd.revents & libc::POLLIN == 0
        {
            // An error queued on the socket (e.g. ENETDOWN): fetch it.
            let mut err: c_int = 0;
            let mut len = mem::size_of::<c_int>() as libc::socklen_t;
            // SAFETY: SO_ERROR writes an int of the given length.
            unsafe {
                libc::getsockopt(
                    self.fd.raw(),
                    libc::SOL_SOCKET,
                    libc::SO_ERROR,
                    (&mut err as *mut c_int).cast(),
                    &mut len,
                )
            };
            return Err(OsError {
                what: "poll",
                errno: if err != 0 { err } else { libc::EIO },
            });
        }
        // SAFETY: buf is a valid writable buffer of buf.len() bytes.
        let n = unsafe {
            libc::recv(
                self.fd.raw(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR || e == libc::EAGAIN {
                return Ok(None);
            }
            return Err(OsError {
                what: "recv",
                errno: e,
            });
        }
        Ok(Some(n as usize))
    }
}

/// `struct sockaddr_pppox` for PPPoE: packed, 30 bytes (docs/pppd-abi.md §12).
#[repr(C, packed)]
struct SockaddrPppox {
    sa_family: u16,
    sa_protocol: u32,
    sid: u16,
    remote: [u8; 6],
    dev: [libc::c_char; IFNAMSIZ],
}
const _: () = assert!(mem::size_of::<SockaddrPppox>() == 30);

/// The kernel PPPoE session socket (AF_PPPOX, PX_PROTO_OE).
pub fn pppox_socket() -> Result<Fd, OsError> {
    socket(AF_PPPOX, libc::SOCK_STREAM, PX_PROTO_OE, "socket(AF_PPPOX)")
}

/// True if an errno from `pppox_socket` means the kernel lacks PPPoE.
pub fn is_no_kernel_support(errno: i32) -> bool {
    errno == libc::EAFNOSUPPORT || errno == libc::EPROTONOSUPPORT || errno == libc::ESOCKTNOSUPPORT
}

/// Binds the session socket to (session id, AC MAC, interface). With
/// `sid == 0` the kernel unbinds the session instead; that returns
/// `EALREADY` if the AC's PADT already did it.
pub fn pppox_connect(
    fd: &Fd,
    sid: u16,
    remote: MacAddr,
    dev: &[libc::c_char; IFNAMSIZ],
) -> Result<(), OsError> {
    let sa = SockaddrPppox {
        sa_family: AF_PPPOX as u16,
        sa_protocol: PX_PROTO_OE as u32,
        sid: sid.to_be(),
        remote: remote.0,
        dev: *dev,
    };
    // SAFETY: sa is a valid 30-byte sockaddr_pppox and the length matches it.
    let rc = unsafe {
        libc::connect(
            fd.raw(),
            (&sa as *const SockaddrPppox).cast(),
            mem::size_of::<SockaddrPppox>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        Err(OsError::last("connect(AF_PPPOX)"))
    } else {
        Ok(())
    }
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
        tv_sec: d.as_secs() as libc::time_t,
        tv_nsec: d.subsec_nanos() as libc::c_long,
    };
    // SAFETY: ts is a valid timespec; the remaining time is not wanted.
    unsafe { libc::nanosleep(&ts, core::ptr::null_mut()) };
}

/// Wall-clock time in Unix milliseconds (for the status file).
pub fn unix_millis() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    (ts.tv_sec as u64)
        .saturating_mul(1000)
        .saturating_add(ts.tv_nsec as u64 / 1_000_000)
}

fn c_path(path: &str) -> Result<alloc::ffi::CString, OsError> {
    alloc::ffi::CString::new(path).map_err(|_| OsError {
        what: "path",
        errno: libc::EINVAL,
    })
}

/// Replaces the file at `path` atomically: writes `PATH.tmp`, then renames it
/// over `path`, so a reader sees the old or the new content, never a mix.
pub fn write_file_atomic(path: &str, data: &[u8]) -> Result<(), OsError> {
    let tmp = c_path(&cat!(path, ".tmp"))?;
    let dst = c_path(path)?;
    // SAFETY: tmp is a valid C string; flags and mode are plain integers.
    let fd = unsafe {
        libc::open(
            tmp.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC,
            0o644 as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(OsError::last("open"));
    }
    let fd = Fd(fd);
    let mut rest = data;
    while !rest.is_empty() {
        // SAFETY: rest is a valid readable buffer of rest.len() bytes.
        let n = unsafe { libc::write(fd.raw(), rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            let e = OsError::last("write");
            drop(fd);
            // SAFETY: tmp is a valid C string.
            unsafe { libc::unlink(tmp.as_ptr()) };
            return Err(e);
        }
        rest = rest.get(n as usize..).unwrap_or(&[]);
    }
    drop(fd);
    // SAFETY: both are valid C strings.
    if unsafe { libc::rename(tmp.as_ptr(), dst.as_ptr()) } < 0 {
        let e = OsError::last("rename");
        // SAFETY: tmp is a valid C string.
        unsafe { libc::unlink(tmp.as_ptr()) };
        return Err(e);
    }
    Ok(())
}

/// Reads a whole (small) file.
pub fn read_file(path: &str) -> Result<alloc::vec::Vec<u8>, OsError> {
    let p = c_path(path)?;
    // SAFETY: p is a valid C string.
    let fd = unsafe { libc::open(p.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(OsError::last("open"));
    }
    let fd = Fd(fd);
    let mut out = alloc::vec::Vec::new();
    let mut buf = [0u8; 512];
    loop {
        // SAFETY: buf is a valid writable buffer of buf.len() bytes.
        let n = unsafe { libc::read(fd.raw(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            return Err(OsError::last("read"));
        }
        if n == 0 || out.len() > 64 * 1024 {
            return Ok(out);
        }
        out.extend_from_slice(buf.get(..n as usize).unwrap_or(&[]));
    }
}

/// Removes a file; `Ok(false)` if it did not exist (someone else took it).
pub fn remove_file(path: &str) -> Result<bool, OsError> {
    let p = c_path(path)?;
    // SAFETY: p is a valid C string.
    if unsafe { libc::unlink(p.as_ptr()) } == 0 {
        Ok(true)
    } else if errno() == libc::ENOENT {
        Ok(false)
    } else {
        Err(OsError::last("unlink"))
    }
}

/// Creates a directory (mode 0700) if it does not exist.
pub fn make_dir(path: &str) -> Result<(), OsError> {
    let p = c_path(path)?;
    // SAFETY: p is a valid C string.
    if unsafe { libc::mkdir(p.as_ptr(), 0o700) } == 0 || errno() == libc::EEXIST {
        Ok(())
    } else {
        Err(OsError::last("mkdir"))
    }
}

/// The names in a directory (without `.` and `..`).
pub fn list_dir(path: &str) -> Result<alloc::vec::Vec<alloc::string::String>, OsError> {
    let p = c_path(path)?;
    // SAFETY: p is a valid C string.
    let dir = unsafe { libc::opendir(p.as_ptr()) };
    if dir.is_null() {
        return Err(OsError::last("opendir"));
    }
    let mut out = alloc::vec::Vec::new();
    loop {
        // SAFETY: dir is an open DIR*; readdir returns NULL at the end.
        let ent = unsafe { libc::readdir(dir) };
        if ent.is_null() {
            break;
        }
        // SAFETY: d_name is a NUL-terminated name inside the returned entry.
        let name = unsafe { core::ffi::CStr::from_ptr((*ent).d_name.as_ptr()) };
        if let Ok(n) = name.to_str() {
            if n != "." && n != ".." {
                out.push(alloc::string::String::from(n));
            }
        }
    }
    // SAFETY: dir is open and closed exactly once.
    unsafe { libc::closedir(dir) };
    Ok(out)
}

/// True if `pid` is a running pppd (so its session is not stale). A
/// recycled pid that now belongs to another program does not count.
pub fn is_running_pppd(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(pid, 0) } == 0 || errno() == libc::EPERM;
    if !exists {
        return false;
    }
    match read_file(&cat!("/proc/", pid, "/comm")) {
        Ok(comm) => comm.strip_suffix(b"\n").unwrap_or(&comm) == b"pppd",
        // No /proc: trust kill().
        Err(_) => true,
    }
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

/// The global allocator: the C library's `malloc`, like the C plugin.
#[cfg_attr(test, allow(dead_code))]
pub struct Malloc;

/// malloc's guaranteed alignment (glibc, musl and uClibc: 2 * sizeof(size_t)).
#[cfg_attr(test, allow(dead_code))]
const MIN_ALIGN: usize = 2 * mem::size_of::<usize>();

// SAFETY: malloc/calloc/realloc/posix_memalign return memory that is valid
// for the requested size and alignment (checked below) or NULL, and free
// releases it; this is the GlobalAlloc contract.
unsafe impl core::alloc::GlobalAlloc for Malloc {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        if layout.align() <= MIN_ALIGN && layout.align() <= layout.size() {
            // SAFETY: size is non-zero per the GlobalAlloc contract.
            unsafe { libc::malloc(layout.size()).cast() }
        } else {
            let mut p = core::ptr::null_mut();
            let align = layout.align().max(mem::size_of::<usize>());
            // SAFETY: align is a power of two and a multiple of sizeof(void*).
            let rc = unsafe { libc::posix_memalign(&mut p, align, layout.size()) };
            if rc == 0 {
                p.cast()
            } else {
                core::ptr::null_mut()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: core::alloc::Layout) -> *mut u8 {
        if layout.align() <= MIN_ALIGN && layout.align() <= layout.size() {
            // SAFETY: as in alloc.
            unsafe { libc::calloc(layout.size(), 1).cast() }
        } else {
            // SAFETY: as in alloc; then zero the new block.
            unsafe {
                let p = self.alloc(layout);
                if !p.is_null() {
                    core::ptr::write_bytes(p, 0, layout.size());
                }
                p
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: core::alloc::Layout) {
        // SAFETY: ptr came from malloc/calloc/posix_memalign/realloc above.
        unsafe { libc::free(ptr.cast()) }
    }

    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: core::alloc::Layout,
        new_size: usize,
    ) -> *mut u8 {
        if layout.align() <= MIN_ALIGN && layout.align() <= new_size {
            // SAFETY: ptr came from this allocator with a small alignment.
            unsafe { libc::realloc(ptr.cast(), new_size).cast() }
        } else {
            // SAFETY: the GlobalAlloc default: allocate, copy, free.
            unsafe {
                let new = self.alloc(core::alloc::Layout::from_size_align_unchecked(
                    new_size,
                    layout.align(),
                ));
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifname_rules() {
        assert!(ifname_bytes("eth0").is_some());
        assert!(ifname_bytes("br-wan.100").is_some());
        assert!(ifname_bytes("").is_none());
        assert!(ifname_bytes("abcdefghijklmnop").is_none()); // 16 bytes
        assert!(ifname_bytes("abcdefghijklmno").is_some()); // 15 bytes
        assert!(ifname_bytes("../x").is_none());
    }

    #[test]
    fn loopback_is_not_ethernet() {
        let lo = if_info("lo").expect("lo exists");
        assert_ne!(lo.hwtype, ARPHRD_ETHER);
        assert_eq!(if_info("nosuch-if0").unwrap_err().errno, libc::ENODEV);
    }

    #[test]
    fn errno_text() {
        assert_eq!(alloc::format!("{}", Errno(libc::ENODEV)), "No such device");
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = std::env::temp_dir().join(alloc::format!("rp-pppoe-os-{}", pid()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("status.json");
        let ps = p.to_str().unwrap();
        write_file_atomic(ps, b"one").unwrap();
        write_file_atomic(ps, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(!dir.join("status.json.tmp").exists());
        assert_eq!(
            write_file_atomic("/nonexistent-dir/x", b"")
                .unwrap_err()
                .errno,
            libc::ENOENT
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn files_and_dirs() {
        let dir = alloc::format!("{}/rp-pppoe-dir-{}", std::env::temp_dir().display(), pid());
        make_dir(&dir).unwrap();
        make_dir(&dir).unwrap();
        let f = alloc::format!("{dir}/a.1.session");
        write_file_atomic(&f, b"hello").unwrap();
        assert_eq!(read_file(&f).unwrap(), b"hello");
        assert_eq!(list_dir(&dir).unwrap(), ["a.1.session"]);
        assert_eq!(remove_file(&f), Ok(true));
        assert_eq!(remove_file(&f), Ok(false));
        assert!(list_dir(&dir).unwrap().is_empty());
        std::fs::remove_dir(&dir).unwrap();
    }

    #[test]
    fn pppd_owner_check() {
        // This test process is not a pppd; pid 0 and a dead pid are nobody.
        assert!(!is_running_pppd(pid()));
        assert!(!is_running_pppd(0));
        assert!(!is_running_pppd(i32::MAX));
    }

    #[test]
    fn loopback_addresses() {
        assert_eq!(if_addresses("lo").unwrap().0, [127, 0, 0, 1]);
        assert!(unix_millis() > 1_600_000_000_000);
    }

    #[test]
    fn clock_moves_forward() {
        let a = now();
        let b = now();
        assert!(b >= a);
    }
}
