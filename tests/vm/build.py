"""What a guest boots: its kernel and its initramfs pieces, all cached outside the clone.

    prepare(guest) -> Prepared(kernel image, base.cpio, client pieces)

base.cpio is the guest's userland from Debian packages (busybox, bash, pppd with its plugins,
pppoe-server, ip, tc, tcpdump, their libraries, the kernel modules); musl and uClibc guests add a
second piece with the client pppd built from Debian's ppp source (tests/vm/artifacts.py). The
per-run overlay (the guest scripts of tests/e2e and the plugins under test) is made by overlay().
"""

from __future__ import annotations

import gzip
import lzma
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from . import cache, cpio, debian, elf
from .core import GUEST_SRC, TOP, Fatal, die, log, need_packages, now, out, run, since
from .guests import BuiltKernel, DebianKernel, Guest

# Bump when the way a piece is made changes, so cached ones are rebuilt.
ROOT_REV = 1
KERNEL_REV = 1
BASE_REV = 5
BUILT_KERNEL_REV = 1

# Time each preparation step took (or "cached"), for the report's timing lines.
TIMES: dict[str, str] = {}
_times_lock = threading.Lock()


def timed(label: str, fn, *a, **kw):
    t = now()
    r = fn(*a, **kw)
    with _times_lock:
        # Guests sharing a piece: the first builds it, the others wait for it or find it cached.
        TIMES[label] = max(TIMES.get(label, "0"), since(t), key=float)
    return r


def host_deps(guests) -> None:
    """The host packages every selected guest needs to be built and booted."""
    pkgs = ["dpkg", "apt", "xz-utils", "zstd", "binutils", "debian-archive-keyring", "coreutils"]
    for g in guests:
        pkgs.append(g.qemu_pkg)
        if g.busybox == "host":
            pkgs.append("busybox-static")
        if g.busybox == "deb" and g.arch not in ("amd64",):
            pkgs.append("qemu-user")  # lists the guest busybox's applets
        if isinstance(g.kernel, BuiltKernel):
            pkgs += [g.kernel.cross_pkg, "make", "gcc", "libc6-dev", "bc", "bison", "flex"]
    need_packages(pkgs)
    if any(g.busybox == "host" for g in guests):
        bb = elf.read(Path("/bin/busybox"))
        if bb is None or bb.interp:
            die("/bin/busybox is not busybox-static's static binary (install busybox-static)")


# --- unpacked packages -------------------------------------------------------------------------

def debs(g: Guest) -> Path:
    flavour = g.kernel.flavour if isinstance(g.kernel, DebianKernel) else None
    return debian.fetch(g.release, g.arch, g.packages(), flavour)


def root(g: Guest, debdir: Path) -> Path:
    """The guest's packages (all but the kernel) unpacked with dpkg -x."""
    kdeb = debian.kernel_deb(debdir)
    files = [d for d in debian.debs_in(debdir) if d != kdeb]
    path = cache.entry("root", cache.key(ROOT_REV, [d.name for d in files]))

    def builder(tmp: Path) -> None:
        log(f"e2e: unpacking the {g.release} {g.arch} packages")
        for d in files:
            debian.unpack(d, tmp)

    return cache.build(path, builder)


# --- kernels -------------------------------------------------------------------------------------

@dataclass
class Kernel:
    image: Path
    version: str
    modules: Path     # directory: *.ko and "order" (load order, dependencies first)
    key: str


def _extract_vmlinux(img: Path, dest: Path) -> bool:
    """Writes the uncompressed vmlinux of an x86 bzImage to dest (it boots about 3 s faster
    under TCG). False when the payload is in a format this does not handle."""
    data = img.read_bytes()
    raw = None
    i = data.find(b"\xfd7zXZ\x00")  # bookworm: xz
    if i >= 0:
        d = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        try:
            raw = d.decompress(data[i:])
        except lzma.LZMAError:
            raw = None
    else:
        i = data.find(b"\x28\xb5\x2f\xfd")  # trixie: zstd
        if i >= 0:
            r = subprocess.run(["zstd", "-dcq"], input=data[i:], capture_output=True)
            raw = r.stdout or None
    if not raw:
        return False
    dest.write_bytes(raw)
    if not elf.has_pvh_note(dest):
        dest.unlink()
        return False
    return True


def _modinfo_depends(ko: Path) -> list[str]:
    data = ko.read_bytes()
    m = re.search(rb"(?:^|\0)depends=([^\0]*)", data)
    if not m or not m.group(1):
        return []
    return m.group(1).decode().split(",")


