"""The backup and restore Jobs' scripts run for real with ``sh``, ``tar`` and
``python3 -m backup`` (the package as the ConfigMap lays it out, nothing else
on the path), against an ``az`` double that keeps the blob container in a
directory: the backup they write is encrypted and one the Python restore
accepts, a restore lays the volumes down again, and a missing, altered or
swapped object, or a volume that already holds data, stops them with a message
naming it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from backup import LocalDirStore
from backup.keys import KdfParams, derive_keys
from backup.reader import fetch_verified
from backup.sealed import seal
from fabric_components.backup.scripts import (
    FETCH_ALL,
    FETCH_NODE,
    PACK_MATERIAL,
    PACK_VOLUMES,
    UNPACK_VOLUMES,
    UPLOAD_MATERIAL,
    UPLOAD_VOLUMES,
    VERIFY_ALL,
    WRITE_MANIFEST,
    code_files,
)

KEY = "nightly-1"
CONTAINER = "fabric-backups"
NODE = "peer0-org1"
PASSPHRASE = "correct horse battery staple"
PARAMS = KdfParams(bytes(range(16)), log2_n=10)
KEYS = derive_keys(PASSPHRASE, PARAMS)
SEALED = seal(b"the network material", PARAMS, KEYS)
LEDGER = b"\x01" * 5000

FAKE_AZ = '''#!{python}
"""az storage blob upload|download|download-batch on the directory $FAKE_BLOBS."""
import fnmatch, os, shutil, sys
args = sys.argv[1:]
def opt(name):
    return args[args.index(name) + 1]
root = os.path.join(os.environ["FAKE_BLOBS"], opt("--container-name") if "--container-name"
                    in args else opt("--source"))
if args[:3] == ["storage", "blob", "upload"]:
    target = os.path.join(root, opt("--name"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(opt("--file"), target)
elif args[:3] == ["storage", "blob", "download"]:
    source = os.path.join(root, opt("--name"))
    if not os.path.isfile(source):
        sys.exit("ERROR: The specified blob does not exist.")
    shutil.copyfile(source, opt("--file"))
elif args[:3] == ["storage", "blob", "download-batch"]:
    for folder, _, files in os.walk(root):
        for f in files:
            name = os.path.relpath(os.path.join(folder, f), root)
            if fnmatch.fnmatch(name, opt("--pattern")):
                target = os.path.join(opt("--destination"), name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(os.path.join(folder, f), target)
else:
    sys.exit("unexpected az call: " + " ".join(args))
'''


class Pod:
    """One pod's environment: its own /work, the node volumes and the blobs."""

    def __init__(self, root: Path, blobs: Path, volumes: Path, material: Path) -> None:
        self.work = root
        bin_dir, code = root.parent / "bin", root.parent / "code"
        bin_dir.mkdir(exist_ok=True)
        az = bin_dir / "az"
        az.write_text(FAKE_AZ.format(python=sys.executable))
        python = bin_dir / "python3"
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        for tool in (az, python):
            tool.chmod(0o755)
        (code / "backup").mkdir(parents=True, exist_ok=True)
        for name, source in code_files().items():
            (code / "backup" / name).write_text(source)
        # As in the Azure CLI image: no Azure Storage SDK for Python.
        (code / "sitecustomize.py").write_text('import sys\nsys.modules["azure.storage"] = None\n')
        root.mkdir(parents=True)
        self.env = {
            "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_BLOBS": str(blobs),
            "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1",
            "FABRIC_BACKUP_PASSPHRASE": PASSPHRASE, "BACKUP_KDF": json.dumps(PARAMS.to_json()),
            "BACKUP_KEY": KEY, "BACKUP_CONTAINER": CONTAINER, "WORK_DIR": str(root),
            "VOLUMES_DIR": str(volumes), "MATERIAL_DIR": str(material), "NODE": NODE,
            "VOLUMES": "couchdb data",
        }

    def run(self, *scripts: str) -> subprocess.CompletedProcess[str]:
        """The containers of one Job, in order; stops at the first that fails."""
        result = subprocess.CompletedProcess[str]([], 0, "", "")
        for script in scripts:
            result = subprocess.run(["sh", "-c", script], env=self.env, cwd=self.work,
                                    capture_output=True, text=True, timeout=60, check=False)
            if result.returncode != 0:
                return result
        return result


