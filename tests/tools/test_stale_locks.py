"""A lock a killed pulumi left in the file backend is removed; the locks of
running processes and of other machines are not."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tools.stale_locks import main, stale_locks

HOST = "this-host"


def _lock(backend: Path, name: str, pid: int, host: str = HOST) -> Path:
    path = backend / ".pulumi" / "locks" / "organization" / "fabric-on-pulumi" / "dev" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "username": "root", "hostname": host,
                                "timestamp": "2026-11-30T00:00:00Z"}))
    return path


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_only_locks_of_gone_processes_on_this_host_are_stale(tmp_path: Path):
    gone = _lock(tmp_path, "a.json", _dead_pid())
    _lock(tmp_path, "b.json", os.getpid())
    _lock(tmp_path, "c.json", _dead_pid(), host="another-host")
    (tmp_path / ".pulumi" / "locks" / "garbled.json").write_text("{not json")
    assert stale_locks(tmp_path, HOST) == [gone]


def test_the_command_removes_them(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("socket.gethostname", lambda: HOST)
    gone = _lock(tmp_path, "a.json", _dead_pid())
    alive = _lock(tmp_path, "b.json", os.getpid())
    assert main([str(tmp_path)]) == 0
    assert not gone.exists() and alive.exists()
