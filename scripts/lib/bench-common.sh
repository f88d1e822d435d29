# shellcheck shell=bash
# Host-side helpers of scripts/bench (sourced after scripts/lib/e2e-common.sh): sizes, the size
# breakdown of our plugin, and the statistics of the VM runs of tests/bench/guest.sh.

# bench_machine: one line naming this machine.
bench_machine() {
	local model mem
	model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | sed -n 1p)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "$(nproc) cores, ${model:-unknown CPU}, $mem RAM, $(uname -s) $(uname -r) $(uname -m)"
}

# bench_stripped_size SO: bytes of SO after `strip --strip-all` (a copy; SO is left alone).
bench_stripped_size() {
	local tmp
	tmp=$(mktemp)
	strip --strip-all -o "$tmp" "$1"
	stat -c %s "$tmp"
	rm -f "$tmp"
}

# bench_needed SO: its NEEDED libraries, comma-separated.
bench_needed() {
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd, -
}

# bench_sections SO: "name bytes" of the sections that are loaded, biggest first.
bench_sections() {
	size -A "$1" | awk 'NR > 2 && $2 > 0 && $3 > 0 { print $1, $2 }' | sort -k2,2nr
}

# bench_breakdown SO: markdown tables of what takes the space in SO (an unstripped build with
# line tables): by symbol (nm --size-sort, each function or object counted in the module its name
# belongs to), and by source file of each instruction (DWARF line table; code of core/alloc
# inlined into one of our functions counts for the module that called it).
bench_breakdown() {
	python3 - "$1" <<'PY'
import re, subprocess, sys, collections
so = sys.argv[1]
GROUPS = ["pppd boundary", "engine", "wire", "os+discovery", "status/stale", "text (log lines)",
          "core::fmt", "other core/alloc", "other"]
def group_of_name(n):
    m = re.search(r"rp_pppoe::(\w+)", n)
    if m:
        mod = m.group(1)
        if mod in ("pppd",): return "pppd boundary"
        if mod == "engine": return "engine"
        if mod == "wire": return "wire"
        if mod in ("os", "discovery"): return "os+discovery"
        if mod in ("status", "stale"): return "status/stale"
        if mod == "text": return "text (log lines)"
        return "pppd boundary"  # lib.rs: plugin entry, allocator, panic handler
    if n in ("plugin_init", "pppd_version"): return "pppd boundary"
    if "core::fmt" in n: return "core::fmt"
    if re.search(r"\b(core|alloc|compiler_builtins)::", n) or re.match(r"<(u8|u16|u32|u64|i32|char|str|usize)>", n):
        return "other core/alloc"
    if n.startswith("__rustc::") or n == "rust_begin_unwind": return "pppd boundary"
    return "other"
def group_of_file(f):
    f = f.rstrip(":")
    if "library/core/src/fmt" in f: return "core::fmt"
    if "/library/" in f or f.startswith("library/") or "compiler_builtins" in f: return "other core/alloc"
    m = re.search(r"(?:^|/)src/(.*)$", f)
    if not m: return "other"
    p = m.group(1)
    if p.startswith("pppd/") or p == "lib.rs": return "pppd boundary"
    if p.startswith("engine"): return "engine"
    if p.startswith("wire"): return "wire"
    if p.startswith("os") or p.startswith("discovery"): return "os+discovery"
    if p.startswith("status") or p.startswith("stale"): return "status/stale"
    if p.startswith("text"): return "text (log lines)"
    return "other"

out = subprocess.run(["nm", "-n", "-S", "-C", so], capture_output=True, text=True).stdout
syms = []  # (addr, size, kind, name)
for line in out.splitlines():
    m = re.match(r"^([0-9a-f]+) ([0-9a-f]+) (\w) (.*)$", line)
    if m:
        syms.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)))
code = collections.Counter(); data = collections.Counter()
for a, s, k, n in syms:
    (code if k in "tTwW" else data)[group_of_name(n)] += s
funcs = sorted((a, a + s, group_of_name(n), n) for a, s, k, n in syms if k in "tTwW" and s > 0)

# Line table: address ranges and the file of each.
dl = subprocess.run(["objdump", "--dwarf=decodedline", so], capture_output=True, text=True).stdout
rows = []  # (addr, file) ; file None = end of sequence
cur = None
for line in dl.splitlines():
    if line.endswith(":") and " " not in line.strip():
        cur = line.strip()[:-1]
        continue
    parts = line.split()
    if len(parts) >= 3 and parts[2].startswith("0x") and cur:
        rows.append((int(parts[2], 16), None if parts[1] == "-" else cur))
