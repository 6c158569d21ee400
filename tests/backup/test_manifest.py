"""A backup in a local directory store, taken and opened: archives stored
encrypted, the manifest authenticated, every object checked and decrypted
before a restore gets anything; a missing, altered or swapped object, a
manifest that does not authenticate (a consistent swap of archives and
entries, a wrong passphrase), a bad object name and a format-1 backup are
refused, each with a message naming the key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from backup import BackupError, LocalDirStore, default_key
from backup.archive import sha256_file
from backup.manifest import check_key
from backup.names import object_path
from backup.reader import fetch_verified
from backup.writer import BackupWriter
from tests.backup.kdf import fast_params

KEY = "20261126T034641Z"
PASSPHRASE = "correct horse battery staple"
PEER0, PEER1 = "nodes/peer0/data.tar.gz", "nodes/peer1/data.tar.gz"
LEDGER = b"ledger of peer0 " * 100_000


def take(store: LocalDirStore, key: str, scratch: Path) -> None:
    """Backup ``key``: the material and two peers' archives."""
    scratch.mkdir(parents=True, exist_ok=True)
    writer = BackupWriter(store, key, PASSPHRASE, scratch, fast_params())
    writer.add_material(b"sealed material")
    for name, data in ((PEER0, LEDGER), (PEER1, b"ledger of peer1 " * 1000)):
        source = scratch / "source"
        source.write_bytes(data)
        writer.add_archive(name, source)
    writer.manifest.heights = {"peer0": {"common": 7}}
    writer.publish()


@pytest.fixture
def store(tmp_path: Path) -> LocalDirStore:
    store = LocalDirStore(tmp_path / "store")
    take(store, KEY, tmp_path / "scratch")
    return store


def manifest_of(store: LocalDirStore, key: str = KEY) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        (store.root / object_path(key, "manifest.json")).read_text())
    return raw


def rewrite_manifest(store: LocalDirStore, raw: dict[str, Any], key: str = KEY) -> None:
    (store.root / object_path(key, "manifest.json")).write_text(json.dumps(raw))


def test_the_default_key_is_the_utc_time():
    assert default_key(datetime(2026, 11, 26, 3, 46, 41, tzinfo=UTC)) == KEY
    assert check_key(default_key()) == default_key()


def test_the_manifest_lists_every_encrypted_object_and_is_authenticated(
    store: LocalDirStore,
):
    raw = manifest_of(store)
    assert raw["format"] == 2
    assert len(str(raw["mac"])) == 64
    assert set(raw["kdf"]) == {"name", "salt", "n", "r", "p"}
    objects = {o["name"]: o for o in raw["objects"]}
    assert set(objects) == {"network.sealed", PEER0, PEER1}
    stored = store.root / object_path(KEY, PEER0)
    assert objects[PEER0]["sha256"] == sha256_file(stored)
    assert b"ledger of peer0" not in stored.read_bytes()
    assert raw["heights"] == {"peer0": {"common": 7}}


def test_an_intact_backup_is_fetched_whole_and_decrypted(store: LocalDirStore, tmp_path: Path):
    manifest, paths = fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)
    assert manifest.heights == {"peer0": {"common": 7}}
    assert paths[PEER0].read_bytes() == LEDGER
    assert paths["network.sealed"].read_bytes() == b"sealed material"


def test_two_backups_get_different_salts(store: LocalDirStore, tmp_path: Path):
    take(store, "other", tmp_path / "other")
    assert manifest_of(store)["kdf"] != manifest_of(store, "other")["kdf"]


def test_a_flipped_byte_is_refused_naming_the_key_and_the_object(
    store: LocalDirStore, tmp_path: Path
):
    path = store.root / object_path(KEY, PEER0)
    data = bytearray(path.read_bytes())
    data[500] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=rf"^backup {KEY}: object backups/{KEY}/{PEER0} is "
                       r"corrupt: sha256 [0-9a-f]{64} \(\d+ bytes\)"):
        fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)


def test_archives_and_entries_swapped_together_are_refused(
    store: LocalDirStore, tmp_path: Path
):
    """The holder of the storage key (not the passphrase) swaps two nodes'
    archives and their manifest entries: every size and sha256 matches, but
    the manifest no longer authenticates."""
    first, second = store.root / object_path(KEY, PEER0), store.root / object_path(KEY, PEER1)
    first_bytes = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(first_bytes)
    raw = manifest_of(store)
    for entry in raw["objects"]:
        entry["name"] = {PEER0: PEER1, PEER1: PEER0}.get(entry["name"], entry["name"])
    rewrite_manifest(store, raw)
    with pytest.raises(BackupError, match=f"^backup {KEY}: backups/{KEY}/manifest.json does "
                       "not authenticate: the passphrase is wrong, or the manifest was altered"):
        fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)


