//! The PPPoE discovery socket (AF_PACKET) and its kernel filter.

use core::ffi::c_int;
use core::mem;
use core::time::Duration;

use crate::wire::ETH_P_PPPOE_DISC;

use super::filter::{discovery_filter, Insn};
use super::{errno, if_info, socket, Fd, IfInfo, OsError};

/// The PPPoE discovery socket: AF_PACKET, SOCK_RAW, bound to 0x8863 on one
/// interface; frames are sent and received with their Ethernet header.
#[derive(Debug)]
pub struct DiscoverySocket {
    fd: Fd,
    pub info: IfInfo,
    /// Whether the kernel filter ([`discovery_filter`]) is attached.
    pub filtered: bool,
}

/// Attaches (or replaces, atomically) the socket's kernel filter.
fn attach(fd: &Fd, program: &[Insn]) -> Result<(), OsError> {
    let fprog = libc::sock_fprog {
        len: program.len() as u16,
        // The kernel only reads the program (the field is not const in C).
        filter: program.as_ptr().cast::<libc::sock_filter>().cast_mut(),
    };
    // SAFETY: Insn is #[repr(C)] with sock_filter's fields in its order
    // (u16, u8, u8, u32); fprog points to `program`, which outlives the
    // call; the kernel copies (and checks) the program.
    let rc = unsafe {
        libc::setsockopt(
            fd.raw(),
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            (&fprog as *const libc::sock_fprog).cast(),
            mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(OsError::last("setsockopt(SO_ATTACH_FILTER)"));
    }
    Ok(())
}

impl DiscoverySocket {
    /// A client's socket: only frames for our MAC pass.
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
        // Protocol 0: the socket queues nothing until it is bound below, by
        // which time the filter is on (no frame from any interface gets in
        // unfiltered).
        let fd = socket(libc::AF_PACKET, libc::SOCK_RAW, 0, "socket(AF_PACKET)")?;
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
        // The filter goes on before bind.
        let filtered = filter && attach(&fd, &discovery_filter(info.mac)).is_ok();
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

    /// Sets `SO_PRIORITY` (0-7): what we send is queued at that priority,
    /// and a VLAN device's `egress-qos-map` makes it the frames' PCP.
    pub fn set_priority(&self, priority: u8) -> Result<(), OsError> {
        let p = c_int::from(priority);
        // SAFETY: SO_PRIORITY takes an int option value of the given size.
        let rc = unsafe {
            libc::setsockopt(
                self.fd.raw(),
                libc::SOL_SOCKET,
                libc::SO_PRIORITY,
                (&p as *const c_int).cast(),
                mem::size_of::<c_int>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(OsError::last("setsockopt(SO_PRIORITY)"));
        }
        Ok(())
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
