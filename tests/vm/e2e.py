"""scripts/e2e: real PPPoE sessions in qemu guests, our plugin beside Debian's C plugin."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import artifacts, build, cache, qemu
from .core import GUEST_SRC, TOP, Fatal, log, need_packages, need_root, now, since
from .guests import GUESTS, X86_VERSIONS, Guest

OUT = Path(os.environ.get("E2E_OUT", TOP / "target" / "e2e"))

# The router scenarios: one per guest that is not an x86_64 glibc one (tests/e2e/router.sh).
ROUTER_TEXT = {
    "musl-pap": "a PAP session on x86_64 with a client pppd 2.4.9 built at test time from Debian's ppp source against musl (OpenWrt's libc) and our x86_64-musl build; the C plugin: rp-pppoe's pppoe.so built from the same source",
    "arm-pap": "a PAP session on an emulated 32-bit ARM router: Debian armhf pppd 2.4.9 and pppoe-server, our armv7 build",
    "mipsel-pap": "a PAP session on an emulated 32-bit little-endian MIPS (qemu -M malta, Debian's 4kc-malta kernel): Debian mipsel pppd 2.4.9 and pppoe-server, our mipsel build",
    "uclibc-pap": "the same Malta guest with a client pppd 2.4.9 cross-built at test time from Debian's ppp source against uClibc-ng (runs with ld-uClibc beside Debian's glibc AC side) and our mipsel-uClibc build: the device class this plugin is for; the C plugin: rp-pppoe's pppoe.so built from the same source",
    "bigendian-pap": "a PAP session on an emulated big-endian s390x (kernel built at test time from Debian's linux-source-6.1 and tests/vm/kernels/s390x-pppoe.config): Debian s390x pppd 2.4.9 and pppoe-server, our s390x build",
}
ROUTER_CHECKS = ("each: ppp0 with the pool address, MTU/MRU 1492, ping both ways, \"PPP session is N\", MACREMOTE/ACNAME in "
                 "ip-up, PADS session id, the client's executable and the libc it has mapped; SIGTERM: exit 5, exactly one "
                 "PADT from the client, the AC logs the session closed; the C plugin beside ours where the guest has one")

@dataclass(frozen=True)
class Machine:
    """One VM of a scenario that runs as several (the guest sees e2e_role=ROLE, e2e_boot=N)."""
    role: str                  # the part the guest plays (tests/e2e/scenarios.sh dispatches on it)
    mac: str                   # MAC of its one network device, on the link shared with the others
    boots: int = 1             # boots one after the other, on the same link and disk
    disk_mib: int = 0          # an ext4 disk image made for the run, attached to every boot
    background: bool = False   # stays up while the next machines boot; they start once it emits "ready"


# Scenarios that are not one boot of one guest: their VMs, started in this order, on one virtual
# Ethernet link (qemu -netdev dgram between two UDP ports on the host's loopback; nothing leaves the
# host). Each boot gets e2e_prev_KEY=VALUE for every "pass" event of the boot before it; results,
# figures and evidence of all boots are merged into the scenario's one line.
SPLIT = {
    # The AC stays up in its own VM; the client's VM is powered off without a sync and boots again.
    "stale-after-reboot": (Machine("ac", "02:00:00:00:00:a1", background=True),
                           Machine("client", "02:00:00:00:00:10", boots=2, disk_mib=32)),
}

# Differences of Debian's C plugin that the report annotates instead of flagging:
# (pppd version, scenario, tag, reason); a C failure is known when every failed assertion's [tag]
# has an entry here (* matches any version or scenario).
KNOWN = [
    ("2.4.9", "sigterm-padt", "padt", "2.4.9's plugin sends no PADT"),
    ("2.4.9", "padi-opts-last", "padi", "2.4.9's plugin ignores pppoe-padi-* after the device word"),
    ("2.4.9", "*", "acname", "no ACNAME before 2.5.1"),
    ("*", "bad-host-uniq", "exit", "the C plugin exits 1 (fatal) on a malformed host-uniq"),
    ("*", "stale-session", "stale", "no stale-session cleanup"),
    ("*", "stale-after-reboot", "stale", "no session records: no PADT for the session left by the power cut"),
    ("2.4.9", "multi-session", "padt", "2.4.9's plugin sends no PADT"),
    ("2.4.9", "macvlan-sessions", "padt", "2.4.9's plugin sends no PADT"),
    ("*", "recovery", "stop", "pppd (persist, holdoff 0) redials at once after a failed connect and never sees a SIGTERM that came during discovery"),
    ("*", "sigterm-discovery", "exit", "the C plugin reports exit 8 (connect failed), not 5, for a SIGTERM during discovery"),
    ("*", "iface-down", "hang", "the C plugin keeps waiting, busy, when its interface goes down during discovery"),
    ("*", "jumbo-mtu", "mtu", "the C plugin caps PPP-Max-Payload at 1500 (until ppp 2.5.3)"),
    ("*", "jumbo-mtu", "mru", "the C plugin caps PPP-Max-Payload at 1500 (until ppp 2.5.3)"),
    ("*", "jumbo-mtu", "ping", "the C plugin caps PPP-Max-Payload at 1500 (until ppp 2.5.3)"),
    ("*", "jumbo-mtu", "frag", "the C plugin caps PPP-Max-Payload at 1500 (until ppp 2.5.3)"),
    ("*", "caps", "message", "the C plugin's error names no capability"),
    ("*", "updetach", "records", "the C plugin keeps no session records"),
    ("2.4.9", "arm-pap", "padt", "2.4.9's plugin sends no PADT"),
    ("2.4.9", "mipsel-pap", "padt", "2.4.9's plugin sends no PADT"),
    ("2.4.9", "bigendian-pap", "padt", "2.4.9's plugin sends no PADT"),
    ("2.4.9", "musl-pap", "padt", "2.4.9's plugin sends no PADT"),
    ("2.4.9", "uclibc-pap", "padt", "2.4.9's plugin sends no PADT"),
]

# The guest watchdog's allowance per scenario run, seconds (default 30): about 3 times the longest
# run seen on a loaded host (load 12 on 2 cores), so that only a hang trips it.
WD_WEIGHT = {"multi-session": 200, "macvlan-sessions": 200, "churn": 300, "stale-session": 60, "recovery": 60,
             "rfc4638": 45, "ac-hangup-persist": 45, "jumbo-mtu": 45, "dryrun": 45,
             "log-parity": 120, "stale-after-reboot": 300}

USAGE = """\
Real PPPoE sessions: pppd + our plugin (and, beside it, the C plugin) against pppoe-server, in two
network namespaces inside qemu guests (the host kernel needs no PPP). Run as root; sets everything
up on a fresh Debian machine.

  scripts/e2e                      every scenario on every guest, both plugins
  scripts/e2e pap sigterm-padt     only these scenarios
  scripts/e2e mipsel-pap           one router scenario (musl-pap arm-pap mipsel-pap uclibc-pap bigendian-pap)
  scripts/e2e --list               list the scenarios and what each asserts
  --plugin ours|c|both             which plugin(s) to run (default both)
  --pppd 2.4.9|2.5.2|all           which pppd version(s) (default all; the router guests are 2.4.9)
  --jobs N                         VMs at once (default 2)
  E2E_PLUGIN_SO_2_4_9=FILE (or _2_5_2, _MUSL, _ARMHF, _MIPSEL, _UCLIBC, _S390X) tests that .so as
                                   "ours" instead of building it
  E2E_TRACE=1                      traces every scenario (bash -x with times) into target/e2e/<guest>/evidence/
  E2E_WD=SECONDS                   guest watchdog (default: from the number of scenarios); the host
                                   kills qemu a minute later
  RP_PPPOE_CACHE=DIR               cache of guest packages, kernels and builds (/var/cache/rp-pppoe)
  E2E_OUT=DIR                      run files (console logs, results, evidence; default target/e2e)

