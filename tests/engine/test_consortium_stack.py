"""The signing round of a consortium through the real Pulumi CLI: four orgs on
real local nodes, each in its own harness and folder; Org2 runs an org stack
(``fabric:orgs: Org2``) with its own state backend. The channel exists with
Org1 and Org2, Org3 has published its card and Org1 has proposed adding it and
signed. Org2's preview says who signed and who is missing; once its stack
config approves the proposal, one ``pulumi up`` signs it with Org2's admin and
submits it, and Org3 can join. Org2's state holds no other org's private key."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator

import pytest
import yaml

from fabric_ops.channel_ops import ensure_orderer_joined, genesis_block
from fabric_ops.config_update import live_config
from fabric_ops.consortium.channel import channel_files, org_group, with_org
from fabric_ops.consortium.joining import join_own_peers
from fabric_ops.consortium.proposal import propose, sign_proposal
from localnet import FabricRelease
from network_spec import OrgKind
from tests.engine.pulumi_runner import PulumiCli, state_strings, steps
from tests.engine.volumes import static_volumes
from tests.localnet.consortium_orgs import ConsortiumOrg, consortium_spec, orderer_of
from tools.localkube import LocalKube

BASE64 = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")
pytestmark = [pytest.mark.kube, pytest.mark.fabric]
STACK = "org2"
CHANNEL = "consortium"
ORGS = [(OrgKind.ORDERER, "Orderer", "example.com"), (OrgKind.PEER, "Org1", "org1.example.com"),
        (OrgKind.PEER, "Org2", "org2.example.com"), (OrgKind.PEER, "Org3", "org3.example.com")]


@pytest.fixture(scope="module")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ConsortiumOrg]]:
    root = tmp_path_factory.mktemp("consortium")
    release = FabricRelease.build()
    started: dict[str, ConsortiumOrg] = {}
    try:
        for kind, name, domain in ORGS:
            started[name] = ConsortiumOrg.start(kind, name, domain, root / name.lower(),
                                                root / "consortium", release)
        yield started
    finally:
        for org in started.values():
            org.net.stop()


def with_base64_decoded(text: str) -> str:
    """``text`` and every long base64 run in it decoded (Secret data is base64)."""
    decoded = []
    for run in BASE64.findall(text):
        try:
            decoded.append(base64.b64decode(run, validate=True).decode())
        except (ValueError, UnicodeDecodeError):
            continue
    return "\n".join([text, *decoded])


def channel_with_proposal(orgs: dict[str, ConsortiumOrg]) -> str:
    """What the other orgs did before Org2's run; returns the proposal's approval."""
    orderer, org1, org2, org3 = (orgs[name] for _, name, _ in ORGS)
    for org in orgs.values():
        org.publish_card()
    orderer_card = orderer.card("OrdererMSP")
    files = channel_files([orderer_card], [orderer.card("Org1MSP"), orderer.card("Org2MSP")],
                          [orderer_card.nodes[0].name])
    node = next(iter(orderer.net.nodes.values()))
    assert node.admin_endpoint is not None
    ensure_orderer_joined(orderer.executor, node.admin_endpoint, orderer.org.domain, CHANNEL,
                          genesis_block(orderer.executor, CHANNEL, files))
    for org in (org1, org2, org3):
        org.card("OrdererMSP")
    for org in (org1, org2):
        join_own_peers(org.executor, org.peers, orderer_of(orderer_card), CHANNEL)
    current = live_config(org1.executor, [orderer_of(orderer_card)], CHANNEL)
    target = with_org(current, "Application", "Org3MSP",
                      org_group(org1.executor, org1.card("Org3MSP")))
    proposal = propose(org1.executor, "Org1MSP", org1.folder, "add-org3", CHANNEL, current,
                       target)
    sign_proposal(org1.executor, "Org1MSP", proposal, [proposal.approval])
    return proposal.approval


@pytest.fixture(scope="module")
def cli(kube: LocalKube, orgs: dict[str, ConsortiumOrg],
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulumiCli]:
    static_volumes(kube, 2, "consortium-org2")
    workdir = tmp_path_factory.mktemp("engine-org2")
    org2 = orgs["Org2"]
    manifest = workdir / "network.json"
    manifest.write_text(org2.net.manifest().to_json())
    crypto_config, network = consortium_spec(workdir / "repo", ORGS)
    config_file = workdir / f"Pulumi.{STACK}.yaml"
    config_file.write_text(yaml.safe_dump({"config": {
        "fabric:cryptoConfig": str(crypto_config),
        "fabric:network": str(network),
        "fabric:orgs": "Org2",
        "fabric:consortiumDir": str(org2.folder),
        "fabric:cryptoDir": str(org2.net.crypto_dir),
        "fabric:localNetwork": str(manifest),
        "fabric:namespace": "fabric-org2",
        "fabric:storageClass": "consortium-org2",
        "fabric:peerStorage": "1Gi",
    }}))
    runner = PulumiCli(workdir, kube.kubeconfig, STACK, config_file)
    runner.setup()
    yield runner
    runner.run("destroy", "--yes", "--skip-preview", check=False)


def test_org2_signs_and_submits_from_its_own_stack(orgs: dict[str, ConsortiumOrg],
                                                   cli: PulumiCli):
    began = time.monotonic()
    approval = channel_with_proposal(orgs)
    previewed = cli.run("preview")
    shown = previewed.stdout + previewed.stderr
    assert ("proposal add-org3: signed by Org1MSP; missing /Channel/Application/Admins: "
            "1 more of Org2MSP") in shown, shown
    assert f"to sign, add to fabric:approve: {approval}" in shown, shown
    assert "ProposalSignature" not in shown and "ProposalSubmission" not in shown

    config = yaml.safe_load(cli.config_file.read_text())
    config["config"]["fabric:approve"] = approval
    cli.config_file.write_text(yaml.safe_dump(config))
    planned = [name for op, name in steps(cli.summary("preview")) if op == "create"]
    assert "pulumi-python:dynamic/fabric:ProposalSignature::add-org3-org2-signature" in planned
    assert "pulumi-python:dynamic/fabric:ProposalSubmission::add-org3-submission" in planned
    cli.run("up", "--yes", "--skip-preview")
    folder = orgs["Org2"].folder / "proposals" / "add-org3"
    assert (folder / "signatures" / "Org2MSP.pb").is_file()
    assert yaml.safe_load((folder / "submitted.yaml").read_text())["submittedBy"] == "Org2MSP"

    org3 = orgs["Org3"]
    joined = join_own_peers(org3.executor, org3.peers, orderer_of(org3.card("OrdererMSP")),
                            CHANNEL)
    assert joined.joined == tuple(org3.peers)
    cli.run("preview", "--expect-no-changes")
    print(f"org2 stack: 1 pulumi up, story {time.monotonic() - began:.1f} s")

    card = json.loads(cli.run("stack", "output", "orgCards", "--json").stdout)["Org2"]
    assert card["mspId"] == "Org2MSP" and "PRIVATE KEY" not in json.dumps(card)
    state = with_base64_decoded("\n".join(state_strings(json.loads(
        cli.run("stack", "export", "--show-secrets").stdout))))
    assert any(key.splitlines()[1] in state for key in orgs["Org2"].private_keys())
    for name in ("Orderer", "Org1", "Org3"):
        for key in orgs[name].private_keys():
            assert key.splitlines()[1] not in state, name
