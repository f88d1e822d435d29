//! The discovery socket's kernel filter (classic BPF), built here and run by
//! the kernel on every discovery frame the interface receives.
//!
//! The program passes only frames addressed to our MAC: no pppd is woken
//! for a PADI or PADR (broadcast, or to an AC), another host's frames, or a
//! broadcast PADT (which a client ignores during discovery anyway).
//!
//! pppds on one port share the MAC, so each still receives the others'
//! PADOs and PADSs, which the engine tells apart by Host-Uniq. A longer
//! program that also compared the Host-Uniq (walking up to 8 tags, 154
//! instructions) was measured and removed: the kernel checks, converts and
//! compiles every program attached, and that cost more CPU per connect
//! (about 0.23 ms on the benchmark's instruction clock) than the wakeups it
//! saved, even with 64 pppds on one port (README, Design notes).

use crate::wire::MacAddr;

/// What a passing frame is cut to: more than any Ethernet frame.
const ACCEPT: u32 = 0x0004_0000;

// Classic BPF opcodes (linux/filter.h, linux/bpf_common.h).
const LD: u16 = 0x00;
const JMP: u16 = 0x05;
const RET: u16 = 0x06;
const W: u16 = 0x00;
const H: u16 = 0x08;
const ABS: u16 = 0x20;
const JEQ: u16 = 0x10;
const K: u16 = 0x00;

/// One instruction: the kernel's `struct sock_filter`, field for field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

const fn i(code: u16, jt: u8, jf: u8, k: u32) -> Insn {
    Insn { code, jt, jf, k }
}

/// The filter for a client with MAC `mac`: six instructions.
pub fn discovery_filter(mac: MacAddr) -> [Insn; 6] {
    let m = mac.0;
    [
        i(LD | W | ABS, 0, 0, 2), // A = destination bytes 2-5
        i(
            JMP | JEQ | K,
            0,
            3,
            u32::from_be_bytes([m[2], m[3], m[4], m[5]]),
        ),
        i(LD | H | ABS, 0, 0, 0), // A = destination bytes 0-1
        i(
            JMP | JEQ | K,
            0,
            1,
            u32::from(u16::from_be_bytes([m[0], m[1]])),
        ),
        i(RET | K, 0, 0, ACCEPT),
        i(RET | K, 0, 0, 0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{pado, AC, OTHER, US};

    /// Runs `prog` over `pkt` as the kernel does, for the opcodes the
    /// filter uses (a load beyond the frame ends the program with 0, i.e.
    /// drop); panics on a jump out of the program or another opcode.
    fn run(prog: &[Insn], pkt: &[u8]) -> u32 {
        let mut a = 0u32;
        let mut pc = 0;
        loop {
            let i = prog[pc];
            pc += 1;
            match i.code {
                c if c == LD | W | ABS || c == LD | H | ABS => {
                    let n = if c == LD | W | ABS { 4 } else { 2 };
                    let at = i.k as usize;
                    let Some(b) = pkt.get(at..at + n) else {
                        return 0;
                    };
                    a = b.iter().fold(0, |v, &c| v << 8 | u32::from(c));
                }
                c if c == JMP | JEQ | K => {
                    pc += usize::from(if a == i.k { i.jt } else { i.jf });
                    assert!(pc < prog.len(), "jump out of the program");
                }
                c if c == RET | K => return i.k,
                c => panic!("opcode {c:#x} at {}", pc - 1),
            }
        }
    }

    #[test]
    fn only_frames_to_our_mac_pass() {
        let prog = discovery_filter(US);
        assert_eq!(prog.len(), 6);
        assert_eq!(run(&prog, &pado(AC, &[])), ACCEPT);
        let mut other = pado(AC, &[]);
        for dst in [
            OTHER.0,
            [0xff; 6],
            // Our last four bytes with other first two, and the reverse.
            [US.0[0] ^ 1, US.0[1], US.0[2], US.0[3], US.0[4], US.0[5]],
            [US.0[0], US.0[1], US.0[2], US.0[3], US.0[4], US.0[5] ^ 0x80],
        ] {
            other[..6].copy_from_slice(&dst);
            assert_eq!(run(&prog, &other), 0, "{dst:02x?}");
        }
        // Too short to hold a destination address: dropped.
        assert_eq!(run(&prog, &pado(AC, &[])[..5]), 0);
    }

    #[test]
    fn the_program_is_byte_exact() {
        let prog = discovery_filter(MacAddr([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]));
        assert_eq!(
            prog,
            [
                i(0x20, 0, 0, 2),
                i(0x15, 0, 3, 0x2233_4455),
                i(0x28, 0, 0, 0),
                i(0x15, 0, 1, 0x0211),
                i(0x06, 0, 0, 0x0004_0000),
                i(0x06, 0, 0, 0),
            ]
        );
    }
}