def debian_kernel(g: Guest, debdir: Path) -> Kernel:
    """Debian's kernel image and the modules the guest loads (with their dependencies,
    decompressed, in load order)."""
    kdeb = debian.kernel_deb(debdir)
    if kdeb is None:
        die(f"no kernel package among the {g.release} {g.arch} packages")
    kspec: DebianKernel = g.kernel
    k = cache.key(KERNEL_REV, kdeb.name, list(kspec.modules), g.arch == "amd64")
    path = cache.entry("kernel", k)

    def builder(tmp: Path) -> None:
        log(f"e2e: extracting the kernel {kdeb.name}")
        with tempfile.TemporaryDirectory(dir=tmp.parent) as x:
            x = Path(x)
            debian.unpack(kdeb, x)
            mroots = sorted(p for p in list(x.glob("lib/modules/*")) + list(x.glob("usr/lib/modules/*")) if p.is_dir())
            if not mroots:
                die(f"no modules in {kdeb.name}")
            mdir = mroots[0]
            kver = mdir.name
            img = None
            vmlinuz = x / "boot" / f"vmlinuz-{kver}"
            if vmlinuz.exists():
                if g.arch == "amd64" and _extract_vmlinux(vmlinuz, tmp / "vmlinux"):
                    img = "vmlinux"
                else:
                    shutil.copy(vmlinuz, tmp / "vmlinuz")
                    img = "vmlinuz"
            elif (x / "boot" / f"vmlinux-{kver}").exists():
                # Malta: Debian ships an ELF vmlinux, which qemu boots as it is.
                shutil.copy(x / "boot" / f"vmlinux-{kver}", tmp / "vmlinux")
                img = "vmlinux"
            else:
                die(f"no kernel image in {kdeb.name}")
            # Module path by name (file names use '-' or '_' interchangeably with module names).
            paths = {}
            for f in mdir.rglob("*.ko*"):
                n = f.name.split(".ko")[0].replace("-", "_")
                paths[n] = f
            builtin = (mdir / "modules.builtin").read_text() if (mdir / "modules.builtin").exists() else ""
            mods = tmp / "modules"
            mods.mkdir()
            order: list[str] = []
            seen: set[str] = set()

            def add(name: str) -> None:
                name = name.replace("-", "_")
                if name in seen:
                    return
                seen.add(name)
                f = paths.get(name)
                if f is None:
                    if f"/{name}.ko" in builtin or f"/{name.replace('_', '-')}.ko" in builtin:
                        return
                    die(f"module {name} not found in {kdeb.name}")
                dst = mods / f"{name}.ko"
                if f.name.endswith(".ko.xz"):
                    dst.write_bytes(lzma.decompress(f.read_bytes()))
                elif f.name.endswith(".ko.zst"):
                    dst.write_bytes(subprocess.run(["zstd", "-qdc", str(f)], capture_output=True, check=True).stdout)
                elif f.name.endswith(".ko.gz"):
                    dst.write_bytes(gzip.decompress(f.read_bytes()))
                else:
                    shutil.copy(f, dst)
                for d in _modinfo_depends(dst):
                    add(d)
                order.append(name)

            for m in kspec.modules:
                add(m)
            (mods / "order").write_text("".join(o + "\n" for o in order))
            (tmp / "image").write_text(img + "\n")
            (tmp / "version").write_text(kver + "\n")

    path = cache.build(path, builder, kdeb.name)
    img = (path / "image").read_text().strip()
    return Kernel(path / img, (path / "version").read_text().strip(), path / "modules", k)


