"""The dev stack on real pods: the real Pulumi CLI deploys the simple sample into a
real single-node cluster (tools/localcluster) from the images built here, and
populates it through the Kubernetes exec API into the admin toolboxes. Every pod
becomes Ready through its own probes; an invoke and a query succeed; a second
`pulumi up` changes nothing; a peer pod deleted by hand comes back with its
ledger; a Fabric version change rolls the pods one at a time while a client
keeps writing, and no acknowledged write is lost; an offline backup
(``fabric:backupMode: offline``, into Azure Blob Storage served by Azurite on the
node's address, where pods reach it) stops, copies and restarts one node at a
time while both orgs' peers keep answering queries between them; a backup whose
uploads are refused starts its first node again and fails the up; destroy leaves
nothing; a stack restoring the backup into the emptied namespace, with the
crypto unsealed from it, has every write made before it and none made after.

The tests run in file order on one network (module scope), as a user's
successive commands would."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from azure.storage.blob import BlobServiceClient

from backup.azure_store import AzureBlobStore
from fabric_components.cluster.backup_storage import BACKUP_CONTAINER
from fabric_ops.executor import CommandFailed
from tests.azurite import running_azurite
from tests.engine.pulumi_runner import PulumiCli, build, steps
from tests.fabric_version import rolled_versions
from tests.realcluster.fabric_network import FabricNetwork, pod_ready
from tests.realcluster.waiting import wait_for
from tools.localcluster import LocalCluster
from tools.localcluster.cluster import DEFAULT_IMAGES_DIR
from tools.localcluster.layout import NODE_IP

pytestmark = pytest.mark.realkube

REPO = Path(__file__).resolve().parents[2]
NAMESPACE = "fabric-pods"
FIRST, NEXT = rolled_versions()
"""The stack starts on FIRST and rolls to NEXT, the release under test: from
2.5.0 to 2.5.9 by default, from 2.5.9 to 3.1.1 with FABRIC_TEST_VERSION=3.1.1."""
NODE_DEPLOYMENTS = ("orderer0-orderer", "peer0-org1", "peer0-org2")
BACKUP_KEY, PASSPHRASE = "offline-1", "offline backup on real pods"
WRITTEN: list[str] = []
"""Every key acknowledged before the backup."""


def _config(path: Path, version: str, **values: str) -> Path:
    """Pulumi.dev.yaml as the user has it, in its own namespace, at ``version``,
    with ``values`` (``fabric:`` keys)."""
    document = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    document["config"]["fabric:namespace"] = NAMESPACE
    document["config"]["fabric:fabricVersion"] = version
    document["config"].update({f"fabric:{k}": v for k, v in values.items()})
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    build("kube", "node", "fabric", "images")
    with LocalCluster(images_dir=DEFAULT_IMAGES_DIR) as c:
        yield c


@pytest.fixture(scope="module")
def cli(cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> PulumiCli:
    workdir = tmp_path_factory.mktemp("pulumi")
    cli = PulumiCli(workdir, cluster.kubeconfig, "pods", _config(workdir / "stack.yaml", FIRST))
    cli.setup()
    return cli


@pytest.fixture(scope="module")
def storage(cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Azurite on the node's bridge address (inside the pod network) with the
    backup container; its connection string."""
    with running_azurite(tmp_path_factory.mktemp("azurite"), NODE_IP) as connection_string:
        BlobServiceClient.from_connection_string(connection_string).create_container(
            BACKUP_CONTAINER)
        yield connection_string


@pytest.fixture(scope="module")
def network(cluster: LocalCluster) -> FabricNetwork:
    return FabricNetwork(cluster.api, cluster.kubeconfig.read_text(), NAMESPACE)


def _images(network: FabricNetwork) -> dict[str, str]:
    """Per Deployment, the image of its first container."""
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]["image"]
            for d in network.deployments()}


