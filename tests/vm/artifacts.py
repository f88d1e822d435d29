"""The things built for a guest besides its Debian userland: our plugin for the guest's
architecture and libc, the uClibc-ng sysroot, and client pppds built from Debian's ppp source
against musl or uClibc-ng. One function per artifact, so each can be swapped for scripts/release's
build (or its sysroot provider) in one place.

Plugins are cargo builds under target/ (build logs: target/e2e/build-<guest>.log); the sysroot and
the pppd builds are cached outside the clone (tests/vm/cache.py).
"""

from __future__ import annotations

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

UCLIBC_REV = 2
PPPD_REV = 2

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

_rustup_lock = threading.Lock()


def rustup_target(triple: str) -> None:
    with _rustup_lock:
        have = out(["rustup", "target", "list", "--installed"]).split()
        if triple not in have:
            run(["rustup", "target", "add", triple], capture=True)


def nightly_rust_src() -> None:
    with _rustup_lock:
        r = subprocess.run(["rustup", "run", "nightly", "rustc", "--version"], capture_output=True)
        if r.returncode != 0:
            run(["rustup", "toolchain", "install", "nightly", "--profile", "minimal"], capture=True)
        run(["rustup", "component", "add", "rust-src", "--toolchain", "nightly"], capture=True)


def build_deps() -> None:
    """libclang for bindgen and the rest of what building the plugin needs (scripts/deps)."""
    def go():
        run([TOP / "scripts/deps"], capture=True)
    _once("scripts/deps", go)


# Host packages per kind of plugin build (installed before any build starts, so no two
# installers race for the dpkg lock).
CROSS_GNU = {"armv7-unknown-linux-gnueabihf": ("arm-linux-gnueabihf", "armhf"),
             "mipsel-unknown-linux-gnu": ("mipsel-linux-gnu", "mipsel"),
             "s390x-unknown-linux-gnu": ("s390x-linux-gnu", "s390x"),
             "aarch64-unknown-linux-gnu": ("aarch64-linux-gnu", "arm64")}


def host_packages(g: Guest) -> list[str]:
    kind, _, triple = g.plugin.partition(":")
    pk: list[str] = []
    if kind == "cross":
        gnu, deb = CROSS_GNU[triple]
        pk += [f"gcc-{gnu}", f"libc6-dev-{deb}-cross", "qemu-user"]
    elif kind == "musl":
        pk += ["musl", "musl-dev", "musl-tools"]
    elif kind == "uclibc":
        pk += ["gcc-mipsel-linux-gnu", "libc6-dev-mipsel-cross", "make", "qemu-user"]
    if g.client_pppd == "musl":
        pk += ["musl", "musl-dev", "musl-tools", "make", "patch", "dpkg-dev", "linux-libc-dev"]
    elif g.client_pppd == "uclibc":
        pk += ["gcc-mipsel-linux-gnu", "libc6-dev-mipsel-cross", "make", "patch", "dpkg-dev"]
    return pk


def toolchains(g: Guest) -> None:
    """rustup targets and nightly's rust-src, one at a time (rustup is not safe to run twice at once)."""
    kind, _, triple = g.plugin.partition(":")
    if kind == "cross" and triple in ("armv7-unknown-linux-gnueabihf", "s390x-unknown-linux-gnu"):
        rustup_target(triple)
    elif kind == "cross" or kind == "uclibc":
        nightly_rust_src()
    elif kind == "musl":
        rustup_target(triple)


# --- our plugin ----------------------------------------------------------------------------------

def build_log(outdir: Path, label: str) -> Path:
    return outdir / f"build-{label}.log"


def x86_64_gnu(version: str, logf: Path) -> Path:
    """Our plugin for the x86_64 guests: the interface the rest of the project keeps stable."""
    build_deps()
    log(f"e2e: building our plugin for pppd {version} (cargo build --release -p rp-pppoe --lib --target-dir target/pppd-{version})")
    run(["cargo", "build", "--release", "-p", "rp-pppoe", "--lib", "--target-dir", f"target/pppd-{version}"],
        cwd=TOP, env={"PPPD_VERSION": version}, log_to=logf, nice=True)
    so = TOP / f"target/pppd-{version}/release/librp_pppoe.so"
    if not so.exists():
        die(f"cargo build succeeded but {so} is missing")
    return so


