//! The discovery socket's kernel filter (classic BPF), built here and run by
//! the kernel on every discovery frame the interface receives.
//!
//! Every program passes only frames addressed to our MAC: with many pppds on
//! one interface (multi-dial) no pppd is woken for a PADI or PADR, or a
//! broadcast PADT (which a client ignores during discovery anyway). With a
//! Host-Uniq, it also drops the PADOs and PADSs that carry another client's
//! Host-Uniq: pppds on one port share the MAC, so without this each of N
//! pppds would receive, and wake for, the offers and confirmations of all N.
//!
//! The filter drops only what the engine would ignore without a word above
//! debug level (the C plugin says nothing about them at all): a
//! well-formed frame whose first Host-Uniq tag is not ours. Anything else
//! (a malformed tag list, a frame shorter than its length field, more tags
//! than the program walks, no Host-Uniq at all) reaches the engine, which
//! decides and logs as before.

use alloc::vec::Vec;

use crate::wire::{Code, MacAddr, TagType};

/// What a passing frame is cut to: more than any Ethernet frame.
const ACCEPT: u32 = 0x0004_0000;
/// Tags walked before the filter gives up and passes the frame (an AC's
/// PADO has a handful; each tag walked is 15 instructions for the kernel to
/// compile at every attach).
const MAX_TAGS: usize = 8;
/// The longest Host-Uniq the filter compares (longer ones: MAC filter only).
pub const MAX_FILTERED_HOST_UNIQ: usize = 64;

/// Offsets in the frame (Ethernet header included).
const VER_TYPE: u32 = 14;
const CODE: u32 = 15;
const LENGTH: u32 = 18;
const TAGS: u32 = 20;

// Classic BPF opcodes (linux/filter.h, linux/bpf_common.h).
const LD: u16 = 0x00;
#[cfg(test)] // the tests' interpreter and checker know them
const LDX: u16 = 0x01;
const ST: u16 = 0x02;
const STX: u16 = 0x03;
const ALU: u16 = 0x04;
const JMP: u16 = 0x05;
const RET: u16 = 0x06;
const MISC: u16 = 0x07;
const W: u16 = 0x00;
const H: u16 = 0x08;
const B: u16 = 0x10;
const IMM: u16 = 0x00;
const ABS: u16 = 0x20;
const IND: u16 = 0x40;
const MEM: u16 = 0x60;
const LEN: u16 = 0x80;
const ADD: u16 = 0x00;
const SUB: u16 = 0x10;
#[cfg(test)]
const JA: u16 = 0x00;
const JEQ: u16 = 0x10;
const JGE: u16 = 0x30;
const K: u16 = 0x00;
const X: u16 = 0x08;
const TAX: u16 = 0x00;

/// One instruction: the kernel's `struct sock_filter`, field for field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

/// Scratch memory slots: where the payload ends (frame offset), and where
/// the first Host-Uniq tag starts (0: none seen yet).
const END: u32 = 1;
const HU_AT: u32 = 2;

const fn i(code: u16, jt: u8, jf: u8, k: u32) -> Insn {
    Insn { code, jt, jf, k }
}

/// Where a jump goes: the next instruction, `n` further on, or a label.
#[derive(Clone, Copy, PartialEq, Eq)]
enum To {
    Next,
    Skip(u8),
    /// Pass the frame (to the engine).
    Pass,
    /// Drop the frame.
    Drop,
    /// The end of a well-formed tag list: the first Host-Uniq decides.
    Decide,
}

/// The program being written: instructions with symbolic jump targets.
struct Asm(Vec<(Insn, To, To)>);

impl Asm {
    fn op(&mut self, code: u16, k: u32) {
        self.0.push((i(code, 0, 0, k), To::Next, To::Next));
    }

    fn jump(&mut self, code: u16, k: u32, jt: To, jf: To) {
        self.0.push((i(code, 0, 0, k), jt, jf));
    }

