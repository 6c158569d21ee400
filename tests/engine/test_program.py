"""The program itself through the real Pulumi engine against a local
kube-apiserver with kwok nodes: preview, up, a second up that changes nothing,
refresh and drift, adding a peer, the policy pack, no plaintext key in the state,
and destroy. Launch only (``populate: false``): kwok pods never run, so the admin
toolboxes cannot execute Fabric commands here; populate is tested against real
Fabric nodes in the fabric tier."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.engine.pulumi_runner import REPO_ROOT, PulumiCli, state_strings, steps, warnings
from tests.engine.volumes import names, static_volumes
from tests.fabric_version import fabric_test_version
from tools.localkube import LocalKube

pytestmark = pytest.mark.kube
NAMESPACE = "fabric-engine"
VOLUMES = 12


def stack_config(sample: Path, crypto_config: Path | None = None) -> dict[str, Any]:
    return {"config": {
        "fabric:cryptoConfig": str(crypto_config or sample / "crypto-config.yaml"),
        "fabric:network": str(sample / "network.yaml"),
        "fabric:namespace": NAMESPACE,
        "fabric:fabricVersion": fabric_test_version(),
        "fabric:storageClass": "local",
        "fabric:peerStorage": "1Gi",
        "fabric:ordererStorage": "1Gi",
        "fabric:couchdbStorage": "1Gi",
        "fabric:populate": False,
    }}


@pytest.fixture(scope="module")
def cli(kube: LocalKube, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulumiCli]:
    static_volumes(kube, VOLUMES, "local")
    workdir = tmp_path_factory.mktemp("engine")
    config_file = workdir / "Pulumi.engine.yaml"
    config_file.write_text(yaml.safe_dump(stack_config(REPO_ROOT / "samples" / "simple")))
    runner = PulumiCli(workdir, kube.kubeconfig, "engine", config_file)
    runner.setup()
    yield runner
    runner.run("destroy", "--yes", "--skip-preview", check=False)


def test_preview_lists_the_network_and_warns_of_nothing(cli: PulumiCli):
    assert warnings(cli.run("preview")) == []
    planned = steps(cli.summary("preview"))
    creates = [urn for op, urn in planned if op == "create"]
    assert "kubernetes:apps/v1:Deployment::orderer-orderer0" in creates
    assert "kubernetes:apps/v1:Deployment::org1-peer0" in creates
    assert sum(1 for urn in creates if urn.startswith("kubernetes:apps/v1:Deployment")) == 6
    assert any(urn.endswith("::org1-cas") for urn in creates)


def test_up_creates_every_object_and_a_second_up_changes_nothing(cli: PulumiCli, kube: LocalKube):
    cli.run("up", "--yes", "--skip-preview")
    base = f"/apis/apps/v1/namespaces/{NAMESPACE}"
    assert names(kube, f"{base}/deployments") == [
        "admin-orderer", "admin-org1", "admin-org2", "orderer0-orderer", "peer0-org1",
        "peer0-org2"]
    core = f"/api/v1/namespaces/{NAMESPACE}"
    assert names(kube, f"{core}/services") == ["orderer0-orderer", "peer0-org1", "peer0-org2"]
    claims = kube.request("GET", f"{core}/persistentvolumeclaims")["items"]
    assert sorted(c["metadata"]["name"] for c in claims) == [
        "orderer0-orderer-data", "peer0-org1-data", "peer0-org2-data"]
    assert {c["status"]["phase"] for c in claims} == {"Bound"}
    assert "peer0-org1-crypto" in names(kube, f"{core}/secrets")
    # A first launch starts every node at once; from the next update on, which
    # reads the nodes this one deployed from the stack's outputs, they take turns.
    assert "orderer-orderer0" not in deployment_dependencies(cli)["org1-peer0"]
    deployed = json.loads(cli.run("stack", "output", "deployedNodes", "--json").stdout)
    assert deployed == ["orderer0-orderer", "peer0-org1", "peer0-org2"]
    cli.run("preview", "--expect-no-changes")
    second = cli.run("up", "--yes", "--skip-preview")
    assert " created" not in second.stdout and " updated" not in second.stdout, second.stdout
    chained = deployment_dependencies(cli)
    assert "orderer-orderer0" in chained["org1-peer0"]
    assert "org1-peer0" in chained["org2-peer0"]


def deployment_dependencies(cli: PulumiCli) -> dict[str, set[str]]:
    """Each node Deployment's dependencies in the state, by Pulumi name."""
    resources = json.loads(cli.state())["deployment"]["resources"]
    return {r["urn"].split("::")[-1]: {d.split("::")[-1] for d in r.get("dependencies", [])}
            for r in resources if r["type"] == "kubernetes:apps/v1:Deployment"}


def test_state_holds_no_private_key_in_plaintext(cli: PulumiCli):
    state = cli.state()
    assert "PRIVATE KEY" not in state
    revealed = json.loads(cli.run("stack", "export", "--show-secrets").stdout)
    keys = [text for text in state_strings(revealed) if "BEGIN PRIVATE KEY" in text]
    # The first two base64 lines of a PKCS#8 P-256 key hold the private scalar;
    # the last one is mostly the public key, which certificates carry too.
    key_lines = {line for key in keys for line in key.splitlines()[1:3]}
    assert len(keys) > 10 and key_lines, "no key material found in the revealed state"
    assert not [line for line in key_lines if line in state]


