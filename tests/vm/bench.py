"""scripts/bench: our plugin against Debian's C plugin on the same pppd; writes BENCHMARKS.md.

The guest side is tests/bench/guest.sh (run by the e2e guest's /init with e2e_mode=shell); it
reports raw timestamps as bench-* events, and everything is computed here. The statistics keep
the arithmetic of the earlier awk version (values and quantiles rounded to 6 significant digits,
as awk prints numbers), so reports stay comparable.
"""

from __future__ import annotations

import bisect
import collections
import datetime
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import json

from . import artifacts, build, debian, qemu
from .core import TOP, Fatal, log, need_root, now, out, since
from .e2e import Run, setup
from .guests import GUESTS, X86_VERSIONS

USAGE = """\
Benchmarks our plugin against Debian's C plugin on the same pppd, prints the tables and writes
BENCHMARKS.md. Run as root (it boots the e2e VM; see scripts/e2e).

  scripts/bench                    both pppd versions (2.4.9 and 2.5.2) in parallel VMs: 10
                                   sessions, 3 stale-session recoveries and 8, 32 and 64 pppds at
                                   once (macvlan and one interface) per plugin; 4-6 minutes on
                                   2 otherwise idle cores once built, at most about BENCH_WALL
  -n N                             measured sessions per plugin and pppd version (default 10)
  --stale R                        stale-session recoveries per plugin (default 3, 0: none)
  --multi N,N,...                  numbers of pppds started at once (default 8,32,64; 0: none)
  --multi-if macvlan,one           one pppd per macvlan device, and/or all on one interface (both)
  --pppd 2.4.9|2.5.2|all           which pppd version(s) (default all)
  --output FILE                    where the report goes (default BENCHMARKS.md at the top)
  --realtime                       plain emulation, guest clock = host clock (default: -icount, below)
  BENCH_BUDGET=SECONDS             no new session starts in a VM after this long, guest clock (300)
  BENCH_WALL=SECONDS               wall-clock budget of the whole run (default 570): no new
                                   stale-session or many-sessions run starts in a VM later than
                                   75 s before it ends (reported as not measured)
  BENCH_TIMEOUT=SECONDS            a VM still running after this long is killed (default: at the
                                   end of BENCH_WALL)
  E2E_MEM=MiB                      guest memory (default here 1024: 64 pppds on each side)

The guest runs with qemu's -icount shift=0,sleep=off: its clock advances 1 ns per guest
instruction and skips idle time, so times and CPU times count the instructions executed (a
1 GHz CPU at one instruction per cycle, about a small router's) and do not depend on the load
of the host or on qemu's translation work. --realtime measures wall-clock time instead.

What it measures:
  size      stripped .so bytes of ours for the 2.4.7, 2.4.9 and 2.5.2 ABIs and of Debian's C
            plugin for 2.4.9 and 2.5.2 (from the cached debs), their NEEDED libraries, and a
            breakdown of what takes the space in ours (2.4.7 ABI, x86_64)
  sessions  in one VM boot per pppd version (tests/bench/guest.sh), alternately with our plugin
            and the C plugin (warm-up ours, c, then ours, c, ours, c, ...), each session one pppd
            with `lcp-restart 1` (the AC too) and `persist holdoff 0`: the times from pppd's start
            to PADI, PADS (AC-side capture, tcpdump -tt) and ip-up (the guest clock), pppd's CPU
            time and VmHWM/VmRSS at ip-up; then the AC-side pppd is killed, pppoe-server sends
            PADT, and the time from that PADT to the next ip-up is the reconnect time.
  stale     in the same boot, alternately, each from a new AC (`pppoe-server -x 1`: one session
            per client MAC): a session up, its pppd killed with SIGKILL and started again with
            the same options; the times from that restart to PADI, PADS and ip-up. Ours ends the
            stale session with a PADT (from the record the killed pppd left), the C plugin waits
            until the AC has timed the old session out.
  multi     then N pppds started at once against one new AC, one per macvlan device (distinct
            MACs, as for several accounts) or all on one interface, ours then the C plugin for
            each N: sessions up, the time to the last ip-up, and the CPU time (schedstat) of all
            N pppds from their start until all are up. A plugin not bringing all up is a result.
Every row shows ours, the C plugin's and the ratio ours/C of the medians. Targets are reported,
never asserted: the exit status is non-zero only when something could not be measured."""

MEASURES = [
    ("start_padi", "pppd start → PADI sent", "ms", 1),
    ("start_pads", "pppd start → PADS", "ms", 1),
    ("turnaround", "PADO → PADR (client's turnaround on the wire)", "ms", 3),
    ("pads_up", "PADS → ip-up", "ms", 1),
    ("start_up", "pppd start → ip-up", "ms", 1),
    ("cpu_ticks", "pppd CPU, start → ip-up (utime+stime)", "ms", 0),
    ("cpu_ns", "pppd CPU, start → ip-up (schedstat)", "ms", 2),
    ("hwm", "pppd VmHWM at ip-up", "KiB", 0),
    ("rss", "pppd VmRSS at ip-up", "KiB", 0),
    ("reconnect", "reconnect: AC's PADT → ip-up (persist holdoff 0)", "ms", 1),
    ("redial", "reconnect: AC's PADT → PADI", "ms", 1),
    ("rediscover", "reconnect: AC's PADT → PADS", "ms", 1),
    ("rss2", "pppd VmRSS at ip-up after the reconnect", "KiB", 0),
]
STALE_MEASURES = [
    ("stale_padt", "restart → the client's PADT for the stale session", "s", 3),
    ("stale_padi", "restart → PADI", "s", 2),
    ("stale_pads", "restart → PADS", "s", 2),
    ("stale_up", "restart → ip-up", "s", 2),
    ("stale_npadi", "PADIs sent until the PADS", "", 0),
]


# --- numbers as awk prints them ------------------------------------------------------------------

def awk_str(x: float) -> str:
    """A number as awk's print writes it: integral values as integers, others with %.6g."""
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return "%.6g" % x


def num(s) -> float:
    """awk's string-to-number: the leading number, 0 if none."""
    m = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", str(s))
    return float(m.group(0)) if m else 0.0


def fmt(v: str, d: int) -> str:
    return "-" if v == "" else f"{num(v):.{d}f}"


def ratio(a: str, b: str) -> str:
    if a == "" or b == "" or num(b) == 0:
        return "-"
    return f"{num(a) / num(b):.2f}"


def _v(r: dict, k: str) -> bool:
    return k in r and r[k] != "" and r[k] != "-"