def test_up_starts_every_pod_through_its_own_probes(cli: PulumiCli, network: FabricNetwork):
    started = time.monotonic()
    cli.run("up", "--yes", "--skip-preview")
    print(f"first up: {time.monotonic() - started:.0f} s")
    deployments = {d["metadata"]["name"]: d for d in network.deployments()}
    assert set(deployments) == {
        *NODE_DEPLOYMENTS, "admin-orderer", "admin-org1", "admin-org2",
        "basic-org1", "basic-org2"}
    for name, deployment in deployments.items():
        assert deployment["status"].get("availableReplicas") == 1, name
    for pod in network.pods():
        assert pod_ready(pod), pod["metadata"]["name"]
        for status in pod["status"]["containerStatuses"]:
            assert status["ready"] and status["restartCount"] == 0, status
    assert _images(network)["peer0-org1"] == f"docker.io/hyperledger/fabric-peer:{FIRST}"
    claims = network.api.request(
        "GET", f"/api/v1/namespaces/{NAMESPACE}/persistentvolumeclaims")["items"]
    assert sorted(c["status"]["phase"] for c in claims) == ["Bound"] * 3


def test_the_populated_channel_serves_an_invoke_and_a_query(network: FabricNetwork):
    assert network.channels(1) == ["mychannel"] and network.channels(2) == ["mychannel"]
    result = network.write("first", "on-real-pods")
    assert result.returncode == 0, result.stderr
    assert "committed with status (VALID)" in result.output
    assert network.read(1, "first") == "on-real-pods"
    assert network.read(2, "first") == "on-real-pods"
    WRITTEN.append("first")


def test_a_second_up_changes_nothing(cli: PulumiCli, network: FabricNetwork):
    heights = (network.height(1), network.height(2))
    preview = cli.summary("preview", "--expect-no-changes")
    assert {op for op, _ in steps(preview)} == {"same"}
    started = time.monotonic()
    cli.run("up", "--yes", "--skip-preview", "--expect-no-changes")
    print(f"second up: {time.monotonic() - started:.0f} s")
    # A join, an approval, a commit or a config update would have added a block.
    assert (network.height(1), network.height(2)) == heights


def test_a_deleted_peer_pod_comes_back_with_its_ledger(network: FabricNetwork):
    before = network.pod_of("peer0-org1")
    assert before is not None
    height = network.height(1)
    network.api.request(
        "DELETE", f"/api/v1/namespaces/{NAMESPACE}/pods/{before['metadata']['name']}")

    def replaced() -> dict[str, Any] | None:
        pod = network.pod_of("peer0-org1")
        return pod if pod and pod["metadata"]["uid"] != before["metadata"]["uid"] else None

    wait_for("a new Ready peer0-org1 pod", replaced)
    # Nothing joined it again: the channel and its blocks come from the volume.
    assert wait_for("peer0-org1 serving its channel", lambda: network.channels(1))
    assert network.height(1) >= height
    assert network.read(1, "first") == "on-real-pods"


class Writer(threading.Thread):
    """Writes key after key through Org1's toolbox until stopped; keeps the keys
    whose invoke was acknowledged (committed VALID) and counts the failures."""

    def __init__(self, network: FabricNetwork) -> None:
        super().__init__(daemon=True)
        self.network, self.stop = network, threading.Event()
        self.acknowledged: list[str] = []
        self.failed = 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            key = f"roll-{n}"
            n += 1
            try:
                result = self.network.write(key, key)
            except Exception:  # the toolbox pod itself is being replaced
                self.failed += 1
                time.sleep(1)
                continue
            if result.returncode == 0 and "committed with status (VALID)" in result.output:
                self.acknowledged.append(key)
            else:
                self.failed += 1
                time.sleep(1)


