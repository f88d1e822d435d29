"""The cache outside the clone: /var/cache/rp-pppoe (RP_PPPOE_CACHE overrides it).

Layout under vm/ (this harness's part; toolchains/ belongs to scripts/release):
    apt/<release>-<arch>[-src]/    private apt state (sources list, lists, archives): the host's apt
                                   configuration is never changed
    debs/<release>-<arch>-<key>/   a guest's downloaded packages
    root/<key>/                    those packages unpacked (dpkg -x)
    kernel/<key>/                  a kernel image and the modules a guest loads
    base/<key>/base.cpio           a guest's userland, the part that changes only with its inputs
    src/<key>/                     Debian source trees (ppp, uClibc-ng, linux)
    sysroot/<key>/                 a uClibc-ng sysroot
    pppd/<key>/                    client pppd builds (and the cpio piece that adds them to a guest)

Every entry is a directory named by a hash of its inputs (package file names with their versions,
config fragments, the recipe's revision), built in a temporary directory beside it and renamed
into place once complete, under a lock, so a change of inputs builds a new entry and two runs
never build the same one at once. Entries not used for 30 days are removed (prune()).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

ROOT = Path(os.environ.get("RP_PPPOE_CACHE", "/var/cache/rp-pppoe"))
VM = ROOT / "vm"
COMPLETE = ".complete"


def key(*parts) -> str:
    """A short hash of the inputs (anything JSON can encode)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def file_key(path: Path) -> str:
    """Hash of a file's contents."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


@contextmanager
def locked(path: Path):
    """An exclusive lock on path + '.lock' (blocks until the other holder is done)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(str(path) + ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def entry(kind: str, k: str) -> Path:
    return VM / kind / k


def have(path: Path) -> bool:
    return (path / COMPLETE).exists()


def build(path: Path, builder: Callable[[Path], None], note: str = "") -> Path:
    """Returns path, first building it with builder(tmpdir) unless it is complete already."""
    if have(path):
        _touch(path)
        return path
    with locked(path):
        if have(path):
            return path
        tmp = path.parent / (path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            builder(tmp)
        except BaseException:
            # Keep a failed build's log for the report, drop the rest.
            for f in tmp.iterdir():
                if f.name != "build.log":
                    shutil.rmtree(f, ignore_errors=True) if f.is_dir() else f.unlink()
            raise
        (tmp / COMPLETE).write_text(note + "\n")
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
    return path


def _touch(path: Path) -> None:
    try:
        os.utime(path / COMPLETE)
    except OSError:
        pass


def prune(days: int = 30) -> None:
    """Removes entries whose last use is older than days (their .complete stamp is touched on use)."""
    limit = time.time() - days * 86400
    if not VM.exists():
        return
    for kind in VM.iterdir():
        if not kind.is_dir() or kind.name == "apt":
            continue
        for e in kind.iterdir():
            st = e / COMPLETE
            try:
                if e.is_dir() and st.exists() and st.stat().st_mtime < limit:
                    with locked(e):
                        shutil.rmtree(e, ignore_errors=True)
            except OSError:
                pass