_cross_lock = threading.Lock()


def cross_gnu(triple: str, version: str, logf: Path) -> Path:
    """A glibc cross build, checked (ELF, exports, imports, dlopen under qemu-user) by
    scripts/cross-build."""
    build_deps()
    log(f"e2e: cross-building our plugin (scripts/cross-build --pppd {version} {triple})")
    with _cross_lock:  # one cargo target dir (target/cross/build)
        run(["nice", "-n", "10", TOP / "scripts/cross-build", "--pppd", version, triple], cwd=TOP, log_to=logf)
    so = TOP / f"target/cross/{triple}/pppd-{version}/rp-pppoe.so"
    if not so.exists():
        die(f"scripts/cross-build succeeded but {so} is missing")
    return so


def musl(triple: str, version: str, logf: Path) -> Path:
    """x86_64 musl (OpenWrt's libc): router-targets-notes Q1. To be replaced by scripts/release's
    build once it exists."""
    if triple != "x86_64-unknown-linux-musl":
        die(f"no musl build recipe for {triple} here (scripts/release)")
    build_deps()
    rustup_target(triple)
    tdir = f"target/vm/musl-pppd-{version}"
    log(f"e2e: building our plugin for {triple}, pppd {version} (--target-dir {tdir})")
    up = triple.upper().replace("-", "_")
    run(["cargo", "build", "--release", "-p", "rp-pppoe", "--lib", "--locked", "--target", triple, "--target-dir", tdir],
        cwd=TOP, log_to=logf, nice=True,
        env={"PPPD_VERSION": version, "RUSTFLAGS": "-C target-feature=-crt-static",
             f"CARGO_TARGET_{up}_LINKER": "musl-gcc", f"CC_{triple.replace('-', '_')}": "musl-gcc"})
    so = TOP / tdir / triple / "release/librp_pppoe.so"
    if not so.exists():
        die(f"cargo build succeeded but {so} is missing")
    return so


def uclibc(triple: str, version: str, logf: Path) -> Path:
    """mipsel uClibc-ng (tier 3: nightly, build-std): router-targets-notes Q4. To be replaced by
    scripts/release's build once it exists."""
    if triple != "mipsel-unknown-linux-uclibc":
        die(f"no uClibc build recipe for {triple} here (scripts/release)")
    build_deps()
    nightly_rust_src()
    s = uclibc_sysroot()
    kh = kernel_headers("mipsel")
    gccinc = out(["mipsel-linux-gnu-gcc", "-print-file-name=include"]).strip()
    tdir = f"target/vm/uclibc-pppd-{version}"
    log(f"e2e: building our plugin for {triple}, pppd {version} (nightly -Z build-std, --target-dir {tdir})")
    t = triple.replace("-", "_")
    run(["cargo", "+nightly", "build", "--release", "-p", "rp-pppoe", "--lib", "--locked", "--target", triple,
         "--target-dir", tdir, "-Z", "build-std=core,alloc"],
        cwd=TOP, log_to=logf, nice=True,
        env={"PPPD_VERSION": version,
             "RUSTFLAGS": f"-C link-arg=-nostartfiles -C link-arg=--sysroot={s} -C link-arg=-L{s}/lib -C link-arg=-L{s}/usr/lib",
             f"CARGO_TARGET_{triple.upper().replace('-', '_')}_LINKER": "mipsel-linux-gnu-gcc",
             f"CC_{t}": "mipsel-linux-gnu-gcc", f"AR_{t}": "mipsel-linux-gnu-ar",
             f"CFLAGS_{t}": f"-msoft-float -nostdinc -isystem {s}/usr/include -isystem {kh} -isystem {gccinc}"})
    so = TOP / tdir / triple / "release/librp_pppoe.so"
    if not so.exists():
        die(f"cargo build succeeded but {so} is missing")
    return so


