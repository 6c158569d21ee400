"""The sample chaincode server image and the Azure CLI image of the backup
Jobs, run with runc as the program's pods run them."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import grpc  # type: ignore[import-untyped]
import pytest

from backup.keys import new_params
from backup.manifest import Manifest
from crypto.certificates import create_ca, issue_tls_cert
from fabric_components.backup.scripts import (
    CODE_DIR,
    FETCH_ALL,
    FETCH_NODE,
    UPLOAD_VOLUMES,
    VERIFY_ALL,
    WRITE_MANIFEST,
    code_files,
)
from fabric_ops.ccaas_package import server_tls_environment
from localnet.chaincode_servers import write_server_tls
from network_spec import Subject
from tests.azurite import free_port

pytestmark = pytest.mark.images

CONTAINER = "image-test-backups"
"""Its own container: the emulator is shared by the whole session."""
PASSPHRASE = "correct horse battery staple"


def _writable(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, 1000, 1000)
    return path


def test_chaincode_server_serves_mutual_tls_and_stops_on_sigterm(container, tmp_path):
    box = container("asset-transfer", "1.0")
    assert box.image.name == "localhost/fabric-on-pulumi/asset-transfer:1.0"
    runtime = box.image.runtime
    assert runtime["User"] == "1000:1000"
    assert runtime["WorkingDir"] == "/app"
    assert runtime["ExposedPorts"] == {"9999/tcp": {}}
    port = free_port()
    ca = create_ca("tlsca.org1.example.com", "org1.example.com", Subject())
    tls_dir = _writable(tmp_path / "tls")
    write_server_tls(tls_dir, ca)
    peer = issue_tls_cert(ca, "peer0.org1.example.com", Subject())
    server = box.start(env={"CHAINCODE_ID": "basic_1.0:" + "ab" * 32,
                            "CHAINCODE_SERVER_ADDRESS": f"127.0.0.1:{port}",
                            **server_tls_environment("/tls")},
                       binds={"/tls": tls_dir})
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.process.poll() is not None or time.monotonic() > deadline:
                code, _, err = server.stop()
                pytest.fail(f"the server did not listen (exit {code}): {err.decode()[-2000:]}")
            time.sleep(0.2)
    credentials = grpc.ssl_channel_credentials(ca.cert_pem.encode(), peer.key_pem.encode(),
                                               peer.cert_pem.encode())
    with grpc.secure_channel(f"127.0.0.1:{port}", credentials) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
    code, _, err = server.stop()
    assert code == 0, err.decode()


AZ_ENV = {"HOME": "/tmp", "AZURE_CONFIG_DIR": "/tmp/.azure"}


def test_azure_cli_reports_its_version(container):
    box = container("azure-cli", "2.67.0")
    assert box.image.name == "mcr.microsoft.com/azure-cli:2.67.0"
    result = box.run(["az", "version", "--output", "json"], env=AZ_ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["azure-cli"] == "2.67.0"


def test_backup_transfer_scripts_against_azurite(container, azurite, tmp_path):
    """The Jobs' upload, manifest and fetch scripts with the image's az, Python
    and cryptography (the ``backup`` package bound where its ConfigMap is
    mounted), against Azurite (the storage account's connection string instead
    of its key): the archive is stored encrypted, the manifest authenticates
    with the passphrase, and the restore side decrypts the archive again."""
    box = container("azure-cli", "2.67.0")
    params = new_params()
    env = {**AZ_ENV, "AZURE_STORAGE_CONNECTION_STRING": azurite, "BACKUP_KEY": "nightly-1",
           "BACKUP_CONTAINER": CONTAINER, "WORK_DIR": "/work", "NODE": "peer0-org1",
           "VOLUMES": "data", "PYTHONPATH": CODE_DIR, "PYTHONDONTWRITEBYTECODE": "1",
           "FABRIC_BACKUP_PASSPHRASE": PASSPHRASE, "BACKUP_KDF": json.dumps(params.to_json())}
    code = _writable(tmp_path / "code")
    for name, source in code_files().items():
        (code / name).write_text(source)
    created = box.run(["az", "storage", "container", "create", "--name", CONTAINER],
                      env=env, host_network=True)
    assert created.returncode == 0, created.stderr
    work = _writable(tmp_path / "work")
    payload = os.urandom(3_000_000)
    (work / "data.tar.gz").write_bytes(payload)
    for script in (UPLOAD_VOLUMES, WRITE_MANIFEST):
        result = box.run(["sh", "-c", script], env=env, binds={"/work": work,
                         f"{CODE_DIR}/backup": code}, host_network=True)
        assert result.returncode == 0, result.stderr
    manifest, _ = Manifest.from_json("nightly-1", (work / "manifest.json").read_text(),
                                     PASSPHRASE)
    assert manifest.kdf == params
    assert [o.name for o in manifest.objects] == ["nodes/peer0-org1/data.tar.gz"]
    assert (work / "data.enc").read_bytes().startswith(b"FBS2")

    for scripts in ((FETCH_NODE,), (FETCH_ALL, VERIFY_ALL)):
        fresh = _writable(tmp_path / f"fresh-{len(scripts)}")
        for script in scripts:
            fetched = box.run(["sh", "-c", script], env=env, binds={
                "/work": fresh, f"{CODE_DIR}/backup": code}, host_network=True)
            assert fetched.returncode == 0, fetched.stderr
        assert fetched.stdout.startswith(b"backup nightly-1: 1 objects, ")
    opened = tmp_path / "fresh-1" / "staging/objects/nodes/peer0-org1/data.tar.gz"
    assert opened.read_bytes() == payload
