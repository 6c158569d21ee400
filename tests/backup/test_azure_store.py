"""The Azure Blob store against Azurite: objects round-trip, a missing one is
reported as missing, and a backup stored there is checked like any other (an
altered blob is refused naming the key and the object)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from azure.storage.blob import ContainerClient

from backup import BackupError, Manifest
from backup.__main__ import main
from backup.azure_store import AzureBlobStore
from backup.manifest import fetch_verified, object_path, publish, upload
from backup.store import ObjectMissing

KEY = "nightly"


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
    manifest = Manifest(KEY, "2026-11-26T00:00:00+00:00",
                        [upload(store, KEY, "nodes/orderer0/data.tar.gz", archive)])
    publish(store, manifest, tmp_path)
    fetched, paths = fetch_verified(store, KEY, tmp_path / "staging")
    assert fetched.entry("nodes/orderer0/data.tar.gz").size == 6000
    assert paths["nodes/orderer0/data.tar.gz"].read_bytes() == archive.read_bytes()
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite)
    container = f"azure://{store.container.container_name}"
    assert main(["verify", container, KEY]) == 0
    assert capsys.readouterr().out == f"backup {KEY}: 1 objects, 6000 bytes, verified\n"

    altered = tmp_path / "altered"
    altered.write_bytes(b"ledgeR" + archive.read_bytes()[6:])
    store.put(object_path(KEY, "nodes/orderer0/data.tar.gz"), altered)
    with pytest.raises(BackupError, match=f"^backup {KEY}: object backups/{KEY}/nodes/orderer0/"
                       "data.tar.gz is corrupt: sha256 "):
        fetch_verified(store, KEY, tmp_path / "again")
    assert main(["verify", container, KEY]) == 1
    assert "is corrupt" in capsys.readouterr().err
