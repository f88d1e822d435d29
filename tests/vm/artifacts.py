"""The things built for a guest besides its Debian userland: our plugin for the guest's
architecture and libc, and client pppds built from Debian's ppp source against musl or uClibc-ng.
One function per artifact.

The plugin builds are the project's own: `cargo build -p rp-pppoe --lib` for the x86_64 glibc
guests, and scripts/cross-build (scripts/release --layout cross: built and checked, ELF, exports,
imports against that libc, dlopen under qemu-user) for every other guest, musl and uClibc included.
The musl and uClibc C libraries are scripts/sysroot's (cached in /var/cache/rp-pppoe/toolchains),
whose bin/cc builds the client pppd. Build logs: target/e2e/build-<guest>.log; the pppd builds are
cached under /var/cache/rp-pppoe/vm/pppd (tests/vm/cache.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from . import cache, cpio, debian
from .core import TOP, Fatal, die, log, need_packages, out, run
from .guests import Guest

PPPD_REV = 3

_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()
_memo: dict[str, object] = {}


def _once(name: str, fn):
    """fn() once per process for name (several guests may share an artifact); a failure is
    remembered and raised again."""
    with _locks_lock:
        lk = _locks.setdefault(name, threading.Lock())
    with lk:
        if name not in _memo:
            try:
                _memo[name] = ("ok", fn())
            except Exception as e:  # noqa: BLE001 - re-raised to every caller
                _memo[name] = ("err", e)
        kind, val = _memo[name]
        if kind == "err":
            raise val
        return val


# --- host toolchains -----------------------------------------------------------------------------

def build_deps() -> None:
    """libclang for bindgen and the rest of what building the plugin needs (scripts/deps)."""
    _once("scripts/deps", lambda: run([TOP / "scripts/deps"], capture=True))


def host_packages(g: Guest) -> list[str]:
    """Host packages a guest's builds need beyond what scripts/cross-build and scripts/sysroot
    install themselves (installed before any build starts, so no two installers race for the
    dpkg lock; both of those also wait for it)."""
    pk = []
    if g.client_pppd != "debian":
        pk += ["make", "patch", "dpkg-dev", "qemu-user"]
    return pk


# --- our plugin ----------------------------------------------------------------------------------

def build_log(outdir: Path, label: str) -> Path:
    return outdir / f"build-{label}.log"


def x86_64_gnu(version: str, logf: Path) -> Path:
    """Our plugin for the x86_64 glibc guests: the interface the rest of the project keeps
    stable."""
    build_deps()
    log(f"e2e: building our plugin for pppd {version} (cargo build --release -p rp-pppoe --lib --target-dir target/pppd-{version})")
    run(["cargo", "build", "--release", "-p", "rp-pppoe", "--lib", "--target-dir", f"target/pppd-{version}"],
        cwd=TOP, env={"PPPD_VERSION": version}, log_to=logf, nice=True)
    so = TOP / f"target/pppd-{version}/release/librp_pppoe.so"
    if not so.exists():
        die(f"cargo build succeeded but {so} is missing")
    return so


def test_ac(logf: Path) -> Path:
    """tools' pppoe-test-ac for the x86_64 guests (jumbo-mtu's access concentrator): a test-only
    program, linked statically (glibc, crt-static: the guest userland has only the libraries its
    own programs need)."""
    def go():
        logf.parent.mkdir(parents=True, exist_ok=True)
        log("e2e: building pppoe-test-ac (cargo build --release -p rp-pppoe-tools --bin pppoe-test-ac, static)")
        run(["cargo", "build", "--release", "-p", "rp-pppoe-tools", "--bin", "pppoe-test-ac",
             "--target", "x86_64-unknown-linux-gnu", "--target-dir", "target/e2e-tools"], cwd=TOP,
            env={"RUSTFLAGS": "-C target-feature=+crt-static"}, log_to=logf, nice=True)
        exe = TOP / "target/e2e-tools/x86_64-unknown-linux-gnu/release/pppoe-test-ac"
        if not exe.exists():
            die(f"cargo build succeeded but {exe} is missing")
        return exe
    return _once("pppoe-test-ac", go)


def settime64(g: Guest, logf: Path) -> Path:
    """tests/e2e/settime64.c for a 32-bit guest: static, with the guest's cross compiler and a
    64-bit time_t (the router scenario's clock past 2038)."""
    def go():
        need_packages([g.cc_pkg])
        logf.parent.mkdir(parents=True, exist_ok=True)
        exe = TOP / "target" / "e2e-tools" / f"settime64-{g.arch}"
        exe.parent.mkdir(parents=True, exist_ok=True)
        run([g.cc, "-static", "-O2", "-Wall", "-Werror", "-D_TIME_BITS=64", "-D_FILE_OFFSET_BITS=64", "-o", exe,
             TOP / "tests/e2e/settime64.c"],
            log_to=logf)
        return exe
    return _once(f"settime64-{g.arch}", go)


_cross_lock = threading.Lock()


def cross(triple: str, version: str, logf: Path) -> Path:
    """Every other guest's build: scripts/cross-build (scripts/release --layout cross), which
    builds and checks it (glibc, musl and uClibc alike)."""
    build_deps()
    log(f"e2e: cross-building our plugin (scripts/cross-build --pppd {version} {triple})")
    with _cross_lock:  # one cargo target dir, one rustup
        run(["nice", "-n", "10", TOP / "scripts/cross-build", "--pppd", version, triple], cwd=TOP, log_to=logf)
    so = TOP / f"target/cross/{triple}/pppd-{version}/rp-pppoe.so"
    if not so.exists():
        die(f"scripts/cross-build succeeded but {so} is missing")
    return so


def plugin(g: Guest, outdir: Path) -> Path:
    """Our plugin for guest g (or the prebuilt .so its E2E_PLUGIN_SO_* variable names)."""
    logf = build_log(outdir, g.name)
    pre = os.environ.get(g.plugin_env)
    if pre:
        logf.parent.mkdir(parents=True, exist_ok=True)
        logf.write_text(f"using {pre} from {g.plugin_env}\n")
        if not Path(pre).is_file():
            die(f"{g.plugin_env}={pre}: no such file")
        return Path(pre)
    kind, _, triple = g.plugin.partition(":")
    logf.parent.mkdir(parents=True, exist_ok=True)
    logf.write_text("")
    if kind == "x86_64-gnu":
        return _once(f"x86_64-gnu {g.pppd}", lambda: x86_64_gnu(g.pppd, logf))
    if kind in ("cross", "musl", "uclibc"):
        return _once(f"cross {triple} {g.pppd}", lambda: cross(triple, g.pppd, logf))
    die(f"unknown plugin kind {g.plugin}")
    return Path()


# --- C libraries ---------------------------------------------------------------------------------

def sysroot(libc: str, arch: str) -> dict:
    """scripts/sysroot's C library for libc on arch: its sysroot.json (cc, dynamic_linker,
    soname, libc_so, path, ...)."""
    def go():
        r = run([TOP / "scripts/sysroot", "--json", libc, arch], capture=True)
        return json.loads(r.stdout.decode())
    return _once(f"sysroot {libc} {arch}", go)


# --- client pppd built from Debian's ppp source --------------------------------------------------

def ppp_source() -> Path:
    """Debian bookworm's ppp source tree (apt-get source, patches applied), cached."""
    def go():
        a = debian.apt("bookworm", "amd64", src=True)
        ver = a.source_version("ppp")
        path = cache.entry("src", cache.key("ppp", ver))

        def builder(tmp: Path) -> None:
            log(f"e2e: fetching Debian's ppp {ver} source (apt-get source)")
            tree = a.source("ppp", tmp / "dl")
            tree.rename(tmp / "ppp")
            shutil.rmtree(tmp / "dl")

        return cache.build(path, builder, f"ppp {ver}") / "ppp"

    return _once("ppp-source", go)


# Debian's udeb option set (debian/rules UDEB_MAKEOPTS): no PAM, libpcap, MS-CHAP/MPPE, EAP-TLS,
# multilink; and no systemd.
UDEB_MAKEOPTS = ["SYSTEMD=", "CHAPMS=", "USE_CRYPT=", "NO_CRYPT_HACK=1", "MPPE=", "FILTER=", "HAVE_MULTILINK=",
                 "USE_TDB=", "HAS_SHADOW=", "USE_PAM=", "CBCP=", "USE_SRP=", "MAXOCTETS=", "USE_EAPTLS="]


def _pppd_build(cc: str, shims: dict, no_wtmp: bool, logf: Path, dest: Path) -> None:
    """Builds pppd from a copy of Debian's ppp source with the C compiler cc: Debian's minimal
    (udeb) option set, no IPX, its replace-vendored-hash-functions patch reversed (it pulls in
    OpenSSL); shims: extra headers {name: text}; no_wtmp: no wtmp logging (as OpenWrt's pppd,
    patch 403-no_wtmp: a C library without utmp). Also its rp-pppoe plugin, pppoe.so (the C plugin
    for this libc), if that builds."""
    src = ppp_source()
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix="ppp.") as x:
        tree = Path(x) / "ppp"
        shutil.copytree(src, tree, symlinks=True)
        patch = tree / "debian/patches/replace-vendored-hash-functions.patch"
        if patch.exists():
            run(["patch", "-R", "-p1", "-i", patch], cwd=tree, log_to=logf)
        mf = tree / "pppd/Makefile.linux"
        mf.write_text(re.sub(r" -DIPX_CHANGE\b", "", mf.read_text()))
        if no_wtmp:
            sl = tree / "pppd/sys-linux.c"
            text = sl.read_text()
            new = re.sub(r"(void logwtmp \(const char \*line, const char \*name, const char \*host\)\n\{\n)(.*?)(\n\}\n)",
                         lambda m: m.group(1) + "#if 0 /* no wtmp (as OpenWrt's 403-no_wtmp) */\n" + m.group(2) + "\n#endif" + m.group(3),
                         text, count=1, flags=re.S)
            if new == text:
                die("pppd/sys-linux.c: logwtmp() not found (the no-wtmp change needs updating)")
            sl.write_text(new)
        inc = Path(x) / "compat"
        inc.mkdir()
        for name, text in shims.items():
            (inc / name).write_text(text)
        run(["./configure", "--prefix=/usr", f"--cc={cc}"], cwd=tree, log_to=logf)
        opts = [f"CC={cc}", f"COPTS=-O2 -isystem {inc}"] + UDEB_MAKEOPTS
        run(["make", "-C", "pppd", *opts], cwd=tree, log_to=logf, nice=True)
        shutil.copy(tree / "pppd/pppd", dest / "pppd")
        r = run(["make", "-C", "pppd/plugins/pppoe", *opts, "pppoe.so"], cwd=tree, log_to=logf, nice=True, check=False)
        if r.returncode == 0 and (tree / "pppd/plugins/pppoe/pppoe.so").exists():
            shutil.copy(tree / "pppd/plugins/pppoe/pppoe.so", dest / "c-plugin.so")


