"""``fabric:backupMode: offline`` under mocks, for the scaled sample (CouchDB
peers, three orderers) on an existing cluster whose backups go to an account
named by a connection string: no snapshot; per node a Job stops it, the backup
Job copies its own claims read-only (not awaited by the engine), a Job waits
for the copy to end and starts the node again; one node at a time, peers
first; the scaler's narrow Role and its projected token. A failed copy on a
real cluster: tests/realcluster/test_fabric_pods.py."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from fabric_components.backup import jobs as backup_jobs
from fabric_components.backup import offline, scale_node
from fabric_components.backup.scripts import PACK_VOLUMES, UPLOAD_VOLUMES
from tests.components.backup.test_backup_jobs import (
    JOB,
    ORDERERS,
    PASSPHRASE,
    PEERS,
    PVC,
    SECRET,
    SNAPSHOT,
    by_k8s_name,
    env_of,
    steps,
)
from tests.components.mocks import RecordingMocks, has_secret
from tests.components.program import run_sample

CONNECTION = ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
              "BlobEndpoint=http://10.244.0.1:10000/devstoreaccount1;")
OFFLINE = {"backupKey": "nightly-1", "backupPassphrase": PASSPHRASE, "backupMode": "offline",
           "backupStorageConnectionString": CONNECTION}
NODES = PEERS + ORDERERS


@pytest.fixture(scope="module")
def backup() -> RecordingMocks:
    mocks, _ = run_sample("scaled", **OFFLINE)
    return mocks


def test_each_node_is_stopped_copied_from_its_own_claims_and_started(backup):
    jobs = by_k8s_name(backup, JOB)
    assert sorted(jobs) == sorted([*(f"{step}-{n}" for n in NODES
                                     for step in ("stop", "backup", "start")),
                                   "backup-material", "backup-manifest"])
    assert not backup.of_type(SNAPSHOT)
    assert not [c for c in by_k8s_name(backup, PVC) if c.endswith("-snapshot")]
    for node in NODES:
        volumes = ["couchdb", "data"] if node in PEERS else ["data"]
        copy = jobs[f"backup-{node}"]
        assert steps(copy) == [
            ("pack", "docker.io/hyperledger/fabric-tools:2.5.9", PACK_VOLUMES),
            ("upload", "mcr.microsoft.com/azure-cli:2.67.0", UPLOAD_VOLUMES)]
        pod = copy["spec"]["template"]["spec"]
        claims = {v["name"]: v["persistentVolumeClaim"]["claimName"]
                  for v in pod["volumes"] if "persistentVolumeClaim" in v}
        assert claims == {f"vol-{v}": f"{node}-{v}" for v in volumes}
        mounts = [m for m in pod["initContainers"][0]["volumeMounts"]
                  if m["name"].startswith("vol-")]
        assert mounts and all(m["readOnly"] for m in mounts)
        # The engine waits for the start, which waits for the copy to end.
        assert copy["metadata"]["annotations"] == {
            "fabric.hyperledger.org/backup-key": "nightly-1", "pulumi.com/skipAwait": "true"}
        for step, replicas in (("stop", "0"), ("start", "1")):
            scaler = jobs[f"{step}-{node}"]
            (container,) = scaler["spec"]["template"]["spec"]["containers"]
            assert container["command"] == ["python3", "-c",
                                            Path(scale_node.__file__).read_text()]
            assert container["image"] == "mcr.microsoft.com/azure-cli:2.67.0"
            assert {k: v for k, v in env_of(container).items()} == {
                "NAMESPACE": "fabric", "DEPLOYMENT": node, "REPLICAS": replicas,
                "TIMEOUT_SECONDS": "600", "COPY_JOB": f"backup-{node}", "BACKUP_KEY": "nightly-1"}
            assert "pulumi.com/skipAwait" not in scaler["metadata"]["annotations"]
    for other in ("backup-material", "backup-manifest"):
        assert "pulumi.com/skipAwait" not in jobs[other]["metadata"]["annotations"]


def test_one_node_down_at_a_time_peers_first(monkeypatch):
    """What each Job waits for, by Kubernetes name: the chain stop, copy, start
    runs node after node, and the manifest after the last start."""
    after: dict[str, list[str]] = {}

    def names(opts: Any) -> list[str]:
        # Every Job also waits for the storage credentials, the salt and the code.
        found = [getattr(r, "_name", "") for r in opts.depends_on or []]
        assert found[:3] == ["backup-storage", "backup-kdf-nightly-1", "backup-code"]
        return found[3:]

    def scale_job(name, k8s_name, config, deployment, replicas, opts):
        after[k8s_name] = names(opts)
        return real_scale(name, k8s_name, config, deployment, replicas, opts)

    def copy_job(name, node, sources, config, code, opts, awaited=True):
        after[f"backup-{node.place.k8s_name}"] = names(opts)
        return real_copy(name, node, sources, config, code, opts, awaited)

    real_scale, real_copy = offline.scale_job, backup_jobs._copy_job
    monkeypatch.setattr(backup_jobs, "scale_job", scale_job)
    monkeypatch.setattr(backup_jobs, "_copy_job", copy_job)
    run_sample("scaled", **OFFLINE)
    order = [n for n in after if n.startswith("stop-")]
    assert order[:len(PEERS)] == [f"stop-{n}" for n in NODES_IN_ORDER[:len(PEERS)]]
    assert sorted(order[len(PEERS):]) == [f"stop-{n}" for n in ORDERERS]
    nodes = [n.removeprefix("stop-") for n in order]
    assert after[f"stop-{nodes[0]}"] == ["backup-scaler", "backup-scaler"]  # binding, policy
    for previous, node in pairwise(nodes):
        assert after[f"stop-{node}"] == [f"backup-{previous}-start"]
    for node in nodes:
        assert after[f"backup-{node}"] == [f"backup-{node}-stop"]
        assert after[f"start-{node}"] == [f"backup-{node}"]


def test_a_new_backup_key_replaces_the_scaler_jobs(backup):
    """A Job runs only when created, so each key must replace the stop and start
    Jobs: their pods name it (a changed pod template replaces a Job; the real
    second backup: tests/realcluster/test_fabric_pods.py)."""
    jobs = by_k8s_name(backup, JOB)
    scalers = [j for n, j in jobs.items() if n.startswith(("stop-", "start-"))]
    assert len(scalers) == 2 * len(NODES)
    for job in scalers:
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert env_of(container)["BACKUP_KEY"] == "nightly-1"
        assert job["metadata"]["annotations"] == {"fabric.hyperledger.org/backup-key": "nightly-1"}


def test_the_scaler_may_only_scale_the_nodes_read_the_copies_and_list_pods(backup):
    (role,) = [r.manifest for r in backup.of_type("kubernetes:rbac.authorization.k8s.io/v1:Role")]
    assert role["rules"] == [
        {"apiGroups": ["apps"], "resources": ["deployments/scale"],
         "resourceNames": NODES_IN_ORDER, "verbs": ["get", "patch"]},
        {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": NODES_IN_ORDER,
         "verbs": ["get"]},
        {"apiGroups": ["batch"], "resources": ["jobs"],
         "resourceNames": [f"backup-{n}" for n in NODES_IN_ORDER], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]
    (binding,) = [r.manifest for r in
                  backup.of_type("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "backup-scaler",
                                    "namespace": "fabric"}]
    for name, job in by_k8s_name(backup, JOB).items():
        pod = job["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        tokens = [v for v in pod["volumes"] if "projected" in v]
        if name.startswith(("stop-", "start-")):
            assert pod["serviceAccountName"] == "backup-scaler"
            assert tokens[0]["projected"]["sources"][0] == {
                "serviceAccountToken": {"path": "token", "expirationSeconds": 600}}
            assert job["metadata"]["labels"]["app.kubernetes.io/name"] == offline.SCALER_POD
        else:
            assert "serviceAccountName" not in pod and not tokens
    (policy,) = [r.manifest for r in backup.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                 if r.manifest["metadata"]["name"] == "backup-scaler"]
    assert policy["spec"]["egress"] == [{"ports": [{"port": 443, "protocol": "TCP"},
                                                   {"port": 6443, "protocol": "TCP"}]}]


NODES_IN_ORDER = ["peer0-org1", "peer1-org1", "peer0-org2", "peer1-org2", *ORDERERS]


def test_the_connection_string_reaches_the_jobs_only_through_a_secret(backup):
    (secret,) = [r for r in backup.of_type(SECRET) if r.name == "backup-storage"]
    assert secret.manifest["stringData"] == {"AZURE_STORAGE_CONNECTION_STRING": CONNECTION,
                                             "FABRIC_BACKUP_PASSPHRASE": PASSPHRASE}
    assert has_secret(secret.inputs["stringData"])
    assert not backup.of_type("azure-native:storage:StorageAccount")
    for name, job in by_k8s_name(backup, JOB).items():
        if name.startswith(("stop-", "start-")):
            continue
        pod = job["spec"]["template"]["spec"]
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            env = env_of(container)
            assert env["AZURE_STORAGE_CONNECTION_STRING"] == {"secretKeyRef": {
                "name": "fabric-backup-storage", "key": "AZURE_STORAGE_CONNECTION_STRING"}}
            assert "AZURE_STORAGE_KEY" not in env


def test_every_offline_backup_object_validates_strictly(backup):
    failures = []
    for version in ["1.30", kubernetes_validate.latest_version()]:
        for r in backup.resources:
            if r.typ.startswith("kubernetes:"):
                try:
                    kubernetes_validate.validate(r.manifest, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    failures.append(f"{version} {r.name}: {error.message}")
    assert failures == []
