"""chaincode/asset_transfer/main.py as the Deployment runs it: it serves gRPC
with mutual TLS on CHAINCODE_SERVER_ADDRESS (a client without a certificate of
the client CA is refused) and stops gracefully on SIGTERM."""

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

from crypto.certificates import create_ca, issue_tls_cert
from crypto.keypair import KeyPair
from fabric_ops.ccaas_package import server_tls_environment
from network_spec import Subject

MAIN = Path(__file__).resolve().parents[2] / "chaincode" / "asset_transfer" / "main.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(log: Path, **env: str) -> subprocess.Popen[bytes]:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("CHAINCODE_")}
    # The shim logs at DEBUG: a file, not a pipe nobody drains.
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, str(MAIN)], env=environment | env,
                                stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def org_tls_ca() -> KeyPair:
    return create_ca("tlsca.org1.example.com", "org1.example.com", Subject())


def server_tls(directory: Path, ca: KeyPair) -> dict[str, str]:
    """The server's TLS files as the Deployment mounts them, its variables."""
    directory.mkdir()
    pair = issue_tls_cert(ca, "asset-org1", Subject(), ("localhost", "127.0.0.1"))
    for name, text in (("tls.crt", pair.cert_pem), ("tls.key", pair.key_pem),
                       ("ca.crt", ca.cert_pem)):
        (directory / name).write_text(text)
    return server_tls_environment(str(directory))


def channel(address: str, ca: KeyPair, client: KeyPair | None) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(
        ca.cert_pem.encode(),
        client.key_pem.encode() if client else None,
        client.cert_pem.encode() if client else None)
    return grpc.secure_channel(address, credentials)


def wait_for_grpc(address: str, server: subprocess.Popen[bytes], log: Path, ca: KeyPair,
                  client: KeyPair) -> None:
    deadline = time.monotonic() + 30
    with channel(address, ca, client) as connection:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"the chaincode server exited:\n{log.read_text()}")
            try:
                grpc.channel_ready_future(connection).result(timeout=1)
                return
            except grpc.FutureTimeoutError:
                continue
    pytest.fail(f"no gRPC connection to {address} within 30s:\n{log.read_text()}")


def connects(address: str, ca: KeyPair, client: KeyPair | None) -> bool:
    with channel(address, ca, client) as connection:
        try:
            grpc.channel_ready_future(connection).result(timeout=3)
        except grpc.FutureTimeoutError:
            return False
    return True


def test_server_demands_a_client_certificate_of_its_ca_and_stops_on_sigterm(
        tmp_path: Path, org_tls_ca: KeyPair):
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path / "server.log"
    server = start(log, CHAINCODE_ID="asset_1.0:abc", CHAINCODE_SERVER_ADDRESS=address,
                   **server_tls(tmp_path / "tls", org_tls_ca))
    peer = issue_tls_cert(org_tls_ca, "peer0.org1.example.com", Subject())
    stranger_ca = create_ca("tlsca.org2.example.com", "org2.example.com", Subject())
    stranger = issue_tls_cert(stranger_ca, "peer0.org2.example.com", Subject())
    try:
        wait_for_grpc(address, server, log, org_tls_ca, peer)
        assert not connects(address, org_tls_ca, None)
        assert not connects(address, org_tls_ca, stranger)
        assert connects(address, org_tls_ca, peer)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0, log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert "Starting graceful shutdown" in log.read_text()


def test_server_needs_its_id_address_and_tls_files(tmp_path: Path, org_tls_ca: KeyPair):
    log = tmp_path / "server.log"
    server = start(log, CHAINCODE_ID="asset_1.0:abc", CHAINCODE_TLS_CERT="tls.crt")
    assert server.wait(timeout=30) == 2
    assert ("set CHAINCODE_SERVER_ADDRESS and CHAINCODE_TLS_KEY and "
            "CHAINCODE_CLIENT_CA_CERT") in log.read_text()
    tls = server_tls(tmp_path / "tls", org_tls_ca)
    server = start(log, CHAINCODE_ID="asset_1.0:abc", CHAINCODE_SERVER_ADDRESS="127.0.0.1:1",
                   **tls | {"CHAINCODE_TLS_KEY": str(tmp_path / "missing.key")})
    assert server.wait(timeout=30) == 1
    assert f"CHAINCODE_TLS_KEY={tmp_path}/missing.key: cannot read it" in log.read_text()


def test_without_any_tls_file_it_serves_plain_grpc(tmp_path: Path):
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path / "server.log"
    server = start(log, CHAINCODE_ID="asset_1.0:abc", CHAINCODE_SERVER_ADDRESS=address)
    try:
        with grpc.insecure_channel(address) as connection:
            grpc.channel_ready_future(connection).result(timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_the_image_copies_every_module_of_the_chaincode():
    copied = next(line.split()[1:-1] for line in
                  (MAIN.parent / "Dockerfile").read_text().splitlines()
                  if line.startswith("COPY") and "main.py" in line)
    assert sorted(copied) == sorted(p.name for p in MAIN.parent.glob("*.py"))