def plugin(g: Guest, outdir: Path) -> Path:
    """Our plugin for guest g (or the prebuilt .so its E2E_PLUGIN_SO_* variable names)."""
    logf = build_log(outdir, g.name)
    pre = os.environ.get(g.plugin_env)
    if pre:
        logf.write_text(f"using {pre} from {g.plugin_env}\n")
        if not Path(pre).is_file():
            die(f"{g.plugin_env}={pre}: no such file")
        return Path(pre)
    kind, _, triple = g.plugin.partition(":")
    logf.parent.mkdir(parents=True, exist_ok=True)
    logf.write_text("")
    if kind == "x86_64-gnu":
        return _once(f"x86_64-gnu {g.pppd}", lambda: x86_64_gnu(g.pppd, logf))
    if kind == "cross":
        return _once(f"cross {triple} {g.pppd}", lambda: cross_gnu(triple, g.pppd, logf))
    if kind == "musl":
        return _once(f"musl {triple} {g.pppd}", lambda: musl(triple, g.pppd, logf))
    if kind == "uclibc":
        return _once(f"uclibc {triple} {g.pppd}", lambda: uclibc(triple, g.pppd, logf))
    die(f"unknown plugin kind {g.plugin}")
    return Path()


# --- kernel headers, uClibc-ng sysroot -----------------------------------------------------------

KH_DIRS = ("linux", "asm", "asm-generic", "mtd", "rdma", "sound", "video", "xen", "misc", "drm")


def kernel_headers(arch: str) -> Path:
    """A directory with just the Linux uapi headers of Debian's cross (or native) linux-libc-dev,
    as symlinks: for compilers pointed at another libc's headers."""
    if arch == "amd64":
        base, asm = Path("/usr/include"), Path("/usr/include/x86_64-linux-gnu/asm")
    else:
        gnu = {"mipsel": "mipsel-linux-gnu"}[arch]
        base = Path(f"/usr/{gnu}/include")
        asm = base / "asm"
    d = cache.VM / "kernel-headers" / arch
    d.mkdir(parents=True, exist_ok=True)
    for n in KH_DIRS:
        src = asm if n == "asm" else base / n
        link = d / n
        if src.is_dir() and not link.is_symlink():
            os.symlink(src, link)
    if not (d / "linux").exists():
        die(f"no Linux headers for {arch} in {base} (linux-libc-dev)")
    return d


