"""scripts/demo: one real PPPoE session with our plugin, shown as a user would see it."""

from __future__ import annotations

import sys

from . import artifacts, build, qemu
from .core import Fatal, log, need_root
from .e2e import OUT, setup, Run
from .guests import GUESTS, X86_VERSIONS

USAGE = """\
Shows one real PPPoE session with our plugin: boots the e2e VM (pppd 2.4.9 by default), dials
one PAP session against pppoe-server with `plugin rp-pppoe.so nic-cli0` (`pppoe.so` on 2.5.2),
prints `ip addr show ppp0` and the client pppd log, and stops it with SIGTERM.

  scripts/demo [--pppd 2.4.9|2.5.2]

Uses the same cache and guest as scripts/e2e (run as root; the first run downloads the guest)."""


def main(argv: list[str]) -> int:
    ver = "2.4.9"
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--pppd" and i + 1 < len(argv):
            ver = argv[i + 1]
            i += 1
        elif a.startswith("--pppd="):
            ver = a.split("=", 1)[1]
        elif a in ("-h", "--help"):
            print(USAGE)
            return 0
        else:
            print(f"e2e: unknown argument {a} (see --help)", file=sys.stderr)
            return 2
        i += 1
    if ver not in X86_VERSIONS:
        print("e2e: --pppd takes 2.4.9 or 2.5.2", file=sys.stderr)
        return 2
    need_root()
    g = GUESTS[ver]
    outdir = OUT / ver
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        setup([Run(g, ["demo"], [], outdir)], True)
        prep = build.prepare(g)
        try:
            so = artifacts.plugin(g, OUT)
        except Fatal:
            logf = artifacts.build_log(OUT, g.name)
            log(f"demo: our plugin did not build for pppd {ver} ({logf}):")
            for ln in logf.read_text(errors="replace").splitlines()[-20:]:
                log(ln)
            return 1
        initrd = build.initrd(prep, outdir, {"ours": so}, etc_files={"/etc/e2e-client-libc": "libc.so.6\n"})
    except Fatal as e:
        print(f"e2e: {e}", file=sys.stderr)
        return 2
    log(f"demo: booting the pppd {ver} VM")
    c = qemu.boot(g, prep.kernel.image, initrd, ["e2e_mode=demo", "e2e_wd=120"], 180, outdir,
                  on_text=lambda kind, line: print(line, flush=True) if kind == "demo" else None)
    if not c.done:
        print(f"e2e: the VM did not finish ({outdir / 'console.log'})", file=sys.stderr)
        return 2
    return 0
