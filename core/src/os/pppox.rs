//! The kernel PPPoE session socket (AF_PPPOX) that pppd gets.

use core::ffi::c_int;
use core::mem;

use crate::wire::MacAddr;

use super::{socket, Fd, OsError, IFNAMSIZ};

/// `AF_PPPOX` / `PF_PPPOX` (linux/if_pppox.h).
const AF_PPPOX: c_int = 24;
/// `PX_PROTO_OE`.
const PX_PROTO_OE: c_int = 0;

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