def built_kernel(g: Guest) -> Kernel:
    """A kernel built here from Debian's linux-source with the guest's config fragment on top of
    tinyconfig (Debian's s390x kernel has no PPP). About 12 min on 2 busy cores the first time;
    cached by the source package's version, the fragment and the compiler."""
    ks: BuiltKernel = g.kernel
    frag = TOP / ks.fragment
    src_debs = debian.fetch(g.release, g.arch, [ks.source])
    sdeb = [d for d in debian.debs_in(src_debs) if d.name.startswith(ks.source + "_")]
    if not sdeb:
        die(f"{ks.source} was not downloaded")
    gcc = out([ks.cross + "gcc", "--version"]).splitlines()[0]
    k = cache.key(BUILT_KERNEL_REV, sdeb[0].name, frag.read_text(), ks.base, ks.target, ks.arch, gcc)
    path = cache.entry("kernel", k)

    def builder(tmp: Path) -> None:
        t0 = now()
        logf = tmp / "build.log"
        with tempfile.TemporaryDirectory(dir=tmp.parent, prefix="ksrc.") as x:
            x = Path(x)
            log(f"e2e: building the {g.arch} kernel from {sdeb[0].name} + {ks.fragment} (about 12 min cold; log {path}/build.log)")
            debian.unpack(sdeb[0], x / "deb")
            tars = sorted((x / "deb" / "usr" / "src").glob("linux-source-*.tar.*"))
            if not tars:
                die(f"no source tarball in {sdeb[0].name}")
            run(["tar", "-xf", tars[0], "-C", x], log_to=logf)
            shutil.rmtree(x / "deb")
            srcs = [p for p in x.iterdir() if p.is_dir() and p.name.startswith("linux-source")]
            tree = srcs[0]
            mk = ["make", "-C", tree, f"ARCH={ks.arch}", f"CROSS_COMPILE={ks.cross}"]
            run(mk + [ks.base], log_to=logf, nice=True)
            with open(tree / ".config", "a") as fh:
                fh.write("\n" + frag.read_text())
            run(mk + ["olddefconfig"], log_to=logf, nice=True)
            cfg = (tree / ".config").read_text()
            missing = []
            for line in frag.read_text().splitlines():
                line = line.strip()
                if line.startswith("CONFIG_"):
                    if not re.search(rf"^{re.escape(line)}$", cfg, re.M):
                        missing.append(line)
                elif line.startswith("# CONFIG_") and line.endswith(" is not set"):
                    opt = line[2:].split()[0]
                    if re.search(rf"^{opt}=", cfg, re.M):
                        missing.append(line)
            if missing:
                die(f"the {g.arch} kernel config lacks: {' '.join(missing)} (log {logf})")
            jobs = str(os.cpu_count() or 2)
            run(mk + ["-j" + jobs, ks.target], log_to=logf, nice=True)
            shutil.copy(tree / ks.image, tmp / "image.bin")
            shutil.copy(tree / ".config", tmp / "config")
            kver = out(mk + ["-s", "kernelrelease"]).strip()
            (tmp / "version").write_text(kver + "\n")
            (tmp / "image").write_text("image.bin\n")
            (tmp / "modules").mkdir()
            (tmp / "modules" / "order").write_text("")
            (tmp / "build-time").write_text(since(t0) + "\n")
        log(f"e2e: built the {g.arch} kernel in {since(t0)}s")

    path = cache.build(path, builder, f"{sdeb[0].name} {ks.fragment}")
    return Kernel(path / "image.bin", (path / "version").read_text().strip(), path / "modules", k)


def kernel(g: Guest, debdir: Path) -> Kernel:
    if isinstance(g.kernel, BuiltKernel):
        return built_kernel(g)
    return debian_kernel(g, debdir)


# --- the guest userland (base.cpio) --------------------------------------------------------------

def _usrpath(p: str) -> str:
    """A path inside an unpacked Debian tree -> its merged-/usr place in the guest."""
    p = p.lstrip("/")
    if re.match(r"^(bin|sbin|lib|lib64)/", p):
        p = "usr/" + p
    return p