# Per libc: the guest name of the pppd, the scripts/sysroot arch, the header shims, no wtmp, and
# what its C library is called in /proc/PID/maps (a regular expression).
CLIENTS = {
    # musl 1.2.3 has no <crypt.h>.
    "musl": ("/usr/sbin/pppd-musl", {"crypt.h": "#include <unistd.h>\n"}, False, r"ld-musl-[a-z0-9_]+\.so\.1"),
    # scripts/sysroot's uClibc-ng is built without utmp, as OpenWrt's pppd needs none.
    "uclibc": ("/usr/sbin/pppd-uclibc", {"utmp.h": "/* no utmp in this C library (pppd built without wtmp) */\n"}, True,
               r"libuClibc-|ld-uClibc"),
}
SYSROOT_ARCH = {"amd64": "x86_64", "mipsel": "mipsel"}


def client_pppd(g: Guest) -> dict:
    """The client pppd of a musl or uClibc guest: {"piece": cpio adding it (and its C library) to
    the guest, "pppd": its path in the guest, "libc": what its libc is called in /proc/PID/maps,
    "c_plugin": the C plugin built from the same source, or None}."""
    if g.client_pppd not in CLIENTS:
        die(f"unknown client pppd {g.client_pppd}")
    return _once(f"pppd-{g.client_pppd} {g.arch}", lambda: _client(g))