def values_runs(recs: list[dict], clk: int) -> list[tuple]:
    out = []
    for r in recs:
        if num(r.get("i", "")) < 1:
            continue
        p = r.get("p", "")

        def add(k, x):
            out.append((k, p, awk_str(x)))
        if _v(r, "t0") and _v(r, "padi"):
            add("start_padi", (num(r["padi"]) - num(r["t0"])) * 1000)
        if _v(r, "t0") and _v(r, "pads"):
            add("start_pads", (num(r["pads"]) - num(r["t0"])) * 1000)
        if _v(r, "pado") and _v(r, "padr"):
            add("turnaround", (num(r["padr"]) - num(r["pado"])) * 1000)
        if _v(r, "pads") and _v(r, "up"):
            add("pads_up", (num(r["up"]) - num(r["pads"])) * 1000)
        if _v(r, "t0") and _v(r, "up"):
            add("start_up", (num(r["up"]) - num(r["t0"])) * 1000)
        if _v(r, "utime") and _v(r, "stime"):
            add("cpu_ticks", (num(r["utime"]) + num(r["stime"])) * 1000 / clk)
        if _v(r, "ns"):
            add("cpu_ns", num(r["ns"]) / 1e6)
        if _v(r, "hwm"):
            out.append(("hwm", p, r["hwm"]))
        if _v(r, "rss"):
            out.append(("rss", p, r["rss"]))
        if _v(r, "padt") and _v(r, "up2"):
            add("reconnect", (num(r["up2"]) - num(r["padt"])) * 1000)
        if _v(r, "padt") and _v(r, "padi2"):
            add("redial", (num(r["padi2"]) - num(r["padt"])) * 1000)
        if _v(r, "padt") and _v(r, "pads2"):
            add("rediscover", (num(r["pads2"]) - num(r["padt"])) * 1000)
        if _v(r, "rss2"):
            out.append(("rss2", p, r["rss2"]))
    return out


def values_stale(recs: list[dict]) -> list[tuple]:
    out = []
    for r in recs:
        p = r.get("p", "")
        if not _v(r, "t1"):
            continue
        t1 = num(r["t1"])
        if _v(r, "padt"):
            out.append(("stale_padt", p, awk_str(num(r["padt"]) - t1)))
        if _v(r, "padi"):
            out.append(("stale_padi", p, awk_str(num(r["padi"]) - t1)))
        if _v(r, "pads"):
            out.append(("stale_pads", p, awk_str(num(r["pads"]) - t1)))
        if _v(r, "up"):
            out.append(("stale_up", p, awk_str(num(r["up"]) - t1)))
        if _v(r, "pads"):
            out.append(("stale_npadi", p, r.get("npadi", "")))
    return out


def values_multi(recs: list[dict]) -> list[tuple]:
    out = []
    for r in recs:
        p = r.get("p", "")
        k = f"multi_{r.get('if', '')}_{r.get('n', '')}_"
        up, n = num(r.get("up", "")), num(r.get("n", ""))
        out.append((k + "up", p, awk_str(up)))
        if up == n and _v(r, "last") and _v(r, "t0"):
            out.append((k + "wall", p, awk_str(num(r["last"]) - num(r["t0"]))))
            if _v(r, "cpu_ns") and num(r.get("alive", "")) == n:
                out.append((k + "cpu", p, awk_str(num(r["cpu_ns"]) / 1e9)))
        if up > 0 and _v(r, "own_ns"):
            out.append((k + "each", p, awk_str(num(r["own_ns"]) / up / 1e6)))
    return out


def stats(values: list[tuple]) -> dict:
    """{(key, plugin): {"n", "median", "min", "max", "q1", "q3"}} as strings (awk's print)."""
    xs: dict = collections.defaultdict(list)
    for k, p, v in values:
        xs[(k, p)].append(num(v))
    res = {}
    for kp, x in xs.items():
        x = sorted(x)
        n = len(x)

        def q(f):
            pos = 1 + (n - 1) * f
            lo = int(pos)
            hi = lo + 1 if lo < n else lo
            return x[lo - 1] + (x[hi - 1] - x[lo - 1]) * (pos - lo)
        res[kp] = {"n": str(n), "median": awk_str(q(0.5)), "min": awk_str(x[0]), "max": awk_str(x[-1]),
                   "q1": awk_str(q(0.25)), "q3": awk_str(q(0.75))}
    return res


def stat(st: dict, key: str, plugin: str, field: str) -> str:
    return st.get((key, plugin), {}).get(field, "")


def cell(st: dict, key: str, plugin: str, dec: int) -> str:
    med = stat(st, key, plugin, "median")
    if med == "":
        return "-"
    if stat(st, key, plugin, "n") == "1":
        return fmt(med, dec)
    return f"{fmt(med, dec)} ({fmt(stat(st, key, plugin, 'min'), dec)}–{fmt(stat(st, key, plugin, 'max'), dec)})"


# --- sizes ---------------------------------------------------------------------------------------

def machine() -> str:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        m = re.match(r"^model name\s*:\s*(.*)$", line)
        if m:
            model = m.group(1)
            break
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1])
    u = os.uname()
    return f"{os.cpu_count()} cores, {model or 'unknown CPU'}, {mem / 1048576:.1f} GiB RAM, {u.sysname} {u.release} {u.machine}"


def stripped_size(so: Path) -> str:
    with tempfile.TemporaryDirectory() as d:
        t = Path(d) / "s.so"
        subprocess.run(["strip", "--strip-all", "-o", str(t), str(so)], check=True)
        return str(t.stat().st_size)


def needed(so: Path) -> str:
    return ",".join(re.findall(r"\(NEEDED\).*\[(.*)\]", out(["readelf", "-d", str(so)])))


def sections(so: Path) -> dict:
    res = {}
    for i, line in enumerate(out(["size", "-A", str(so)]).splitlines()):
        w = line.split()
        if i >= 2 and len(w) >= 3 and w[1].isdigit() and w[2].isdigit() and int(w[1]) > 0 and int(w[2]) > 0:
            res[w[0]] = int(w[1])
    return res


