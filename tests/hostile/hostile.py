"""Misbehaving access concentrators on a real link, run by tests/hostile/run.

Each case makes a network namespace and a veth pair (unique names, removed afterwards even
on failure), starts the scapy AC of ac.py inside the namespace, and drives our discovery
over a real AF_PACKET socket on the host end: `pppoe-discovery` to list offers, and the
test-only `pppoe-dial-test` (the plugin's discovery loop without pppd) for sessions. Each
case asserts the right AC or the right failure, within the configured time.

Prints one `PASS name` / `FAIL name: why` line per case and `N passed, N failed` last.
Usage: hostile.py BIN_DIR [CASE...]
"""

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUN_ID = os.environ.get("HOSTILE_RUN_ID", str(os.getpid()))[-5:]
PREFIX = "rph%s" % RUN_ID
PYTHON = sys.executable


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


def sweep():
    """Removes every namespace and veth of this run (also after a crash of a case)."""
    out = sh("ip", "-o", "link", "show", check=False).stdout
    for line in out.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name.startswith(PREFIX):
            sh("ip", "link", "del", name, check=False)
    for line in sh("ip", "netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if name.startswith(PREFIX):
            sh("ip", "netns", "del", name, check=False)


atexit.register(sweep)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


class Failed(Exception):
    pass


def expect(cond, why):
    if not cond:
        raise Failed(why)


class Link:
    """A namespace with the AC end of a veth pair; the host end stays here."""

    counter = 0

    def __init__(self):
        Link.counter += 1
        n = Link.counter
        self.ns = "%sn%d" % (PREFIX, n)
        self.host = "%sh%d" % (PREFIX, n)
        self.peer = "%sa%d" % (PREFIX, n)

    def __enter__(self):
        sh("ip", "netns", "add", self.ns)
        try:
            sh("ip", "link", "add", self.host, "type", "veth", "peer", "name", self.peer)
            sh("ip", "link", "set", self.peer, "netns", self.ns)
            sh("ip", "link", "set", self.host, "up")
            sh("ip", "netns", "exec", self.ns, "ip", "link", "set", self.peer, "up")
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        sh("ip", "link", "del", self.host, check=False)
        sh("ip", "netns", "del", self.ns, check=False)


class AcProcess:
    """ac.py in the namespace; `events()` reads its log."""

    def __init__(self, link, mode, lifetime=30):
        self.log = tempfile.NamedTemporaryFile(prefix="hostile-ac-", suffix=".log", delete=False)
        self.log.close()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", link.ns, PYTHON, str(HERE / "ac.py"),
             "--iface", link.peer, "--mode", mode, "--log", self.log.name,
             "--lifetime", str(lifetime)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            self.stop()
            raise Failed("the test AC did not start: %r %s" % (line, self.proc.stderr.read()))
        self.mac = line.split()[1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def events(self, kind=None):
        with open(self.log.name) as f:
            evs = [json.loads(line) for line in f if line.strip()]
        os.unlink(self.log.name)
        return [e for e in evs if kind is None or e["event"] == kind]


def run(bin_dir, tool, args, limit, wrap=()):
    t0 = time.monotonic()
    p = subprocess.run(list(wrap) + [str(bin_dir / tool)] + args, capture_output=True, text=True,
                       timeout=limit)
    return p, time.monotonic() - t0


# --- the cases --------------------------------------------------------------------------
# Session cases use -t 3 -a 2: a well-behaved outcome comes within the first 3 s round,
# so "within the configured time" is asserted as elapsed < 3 s (no retransmission needed).

def dial_case(bin_dir, mode, extra=(), want_session=0x1111, limit=3.0):
    with Link() as link:
        ac = AcProcess(link, mode)
        try:
            p, elapsed = run(bin_dir, "pppoe-dial-test",
                             ["-I", link.host, "-t", "3", "-a", "2", "-W", "0badc0de"] + list(extra), 20)
        finally:
            ac.stop()
        out = p.stdout.strip()
        expect(p.returncode == 0, "exit %d: %s %s" % (p.returncode, out, p.stderr.strip()[-300:]))
        expect(out == "SESSION %d %s" % (want_session, ac.mac.upper()), "got %r" % out)
        expect(elapsed < limit, "took %.2f s, more than %.1f s" % (elapsed, limit))
        return ac.events()


def case_wrong_host_uniq(bin_dir):
    evs = dial_case(bin_dir, "wrong-host-uniq")
    expect(len([e for e in evs if e["event"] == "padr"]) == 1, "one PADR, to the right AC: %s" % evs)


def case_pado_flood_ac_name_filter(bin_dir):
    dial_case(bin_dir, "flood", ["-C", "real"])


def case_pado_flood_mac_filter(bin_dir):
    with Link() as link:
        ac = AcProcess(link, "flood")
        try:
            p, elapsed = run(bin_dir, "pppoe-dial-test",
                             ["-I", link.host, "-t", "3", "-a", "2", "-M", ac.mac], 20)
        finally:
            ac.stop()
        expect(p.stdout.strip() == "SESSION 4369 %s" % ac.mac.upper(), "got %r" % p.stdout)
        expect(elapsed < 3, "took %.2f s" % elapsed)


def case_no_pads_times_out(bin_dir):
    with Link() as link:
        ac = AcProcess(link, "no-pads")
        try:
            p, elapsed = run(bin_dir, "pppoe-dial-test", ["-I", link.host, "-t", "1", "-a", "2"], 20)
        finally:
            ac.stop()
        evs = ac.events()
        expect(p.returncode == 1 and p.stdout.strip() == "FAILED NoConfirm",
               "exit %d %r" % (p.returncode, p.stdout))
        # PADR attempts wait 1 s and 2 s.
        expect(2.9 <= elapsed <= 4.5, "took %.2f s, expected about 3 s" % elapsed)
        expect(len([e for e in evs if e["event"] == "padr"]) == 2, "PADRs seen: %s" % evs)


def case_pads_service_name_error(bin_dir):
    with Link() as link:
        ac = AcProcess(link, "pads-error")
        try:
            p, elapsed = run(bin_dir, "pppoe-dial-test", ["-I", link.host, "-t", "3", "-a", "3"], 20)
        finally:
            ac.stop()
        evs = ac.events()
        expect(p.returncode == 1 and p.stdout.strip() == "FAILED NoConfirm",
               "exit %d %r" % (p.returncode, p.stdout))
        # Each error answer costs one attempt at once: no waiting for the 3 s timeouts.
        expect(elapsed < 3, "took %.2f s" % elapsed)
        expect(len([e for e in evs if e["event"] == "padr"]) == 3, "PADRs seen: %s" % evs)


def case_garbage_after_valid_frames(bin_dir):
    dial_case(bin_dir, "garbage")


def case_padt_during_discovery(bin_dir):
    dial_case(bin_dir, "padt", want_session=0x3333)


def case_big_cookie_echoed(bin_dir):
    evs = dial_case(bin_dir, "big-cookie")
    cookie = [e for e in evs if e["event"] == "cookie"]
    expect(cookie == [{"event": "cookie", "exact": True, "length": 1000}], "cookie: %s" % cookie)


LISTER_BLOCK = """Access-Concentrator: isp-ac
Service-Name: internet
Service-Name: voip
Cookie: de ad be ef
Max-Payload: 1500
AC-Ethernet-Address: {mac}
--------------------------------------------------
Access-Concentrator: second
AC-Ethernet-Address: 02:fa:00:00:00:09
--------------------------------------------------
"""


def case_discovery_lists_every_ac(bin_dir):
    with Link() as link:
        ac = AcProcess(link, "lister")
        try:
            p, elapsed = run(bin_dir, "pppoe-discovery", ["-I", link.host, "-t", "1", "-U"], 20)
            pj, _ = run(bin_dir, "pppoe-discovery", ["-I", link.host, "-t", "1", "--json"], 20)
        finally:
            ac.stop()
        expect(p.returncode == 0, "exit %d %s" % (p.returncode, p.stderr))
        expect(p.stdout == LISTER_BLOCK.format(mac=ac.mac), "text output:\n%s" % p.stdout)
        # Collects for the whole first round (1 s), then stops: an AC matched.
        expect(0.9 <= elapsed < 2, "took %.2f s" % elapsed)
        expect(pj.returncode == 0, "--json exit %d" % pj.returncode)
        doc = json.loads(pj.stdout)
        acs = doc["access_concentrators"]
        expect(doc["interface"] == link.host, "interface %r" % doc["interface"])
        expect([a["ac_name"] for a in acs] == ["isp-ac", "second"], "json: %s" % acs)
        expect(acs[0] == {"ac_name": "isp-ac", "ac_mac": ac.mac.upper(),
                          "service_names": ["internet", "voip"], "cookie": True,
                          "cookie_hex": "deadbeef", "relay_session_id": None,
                          "max_payload": 1500}, "json: %s" % acs[0])
        expect(acs[1]["cookie"] is False and acs[1]["service_names"] == [""], "json: %s" % acs[1])


def case_discovery_lists_a_pado_flood(bin_dir):
    # The list is bounded (64); the rest is counted, not kept.
    with Link() as link:
        ac = AcProcess(link, "flood")
        try:
            p, _ = run(bin_dir, "pppoe-discovery", ["-I", link.host, "-t", "2", "--json"], 20)
        finally:
            ac.stop()
        expect(p.returncode == 0, "exit %d" % p.returncode)
        names = [a["ac_name"] for a in json.loads(p.stdout)["access_concentrators"]]
        expect(len(names) == 64 and names[0] == "fake-0" and names[-1] == "fake-63",
               "%d ACs listed, first %r, last %r" % (len(names), names[:1], names[-1:]))
        expect("137 more answers from other access concentrators not listed" in p.stderr,
               "stderr: %r" % p.stderr[-300:])


def case_discovery_memory_bounded_under_a_random_mac_flood(bin_dir):
    # Thousands of PADOs from random MACs within one 5 s round: the tool keeps
    # at most 64 ACs (peak RSS stays small) and prints each AC as it comes.
    with Link() as link:
        ac = AcProcess(link, "random-flood")
        try:
            proc = subprocess.Popen([str(bin_dir / "pppoe-discovery"), "-I", link.host, "-t", "5",
                                     "-a", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = proc.communicate(timeout=30)
        finally:
            ac.stop()
        flooded = [e["count"] for e in ac.events("flooded")]
        expect(flooded and flooded[0] > 1000, "the flood sent only %s PADOs" % flooded)
        expect(proc.returncode == 0, "exit %d" % proc.returncode)
        blocks = out.decode().count("AC-Ethernet-Address:")
        expect(blocks == 64, "%d ACs printed" % blocks)
        expect(b"more answers from other access concentrators not listed" in err, "stderr: %r" % err[-200:])


def case_discovery_peak_memory_under_a_random_mac_flood(bin_dir):
    # GNU time reports the tool's own peak RSS (a child forked from Python
    # would carry Python's).
    with Link() as link:
        ac = AcProcess(link, "random-flood")
        try:
            p, _ = run(bin_dir, "pppoe-discovery", ["-I", link.host, "-t", "5", "-a", "1", "--json"],
                       30, wrap=["/usr/bin/time", "-f", "maxrss=%M"])
        finally:
            ac.stop()
        expect(p.returncode == 0, "exit %d" % p.returncode)
        kib = int(p.stderr.rsplit("maxrss=", 1)[1])
        # Unbounded, thousands of ACs took tens of MB; about 2 MB idle.
        expect(kib < 8 * 1024, "peak RSS %d KiB" % kib)


def case_discovery_ignores_wrong_host_uniq(bin_dir):
    with Link() as link:
        ac = AcProcess(link, "wrong-host-uniq")
        try:
            p, _ = run(bin_dir, "pppoe-discovery", ["-I", link.host, "-t", "1", "-W", "0badc0de", "--json"], 20)
        finally:
            ac.stop()
        acs = json.loads(p.stdout)["access_concentrators"]
        expect(p.returncode == 0 and [a["ac_name"] for a in acs] == ["real"], "listed %s" % acs)
        expect(acs[0]["ac_mac"] == ac.mac.upper(), "listed %s" % acs)


def case_discovery_no_ac(bin_dir):
    with Link() as link:
        ac = AcProcess(link, "silent")
        try:
            p, elapsed = run(bin_dir, "pppoe-discovery", ["-I", link.host, "-t", "1", "-a", "2"], 20)
        finally:
            ac.stop()
        padis = ac.events("padi")
        expect(p.returncode == 1, "exit %d" % p.returncode)
        expect(p.stdout == "", "stdout %r" % p.stdout)
        expect(p.stderr.strip() == "Timeout waiting for PADO packets", "stderr %r" % p.stderr)
        expect(2.9 <= elapsed <= 4, "took %.2f s, expected 1 + 2 s" % elapsed)
        expect(len(padis) == 2, "PADIs seen: %d" % len(padis))


def case_discovery_missing_interface(bin_dir):
    p, _ = run(bin_dir, "pppoe-discovery", ["-I", PREFIX + "none", "-t", "1"], 10)
    expect(p.returncode == 3, "exit %d" % p.returncode)
    expect(p.stdout == "" and p.stderr.count("\n") == 1 and "no such interface" in p.stderr,
           "stderr %r" % p.stderr)


def case_discovery_no_permission(bin_dir):
    with Link() as link:
        # Root without CAP_NET_RAW (dropped from the bounding set before the exec).
        cmd = ["setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw",
               str(bin_dir / "pppoe-discovery"), "-I", link.host, "-t", "1"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    expect(p.returncode == 4, "exit %d %r" % (p.returncode, p.stderr))
    expect(p.stderr.count("\n") == 1 and "CAP_NET_RAW" in p.stderr, "stderr %r" % p.stderr)


CASES = [
    ("wrong-host-uniq", case_wrong_host_uniq),
    ("pado-flood-ac-name-filter", case_pado_flood_ac_name_filter),
    ("pado-flood-mac-filter", case_pado_flood_mac_filter),
    ("no-pads-times-out", case_no_pads_times_out),
    ("pads-service-name-error", case_pads_service_name_error),
    ("garbage-after-valid-frames", case_garbage_after_valid_frames),
    ("padt-during-discovery", case_padt_during_discovery),
    ("big-cookie-echoed", case_big_cookie_echoed),
    ("discovery-lists-every-ac", case_discovery_lists_every_ac),
    ("discovery-lists-a-pado-flood", case_discovery_lists_a_pado_flood),
    ("discovery-memory-bounded-under-a-random-mac-flood", case_discovery_memory_bounded_under_a_random_mac_flood),
    ("discovery-peak-memory-under-a-random-mac-flood", case_discovery_peak_memory_under_a_random_mac_flood),
    ("discovery-ignores-wrong-host-uniq", case_discovery_ignores_wrong_host_uniq),
    ("discovery-no-ac", case_discovery_no_ac),
    ("discovery-missing-interface", case_discovery_missing_interface),
    ("discovery-no-permission", case_discovery_no_permission),
]


def main():
    bin_dir = Path(sys.argv[1]).resolve()
    wanted = set(sys.argv[2:])
    passed = failed = 0
    for name, fn in CASES:
        if wanted and name not in wanted:
            continue
        try:
            fn(bin_dir)
        except Failed as e:
            failed += 1
            print("FAIL %s: %s" % (name, e), flush=True)
        except Exception as e:  # a broken case is a failure, never a skip
            failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
        else:
            passed += 1
            print("PASS %s" % name, flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
