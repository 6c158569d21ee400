"""The manifest and its check against a local directory store: every object's
size and sha256, a missing or altered object named with the key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backup import BackupError, LocalDirStore, Manifest, default_key
from backup.archive import sha256_file
from backup.manifest import check_key, fetch_verified, object_path, publish, upload

KEY = "20261126T034641Z"


@pytest.fixture
def store(tmp_path: Path) -> LocalDirStore:
    """Backup KEY with two objects and its manifest."""
    store = LocalDirStore(tmp_path / "store")
    manifest = Manifest(KEY, "2026-11-26T03:46:41+00:00", heights={"peer0": {"common": 7}})
    for name, data in (("network.sealed", b"sealed"), ("nodes/peer0.tar.gz", b"x" * 1000)):
        source = tmp_path / "source"
        source.write_bytes(data)
        manifest.objects.append(upload(store, KEY, name, source))
    publish(store, manifest, tmp_path)
    return store


def test_the_default_key_is_the_utc_time():
    assert default_key(datetime(2026, 11, 26, 3, 46, 41, tzinfo=UTC)) == KEY
    assert check_key(default_key()) == default_key()


def test_the_manifest_lists_every_object_with_size_and_sha256(store: LocalDirStore):
    raw = json.loads((store.root / object_path(KEY, "manifest.json")).read_text())
    objects = {o["name"]: o for o in raw["objects"]}
    assert set(objects) == {"network.sealed", "nodes/peer0.tar.gz"}
    node = objects["nodes/peer0.tar.gz"]
    assert node["size"] == 1000
    assert node["sha256"] == sha256_file(store.root / object_path(KEY, "nodes/peer0.tar.gz"))
    assert raw["heights"] == {"peer0": {"common": 7}}
    assert store.names(f"backups/{KEY}") == [
        f"backups/{KEY}/manifest.json", f"backups/{KEY}/network.sealed",
        f"backups/{KEY}/nodes/peer0.tar.gz"]


def test_an_intact_backup_is_fetched_whole(store: LocalDirStore, tmp_path: Path):
    manifest, paths = fetch_verified(store, KEY, tmp_path / "staging")
    assert manifest.heights == {"peer0": {"common": 7}}
    assert paths["nodes/peer0.tar.gz"].read_bytes() == b"x" * 1000
    assert manifest.entry("network.sealed").size == len(b"sealed")


def test_a_flipped_byte_is_refused_naming_the_key_and_the_object(
    store: LocalDirStore, tmp_path: Path
):
    path = store.root / object_path(KEY, "nodes/peer0.tar.gz")
    data = bytearray(path.read_bytes())
    data[500] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=rf"^backup {KEY}: object backups/{KEY}/nodes/"
                       r"peer0.tar.gz is corrupt: sha256 [0-9a-f]{64} \(1000 bytes\)"):
        fetch_verified(store, KEY, tmp_path / "staging")


def test_a_missing_object_is_refused(store: LocalDirStore, tmp_path: Path):
    (store.root / object_path(KEY, "network.sealed")).unlink()
    with pytest.raises(BackupError, match=f"^backup {KEY}: object backups/{KEY}/"
                       "network.sealed is missing$"):
        fetch_verified(store, KEY, tmp_path / "staging")


def test_a_key_without_a_manifest_is_refused(store: LocalDirStore, tmp_path: Path):
    with pytest.raises(BackupError, match="^backup other: no manifest "
                       r"\(backups/other/manifest.json\)"):
        fetch_verified(store, "other", tmp_path / "staging")


def test_a_malformed_manifest_is_refused(store: LocalDirStore, tmp_path: Path):
    (store.root / object_path(KEY, "manifest.json")).write_text('{"format": 1}')
    with pytest.raises(BackupError, match=f"^backup {KEY}: backups/{KEY}/manifest.json: "
                       "not a valid manifest"):
        fetch_verified(store, KEY, tmp_path / "staging")


@pytest.mark.parametrize("key", ["", "../etc", "a/b", "-x", "x" * 64, "nightly\n"])
def test_a_bad_key_is_refused(key: str):
    with pytest.raises(BackupError, match="backup key"):
        check_key(key)


def test_object_names_stay_inside_the_store(tmp_path: Path):
    with pytest.raises(ValueError, match="not a relative path"):
        LocalDirStore(tmp_path).put("backups/../../x", tmp_path)
