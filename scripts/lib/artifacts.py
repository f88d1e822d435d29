"""The release targets and the checks every built plugin and pppoe-discovery
goes through (used by scripts/release, and so by scripts/cross-build).

A plugin .so passes when
  - its ELF header has the target's class, byte order, machine, type DYN and
    ABI flags (hard-float on armv7, o32 on MIPS), and its float ABI attribute
    is the target's (MIPS: soft-float for musl/uClibc, as Rust's targets and
    OpenWrt are; ARM: VFP registers);
  - it is stripped (no .symtab);
  - it exports exactly pppd_version and plugin_init;
  - NEEDED is exactly the C library's soname (libc.so.6, libc.so, libc.so.0);
  - on musl and uClibc it has no symbol versions at all;
  - every symbol it imports is defined by that C library's real shared
    object for the architecture (glibc: Debian's libc.so.6 of that arch;
    musl/uClibc: the sysroot's, see toolchain.py), apart from the weak
    C-runtime references and the ARM EHABI markers without a relocation;
  - on 32-bit musl it imports no time64 symbol (those exist only in musl
    1.2 and later; OpenWrt up to 21.02 has musl 1.1);
  - a loader linked against that C library (and, under qemu-user, run with
    that C library's own dynamic loader) dlopen()s it with
    RTLD_NOW|RTLD_GLOBAL as pppd does, reads pppd_version as the expected
    version, and calls plugin_init, which outside pppd must report the
    missing pppd symbols and exit 2.
pppoe-discovery passes when its ELF header is right, it is linked as
discovery_linking() says (static, or NEEDED only the libc with the right
loader), and `pppoe-discovery --help` runs under qemu-user and prints its
usage.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LOADER_C = r"""#include <dlfcn.h>
#include <stdio.h>
/* Loads the plugin as pppd does (RTLD_NOW: every symbol must resolve now),
   prints pppd_version, then calls plugin_init, which outside pppd must
   report the missing pppd symbols and exit 2. */
