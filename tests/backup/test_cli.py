"""``python -m backup``: verify a stored backup, open its sealed material; bad
input is one line on stderr and exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from backup import LocalDirStore, Manifest
from backup.__main__ import main
from backup.archive import pack_files
from backup.manifest import object_path, publish, upload
from backup.sealed import salt_for, seal

KEY = "nightly"
KEY_PEM = b"-----BEGIN PRIVATE KEY-----\n...\n"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    store = LocalDirStore(tmp_path / "store")
    sealed = tmp_path / "network.sealed"
    bundle = pack_files({"crypto/peerOrganizations/org1.example.com/ca/priv_sk": KEY_PEM,
                         "network/network.yaml": b"channels: []\n"})
    sealed.write_bytes(seal(bundle, "pw", salt_for(KEY)))
    manifest = Manifest(KEY, "2026-11-26T00:00:00+00:00", [upload(store, KEY, "network.sealed",
                                                                  sealed)])
    publish(store, manifest, tmp_path)
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


def test_unseal_lays_out_the_crypto_directory(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    sealed = store / object_path(KEY, "network.sealed")
    monkeypatch.setenv("FABRIC_BACKUP_PASSPHRASE", "wrong")
    assert main(["unseal", str(sealed), str(tmp_path / "out")]) == 1
    assert "the passphrase does not open it" in capsys.readouterr().err
    monkeypatch.setenv("FABRIC_BACKUP_PASSPHRASE", "pw")
    assert main(["unseal", str(sealed), str(tmp_path / "out")]) == 0
    key_file = tmp_path / "out" / "crypto/peerOrganizations/org1.example.com/ca/priv_sk"
    assert key_file.read_bytes() == KEY_PEM
    assert main(["unseal", str(sealed), str(tmp_path / "out")]) == 1
    assert "not empty" in capsys.readouterr().err
