"""samples/scaled through the real Pulumi engine against a local kube-apiserver
with kwok nodes: three Raft orderers, two peer orgs of two peers each, and a
CouchDB sidecar per peer with its own claim and a credentials Secret holding a
generated password. Preview, up, every object listed back from the API server,
no changes after up, the CouchDB passwords only encrypted in the state, and
destroy. Launch only (``populate: false``), as in test_program.py."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.engine.pulumi_runner import REPO_ROOT, PulumiCli, steps
from tests.engine.volumes import names, static_volumes
from tests.fabric_version import fabric_test_version
from tools.localkube import LocalKube

pytestmark = pytest.mark.kube
NAMESPACE = "fabric-scaled"
STACK = "scaled"
STORAGE_CLASS = "scaled-local"

ORDERERS = [f"orderer{i}-orderer" for i in range(3)]
PEERS = [f"peer{p}-org{o}" for o in (1, 2) for p in (0, 1)]
ADMINS = ["admin-orderer", "admin-org1", "admin-org2"]
USERS = ["user1-org1", "user2-org1", "user1-org2"]
NODES = ORDERERS + PEERS
CLAIMS = sorted([f"{n}-data" for n in NODES] + [f"{p}-couchdb" for p in PEERS])
SECRETS = sorted([f"{n}-crypto" for n in NODES + ADMINS + USERS]
                 + [f"{p}-couchdb" for p in PEERS])


def stack_config() -> dict[str, Any]:
    sample = REPO_ROOT / "samples" / "scaled"
    return {"config": {
        "fabric:cryptoConfig": str(sample / "crypto-config.yaml"),
        "fabric:network": str(sample / "network.yaml"),
        "fabric:namespace": NAMESPACE,
        "fabric:fabricVersion": fabric_test_version(),
        "fabric:storageClass": STORAGE_CLASS,
        "fabric:peerStorage": "1Gi",
        "fabric:ordererStorage": "1Gi",
        "fabric:couchdbStorage": "1Gi",
        "fabric:populate": False,
    }}


@pytest.fixture(scope="module")
def cli(kube: LocalKube, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulumiCli]:
    static_volumes(kube, len(CLAIMS), STORAGE_CLASS)
    workdir = tmp_path_factory.mktemp("scaled")
    config_file = workdir / f"Pulumi.{STACK}.yaml"
    config_file.write_text(yaml.safe_dump(stack_config()))
    runner = PulumiCli(workdir, kube.kubeconfig, STACK, config_file)
    runner.setup()
    yield runner
    runner.run("destroy", "--yes", "--skip-preview", check=False)


def kinds(planned: list[tuple[str, str]]) -> Counter[str]:
    return Counter(urn.split("::")[0] for _, urn in planned)


def test_preview_lists_the_scaled_network(cli: PulumiCli):
    planned = steps(cli.summary("preview"))
    assert {op for op, _ in planned} == {"create"}, planned
    counted = kinds(planned)
    assert counted["kubernetes:apps/v1:Deployment"] == 10  # 3 orderers, 4 peers, 3 toolboxes
    assert counted["kubernetes:core/v1:Service"] == 7
    assert counted["kubernetes:core/v1:PersistentVolumeClaim"] == 11  # data x7, couchdb x4
    assert counted["kubernetes:core/v1:Secret"] == 17  # crypto x13, couchdb x4
    creates = {urn for _, urn in planned}
    for name in ("orderer-orderer2", "org1-peer1", "org2-peer1", "org2-admin"):
        assert f"kubernetes:apps/v1:Deployment::{name}" in creates
    for name in ("org1-peer0", "org1-peer1", "org2-peer0", "org2-peer1"):
        assert f"kubernetes:core/v1:PersistentVolumeClaim::{name}-couchdb" in creates
        assert f"kubernetes:core/v1:Secret::{name}-couchdb" in creates
        assert f"pulumi-python:dynamic/fabric:GeneratedPassword::{name}-couchdb-password" in creates


def test_up_creates_every_object_and_nothing_changes_after(cli: PulumiCli, kube: LocalKube):
    cli.run("up", "--yes", "--skip-preview")
    apps = f"/apis/apps/v1/namespaces/{NAMESPACE}"
    core = f"/api/v1/namespaces/{NAMESPACE}"
    assert names(kube, f"{apps}/deployments") == sorted(ADMINS + NODES)
    assert names(kube, f"{core}/services") == sorted(NODES)
    claims = kube.request("GET", f"{core}/persistentvolumeclaims")["items"]
    assert sorted(c["metadata"]["name"] for c in claims) == CLAIMS
    assert {c["status"]["phase"] for c in claims} == {"Bound"}
    assert {c["spec"]["storageClassName"] for c in claims} == {STORAGE_CLASS}
    assert names(kube, f"{core}/secrets") == SECRETS
    for peer in PEERS:
        pod = kube.request("GET", f"{apps}/deployments/{peer}")["spec"]["template"]["spec"]
        assert [c["name"] for c in pod["containers"]] == ["peer", "couchdb"]
        claim_of = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName")
                    for v in pod["volumes"]}
        assert claim_of["couchdb"] == f"{peer}-couchdb"
        couch_env = {e["name"]: e.get("valueFrom", {}).get("secretKeyRef", {}).get("name")
                     for e in pod["containers"][1]["env"]}
        assert couch_env["COUCHDB_PASSWORD"] == f"{peer}-couchdb"
    cli.run("preview", "--expect-no-changes")


def revealed(value: Any) -> Any:
    """A value of ``stack export --show-secrets``, its secret envelope opened."""
    if isinstance(value, dict) and "plaintext" in value:
        return json.loads(value["plaintext"])
    return value


def test_couchdb_passwords_are_not_in_the_plaintext_state(cli: PulumiCli, kube: LocalKube):
    export = json.loads(cli.run("stack", "export", "--show-secrets").stdout)
    passwords = {
        r["urn"].split("::")[-1]: revealed(r["outputs"]["value"])
        for r in export["deployment"]["resources"]
        if r["urn"].endswith("-couchdb-password")
    }
    assert sorted(passwords) == sorted(f"org{o}-peer{p}-couchdb-password"
                                       for o in (1, 2) for p in (0, 1))
    assert all(isinstance(p, str) and len(p) >= 24 for p in passwords.values()), passwords
    assert len(set(passwords.values())) == 4, "every peer has its own password"
    # The cluster got the same generated passwords.
    in_cluster = set()
    for peer in PEERS:
        secret = kube.request("GET", f"/api/v1/namespaces/{NAMESPACE}/secrets/{peer}-couchdb")
        in_cluster |= {base64.b64decode(v).decode() for v in secret["data"].values()}
    assert set(passwords.values()) <= in_cluster
    state = cli.state()
    for password in passwords.values():
        assert password not in state
        assert base64.b64encode(password.encode()).decode() not in state


def test_destroy_leaves_no_deployment(cli: PulumiCli, kube: LocalKube):
    cli.run("destroy", "--yes", "--skip-preview")
    if NAMESPACE in names(kube, "/api/v1/namespaces"):  # may still be terminating
        assert names(kube, f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments") == []
        claims = kube.request("GET", f"/api/v1/namespaces/{NAMESPACE}/persistentvolumeclaims")
        # A claim can outlive the call while its pvc-protection finalizer waits
        # for the pods to go; it must be on its way out.
        assert all(c["metadata"].get("deletionTimestamp") for c in claims["items"]), claims
    assert json.loads(cli.state()).get("deployment", {}).get("resources") in (None, [])