class Stager:
    """Copies programs with their libraries from an unpacked Debian tree into a staging tree."""

    def __init__(self, g: Guest, rootdir: Path, stage: Path):
        self.g, self.root, self.stage = g, rootdir, stage
        self.done: set[str] = set()
        self.missing: list[str] = []

    def copy(self, src: str) -> None:
        """One path (file, or symlink chain) from the tree into the stage."""
        src = src.lstrip("/")
        dst = self.stage / _usrpath(src)
        if dst.exists() or dst.is_symlink():
            return
        dst.parent.mkdir(parents=True, exist_ok=True)
        s = self.root / src
        if s.is_symlink():
            t = os.readlink(s)
            os.symlink(t, dst)
            self.copy(t if t.startswith("/") else os.path.normpath(os.path.join(os.path.dirname(src), t)))
        else:
            shutil.copy2(s, dst)

    def resolve(self, p: str) -> str:
        """Follows a symlink chain inside the tree; the final path relative to the tree."""
        for _ in range(20):
            s = self.root / p
            if not s.is_symlink():
                break
            t = os.readlink(s)
            p = t.lstrip("/") if t.startswith("/") else os.path.normpath(os.path.join(os.path.dirname(p), t))
        return os.path.normpath(p)

    def find_lib(self, name: str) -> str | None:
        for d in self.g.libdirs:
            p = self.root / d / name
            if p.exists() or p.is_symlink():
                return f"{d}/{name}"
        return None

    def find(self, rel: str) -> str:
        for p in (rel, "usr/" + rel):
            if (self.root / p).exists():
                return p
        die(f"{rel} not found in the unpacked {self.g.release} {self.g.arch} packages")
        return ""

    def copy_elf(self, src: str) -> None:
        """An ELF file and, recursively, every shared object it needs, and its interpreter."""
        self.copy(src)
        real = self.resolve(src)
        if real in self.done:
            return
        self.done.add(real)
        e = elf.read(self.root / real)
        if e is None:
            return
        if e.interp:
            ip = e.interp.lstrip("/")
            if (self.root / ip).exists():
                self.copy_elf(ip)
            else:
                lib = self.find_lib(os.path.basename(ip))
                if lib is None:
                    self.missing.append(f"{os.path.basename(ip)} (for {src})")
                else:
                    self.copy_elf(lib)
                    link = self.stage / _usrpath(ip)
                    if not (link.exists() or link.is_symlink()):
                        link.parent.mkdir(parents=True, exist_ok=True)
                        os.symlink("/" + _usrpath(lib), link)
        for so in e.needed:
            lib = self.find_lib(so)
            if lib is None:
                self.missing.append(f"{so} (for {src})")
            else:
                self.copy_elf(lib)


def pppd_version_in(rootdir: Path) -> str | None:
    d = rootdir / "usr" / "lib" / "pppd"
    vs = sorted(p.name for p in d.iterdir()) if d.exists() else []
    return vs[0] if vs else None


