"""Backup and restore on Kubernetes under mocks, for the scaled sample on AKS
(CouchDB peers): the snapshots, Jobs and their volumes, the storage account's
credentials and the passphrase in a Secret, the ``backup`` package and the
backup's scrypt salt in ConfigMaps, the sealed material, and what waits for
what."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from typing import Any

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest

from backup.keys import KdfParams
from backup.sealed import params_of, unseal
from fabric_components.backup import jobs as backup_jobs
from fabric_components.backup.scripts import (
    FETCH_ALL,
    FETCH_NODE,
    PACK_VOLUMES,
    UNPACK_VOLUMES,
    UPLOAD_VOLUMES,
    VERIFY_ALL,
    WRITE_MANIFEST,
    code_files,
)
from fabric_components.components import org_nodes
from fabric_components.crypto_material import DirectoryCrypto
from fabric_components.k8s.node_objects import deployment as real_deployment
from network_spec.load import load_network
from tests.components.mocks import MOCK_ACCOUNT_KEY, RecordingMocks, has_secret
from tests.components.program import run_sample, sample_config

JOB = "kubernetes:batch/v1:Job"
SNAPSHOT = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
AKS = {"cluster": "aks", "backupStorageSku": "Standard_LRS"}
PEERS = ["peer0-org1", "peer0-org2", "peer1-org1", "peer1-org2"]
ORDERERS = ["orderer0-orderer", "orderer1-orderer", "orderer2-orderer"]
PASSPHRASE = "correct horse battery staple"


def by_k8s_name(mocks: RecordingMocks, typ: str) -> dict[str, dict[str, Any]]:
    return {r.manifest["metadata"]["name"]: r.manifest for r in mocks.of_type(typ)}


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def steps(job: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(container, image, script) in the order the pod runs them."""
    pod = job["spec"]["template"]["spec"]
    return [(c["name"], c["image"], c["command"][2])
            for c in [*pod.get("initContainers", []), *pod["containers"]]]


