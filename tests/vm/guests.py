"""The guests: each is a description, not code. tests/vm/build.py turns one into a kernel and an
initramfs, tests/vm/qemu.py boots it.

Fields:
    name          the label in reports ("2.4.9", "armhf-2.4.9", ...)
    pppd          the pppd version (of Debian's pppd, and of the client pppd built from its source)
    release, arch Debian release and architecture of the userland (and of the kernel package)
    qemu          qemu binary and machine arguments; qemu_pkg the host package that has it
    console       the kernel's console device (serial console = the harness's channel)
    mem           guest memory, MiB
    kernel        DebianKernel (Debian's image and the modules to load) or BuiltKernel (built here
                  from Debian's linux-source with a committed config fragment)
    libdirs       where the userland keeps its libraries (to resolve NEEDED entries)
    libc          the client side's C library: glibc (Debian's pppd) or musl/uclibc
    client_pppd   "debian" (Debian's pppd), or "musl"/"uclibc": pppd built at test time from
                  Debian's ppp source with scripts/sysroot's C library, beside Debian's (the AC
                  side stays Debian's)
    plugin        which build of our plugin: "x86_64-gnu" (cargo, the host's target) or
                  "cross:<rust triple>" (scripts/cross-build, i.e. scripts/release --layout cross,
                  which builds and checks glibc, musl and uClibc targets alike)
    plugin_env    environment variable that names a prebuilt .so instead (E2E_PLUGIN_SO_...)
    c_plugin      the C plugin run side by side with ours: "debian" (Debian's pppoe.so of the guest's
                  ppp package), "ppp-source" (rp-pppoe's pppoe.so built from the same Debian ppp
                  source as the client pppd, for its libc), or "" (none)
    busybox       "host": the host's busybox-static (amd64); "deb": the guest's own busybox-static
    extra_pkgs    more Debian packages; extra_progs: the programs of them the guest gets (paths
                  in the package tree; a program busybox also has replaces busybox's applet)
    scenarios     "x86": the scenarios of tests/e2e/scenarios.list; or the one router scenario name
    wd            guest watchdog and host timeout base, seconds, for its one router scenario
    cc, cc_pkg    a C cross compiler for the guest (and its host package): on 32-bit guests the
                  harness builds tests/e2e/settime64.c with it, and the router scenario sets the
                  clock past 2038 around the end of the session (the status file's time)
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Guest packages. Libraries are listed by hand; staging checks that every shared object the guest
# binaries need is present and names any that is missing.
PKGS_COMMON = ("ppp pppoe iproute2 tcpdump bash libc6 libgcc-s1 libcrypt1 libpam0g libaudit1 "
               "libcap-ng0 libsystemd0 libcap2 libgcrypt20 libgpg-error0 liblz4-1 liblzma5 libzstd1 "
               "libdbus-1-3 libbpf1 libbsd0 libmd0 zlib1g libmnl0 libselinux1 libpcre2-8-0 "
               "libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1 "
               "libxtables12 libtinfo6").split()
PKGS = {
    "bookworm": PKGS_COMMON + "libpcap0.8 libssl3 libdb5.3 libelf1 libtirpc3".split(),
    "trixie": PKGS_COMMON + "libpcap0.8t64 libssl3t64 libdb5.3t64 libelf1t64 libtirpc3t64 openssl-provider-legacy".split(),
}

# Kernel modules the guests load (dependencies are added from each module's depends= field).
# sch_netem: the status-file scenarios delay the AC's frames so that every state lasts long
# enough to be seen by polling. 8021q: the priority scenario dials over a VLAN device.
# virtio_pci, virtio_net, virtio_blk, crc32c_generic, ext4: the scenarios run as two VMs on one
# link, one of them with a disk (tests/vm/e2e.py SPLIT).
X86_MODULES = ("veth", "macvlan", "ppp_generic", "ppp_async", "pppox", "pppoe", "sch_netem", "8021q",
               "virtio_pci", "virtio_net", "virtio_blk", "crc32c_generic", "ext4")
# More packages of the x86_64 guests (and the programs base_cpio takes from them): iputils'
# ping (jumbo-mtu: `ping -M do`, which busybox's ping lacks) and libcap2-bin's capsh (caps: pppd
# with a reduced capability bounding set).
X86_EXTRA_PKGS = {
    "bookworm": ("iputils-ping", "libidn2-0", "libunistring2", "libcap2-bin"),
    "trixie": ("iputils-ping", "libidn2-0", "libunistring5", "libcap2-bin"),
}
X86_EXTRA_PROGS = ("bin/ping", "sbin/capsh")
ROUTER_MODULES = ("veth", "macvlan", "ppp_generic", "ppp_async", "pppox", "pppoe")


@dataclass(frozen=True)
class DebianKernel:
    flavour: str                 # linux-image-<flavour> metapackage
    modules: tuple


@dataclass(frozen=True)
class BuiltKernel:
    source: str                  # Debian package holding the source tarball
    arch: str                    # make ARCH=
    cross: str                   # make CROSS_COMPILE=
    cross_pkg: str               # host package with that compiler
    fragment: str                # config fragment, relative to the top of the clone
    image: str                   # the image make builds, relative to the source tree
    target: str                  # make target
    base: str = "tinyconfig"
    modules: tuple = ()          # everything the guest needs is built in


@dataclass(frozen=True)
class Guest:
    name: str
    pppd: str
    release: str
    arch: str
    qemu: tuple
    qemu_pkg: str
    console: str
    kernel: object
    libdirs: tuple
    plugin: str
    plugin_env: str
    c_plugin: str
    scenarios: str
    mem: int = 512
    libc: str = "glibc"
    client_pppd: str = "debian"
    busybox: str = "deb"
    extra_pkgs: tuple = ()
    extra_progs: tuple = ()      # programs of extra_pkgs to put into the guest (with their libraries)
    cc: str = ""                 # 32-bit guests: cross compiler for tests/e2e/settime64.c
    cc_pkg: str = ""
    wd: int = 75
    what: str = ""               # one line for reports: what this guest is
    c_note: str = ""             # why there is no C plugin here (c_plugin "")

    @property
    def x86(self) -> bool:
        return self.scenarios == "x86"

    def packages(self) -> list[str]:
        pk = list(PKGS[self.release]) + list(self.extra_pkgs)
        if self.busybox == "deb":
            pk.append("busybox-static")
        return pk


X86_ARGS = ("-accel", "tcg", "-cpu", "max")
X86_LIBDIRS = ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib64", "lib64", "usr/lib", "lib")
MIPSEL_LIBDIRS = ("usr/lib/mipsel-linux-gnu", "lib/mipsel-linux-gnu", "usr/lib", "lib")


def _x86(pppd: str, release: str) -> Guest:
    return Guest(
        name=pppd, pppd=pppd, release=release, arch="amd64",
        qemu=("qemu-system-x86_64",) + X86_ARGS, qemu_pkg="qemu-system-x86", console="ttyS0",
        kernel=DebianKernel("amd64", X86_MODULES), libdirs=X86_LIBDIRS,
        plugin="x86_64-gnu", plugin_env=f"E2E_PLUGIN_SO_{pppd.replace('.', '_')}", c_plugin="debian",
        scenarios="x86", busybox="host", extra_pkgs=X86_EXTRA_PKGS[release], extra_progs=X86_EXTRA_PROGS,
        what=f"x86_64, Debian {release}")


MALTA = ("qemu-system-mipsel", "-M", "malta", "-cpu", "24Kf", "-accel", "tcg")

GUESTS: dict[str, Guest] = {g.name: g for g in [
    _x86("2.4.9", "bookworm"),
    _x86("2.5.2", "trixie"),
    # The x86_64 guest of 2.4.9 with a client pppd built from Debian's ppp source against musl
    # (OpenWrt's libc); the AC side stays Debian's.
    Guest(
        name="musl-2.4.9", pppd="2.4.9", release="bookworm", arch="amd64",
        qemu=("qemu-system-x86_64",) + X86_ARGS, qemu_pkg="qemu-system-x86", console="ttyS0",
        kernel=DebianKernel("amd64", X86_MODULES), libdirs=X86_LIBDIRS,
        plugin="cross:x86_64-unknown-linux-musl", plugin_env="E2E_PLUGIN_SO_MUSL", c_plugin="ppp-source",
        scenarios="musl-pap", libc="musl", client_pppd="musl", busybox="host", wd=120,
        what="x86_64, musl pppd 2.4.9 built from Debian's ppp source"),
    Guest(
        name="armhf-2.4.9", pppd="2.4.9", release="bookworm", arch="armhf",
        qemu=("qemu-system-arm", "-M", "virt", "-cpu", "cortex-a15", "-accel", "tcg"),
        qemu_pkg="qemu-system-arm", console="ttyAMA0",
        kernel=DebianKernel("armmp", ROUTER_MODULES),
        libdirs=("usr/lib/arm-linux-gnueabihf", "lib/arm-linux-gnueabihf", "usr/lib", "lib"),
        plugin="cross:armv7-unknown-linux-gnueabihf", plugin_env="E2E_PLUGIN_SO_ARMHF", c_plugin="debian",
        scenarios="arm-pap", cc="arm-linux-gnueabihf-gcc", cc_pkg="gcc-arm-linux-gnueabihf",
        what="emulated 32-bit ARM router"),
    Guest(
        name="mipsel-2.4.9", pppd="2.4.9", release="bookworm", arch="mipsel",
        qemu=MALTA, qemu_pkg="qemu-system-mips", console="ttyS0", mem=256,
        kernel=DebianKernel("4kc-malta", ROUTER_MODULES), libdirs=MIPSEL_LIBDIRS,
        plugin="cross:mipsel-unknown-linux-gnu", plugin_env="E2E_PLUGIN_SO_MIPSEL", c_plugin="debian",
        # libcrypto.so.3 on mipsel needs libatomic.so.1.
        scenarios="mipsel-pap", extra_pkgs=("libatomic1",), wd=150,
        cc="mipsel-linux-gnu-gcc", cc_pkg="gcc-mipsel-linux-gnu",
        what="emulated 32-bit little-endian MIPS (Malta)"),
    # The same Malta guest; the client pppd is built from Debian's ppp source against uClibc-ng
    # (runs with ld-uClibc beside Debian's glibc AC side): the device class this plugin is for.
    Guest(
        name="uclibc-2.4.9", pppd="2.4.9", release="bookworm", arch="mipsel",
        qemu=MALTA, qemu_pkg="qemu-system-mips", console="ttyS0", mem=256,
        kernel=DebianKernel("4kc-malta", ROUTER_MODULES), libdirs=MIPSEL_LIBDIRS,
        plugin="cross:mipsel-unknown-linux-uclibc", plugin_env="E2E_PLUGIN_SO_UCLIBC", c_plugin="ppp-source",
        scenarios="uclibc-pap", libc="uclibc", client_pppd="uclibc", extra_pkgs=("libatomic1",), wd=150,
        cc="mipsel-linux-gnu-gcc", cc_pkg="gcc-mipsel-linux-gnu",
        what="emulated MIPS Malta, uClibc-ng pppd 2.4.9 built from Debian's ppp source"),
    Guest(
        name="s390x-2.4.9", pppd="2.4.9", release="bookworm", arch="s390x",
        qemu=("qemu-system-s390x", "-M", "s390-ccw-virtio", "-cpu", "max", "-accel", "tcg"),
        qemu_pkg="qemu-system-misc", console="ttysclp0",
        kernel=BuiltKernel(source="linux-source-6.1", arch="s390", cross="s390x-linux-gnu-",
                           cross_pkg="gcc-s390x-linux-gnu", fragment="tests/vm/kernels/s390x-pppoe.config",
                           image="arch/s390/boot/bzImage", target="bzImage"),
        libdirs=("usr/lib/s390x-linux-gnu", "lib/s390x-linux-gnu", "usr/lib", "lib"),
        plugin="cross:s390x-unknown-linux-gnu", plugin_env="E2E_PLUGIN_SO_S390X", c_plugin="debian",
        scenarios="bigendian-pap", wd=120, what="emulated big-endian s390x, kernel built from linux-source-6.1"),
]}

# Versions of the x86 guests (scripts/e2e --pppd, scripts/demo, scripts/bench).
X86_VERSIONS = ("2.4.9", "2.5.2")