def uclibc_sysroot() -> Path:
    """uClibc-ng for mipsel (little endian, o32) from Debian's uclibc-source, built with Debian's
    mipsel-linux-gnu-gcc and installed with RUNTIME_PREFIX=/ (as on a router: /lib/libc.so.0,
    /lib/ld-uClibc.so.0). About 7 minutes on 2 busy cores; cached."""
    def go():
        need_packages(["gcc-mipsel-linux-gnu", "libc6-dev-mipsel-cross", "make", "xz-utils"])
        debs = debian.fetch("bookworm", "mipsel", ["uclibc-source"])
        src = [d for d in debian.debs_in(debs) if d.name.startswith("uclibc-source_")][0]
        gcc = out(["mipsel-linux-gnu-gcc", "--version"]).splitlines()[0]
        kh = kernel_headers("mipsel")
        path = cache.entry("sysroot", cache.key(UCLIBC_REV, src.name, gcc, "mipsel"))

        def builder(tmp: Path) -> None:
            logf = tmp / "build.log"
            log(f"e2e: building uClibc-ng for mipsel from {src.name} (about 7 min cold; log {path}/build.log)")
            with tempfile.TemporaryDirectory(dir=tmp.parent, prefix="uclibc.") as x:
                x = Path(x)
                debian.unpack(src, x / "deb")
                tars = sorted((x / "deb").rglob("uClibc-ng-*.tar.*"))
                if not tars:
                    die(f"no uClibc-ng tarball in {src.name}")
                run(["tar", "-xf", tars[0], "-C", x], log_to=logf)
                tree = [p for p in x.iterdir() if p.is_dir() and p.name.startswith("uClibc-ng")][0]
                mk = ["make", "-C", tree, "ARCH=mips"]
                run(mk + ["defconfig"], log_to=logf, nice=True)
                cfg = tree / ".config"
                text = cfg.read_text()
                sets = {
                    "ARCH_LITTLE_ENDIAN": "y", "ARCH_WANTS_LITTLE_ENDIAN": "y",
                    "ARCH_BIG_ENDIAN": None, "ARCH_WANTS_BIG_ENDIAN": None,
                    "KERNEL_HEADERS": f'"{kh}"', "CROSS_COMPILER_PREFIX": '"mipsel-linux-gnu-"',
                    "UCLIBC_HAS_THREADS_NATIVE": "y",
                    # bcmp, which the plugin imports.
                    "UCLIBC_SUSV3_LEGACY": "y",
                    # utmp.h: pppd logs to wtmp (OpenWrt patches that out of its pppd instead).
                    "UCLIBC_HAS_UTMPX": "y", "UCLIBC_HAS_UTMP": "y",
                    "RUNTIME_PREFIX": '"/"', "DEVEL_PREFIX": '"/usr/"',
                }
                for k, v in sets.items():
                    text = re.sub(rf"^(# )?{k}[= ].*\n", "", text, flags=re.M)
                    text += f"{k}={v}\n" if v is not None else f"# {k} is not set\n"
                cfg.write_text(text)
                run(mk + ["oldconfig"], log_to=logf, input=b"\n" * 100000)
                final = cfg.read_text()
                for k, v in sets.items():
                    if v is not None and f"{k}={v}\n" not in final:
                        die(f"uClibc-ng config: {k}={v} did not stick (log {logf})")
                run(mk + [f"-j{os.cpu_count() or 2}"], log_to=logf, nice=True)
                run(mk + ["install", f"PREFIX={tmp / 'root'}"], log_to=logf)
            for n in ("lib/libc.so.0", "lib/ld-uClibc.so.0", "usr/lib/libc.so", "usr/include/stdio.h", "usr/lib/crt1.o"):
                if not (tmp / "root" / n).exists():
                    die(f"uClibc-ng install lacks {n} (log {logf})")

        return cache.build(path, builder, src.name) / "root"

    return _once("uclibc-sysroot", go)


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


def _pppd_build(libc: str, cc: list[str], copts: str, shim: bool, logf: Path, dest: Path) -> None:
    """Builds pppd from a copy of Debian's ppp source with cc: Debian's minimal option set, no IPX,
    its replace-vendored-hash-functions patch reversed (it pulls in OpenSSL). Also its rp-pppoe
    plugin (the C plugin for this libc), if that builds."""
    src = ppp_source()
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix="ppp.") as x:
        tree = Path(x) / "ppp"
        shutil.copytree(src, tree, symlinks=True)
        patch = tree / "debian/patches/replace-vendored-hash-functions.patch"
        if patch.exists():
            run(["patch", "-R", "-p1", "-i", patch], cwd=tree, log_to=logf)
        mf = tree / "pppd/Makefile.linux"
        mf.write_text(re.sub(r" -DIPX_CHANGE\b", "", mf.read_text()))
        inc = Path(x) / "compat"
        inc.mkdir()
        if shim:
            (inc / "crypt.h").write_text("#include <unistd.h>\n")
        ccs = " ".join(cc)
        run(["./configure", "--prefix=/usr", f"--cc={cc[0]}"], cwd=tree, log_to=logf)
        opts = [f"CC={ccs}", f"COPTS=-O2 -isystem {inc} {copts}"] + UDEB_MAKEOPTS
        run(["make", "-C", "pppd", *opts], cwd=tree, log_to=logf, nice=True)
        shutil.copy(tree / "pppd/pppd", dest / "pppd")
        r = run(["make", "-C", "pppd/plugins/pppoe", *opts, "pppoe.so"], cwd=tree, log_to=logf, nice=True, check=False)
        if r.returncode == 0 and (tree / "pppd/plugins/pppoe/pppoe.so").exists():
            shutil.copy(tree / "pppd/plugins/pppoe/pppoe.so", dest / "c-plugin.so")