int main(int argc, char **argv) {
    if (argc != 2) return 5;
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (!h) { printf("DLOPEN-FAILED %s\n", dlerror()); return 3; }
    const char *v = dlsym(h, "pppd_version");
    void (*init)(void) = (void (*)(void))dlsym(h, "plugin_init");
    if (!v || !init) { printf("MISSING-SYMBOLS\n"); return 4; }
    printf("VERSION=%s\n", v);
    fflush(stdout);
    init();
    printf("RETURNED\n");
    return 0;
}
"""


@dataclass(frozen=True)
class Target:
    triple: str
    arch: str  # our name: x86_64, aarch64, armv7, mipsel, mips, ...
    libc: str  # gnu, musl, uclibc
    gnu: str  # Debian cross triple (gcc, binutils, libc6-dev-*-cross)
    deb: str  # Debian architecture
    qemu: str  # qemu-user suffix
    build_std: bool  # no rustup standard library: nightly -Z build-std
    elf_class: str
    elf_data: str  # little, big
    machine: str  # readelf's Machine
    flags: str = ""  # substring of readelf's Flags
    float_abi: str = ""  # "soft" / "hard" (MIPS FP ABI, ARM VFP args)
    release: bool = True  # in scripts/release's default set

    @property
    def name(self) -> str:
        """The file-name part: <arch>-<libc>."""
        return f"{self.arch}-{self.libc}"

    @property
    def soname(self) -> str:
        return {"gnu": "libc.so.6", "musl": "libc.so", "uclibc": "libc.so.0"}[self.libc]

    @property
    def bits(self) -> int:
        return 64 if self.elf_class == "ELF64" else 32


def _t(triple, arch, libc, gnu, deb, qemu, build_std, cls, data, machine, flags="", fl="", release=True):
    return Target(triple, arch, libc, gnu, deb, qemu, build_std, cls, data, machine, flags, fl, release)


X86 = "Advanced Micro Devices X86-64"
MIPS = "MIPS R3000"
TARGETS = {
    t.triple: t
    for t in [
        _t("x86_64-unknown-linux-gnu", "x86_64", "gnu", "x86_64-linux-gnu", "amd64", "x86_64", False, "ELF64", "little", X86),
        _t("aarch64-unknown-linux-gnu", "aarch64", "gnu", "aarch64-linux-gnu", "arm64", "aarch64", False, "ELF64", "little", "AArch64"),
        _t("armv7-unknown-linux-gnueabihf", "armv7", "gnu", "arm-linux-gnueabihf", "armhf", "arm", False, "ELF32", "little", "ARM", "hard-float ABI", "hard"),
        _t("mipsel-unknown-linux-gnu", "mipsel", "gnu", "mipsel-linux-gnu", "mipsel", "mipsel", True, "ELF32", "little", MIPS, "o32", "hard"),
        _t("x86_64-unknown-linux-musl", "x86_64", "musl", "x86_64-linux-gnu", "amd64", "x86_64", False, "ELF64", "little", X86),
        _t("aarch64-unknown-linux-musl", "aarch64", "musl", "aarch64-linux-gnu", "arm64", "aarch64", False, "ELF64", "little", "AArch64"),
        _t("armv7-unknown-linux-musleabihf", "armv7", "musl", "arm-linux-gnueabihf", "armhf", "arm", True, "ELF32", "little", "ARM", "hard-float ABI", "hard"),
        _t("mipsel-unknown-linux-musl", "mipsel", "musl", "mipsel-linux-gnu", "mipsel", "mipsel", True, "ELF32", "little", MIPS, "o32", "soft"),
        _t("mips-unknown-linux-musl", "mips", "musl", "mips-linux-gnu", "mips", "mips", True, "ELF32", "big", MIPS, "o32", "soft"),
        _t("mipsel-unknown-linux-uclibc", "mipsel", "uclibc", "mipsel-linux-gnu", "mipsel", "mipsel", True, "ELF32", "little", MIPS, "o32", "soft"),
        # scripts/cross-build only (not shipped)
        _t("mips-unknown-linux-gnu", "mips", "gnu", "mips-linux-gnu", "mips", "mips", True, "ELF32", "big", MIPS, "o32", "hard", False),
        _t("i686-unknown-linux-gnu", "i686", "gnu", "i686-linux-gnu", "i386", "i386", False, "ELF32", "little", "Intel 80386", "", "", False),
        _t("powerpc-unknown-linux-gnu", "powerpc", "gnu", "powerpc-linux-gnu", "powerpc", "ppc", False, "ELF32", "big", "PowerPC", "", "", False),
        _t("s390x-unknown-linux-gnu", "s390x", "gnu", "s390x-linux-gnu", "s390x", "s390x", False, "ELF64", "big", "IBM S/390", "", "", False),
    ]
}
RELEASE_TARGETS = [t for t in TARGETS.values() if t.release]

# Weak references from a C runtime's crt files; never needed at load time.
WEAK_CRT = {"_ITM_deregisterTMCloneTable", "_ITM_registerTMCloneTable", "__gmon_start__", "__cxa_finalize"}


def host_native(t: Target) -> bool:
    return os.uname().machine == "x86_64" and t.arch == "x86_64"


@dataclass
class Libc:
    """Where a target's C library is, for checks: the real shared object,
    the prefix for qemu-user -L, and how to compile a program against it."""

    so: Path
    qemu_prefix: str
    cc: list[str]
    version: str = ""
    loader: str = ""  # the sysroot's own dynamic loader (musl, uClibc)


def discovery_linking(t: Target) -> tuple[bool, str]:
    """How pppoe-discovery is linked for t: (static, interpreter).
    glibc: dynamic, the system's. MIPS musl: dynamic against the router's
    musl, with OpenWrt's soft-float loader name: a static file would carry
    this build's hard-float libc.a (see toolchain.py) into soft-float code.
    Else static: one file for any firmware of that CPU, whatever its C
    library or loader name (uClibc: vendor firmware may have 0.9.33)."""
    if t.libc == "gnu":
        return False, ""
    if t.libc == "musl" and t.machine == MIPS:
        return False, f"/lib/ld-musl-{t.arch}-sf.so.1"
    return True, ""


@dataclass
class Result:
    path: Path
    errors: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    def note(self, s: str) -> None:
        self.lines.append(s)

    def fail(self, s: str) -> None:
        self.errors.append(s)


def sh(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def header(path: Path) -> dict:
    out = sh(["readelf", "-hW", str(path)]).stdout
    h = {}
    for line in out.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            h[k.strip()] = v.strip()
    return h


def dynsyms(path: Path):
    """(bind, ndx, name) of every dynamic symbol; name keeps any @version."""
    rows = []
    for line in sh(["readelf", "--dyn-syms", "-W", str(path)]).stdout.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and f[0][:-1].isdigit():
            if f[7] == "" or f[0] == "0:":
                continue
            rows.append((f[4], f[6], f[7]))
    return rows


def defined_names(path: Path) -> set[str]:
    return {n.split("@")[0] for _, ndx, n in dynsyms(path) if ndx != "UND"}


def needed(path: Path) -> list[str]:
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", sh(["readelf", "-dW", str(path)]).stdout)


def float_abi(path: Path, t: Target) -> str:
    attrs = sh(["readelf", "-AW", str(path)]).stdout
    if t.machine == MIPS:
        m = re.search(r"FP ABI:\s*(.*)", attrs)
        if not m:
            return "unmarked"
        return "soft" if "Soft float" in m.group(1) else "hard" if "Hard float" in m.group(1) else m.group(1)
    if t.machine == "ARM":
        return "hard" if re.search(r"Tag_ABI_VFP_args:\s*VFP registers", attrs) else "soft"
    return ""


def check_elf(r: Result, t: Target, want_type: tuple[str, ...]) -> None:
    h = header(r.path)
    r.note(f"ELF: {h.get('Class')}, {h.get('Data')}, {h.get('Machine')}, flags {h.get('Flags')}")
    r.info["elf"] = {k: h.get(k, "") for k in ("Class", "Data", "Machine", "Flags", "Type")}
    if h.get("Class") != t.elf_class:
        r.fail(f"class {h.get('Class')}, want {t.elf_class}")
    if f"{t.elf_data} endian" not in h.get("Data", ""):
        r.fail(f"data '{h.get('Data')}', want {t.elf_data} endian")
    if h.get("Machine") != t.machine:
        r.fail(f"machine '{h.get('Machine')}', want '{t.machine}'")
    if t.flags and t.flags not in h.get("Flags", ""):
        r.fail(f"flags '{h.get('Flags')}' lack '{t.flags}'")
    if not h.get("Type", "").startswith(want_type):
        r.fail(f"type '{h.get('Type')}', want {' or '.join(want_type)}")
    if t.float_abi:
        fa = float_abi(r.path, t)
        r.info["float_abi"] = fa
        r.note(f"float ABI: {fa}")
        if fa != t.float_abi:
            r.fail(f"float ABI {fa}, want {t.float_abi}")


def cargo_home() -> Path:
    return Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")


def rustup_home() -> Path:
    return Path(os.environ.get("RUSTUP_HOME") or Path.home() / ".rustup")


def check_no_build_paths(r: Result, more: list[Path]) -> None:
    """Fails if the file names a directory of the machine that built it (the
    home directory, rustup's and cargo's homes, the clone, the caches):
    release files must not depend on, or tell about, where they were built."""
    data = r.path.read_bytes()
    dirs = {str(p) for p in [Path.home(), cargo_home(), rustup_home(), *more] if str(p) not in ("/", "")}
    found = sorted(d for d in dirs if (d.rstrip("/") + "/").encode() in data)
    if found:
        r.fail(f"names build-machine paths: {' '.join(found)}")
    else:
        r.note(f"no build-machine path ({', '.join(sorted(dirs))})")


def check_plugin(path: Path, t: Target, version: str, libc: Libc, workdir: Path) -> Result:
    r = Result(path)
    r.note(f"size {path.stat().st_size} bytes")
    check_elf(r, t, ("DYN",))
    if ".symtab" in sh(["readelf", "-SW", str(path)]).stdout:
        r.fail("not stripped (.symtab present)")
    syms = dynsyms(path)
    exports = sorted(n.split("@")[0] for b, ndx, n in syms if ndx != "UND" and b in ("GLOBAL", "WEAK"))
    r.note(f"exports: {' '.join(exports)}")
    if exports != ["plugin_init", "pppd_version"]:
        r.fail(f"exports {exports}, want exactly plugin_init and pppd_version")
    nd = needed(path)
    r.info["needed"] = nd
    if nd != [t.soname]:
        r.fail(f"NEEDED {nd}, want only {t.soname}")
    versioned = sorted({n for _, _, n in syms if "@" in n})
    if t.libc != "gnu" and (versioned or ".gnu.version" in sh(["readelf", "-SW", str(path)]).stdout):
        r.fail(f"symbol versions on {t.libc}: {' '.join(versioned) or '(version sections)'}")
    glibc = sorted({m for n in versioned for m in re.findall(r"@+GLIBC_([0-9.]+)", n)},
                   key=lambda v: [int(x) for x in v.split(".")])
    imports = sorted((b, n.split("@")[0]) for b, ndx, n in syms if ndx == "UND")
    r.info["imports"] = [n for _, n in imports]
    if not libc.so.is_file():
        r.fail(f"no {libc.so} to check imports against")
    else:
        have = defined_names(libc.so)
        relocs = sh(["readelf", "-rW", str(path)]).stdout
        missing, markers = [], 0
        for bind, name in imports:
            if name in have or (bind == "WEAK" and name in WEAK_CRT):
                continue
            if re.fullmatch(r"__aeabi_unwind_cpp_pr[012]", name) and not re.search(rf"\b{name}\b", relocs):
                markers += 1  # ARM EHABI: an R_ARM_NONE marker, never resolved
                continue
            missing.append(name)
        extra = f" (plus {markers} ARM EHABI markers with no dynamic relocation)" if markers else ""
        if missing:
            r.fail(f"imports not in {libc.so.name}: {' '.join(missing)}")
        r.note(f"imports: {len(imports)}, {'all' if not missing else 'not all'} from {t.soname}{extra}"
               f"{f' (glibc {glibc[-1]} or later)' if glibc else ''}")
    r.note(f"import names: {' '.join(n for _, n in imports)}")
    if t.libc == "musl" and t.bits == 32:
        t64 = [n for _, n in imports if "time64" in n]
        if t64:
            r.fail(f"time64 imports need musl 1.2 or later: {' '.join(t64)}")
    out, rc = run_loader(t, libc, path, workdir)
    r.note(f"load (dlopen RTLD_NOW, {t.soname}{', qemu-' + t.qemu if not host_native(t) else ''}): "
           f"exit {rc}, {' '.join(out.split())[:160]}")
    if f"VERSION={version}\n" not in out:
        r.fail(f"pppd_version does not read {version} after dlopen")
    if not (rc == 2 and "this pppd lacks" in out and "RETURNED" not in out):
        r.fail(f"plugin_init outside pppd: exit {rc}, want 2 with 'this pppd lacks'")
    return r


def qemu_cmd(t: Target, libc: Libc) -> list[str]:
    if host_native(t) and t.libc == "gnu":
        return []
    return [f"qemu-{t.qemu}", "-L", libc.qemu_prefix]


def run_loader(t: Target, libc: Libc, so: Path, workdir: Path) -> tuple[str, int]:
    loader = workdir / f"loader-{t.name}"
    if not loader.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        src = workdir / "loader.c"
        src.write_text(LOADER_C)
        c = sh([*libc.cc, "-O2", "-o", str(loader), str(src), "-ldl"])
        if c.returncode:
            return f"cannot build the loader: {c.stderr.strip()[:300]}", -1
    p = sh([*qemu_cmd(t, libc), str(loader), str(so)], stdin=subprocess.DEVNULL, timeout=120)
    return p.stdout + p.stderr, p.returncode


def check_discovery(path: Path, t: Target, libc: Libc) -> Result:
    r = Result(path)
    r.note(f"size {path.stat().st_size} bytes")
    static, want_interp = discovery_linking(t)
    if t.machine == MIPS and t.libc != "gnu":
        # The Rust code is soft-float; the C runtime objects linked in
        # (crt1.o, crti.o, gcc's libgcc_eh.a, and for a static file libc.a)
        # are Debian's hard-float build and decide the file's marking.
        check_elf(r, dataclasses.replace(t, float_abi=""), ("EXEC", "DYN"))
        r.note(f"float ABI: {float_abi(path, t)} (marked by the C runtime objects linked in, "
               f"{'with the static libc, ' if static else ''}Debian's hard-float build; the Rust code is soft-float)")
    else:
        check_elf(r, t, ("EXEC", "DYN"))
    nd = needed(path)
    r.info["needed"] = nd
    m = re.search(r"Requesting program interpreter: ([^]]+)\]", sh(["readelf", "-lW", str(path)]).stdout)
    interp = m.group(1) if m else ""
    r.note(f"linking: {'static' if not nd and not interp else 'dynamic, NEEDED ' + ' '.join(nd) + ', interpreter ' + interp}")
    if static and (nd or interp):
        r.fail(f"not static on {t.libc}: NEEDED {nd}, interpreter {interp or '-'}")
    if not static:
        if t.libc == "gnu" and sorted(nd) not in (["libc.so.6"], ["libc.so.6", "libgcc_s.so.1"]):
            r.fail(f"NEEDED {nd}")
        if t.libc != "gnu" and nd != [t.soname]:
            r.fail(f"NEEDED {nd}, want only {t.soname}")
        if want_interp and interp != want_interp:
            r.fail(f"interpreter {interp}, want {want_interp}")
    run = [*qemu_cmd(t, libc), path]
    if not static and t.libc != "gnu":
        # the router's loader name (OpenWrt's -sf) is not this sysroot's: run
        # the program through the sysroot's own loader
        run = [*qemu_cmd(t, libc), libc.loader, path]
    p = sh([*map(str, run), "--help"], stdin=subprocess.DEVNULL, timeout=120)
    text = p.stdout + p.stderr
    r.note(f"run --help{' (qemu-' + t.qemu + ')' if qemu_cmd(t, libc) else ''}: exit {p.returncode}, "
           f"{' '.join(text.split())[:100]}")
    if p.returncode != 0 or "pppoe-discovery" not in text.lower():
        r.fail(f"--help: exit {p.returncode}, want 0 and a usage text")
    return r


def tmpdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="rp-pppoe-release-"))
