"""``python -m backup``: verify a stored backup, open its sealed material, and
the steps the Kubernetes Jobs run (encrypt an archive, write the manifest,
list an authenticated manifest's objects); bad input is one line on stderr and
exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backup import LocalDirStore
from backup.__main__ import main
from backup.archive import pack_files
from backup.names import object_path
from backup.reader import fetch_verified
from backup.writer import BackupWriter
from tests.backup.kdf import fast_params

KEY = "nightly"
PASSPHRASE = "pw"
KEY_PEM = b"-----BEGIN PRIVATE KEY-----\n...\n"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FABRIC_BACKUP_PASSPHRASE", PASSPHRASE)
    store = LocalDirStore(tmp_path / "store")
    writer = BackupWriter(store, KEY, PASSPHRASE, tmp_path, fast_params())
    writer.add_material(pack_files({
        "crypto/peerOrganizations/org1.example.com/ca/priv_sk": KEY_PEM,
        "network/network.yaml": b"channels: []\n"}))
    writer.publish()
    return store.root


def test_verify_reports_the_objects(store: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["verify", str(store), KEY]) == 0
    assert capsys.readouterr().out.startswith(f"backup {KEY}: 1 objects, ")


def test_verify_names_a_corrupt_object(store: Path, capsys: pytest.CaptureFixture[str]):
    path = store / object_path(KEY, "network.sealed")
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    assert main(["verify", str(store), KEY]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"backup: backup {KEY}: object backups/{KEY}/network.sealed is "
                          "corrupt")
    assert "Traceback" not in err


def test_verify_needs_the_passphrase(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.delenv("FABRIC_BACKUP_PASSPHRASE")
    assert main(["verify", str(store), KEY]) == 1
    assert capsys.readouterr().err == (
        "backup: set FABRIC_BACKUP_PASSPHRASE to the backup passphrase\n")


def test_unseal_lays_out_the_crypto_directory(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    sealed = store / object_path(KEY, "network.sealed")
    monkeypatch.setenv("FABRIC_BACKUP_PASSPHRASE", "wrong")
    assert main(["unseal", str(sealed), str(tmp_path / "out")]) == 1
    assert "the passphrase does not open it" in capsys.readouterr().err
    monkeypatch.setenv("FABRIC_BACKUP_PASSPHRASE", PASSPHRASE)
    assert main(["unseal", str(sealed), str(tmp_path / "out")]) == 0
    key_file = tmp_path / "out" / "crypto/peerOrganizations/org1.example.com/ca/priv_sk"
    assert key_file.read_bytes() == KEY_PEM
    assert main(["unseal", str(sealed), str(tmp_path / "out")]) == 1
    assert "not empty" in capsys.readouterr().err


def test_the_job_steps_write_a_backup_the_restore_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """``encrypt`` per archive with the salt the program chose, ``manifest``
    over the entries; ``names`` lists what an authenticated manifest holds."""
    params = fast_params()
    monkeypatch.setenv("FABRIC_BACKUP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BACKUP_KEY", KEY)
    monkeypatch.setenv("BACKUP_KDF", json.dumps(params.to_json()))
    blobs = tmp_path / "blobs" / "backups" / KEY
    (tmp_path / "entries").mkdir()
    plain = tmp_path / "data.tar.gz"
    plain.write_bytes(b"ledger" * 1000)
    name = "nodes/peer0-org1/data.tar.gz"
    (blobs / "nodes" / "peer0-org1").mkdir(parents=True)
    assert main(["encrypt", name, str(plain), str(blobs / name)]) == 0
    (tmp_path / "entries" / "peer0.json").write_text(capsys.readouterr().out)
    assert main(["manifest", str(tmp_path / "entries"), str(blobs / "manifest.json")]) == 0
    assert capsys.readouterr().out == f"backup {KEY}: manifest of 1 objects\n"
    assert main(["names", str(tmp_path / "blobs"), KEY]) == 0
    assert capsys.readouterr().out == f"{name}\n"
    manifest, paths = fetch_verified(LocalDirStore(tmp_path / "blobs"), KEY,
                                     tmp_path / "staging", PASSPHRASE)
    assert manifest.kdf == params
    assert paths[name].read_bytes() == plain.read_bytes()


def test_the_job_steps_refuse_a_missing_kdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("FABRIC_BACKUP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BACKUP_KEY", KEY)
    monkeypatch.setenv("BACKUP_KDF", "{}")
    assert main(["manifest", str(tmp_path), str(tmp_path / "manifest.json")]) == 1
    assert capsys.readouterr().err.startswith("backup: BACKUP_KDF: kdf: not valid scrypt")