def test_refresh_shows_drift_and_up_repairs_it(cli: PulumiCli, kube: LocalKube):
    cli.run("refresh", "--yes", "--skip-preview", "--expect-no-changes")
    kube.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}/services/peer0-org1")
    refreshed = cli.run("refresh", "--yes", "--skip-preview")
    assert "deleted" in refreshed.stdout, refreshed.stdout
    cli.run("up", "--yes", "--skip-preview")
    assert "peer0-org1" in names(kube, f"/api/v1/namespaces/{NAMESPACE}/services")


def test_adding_a_peer_only_creates(cli: PulumiCli, tmp_path: Path):
    sample = REPO_ROOT / "samples" / "simple"
    grown = tmp_path / "crypto-config.yaml"
    grown.write_text((sample / "crypto-config.yaml").read_text().replace("Count: 1", "Count: 2", 1))
    config = tmp_path / "Pulumi.engine.yaml"
    grown_config = stack_config(sample, grown)
    # With populate on, the preview also plans the channel and chaincode
    # operations (diffs are offline: nothing runs in a preview).
    grown_config["config"]["fabric:populate"] = True
    config.write_text(yaml.safe_dump(grown_config))
    original, cli.config_file = cli.config_file, config
    try:
        planned = steps(cli.summary("preview"))
    finally:
        cli.config_file = original
    changed = [(op, urn) for op, urn in planned if op != "same"]
    assert changed and {op for op, _ in changed} == {"create"}, changed
    created = {urn.split("::")[-1] for _, urn in changed}
    assert {"org1-peer1", "org1-peer1-crypto", "org1-peer1-data", "peer1-org1-identity",
            "mychannel-peer1-org1-join", "basic-peer1-org1-install"} <= created, created
    assert not created & {"org1-peer0", "org1-peer0-crypto", "org1-peer0-data"}


def test_policy_pack_passes(cli: PulumiCli):
    result = cli.run("preview", "--policy-pack", str(REPO_ROOT / "policy"))
    assert "fabric-network" in result.stdout + result.stderr


def identity_outputs(cli: PulumiCli) -> dict[str, dict[str, Any]]:
    """Every IssuedIdentity's outputs in state (keys left secret), by name."""
    resources = json.loads(cli.state())["deployment"]["resources"]
    return {r["urn"].split("::")[-1]: r["outputs"] for r in resources
            if r["urn"].split("::")[-2].endswith("fabric:IssuedIdentity")}


def test_certificates_inside_their_window_are_renewed_in_place_by_up(
    cli: PulumiCli, kube: LocalKube, tmp_path: Path,
):
    from cryptography import x509

    from fabric_components.k8s.node_objects import MATERIAL_HASH

    def hashes() -> dict[str, str]:
        items = kube.request("GET", f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments")["items"]
        return {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["annotations"][
            MATERIAL_HASH] for d in items}

    before, hashes_before = identity_outputs(cli), hashes()
    # Issued for 3650 days (the longest a certificate may have: its CA's) and
    # backdated 5 minutes, every certificate ends within 3650 days less 3
    # minutes; renewed, starting 1 minute back, it ends outside that window.
    config = tmp_path / "Pulumi.engine.yaml"
    renewing = stack_config(REPO_ROOT / "samples" / "simple")
    window = f"{3650 * 24 * 60 - 3}m"
    renewing["config"].update({"fabric:certValidity": "3650d", "fabric:certRenewBefore": window})
    config.write_text(yaml.safe_dump(renewing))
    original, cli.config_file = cli.config_file, config
    try:
        planned = steps(cli.summary("preview"))
        cli.run("up", "--yes", "--skip-preview")
        again = cli.run("preview", "--expect-no-changes")
    finally:
        cli.config_file = original
    identities = {urn.split("::")[-1]: op for op, urn in planned
                  if urn.startswith("pulumi-python:dynamic/fabric:IssuedIdentity")}
    assert identities and set(identities.values()) == {"update"}, identities
    assert again.returncode == 0
    after = identity_outputs(cli)
    assert set(after) == set(before)
    for name, outs in after.items():
        old = x509.load_pem_x509_certificate(before[name]["tls_cert"].encode())
        new = x509.load_pem_x509_certificate(outs["tls_cert"].encode())
        assert new.serial_number != old.serial_number, name
        assert new.public_key() == old.public_key(), name
        assert outs["renewal_due"] is False, name
    # Every node and toolbox pod template now carries its renewed material's hash.
    changed = hashes()
    assert set(changed) == set(hashes_before)
    assert all(changed[name] != hashes_before[name] for name in changed), changed


def test_destroy_leaves_nothing(cli: PulumiCli, kube: LocalKube):
    cli.run("destroy", "--yes", "--skip-preview")
    namespaces = names(kube, "/api/v1/namespaces")
    if NAMESPACE in namespaces:  # still terminating: it must hold nothing of ours
        assert names(kube, f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments") == []
    assert json.loads(cli.state()).get("deployment", {}).get("resources") in (None, [])