def breakdown(so: Path) -> str:
    """Markdown tables of what takes the space in so (an unstripped build with line tables): by
    symbol (nm --size-sort, each function or object counted in the module its name belongs to),
    and by source file of each instruction (DWARF line table; code of core/alloc inlined into one
    of our functions counts for the module that called it)."""
    GROUPS = ["pppd boundary", "engine", "wire", "os+discovery", "status/stale", "text (log lines)",
              "core::fmt", "other core/alloc", "other"]

    def group_of_name(n):
        # The plugin crate (rp_pppoe) and, since the workspace split, its core crate.
        m = re.search(r"rp_pppoe(?:_core)?::(\w+)", n)
        if m:
            mod = m.group(1)
            if mod in ("pppd",):
                return "pppd boundary"
            if mod == "engine":
                return "engine"
            if mod == "wire":
                return "wire"
            if mod in ("os", "discovery"):
                return "os+discovery"
            if mod in ("status", "stale"):
                return "status/stale"
            if mod == "text":
                return "text (log lines)"
            return "pppd boundary"  # lib.rs: plugin entry, allocator, panic handler
        if n in ("plugin_init", "pppd_version"):
            return "pppd boundary"
        if "core::fmt" in n:
            return "core::fmt"
        if re.search(r"\b(core|alloc|compiler_builtins)::", n) or re.match(r"<(u8|u16|u32|u64|i32|char|str|usize)>", n):
            return "other core/alloc"
        if n.startswith("__rustc::") or n == "rust_begin_unwind":
            return "pppd boundary"
        return "other"

    def group_of_file(f):
        f = f.rstrip(":")
        if "library/core/src/fmt" in f:
            return "core::fmt"
        if "/library/" in f or f.startswith("library/") or "compiler_builtins" in f:
            return "other core/alloc"
        m = re.search(r"(?:^|/)src/(.*)$", f)
        if not m:
            return "other"
        p = m.group(1)
        if p.startswith("pppd/") or p == "lib.rs":
            return "pppd boundary"
        if p.startswith("engine"):
            return "engine"
        if p.startswith("wire"):
            return "wire"
        if p.startswith("os") or p.startswith("discovery"):
            return "os+discovery"
        if p.startswith("status") or p.startswith("stale"):
            return "status/stale"
        if p.startswith("text"):
            return "text (log lines)"
        return "other"

    o: list[str] = []
    nm = subprocess.run(["nm", "-n", "-S", "-C", str(so)], capture_output=True, text=True).stdout
    syms = []
    for line in nm.splitlines():
        m = re.match(r"^([0-9a-f]+) ([0-9a-f]+) (\w) (.*)$", line)
        if m:
            syms.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)))
    code: collections.Counter = collections.Counter()
    data: collections.Counter = collections.Counter()
    for a, s, k, n in syms:
        (code if k in "tTwW" else data)[group_of_name(n)] += s
    funcs = sorted((a, a + s, group_of_name(n), n) for a, s, k, n in syms if k in "tTwW" and s > 0)
    dl = subprocess.run(["objdump", "--dwarf=decodedline", str(so)], capture_output=True, text=True).stdout
    rows = []
    cur = None
    for line in dl.splitlines():
        if line.endswith(":") and " " not in line.strip():
            cur = line.strip()[:-1]
            continue
        parts = line.split()
        if len(parts) >= 3 and parts[2].startswith("0x") and cur:
            rows.append((int(parts[2], 16), None if parts[1] == "-" else cur))
    by_file: collections.Counter = collections.Counter()
    starts = [f[0] for f in funcs]
    last_own: dict = {}
    have_lines = len(rows) > 0
    for (a, f), nxt in zip(rows, rows[1:]):
        if f is None:
            continue
        b = nxt[0]
        if b <= a:
            continue
        i = bisect.bisect_right(starts, a) - 1
        fn = funcs[i] if i >= 0 and funcs[i][0] <= a < funcs[i][1] else None
        g = group_of_file(f)
        if fn is not None:
            own = fn[2] not in ("core::fmt", "other core/alloc", "other")
            if own:
                if g in ("core::fmt", "other core/alloc", "other"):
                    g = last_own.get(fn[0], fn[2])
                else:
                    last_own[fn[0]] = g
            else:
                g = fn[2]
        by_file[g] += min(b, fn[1]) - a if fn else b - a
    tc = sum(code.values())
    tf = sum(by_file.values())
    o.append("| module | code by symbol (nm) | data by symbol (nm) | code by source line (DWARF) |")
    o.append("|---|---:|---:|---:|")
    for g in GROUPS:
        bf = f"{by_file[g]:,}" if have_lines else "n/a"
        o.append(f"| {g} | {code[g]:,} | {data[g]:,} | {bf} |")
    o.append(f"| **total** | **{tc:,}** | **{sum(data.values()):,}** | **{tf:,}** |" if have_lines else
             f"| **total** | **{tc:,}** | **{sum(data.values()):,}** | n/a |")
    o.append("")
    o.append("Largest functions (nm --size-sort; with LTO, code of other modules is inlined into them):")
    o.append("")
    o.append("| bytes | function | module |")
    o.append("|---:|---|---|")
    for a, b, g, n in sorted(funcs, key=lambda f: f[0] - f[1])[:12]:
        n = n.replace("|", "\\|")
        if len(n) > 90:
            n = n[:87] + "..."
        o.append(f"| {b - a:,} | `{n}` | {g} |")
    return "\n".join(o)


# --- the run -------------------------------------------------------------------------------------

# Release targets' architectures -> Debian's (for its C plugin of the same architecture; Debian
# has no 32-bit big-endian MIPS any more).
DEB_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7": "armhf", "mipsel": "mipsel"}


def release_manifest(outdir: Path) -> dict | None:
    """dist/manifest.json of this tree: scripts/release runs first when it is missing or was made
    from another commit (about a minute when its caches are warm)."""
    mf = TOP / "dist" / "manifest.json"
    head = out(["git", "-C", str(TOP), "describe", "--always", "--dirty"]).strip()
    try:
        m = json.loads(mf.read_text())
    except (OSError, ValueError):
        m = None
    if m is None or m.get("git") != head:
        log("bench: scripts/release (the shipped files' sizes; log in target/bench/release.log)")
        with open(outdir / "release.log", "w") as fh:
            subprocess.run([str(TOP / "scripts/release")], cwd=TOP, stdout=fh, stderr=subprocess.STDOUT)
        try:
            m = json.loads(mf.read_text())
        except (OSError, ValueError):
            return None
    return m


def debian_c_plugins() -> dict:
    """Debian bookworm's C plugin (`/usr/lib/pppd/2.4.9/pppoe.so` of its `ppp` package, as
    shipped: stripped) per release architecture: {arch: (bytes, ppp version)}."""
    res = {}
    for arch, da in DEB_ARCH.items():
        try:
            debs = sorted(debian.fetch("bookworm", da, ["ppp"]).glob("ppp_*.deb"))
        except Fatal:
            continue
        if not debs:
            continue
        with tempfile.TemporaryDirectory() as t:
            debian.unpack(debs[0], Path(t))
            so = Path(t) / "usr/lib/pppd/2.4.9/pppoe.so"
            if so.is_file():
                res[arch] = (so.stat().st_size, debian.deb_field(debs[0], "Version"))
    return res