by_file = collections.Counter()
import bisect
starts = [f[0] for f in funcs]
last_own = {}
have_lines = len(rows) > 0
for (a, f), nxt in zip(rows, rows[1:]):
    if f is None: continue
    b = nxt[0]
    if b <= a: continue
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

tc = sum(code.values()); tf = sum(by_file.values())
print("| module | code by symbol (nm) | data by symbol (nm) | code by source line (DWARF) |")
print("|---|---:|---:|---:|")
for g in GROUPS:
    bf = f"{by_file[g]:,}" if have_lines else "n/a"
    print(f"| {g} | {code[g]:,} | {data[g]:,} | {bf} |")
print(f"| **total** | **{tc:,}** | **{sum(data.values()):,}** | **{tf:,}** |" if have_lines else
      f"| **total** | **{tc:,}** | **{sum(data.values()):,}** | n/a |")
print()
print("Largest functions (nm --size-sort; with LTO, code of other modules is inlined into them):")
print()
print("| bytes | function | module |")
print("|---:|---|---|")
for a, b, g, n in sorted(funcs, key=lambda f: f[0] - f[1])[:12]:
    n = n.replace("|", "\\|")
    if len(n) > 90: n = n[:87] + "..."
    print(f"| {b - a:,} | `{n}` | {g} |")
PY
}

# --- statistics of the VM runs ----------------------------------------------------------------

# shellcheck disable=SC2034 # read by scripts/bench
# The measures, in the order they are shown: key|label|unit|decimals. The values are computed
# from one "@@BENCH run" record by bench_values.
BENCH_MEASURES=(
	"start_padi|pppd start → PADI sent|ms|1"
	"start_pads|pppd start → PADS|ms|1"
	"turnaround|PADO → PADR (client's turnaround on the wire)|ms|3"
	"pads_up|PADS → ip-up|ms|1"
	"start_up|pppd start → ip-up|ms|1"
	"cpu_ticks|pppd CPU, start → ip-up (utime+stime)|ms|0"
	"cpu_ns|pppd CPU, start → ip-up (schedstat)|ms|2"
	"hwm|pppd VmHWM at ip-up|KiB|0"
	"rss|pppd VmRSS at ip-up|KiB|0"
	"reconnect|reconnect: AC's PADT → ip-up (persist holdoff 0)|ms|1"
	"redial|reconnect: AC's PADT → PADI|ms|1"
	"rediscover|reconnect: AC's PADT → PADS|ms|1"
	"rss2|pppd VmRSS at ip-up after the reconnect|KiB|0"
)

# bench_values RUNS CLK_TCK: for every measured record (i >= 1) of RUNS (lines "p=.. i=.. k=v ..."),
# prints "key plugin value" for each measure it has.
bench_values() {
	awk -v clk="${2:-100}" '
		function v(k) { return (k in r) && r[k] != "" && r[k] != "-" }
		{
			delete r
			for (j = 1; j <= NF; j++) { e = index($j, "="); if (e) r[substr($j, 1, e - 1)] = substr($j, e + 1) }
			if (r["i"] + 0 < 1) next
			p = r["p"]
			if (v("t0") && v("padi")) print "start_padi", p, (r["padi"] - r["t0"]) * 1000
			if (v("t0") && v("pads")) print "start_pads", p, (r["pads"] - r["t0"]) * 1000
			if (v("pado") && v("padr")) print "turnaround", p, (r["padr"] - r["pado"]) * 1000
			if (v("pads") && v("up")) print "pads_up", p, (r["up"] - r["pads"]) * 1000
			if (v("t0") && v("up")) print "start_up", p, (r["up"] - r["t0"]) * 1000
			if (v("utime") && v("stime")) print "cpu_ticks", p, (r["utime"] + r["stime"]) * 1000 / clk
			if (v("ns")) print "cpu_ns", p, r["ns"] / 1e6
			if (v("hwm")) print "hwm", p, r["hwm"]
			if (v("rss")) print "rss", p, r["rss"]
			if (v("padt") && v("up2")) print "reconnect", p, (r["up2"] - r["padt"]) * 1000
			if (v("padt") && v("padi2")) print "redial", p, (r["padi2"] - r["padt"]) * 1000
			if (v("padt") && v("pads2")) print "rediscover", p, (r["pads2"] - r["padt"]) * 1000
			if (v("rss2")) print "rss2", p, r["rss2"]
		}' "$1"
}

