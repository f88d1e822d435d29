"""Router C libraries for cross builds: musl and uClibc-ng sysroots, built or
downloaded at test time from Debian and cached outside the clone.

The command-line entry point is scripts/sysroot (see its --help); other
Python code imports this module (sys.path: scripts/lib) and calls
sysroot(libc, arch) -> Path.

Where things come from (nothing here is committed; all of it is fetched from
Debian's archive with a private apt configuration, so the host's apt sources,
lists and dpkg architectures stay untouched):

  musl x86_64, aarch64,        Debian's musl + musl-dev binary packages of that
       armv7, mipsel           architecture, unpacked with dpkg -x
  musl mips (big-endian)       Debian's musl source package, built with
                               Debian's mips-linux-gnu-gcc (Debian has no mips
                               architecture any more)
  uclibc mipsel                uClibc-ng from Debian's uclibc-source, built with
                               Debian's mipsel-linux-gnu-gcc
  Linux headers (every one)    Debian's linux-libc-dev-<arch>-cross

Float ABI on MIPS: these C libraries are hard-float, as Debian's compilers
and its mipsel musl are; OpenWrt's MIPS userland (and Rust's mips*-musl and
-uclibc targets, so the plugin) is soft-float (loader ld-musl-mips{el,}-sf.so.1).
A soft-float libc cannot be built correctly here: Debian's libgcc.a has only
hard-float __adddf3 & co., which soft-float callers call with the wrong
registers (a soft-float musl printed 2.5 as 0.0). The plugin passes no
floating-point value to or from libc, so loading it into a hard-float libc
checks what matters (symbols, relocations, loading); scripts/release checks
the plugin's own soft-float flag separately.

Every sysroot has one layout:
  <S>/lib/                 the dynamic loader (and uClibc's runtime .so files):
                           <S> is a root for `qemu-<arch> -L <S>`
  <S>/usr/include/         C library and Linux headers
  <S>/usr/lib/             libc.so, libc.a, crt*.o
  <S>/gcc.specs            a gcc specs file in the style of musl-gcc's: only
                           these headers and libraries, the right loader
  <S>/bin/cc               Debian's cross gcc with those specs: a C compiler
                           for this libc
  <S>/sysroot.json         what the sysroot is (see describe())
  <S>/sysroot.env          the same as shell assignments (SYSROOT_*)

Cache: $RP_PPPOE_CACHE/toolchains/<libc>-<arch>-<key>/ (RP_PPPOE_CACHE defaults
to /var/cache/rp-pppoe). <key> hashes the recipe (RECIPE below, the options)
and, for what is compiled here, the cross gcc's version; the Debian package
versions used are recorded in sysroot.json. A new Debian musl version is only
picked up once the cached sysroot is removed (scripts/sysroot --rebuild).
Concurrent callers are serialised by a lock file per sysroot; a sysroot is
built in a temporary directory and renamed into place when complete.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Bump when a recipe below changes what a sysroot contains.
RECIPE = 1

CACHE = Path(os.environ.get("RP_PPPOE_CACHE", "/var/cache/rp-pppoe"))
TOOLCHAINS = CACHE / "toolchains"
APT_LOCK_TIMEOUT = "1200"


@dataclass(frozen=True)
class Arch:
    name: str  # our name
    gnu: str  # Debian's cross triple (gcc-<gnu>)
    deb: str  # Debian architecture
    qemu: str  # qemu-user suffix ("" = this host)
    musl_dir: str  # Debian musl's multiarch directory
    musl_ld: str  # musl dynamic loader name
    musl_from_source: bool  # Debian's musl binary package unusable/missing
    uclibc_arch: str = ""  # uClibc-ng ARCH=, if built here
    big_endian: bool = False


ARCHES = {
    a.name: a
    for a in [
        Arch("x86_64", "x86_64-linux-gnu", "amd64", "x86_64", "x86_64-linux-musl", "ld-musl-x86_64.so.1", False),
        Arch("aarch64", "aarch64-linux-gnu", "arm64", "aarch64", "aarch64-linux-musl", "ld-musl-aarch64.so.1", False),
        Arch("armv7", "arm-linux-gnueabihf", "armhf", "arm", "arm-linux-musleabihf", "ld-musl-armhf.so.1", False),
        Arch("mipsel", "mipsel-linux-gnu", "mipsel", "mipsel", "mipsel-linux-musl", "ld-musl-mipsel.so.1", False, "mips"),
        Arch("mips", "mips-linux-gnu", "mips", "mips", "mips-linux-musl", "ld-musl-mips.so.1", True, "mips", True),
    ]
}
ALIASES = {"amd64": "x86_64", "arm64": "aarch64", "armhf": "armv7", "arm": "armv7"}
# Which (libc, arch) pairs exist.
SUPPORTED = {("musl", a) for a in ARCHES} | {("uclibc", "mipsel")}


class ToolchainError(Exception):
    pass


def nightly() -> str:
    """The pinned nightly toolchain (NIGHTLY= in scripts/lib/toolchains.env)."""
    env = Path(__file__).resolve().parent / "toolchains.env"
    for line in env.read_text().splitlines():
        if line.startswith("NIGHTLY="):
            return line.split("=", 1)[1].strip()
    raise SystemExit(f"{env}: no NIGHTLY= line")


def log(msg: str) -> None:
    print(f"sysroot: {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw) -> subprocess.CompletedProcess:
    """Runs a command; its output goes to stderr unless captured."""
    kw.setdefault("check", True)
    if "stdout" not in kw and not kw.get("capture_output"):
        kw["stdout"] = sys.stderr
    try:
        return subprocess.run(cmd, **kw)
    except subprocess.CalledProcessError as e:
        raise ToolchainError(f"{shlex.join(str(c) for c in cmd)} failed (exit {e.returncode})") from e


def run_logged(cmd, log_file: Path, **kw) -> None:
    """Runs a (long, noisy) build step with its output in log_file; on
    failure shows the log's last lines."""
    with open(log_file, "a") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw)
    if p.returncode:
        tail = log_file.read_text(errors="replace").splitlines()[-30:]
        print("\n".join(tail), file=sys.stderr)
        raise ToolchainError(f"{shlex.join(str(c) for c in cmd)} failed (exit {p.returncode}); log above")