def shipped_sizes(m: dict, c: dict) -> tuple[list[str], list[int]]:
    """The table of every shipped plugin's size (bytes, as in the manifest) by target and pppd
    ABI, beside the C plugin of that architecture; and the sizes."""
    rows: dict = {}
    abis: list[str] = []
    for e in m.get("files", []):
        if e.get("kind") != "plugin":
            continue
        rows.setdefault((e["arch"], e["libc"], e["target"]), {})[e["pppd_version"]] = e["size"]
        if e["pppd_version"] not in abis:
            abis.append(e["pppd_version"])
    order = list(DEB_ARCH) + ["mips"]
    lines = ["| target | libc |" + "".join(f" pppd {a} |" for a in abis)
             + " C plugin, Debian bookworm 2.4.9 | ours/C (2.4.9) |",
             "|---|---|" + "---:|" * len(abis) + "---:|---:|"]
    sizes = []
    for (arch, libc, triple), by in sorted(rows.items(), key=lambda r: (order.index(r[0][0]) if r[0][0] in order else 99, r[0][1])):
        cs = c.get(arch)
        cell_c = f"{cs[0]:,}" if cs else "none (no Debian package)" if arch not in DEB_ARCH else "n/a"
        mid = by.get("2.4.9")
        rat = f"{mid / cs[0]:.2f}" if cs and mid else "-"
        lines.append(f"| `{triple}` | {libc} |" + "".join(f" {by[a]:,} |" if a in by else " - |" for a in abis)
                     + f" {cell_c} | {rat} |")
        sizes += list(by.values())
    return lines, sizes