def dependencies(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Records the depends_on of every node Deployment and every snapshot, by
    Kubernetes name, by wrapping the functions that register them."""
    seen: dict[str, list[str]] = {}

    def names(resources: list[Any]) -> list[str]:
        return [r._name for r in resources]

    def deployment(place, spec, depends_on, *more):
        def record(resources: list[Any]) -> list[Any]:
            seen[place.k8s_name] = names(resources)
            return resources

        # The dependencies are an output (which nodes ran before is read from the
        # stack): recorded as the SDK resolves them to register the Deployment.
        return real_deployment(place, spec, pulumi.Output.from_input(depends_on).apply(record),
                               *more)

    def snapshot(place, volume, claim, config, after, opts):
        seen[f"{place.k8s_name}-{volume}"] = names(after)
        return real_snapshot(place, volume, claim, config, after, opts)

    real_snapshot = backup_jobs._snapshot
    monkeypatch.setattr(org_nodes, "deployment", deployment)
    monkeypatch.setattr(backup_jobs, "_snapshot", snapshot)
    return seen


@pytest.fixture(scope="module")
def backup() -> RecordingMocks:
    mocks, _ = run_sample("scaled", **AKS, backupKey="nightly-1", backupPassphrase=PASSPHRASE)
    return mocks


@pytest.fixture(scope="module")
def restore() -> RecordingMocks:
    mocks, _ = run_sample("scaled", **AKS, restoreKey="nightly-1", backupPassphrase=PASSPHRASE)
    return mocks


def all_containers(job: dict[str, Any]) -> list[dict[str, Any]]:
    pod = job["spec"]["template"]["spec"]
    return [*pod.get("initContainers", []), *pod["containers"]]


@pytest.mark.parametrize(("which", "code_map"), [("backup", "backup-code"),
                                                 ("restore", "restore-code")])
def test_the_jobs_run_the_backup_package_with_the_passphrase_from_the_secret(
    which: str, code_map: str, request: pytest.FixtureRequest
):
    mocks = request.getfixturevalue(which)
    (code,) = [m for m in by_k8s_name(mocks, CONFIG_MAP).values()
               if m["metadata"]["name"] == code_map]
    assert code["data"] == code_files()
    assert {"manifest.py", "stream.py", "keys.py", "__main__.py"} <= set(code["data"])
    (secret,) = [r for r in mocks.of_type(SECRET) if r.name == "backup-storage"]
    assert secret.manifest["stringData"]["FABRIC_BACKUP_PASSPHRASE"] == PASSPHRASE
    for job in by_k8s_name(mocks, JOB).values():
        pod = job["spec"]["template"]["spec"]
        assert {"name": "code", "configMap": {"name": code_map}} in pod["volumes"]
        for box in all_containers(job):
            env = env_of(box)
            assert env["FABRIC_BACKUP_PASSPHRASE"] == {"secretKeyRef": {
                "name": "fabric-backup-storage", "key": "FABRIC_BACKUP_PASSPHRASE"}}
            assert env["PYTHONPATH"] == "/opt/fabric-backup"
            assert {"name": "code", "mountPath": "/opt/fabric-backup/backup",
                    "readOnly": True} in box["volumeMounts"]


def test_the_backup_has_one_random_salt_shared_by_the_material_and_the_jobs(backup):
    kdf_map = by_k8s_name(backup, CONFIG_MAP)["backup-kdf-nightly-1"]
    params = KdfParams.from_json(json.loads(kdf_map["data"]["kdf.json"]))
    assert (params.log2_n, params.r, params.p, len(params.salt)) == (17, 8, 1, 16)
    (secret,) = [r for r in backup.of_type(SECRET) if r.manifest["metadata"]["name"]
                 == "backup-material"]
    assert params_of(base64.b64decode(secret.manifest["data"]["network.sealed"])) == params
    for job in by_k8s_name(backup, JOB).values():
        for box in all_containers(job):
            assert env_of(box)["BACKUP_KDF"] == {"configMapKeyRef": {
                "name": "backup-kdf-nightly-1", "key": "kdf.json"}}


def test_the_salt_is_drawn_anew_each_run_but_only_the_first_is_kept(backup, monkeypatch):
    """Each run draws a salt; ``ignore_changes`` keeps the one stored when the
    key was first deployed, so the material and the Jobs keep using it."""
    options: dict[str, Any] = {}
    real = k8s.core.v1.ConfigMap

    def recording(name: str, *args: Any, opts: Any = None, **kwargs: Any) -> Any:
        options[name] = opts
        return real(name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(k8s.core.v1, "ConfigMap", recording)
    again, _ = run_sample("scaled", **AKS, backupKey="nightly-1", backupPassphrase=PASSPHRASE)
    kdf = [by_k8s_name(run, CONFIG_MAP)["backup-kdf-nightly-1"]["data"]["kdf.json"]
           for run in (backup, again)]
    assert kdf[0] != kdf[1]
    assert options["backup-kdf-nightly-1"].ignore_changes == ["data"]
    assert not options["backup-code"].ignore_changes


def test_the_storage_account_key_reaches_the_jobs_only_through_a_secret(backup):
    (secret,) = [r for r in backup.of_type(SECRET) if r.name == "backup-storage"]
    assert secret.manifest["metadata"]["name"] == "fabric-backup-storage"
    assert secret.manifest["stringData"]["AZURE_STORAGE_KEY"] == MOCK_ACCOUNT_KEY
    assert has_secret(secret.inputs["stringData"])
    (call,) = [args for token, args in backup.calls
               if token == "azure-native:storage:listStorageAccountKeys"]
    assert call["accountName"] == "fabric-test-backups-account"
    containers = backup.of_type("azure-native:storage:BlobContainer")
    assert [c.inputs["containerName"] for c in containers] == ["fabric-backups"]
    for job in by_k8s_name(backup, JOB).values():
        for name, image, _ in steps(job):
            env = env_of(next(c for c in [*job["spec"]["template"]["spec"].get(
                "initContainers", []), *job["spec"]["template"]["spec"]["containers"]]
                if c["name"] == name))
            assert env["AZURE_STORAGE_KEY"] == {"secretKeyRef": {
                "name": "fabric-backup-storage", "key": "AZURE_STORAGE_KEY"}}
            assert (env["BACKUP_KEY"], env["BACKUP_CONTAINER"]) == ("nightly-1",
                                                                    "fabric-backups")
            assert image.rsplit(":", 1)[1] in ("2.5.9", "2.67.0")


def test_every_volume_is_copied_from_a_snapshot_by_a_job(backup):
    snapshots = by_k8s_name(backup, SNAPSHOT)
    claims = by_k8s_name(backup, PVC)
    jobs = by_k8s_name(backup, JOB)
    assert sorted(jobs) == sorted(
        [f"backup-{n}" for n in PEERS + ORDERERS] + ["backup-manifest", "backup-material"])
    for node in PEERS + ORDERERS:
        volumes = ["couchdb", "data"] if node in PEERS else ["data"]
        job = jobs[f"backup-{node}"]
        assert steps(job) == [
            ("pack", "docker.io/hyperledger/fabric-tools:2.5.9", PACK_VOLUMES),
            ("upload", "mcr.microsoft.com/azure-cli:2.67.0", UPLOAD_VOLUMES)]
        pod = job["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        assert env_of(pod["containers"][0])["VOLUMES"] == " ".join(volumes)
        mounts = {m["name"]: m for m in pod["initContainers"][0]["volumeMounts"]}
        mounted = {v["name"]: v for v in pod["volumes"]}
        for volume in volumes:
            assert mounts[f"vol-{volume}"] == {"name": f"vol-{volume}", "readOnly": True,
                                               "mountPath": f"/volumes/{volume}"}
            claim_name = mounted[f"vol-{volume}"]["persistentVolumeClaim"]["claimName"]
            assert claim_name == f"{node}-{volume}-snapshot"
            source = claims[claim_name]["spec"]["dataSource"]
            assert source == {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot",
                              "name": f"{node}-{volume}-nightly-1"}
            snapshot = snapshots[source["name"]]
            assert snapshot["spec"] == {"volumeSnapshotClassName": "csi-azuredisk-vsc",
                                        "source": {"persistentVolumeClaimName":
                                                   f"{node}-{volume}"}}
            assert snapshot["metadata"]["annotations"]["pulumi.com/waitFor"] == (
                "jsonpath={.status.readyToUse}=true")
    assert len(snapshots) == 2 * len(PEERS) + len(ORDERERS)
    assert steps(jobs["backup-manifest"]) == [
        ("manifest", "mcr.microsoft.com/azure-cli:2.67.0", WRITE_MANIFEST)]


def test_couchdb_before_the_ledger_and_orderers_after_every_peer(monkeypatch):
    seen = dependencies(monkeypatch)
    run_sample("scaled", **AKS, backupKey="nightly-1", backupPassphrase=PASSPHRASE)
    for peer in PEERS:
        assert seen[f"{peer}-couchdb"] == []
        assert seen[f"{peer}-data"] == [f"org{peer[-1]}-{peer.split('-')[0]}-couchdb-snapshot"]
    every_peer_snapshot = sorted(f"org{p[-1]}-{p.split('-')[0]}-{v}-snapshot"
                                 for p in PEERS for v in ("couchdb", "data"))
    for node in ORDERERS:
        assert sorted(seen[f"{node}-data"]) == every_peer_snapshot


def test_the_material_is_sealed_with_the_passphrase(backup, tmp_path):
    (secret,) = [r for r in backup.of_type(SECRET) if r.manifest["metadata"]["name"]
                 == "backup-material"]
    assert has_secret(secret.inputs["data"])
    sealed = base64.b64decode(secret.manifest["data"]["network.sealed"])
    assert b"PRIVATE KEY" not in sealed
    with tarfile.open(fileobj=io.BytesIO(unseal(sealed, PASSPHRASE))) as tar:
        names = tar.getnames()
        tar.extractall(tmp_path, filter="data")
    # The unsealed crypto is a cryptogen directory a restoring stack can use
    # as fabric:cryptoDir: every org reads back with its keys.
    config = sample_config("scaled")
    spec = load_network(config.crypto_config, config.network)
    DirectoryCrypto(str(tmp_path / "crypto"), spec)
    assert "network/network.yaml" in names and "network/crypto-config.yaml" in names
    orderer_tls = ("crypto/ordererOrganizations/example.com/orderers/orderer0.example.com/"
                   "tls/server.key")
    assert orderer_tls in names
    assert "crypto/peerOrganizations/org1.example.com/ca/priv_sk" in names
    assert ("crypto/peerOrganizations/org2.example.com/users/Admin@org2.example.com/msp/"
            "signcerts/Admin@org2.example.com-cert.pem") in names


def test_a_restore_checks_the_backup_then_fills_each_volume_before_its_node(monkeypatch):
    seen = dependencies(monkeypatch)
    mocks, _ = run_sample("scaled", **AKS, restoreKey="nightly-1", backupPassphrase=PASSPHRASE)
    jobs = by_k8s_name(mocks, JOB)
    assert sorted(jobs) == sorted(["restore-verify", *(f"restore-{n}" for n in PEERS + ORDERERS)])
    assert steps(jobs["restore-verify"]) == [
        ("fetch", "mcr.microsoft.com/azure-cli:2.67.0", FETCH_ALL),
        ("verify", "mcr.microsoft.com/azure-cli:2.67.0", VERIFY_ALL)]
    for node in PEERS + ORDERERS:
        volumes = ["couchdb", "data"] if node in PEERS else ["data"]
        job = jobs[f"restore-{node}"]
        assert steps(job) == [
            ("fetch", "mcr.microsoft.com/azure-cli:2.67.0", FETCH_NODE),
            ("unpack", "docker.io/hyperledger/fabric-tools:2.5.9", UNPACK_VOLUMES)]
        pod = job["spec"]["template"]["spec"]
        claims = {v["name"]: v["persistentVolumeClaim"]["claimName"]
                  for v in pod["volumes"] if "persistentVolumeClaim" in v}
        assert claims == {f"vol-{v}": f"{node}-{v}" for v in volumes}
        assert all(not m.get("readOnly") for m in pod["containers"][0]["volumeMounts"]
                   if m["name"].startswith("vol-"))
        assert env_of(pod["containers"][0])["BACKUP_KEY"] == "nightly-1"
        restore_job = next(r.name for r in mocks.of_type(JOB)
                           if r.manifest["metadata"]["name"] == f"restore-{node}")
        assert restore_job in seen[node]
    assert not mocks.of_type(SNAPSHOT)


@pytest.mark.parametrize("which", ["backup", "restore"])
def test_every_backup_object_validates_strictly(which, request):
    mocks = request.getfixturevalue(which)
    failures = []
    objects = [r for r in mocks.resources if r.typ.startswith("kubernetes:")
               and r.typ != SNAPSHOT]
    for version in ["1.30", kubernetes_validate.latest_version()]:
        for r in objects:
            try:
                kubernetes_validate.validate(r.manifest, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                failures.append(f"{version} {r.name}: {error.message}")
    assert failures == []
