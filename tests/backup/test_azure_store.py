"""The Azure Blob store against Azurite: objects round-trip, a missing one is
reported as missing, and a backup stored there is checked like any other (an
altered blob is refused naming the key and the object)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from azure.storage.blob import ContainerClient

from backup import BackupError
from backup.__main__ import main
from backup.azure_store import AzureBlobStore
from backup.names import object_path
from backup.reader import fetch_verified
from backup.store import ObjectMissing
from backup.writer import BackupWriter
from tests.backup.kdf import fast_params

KEY = "nightly"
PASSPHRASE = "pw"


@pytest.fixture
def store(azurite: str) -> AzureBlobStore:
    container = ContainerClient.from_connection_string(azurite, f"fabric-{uuid.uuid4().hex[:8]}")
    container.create_container()
    return AzureBlobStore(container)


def test_objects_round_trip(store: AzureBlobStore, tmp_path: Path):
    source = tmp_path / "in"
    source.write_bytes(bytes(range(256)) * 4096)
    store.put("backups/k/nodes/peer0/data.tar.gz", source)
    store.put("backups/k/manifest.json", source)
    store.put("backups/other/manifest.json", source)
    store.get("backups/k/nodes/peer0/data.tar.gz", tmp_path / "out")
    assert (tmp_path / "out").read_bytes() == source.read_bytes()
    assert store.names("backups/k/") == ["backups/k/manifest.json",
                                         "backups/k/nodes/peer0/data.tar.gz"]
    with pytest.raises(ObjectMissing):
        store.get("backups/k/absent", tmp_path / "absent")


def test_a_backup_in_blob_storage_is_verified_and_an_altered_blob_refused(
    store: AzureBlobStore, tmp_path: Path, azurite: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    archive = tmp_path / "data.tar.gz"
    archive.write_bytes(b"ledger" * 1000)
    writer = BackupWriter(store, KEY, PASSPHRASE, tmp_path, fast_params())
    stored = writer.add_archive("nodes/orderer0/data.tar.gz", archive).size
    writer.publish()
    fetched, paths = fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)
    assert fetched.entry("nodes/orderer0/data.tar.gz").size == stored
    assert paths["nodes/orderer0/data.tar.gz"].read_bytes() == archive.read_bytes()
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite)
    monkeypatch.setenv("FABRIC_BACKUP_PASSPHRASE", PASSPHRASE)
    container = f"azure://{store.container.container_name}"
    assert main(["verify", container, KEY]) == 0
    assert capsys.readouterr().out == f"backup {KEY}: 1 objects, {stored} bytes, verified\n"

    altered = tmp_path / "altered"
    store.get(object_path(KEY, "nodes/orderer0/data.tar.gz"), altered)
    altered.write_bytes(altered.read_bytes()[:-1] + b"\x00")
    store.put(object_path(KEY, "nodes/orderer0/data.tar.gz"), altered)
    with pytest.raises(BackupError, match=f"^backup {KEY}: object backups/{KEY}/nodes/orderer0/"
                       "data.tar.gz is corrupt: sha256 "):
        fetch_verified(store, KEY, tmp_path / "again", PASSPHRASE)
    assert main(["verify", container, KEY]) == 1
    assert "is corrupt" in capsys.readouterr().err
