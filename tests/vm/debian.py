"""Debian packages for the guests, through a private apt configuration per release and
architecture: the host's apt configuration and dpkg architectures are never changed."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import threading
from pathlib import Path

from . import cache
from .core import Fatal, die, log, need_packages, out, run

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


def mirror() -> str:
    """The Debian archive the host's apt already uses (its security archive excluded), so that no
    address is written down here. E2E_DEBIAN_MIRROR overrides it."""
    if os.environ.get("E2E_DEBIAN_MIRROR"):
        return os.environ["E2E_DEBIAN_MIRROR"].rstrip("/")
    uris: list[str] = []
    for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for line in Path(f).read_text(errors="replace").splitlines():
            m = re.match(r"^\s*URIs:\s*(.*)$", line)
            if m:
                uris += m.group(1).split()
    for f in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            text = Path(f).read_text(errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            line = re.sub(r"\[[^]]*\]", "", line)
            w = line.split()
            if len(w) >= 2 and w[0] == "deb":
                uris.append(w[1])
    for u in uris:
        if "security" in u.lower():
            continue
        if re.match(r"^(https?|file)://.*/debian/?$", u):
            return u.rstrip("/")
    die("no Debian archive found in the host's apt sources; set E2E_DEBIAN_MIRROR")
    return ""


class Apt:
    """apt-get with its own sources list, lists, archives and status for one release and
    architecture (deb-src lines too when src)."""

    _locks: dict[str, threading.Lock] = {}
    _glock = threading.Lock()

    def __init__(self, release: str, arch: str, src: bool = False):
        self.release, self.arch, self.src = release, arch, src
        self.dir = cache.VM / "apt" / f"{release}-{arch}{'-src' if src else ''}"
        self.conf = self.dir / "apt.conf"
        self.updated = False
        with Apt._glock:
            self.lock = Apt._locks.setdefault(str(self.dir), threading.Lock())

    def _write_conf(self) -> None:
        d = self.dir
        (d / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (d / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        (d / "status").touch()
        m = mirror()
        lines = [f"deb [signed-by={KEYRING}] {m} {self.release} main"]
        if self.src:
            lines.append(f"deb-src [signed-by={KEYRING}] {m} {self.release} main")
        (d / "sources.list").write_text("\n".join(lines) + "\n")
        self.conf.write_text(
            f'Dir::Etc::SourceList "{d}/sources.list";\n'
            'Dir::Etc::SourceParts "/dev/null";\n'
            f'Dir::State::Lists "{d}/lists";\n'
            f'Dir::Cache "{d}/cache";\n'
            f'Dir::State::status "{d}/status";\n'
            'Debug::NoLocking "1";\n'
            'APT::Sandbox::User "root";\n'
            'Acquire::Languages "none";\n'
            f'APT::Architecture "{self.arch}";\n'
            f'APT::Architectures {{ "{self.arch}"; }};\n')

    def env(self) -> dict:
        # APT_CONFIG is read on top of the host's configuration.
        return {"APT_CONFIG": str(self.conf), "DEBIAN_FRONTEND": "noninteractive"}

    def update(self) -> None:
        with self.lock:
            if self.updated:
                return
            need_packages(["debian-archive-keyring", "apt"])
            self._write_conf()
            run(["apt-get", "-qq", "update"], env=self.env(), capture=True)
            self.updated = True

    def cache_depends(self, pkg: str) -> str:
        self.update()
        return out(["apt-cache", "depends", pkg], env=self.env())

    def kernel_package(self, flavour: str) -> str:
        """The linux-image-<version>-<flavour> package the metapackage linux-image-<flavour> names."""
        deps = self.cache_depends(f"linux-image-{flavour}")
        m = re.search(rf"^\s*Depends: (linux-image-\S*-{re.escape(flavour)})\b", deps, re.M)
        if not m:
            die(f"cannot resolve linux-image-{flavour} in {self.release} {self.arch}")
        return m.group(1)

    def download(self, pkgs, dest: Path) -> None:
        self.update()
        dest.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["apt-get", "-qq", "download", *pkgs], cwd=dest, env={**os.environ, **self.env()},
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Fatal(f"apt-get download for {self.release} {self.arch} failed: {r.stderr.strip()[-600:]}")

    def source(self, pkg: str, dest: Path) -> Path:
        """apt-get source PKG into dest (unpacked, Debian's patches applied); returns the tree."""
        need_packages(["dpkg-dev"])
        self.update()
        dest.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["apt-get", "-qq", "source", pkg], cwd=dest, env={**os.environ, **self.env()},
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Fatal(f"apt-get source {pkg} failed: {r.stderr.strip()[-600:]}")
        trees = [p for p in dest.iterdir() if p.is_dir()]
        if len(trees) != 1:
            die(f"apt-get source {pkg}: expected one source tree in {dest}, found {trees}")
        return trees[0]

    def source_version(self, pkg: str) -> str:
        self.update()
        text = out(["apt-cache", "showsrc", pkg], env=self.env())
        m = re.search(r"^Version: (\S+)", text, re.M)
        if not m:
            die(f"no source package {pkg} in {self.release}")
        return m.group(1)


_apts: dict[tuple, Apt] = {}
_apts_lock = threading.Lock()


def apt(release: str, arch: str, src: bool = False) -> Apt:
    with _apts_lock:
        return _apts.setdefault((release, arch, src), Apt(release, arch, src))


def deb_field(deb: Path, field: str) -> str:
    return out(["dpkg-deb", "-f", str(deb), field]).strip()


def unpack(deb: Path, dest: Path) -> None:
    run(["dpkg-deb", "-x", str(deb), str(dest)])


def fetch(release: str, arch: str, pkgs: list[str], kernel_flavour: str | None = None) -> Path:
    """Downloads pkgs (and the kernel package linux-image-<flavour> resolves to, named in
    kernel.pkg) into a cache entry keyed by the package list; a second run finds it and does no
    network access. Every package must be of arch (or all)."""
    names = sorted(set(pkgs))
    k = cache.key("debs", release, arch, names, kernel_flavour)
    path = cache.entry("debs", f"{release}-{arch}-{k}")

    def builder(tmp: Path) -> None:
        a = apt(release, arch)
        log(f"e2e: downloading {release} {arch} guest packages ({len(names)}{' + kernel' if kernel_flavour else ''})")
        want = list(names)
        if kernel_flavour:
            kpkg = a.kernel_package(kernel_flavour)
            (tmp / "kernel.pkg").write_text(kpkg + "\n")
            want.append(kpkg)
        a.download(want, tmp)
        for d in tmp.glob("*.deb"):
            da = deb_field(d, "Architecture")
            if da not in (arch, "all"):
                die(f"{d.name} is not an {arch} package ({da})")

    return cache.build(path, builder, f"{release} {arch} {' '.join(names)}")


def debs_in(path: Path) -> list[Path]:
    return sorted(path.glob("*.deb"))


def kernel_deb(path: Path) -> Path | None:
    kp = path / "kernel.pkg"
    if not kp.exists():
        return None
    kpkg = kp.read_text().strip()
    found = sorted(path.glob(f"{kpkg}_*.deb"))
    return found[0] if found else None