    fn label(&self) -> usize {
        self.0.len()
    }

    /// The start of a tag, cursor in X and the payload's end in A: the end
    /// of the payload or End-Of-List decides, less than a tag header
    /// passes; otherwise on to `tag` with the tag's type in A.
    fn tag_start(&mut self, tag: To) {
        self.op(ALU | SUB | X, 0); // what is left of the payload
        self.jump(JMP | JEQ | K, 0, To::Decide, To::Next);
        self.jump(JMP | JGE | K, 4, To::Next, To::Pass); // less than a tag header
        self.op(LD | H | IND, 0);
        self.jump(
            JMP | JEQ | K,
            u32::from(TagType::END_OF_LIST.0),
            To::Decide,
            tag,
        );
    }

    /// The instructions, every target an offset (all forward, within a
    /// jump's 255).
    fn resolve(self, labels: &[(To, usize)]) -> Vec<Insn> {
        let at = |pc: usize, to: To| -> u8 {
            let target = match to {
                To::Next => pc + 1,
                To::Skip(n) => pc + 1 + usize::from(n),
                l => labels
                    .iter()
                    .find(|&&(t, _)| t == l)
                    .map_or(0, |&(_, at)| at),
            };
            let off = target.wrapping_sub(pc + 1);
            debug_assert!(off <= 255, "jump at {pc} to {target}: out of reach");
            u8::try_from(off).unwrap_or(0)
        };
        self.0
            .iter()
            .enumerate()
            .map(|(pc, &(insn, jt, jf))| i(insn.code, at(pc, jt), at(pc, jf), insn.k))
            .collect()
    }
}