def out(cmd, **kw) -> str:
    return run(cmd, capture_output=True, text=True, **kw).stdout


# ------------------------------------------------------------------ host packages


def installed(pkg: str) -> bool:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and "ok installed" in r.stdout


def apt_install(pkgs) -> None:
    """Installs Debian packages on the host that are not installed yet."""
    need = [p for p in pkgs if not installed(p)]
    if not need:
        return
    log(f"installing {' '.join(need)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    lock = ["-o", f"DPkg::Lock::Timeout={APT_LOCK_TIMEOUT}"]
    run(["apt-get", *lock, "update", "-qq"], env=env)
    run(["apt-get", *lock, "install", "-y", "-qq", "--no-install-recommends", *need], env=env)


def cross_gcc(arch: Arch) -> str:
    """Debian's cross gcc for arch (installed if missing); the host's gcc on x86_64."""
    if arch.gnu == host_gnu():
        apt_install(["gcc", "make", "xz-utils"])
        return "gcc"
    apt_install([f"gcc-{arch.gnu}", "binutils-" + arch.gnu, "make", "xz-utils"])
    return f"{arch.gnu}-gcc"


def host_gnu() -> str:
    return {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu"}.get(os.uname().machine, "")


# ------------------------------------------------------------------ private apt


def debian_codename() -> str:
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip().strip('"')
    raise ToolchainError("no VERSION_CODENAME in /etc/os-release")


def debian_mirror() -> str:
    """The Debian archive the host's apt already uses (not its security archive).
    RP_PPPOE_DEBIAN_MIRROR overrides it."""
    if os.environ.get("RP_PPPOE_DEBIAN_MIRROR"):
        return os.environ["RP_PPPOE_DEBIAN_MIRROR"].rstrip("/")
    uris = []
    for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for line in Path(f).read_text().splitlines():
            m = re.match(r"\s*URIs:\s*(.*)", line)
            if m:
                uris += m.group(1).split()
    for f in ["/etc/apt/sources.list", *sorted(glob.glob("/etc/apt/sources.list.d/*.list"))]:
        if os.path.exists(f):
            for line in Path(f).read_text().splitlines():
                line = re.sub(r"\[[^]]*\]", "", line)
                w = line.split()
                if len(w) >= 2 and w[0] == "deb":
                    uris.append(w[1])
    for u in uris:
        if "security" not in u.lower() and re.match(r"^(https?|file)://.*/debian/?$", u):
            return u.rstrip("/")
    raise ToolchainError("no Debian archive in the host's apt sources; set RP_PPPOE_DEBIAN_MIRROR")


class PrivateApt:
    """apt-get with its own sources list, lists and cache (one per Debian
    architecture): downloads packages of any architecture, and sources,
    without touching the host's apt state or dpkg's architectures."""

    def __init__(self, deb_arch: str):
        self.arch = deb_arch
        self.dir = CACHE / "apt" / f"{debian_codename()}-{deb_arch}"
        self.updated = False

    def opts(self):
        d = self.dir
        return [
            "-o", f"Dir::Etc::SourceList={d}/sources.list", "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={d}/lists", "-o", f"Dir::Cache={d}/cache",
            "-o", f"Dir::State::status={d}/status", "-o", "Debug::NoLocking=1",
            "-o", "APT::Sandbox::User=root", "-o", "Acquire::Languages=none",
            "-o", f"APT::Architecture={self.arch}", "-o", f"APT::Architectures::={self.arch}",
        ]

    def update(self) -> None:
        if self.updated:
            return
        d = self.dir
        (d / "lists/partial").mkdir(parents=True, exist_ok=True)
        (d / "cache/archives/partial").mkdir(parents=True, exist_ok=True)
        (d / "status").write_text("")
        rel, mirror = debian_codename(), debian_mirror()
        key = "/usr/share/keyrings/debian-archive-keyring.gpg"
        (d / "sources.list").write_text(
            f"deb [arch={self.arch} signed-by={key}] {mirror} {rel} main\n"
            f"deb-src [signed-by={key}] {mirror} {rel} main\n"
        )
        run(["apt-get", *self.opts(), "-qq", "update"])
        self.updated = True

    def version(self, pkg: str) -> str:
        self.update()
        for line in out(["apt-cache", *self.opts(), "policy", pkg]).splitlines():
            if line.strip().startswith("Candidate:"):
                v = line.split(":", 1)[1].strip()
                if v and v != "(none)":
                    return v
        raise ToolchainError(f"Debian has no package {pkg} for {self.arch}")

    def download(self, pkgs, dest: Path) -> list[Path]:
        """apt-get download into dest; returns the .deb files."""
        self.update()
        dest.mkdir(parents=True, exist_ok=True)
        run(["apt-get", *self.opts(), "-qq", "download", *pkgs], cwd=dest)
        return sorted(dest.glob("*.deb"))

    def source(self, pkg: str, dest: Path) -> Path:
        """Downloads and unpacks a Debian source package; returns its tree."""
        self.update()
        apt_install(["dpkg-dev"])
        dest.mkdir(parents=True, exist_ok=True)
        run(["apt-get", *self.opts(), "-qq", "source", "--download-only", pkg], cwd=dest)
        dsc = sorted(dest.glob(f"{pkg}_*.dsc"))
        if not dsc:
            raise ToolchainError(f"apt-get source {pkg} gave no .dsc")
        tree = dest / "src"
        run(["dpkg-source", "--no-check", "-x", dsc[-1].name, "src"], cwd=dest)
        return tree


def unpack_debs(debs, dest: Path) -> None:
    for deb in debs:
        run(["dpkg-deb", "-x", str(deb), str(dest)])


# ------------------------------------------------------------------ recipes


def linux_headers(arch: Arch, work: Path, apt: PrivateApt) -> tuple[Path, str]:
    """Debian's Linux UAPI headers for arch (linux-libc-dev-<deb>-cross, an
    arch-all package): returns the include directory and the version."""
    pkg = f"linux-libc-dev-{arch.deb}-cross"
    ver = apt.version(pkg)
    unpack_debs(apt.download([pkg], work / "kdebs"), work / "kroot")
    inc = work / "kroot/usr" / arch.gnu / "include"
    if not (inc / "linux/version.h").exists():
        raise ToolchainError(f"{pkg} has no {inc}/linux/version.h")
    return inc, f"{pkg} {ver}"


def copy_tree(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for entry in src.iterdir():
        target = dst / entry.name
        if entry.is_dir() and not entry.is_symlink():
            copy_tree(entry, target)
        else:
            shutil.copy2(entry, target, follow_symlinks=False)


def relink_absolute(root: Path) -> None:
    """Turns absolute symlinks inside root into relative ones, so root works
    as qemu-user's -L prefix and from any place it is moved to."""
    for p in root.rglob("*"):
        if p.is_symlink():
            t = os.readlink(p)
            if t.startswith("/"):
                p.unlink()
                p.symlink_to(os.path.relpath(root / t.lstrip("/"), p.parent))


def musl_debian(arch: Arch, s: Path, work: Path, apt: PrivateApt) -> dict:
    """Debian's musl + musl-dev for arch, normalised to the sysroot layout."""
    ver = apt.version("musl")
    raw = work / "raw"
    unpack_debs(apt.download(["musl", "musl-dev"], work / "debs"), raw)
    copy_tree(raw / "usr/include" / arch.musl_dir, s / "usr/include")
    copy_tree(raw / "usr/lib" / arch.musl_dir, s / "usr/lib")
    (s / "usr/lib/musl-gcc.specs").unlink(missing_ok=True)
    shutil.copy2(raw / "lib" / arch.musl_dir / "libc.so", s / "usr/lib/libc.so")
    (s / "lib").mkdir(parents=True, exist_ok=True)
    (s / "lib" / arch.musl_ld).symlink_to("../usr/lib/libc.so")
    return {"musl": f"Debian musl {ver} ({arch.deb} binary packages musl, musl-dev)"}


def musl_source(arch: Arch, s: Path, work: Path, apt: PrivateApt) -> dict:
    """musl from Debian's source package, built with Debian's cross gcc."""
    gcc = cross_gcc(arch)
    ver = apt.version("musl")
    tree = apt.source("musl", work / "srcpkg")
    log(f"building musl {ver} for {arch.name}, about 2 min")
    cflags = "-O2"
    blog = work / "build.log"
    run_logged(["./configure", f"--target={arch.gnu}", "--prefix=/usr", "--syslibdir=/lib",
                f"CC={gcc}", f"CROSS_COMPILE={arch.gnu}-", f"CFLAGS={cflags}"], blog, cwd=tree)
    run_logged(["make", f"-j{os.cpu_count() or 2}"], blog, cwd=tree)
    run_logged(["make", "install", f"DESTDIR={s}"], blog, cwd=tree)
    relink_absolute(s)
    if not (s / "lib" / arch.musl_ld).exists():
        raise ToolchainError(f"musl build gave no /lib/{arch.musl_ld}")
    return {"musl": f"Debian musl {ver} (source package, built here with {gcc} {cflags})"}


UCLIBC_CONFIG = {
    # little-endian MIPS32r2, o32: what OpenWrt-era vendor firmware runs
    "ARCH_LITTLE_ENDIAN": "y", "ARCH_WANTS_LITTLE_ENDIAN": "y",
    "ARCH_BIG_ENDIAN": None, "ARCH_WANTS_BIG_ENDIAN": None,
    "CONFIG_MIPS_O32_ABI": "y",  # the ISA is the compiler's default: mips32r2
    "UCLIBC_HAS_FPU": "y",
    "UCLIBC_HAS_THREADS_NATIVE": "y",
    "DO_C99_MATH": "y",  # the math library (merged into libc in uClibc-ng 1.0)
    "UCLIBC_SUSV3_LEGACY": "y",  # bcmp, which the plugin imports
    "UCLIBC_HAS_IPV6": "y", "UCLIBC_HAS_SHADOW": "y", "UCLIBC_HAS_CRYPT": "y",
    "UCLIBC_HAS_CRYPT_IMPL": "y",
    "HARDWIRED_ABSPATH": None,  # libc.so (an ld script) names libc.so.0, not /lib/libc.so.0
    "RUNTIME_PREFIX": '"/"', "DEVEL_PREFIX": '"/usr/"',
    "DOSTRIP": None,
}


def set_config(path: Path, values: dict) -> None:
    text = path.read_text()
    for k, v in values.items():
        text = re.sub(rf"^(# )?{k}(=.*| is not set)$\n?", "", text, flags=re.M)
        text += f"{k}={v}\n" if v is not None else f"# {k} is not set\n"
    path.write_text(text)


def uclibc_source(arch: Arch, s: Path, work: Path, apt: PrivateApt, kinc: Path) -> dict:
    gcc = cross_gcc(arch)
    ver = apt.version("uclibc-source")
    unpack_debs(apt.download(["uclibc-source"], work / "debs"), work / "raw")
    tars = sorted((work / "raw/usr/src").glob("uClibc-ng-*.tar.*"))
    if not tars:
        raise ToolchainError("uclibc-source has no /usr/src/uClibc-ng-*.tar.*")
    run(["tar", "-xf", str(tars[-1]), "-C", str(work)])
    tree = next(work.glob("uClibc-ng-*/"))
    mk = ["make", f"ARCH={arch.uclibc_arch}"]
    run_logged([*mk, "defconfig"], work / "build.log", cwd=tree)
    set_config(tree / ".config", dict(
        UCLIBC_CONFIG, KERNEL_HEADERS=f'"{kinc}"', CROSS_COMPILER_PREFIX=f'"{arch.gnu}-"'))
    run_logged(["sh", "-c", f"yes '' | {shlex.join(mk)} oldconfig"], work / "build.log", cwd=tree)
    cfg = (tree / ".config").read_text()
    for k, v in UCLIBC_CONFIG.items():
        want = f"{k}={v}" if v is not None else f"# {k} is not set"
        if want not in cfg and not (v is None and f"{k}=" not in cfg):
            raise ToolchainError(f"uClibc-ng .config lost {want}")
    log(f"building uClibc-ng ({tars[-1].name}) for {arch.name}, about 7 min")
    blog = work / "build.log"
    run_logged([*mk, f"-j{os.cpu_count() or 2}"], blog, cwd=tree)
    run_logged([*mk, "install", f"PREFIX={s}"], blog, cwd=tree)
    # uClibc-ng 1.0 has libm, libdl, libpthread... inside libc; it installs
    # empty archives for some of the old names. Make sure -lm works too (the
    # libc crate asks for it).
    for name in ("m", "dl", "pthread", "rt", "crypt", "util"):
        stub = s / "usr/lib" / f"lib{name}.a"
        if not stub.exists():
            stub.write_bytes(b"!<arch>\n")
    relink_absolute(s)
    return {"uclibc": f"uClibc-ng from Debian uclibc-source {ver} ({tars[-1].name}), built here with {gcc}"}


def gcc_specs(s: Path, arch: Arch, loader: str, libc: str) -> str:
    """A gcc specs file in the style of musl-gcc's: no host or glibc headers
    and libraries, this libc's startup files and dynamic loader."""
    lib, inc = s / "usr/lib", s / "usr/include"
    begin, end = " crtbeginS.o%s", "crtendS.o%s "
    return f"""%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem {inc} -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem {inc} -isystem include%s

*link_libgcc:
-L{lib} -L{s}/lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{{!shared:%{{static-pie:{lib}/rcrt1.o;static:{lib}/crt1.o;:{lib}/Scrt1.o}}}} {lib}/crti.o{begin}

*endfile:
{end}{lib}/crtn.o

*link:
-dynamic-linker /lib/{loader} -nostdlib %{{shared:-shared}} %{{static:-static}} %{{static-pie:-static -pie --no-dynamic-linker -z text}} %{{rdynamic:-export-dynamic}}

*esp_link:


*esp_options:


*esp_cpp_options:


"""


def finish(s: Path, arch: Arch, libc: str, gcc: str, info: dict) -> dict:
    """Writes gcc.specs, bin/cc, sysroot.json and sysroot.env."""
    if libc == "musl":
        loader, soname, real = arch.musl_ld, "libc.so", s / "usr/lib/libc.so"
    else:
        loader, soname = "ld-uClibc.so.0", "libc.so.0"
        real = Path(os.path.realpath(s / "lib/libc.so.0"))
    for f in ("crt1.o", "crti.o", "crtn.o", "Scrt1.o", "libc.a"):
        if not (s / "usr/lib" / f).exists():
            raise ToolchainError(f"{libc} sysroot for {arch.name} lacks usr/lib/{f}")
    (s / "gcc.specs").write_text(gcc_specs(s, arch, loader, libc))
    (s / "bin").mkdir(exist_ok=True)
    flags: list[str] = []
    cc = s / "bin/cc"
    cc.write_text("#!/bin/sh\n# A C compiler for this sysroot (see sysroot.json).\n"
                  f'exec {gcc} -specs={s}/gcc.specs {" ".join(flags)} "$@"\n')
    cc.chmod(0o755)
    d = {
        "libc": libc,
        "arch": arch.name,
        "path": str(s),
        "cc": str(cc),
        "gcc": gcc,
        "cflags": flags,
        "gnu_triple": arch.gnu,
        "dynamic_linker": f"/lib/{loader}",
        "soname": soname,
        "libc_so": str(real),
        "include": str(s / "usr/include"),
        "libdir": str(s / "usr/lib"),
        "qemu": f"qemu-{arch.qemu}",
        "qemu_prefix": str(s),
        "big_endian": arch.big_endian,
        "float_abi": "hard" if arch.name in ("armv7", "mipsel", "mips") else "",
        "sources": info,
        "recipe": RECIPE,
    }
    (s / "sysroot.json").write_text(json.dumps(d, indent=2) + "\n")
    env = {"SYSROOT": s, "SYSROOT_CC": cc, "SYSROOT_CFLAGS": " ".join(flags),
           "SYSROOT_LOADER": d["dynamic_linker"], "SYSROOT_SONAME": soname,
           "SYSROOT_LIBC_SO": real, "SYSROOT_QEMU": d["qemu"], "SYSROOT_GNU": arch.gnu}
    (s / "sysroot.env").write_text("".join(f"{k}={shlex.quote(str(v))}\n" for k, v in env.items()))
    return d


def smoke_test(s: Path, d: dict) -> None:
    """Compiles, links and runs (qemu-user) a tiny program with bin/cc, and
    checks that libc itself has no undefined symbols."""
    apt_install(["qemu-user"])
    def syms(so, undefined):
        rows = [l.split() for l in out(["readelf", "--dyn-syms", "-W", str(so)]).splitlines()]
        return {r[7].split("@")[0] for r in rows
                if len(r) >= 8 and r[0].rstrip(":").isdigit() and (r[6] == "UND") == undefined}
    und = syms(d["libc_so"], True)
    if d["libc"] == "uclibc":  # uClibc's libc takes the _dl_* symbols from its dynamic loader
        und -= syms(os.path.realpath(s / d["dynamic_linker"].lstrip("/")), False)
    und.discard("")
    if und:
        raise ToolchainError(f"{d['libc_so']} has undefined symbols: {' '.join(sorted(und))}")
    with tempfile.TemporaryDirectory() as t:
        src = Path(t, "hello.c")
        src.write_text('#include <stdio.h>\n#include <linux/if_pppox.h>\n'
                       'int main(void) { printf("hello %d %.1f\\n", PX_PROTO_OE, 2.5); return 0; }\n')
        exe = Path(t, "hello")
        run([d["cc"], "-O2", "-o", str(exe), str(src)])
        cmd = [d["qemu"], "-L", d["qemu_prefix"], str(exe)]
        got = out(cmd).strip()
        if got != "hello 0 2.5":
            raise ToolchainError(f"{' '.join(cmd)} printed {got!r}")
        interp = out(["readelf", "-lW", str(exe)])
        if d["dynamic_linker"] not in interp:
            raise ToolchainError(f"test program's interpreter is not {d['dynamic_linker']}")


# ------------------------------------------------------------------ entry points


def resolve(libc: str, arch_name: str) -> Arch:
    arch_name = ALIASES.get(arch_name, arch_name)
    if (libc, arch_name) not in SUPPORTED:
        known = ", ".join(f"{l} {a}" for l, a in sorted(SUPPORTED))
        raise ToolchainError(f"no {libc} sysroot for {arch_name} (known: {known})")
    return ARCHES[arch_name]


def key(libc: str, arch: Arch) -> str:
    inputs = {"recipe": RECIPE, "libc": libc, "arch": arch.name, "debian": debian_codename()}
    if libc == "uclibc":
        inputs["config"] = UCLIBC_CONFIG
    if libc == "uclibc" or arch.musl_from_source:
        inputs["gcc"] = out([cross_gcc(arch), "--version"]).splitlines()[0]
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:12]


def sysroot(libc: str, arch_name: str, rebuild: bool = False) -> Path:
    """Returns the sysroot for libc (musl, uclibc) on arch, building it first
    if it is not in the cache."""
    arch = resolve(libc, arch_name)
    TOOLCHAINS.mkdir(parents=True, exist_ok=True)
    path = TOOLCHAINS / f"{libc}-{arch.name}-{key(libc, arch)}"
    with open(TOOLCHAINS / f".lock-{path.name}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if rebuild and path.exists():
            shutil.rmtree(path)
        if (path / "sysroot.json").exists():
            return path
        shutil.rmtree(path, ignore_errors=True)  # an interrupted earlier build
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{path.name}-", dir=TOOLCHAINS))
        try:
            s, work = tmp / "root", tmp / "work"
            # The sysroot is built at its final path: the specs file and the
            # cc wrapper name it. It is renamed to that path only when done,
            # so its content is written with the final path as s.
            final_s = path
            s.mkdir(parents=True)
            work.mkdir()
            apt = PrivateApt("mipsel" if arch.deb == "mips" else arch.deb)
            gcc = cross_gcc(arch)
            kinc, kver = linux_headers(arch, work, apt)
            if libc == "musl":
                info = (musl_source if arch.musl_from_source else musl_debian)(arch, s, work, apt)
            else:
                info = uclibc_source(arch, s, work, apt, kinc)
            info["linux_headers"] = kver
            copy_tree(kinc, s / "usr/include")
            shutil.rmtree(work)
            s.rename(final_s)
            try:
                d = finish(final_s, arch, libc, gcc, info)
                smoke_test(final_s, d)
            except BaseException:
                shutil.rmtree(final_s, ignore_errors=True)
                raise
            log(f"{libc} {arch.name}: {final_s}")
            return final_s
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def describe(path: Path) -> dict:
    return json.loads((path / "sysroot.json").read_text())


def cached() -> list[Path]:
    return sorted(p for p in TOOLCHAINS.glob("*-*-*") if (p / "sysroot.json").exists())
