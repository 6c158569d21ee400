"""chaincode/asset_transfer/main.py as the Deployment runs it: it serves gRPC on
CHAINCODE_SERVER_ADDRESS and stops gracefully on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc  # type: ignore[import-untyped]
import pytest

MAIN = Path(__file__).resolve().parents[2] / "chaincode" / "asset_transfer" / "main.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(log: Path, **env: str) -> subprocess.Popen[bytes]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("CHAINCODE_ID", "CHAINCODE_SERVER_ADDRESS")}
    # The shim logs at DEBUG: a file, not a pipe nobody drains.
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, str(MAIN)], env=environment | env,
                                stdout=out, stderr=subprocess.STDOUT)


def wait_for_grpc(address: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    with grpc.insecure_channel(address) as channel:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"the chaincode server exited:\n{log.read_text()}")
            try:
                grpc.channel_ready_future(channel).result(timeout=1)
                return
            except grpc.FutureTimeoutError:
                continue
    pytest.fail(f"no gRPC connection to {address} within 30s:\n{log.read_text()}")


def test_server_accepts_grpc_and_stops_on_sigterm(tmp_path: Path):
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path / "server.log"
    server = start(log, CHAINCODE_ID="asset_1.0:abc", CHAINCODE_SERVER_ADDRESS=address)
    try:
        wait_for_grpc(address, server, log)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0, log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert "Starting graceful shutdown" in log.read_text()


def test_server_needs_its_id_and_address(tmp_path: Path):
    log = tmp_path / "server.log"
    server = start(log, CHAINCODE_ID="asset_1.0:abc")
    assert server.wait(timeout=30) == 2
    assert "set CHAINCODE_SERVER_ADDRESS" in log.read_text()


def test_the_image_copies_every_module_of_the_chaincode():
    copied = next(line.split()[1:-1] for line in
                  (MAIN.parent / "Dockerfile").read_text().splitlines()
                  if line.startswith("COPY") and "main.py" in line)
    assert sorted(copied) == sorted(p.name for p in MAIN.parent.glob("*.py"))