/// The filter for a client with MAC `mac` and, if it sends one, Host-Uniq
/// `host_uniq` (see the module documentation; a Host-Uniq longer than
/// [`MAX_FILTERED_HOST_UNIQ`] is left to the engine).
///
/// The walk keeps the tag cursor in X and the payload's end in A: per tag,
/// 15 instructions (the kernel checks, converts and compiles every program
/// attached, so its length is CPU time at each connect: the first version,
/// 643 instructions for a 4-byte Host-Uniq, cost about 0.2 ms of CPU per
/// attach on x86_64). The first Host-Uniq's position is remembered; only a
/// tag list that ends cleanly (at the payload's end or End-Of-List, within
/// [`MAX_TAGS`] tags) is decided by it.
pub fn discovery_filter(mac: MacAddr, host_uniq: Option<&[u8]>) -> Vec<Insn> {
    let m = mac.0;
    let mut a = Asm(Vec::new());
    a.op(LD | W | ABS, 2);
    a.jump(
        JMP | JEQ | K,
        u32::from_be_bytes([m[2], m[3], m[4], m[5]]),
        To::Next,
        To::Drop,
    );
    a.op(LD | H | ABS, 0);
    a.jump(
        JMP | JEQ | K,
        u32::from(u16::from_be_bytes([m[0], m[1]])),
        To::Next,
        To::Drop,
    );
    let Some(hu) = host_uniq.filter(|h| h.len() <= MAX_FILTERED_HOST_UNIQ) else {
        // Our MAC only.
        let pass = a.label();
        a.op(RET | K, ACCEPT);
        let drop = a.label();
        a.op(RET | K, 0);
        return a.resolve(&[(To::Pass, pass), (To::Drop, drop)]);
    };
    // A PADO or PADS, version 1 type 1, its whole payload in the frame.
    a.op(LD | B | ABS, CODE);
    a.jump(
        JMP | JEQ | K,
        u32::from(Code::PADO.0),
        To::Skip(1),
        To::Next,
    );
    a.jump(JMP | JEQ | K, u32::from(Code::PADS.0), To::Next, To::Pass);
    a.op(LD | B | ABS, VER_TYPE);
    a.jump(JMP | JEQ | K, 0x11, To::Next, To::Pass);
    a.op(LD | H | ABS, LENGTH);
    a.op(ALU | ADD | K, TAGS);
    a.op(ST, END);
    a.op(MISC | TAX, 0);
    a.op(LD | W | LEN, 0);
    a.jump(JMP | JGE | X, 0, To::Next, To::Pass);
    a.op(LD | IMM, 0);
    a.op(ST, HU_AT);
    a.op(LD | IMM, TAGS);
    a.op(MISC | TAX, 0);
    a.op(LD | MEM, END);
    for _ in 0..MAX_TAGS {
        a.tag_start(To::Next);
        a.jump(
            JMP | JEQ | K,
            u32::from(TagType::HOST_UNIQ.0),
            To::Next,
            To::Skip(3),
        );
        a.op(LD | MEM, HU_AT);
        a.jump(JMP | JEQ | K, 0, To::Next, To::Skip(1)); // only the first counts
        a.op(STX, HU_AT);
        a.op(LD | H | IND, 2);
        a.op(ALU | ADD | K, 4);
        a.op(ALU | ADD | X, 0);
        a.op(MISC | TAX, 0); // the next tag
        a.op(LD | MEM, END);
        a.jump(JMP | JGE | X, 0, To::Next, To::Pass); // this one runs past the end
    }
    // After the last tag walked: only the payload's end (or End-Of-List)
    // right there decides; anything else passes.
    a.tag_start(To::Pass);
    // The first Host-Uniq, if any: ours (length and bytes) or another's.
    let decide = a.label();
    a.op(LD | MEM, HU_AT);
    a.jump(JMP | JEQ | K, 0, To::Pass, To::Next); // none: the engine decides
    a.op(MISC | TAX, 0);
    a.op(LD | H | IND, 2);
    a.jump(JMP | JEQ | K, hu.len() as u32, To::Next, To::Drop);
    // Four bytes at a time, then two, then one.
    let mut at = 0;
    while at < hu.len() {
        let (size, n) = match hu.len() - at {
            1 => (B, 1),
            2 | 3 => (H, 2),
            _ => (W, 4),
        };
        let k = hu
            .iter()
            .skip(at)
            .take(n)
            .fold(0u32, |v, &c| v << 8 | u32::from(c));
        a.op(LD | size | IND, 4 + at as u32);
        a.jump(JMP | JEQ | K, k, To::Next, To::Drop);
        at += n;
    }
    // The exits last: the kernel's checker reads on straight through a
    // `ret`, and the drop below is also reached from before the scratch
    // slots are written.
    let pass = a.label();
    a.op(RET | K, ACCEPT);
    let drop = a.label();
    a.op(RET | K, 0);
    a.resolve(&[(To::Drop, drop), (To::Pass, pass), (To::Decide, decide)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Ignored;
    use crate::testing::{config, frame, pado, tag, Net, XorShift, AC, HU, OTHER, US};
    use alloc::vec;

    /// Runs `prog` over `pkt` as the kernel does (classic BPF; an access
    /// beyond the frame ends the program with 0, i.e. drop). Panics on what
    /// the kernel's checker would refuse: a scratch slot read before any
    /// write, a jump out of the program, a missing `ret`.
    fn run(prog: &[Insn], pkt: &[u8]) -> u32 {
        let (mut a, mut x, mut mem) = (0u32, 0u32, [None::<u32>; 16]);
        let load = |off: u32, size: usize| -> Option<u32> {
            let off = off as usize;
            let b = pkt.get(off..off.checked_add(size)?)?;
            Some(b.iter().fold(0u32, |v, &c| v << 8 | u32::from(c)))
        };
        let mut pc = 0;
        loop {
            let i = prog[pc];
            pc += 1;
            let size = match i.code & 0x18 {
                W => 4,
                H => 2,
                _ => 1,
            };
            match i.code & 0x07 {
                LD => {
                    a = match i.code & 0xe0 {
                        ABS => match load(i.k, size) {
                            Some(v) => v,
                            None => return 0,
                        },
                        IND => match load(x.wrapping_add(i.k), size) {
                            Some(v) => v,
                            None => return 0,
                        },
                        IMM => i.k,
                        MEM => mem[i.k as usize].expect("scratch read before write"),
                        LEN => pkt.len() as u32,
                        m => panic!("ld mode {m:#x}"),
                    }
                }
                LDX => {
                    assert_eq!(i.code & 0xe0, MEM);
                    x = mem[i.k as usize].expect("scratch read before write");
                }
                ST => mem[i.k as usize] = Some(a),
                STX => mem[i.k as usize] = Some(x),
                ALU => {
                    let v = if i.code & X != 0 { x } else { i.k };
                    a = match i.code & 0xf0 {
                        ADD => a.wrapping_add(v),
                        SUB => a.wrapping_sub(v),
                        op => panic!("alu {op:#x}"),
                    }
                }
                MISC => x = a,
                JMP => {
                    let v = if i.code & X != 0 { x } else { i.k };
                    let off = match i.code & 0xf0 {
                        JA => i.k as usize,
                        JEQ if a == v => i.jt.into(),
                        JGE if a >= v => i.jt.into(),
                        JEQ | JGE => i.jf.into(),
                        op => panic!("jmp {op:#x}"),
                    };
                    pc += off;
                    assert!(pc < prog.len(), "jump out of the program");
                }
                RET => return i.k,
                c => panic!("class {c:#x}"),
            }
        }
    }

    /// The kernel's checks of a classic program (net/core/filter.c,
    /// `bpf_check_classic` and `check_load_and_stores`): known opcodes,
    /// jumps inside the program, a `ret` at the end, and no scratch slot
    /// read where a path (the checker follows code straight on past a
    /// `ret`) may not have written it.
    fn kernel_check(prog: &[Insn]) {
        assert!(!prog.is_empty() && prog.len() <= 4096);
        assert_eq!(prog[prog.len() - 1].code & 0x07, RET);
        let mut masks = vec![0xffffu16; prog.len()];
        let mut valid = 0u16;
        for (pc, i) in prog.iter().enumerate() {
            valid &= masks[pc];
            match i.code {
                c if c == ST || c == STX => valid |= 1 << i.k,
                c if c == LD | MEM || c == LDX | W | MEM => {
                    assert!(
                        valid & (1 << i.k) != 0,
                        "M[{}] read at {pc} before a write",
                        i.k
                    )
                }
                c if c == JMP | JA => {
                    masks[pc + 1 + i.k as usize] &= valid;
                    valid = !0;
                }
                c if c & 0x07 == JMP => {
                    masks[pc + 1 + usize::from(i.jt)] &= valid;
                    masks[pc + 1 + usize::from(i.jf)] &= valid;
                    valid = !0;
                }
                c => assert!(
                    [
                        LD | W | ABS,
                        LD | H | ABS,
                        LD | B | ABS,
                        LD | W | IND,
                        LD | H | IND,
                        LD | B | IND,
                        LD | IMM,
                        LD | W | LEN,
                        ALU | ADD | K,
                        ALU | ADD | X,
                        ALU | SUB | X,
                        MISC | TAX,
                        RET | K
                    ]
                    .contains(&c),
                    "opcode {c:#x} at {pc}"
                ),
            }
        }
    }

    fn passes(prog: &[Insn], pkt: &[u8]) -> bool {
        run(prog, pkt) != 0
    }

    fn with_tags(code: Code, tags: &[(TagType, &[u8])]) -> Vec<u8> {
        let tags: Vec<_> = tags.iter().map(|&(ty, v)| tag(ty, v)).collect();
        frame(US, AC, code, 0, &tags)
    }

    #[test]
    fn without_a_host_uniq_only_our_mac_passes() {
        let prog = discovery_filter(US, None);
        kernel_check(&prog);
        // The program the kernel has always been given: six instructions.
        assert_eq!(prog.len(), 6);
        assert!(passes(&prog, &pado(AC, &[])));
        let mut other = pado(AC, &[]);
        other[..6].copy_from_slice(&OTHER.0);
        assert!(!passes(&prog, &other));
        other[..6].copy_from_slice(&[0xff; 6]);
        assert!(!passes(&prog, &other));
        // Our last four bytes, another first two.
        other[..6].copy_from_slice(&[0x02, 0x01, 0, 0, 0, 0x01]);
        assert!(!passes(&prog, &other));
        // Too long a Host-Uniq to compare: the same program.
        assert_eq!(
            discovery_filter(US, Some(&[7; MAX_FILTERED_HOST_UNIQ + 1])),
            prog
        );
    }

    #[test]
    fn other_clients_offers_stay_in_the_kernel() {
        for len in [1usize, 2, 3, 4, 5, 6, 7, 8, 9, 31, MAX_FILTERED_HOST_UNIQ] {
            let ours: Vec<u8> = (0..len).map(|i| 0xa0 ^ i as u8).collect();
            let prog = discovery_filter(US, Some(&ours));
            kernel_check(&prog);
            let name = (TagType::AC_NAME, &b"isp"[..]);
            let svc = (TagType::SERVICE_NAME, &b""[..]);
            for code in [Code::PADO, Code::PADS] {
                let hu = |v: &[u8]| with_tags(code, &[name, svc, (TagType::HOST_UNIQ, v)]);
                assert!(passes(&prog, &hu(&ours)), "{len} {code:?}");
                // Any one byte different, or another length: another client's.
                for i in 0..len {
                    let mut other = ours.clone();
                    other[i] ^= 0x40;
                    assert!(!passes(&prog, &hu(&other)), "{len} {code:?} byte {i}");
                }
                assert!(!passes(&prog, &hu(&ours[..len - 1])));
                // A difference that reads as zero still counts.
                assert!(!passes(&prog, &hu(&std::vec![0; len])));
                assert!(!passes(&prog, &hu(&[&ours[..], &[0]].concat())));
            }
        }
    }

    #[test]
    fn everything_else_reaches_the_engine() {
        let prog = discovery_filter(US, Some(HU));
        let other: &[u8] = &[9, 9, 9, 9];
        let hu = (TagType::HOST_UNIQ, other);
        let name = (TagType::AC_NAME, &b"isp"[..]);
        // Not a PADO or PADS.
        for code in [Code::PADI, Code::PADR, Code::PADT, Code(0x42)] {
            assert!(passes(&prog, &with_tags(code, &[hu])), "{code:?}");
        }
        // No Host-Uniq (the engine says why it ignores it, at debug level).
        assert!(passes(&prog, &with_tags(Code::PADO, &[name])));
        assert!(passes(&prog, &with_tags(Code::PADO, &[])));
        // Only the first Host-Uniq counts, as in the engine.
        assert!(passes(
            &prog,
            &with_tags(Code::PADO, &[(TagType::HOST_UNIQ, HU), hu])
        ));
        assert!(!passes(
            &prog,
            &with_tags(Code::PADO, &[hu, (TagType::HOST_UNIQ, HU)])
        ));
        // After End-Of-List nothing counts.
        let eol = (TagType::END_OF_LIST, &b""[..]);
        assert!(passes(&prog, &with_tags(Code::PADO, &[name, eol, hu])));
        // More tags before it than the filter walks.
        let many = [name; MAX_TAGS];
        assert!(passes(
            &prog,
            &with_tags(Code::PADO, &[&many[..], &[hu]].concat())
        ));
        assert!(!passes(
            &prog,
            &with_tags(Code::PADO, &[&many[..MAX_TAGS - 1], &[hu]].concat())
        ));
        assert!(!passes(
            &prog,
            &with_tags(Code::PADO, &[&[hu], &many[..MAX_TAGS - 1]].concat())
        ));
        // Malformed: a tag running past the payload, after the wrong Host-Uniq.
        let mut f = with_tags(Code::PADO, &[hu, name]);
        let n = f.len();
        f[n - 4] = 0x40; // the AC-Name's length
        assert!(passes(&prog, &f));
        // A payload length past the end of the frame.
        let mut f = with_tags(Code::PADO, &[hu]);
        f[19] += 1;
        assert!(passes(&prog, &f));
        // Three bytes of a tag header left.
        let mut f = with_tags(Code::PADO, &[hu]);
        f.extend_from_slice(&[0x01, 0x02, 0x00]);
        f[19] += 3;
        assert!(passes(&prog, &f));
        // A bad version/type.
        let mut f = with_tags(Code::PADO, &[hu]);
        f[14] = 0x12;
        assert!(passes(&prog, &f));
        // Ethernet padding after the payload does not matter.
        let mut f = with_tags(Code::PADO, &[name, hu]);
        f.extend_from_slice(&[0; 20]);
        assert!(!passes(&prog, &f));
    }

    /// Random frames: whatever the filter drops, the engine would have
    /// ignored as another client's, and a well-formed PADO with another
    /// client's Host-Uniq among its first tags is dropped.
    #[test]
    fn drops_only_what_the_engine_ignores_as_another_clients() {
        let prog = discovery_filter(US, Some(HU));
        let mut rng = XorShift(0x5eed_f11e);
        let types = [
            TagType::AC_NAME,
            TagType::SERVICE_NAME,
            TagType::HOST_UNIQ,
            TagType::AC_COOKIE,
            TagType::END_OF_LIST,
            TagType(0x0105),
        ];
        let (mut dropped, mut passed) = (0, 0);
        for _ in 0..20_000 {
            let mut values: Vec<(TagType, Vec<u8>)> = Vec::new();
            for _ in 0..rng.byte() % 20 {
                let ty = types[rng.byte() as usize % types.len()];
                let v = match (ty, rng.byte() % 3) {
                    (TagType::HOST_UNIQ, 0) => HU.to_vec(),
                    (TagType::HOST_UNIQ, 1) => [1, 2, 3, rng.byte() % 6].to_vec(),
                    _ => (0..rng.byte() % 6).map(|_| rng.byte()).collect(),
                };
                values.push((ty, v));
            }
            let tags: Vec<(TagType, &[u8])> = values.iter().map(|(t, v)| (*t, &v[..])).collect();
            let code = if rng.byte() % 2 == 0 {
                Code::PADO
            } else {
                Code::PADS
            };
            let mut f = with_tags(code, &tags);
            match rng.byte() % 8 {
                0 if f.len() > 21 => {
                    let i = 20 + rng.byte() as usize % (f.len() - 20);
                    f[i] = rng.byte();
                }
                1 => f.truncate(f.len() - (rng.byte() as usize % 4).min(f.len() - 20)),
                _ => {}
            }
            let mut net = Net::new(config());
            if code == Code::PADS {
                net.choose(AC, &[]);
            }
            net.recv(&f);
            let ignored = net.ignored();
            if passes(&prog, &f) {
                passed += 1;
                // What the frame really holds (the mutation may have changed it).
                let Ok(fr) = crate::wire::Frame::new_checked(&f[..]) else {
                    continue;
                };
                if !fr.tags().all(|t| t.is_ok()) || fr.tags().count() > MAX_TAGS {
                    continue;
                }
                let first_hu = fr.tags().flatten().find(|t| t.ty == TagType::HOST_UNIQ);
                if (fr.version(), fr.ptype()) == (1, 1) && first_hu.is_some_and(|h| h.value != HU) {
                    panic!("another client's {code:?} passed: {f:02x?}");
                }
            } else {
                dropped += 1;
                assert_eq!(ignored, Some(Ignored::HostUniqMismatch(code)), "{f:02x?}");
            }
        }
        assert!(
            dropped > 1000 && passed > 1000,
            "{dropped} dropped, {passed} passed"
        );
    }
}