# Stale-session recovery, from the "@@BENCH stale" records: key|label|unit|decimals.
# shellcheck disable=SC2034 # read by scripts/bench
BENCH_STALE_MEASURES=(
	"stale_padt|restart → the client's PADT for the stale session|s|3"
	"stale_padi|restart → PADI|s|2"
	"stale_pads|restart → PADS|s|2"
	"stale_up|restart → ip-up|s|2"
	"stale_npadi|PADIs sent until the PADS||0"
)

# bench_values_stale RECORDS: for every "@@BENCH stale" record of RECORDS (lines "p=.. i=.. k=v
# ..."), prints "key plugin value" for each measure it has (times in seconds from the restart).
bench_values_stale() {
	awk '
		function v(k) { return (k in r) && r[k] != "" && r[k] != "-" }
		{
			delete r
			for (j = 1; j <= NF; j++) { e = index($j, "="); if (e) r[substr($j, 1, e - 1)] = substr($j, e + 1) }
			p = r["p"]
			if (!v("t1")) next
			if (v("padt")) print "stale_padt", p, r["padt"] - r["t1"]
			if (v("padi")) print "stale_padi", p, r["padi"] - r["t1"]
			if (v("pads")) print "stale_pads", p, r["pads"] - r["t1"]
			if (v("up")) print "stale_up", p, r["up"] - r["t1"]
			if (v("pads")) print "stale_npadi", p, r["npadi"]
		}' "$1"
}

# bench_values_multi RECORDS: for every "@@BENCH multi" record, "key plugin value" with keys
# multi_<if>_<n>_<measure>: up (sessions up), wall (s, start → last ip-up) and cpu (s, CPU time
# of all n pppds, start → all up) when all n came up, each (ms, mean CPU time of a pppd from its
# start to its own ip-up) when any did.
bench_values_multi() {
	awk '
		function v(k) { return (k in r) && r[k] != "" && r[k] != "-" }
		{
			delete r
			for (j = 1; j <= NF; j++) { e = index($j, "="); if (e) r[substr($j, 1, e - 1)] = substr($j, e + 1) }
			p = r["p"]; k = "multi_" r["if"] "_" r["n"] "_"
			print k "up", p, r["up"] + 0
			if (r["up"] + 0 == r["n"] + 0 && v("last") && v("t0")) {
				print k "wall", p, r["last"] - r["t0"]
				if (v("cpu_ns") && r["alive"] + 0 == r["n"] + 0) print k "cpu", p, r["cpu_ns"] / 1e9
			}
			if (r["up"] + 0 > 0 && v("own_ns")) print k "each", p, r["own_ns"] / r["up"] / 1e6
		}' "$1"
}

# bench_stats VALUES: for each key and plugin of VALUES ("key plugin value" lines), prints
# "key plugin n median min max q1 q3".
bench_stats() {
	awk '
		{ k = $1 SUBSEP $2; n[k]++; x[k, n[k]] = $3 + 0 }
		function q(k, f,   pos, lo, hi) {
			pos = 1 + (n[k] - 1) * f; lo = int(pos); hi = (lo < n[k]) ? lo + 1 : lo
			return x[k, lo] + (x[k, hi] - x[k, lo]) * (pos - lo)
		}
		END {
			for (k in n) {
				# insertion sort (n is small)
				for (i = 2; i <= n[k]; i++) {
					t = x[k, i]
					for (j = i - 1; j >= 1 && x[k, j] > t; j--) x[k, j + 1] = x[k, j]
					x[k, j + 1] = t
				}
				split(k, kp, SUBSEP)
				print kp[1], kp[2], n[k], q(k, 0.5), x[k, 1], x[k, n[k]], q(k, 0.25), q(k, 0.75)
			}
		}' "$1"
}

# bench_stat STATS KEY PLUGIN FIELD: one field (n median min max q1 q3) of bench_stats output.
bench_stat() {
	awk -v k="$2" -v p="$3" -v f="$4" '
		BEGIN { i = (f == "n") ? 3 : (f == "median") ? 4 : (f == "min") ? 5 : (f == "max") ? 6 : (f == "q1") ? 7 : 8 }
		$1 == k && $2 == p { print $i; exit }' "$1"
}

# bench_fmt VALUE DECIMALS
bench_fmt() { awk -v v="$1" -v d="$2" 'BEGIN { if (v == "") print "-"; else printf "%." d "f", v }'; }
# bench_ratio A B: A/B with two decimals, or "-".
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
