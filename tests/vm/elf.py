"""Just enough ELF reading for staging a guest: the program interpreter, the NEEDED libraries,
the machine, and whether a vmlinux has the PVH entry note qemu boots it by."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5
MACHINES = {3: "x86", 8: "mips", 22: "s390", 40: "arm", 62: "x86_64", 183: "aarch64"}


@dataclass
class Elf:
    machine: str
    bits: int
    endian: str
    interp: str | None = None
    needed: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # (name, type)


def read(path: Path, want_notes: bool = False) -> Elf | None:
    """The parts of an ELF file the harness needs, or None if it is not ELF."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if data[:4] != b"\x7fELF":
        return None
    bits = 64 if data[4] == 2 else 32
    e = "<" if data[5] == 1 else ">"
    if bits == 64:
        (e_type, e_machine, _v, _entry, e_phoff, _shoff, _flags, _ehsize, e_phentsize,
         e_phnum) = struct.unpack_from(e + "HHIQQQIHHH", data, 16)
    else:
        (e_type, e_machine, _v, _entry, e_phoff, _shoff, _flags, _ehsize, e_phentsize,
         e_phnum) = struct.unpack_from(e + "HHIIIIIHHH", data, 16)
    out = Elf(MACHINES.get(e_machine, str(e_machine)), bits, "little" if e == "<" else "big")
    phs = []
    for i in range(e_phnum):
        off = e_phoff + i * e_phentsize
        if bits == 64:
            p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz, _memsz, _align = struct.unpack_from(e + "IIQQQQQQ", data, off)
        else:
            p_type, p_offset, p_vaddr, _paddr, p_filesz, _memsz, _flags, _align = struct.unpack_from(e + "IIIIIIII", data, off)
        phs.append((p_type, p_offset, p_vaddr, p_filesz))
    loads = [p for p in phs if p[0] == PT_LOAD]

    def v2o(vaddr: int) -> int | None:
        for _t, o, v, sz in loads:
            if v <= vaddr < v + sz:
                return o + vaddr - v
        return None

    for p_type, off, _v, sz in phs:
        if p_type == PT_INTERP:
            out.interp = data[off:off + sz].split(b"\0")[0].decode()
        elif p_type == PT_DYNAMIC:
            ent = 16 if bits == 64 else 8
            fmt = e + ("qQ" if bits == 64 else "iI")
            needed, strtab = [], None
            for j in range(0, sz - ent + 1, ent):
                tag, val = struct.unpack_from(fmt, data, off + j)
                if tag == DT_NULL:
                    break
                if tag == DT_NEEDED:
                    needed.append(val)
                elif tag == DT_STRTAB:
                    strtab = val
            so = v2o(strtab) if strtab is not None else None
            if so is not None:
                for n in needed:
                    s = data[so + n:data.index(b"\0", so + n)]
                    out.needed.append(s.decode())
        elif p_type == PT_NOTE and want_notes:
            j = off
            while j + 12 <= off + sz:
                namesz, descsz, ntype = struct.unpack_from(e + "III", data, j)
                name = data[j + 12:j + 12 + namesz].rstrip(b"\0").decode(errors="replace")
                out.notes.append((name, ntype))
                j += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return out


def has_pvh_note(path: Path) -> bool:
    """A vmlinux qemu-system-x86_64 can boot directly (Xen PVH entry point, note type 18)."""
    e = read(path, want_notes=True)
    return e is not None and ("Xen", 18) in e.notes