def test_a_backup_with_its_manifest_replaced_by_another_backups_is_refused(
    store: LocalDirStore, tmp_path: Path
):
    """Another backup (same passphrase) copied under this key, manifest and all."""
    take(store, "older", tmp_path / "older")
    for name in ("manifest.json", PEER0, PEER1, "network.sealed"):
        (store.root / object_path(KEY, name)).write_bytes(
            (store.root / object_path("older", name)).read_bytes())
    with pytest.raises(BackupError, match=f"^backup {KEY}: its manifest is for key 'older'$"):
        fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)


def test_a_wrong_passphrase_is_refused(store: LocalDirStore, tmp_path: Path):
    with pytest.raises(BackupError, match="does not authenticate: the passphrase is wrong"):
        fetch_verified(store, KEY, tmp_path / "staging", "Tr0ub4dor&3")


def test_a_missing_object_is_refused(store: LocalDirStore, tmp_path: Path):
    (store.root / object_path(KEY, "network.sealed")).unlink()
    with pytest.raises(BackupError, match=f"^backup {KEY}: object backups/{KEY}/"
                       "network.sealed is missing$"):
        fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)


def test_a_key_without_a_manifest_is_refused(store: LocalDirStore, tmp_path: Path):
    with pytest.raises(BackupError, match="^backup other: no manifest "
                       r"\(backups/other/manifest.json\)"):
        fetch_verified(store, "other", tmp_path / "staging", PASSPHRASE)


def test_a_malformed_manifest_is_refused(store: LocalDirStore, tmp_path: Path):
    rewrite_manifest(store, {"format": 2})
    with pytest.raises(BackupError, match=f"^backup {KEY}: backups/{KEY}/manifest.json: "
                       "not a valid manifest"):
        fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)


def test_a_format_1_backup_is_refused_saying_what_to_do(store: LocalDirStore, tmp_path: Path):
    """The manifest the previous version wrote: no kdf, no mac, archives in clear."""
    rewrite_manifest(store, {"format": 1, "key": KEY, "created": "2026-11-26T03:46:41+00:00",
                             "heights": {}, "objects": [
                                 {"name": PEER0, "size": 3, "sha256": "0" * 64}]})
    with pytest.raises(BackupError) as refused:
        fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)
    assert str(refused.value) == (
        f"backup {KEY}: backups/{KEY}/manifest.json: format 1 (archives in clear, manifest "
        "not authenticated) is no longer restored: restore it with a version of "
        "fabric-on-pulumi from before format 2, then take a new backup")


def test_a_costly_kdf_in_the_manifest_is_refused_before_scrypt_runs(
    store: LocalDirStore, tmp_path: Path
):
    raw = manifest_of(store)
    raw["kdf"] = {**raw["kdf"], "n": 2**24}
    rewrite_manifest(store, raw)
    with pytest.raises(BackupError, match="needs 16384 MiB, more than the 1024 MiB allowed"):
        fetch_verified(store, KEY, tmp_path / "staging", PASSPHRASE)


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "/etc/passwd", "nodes/../../x.tar.gz", "nodes/a/../b.tar.gz",
    "nodes/peer0/../../../x.tar.gz", "nodes/peer0/data.tar.gz/..", "manifest.json",
    "nodes/peer0\\..\\x.tar.gz", "nodes/peer0/data.tar.gz\n", "nodes//data.tar.gz",
    "nodes/peer0/sub/data.tar.gz", "nodes/.hidden/data.tar.gz",
])
def test_object_names_are_checked_before_any_path_is_built(
    store: LocalDirStore, tmp_path: Path, name: str
):
    raw = manifest_of(store)
    raw["objects"].append({"name": name, "size": 1, "sha256": "0" * 64})
    rewrite_manifest(store, raw)
    staging = tmp_path / "staging"
    with pytest.raises(BackupError, match=rf"^backup {KEY}: backups/{KEY}/manifest.json: "
                       r"object name .* is not 'network.sealed' or nodes/<node>/<archive>"):
        fetch_verified(store, KEY, staging, PASSPHRASE)
    assert sorted(p.name for p in staging.iterdir()) == ["manifest.json"]


@pytest.mark.parametrize("key", ["", "../etc", "a/b", "-x", "x" * 64, "nightly\n"])
def test_a_bad_key_is_refused(key: str):
    with pytest.raises(BackupError, match="backup key"):
        check_key(key)


def test_object_names_stay_inside_the_store(tmp_path: Path):
    with pytest.raises(ValueError, match="not a relative path"):
        LocalDirStore(tmp_path).put("backups/../../x", tmp_path)
