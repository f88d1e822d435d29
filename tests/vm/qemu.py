"""Booting a guest and reading what it says on its serial console.

The guest (tests/e2e/init) reports in lines "@@E2E {json}" (one JSON object a line, with an "ev"
field) and frames blocks of plain text (evidence, the demo's output) between a "-begin" and an
"-end" event. Everything else on the console is kept in console.log only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .guests import Guest

PREFIX = "@@E2E "


def command(g: Guest, kernel: Path, initrd: Path, words: list[str], mem: int | None = None,
            devices: tuple = ()) -> list[str]:
    """The qemu command line for a guest: one emulated CPU, no network device (-nic none:
    nothing leaves the VM), the serial console on stdio, power-off ends qemu. devices: more qemu
    arguments (the link and the disk of a scenario run as several VMs)."""
    q = list(g.qemu)
    # /dev/kvm here accepts only PVM guest kernels; a stock kernel needs software emulation.
    # E2E_ACCEL=kvm is for machines where KVM works with a stock kernel (x86 guests).
    if os.environ.get("E2E_ACCEL", "tcg") == "kvm" and q[0] == "qemu-system-x86_64":
        q = [q[0], "-accel", "kvm", "-cpu", "host"]
    extra = os.environ.get("E2E_QEMU_ARGS", "").split()
    m = mem or int(os.environ.get("E2E_MEM", g.mem))
    return q + extra + ["-smp", "1", "-m", str(m), "-nographic", "-nodefaults", "-serial", "stdio", "-nic", "none",
                        "-no-reboot", *devices, "-kernel", str(kernel), "-initrd", str(initrd),
                        "-append", f"console={g.console} quiet loglevel=3 panic=-1 " + " ".join(words)]


@dataclass
class Console:
    """What a boot produced: the events in order, text blocks by (kind, plugin, scenario)."""
    events: list = field(default_factory=list)
    blocks: dict = field(default_factory=dict)
    done: bool = False
    rc: int | None = None
    timed_out: bool = False
    secs: float = 0.0

    def of(self, ev: str) -> list:
        return [e for e in self.events if e.get("ev") == ev]


def boot(g: Guest, kernel: Path, initrd: Path, words: list[str], timeout: float, outdir: Path,
         on_event=None, on_text=None, mem: int | None = None, devices: tuple = ()) -> Console:
    """Boots the guest, copies its console (CR stripped) to outdir/console.log, and parses the
    events. A guest still running after timeout seconds is killed (its watchdog should have
    powered it off before). on_event(ev) is called for every event as it arrives, on_text(kind,
    line) for every line of a text block."""
    cmd = command(g, kernel, initrd, words, mem, devices)
    c = Console()
    t0 = time.monotonic()
    logf = open(outdir / "console.log", "w", errors="replace")
    logf.write("# " + " ".join(cmd) + "\n")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)

    def kill():
        c.timed_out = True
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    block = None  # (kind, plugin, scenario) while inside a text block
    try:
        for raw in p.stdout:
            line = raw.decode("utf-8", errors="replace").replace("\r", "").rstrip("\n")
            logf.write(line + "\n")
            logf.flush()
            i = line.find(PREFIX + "{")
            if i >= 0:
                try:
                    ev = json.loads(line[i + len(PREFIX):])
                except json.JSONDecodeError:
                    ev = None
                if isinstance(ev, dict):
                    name = ev.get("ev", "")
                    if name.endswith("-begin"):
                        block = (name[:-6], ev.get("plugin", ""), ev.get("scenario", ""))
                        c.blocks[block] = []
                    elif name.endswith("-end"):
                        block = None
                    elif name == "done":
                        c.done = True
                    c.events.append(ev)
                    if on_event:
                        on_event(ev)
                    continue
            if block is not None:
                c.blocks[block].append(line)
                if on_text:
                    on_text(block[0], line)
        p.wait()
    finally:
        timer.cancel()
        logf.close()
        if p.poll() is None:
            kill()
            p.wait()
    c.rc = p.returncode
    c.secs = time.monotonic() - t0
    (outdir / "events.json").write_text(json.dumps(c.events, indent=1) + "\n")
    return c
