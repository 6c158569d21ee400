"""The proposal and signing round of a consortium through the real Pulumi CLI:
four orgs on real local nodes, each in its own harness and folder; Org1 and
Org2 each run an org stack (``fabric:orgs``) with its own state backend. The
channel exists with Org1 and Org2 and Org3 has published its card. Org1's
``pulumi up`` (``fabric:addOrgs``) writes the proposal to add Org3 and signs
it; Org2's preview says who signed and who is missing; once Org2's stack config
approves the proposal, Org2's ``pulumi up`` signs it and submits it, and Org3
can join. Neither state holds another org's private key."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fabric_ops.channel_ops import ensure_orderer_joined, genesis_block
from fabric_ops.consortium.channel import channel_files
from fabric_ops.consortium.joining import join_own_peers
from fabric_ops.consortium.proposal import load_proposal
from localnet import FabricRelease
from network_spec import OrgKind
from tests.engine.pulumi_runner import PulumiCli, state_strings, steps
from tests.engine.volumes import static_volumes
from tests.localnet.consortium_orgs import ConsortiumOrg, consortium_spec, orderer_of
from tools.localkube import LocalKube

BASE64 = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")
pytestmark = [pytest.mark.kube, pytest.mark.fabric]
CHANNEL = "consortium"
PROPOSAL = "consortium-add-org3msp"
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


def org_stack(kube: LocalKube, org: ConsortiumOrg, workdir: Path, **extra: str) -> PulumiCli:
    """The org's own stack, state backend and repository (crypto-config of the
    whole consortium, no channels), deploying and keying only the org."""
    name = org.org.name.lower()
    static_volumes(kube, 2, f"consortium-{name}")
    manifest = workdir / "network.json"
    manifest.write_text(org.net.manifest().to_json())
    crypto_config, network = consortium_spec(workdir / "repo", ORGS)
    config_file = workdir / f"Pulumi.{name}.yaml"
    config_file.write_text(yaml.safe_dump({"config": {
        "fabric:cryptoConfig": str(crypto_config),
        "fabric:network": str(network),
        "fabric:orgs": org.org.name,
        "fabric:consortiumDir": str(org.folder),
        "fabric:cryptoDir": str(org.net.crypto_dir),
        "fabric:localNetwork": str(manifest),
        "fabric:namespace": f"fabric-{name}",
        "fabric:storageClass": f"consortium-{name}",
        "fabric:peerStorage": "1Gi",
        **{f"fabric:{key}": value for key, value in extra.items()},
    }}))
    runner = PulumiCli(workdir, kube.kubeconfig, name, config_file)
    runner.setup()
    return runner


@pytest.fixture(scope="module")
def stacks(kube: LocalKube, orgs: dict[str, ConsortiumOrg],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, PulumiCli]]:
    made = {
        "Org1": org_stack(kube, orgs["Org1"], tmp_path_factory.mktemp("engine-org1"),
                          addOrgs=f"{CHANNEL}:Org3MSP"),
        "Org2": org_stack(kube, orgs["Org2"], tmp_path_factory.mktemp("engine-org2")),
    }
    yield made
    for runner in made.values():
        runner.run("destroy", "--yes", "--skip-preview", check=False)


def channel_of_two(orgs: dict[str, ConsortiumOrg]) -> None:
    """What the orderer org, Org1 and Org2 did before: the channel, with their peers."""
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


def with_base64_decoded(text: str) -> str:
    """``text`` and every long base64 run in it decoded (Secret data is base64)."""
    decoded = []
    for run in BASE64.findall(text):
        try:
            decoded.append(base64.b64decode(run, validate=True).decode())
        except (ValueError, UnicodeDecodeError):
            continue
    return "\n".join([text, *decoded])


def revealed_state(cli: PulumiCli) -> str:
    """Every string of the stack's state, secrets and Secret data revealed."""
    return with_base64_decoded("\n".join(state_strings(json.loads(
        cli.run("stack", "export", "--show-secrets").stdout))))


def test_org1_proposes_and_org2_signs_and_submits_from_their_stacks(
        orgs: dict[str, ConsortiumOrg], stacks: dict[str, PulumiCli]):
    began = time.monotonic()
    channel_of_two(orgs)
    org1, org2 = stacks["Org1"], stacks["Org2"]
    org1.run("up", "--yes", "--skip-preview")
    folder = orgs["Org1"].folder / "proposals" / PROPOSAL
    assert (folder / "signatures" / "Org1MSP.pb").is_file()
    approval = load_proposal(orgs["Org1"].folder, PROPOSAL).approval

    previewed = org2.run("preview")
    shown = previewed.stdout + previewed.stderr
    assert (f"proposal {PROPOSAL}: signed by Org1MSP; missing /Channel/Application/Admins: "
            "1 more of Org2MSP") in shown, shown
    assert f"to sign, add to fabric:approve: {approval}" in shown, shown
    assert "ProposalSignature" not in shown and "ProposalSubmission" not in shown

    config = yaml.safe_load(org2.config_file.read_text())
    config["config"]["fabric:approve"] = approval
    org2.config_file.write_text(yaml.safe_dump(config))
    planned = [name for op, name in steps(org2.summary("preview")) if op == "create"]
    assert f"pulumi-python:dynamic/fabric:ProposalSignature::{PROPOSAL}-org2-signature" in planned
    assert f"pulumi-python:dynamic/fabric:ProposalSubmission::{PROPOSAL}-submission" in planned
    org2.run("up", "--yes", "--skip-preview")
    assert (folder / "signatures" / "Org2MSP.pb").is_file()
    assert yaml.safe_load((folder / "submitted.yaml").read_text())["submittedBy"] == "Org2MSP"

    org3 = orgs["Org3"]
    joined = join_own_peers(org3.executor, org3.peers, orderer_of(org3.card("OrdererMSP")),
                            CHANNEL)
    assert joined.joined == tuple(org3.peers)
    for runner in (org1, org2):
        runner.run("preview", "--expect-no-changes")
    print(f"consortium stacks: 2 pulumi up runs, story {time.monotonic() - began:.1f} s")

    for own, runner in stacks.items():
        card = json.loads(runner.run("stack", "output", "orgCards", "--json").stdout)[own]
        assert card["mspId"] == f"{own}MSP" and "PRIVATE KEY" not in json.dumps(card)
        state = revealed_state(runner)
        assert any(key.splitlines()[1] in state for key in orgs[own].private_keys())
        for name, org in orgs.items():
            if name != own:
                for key in org.private_keys():
                    assert key.splitlines()[1] not in state, (own, name)