def client_pppd(g: Guest) -> dict:
    """The client pppd of a musl or uClibc guest: {"piece": cpio adding it to the guest,
    "pppd": its path in the guest, "libc": what its libc is called in /proc/PID/maps,
    "c_plugin": the C plugin built from the same source, or None}."""
    if g.client_pppd == "musl":
        return _once(f"pppd-musl {g.arch}", lambda: _client_musl(g))
    if g.client_pppd == "uclibc":
        return _once(f"pppd-uclibc {g.arch}", lambda: _client_uclibc(g))
    die(f"unknown client pppd {g.client_pppd}")
    return {}


def _client_musl(g: Guest) -> dict:
    src = ppp_source()
    musl_ver = out(["dpkg-query", "-W", "-f=${Version}", "musl"]).strip()
    path = cache.entry("pppd", cache.key(PPPD_REV, "musl", g.arch, src.parent.name, musl_ver))
    musl_libc = Path("/usr/lib/x86_64-linux-musl/libc.so")

    def builder(tmp: Path) -> None:
        logf = tmp / "build.log"
        log(f"e2e: building pppd {g.pppd} against musl {musl_ver} from Debian's ppp source (log {path}/build.log)")
        _pppd_build("musl", ["musl-gcc"], f"-isystem {kernel_headers('amd64')}", True, logf, tmp)
        piece = tmp / "piece"
        (piece / "usr/sbin").mkdir(parents=True)
        (piece / "usr/lib").mkdir(parents=True)
        shutil.copy(tmp / "pppd", piece / "usr/sbin/pppd-musl")
        shutil.copy(musl_libc, piece / "usr/lib/ld-musl-x86_64.so.1")
        cpio.write(piece, tmp / "client.cpio")
        shutil.rmtree(piece)

    path = cache.build(path, builder, f"musl {musl_ver}")
    return {"piece": path / "client.cpio", "pppd": "/usr/sbin/pppd-musl", "libc": "ld-musl-x86_64.so.1",
            "c_plugin": path / "c-plugin.so" if (path / "c-plugin.so").exists() else None}


def _client_uclibc(g: Guest) -> dict:
    s = uclibc_sysroot()
    kh = kernel_headers("mipsel")
    gcc = out(["mipsel-linux-gnu-gcc", "--version"]).splitlines()[0]
    gccinc = out(["mipsel-linux-gnu-gcc", "-print-file-name=include"]).strip()
    src = ppp_source()
    path = cache.entry("pppd", cache.key(PPPD_REV, "uclibc", g.arch, src.parent.name, s.parent.name, gcc))

    def builder(tmp: Path) -> None:
        logf = tmp / "build.log"
        log(f"e2e: building pppd {g.pppd} against uClibc-ng for mipsel from Debian's ppp source (log {path}/build.log)")
        cc = ["mipsel-linux-gnu-gcc", f"--sysroot={s}", "-nostdinc", "-isystem", f"{s}/usr/include", "-isystem", str(kh),
              "-isystem", gccinc, f"-B{s}/usr/lib", f"-L{s}/usr/lib", f"-L{s}/lib",
              "-Wl,-dynamic-linker,/lib/ld-uClibc.so.0", "-static-libgcc"]
        _pppd_build("uclibc", cc, "", False, logf, tmp)
        piece = tmp / "piece"
        (piece / "usr/sbin").mkdir(parents=True)
        (piece / "usr/lib").mkdir(parents=True)
        shutil.copy(tmp / "pppd", piece / "usr/sbin/pppd-uclibc")
        for n in sorted((s / "lib").iterdir()):
            if n.name.endswith(".a"):
                continue
            dst = piece / "usr/lib" / n.name
            if n.is_symlink():
                os.symlink(os.readlink(n), dst)
            elif n.is_file():
                shutil.copy(n, dst)
        cpio.write(piece, tmp / "client.cpio")
        shutil.rmtree(piece)

    path = cache.build(path, builder, "uclibc")
    return {"piece": path / "client.cpio", "pppd": "/usr/sbin/pppd-uclibc", "libc": "libuClibc-|ld-uClibc",
            "c_plugin": path / "c-plugin.so" if (path / "c-plugin.so").exists() else None}