class Availability(threading.Thread):
    """Samples which Fabric node Deployments have no Ready pod."""

    def __init__(self, network: FabricNetwork) -> None:
        super().__init__(daemon=True)
        self.network, self.stop = network, threading.Event()
        self.down_together: list[list[str]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            down = [d for d in NODE_DEPLOYMENTS if self.network.pod_of(d) is None]
            if down:
                self.down_together.append(down)
            time.sleep(0.5)


def test_a_version_change_rolls_one_node_at_a_time_and_loses_no_write(
    cli: PulumiCli, network: FabricNetwork
):
    _config(cli.config_file, NEXT)
    preview = cli.summary("preview")
    updated = {name for op, name in steps(preview) if op == "update"}
    assert {f"kubernetes:apps/v1:Deployment::{n}" for n in
            ("orderer-orderer0", "org1-peer0", "org2-peer0")} <= updated
    writer, watch = Writer(network), Availability(network)
    writer.start()
    watch.start()
    wait_for("a write before the roll", lambda: writer.acknowledged)
    started = time.monotonic()
    cli.run("up", "--yes", "--skip-preview")
    print(f"roll to {NEXT}: {time.monotonic() - started:.0f} s")
    at_roll_end = len(writer.acknowledged)
    wait_for("a write after the roll", lambda: len(writer.acknowledged) > at_roll_end)
    writer.stop.set()
    watch.stop.set()
    writer.join(180)
    watch.join(10)
    print(f"writes acknowledged {len(writer.acknowledged)}, failed {writer.failed}; "
          f"samples with a node down {len(watch.down_together)}")
    images = _images(network)
    for name in NODE_DEPLOYMENTS:
        assert images[name].endswith(f":{NEXT}"), (name, images[name])
    assert watch.down_together, "the roll replaced no node pod"
    assert max(len(down) for down in watch.down_together) == 1, watch.down_together
    for key in writer.acknowledged:
        assert network.read(1, key) == key
        assert network.read(2, key) == key
    WRITTEN.extend(writer.acknowledged)


class Queries(threading.Thread):
    """Rounds of one query through each org's peer; per round, which answered."""

    def __init__(self, network: FabricNetwork) -> None:
        super().__init__(daemon=True)
        self.network, self.stop = network, threading.Event()
        self.rounds: list[tuple[bool, bool]] = []

    def answered(self, org: int) -> bool:
        try:
            return self.network.read(org, "first") == "on-real-pods"
        except Exception:  # the peer is stopped: the query fails, however it fails
            return False

    def run(self) -> None:
        while not self.stop.is_set():
            self.rounds.append((self.answered(1), self.answered(2)))


def test_an_offline_backup_stops_one_node_at_a_time_and_queries_keep_answering(
    cli: PulumiCli, network: FabricNetwork, storage: str
):
    _config(cli.config_file, NEXT, backupKey=BACKUP_KEY, backupMode="offline",
            backupPassphrase=PASSPHRASE, backupStorageConnectionString=storage)
    queries, watch = Queries(network), Availability(network)
    queries.start()
    watch.start()
    started = time.monotonic()
    cli.run("up", "--yes", "--skip-preview")
    print(f"offline backup: {time.monotonic() - started:.0f} s")
    queries.stop.set()
    watch.stop.set()
    queries.join(120)
    watch.join(10)
    print(f"query rounds {len(queries.rounds)}: both peers answered "
          f"{queries.rounds.count((True, True))}, one {sum(a != b for a, b in queries.rounds)}, "
          f"none {queries.rounds.count((False, False))}")
    assert {name for sample in watch.down_together for name in sample} == set(NODE_DEPLOYMENTS)
    assert max(len(sample) for sample in watch.down_together) == 1, watch.down_together
    assert (False, False) not in queries.rounds
    assert (True, False) in queries.rounds and (False, True) in queries.rounds
    for deployment in network.deployments():  # scaled back: nothing drifts
        assert deployment["spec"]["replicas"] == 1, deployment["metadata"]["name"]
        assert deployment["status"].get("readyReplicas") == 1, deployment["metadata"]["name"]
    verified = _backup_command(["verify", f"azure://{BACKUP_CONTAINER}", BACKUP_KEY],
                               AZURE_STORAGE_CONNECTION_STRING=storage,
                               FABRIC_BACKUP_PASSPHRASE=PASSPHRASE)
    print(verified)
    # The three nodes' data volumes and the sealed material.
    assert verified.startswith(f"backup {BACKUP_KEY}: 4 objects")
    _committed(network, "after-backup")


def test_a_failed_offline_copy_starts_its_node_again_and_fails_the_up(
    cli: PulumiCli, network: FabricNetwork, storage: str
):
    """A second backup, under a new key, whose uploads are refused (a wrong
    account key): the first node is stopped again (a new key runs the scaler
    Jobs again), its copy fails, its start Job starts it again and fails the
    up, and no other node is stopped."""
    wrong = re.sub(r"AccountKey=[^;]*",
                   "AccountKey=" + base64.b64encode(b"not the account key").decode(), storage)
    _config(cli.config_file, NEXT, backupKey="offline-2", backupMode="offline",
            backupPassphrase=PASSPHRASE, backupStorageConnectionString=wrong)
    watch = Availability(network)
    watch.start()
    failed = cli.run("up", "--yes", "--skip-preview", check=False)
    watch.stop.set()
    watch.join(10)
    assert failed.returncode != 0
    stopped = {name for sample in watch.down_together for name in sample}
    assert len(stopped) == 1 and next(iter(stopped)).startswith("peer"), watch.down_together
    (node,) = stopped
    assert f"start-{node}" in failed.stdout + failed.stderr, failed.stdout[-3000:]
    for deployment in network.deployments():
        assert deployment["spec"]["replicas"] == 1, deployment["metadata"]["name"]
        assert deployment["status"].get("readyReplicas") == 1, deployment["metadata"]["name"]
    pods = network.api.request("GET", f"/api/v1/namespaces/{NAMESPACE}/pods?"
                               f"labelSelector=job-name%3Dstart-{node}")["items"]
    log = network.api.text(f"/api/v1/namespaces/{NAMESPACE}/pods/"
                           f"{pods[0]['metadata']['name']}/log")
    print(log)
    assert f"Job backup-{node} failed" in log and f"{node}: Ready" in log
    _committed(network, "after-failed-backup")


def _backup_command(args: list[str], **env: str) -> str:
    """``python -m backup ...``; its output."""
    done = subprocess.run([sys.executable, "-m", "backup", *args], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _committed(network: FabricNetwork, key: str) -> None:
    result = network.write(key, key)
    assert result.returncode == 0 and "committed with status (VALID)" in result.output, (
        result.stderr)


def test_destroy_leaves_nothing_behind(cli: PulumiCli, network: FabricNetwork):
    cli.run("destroy", "--yes", "--skip-preview")

    def gone() -> bool:
        names = [n["metadata"]["name"] for n in
                 network.api.request("GET", "/api/v1/namespaces")["items"]]
        return NAMESPACE not in names

    wait_for(f"namespace {NAMESPACE} deleted", gone)

    def volumes_left() -> list[str]:
        volumes = network.api.request("GET", "/api/v1/persistentvolumes")["items"]
        return [v["metadata"]["name"] for v in volumes
                if v["spec"].get("claimRef", {}).get("namespace") == NAMESPACE]

    # The dev stack does not retain volumes: the provisioner deletes them.
    wait_for("the network's volumes deleted", lambda: not volumes_left(), 120)


def test_a_restore_into_the_emptied_namespace_has_every_write_before_the_backup(
    cli: PulumiCli, network: FabricNetwork, storage: str, tmp_path: Path
):
    sealed = tmp_path / "network.sealed"
    AzureBlobStore.from_connection_string(storage, BACKUP_CONTAINER).get(
        f"backups/{BACKUP_KEY}/network.sealed", sealed)
    _backup_command(["unseal", str(sealed), str(tmp_path / "material")],
                    FABRIC_BACKUP_PASSPHRASE=PASSPHRASE)
    _config(cli.config_file, NEXT, restoreKey=BACKUP_KEY, backupPassphrase=PASSPHRASE,
            backupStorageConnectionString=storage,
            cryptoDir=str(tmp_path / "material" / "crypto"))
    started = time.monotonic()
    cli.run("up", "--yes", "--skip-preview")
    print(f"restore: {time.monotonic() - started:.0f} s")
    jobs = network.api.request("GET", f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs")["items"]
    assert sorted(j["metadata"]["name"] for j in jobs if j["status"].get("succeeded")) == sorted(
        ["restore-verify", *(f"restore-{n}" for n in NODE_DEPLOYMENTS)])
    assert len(WRITTEN) > 1
    # The peers may have looked the chaincode servers' names up before their
    # Services existed: cluster DNS caches that answer for up to 30 s.
    for org in (1, 2):
        assert wait_for(f"Org{org}'s peer serving the chaincode",
                        partial(_read_or_none, network, org, "first")) == "on-real-pods"
    for key in WRITTEN:
        assert network.read(1, key) == ("on-real-pods" if key == "first" else key)
    for org in (1, 2):
        assert network.read(org, "first") == "on-real-pods"
        with pytest.raises(CommandFailed, match="the asset after-backup does not exist"):
            network.read(org, "after-backup")
    _committed(network, "after-restore")
    assert wait_for("the new write on Org2's peer",
                    lambda: _read_or_none(network, 2, "after-restore")) == "after-restore"


def _read_or_none(network: FabricNetwork, org: int, key: str) -> str | None:
    try:
        return network.read(org, key)
    except CommandFailed:
        return None
