"""Starts and stops the long-running processes of a local Kubernetes, each in its
own session (process group) with its output in <logs>/<name>.log.

Attached (the test fixtures): the kernel kills every process when the process
that started it dies, so nothing outlives a test run. Detached (a cluster left
running in the background): each process also gets a pid file, <pid_dir>/<n>-<name>.pid
holding its pid and executable, so that a later run can stop them in reverse
start order with `stop_recorded`, and a stale file (the process is gone, or its
pid now belongs to another program) is ignored.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import subprocess
import time
import urllib.error
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1
STOP_GRACE_SECONDS = 10.0


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel kills it when the process that
    started it dies, even by SIGKILL, so no component outlives the harness."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _alive_as(pid: int, exe: str) -> bool:
    """True when pid runs the executable exe (not a recycled pid)."""
    try:
        return os.readlink(f"/proc/{pid}/exe") == exe
    except OSError:
        return False


def _gone(pid: int, exe: str) -> bool:
    return not _alive_as(pid, exe)


def _exited(p: subprocess.Popen[bytes]) -> bool:
    return p.poll() is not None


def _stop_group(pid: int, exited: Callable[[], bool]) -> None:
    """TERM to the process group of pid, KILL after the grace period."""
    for sig, grace in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if exited():
                return
            time.sleep(0.1)


def stop_recorded(pid_dir: Path, names: Collection[str] | None = None) -> list[str]:
    """Stops the detached processes whose pid files are in pid_dir (only those
    named, when given), last started first, and removes the files; returns the
    names of those that were running."""
    stopped: list[str] = []
    if not pid_dir.is_dir():
        return stopped
    for f in sorted(pid_dir.glob("*.pid"), reverse=True):
        if names is not None and f.stem.split("-", 1)[1] not in names:
            continue
        pid_text, _, exe = f.read_text().partition("\n")
        pid, exe = int(pid_text), exe.strip()
        if _alive_as(pid, exe):
            _stop_group(pid, functools.partial(_gone, pid, exe))
            stopped.append(f.stem.split("-", 1)[1])
        f.unlink()
    return stopped


def running_recorded(pid_dir: Path) -> dict[str, int]:
    """The detached processes of pid_dir still running: name to pid."""
    running: dict[str, int] = {}
    for f in sorted(pid_dir.glob("*.pid")) if pid_dir.is_dir() else []:
        pid_text, _, exe = f.read_text().partition("\n")
        if _alive_as(int(pid_text), exe.strip()):
            running[f.stem.split("-", 1)[1]] = int(pid_text)
    return running


@dataclass
class Supervisor:
    """The processes of one cluster, stopped in reverse start order by `stop`."""

    logs: Path
    timeout: float = 120.0  # for each `wait`
    pid_dir: Path | None = None  # detached when set
    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def spawn(
        self, name: str, args: list[str], env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.logs / f"{name}.log", "ab") as log:
            p = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=None if env is None else {**os.environ, **env},
                preexec_fn=None if self.pid_dir else _die_with_parent,
            )
        self.procs.append((name, p))
        if self.pid_dir is not None:
            self.pid_dir.mkdir(parents=True, exist_ok=True)
            exe = os.readlink(f"/proc/{p.pid}/exe")
            (self.pid_dir / f"{len(self.procs):02d}-{name}.pid").write_text(f"{p.pid}\n{exe}\n")
        return p

    def wait(self, what: str, ready: Callable[[], bool], timeout: float | None = None) -> None:
        """Polls ready() until it is true; fails when a process exits or on timeout."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            for name, p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited with {p.returncode}:\n{self.tail(name)}")
            try:
                if ready():
                    return
            except (OSError, urllib.error.URLError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not ready after {limit} s:\n{self.tail(what)}")
            time.sleep(0.25)

    def stop(self, names: Collection[str] | None = None) -> None:
        """Stops the processes (only those named, when given), last started first,
        and removes their pid files."""
        for name, p in reversed(self.procs):
            if (names is None or name in names) and p.poll() is None:
                _stop_group(p.pid, functools.partial(_exited, p))
        self.procs = [(n, p) for n, p in self.procs if p.poll() is None]
        if self.pid_dir is not None:
            running = {n for n, _ in self.procs}
            for f in self.pid_dir.glob("*.pid"):
                if f.stem.split("-", 1)[1] not in running:
                    f.unlink()

    def tail(self, name: str, lines: int = 30) -> str:
        f = self.logs / f"{name}.log"
        if not f.exists():
            return ""
        return "\n".join(f.read_text(errors="replace").splitlines()[-lines:])