def _client(g: Guest) -> dict:
    guest_path, shims, no_wtmp, libc_re = CLIENTS[g.client_pppd]
    s = sysroot(g.client_pppd, SYSROOT_ARCH[g.arch])
    src = ppp_source()
    path = cache.entry("pppd", cache.key(PPPD_REV, g.client_pppd, g.arch, src.parent.name, s["path"], s.get("recipe"),
                                         shims, no_wtmp))

    def builder(tmp: Path) -> None:
        logf = tmp / "build.log"
        log(f"e2e: building pppd {g.pppd} against {g.client_pppd} ({s['path']}) from Debian's ppp source (log {path}/build.log)")
        _pppd_build(s["cc"], shims, no_wtmp, logf, tmp)
        piece = tmp / "piece"
        (piece / "usr/sbin").mkdir(parents=True)
        (piece / "usr/lib").mkdir(parents=True)
        shutil.copy(tmp / "pppd", piece / guest_path.lstrip("/"))
        # The C library's runtime files, as they are in the sysroot's lib/ (the guest's /lib is
        # /usr/lib); symlinks that leave lib/ are copied as the files they name.
        lib = Path(s["path"]) / "lib"
        for n in sorted(lib.iterdir()):
            if n.name.endswith(".a") or n.is_dir():
                continue
            dst = piece / "usr/lib" / n.name
            t = os.readlink(n) if n.is_symlink() else None
            if t is not None and "/" not in t:
                os.symlink(t, dst)
            else:
                shutil.copy(n, dst)
        loader = piece / "usr/lib" / Path(s["dynamic_linker"]).name
        if not (loader.exists() or loader.is_symlink()):
            die(f"{s['path']}/lib has no {s['dynamic_linker']}")
        cpio.write(piece, tmp / "client.cpio")
        shutil.rmtree(piece)

    path = cache.build(path, builder, f"{g.client_pppd} {s['path']}")
    return {"piece": path / "client.cpio", "pppd": guest_path, "libc": libc_re,
            "c_plugin": path / "c-plugin.so" if (path / "c-plugin.so").exists() else None}