The x86_64 guests: pppd 2.4.9 is bookworm's (with rp-pppoe 3.15's pppoe-server, user mode), pppd
2.5.2 trixie's (rp-pppoe 4.0's pppoe-server -k, kernel mode). The router guests (tests/vm/guests.py):
x86_64 with a musl pppd, armhf, mipsel, mipsel with a uClibc-ng pppd, s390x (big-endian).

Output: one line per scenario and guest with our plugin's result and the C plugin's beside it
(n/a: a feature the C plugin does not have), the figures measured for both below it, then
"N passed, N failed" for our plugin. Exit status 0 only if all of ours passed and every VM
finished. With --plugin c the C results are counted instead, and only failures that are not known
differences of the C plugin make the exit status non-zero."""


def die_usage(msg: str) -> None:
    print(f"e2e: {msg}", file=sys.stderr)
    sys.exit(2)


def x86_scenarios() -> list[tuple[str, str]]:
    out = []
    for line in (GUEST_SRC / "scenarios.list").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name = line.split()[0]
            out.append((name, line))
    return out


def router_guests() -> dict[str, Guest]:
    return {g.scenarios: g for g in GUESTS.values() if not g.x86}


def known_reason(ver: str, scen: str, reason: str) -> str | None:
    tags = sorted(set(re.findall(r"\[([a-z0-9-]+)\]", reason)))
    if not tags:
        return None
    out: list[str] = []
    for t in tags:
        why = None
        for kv, ks, kt, w in KNOWN:
            if (kv == "*" or kv == ver) and fnmatch.fnmatchcase(scen, ks) and kt == t:
                why = w
                break
        if why is None:
            return None
        if why not in out:
            out.append(why)
    return "; ".join(out)


@dataclass
class Run:
    """One guest in this run: what it runs and what came back."""
    guest: Guest
    names: list
    plugins: list                       # "ours" and/or "c", those actually run
    dir: Path
    ours_so: Path | None = None
    ours_err: str = ""                  # why our plugin is missing
    prep_err: str = ""                  # why the guest could not be prepared
    prep_log: Path | None = None
    c_note: str = ""                    # why the C plugin is not run here
    results: dict = field(default_factory=dict)   # (plugin, scenario) -> (res, reason)
    figures: list = field(default_factory=list)   # (plugin, scenario, key, value)
    evidence: dict = field(default_factory=dict)  # (plugin, scenario) -> lines
    done: bool = False
    t_build: str = "0"
    t_vm: str = "?"
    t_prep: str = "0"

    @property
    def label(self) -> str:
        return f"pppd {self.guest.name}" if self.guest.x86 else self.guest.name


class Slots:
    """At most n VMs at once; when a slot frees, the waiting guest that comes first in the run
    order gets it (the long x86_64 runs first, the short router runs fill in)."""

    def __init__(self, n: int):
        self.n = n
        self.cv = threading.Condition()
        self.waiting: set = set()

    def acquire(self, prio: int) -> None:
        with self.cv:
            self.waiting.add(prio)
            while self.n == 0 or min(self.waiting) != prio:
                self.cv.wait()
            self.waiting.remove(prio)
            self.n -= 1
            self.cv.notify_all()

    def release(self) -> None:
        with self.cv:
            self.n += 1
            self.cv.notify_all()


def main(argv: list[str]) -> int:
    plugin_sel, pppd_sel, jobs, names, do_list = "both", "all", None, [], False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--list":
            do_list = True
        elif a in ("--plugin", "--pppd", "--jobs"):
            if i + 1 >= len(argv):
                die_usage(f"{a} needs a value")
            i += 1
            v = argv[i]
            if a == "--plugin":
                plugin_sel = v
            elif a == "--pppd":
                pppd_sel = v
            else:
                jobs = v
        elif a.startswith(("--plugin=", "--pppd=", "--jobs=")):
            k, v = a.split("=", 1)
            if k == "--plugin":
                plugin_sel = v
            elif k == "--pppd":
                pppd_sel = v
            else:
                jobs = v
        elif a in ("-h", "--help"):
            print(USAGE)
            return 0
        elif a.startswith("-"):
            die_usage(f"unknown option {a} (see --help)")
        else:
            names.append(a)
        i += 1

    xs = x86_scenarios()
    routers = router_guests()
    if do_list:
        for _, line in xs:
            print(line)
        for name, g in routers.items():
            print(f"{name:<19} {ROUTER_TEXT.get(name, g.what)}")
        print(f"{'':<19} ({ROUTER_CHECKS})")
        return 0
    x_names = [n for n, _ in xs]
    for n in names:
        if n not in x_names and n not in routers:
            die_usage(f"no scenario '{n}' (scripts/e2e --list)")
    full_run = not names
    if plugin_sel == "both":
        plugins = ["ours", "c"]
    elif plugin_sel in ("ours", "c"):
        plugins = [plugin_sel]
    else:
        die_usage("--plugin takes ours, c or both")
    if pppd_sel == "all":
        versions = list(X86_VERSIONS)
    elif pppd_sel in X86_VERSIONS:
        versions = [pppd_sel]
    else:
        die_usage("--pppd takes 2.4.9, 2.5.2 or all")
    try:
        jobs_n = int(jobs) if jobs is not None else 2
        if jobs_n < 1:
            raise ValueError
    except ValueError:
        die_usage("--jobs takes a number of VMs")
    need_root()
    has_ours = plugins[0] == "ours"
    has_c = "c" in plugins

    # The guests and what each runs, in report order.
    runs: list[Run] = []
    for g in GUESTS.values():
        if g.pppd not in versions:
            continue
        if g.x86:
            sel = [n for n in x_names if full_run or n in names]
        else:
            sel = [g.scenarios] if (full_run or g.scenarios in names) else []
        if sel:
            runs.append(Run(g, sel, [], OUT / g.name))
    if not runs:
        print("0 passed, 0 failed")
        return 0

    T0 = now()
    try:
        setup(runs, has_ours)
        lint = shellcheck()
    except Fatal as e:
        print(f"e2e: {e}", file=sys.stderr)
        return 2
    t_setup = since(T0)
    log(f"e2e: host set up in {t_setup}s; preparing {len(runs)} guest(s), {jobs_n} VM(s) at once")
    slots = Slots(jobs_n)
    with ThreadPoolExecutor(max_workers=len(runs)) as ex:
        futs = [ex.submit(guest_run, r, plugins, slots, i) for i, r in enumerate(runs)]
        for f in futs:
            f.result()
    rc = report(runs, has_ours, has_c, T0, t_setup)
    if lint:
        print(f"e2e: {lint}")
        rc = rc or 1
    return rc


# The shell that runs inside the guests; it must pass shellcheck.
GUEST_SCRIPTS = ["tests/e2e/init", "tests/e2e/lib.sh", "tests/e2e/scenarios.sh", "tests/e2e/router.sh",
                 "tests/e2e/ip-up", "tests/e2e/ip-down", "tests/bench/guest.sh", "scripts/pppoe-check"]


def shellcheck() -> str:
    """shellcheck's findings on the guest scripts and the harness's self-tests' failures ("" when
    there are none)."""
    need_packages(["shellcheck", "cpio"])
    problems = []
    r = subprocess.run(["shellcheck", "-x", "-f", "gcc", *GUEST_SCRIPTS], cwd=TOP, capture_output=True, text=True)
    if r.returncode == 0:
        log(f"e2e: shellcheck: the {len(GUEST_SCRIPTS)} guest scripts pass")
    else:
        problems.append("shellcheck finds fault with the guest scripts:\n" +
                        ((r.stdout + r.stderr).strip() or f"shellcheck exited {r.returncode}"))
    r = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s", "tests", "-t", "tests", "-p", "test_vm.py"],
                       cwd=TOP, capture_output=True, text=True)
    if r.returncode == 0:
        log("e2e: the harness's self-tests pass (tests/vm/test_vm.py)")
    else:
        problems.append("the harness's self-tests fail (tests/vm/test_vm.py):\n" + (r.stdout + r.stderr).strip())
    return "\n".join(problems)


def setup(runs: list[Run], has_ours: bool) -> None:
    """What must not run in parallel: host packages (one dpkg), scripts/deps, rustup."""
    gs = [r.guest for r in runs]
    pk: list[str] = []
    for g in gs:
        pk += artifacts.host_packages(g) if (has_ours or g.client_pppd != "debian") else []
    build.host_deps(gs)
    need_packages(pk)
    if has_ours:
        artifacts.build_deps()
    cache.prune()


def guest_run(r: Run, plugins: list[str], slots: Slots, prio: int) -> None:
    g = r.guest
    r.dir.mkdir(parents=True, exist_ok=True)
    for f in ("console.log", "events.json"):
        (r.dir / f).unlink(missing_ok=True)
    if g.c_plugin != "debian":
        r.c_note = g.c_note or "no C plugin for this guest"
    t = now()
    try:
        prep = build.prepare(g)
        extra_piece = None
        c_so = None
        if g.client_pppd != "debian":
            cp = build.timed(f"client pppd {g.name}", artifacts.client_pppd, g)
            prep.pieces.append(cp["piece"])
            extra_piece = cp
            c_so = cp["c_plugin"]
            if c_so is not None and g.c_plugin == "ppp-source":
                r.c_note = ""
            elif g.c_plugin == "ppp-source":
                r.c_note = "rp-pppoe's pppoe.so did not build from the ppp source"
    except Exception as e:  # noqa: BLE001 - one guest's failure must not stop the others
        r.prep_err = str(e) if isinstance(e, Fatal) else traceback.format_exc()
        r.t_prep = since(t)
        log(f"e2e: preparing {r.label} failed: {r.prep_err.strip().splitlines()[-1]}")
        return
    r.t_prep = since(t)
    if "ours" in plugins:
        t = now()
        try:
            r.ours_so = artifacts.plugin(g, OUT)
        except Exception as e:  # noqa: BLE001
            r.ours_err = str(e) if isinstance(e, Fatal) else traceback.format_exc()
            log(f"e2e: building our plugin for {r.label} failed ({artifacts.build_log(OUT, g.name)})")
        r.t_build = since(t)
    run_pl = []
    for p in plugins:
        if p == "ours" and r.ours_so is None:
            continue
        if p == "c" and r.c_note:
            continue
        run_pl.append(p)
    r.plugins = run_pl
    if not run_pl:
        r.done = True
        r.t_vm = "0"
        return
    so = {}
    if r.ours_so is not None:
        so["ours"] = r.ours_so
    if c_so is not None and "c" in run_pl:
        so["c"] = c_so
    etc = {}
    if extra_piece:
        etc["/etc/e2e-client-pppd"] = extra_piece["pppd"] + "\n"
        etc["/etc/e2e-client-libc"] = extra_piece["libc"] + "\n"
    else:
        etc["/etc/e2e-client-libc"] = "libc.so.6\n"
    if g.c_plugin != "debian" and "c" not in so:
        etc["/opt/e2e/no-c-plugin"] = ""
    main_names = [n for n in r.names if n not in SPLIT]
    split_names = [n for n in r.names if n in SPLIT] if g.x86 else []
    nruns = len(main_names) * len(run_pl)
    if g.x86:
        wd = int(os.environ.get("E2E_WD", 120 + len(run_pl) * sum(WD_WEIGHT.get(n, 30) for n in main_names)))
        host_tmo = wd + 60
    else:
        wd = int(os.environ.get("E2E_WD", g.wd + 60 * nruns))
        host_tmo = wd + 60
    # "all": the guest leaves the SPLIT scenarios out itself.
    scen_arg = "all" if (g.x86 and len(r.names) == len(x86_scenarios())) else ",".join(main_names)
    words = ["e2e_mode=run", f"e2e_scen={scen_arg}", f"e2e_plugins={','.join(run_pl)}", f"e2e_wd={wd}"]
    if os.environ.get("E2E_DEADLINE"):
        words.append(f"e2e_deadline={os.environ['E2E_DEADLINE']}")
    if os.environ.get("E2E_TRACE"):
        words.append("e2e_trace=1")
    extra = {}
    if g.x86:
        # jumbo-mtu's access concentrator; without it that scenario fails with [setup].
        try:
            extra["/opt/e2e/pppoe-test-ac"] = str(artifacts.test_ac(artifacts.build_log(OUT, "pppoe-test-ac")))
        except Exception as e:  # noqa: BLE001
            log(f"e2e: building pppoe-test-ac failed: {e}")
    if g.cc:
        # The 32-bit guests' router scenario sets the clock past 2038 with it.
        try:
            extra["/opt/e2e/settime64"] = str(artifacts.settime64(g, artifacts.build_log(OUT, f"settime64-{g.arch}")))
        except Exception as e:  # noqa: BLE001
            log(f"e2e: building settime64 for {g.name} failed: {e}")
    if os.environ.get("E2E_GUEST_SCRIPT"):
        # A developer's own guest script, run by the guest with e2e_mode=shell.
        extra["/e2e/shell.sh"] = os.environ["E2E_GUEST_SCRIPT"]
        words[0] = "e2e_mode=shell"
    slots.acquire(prio)
    try:
        initrd = build.initrd(prep, r.dir, so, extra_files=extra, etc_files=etc)
        log(f"e2e: booting the {r.label} VM ({g.what}; {len(r.names)} scenario(s) x {len(run_pl)} plugin(s))")
        t = now()

        def on_event(ev):
            if ev.get("ev") == "result":
                log(f"  [{g.name}] {ev.get('plugin', ''):<4} {ev.get('scenario', ''):<20} {ev.get('result', '')} {ev.get('secs', ''):>5}s")
            elif ev.get("ev") in ("watchdog", "setup-failed"):
                log(f"  [{g.name}] {ev.get('ev').upper()} {ev.get('secs', '')}")

        secs = 0.0
        r.done = True
        if main_names:
            c = qemu.boot(g, prep.kernel.image, initrd, words, host_tmo, r.dir, on_event=on_event)
            secs += c.secs
            r.done = c.done
            collect(r, c)
        for n in split_names:
            for p in run_pl:
                secs += split_run(r, n, p, prep.kernel.image, initrd, on_event, words[4:])
        r.t_vm = f"{secs:.1f}"
    finally:
        slots.release()


def collect(r: Run, c: qemu.Console, label: str = "") -> None:
    """Results, figures and evidence of one boot into r; a result already there (from another boot
    of the same scenario) is merged: FAIL if either failed, the failures of both."""
    for ev in c.events:
        if ev.get("ev") == "result":
            fails = " ".join(x for x in ev.get("fails", "").split("\n") if x)
            key = (ev["plugin"], ev["scenario"])
            res = ev["result"]
            if key in r.results:
                res0, fails0 = r.results[key]
                res = "FAIL" if "FAIL" in (res0, res) else res0 if res0 == res else "PASS"
                fails = " ".join(x for x in (fails0, fails) if x)
            r.results[key] = (res, fails)
        elif ev.get("ev") == "figure":
            r.figures.append((ev["plugin"], ev["scenario"], ev["key"], ev["value"]))
    for (kind, p, s), lines in c.blocks.items():
        if kind == "evidence":
            if label:
                lines = [f"  | ===== {label}"] + lines
            r.evidence[(p, s)] = r.evidence.get((p, s), []) + lines
            ed = r.dir / "evidence"
            ed.mkdir(exist_ok=True)
            (ed / f"{p}-{s}.txt").write_text("\n".join(r.evidence[(p, s)]) + "\n")


def free_udp_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            so = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            so.bind(("127.0.0.1", 0))
            socks.append(so)
        return [so.getsockname()[1] for so in socks]
    finally:
        for so in socks:
            so.close()


def split_run(r: Run, name: str, plugin: str, kernel: Path, initrd: Path, on_event, more_words: list[str]) -> float:
    """Runs scenario NAME with PLUGIN as the VMs SPLIT describes; returns the seconds the VMs ran
    (the background ones overlap the others and are not counted twice)."""
    g = r.guest
    machines = SPLIT[name]
    if len(machines) != 2:
        raise Fatal(f"{name}: a dgram link joins exactly two VMs")
    base = r.dir / name / plugin
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    ports = free_udp_ports(2)
    wd = WD_WEIGHT.get(name, 30) + 60
    t0 = now()
    bg: list[threading.Thread] = []
    ok = True

    def devices(i: int, m: Machine) -> tuple:
        dev = ["-netdev", f"dgram,id=link,local.type=inet,local.host=127.0.0.1,local.port={ports[i]},"
               f"remote.type=inet,remote.host=127.0.0.1,remote.port={ports[1 - i]}",
               "-device", f"virtio-net-pci,netdev=link,mac={m.mac}"]
        if m.disk_mib:
            dev += ["-drive", f"file={base / (m.role + '.img')},format=raw,if=virtio,cache=writeback"]
        return tuple(dev)

    for i, m in enumerate(machines):
        if m.disk_mib:
            img = base / f"{m.role}.img"
            with open(img, "wb") as fh:
                fh.truncate(m.disk_mib << 20)
            subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "e2e", str(img)], check=True, capture_output=True)
        prev: dict = {}
        for b in range(1, m.boots + 1):
            words = ["e2e_mode=run", f"e2e_scen={name}", f"e2e_plugins={plugin}", f"e2e_wd={wd}",
                     f"e2e_role={m.role}", f"e2e_boot={b}"] + [w for w in more_words if not w.startswith("e2e_wd=")]
            words += [f"e2e_prev_{k}={v}" for k, v in prev.items()]
            out = base / f"{m.role}-{b}"
            out.mkdir()
            label = f"{name}, {m.role} VM, boot {b}"
            log(f"  [{g.name}] {plugin:<4} {name}: booting the {m.role} VM (boot {b} of {m.boots})")
            if m.background:
                ready = threading.Event()

                def on_ev(ev, ready=ready):
                    if ev.get("ev") in ("ready", "done"):
                        ready.set()
                    on_event(ev)

                def run_bg(m=m, b=b, out=out, words=words, on_ev=on_ev, ready=ready, label=label, i=i):
                    c = qemu.boot(g, kernel, initrd, words, wd + 60, out, on_event=on_ev, devices=devices(i, m))
                    ready.set()
                    collect(r, c, label)
                    if not c.done:
                        r.done = False

                t = threading.Thread(target=run_bg, daemon=True)
                t.start()
                bg.append(t)
                if not ready.wait(wd + 60):
                    ok = False
                continue
            c = qemu.boot(g, kernel, initrd, words, wd + 60, out, on_event=on_event, devices=devices(i, m))
            collect(r, c, label)
            if not c.done:
                r.done = False
                ok = False
                break
            prev = {ev["key"]: ev["value"] for ev in c.events if ev.get("ev") == "pass"}
        if not ok:
            break
    for t in bg:
        t.join(wd + 120)
    return now() - t0


def figures_of(r: Run, s: str) -> list[str]:
    keys: list[str] = []
    val: dict = {}
    for p, fs, k, v in r.figures:
        if fs != s:
            continue
        if k not in keys:
            keys.append(k)
        val[(k, p)] = v
    out = []
    for k in keys:
        line = "        " + k.replace("-", " ") + ":"
        sep = " "
        if (k, "ours") in val:
            line += sep + "ours " + val[(k, "ours")]
            sep = ", "
        if (k, "c") in val:
            line += sep + "C " + val[(k, "c")]
        out.append(line)
    return out


def tail(path: Path, n: int) -> list[str]:
    try:
        return path.read_text(errors="replace").splitlines()[-n:]
    except OSError:
        return []


def report(runs: list[Run], has_ours: bool, has_c: bool, T0: float, t_setup: str) -> int:
    passed = failed = 0
    lines: list[str] = []
    evid: list[tuple] = []
    vm_broken = False
    for r in runs:
        if r.prep_err:
            vm_broken = True
            print()
            print(f"=== {r.label}: the guest could not be prepared: {r.prep_err.strip().splitlines()[-1]}")
            for m in re.findall(r"\(log: ([^)]+)\)|log (\S+/build\.log)", r.prep_err):
                f = Path(m[0] or m[1])
                for ln in tail(f, 30):
                    print("  | " + ln)
        elif not r.done:
            vm_broken = True
            print()
            print(f"=== {r.label}: the VM did not finish (hung, crashed or timed out); last console lines:")
            for ln in tail(r.dir / "console.log", 40):
                print("  | " + ln)
    for r in runs:
        v = r.guest.name
        for s in r.names:
            ours = cres = cnote = ""
            if has_ours:
                if r.prep_err:
                    ours = f"FAIL [prepare] the guest could not be prepared"
                elif r.ours_so is None:
                    ours = f"FAIL [build] our plugin did not build for {r.label}"
                else:
                    res = r.results.get(("ours", s))
                    ours = (res[0] + (" " + res[1] if res[1] else "")) if res else "FAIL [vm] no result (VM hung or crashed)"
                if not ours.startswith("PASS"):
                    evid.append((r, "ours", s))
            if has_c and not r.c_note:
                res = r.results.get(("c", s))
                if r.prep_err:
                    cres = "FAIL [prepare] the guest could not be prepared"
                else:
                    cres = (res[0] + (" " + res[1] if res[1] else "")) if res else "FAIL [vm] no result (VM hung or crashed)"
                word = cres.split(" ", 1)[0]
                if word in ("PASS", "N/A"):
                    cnote = ""
                else:
                    why = known_reason(r.guest.pppd, s, cres.split(" ", 1)[1] if " " in cres else "")
                    if why:
                        cnote = f"known: {why}"
                    else:
                        cnote = "unexpected: " + (cres.split(" ", 1)[1] if " " in cres else "")[:110]
                        evid.append((r, "c", s))
            if has_ours:
                main = ours.split(" ", 1)[0]
                col = ""
                if has_c:
                    if r.c_note:
                        col = f"(C plugin: not run: {r.c_note})"
                    elif cres.split(" ", 1)[0] == "N/A":
                        col = "(C plugin: n/a)"
                    else:
                        col = f"(C plugin: {cres.split(' ', 1)[0]}{', ' + cnote if cnote else ''})"
                line = f"{main:<4}  {v:<5}  {s:<20} {col}".rstrip()
                if main != "PASS":
                    line += "\n      ours: " + (ours.split(" ", 1)[1] if " " in ours else "")
            else:
                if r.c_note:
                    main = "N/A"
                    line = f"{main:<4}  {v:<5}  {s:<20} (C plugin: not run: {r.c_note})"
                else:
                    main = cres.split(" ", 1)[0]
                    line = f"{main:<4}  {v:<5}  {s:<20} (C plugin{'; ' + cnote if cnote else ''})"
            if main == "PASS":
                passed += 1
            elif main != "N/A":
                failed += 1
            figs = figures_of(r, s)
            if figs:
                line += "\n" + "\n".join(figs)
            lines.append(line)

    shown_build: set = set()
    for r, p, s in evid:
        if r.prep_err:
            continue
        if p == "ours" and r.ours_so is None:
            if r.guest.name in shown_build:
                continue
            shown_build.add(r.guest.name)
            print()
            print(f"=== evidence: {r.label}, ours plugin: the build failed, every scenario fails")
            bl = artifacts.build_log(OUT, r.guest.name)
            print(f"  build log (last 30 lines of {bl.relative_to(TOP) if bl.is_relative_to(TOP) else bl}):")
            for ln in tail(bl, 30) or [r.ours_err]:
                print("  | " + ln)
            continue
        print()
        print(f"=== evidence: {r.label}, {p} plugin, scenario {s}")
        ev = r.evidence.get((p, s))
        if ev is not None:
            print("\n".join(ev))
        else:
            print("  (no evidence: the scenario did not finish)")

    print()
    for r in runs:
        print(f"timing: {r.label}: prepare {r.t_prep}s, build {r.t_build}s, VM {r.t_vm}s")
    # The preparation steps that did work (a cached one takes well under a second).
    done = {k: v for k, v in build.TIMES.items() if float(v) >= 1.0}
    for k in sorted(done):
        print(f"timing:   {k}: {done[k]}s")
    if len(done) < len(build.TIMES):
        print(f"timing:   {len(build.TIMES) - len(done)} more preparation steps found their result cached")
    print(f"timing: host setup {t_setup}s, total {since(T0)}s")
    print()
    for ln in lines:
        print(ln)
    print(f"{passed} passed, {failed} failed")
    sys.stdout.flush()
    if vm_broken:
        return 1
    if has_ours:
        return 0 if failed == 0 else 1
    return 0 if not [e for e in evid if e[1] == "c"] else 1