@pytest.fixture
def taken(tmp_path: Path) -> Path:
    """A backup of one peer's two volumes and the material, by the Jobs' scripts."""
    volumes, material, blobs = tmp_path / "snapshots", tmp_path / "material", tmp_path / "blobs"
    (volumes / "data" / "ledgersData" / "chains").mkdir(parents=True)
    (volumes / "data" / "ledgersData" / "chains" / "blockfile_000000").write_bytes(LEDGER)
    (volumes / "couchdb" / "shards").mkdir(parents=True)
    (volumes / "couchdb" / "shards" / "db.couch").write_bytes(b"couch")
    material.mkdir()
    (material / "network.sealed").write_bytes(SEALED)
    for n, scripts in enumerate([(PACK_VOLUMES, UPLOAD_VOLUMES), (PACK_MATERIAL, UPLOAD_MATERIAL),
                                 (WRITE_MANIFEST,)]):
        done = Pod(tmp_path / f"backup-pod-{n}", blobs, volumes, material).run(*scripts)
        assert done.returncode == 0, done.stderr
    return blobs


def restore_pod(tmp_path: Path, blobs: Path, name: str) -> tuple[Pod, Path]:
    volumes = tmp_path / f"{name}-volumes"
    (volumes / "data").mkdir(parents=True)
    (volumes / "couchdb" / "lost+found").mkdir(parents=True)
    return Pod(tmp_path / name, blobs, volumes, tmp_path / "none"), volumes


def test_the_jobs_write_an_encrypted_backup_the_restore_accepts(taken: Path, tmp_path: Path):
    stored = taken / CONTAINER / "backups" / KEY / "nodes" / NODE / "data.tar.gz"
    assert stored.read_bytes().startswith(b"FBS2")
    manifest, paths = fetch_verified(LocalDirStore(taken / CONTAINER), KEY, tmp_path / "staging",
                                     PASSPHRASE)
    assert sorted(o.name for o in manifest.objects) == [
        "network.sealed", f"nodes/{NODE}/couchdb.tar.gz", f"nodes/{NODE}/data.tar.gz"]
    assert manifest.kdf == PARAMS
    assert paths["network.sealed"].read_bytes() == b"the network material"
    with tarfile.open(paths[f"nodes/{NODE}/data.tar.gz"]) as tar:
        member = tar.extractfile("./ledgersData/chains/blockfile_000000")
        assert member is not None and member.read() == LEDGER


def test_a_restore_verifies_then_fills_the_new_volumes(taken: Path, tmp_path: Path):
    verify = Pod(tmp_path / "verify", taken, tmp_path / "none", tmp_path / "none")
    done = verify.run(FETCH_ALL, VERIFY_ALL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"backup {KEY}: 3 objects, ")
    pod, volumes = restore_pod(tmp_path, taken, "restore")
    done = pod.run(FETCH_NODE, UNPACK_VOLUMES)
    assert done.returncode == 0, done.stderr
    restored = volumes / "data" / "ledgersData" / "chains" / "blockfile_000000"
    assert restored.read_bytes() == LEDGER
    assert (volumes / "couchdb" / "shards" / "db.couch").read_bytes() == b"couch"


def test_an_altered_object_stops_the_verify_job(taken: Path, tmp_path: Path):
    blob = taken / CONTAINER / "backups" / KEY / "nodes" / NODE / "data.tar.gz"
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    done = Pod(tmp_path / "verify", taken, tmp_path / "none", tmp_path / "none").run(
        FETCH_ALL, VERIFY_ALL)
    assert done.returncode == 1
    assert done.stderr.startswith(f"backup: backup {KEY}: object backups/{KEY}/nodes/{NODE}/"
                                  "data.tar.gz is corrupt: sha256 ")
    pod, volumes = restore_pod(tmp_path, taken, "restore")
    done = pod.run(FETCH_NODE, UNPACK_VOLUMES)
    assert done.returncode == 1
    assert "data.tar.gz is corrupt: sha256 " in done.stderr
    assert list((volumes / "data").iterdir()) == []


