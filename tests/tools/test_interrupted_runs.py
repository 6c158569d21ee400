"""What a killed pulumi leaves: a lock in the file backend, removed unless its
process runs or it is another machine's; pending operations in the state."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tools.interrupted_runs import main, pending_operations, stale_locks

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
    attributes = gone.with_name("a.json.attrs")
    attributes.write_text("{}")
    alive = _lock(tmp_path, "b.json", os.getpid())
    assert main(["locks", str(tmp_path)]) == 0
    assert not gone.exists() and not attributes.exists() and alive.exists()


def test_pending_operations_are_read_from_an_export():
    urn = "urn:pulumi:dev::fabric::kubernetes:apps/v1:Deployment::org1-peer0"
    export = {"version": 3, "deployment": {"resources": [], "pending_operations": [
        {"type": "creating", "resource": {"urn": urn}}]}}
    assert pending_operations(export) == [f"creating {urn}"]
    assert pending_operations({"version": 3, "deployment": {"resources": []}}) == []
    assert pending_operations({"version": 3}) == []  # a stack never deployed
