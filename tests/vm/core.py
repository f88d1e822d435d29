"""Small shared pieces: paths, logging, running commands, host packages, timing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
GUEST_SRC = TOP / "tests" / "e2e"

_log_lock = threading.Lock()
PROG = "e2e"


def log(msg: str) -> None:
    """A progress line on stderr (stdout carries the report)."""
    with _log_lock:
        print(msg, file=sys.stderr, flush=True)


class Fatal(Exception):
    """Something the harness cannot go on without (exit status 2)."""


def die(msg: str) -> None:
    raise Fatal(msg)


def now() -> float:
    return time.monotonic()


def since(t0: float) -> str:
    """Seconds since t0, one decimal, as the reports print them."""
    return f"{time.monotonic() - t0:.1f}"


def run(cmd, *, cwd=None, env=None, log_to: Path | None = None, check=True, nice=False, input=None,
        capture=False, timeout=None) -> subprocess.CompletedProcess:
    """Runs cmd. With log_to, stdout and stderr are appended to that file; with capture, returned.
    nice: at a lower CPU priority (builds running beside the VMs must not starve them)."""
    cmd = [str(c) for c in cmd]
    if nice:
        cmd = ["nice", "-n", "10"] + cmd
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update({k: str(v) for k, v in env.items()})
    kw = {}
    fh = None
    if log_to is not None:
        log_to.parent.mkdir(parents=True, exist_ok=True)
        fh = open(log_to, "ab")
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        kw = {"stdout": fh, "stderr": subprocess.STDOUT}
    elif capture:
        kw = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    try:
        r = subprocess.run(cmd, cwd=cwd, env=full_env, input=input, timeout=timeout, **kw)
    finally:
        if fh:
            fh.close()
    if check and r.returncode != 0:
        where = f" (log: {log_to})" if log_to else ""
        err = ""
        if capture and r.stderr:
            err = ": " + r.stderr.decode(errors="replace").strip()[-400:]
        raise Fatal(f"{' '.join(cmd[:6])}{' ...' if len(cmd) > 6 else ''} failed with exit {r.returncode}{where}{err}")
    return r


def out(cmd, **kw) -> str:
    """stdout of cmd as text."""
    return run(cmd, capture=True, **kw).stdout.decode(errors="replace")


# --- host packages -------------------------------------------------------------------------------

_apt_lock = threading.Lock()
_apt_updated = False


def installed(pkg: str) -> bool:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and "ok installed" in r.stdout


def need_packages(pkgs, who: str = "e2e") -> None:
    """Installs the Debian packages of the host that are missing (apt-get; waits for the dpkg
    lock, as other builds on this machine may be installing too)."""
    global _apt_updated
    with _apt_lock:
        missing = [p for p in dict.fromkeys(pkgs) if not installed(p)]
        if not missing:
            return
        log(f"{who}: installing host packages: {' '.join(missing)}")
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        lock = ["-o", "DPkg::Lock::Timeout=1200"]
        if not _apt_updated:
            run(["apt-get", *lock, "update", "-qq"], env=env, capture=True)
            _apt_updated = True
        run(["apt-get", *lock, "install", "-y", "-qq", "--no-install-recommends", *missing], env=env,
            capture=True)


def need_root() -> None:
    if os.geteuid() != 0:
        die("run as root (it installs packages and boots a VM)")


def which(cmd: str) -> str | None:
    return shutil.which(cmd)
