"""The backup and restore Jobs' scripts run for real with ``sh``, ``tar``,
``sha256sum`` and ``jq``, against an ``az`` double that keeps the blob container
in a directory: the backup they write is one the Python restore accepts, a
restore lays the volumes down again, and a missing or altered object, or a
volume that already holds data, stops them with a message naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backup import LocalDirStore
from backup.manifest import fetch_verified
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
)

KEY = "nightly-1"
CONTAINER = "fabric-backups"
NODE = "peer0-org1"

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
        bin_dir = root.parent / "bin"
        bin_dir.mkdir(exist_ok=True)
        az = bin_dir / "az"
        az.write_text(FAKE_AZ.format(python=sys.executable))
        az.chmod(0o755)
        root.mkdir(parents=True)
        self.env = {
            "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_BLOBS": str(blobs),
            "BACKUP_KEY": KEY, "BACKUP_CONTAINER": CONTAINER, "WORK_DIR": str(root),
            "VOLUMES_DIR": str(volumes), "MATERIAL_DIR": str(material), "NODE": NODE,
            "VOLUMES": "couchdb data",
        }

    def run(self, *scripts: str) -> subprocess.CompletedProcess[str]:
        """The containers of one Job, in order; stops at the first that fails."""
        result = subprocess.CompletedProcess[str]([], 0, "", "")
        for script in scripts:
            result = subprocess.run(["sh", "-c", script], env=self.env, capture_output=True,
                                    text=True, timeout=60, check=False)
            if result.returncode != 0:
                return result
        return result


@pytest.fixture
def taken(tmp_path: Path) -> Path:
    """A backup of one peer's two volumes and the material, by the Jobs' scripts."""
    volumes, material, blobs = tmp_path / "snapshots", tmp_path / "material", tmp_path / "blobs"
    (volumes / "data" / "ledgersData" / "chains").mkdir(parents=True)
    (volumes / "data" / "ledgersData" / "chains" / "blockfile_000000").write_bytes(b"\x01" * 5000)
    (volumes / "couchdb" / "shards").mkdir(parents=True)
    (volumes / "couchdb" / "shards" / "db.couch").write_bytes(b"couch")
    material.mkdir()
    (material / "network.sealed").write_bytes(b"FBK1 sealed bytes")
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


def test_the_jobs_write_a_backup_the_restore_accepts(taken: Path, tmp_path: Path):
    manifest, paths = fetch_verified(LocalDirStore(taken / CONTAINER), KEY, tmp_path / "staging")
    assert sorted(o.name for o in manifest.objects) == [
        "network.sealed", f"nodes/{NODE}/couchdb.tar.gz", f"nodes/{NODE}/data.tar.gz"]
    assert paths["network.sealed"].read_bytes() == b"FBK1 sealed bytes"


def test_a_restore_verifies_then_fills_the_new_volumes(taken: Path, tmp_path: Path):
    verify = Pod(tmp_path / "verify", taken, tmp_path / "none", tmp_path / "none")
    done = verify.run(FETCH_ALL, VERIFY_ALL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"backup {KEY}: 3 objects verified"
    pod, volumes = restore_pod(tmp_path, taken, "restore")
    done = pod.run(FETCH_NODE, UNPACK_VOLUMES)
    assert done.returncode == 0, done.stderr
    restored = volumes / "data" / "ledgersData" / "chains" / "blockfile_000000"
    assert restored.read_bytes() == b"\x01" * 5000
    assert (volumes / "couchdb" / "shards" / "db.couch").read_bytes() == b"couch"


def test_an_altered_object_stops_the_verify_job(taken: Path, tmp_path: Path):
    blob = taken / CONTAINER / "backups" / KEY / "nodes" / NODE / "data.tar.gz"
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    done = Pod(tmp_path / "verify", taken, tmp_path / "none", tmp_path / "none").run(
        FETCH_ALL, VERIFY_ALL)
    assert done.returncode == 1
    assert done.stderr.startswith(f"backup {KEY}: object backups/{KEY}/nodes/{NODE}/data.tar.gz "
                                  "is corrupt: sha256 ")


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
