"""Self-tests of the harness's own pieces (run by scripts/e2e before it boots anything, and by
`python3 -m unittest discover -s tests -p 'test_vm.py'`): the cpio writer, the ELF reader, the
known-difference matching and the benchmark statistics."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unittest
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python3 tests/vm/test_vm.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "vm"

from . import bench, cpio, e2e, elf  # noqa: E402


class CpioTest(unittest.TestCase):
    def test_round_trip_with_cpio(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            t = d / "tree"
            (t / "usr/bin").mkdir(parents=True)
            (t / "usr/bin/x").write_bytes(b"abc")
            os.chmod(t / "usr/bin/x", 0o755)
            os.symlink("usr/bin", t / "bin")
            (t / "e").write_bytes(b"")
            cpio.write(t, d / "a.cpio")
            listing = subprocess.run(["cpio", "-itv", "--quiet"], stdin=open(d / "a.cpio", "rb"),
                                     capture_output=True, text=True, check=True).stdout
            names = [ln.split()[-1] if "->" not in ln else ln.split()[-3] for ln in listing.splitlines()]
            self.assertEqual(names, ["bin", "e", "usr", "usr/bin", "usr/bin/x"])
            self.assertIn("-rwxr-xr-x", listing)
            x = d / "x"
            x.mkdir()
            subprocess.run(["cpio", "-idm", "--quiet"], stdin=open(d / "a.cpio", "rb"), cwd=x, check=True)
            self.assertEqual((x / "usr/bin/x").read_bytes(), b"abc")
            self.assertEqual(os.readlink(x / "bin"), "usr/bin")
            self.assertEqual((d / "a.cpio").stat().st_size % 4, 0)


class ElfTest(unittest.TestCase):
    def test_reads_a_dynamic_executable(self):
        e = elf.read(Path(shutil.which("python3")).resolve())
        self.assertIsNotNone(e)
        self.assertEqual(e.machine, "x86_64")
        self.assertTrue(e.interp and e.interp.startswith("/lib"))

    def test_not_elf(self):
        self.assertIsNone(elf.read(Path(__file__)))


class KnownTest(unittest.TestCase):
    def test_every_tag_must_be_known(self):
        self.assertEqual(e2e.known_reason("2.4.9", "sigterm-padt", "[padt] 0 PADTs"), "2.4.9's plugin sends no PADT")
        self.assertIsNone(e2e.known_reason("2.5.2", "sigterm-padt", "[padt] 0 PADTs"))
        self.assertIsNone(e2e.known_reason("2.4.9", "sigterm-padt", "[padt] x [up] y"))
        self.assertEqual(e2e.known_reason("2.4.9", "multi-session", "[acname] a [padt] b"),
                         "no ACNAME before 2.5.1; 2.4.9's plugin sends no PADT")
        self.assertIsNone(e2e.known_reason("2.4.9", "pap", "no tag"))


class DryrunListTest(unittest.TestCase):
    def test_dryrun_lists_every_option(self):
        """The dryrun scenario loads every option name and alias of src/pppd/options.rs."""
        top = Path(__file__).resolve().parents[2]
        rs = (top / "src/pppd/options.rs").read_text()
        table = rs[rs.index("static mut OPTIONS"):]
        names = set(re.findall(r'^\s*c"([a-z][a-z0-9_-]*)",$', table, re.M))
        self.assertIn("pppoe-priority", names)
        sh = (top / "tests/e2e/scenarios.sh").read_text()
        good = sh[sh.index("DRYRUN_GOOD='") + 13:]
        good = good[:good.index("'")]
        listed = {ln.split()[0] for ln in good.splitlines() if ln.strip()}
        self.assertEqual(names - listed, set(), "options missing from DRYRUN_GOOD in tests/e2e/scenarios.sh")
        self.assertEqual(listed - names, set(), "DRYRUN_GOOD names options the plugin does not register")


class SplitTest(unittest.TestCase):
    def test_split_scenarios_are_listed_and_two_vms(self):
        names = [n for n, _ in e2e.x86_scenarios()]
        for name, machines in e2e.SPLIT.items():
            self.assertIn(name, names)
            self.assertEqual(len(machines), 2)
            self.assertEqual(len({m.mac for m in machines}), 2)
            self.assertTrue(all(m.boots >= 1 for m in machines))

    def test_results_of_several_boots_merge(self):
        from .guests import GUESTS
        from . import qemu
        r = e2e.Run(GUESTS["2.4.9"], ["stale-after-reboot"], ["ours"], Path("/nonexistent"))
        ev = lambda res, fails: {"ev": "result", "plugin": "ours", "scenario": "s", "result": res, "fails": fails}
        e2e.collect(r, qemu.Console(events=[ev("PASS", "")]))
        self.assertEqual(r.results[("ours", "s")], ("PASS", ""))
        e2e.collect(r, qemu.Console(events=[ev("FAIL", "[stale] x")]))
        e2e.collect(r, qemu.Console(events=[ev("PASS", "")]))
        self.assertEqual(r.results[("ours", "s")], ("FAIL", "[stale] x"))
        e2e.collect(r, qemu.Console(events=[ev("FAIL", "[ac] y")]))
        self.assertEqual(r.results[("ours", "s")], ("FAIL", "[stale] x [ac] y"))


class BenchStatsTest(unittest.TestCase):
    def test_quantiles_as_awk(self):
        st = bench.stats([("k", "ours", v) for v in ("4", "1", "3", "2")])
        self.assertEqual(st[("k", "ours")], {"n": "4", "median": "2.5", "min": "1", "max": "4", "q1": "1.75", "q3": "3.25"})

    def test_awk_number_printing(self):
        self.assertEqual(bench.awk_str(1040.634999), "1040.63")
        self.assertEqual(bench.awk_str(5102.0), "5102")
        self.assertEqual(bench.fmt("", 1), "-")
        self.assertEqual(bench.ratio("2", "0"), "-")
        self.assertEqual(bench.ratio("1", "2"), "0.50")


if __name__ == "__main__":
    unittest.main()
