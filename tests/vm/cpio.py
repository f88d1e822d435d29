"""A newc cpio writer (the initramfs format): every entry owned by root, mtime 0, in byte order
of the path, so an archive depends only on the tree's contents."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def _hdr(ino: int, mode: int, size: int, name: bytes, nlink: int = 1) -> bytes:
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
    h = b"070701" + b"".join(b"%08X" % f for f in fields) + name + b"\0"
    return h + b"\0" * (-len(h) % 4)


def write(tree: Path, dest: Path) -> None:
    """Writes the tree under `tree` (paths relative to it, "./" not included) to dest."""
    entries = []
    for dirpath, dirnames, filenames in os.walk(tree):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            entries.append(os.fsencode(p.relative_to(tree)))
    entries.sort()
    tmp = dest.with_name(dest.name + ".tmp")
    with open(tmp, "wb") as fh:
        ino = 1
        for rel in entries:
            p = tree / os.fsdecode(rel)
            st = os.lstat(p)
            ino += 1
            if stat.S_ISLNK(st.st_mode):
                target = os.fsencode(os.readlink(p))
                fh.write(_hdr(ino, stat.S_IFLNK | 0o777, len(target), rel))
                fh.write(target + b"\0" * (-len(target) % 4))
            elif stat.S_ISDIR(st.st_mode):
                fh.write(_hdr(ino, stat.S_IFDIR | (st.st_mode & 0o7777), 0, rel, 2))
            elif stat.S_ISREG(st.st_mode):
                fh.write(_hdr(ino, stat.S_IFREG | (st.st_mode & 0o7777), st.st_size, rel))
                with open(p, "rb") as src:
                    while True:
                        b = src.read(1 << 20)
                        if not b:
                            break
                        fh.write(b)
                fh.write(b"\0" * (-st.st_size % 4))
        fh.write(_hdr(0, 0, 0, b"TRAILER!!!"))
    tmp.rename(dest)