def main(argv: list[str]) -> int:
    n, stale, multi, multi_if, pppd_sel, realtime = "10", "3", "8,32,64", "macvlan,one", "all", False
    output = TOP / "BENCHMARKS.md"

    def bad(msg):
        print(f"e2e: {msg}", file=sys.stderr)
        sys.exit(2)

    i = 0
    opts = {"-n": "n", "--stale": "stale", "--multi": "multi", "--multi-if": "multi_if", "--pppd": "pppd", "--output": "output"}
    vals = {}
    while i < len(argv):
        a = argv[i]
        if a in opts:
            if i + 1 >= len(argv):
                bad(f"{a} needs a value")
            vals[opts[a]] = argv[i + 1]
            i += 1
        elif "=" in a and a.split("=", 1)[0] in opts and a.startswith("--"):
            k, v = a.split("=", 1)
            vals[opts[k]] = v
        elif a == "--realtime":
            realtime = True
        elif a in ("-h", "--help"):
            print(USAGE)
            return 0
        else:
            bad(f"unknown argument {a} (see --help)")
        i += 1
    n = vals.get("n", n)
    stale = vals.get("stale", stale)
    multi = vals.get("multi", multi)
    multi_if = vals.get("multi_if", multi_if)
    pppd_sel = vals.get("pppd", pppd_sel)
    if "output" in vals:
        output = Path(vals["output"]).resolve()
    if pppd_sel == "all":
        versions = list(X86_VERSIONS)
    elif pppd_sel in X86_VERSIONS:
        versions = [pppd_sel]
    else:
        bad("--pppd takes 2.4.9, 2.5.2 or all")
    if not re.fullmatch(r"[1-9][0-9]*", n):
        bad("-n takes a number of sessions")
    if not re.fullmatch(r"[0-9]+", stale):
        bad("--stale takes a number of repetitions")
    if not re.fullmatch(r"[0-9]+(,[0-9]+)*", multi):
        bad("--multi takes numbers of pppds, comma-separated (0: none)")
    if not re.fullmatch(r"(macvlan|one)(,(macvlan|one))*", multi_if):
        bad("--multi-if takes macvlan, one or macvlan,one")
    need_root()
    budget = int(os.environ.get("BENCH_BUDGET", 300))
    wall_s = os.environ.get("BENCH_WALL", "570")
    if not re.fullmatch(r"[1-9][0-9]*", wall_s):
        bad("BENCH_WALL takes seconds")
    wall = int(wall_s)
    stale_n = int(stale)
    multis = [int(x) for x in multi.split(",")]
    ifs = multi_if.split(",")
    multi_runs = len([x for x in multis if x != 0]) * len(ifs)
    guest_wd = budget + 120 + stale_n * 2 * 90 + multi_runs * 2 * 150
    multi_wait = 90
    os.environ.setdefault("E2E_MEM", "1024")
    os.environ["E2E_QEMU_ARGS"] = "" if realtime else "-icount shift=0,sleep=off"
    outdir = Path(os.environ.get("BENCH_OUT", TOP / "target" / "bench"))
    outdir.mkdir(parents=True, exist_ok=True)

    T0 = now()
    T0_S = int(time.time())
    date_run = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    deadline = T0_S + wall - 75
    load_start = " ".join(Path("/proc/loadavg").read_text().split()[:3])

    # --- builds and guests
    preps = {}
    try:
        t = now()
        setup([Run(GUESTS[v], ["bench"], [], outdir / v) for v in versions], True)
        for v in versions:
            preps[v] = build.prepare(GUESTS[v])
        log(f"bench: prepared in {since(t)}s")
    except Fatal as e:
        print(f"e2e: {e}", file=sys.stderr)
        return 2
    t = now()
    abis = ["2.4.7", "2.4.9", "2.5.2"]
    SO: dict = {}
    threads = []

    def build_ours(v):
        pre = os.environ.get(f"E2E_PLUGIN_SO_{v.replace('.', '_')}")
        logf = artifacts.build_log(outdir, v)
        try:
            if pre:
                logf.write_text(f"using {pre}\n")
                SO[v] = Path(pre) if Path(pre).is_file() else None
            else:
                logf.write_text("")
                SO[v] = artifacts.x86_64_gnu(v, logf)
        except Fatal:
            SO[v] = None

    for v in abis:
        th = threading.Thread(target=build_ours, args=(v,))
        th.start()
        threads.append(th)
    bloat_dir = Path(os.environ.get("BENCH_BLOAT_DIR", "/tmp/bloat"))
    # The same 2.4.7 build with one part compiled out (a --cfg the code checks): what that part costs, for the
    # size section. Never shipped.
    without = {
        "log lines": ("rp_pppoe_no_log_lines", "nolog"),
        "status file": ("rp_pppoe_no_status_file", "nostatus"),
        "stale-session records": ("rp_pppoe_no_stale_records", "nostale"),
    }
    without_so = {part: Path(f"{bloat_dir}-{tag}") / "release/librp_pppoe.so" for part, (_, tag) in without.items()}
    log(f"bench: building the unstripped 2.4.7 plugin for the size breakdown (--target-dir {bloat_dir})")

    def build_extra(env, tdir, logname):
        e = dict(os.environ, **env)
        with open(outdir / logname, "w") as fh:
            subprocess.run(["cargo", "build", "--release", "-p", "rp-pppoe", "--lib", "--target-dir", str(tdir)], cwd=TOP, env=e,
                           stdout=fh, stderr=subprocess.STDOUT)

    extra = [({"CARGO_PROFILE_RELEASE_STRIP": "false", "CARGO_PROFILE_RELEASE_DEBUG": "line-tables-only",
                "PPPD_VERSION": "2.4.7"}, bloat_dir, "build-bloat.log")]
    extra += [({"RUSTFLAGS": f"--cfg {cfg}", "PPPD_VERSION": "2.4.7"}, Path(f"{bloat_dir}-{tag}"), f"build-{tag}.log")
              for cfg, tag in without.values()]
    for env, tdir, logname in extra:
        th = threading.Thread(target=build_extra, args=(env, tdir, logname))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    build_failed = False
    for v in abis:
        if SO.get(v) is None:
            build_failed = True
            log(f"bench: our plugin did not build for pppd {v} ({outdir}/build-{v}.log)")
    bloat_so = bloat_dir / "release/librp_pppoe.so"
    if not bloat_so.is_file():
        log(f"bench: the unstripped build failed ({outdir}/build-bloat.log)")
    for part, so in without_so.items():
        if not so.is_file():
            log(f"bench: the build without the {part} failed ({outdir}/build-{without[part][1]}.log)")
    T_BUILD = since(t)
    log(f"bench: built in {T_BUILD}s")

    # --- the VM runs
    consoles: dict = {}

    def progress(v, ev):
        e = ev.get("ev", "")
        r = ev
        if e == "bench-run":
            up = f"{num(r['up']) - num(r['t0']):.2f} s" if r.get("up") and r.get("t0") else "no session"
            re_ = f"{num(r['up2']) - num(r['padt']):.2f} s" if r.get("up2") and r.get("padt") else "none"
            log(f"  [{v}] {r.get('p', ''):<4} #{r.get('i', ''):<2} up in {up}, back after PADT in {re_}")
        elif e == "bench-stale":
            up = f"{num(r['up']) - num(r['t1']):.2f} s" if r.get("up") and r.get("t1") else "no new session"
            log(f"  [{v}] {r.get('p', ''):<4} stale #{r.get('i', ''):<2} restart to new session in {up}")
        elif e == "bench-multi":
            last = f"{num(r['last']) - num(r['t0']):.2f} s" if r.get("last") else "-"
            log(f"  [{v}] {r.get('p', ''):<4} {int(num(r.get('n', ''))):2d} pppds on {r.get('if', ''):<7} {int(num(r.get('up', '')))} up,"
                f" the last after {last}, CPU of all {num(r.get('cpu_ns', '')) / 1e9:.3f} s")
        elif e == "bench-phase":
            log(f"  [{v}] phase {r.get('name', '')} {r.get('secs', '')} s (guest clock)")
        elif e == "bench-skipped":
            log(f"  [{v}] not started (BENCH_WALL): {r.get('what', '')}")
        elif e == "bench-note":
            log(f"  [{v}] {r.get('text', '')}")
        elif e in ("watchdog", "setup-failed"):
            log(f"  [{v}] {e.upper()} {r.get('secs', '')}")

    boot_time = {}

    def boot_one(v):
        g = GUESTS[v]
        d = outdir / v
        d.mkdir(parents=True, exist_ok=True)
        t1 = now()
        plugins = {"ours": SO[v]} if SO.get(v) else {}
        initrd = build.initrd(preps[v], d, plugins, extra_files={"/e2e/shell.sh": TOP / "tests/bench/guest.sh"},
                              etc_files={"/etc/e2e-client-libc": "libc.so.6\n"})
        tmo = int(os.environ.get("BENCH_TIMEOUT", T0_S + wall - int(time.time())))
        tmo = max(tmo, 60)
        words = ["e2e_mode=shell", f"e2e_wd={guest_wd}", f"bench_n={n}", f"bench_budget={budget}", f"bench_stale={stale}",
                 f"bench_multi={multi}", f"bench_multi_if={multi_if}", f"bench_multi_wait={multi_wait}",
                 f"bench_deadline={deadline}"]
        consoles[v] = qemu.boot(g, preps[v].kernel.image, initrd, words, tmo, d, on_event=lambda ev: progress(v, ev))
        boot_time[v] = since(t1)

    threads = []
    for v in versions:
        log(f"bench: booting the pppd {v} VM ({GUESTS[v].release}): {n} sessions, {stale} stale-session recoveries,"
            f" {multi} pppds at once ({multi_if}) per plugin")
        th = threading.Thread(target=boot_one, args=(v,))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    load_end = " ".join(Path("/proc/loadavg").read_text().split()[:3])

    # --- report
    missing = False
    ST, CLK, KVER, RUNS, STALE, MULTI, SKIPPED, NOTES = {}, {}, {}, {}, {}, {}, {}, {}
    for v in versions:
        c = consoles[v]
        RUNS[v] = [e for e in c.events if e.get("ev") == "bench-run"]
        info = next((e for e in c.events if e.get("ev") == "bench-info"), {})
        CLK[v] = int(num(info.get("clk_tck", "100"))) or 100
        KVER[v] = info.get("kernel") or preps[v].kernel.version or "?"
        STALE[v] = [e for e in c.events if e.get("ev") == "bench-stale"]
        MULTI[v] = [e for e in c.events if e.get("ev") == "bench-multi"]
        SKIPPED[v] = [e.get("what", "") for e in c.events if e.get("ev") == "bench-skipped"]
        NOTES[v] = [e.get("text", "") for e in c.events if e.get("ev") == "bench-note"]
        ST[v] = stats(values_runs(RUNS[v], CLK[v]) + values_stale(STALE[v]) + values_multi(MULTI[v]))
        if not any(e.get("ev") == "bench-end" for e in c.events):
            missing = True
            log(f"bench: the pppd {v} VM did not finish (see {outdir / v / 'console.log'})")
        got = len([r for r in STALE[v] if re.match(r"[0-9]", r.get("t1", ""))])
        if got < 2 * stale_n:
            missing = True
            log(f"bench: pppd {v}: {got} of {2 * stale_n} stale-session runs measured")
        got = len(MULTI[v])
        if got < 2 * multi_runs:
            missing = True
            log(f"bench: pppd {v}: {got} of {2 * multi_runs} many-sessions runs measured")

    def deb_version(v, pkg):
        for f in sorted(preps[v].debs.glob(f"{pkg}_*.deb")):
            return out(["dpkg-deb", "-f", str(f), "Version"]).strip()
        return "?"

    def c_so(v):
        return preps[v].root / "usr/lib/pppd" / v / "pppoe.so" if v in preps else Path("/nonexistent")

    def med(v, key, p):
        return stat(ST[v], key, p, "median")

    L: list[str] = []
    w = L.append
    qv = re.search(r"^QEMU emulator version (\S+)", out(["qemu-system-x86_64", "--version"]), re.M)
    SIZE: dict = {}

    w("# Benchmarks: our plugin against Debian's C plugin")
    w("")
    w(f"Written by `scripts/bench` on {date_run} in {since(T0)} s; run it again to refresh (it overwrites this file).")
    w("")
    w(f"- Machine: {machine()}.")
    w(f"- Load average (1, 5, 15 min): {load_start} at the start, {load_end} at the end. The benchmark itself keeps")
    w("  about 2 cores busy (one VM per pppd version); anything above that is other work on this machine (here: other")
    w("  VM suites, fuzzing, builds), which is why both plugins are measured alternately in the same boot.")
    w(f"- Guest: {'qemu ' + qv.group(1) if qv else ''} software emulation (TCG, 1 vCPU, {os.environ['E2E_MEM']} MiB; this machine's KVM takes no")
    w("  stock kernel), two network namespaces joined by a veth pair, nothing leaves the VM.")
    if not realtime:
        w("- Clock: `-icount shift=0,sleep=off`: the guest clock advances 1 ns per guest instruction and skips idle time.")
        w("  Every time and CPU time below therefore counts instructions executed, as on a 1 GHz CPU retiring one")
        w("  instruction per cycle with no cache misses (the order of a small router), plus the protocol's own waits; it")
        w("  does not depend on the host's load or on qemu's translation work, so repeated sessions give nearly the")
        w("  same figures. Real CPUs differ in instructions per cycle and caches: the ratios are the result.")
    else:
        w("- Clock: wall clock (`--realtime`): plain emulation, every time includes qemu's translation work (larger")
        w("  code costs more the first time it runs in each pppd) and the host's load; absolute times are many times")
        w("  those on hardware, and spreads are wide on a loaded host. The ratios are the result.")
    for v in versions:
        rel = GUESTS[v].release
        if v == "2.4.9":
            w(f"- pppd {v}: Debian {rel} `ppp` {deb_version(v, 'ppp')}, kernel {KVER[v]}; AC: `pppoe-server` from `pppoe` {deb_version(v, 'pppoe')} (user mode).")
        else:
            w(f"- pppd {v}: Debian {rel} `ppp` {deb_version(v, 'ppp')}, kernel {KVER[v]}; AC: `pppoe-server -k` from `pppoe` {deb_version(v, 'pppoe')} (kernel mode).")
    w(f"- Sessions: {n} measured per plugin and pppd version after one warm-up each, alternately (ours, C, ours, C, ...).")
    w("  Client: `pppd nodetach lcp-restart 1 noauth noipdefault nodefaultroute lcp-echo-interval 1 lcp-echo-failure 3")
    w("  user test password test persist holdoff 0 maxfail 0 plugin rp-pppoe.so nic-cli0` (`pppoe.so` on 2.5.2), the AC's")
    w("  pppd `require-pap lcp-restart 1`. Our plugin replaces Debian's `pppoe.so` file, as users would install it.")
    w("- Times: pppd start is the guest clock right before `exec pppd`; PADI, PADO, PADR, PADS and PADT are the kernel")
    w("  capture times on the AC side (`tcpdump -tt`); ip-up is the guest clock at the start of the ip-up script, which")
    w("  also reads pppd's `/proc/PID/status` (VmHWM, VmRSS), `/proc/PID/stat` (utime+stime, clock ticks of")
    w("  10 ms) and `/proc/PID/schedstat` (CPU time in ns). Reconnect: the AC-side pppd is killed, `pppoe-server`")
    w("  sends PADT, pppd redials at once (`persist holdoff 0`); the time is from that PADT to the next ip-up.")
    w("- Cells: median (min–max) over the sessions; ours/C is the ratio of the medians.")
    w("")
    manifest = release_manifest(outdir)
    SHIPPED, SHIPPED_SIZES = shipped_sizes(manifest, debian_c_plugins()) if manifest else ([], [])
    w("## Size")
    w("")
    w("Stripped (`strip --strip-all`) x86_64 `.so` bytes. Ours: `PPPD_VERSION=V cargo build --release --target-dir target/pppd-V`.")
    w("The C plugin: Debian's `/usr/lib/pppd/V/pppoe.so`; there is no package of pppd 2.4.7 to take it from.")
    w("")
    w("| pppd ABI | ours | C plugin | ours/C | ours needs | C plugin needs |")
    w("|---|---:|---:|---:|---|---|")
    for a in abis:
        os_, cs, on, cn = "", "", "-", "-"
        if SO.get(a):
            os_ = stripped_size(SO[a])
            on = needed(SO[a])
        if a != "2.4.7" and c_so(a).is_file():
            cs = stripped_size(c_so(a))
            cn = needed(c_so(a))
        w(f"| {a} | {os_ or '-'} | {cs or 'n/a'} | {ratio(os_, cs)} | {on} | {cn} |")
        SIZE[a] = os_
    w("")
    w("### Every shipped file")
    w("")
    if manifest is None:
        w(f"Not available: `scripts/release` failed (see {outdir}/release.log).")
    else:
        w(f"What `scripts/release` ships (`dist/manifest.json`, {manifest.get('git', '?')}): stripped bytes per target and")
        w("pppd ABI, beside Debian bookworm's C plugin for pppd 2.4.9 of the same architecture (its `ppp` package,")
        w("as shipped; Debian has no 32-bit big-endian MIPS). The C plugin has fewer features (no stale-session")
        w("records, status file, kernel filter, PADT on every version, RFC 4638 on 2.4.x).")
        w("")
        for line in SHIPPED:
            w(line)
    for v in versions:
        st = ST[v]
        w("")
        w(f"## pppd {v}")
        w("")
        w("| measure | unit | ours | C plugin | ours/C |")
        w("|---|---|---:|---:|---:|")
        nn = stat(st, "start_up", "ours", "n")
        for key, label, unit, dec in MEASURES:
            w(f"| {label} | {unit} | {cell(st, key, 'ours', dec)} | {cell(st, key, 'c', dec)} | {ratio(med(v, key, 'ours'), med(v, key, 'c'))} |")
        w("")
        w(f"Sessions measured: ours {nn or 0}, C plugin {stat(st, 'start_up', 'c', 'n')}.")
        w(f"Reconnects measured: ours {stat(st, 'reconnect', 'ours', 'n')}, C plugin {stat(st, 'reconnect', 'c', 'n')}.")
        notes = NOTES[v][:40]
        if notes:
            w("")
            w("Notes from the guest:")
            w("")
            for nt in notes:
                w("    " + nt)
    w("")
    # Stale sessions and many sessions.
    w("## Stale-session recovery and many sessions")
    w("")
    w("Measured in the same VM boots, after the sessions above, on the same clock; the client pppds use the options")
    w("above without `persist`.")
    w("")
    w("- Stale session: a new `pppoe-server -x 1` (one session per client MAC) for each run, its pppd with")
    w("  `lcp-echo-interval 2 lcp-echo-failure 3` (it times a silent client out after about 8 s), no records left in")
    w("  `/var/run/pppoe-rs`. A session comes up, its pppd is killed with SIGKILL (no PADT, no LCP Terminate) and")
    w("  started again with the same options; times from that restart (the guest clock right before `exec pppd`) to")
    w("  the client's PADT, PADI and PADS (AC-side capture) and to ip-up. Ours reads the record the killed pppd left,")
    w("  sends a PADT for the stale session and gives the AC a pause to release it before its PADI; the C plugin sends")
    w("  no PADT, and its PADIs (5 s, then 10 s apart) get an answer once the AC has timed the old session out. Runs per")
    w(f"  plugin: {stale}, alternately (ours, C, ours, C, ...).")
    w("- Many sessions: N pppds started at once by one shell in the client namespace against one new AC")
    w("  (`pppoe-server -N N+8`, its pppds `lcp-restart 3`), each with `nodetach lcp-restart 1 lcp-max-configure 150 noauth")
    w("  noipdefault nodefaultroute` and no LCP echoes, no `debug`: on `macvlan`, pppd i on its own macvlan device")
    w("  mvi on cli0 (distinct MACs, as for several accounts on one port); on `one`, all on cli0. One run per plugin")
    w(f"  and N, ours first. *Up*: sessions whose ip-up ran (within {multi_wait} s); *to all up*: from the")
    w("  start to the last ip-up; *CPU of all*: the sum of the N pppds' `/proc/PID/schedstat` CPU time read right after")
    w("  the last ip-up (`-` unless all came up); *CPU per pppd*: the mean of each pppd's CPU time at its own ip-up.")
    for v in versions:
        st = ST[v]
        w("")
        w(f"### pppd {v}")
        w("")
        w("| measure | unit | ours | C plugin | ours/C |")
        w("|---|---|---:|---:|---:|")
        for key, label, unit, dec in STALE_MEASURES:
            w(f"| stale session: {label} | {unit} | {cell(st, key, 'ours', dec)} | {cell(st, key, 'c', dec)} | {ratio(med(v, key, 'ours'), med(v, key, 'c'))} |")
        for mode in ifs:
            for x in multis:
                if x <= 0:
                    continue
                k = f"multi_{mode}_{x}"
                label = f"{x} pppds on {x} macvlans" if mode == "macvlan" else f"{x} pppds on one interface"

                def up_cell(p):
                    u = stat(st, f"{k}_up", p, "median")
                    return fmt(u, 0) if u != "" else "-"
                w(f"| {label}: sessions up | of {x} | {up_cell('ours')} | {up_cell('c')} | |")
                w(f"| {label}: start → all up | s | {cell(st, k + '_wall', 'ours', 2)} | {cell(st, k + '_wall', 'c', 2)} | {ratio(med(v, k + '_wall', 'ours'), med(v, k + '_wall', 'c'))} |")
                w(f"| {label}: CPU of all pppds, start → all up | s | {cell(st, k + '_cpu', 'ours', 3)} | {cell(st, k + '_cpu', 'c', 3)} | {ratio(med(v, k + '_cpu', 'ours'), med(v, k + '_cpu', 'c'))} |")
                w(f"| {label}: CPU per pppd, start → its ip-up | ms | {cell(st, k + '_each', 'ours', 2)} | {cell(st, k + '_each', 'c', 2)} | {ratio(med(v, k + '_each', 'ours'), med(v, k + '_each', 'c'))} |")
        w("")

        def stale_padts(p):
            rs = [r for r in STALE[v] if r.get("p") == p]
            return f"{len([r for r in rs if r.get('padt', '') != ''])} of {len(rs)}"
        w(f"Stale-session runs measured: ours {stat(st, 'stale_up', 'ours', 'n')}, C plugin {stat(st, 'stale_up', 'c', 'n')};"
          f" a PADT from the client before the new session: ours {stale_padts('ours')}, C plugin {stale_padts('c')}.")
        if SKIPPED[v]:
            w(f"Not started, the wall-clock budget (BENCH_WALL) being used up: {'; '.join(SKIPPED[v])}.")
    w("")
    w("## Targets")
    w("")
    w("Reported, not asserted (the tests have no timing thresholds).")
    w("")
    w("| target |" + "".join(f" pppd {v} |" for v in versions))
    w("|---|" + "---|" * len(versions))

    def target_row(label, kind, key):
        row = f"| {label} |"
        for v in versions:
            o, c = med(v, key, "ours"), med(v, key, "c")
            if o == "" or (kind != "abs1" and c == ""):
                row += " not measured |"
                continue
            if kind == "ratio":
                val = ratio(o, c)
                ok = num(val) <= 1.0
            elif kind == "diff1":
                val = f"{num(o) - num(c):+.2f} ms"
                ok = num(o) - num(c) <= 1.0
            elif kind == "abs1":
                val = f"{fmt(o, 3)} ms (C: {fmt(c, 3)} ms)"
                ok = num(o) <= 1.0
            else:
                val = f"{int(num(o) - num(c)):+d} KiB"
                ok = num(o) - num(c) <= 256
            row += f" met: {val} |" if ok else f" **not met**: {val} |"
        w(row)
    target_row("connect time (start → ip-up), ours/C ≤ 1.00", "ratio", "start_up")
    target_row("reconnect time (PADT → ip-up), ours/C ≤ 1.00", "ratio", "reconnect")
    target_row("discovery CPU over the wire round trip: pppd CPU to ip-up, ours − C ≤ 1 ms", "diff1", "cpu_ns")
    target_row("discovery CPU over the wire round trip: PADO → PADR (the client's share of PADI → PADS), ours ≤ 1 ms", "abs1", "turnaround")
    target_row("VmRSS at ip-up, ours − C ≤ 256 KiB", "diff256", "rss")
    row = "| every shipped .so (all targets and ABIs) ≤ 65,536 bytes |"
    if not SHIPPED_SIZES:
        cellv = " - |"
    else:
        over = [x for x in SHIPPED_SIZES if x > 65536]
        rng = f"{min(SHIPPED_SIZES):,}-{max(SHIPPED_SIZES):,} bytes"
        cellv = (f" met: {rng} |" if not over
                 else f" **not met**: {len(over)} of {len(SHIPPED_SIZES)} above, {rng} |")
    row += cellv * len(versions)
    w(row)
    w("")
    if not realtime:
        w("The two 1 ms targets are judged on the instruction clock (1 ns per instruction); pppd's own work to ip-up is the")
        w("same with either plugin, so ours − C is the plugin's extra CPU (start-up, discovery and connect together).")
    else:
        w("Under plain emulation the two 1 ms targets are judged on wall-clock figures many times the hardware ones (run")
        w("without `--realtime` for the instruction clock).")
    w("")
    w("## What takes the space (ours, 2.4.7 ABI, x86_64)")
    w("")
    w("What was done, with what each saved (x86_64 2.4.7 unless said): no `std` (`#![no_std]` + `alloc` over `libc`;")
    w("a `std` cdylib is about 260 KiB), `opt-level = \"z\"`, LTO, one codegen unit, `panic = \"abort\"`, unwind tables,")
    w("`.pdr` and `.comment` discarded at link time; log lines as constant pppd formats with typed arguments,")
    w("formatted by pppd's own `slprintf` (no formatter in the `.so`); one tag table (`wire::Tags`, 91.6 → 88.3 KB);")
    w("no panic path that formats (byte-wise splitting, no `Duration` arithmetic, no slice indexing in hot paths:")
    w("−5.3 KB); `Vec` queues in the engine (−0.9 KB); wire strings read in place instead of `from_utf8_lossy`")
    w("(−0.7 KB); pppd's symbols resolved from one name string in a loop (−1.4 KB); settings set once and read by")
    w("reference (−1.3 KB); release files linked with lld, which keeps aarch64's and MIPS's 64 KiB segment alignment")
    w("in the addresses instead of padding the file (aarch64 135 → 81 KB, MIPS 134 → 115 KB; the files still load on")
    w("4, 16 and 64 KiB page kernels); `core` and `alloc` built for each shipped file with `-Z build-std` and core's")
    w("`optimize_for_size` (x86_64 80.9 → 79.7 KB, armv7 83.4 → 79.8 KB, mipsel 109.1 → 103.8 KB); the Host-Uniq")
    w("kernel filter removed (about 2.4 KB; it cost more CPU to attach than it saved); ARMv7 files in Thumb-2 (78.0 →")
    w("55.9 KB); C strings built by the OS layer's `CBuf` instead of `alloc`'s `CString` (x86_64 −0.8 KB, aarch64")
    w("−1.0 KB, MIPS −1.5 KB); decimal numbers read by `text::parse_dec` instead of `str::parse` (aarch64 −0.8 KB,")
    w("MIPS −1.4 KB); log lines of one to three arguments passed as values to `log::emit1`..`emit3` (x86_64 −0.8 KB,")
    w("aarch64 −0.4 KB, MIPS −0.3 KB).")
    w("")
    full = stripped_size(SO["2.4.7"]) if SO.get("2.4.7") else ""
    w("What three parts cost: the same build (x86_64, pppd 2.4.7 ABI, stable toolchain, so a little larger than the")
    w("release file) with one part compiled out by a `--cfg` the code checks (built only here, never shipped):")
    w("")
    w("| build | stripped bytes | the part costs |")
    w("|---|---:|---:|")
    w(f"| everything | {int(full):,} | |" if full else "| everything | n/a | |")
    for part, (cfg, _) in without.items():
        size = stripped_size(without_so[part]) if without_so[part].is_file() else ""
        cost = f"{int(full) - int(size):,}" if full and size else "n/a"
        w(f"| without the {part} (`--cfg {cfg}`) | {f'{int(size):,}' if size else 'n/a'} | {cost} |")
    w("")
    w("The log lines (the C plugin's that people grep for, and ours) are kept on purpose, as are the status file")
    w("and the stale-session records (two features the C plugin lacks) and the panic")
    w("handler's logged `fatal()` (`panic = \"immediate-abort\"` would save about 2.3 KB and turn a bug into a crash")
    w("of pppd). What is left of `core::fmt` serves the allocation-failure path of `alloc`, which stable Rust cannot")
    w("replace. MIPS code is about 1.5 times x86_64's (calls through the GOT, fixed 4-byte instructions).")
    w("")
    if bloat_so.is_file() and SO.get("2.4.7"):
        w("Loaded sections of the stripped `.so`, ours against the C plugin for pppd 2.4.9 (`size -A`):")
        w("")
        w("| section | ours | C plugin (2.4.9) |")
        w("|---|---:|---:|")
        so_ = sections(SO["2.4.7"])
        sc = sections(c_so("2.4.9")) if c_so("2.4.9").is_file() else {}
        rows = [(k, so_.get(k, 0), sc.get(k, 0)) for k in set(so_) | set(sc)]
        for k, a, b in sorted(rows, key=lambda x: (-x[1], f"{x[0]} {x[1]} {x[2]}")):
            w(f"| {k} | {a} | {b} |")
        w("")
        w("By module: `nm --size-sort` of the unstripped build (`CARGO_PROFILE_RELEASE_STRIP=false")
        w("CARGO_PROFILE_RELEASE_DEBUG=line-tables-only PPPD_VERSION=2.4.7 cargo build --release --lib --target-dir")
        w(f"{bloat_dir}`; the line tables leave the code unchanged), each symbol counted in the module its name belongs to.")
        w("With LTO most of the engine, wire, OS and status code is inlined into `pppd::channel::connect_inner`, so the last")
        w("column attributes every code byte to the source file of its instruction instead (DWARF line table; code of")
        w("`core`/`alloc` inlined into one of our functions counts for the module that called it). `.rodata` (strings,")
        w("tables) is mostly unnamed and not in these columns.")
        w("")
        w(breakdown(bloat_so))
    else:
        w("Not available: the unstripped build failed (see target/bench/build-bloat.log).")
    text = "\n".join(L) + "\n"
    (outdir / "report.md").write_text(text)
    output.write_text(text)
    sys.stdout.write(text)
    print()
    try:
        shown = output.relative_to(TOP)
    except ValueError:
        shown = output
    print(f"bench: wrote {shown} in {since(T0)} s (builds {T_BUILD} s)")
    return 0 if (not missing and not build_failed) else 1