def test_archives_swapped_with_their_entries_stop_the_verify_job(taken: Path, tmp_path: Path):
    """The holder of the storage key swaps the two archives and their manifest
    entries: the manifest no longer authenticates, nothing is downloaded."""
    backup_dir = taken / CONTAINER / "backups" / KEY
    first, second = (backup_dir / "nodes" / NODE / f"{v}.tar.gz" for v in ("couchdb", "data"))
    first_bytes = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(first_bytes)
    raw = json.loads((backup_dir / "manifest.json").read_text())
    names = {f"nodes/{NODE}/couchdb.tar.gz": f"nodes/{NODE}/data.tar.gz",
             f"nodes/{NODE}/data.tar.gz": f"nodes/{NODE}/couchdb.tar.gz"}
    for entry in raw["objects"]:
        entry["name"] = names.get(entry["name"], entry["name"])
    (backup_dir / "manifest.json").write_text(json.dumps(raw))
    pod = Pod(tmp_path / "verify", taken, tmp_path / "none", tmp_path / "none")
    done = pod.run(FETCH_ALL, VERIFY_ALL)
    assert done.returncode == 1
    assert done.stderr == (f"backup: backup {KEY}: backups/{KEY}/manifest.json does not "
                           "authenticate: the passphrase is wrong, or the manifest was altered "
                           "or replaced (with or without its objects)\n")
    assert not (pod.work / "store" / "backups" / KEY / "nodes").exists()


def test_a_manifest_naming_a_path_outside_the_backup_stops_the_verify_job(
    taken: Path, tmp_path: Path
):
    manifest = taken / CONTAINER / "backups" / KEY / "manifest.json"
    raw = json.loads(manifest.read_text())
    raw["objects"].append({"name": "../../../etc/cron.d/x", "size": 1, "sha256": "0" * 64})
    manifest.write_text(json.dumps(raw))
    done = Pod(tmp_path / "verify", taken, tmp_path / "none", tmp_path / "none").run(
        FETCH_ALL, VERIFY_ALL)
    assert done.returncode == 1
    assert "object name '../../../etc/cron.d/x' is not 'network.sealed' or " in done.stderr


def test_a_missing_object_or_manifest_stops_the_verify_job(taken: Path, tmp_path: Path):
    (taken / CONTAINER / "backups" / KEY / "network.sealed").unlink()
    done = Pod(tmp_path / "verify", taken, tmp_path / "none", tmp_path / "none").run(
        FETCH_ALL, VERIFY_ALL)
    assert done.returncode == 1
    assert f"backup {KEY}: object backups/{KEY}/network.sealed is missing" in done.stderr
    (taken / CONTAINER / "backups" / KEY / "manifest.json").unlink()
    done = Pod(tmp_path / "again", taken, tmp_path / "none", tmp_path / "none").run(FETCH_ALL)
    assert done.returncode == 1
    assert f"backup {KEY}: no manifest (backups/{KEY}/manifest.json)" in done.stderr


def test_a_volume_holding_data_is_never_overwritten(taken: Path, tmp_path: Path):
    pod, volumes = restore_pod(tmp_path, taken, "restore")
    (volumes / "data" / "ledgersData").mkdir()
    done = pod.run(FETCH_NODE, UNPACK_VOLUMES)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"restore {KEY}: volume data of {NODE} is not empty: a "
                                   "restore only fills new volumes")
    assert not (volumes / "couchdb" / "shards").exists()


def test_a_restore_job_can_run_again(taken: Path, tmp_path: Path):
    """A retried Job: a finished volume is left alone, a half-unpacked one is
    unpacked again."""
    pod, volumes = restore_pod(tmp_path, taken, "restore")
    (volumes / "data" / ".restore-partial" / "junk").mkdir(parents=True)
    done = pod.run(FETCH_NODE, UNPACK_VOLUMES)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (volumes / "data").iterdir()) == [
        f".restored-{KEY}", "ledgersData"]
    (volumes / "couchdb" / "shards" / "db.couch").write_bytes(b"written by the node since")
    done = pod.run(FETCH_NODE, UNPACK_VOLUMES)
    assert done.returncode == 0, done.stderr
    assert (volumes / "couchdb" / "shards" / "db.couch").read_bytes() == (
        b"written by the node since")