def _busybox(g: Guest, rootdir: Path) -> tuple[Path, list[str]]:
    """The static busybox for the guest and its applet names."""
    if g.busybox == "host":
        bb = Path("/bin/busybox")
        applets = out([bb, "--list"]).split()
        return bb, applets
    bb = None
    for p in ("bin/busybox", "usr/bin/busybox"):
        if (rootdir / p).exists():
            bb = rootdir / p
    if bb is None:
        die(f"no busybox in the {g.release} {g.arch} packages")
    e = elf.read(bb)
    if e is None or e.interp:
        die(f"{bb} is not a static binary")
    qemu_user = {"armhf": "qemu-arm", "mipsel": "qemu-mipsel", "s390x": "qemu-s390x", "amd64": None}[g.arch]
    cmd = [qemu_user, str(bb), "--list"] if qemu_user else [str(bb), "--list"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    applets = r.stdout.split()
    if r.returncode != 0 or not applets:
        # The host's busybox-static: the same Debian source package and configuration.
        need_packages(["busybox-static"])
        applets = out(["/bin/busybox", "--list"]).split()
    return bb, applets


def base_cpio(g: Guest, rootdir: Path, k: Kernel) -> Path:
    """The guest userland: busybox, bash, pppd with its plugins, pppoe-server, pppoe, ip, tc,
    tcpdump, their libraries, the kernel modules, /etc files."""
    bbkey = out(["/bin/busybox", "--help"]).splitlines()[0] if g.busybox == "host" else "deb"
    # extra_progs only when there are some: the other guests' keys stay as they were.
    key = cache.key(BASE_REV, rootdir.name, k.key, bbkey, list(g.libdirs), g.arch,
                    *([list(g.extra_progs)] if g.extra_progs else []))
    path = cache.entry("base", key)

    def builder(tmp: Path) -> None:
        log(f"e2e: building the {g.release} {g.arch} guest userland")
        stage = tmp / "stage"
        for d in ("usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "dev", "proc", "sys", "tmp", "run", "etc/ppp", "var", "root"):
            (stage / d).mkdir(parents=True, exist_ok=True)
        for ln, t in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64"),
                      ("var/run", "../run")):
            os.symlink(t, stage / ln)
        ver = pppd_version_in(rootdir)
        if ver is None:
            die(f"no pppd plugin directory in the {g.release} {g.arch} packages")
        if ver != g.pppd:
            die(f"{g.release} {g.arch} ships pppd {ver}, expected {g.pppd}")
        st = Stager(g, rootdir, stage)
        for f in ("sbin/pppd", "sbin/pppoe-server", "sbin/pppoe", "sbin/pppoe-discovery", "bin/tcpdump",
                  "bin/ip", "sbin/tc", "bin/bash") + tuple(g.extra_progs):
            if f == "bin/tcpdump" and (rootdir / "usr/sbin/tcpdump").exists():
                f = "sbin/tcpdump"
            if f == "bin/ip" and not ((rootdir / "bin/ip").exists() or (rootdir / "usr/bin/ip").exists()):
                f = "sbin/ip"
            st.copy_elf(st.find(f))
        for so in sorted((rootdir / "usr" / "lib" / "pppd" / ver).glob("*.so")):
            st.copy_elf(f"usr/lib/pppd/{ver}/{so.name}")
        for d in g.libdirs:
            om = rootdir / d / "ossl-modules"
            if om.is_dir() and not om.is_symlink():
                for so in sorted(om.glob("*.so")):
                    st.copy_elf(f"{d}/ossl-modules/{so.name}")
                break
        if st.missing:
            die(f"guest libraries missing from the {g.release} {g.arch} package list: {', '.join(st.missing)}")
        bb, applets = _busybox(g, rootdir)
        shutil.copy(bb, stage / "usr/bin/busybox")
        for a in applets:
            if a == "busybox":
                continue
            if not any((stage / d / a).exists() or (stage / d / a).is_symlink() for d in ("usr/bin", "usr/sbin")):
                os.symlink("busybox", stage / "usr/bin" / a)
        mdir = stage / "usr/lib/modules" / k.version
        mdir.mkdir(parents=True)
        for f in k.modules.iterdir():
            shutil.copy(f, mdir / f.name)
        (stage / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        (stage / "etc/group").write_text("root:x:0:\nnogroup:x:65534:\n")
        (stage / "etc/pppd-version").write_text(ver + "\n")
        (stage / "etc/e2e-release").write_text(g.release + "\n")
        (stage / "etc/e2e-arch").write_text(g.arch + "\n")
        cpio.write(stage, tmp / "base.cpio")
        shutil.rmtree(stage)

    return cache.build(path, builder) / "base.cpio"


# --- everything a guest boots -------------------------------------------------------------------

@dataclass
class Prepared:
    guest: Guest
    kernel: Kernel
    base: Path
    root: Path
    debs: Path
    pieces: list  # more cpio pieces (client pppd), in order


def prepare(g: Guest) -> Prepared:
    d = timed(f"downloads {g.release} {g.arch}", debs, g)
    r = timed(f"unpack {g.release} {g.arch}", root, g, d)
    k = timed(f"kernel {g.name}", kernel, g, d)
    b = timed(f"userland {g.name}", base_cpio, g, r, k)
    return Prepared(g, k, b, r, d, [])


def overlay(g: Guest, outdir: Path, plugins: dict, extra_files: dict | None = None,
            etc_files: dict | None = None) -> Path:
    """outdir/overlay.cpio: the guest scripts (tests/e2e), /init, the plugins to test
    (/opt/e2e/<name>.so), scripts/pppoe-check, extra files {guest path: host path} and small
    text files {guest path: contents}."""
    ov = outdir / "overlay"
    shutil.rmtree(ov, ignore_errors=True)
    (ov / "e2e").mkdir(parents=True)
    (ov / "opt/e2e").mkdir(parents=True)
    for f in GUEST_SRC.iterdir():
        if f.is_file():
            shutil.copy(f, ov / "e2e" / f.name)
    shutil.copy(GUEST_SRC / "init", ov / "init")
    os.chmod(ov / "init", 0o755)
    for name, so in plugins.items():
        shutil.copy(so, ov / "opt/e2e" / f"{name}.so")
    pc = TOP / "scripts/pppoe-check"
    if pc.exists():
        shutil.copy(pc, ov / "e2e/pppoe-check")
    for gp, hp in (extra_files or {}).items():
        dst = ov / gp.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(hp, dst)
    for gp, text in (etc_files or {}).items():
        dst = ov / gp.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text)
    cpio.write(ov, outdir / "overlay.cpio")
    return outdir / "overlay.cpio"


def initrd(p: Prepared, outdir: Path, plugins: dict, extra_files: dict | None = None,
           etc_files: dict | None = None) -> Path:
    """outdir/initrd: base.cpio, the client pieces, the overlay (concatenated newc archives)."""
    ov = overlay(p.guest, outdir, plugins, extra_files, etc_files)
    dest = outdir / "initrd"
    with open(dest, "wb") as fh:
        for piece in [p.base] + p.pieces + [ov]:
            with open(piece, "rb") as src:
                shutil.copyfileobj(src, fh, 1 << 20)
    return dest
