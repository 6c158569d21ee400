"""A consortium through the real Pulumi CLI: four orgs on real local nodes, each
in its own harness and folder, each running an org stack (``fabric:orgs``) with
its own state backend; they share only the consortium folder, where each org
has published its card. The orderer org's stack creates the channel from
Org1's and Org2's cards; Org3's stack waits (the channel does not list it)
without failing; Org1's stack joins its peer, proposes adding Org3 and signs;
Org2's preview says who signed and who is missing; once its stack config
approves the proposal, Org2's ``pulumi up`` joins its peer, signs and submits;
Org3's next ``pulumi up`` joins its peer and sets its own anchor peers (the
proposal that added it carries none). The chaincode of network.yaml is
installed and approved by Org1 and Org2, each from its own stack; Org1's
commit waits (its preview says Org2 has not approved) and Org2's stack
commits once the MAJORITY approved. No stack's state holds another org's
private key."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crypto import KeyPair
from fabric_ops.chaincode_ops import Orderer, committed, invoke, query
from fabric_ops.channel_ops import peer_channels
from fabric_ops.consortium.proposal import load_proposal
from localnet.chaincode_servers import chaincode_servers
from network_spec import OrgKind
from tests.engine.pulumi_runner import PulumiCli, state_strings, steps
from tests.engine.volumes import static_volumes
from tests.fabric_version import fabric_test_release, fabric_test_version
from tests.localnet.consortium_orgs import ConsortiumOrg, consortium_spec
from tools.localkube import LocalKube

BASE64 = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")
pytestmark = [pytest.mark.kube, pytest.mark.fabric]
CHANNEL = "consortium"
PROPOSAL = "consortium-add-org3msp"
ORGS = [(OrgKind.ORDERER, "Orderer", "example.com"), (OrgKind.PEER, "Org1", "org1.example.com"),
        (OrgKind.PEER, "Org2", "org2.example.com"), (OrgKind.PEER, "Org3", "org3.example.com")]
SETTINGS = {
    "Orderer": {"createChannels": f"{CHANNEL}:Org1MSP+Org2MSP"},
    "Org1": {"joinChannels": CHANNEL, "addOrgs": f"{CHANNEL}:Org3MSP"},
    "Org2": {"joinChannels": CHANNEL},
    "Org3": {"joinChannels": CHANNEL},
}
"""Each org's own stack settings besides its org and folders."""
NETWORK = f"""
channels:
  - name: {CHANNEL}
    orgs: [Org1, Org2, Org3]
chaincodes:
  - name: basic
    version: "1.0"
    image: localhost/fabric-on-pulumi/asset-transfer:1.0
    orgs: [Org1, Org2]
    channels: [{CHANNEL}]
"""
"""Every org's network.yaml: the channel as the consortium plans it, the chaincode."""
SERVED = ("basic/Org1", "basic/Org2")


@pytest.fixture(scope="module")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ConsortiumOrg]]:
    root = tmp_path_factory.mktemp("consortium")
    release = fabric_test_release()
    started: dict[str, ConsortiumOrg] = {}
    try:
        for kind, name, domain in ORGS:
            started[name] = ConsortiumOrg.start(kind, name, domain, root / name.lower(),
                                                root / "consortium", release)
        yield started
    finally:
        for org in started.values():
            org.net.stop()


@pytest.fixture(scope="module")
def servers(orgs: dict[str, ConsortiumOrg],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The sample chaincode of each org that runs it, as its own Deployment would."""
    def tls_ca(key: str) -> KeyPair | None:
        org = key.split("/")[1]
        return orgs[org].net.tls_ca(org)

    with chaincode_servers(dict.fromkeys(SERVED, "basic_1.0"),
                           tmp_path_factory.mktemp("servers"), tls_ca) as addresses:
        yield dict(addresses)


def org_stack(kube: LocalKube, org: ConsortiumOrg, servers: dict[str, str], workdir: Path,
              **extra: str) -> PulumiCli:
    """The org's own stack, state backend and repository (crypto-config of the
    whole consortium, network.yaml), deploying and keying only the org."""
    name = org.org.name.lower()
    static_volumes(kube, 2, f"consortium-{name}")
    manifest = workdir / "network.json"
    own = {key: address for key, address in servers.items() if key.endswith(f"/{org.org.name}")}
    manifest.write_text(org.net.manifest(own).to_json())
    crypto_config, network = consortium_spec(workdir / "repo", ORGS, NETWORK)
    config_file = workdir / f"Pulumi.{name}.yaml"
    config_file.write_text(yaml.safe_dump({"config": {
        "fabric:cryptoConfig": str(crypto_config),
        "fabric:network": str(network),
        "fabric:orgs": org.org.name,
        "fabric:consortiumDir": str(org.folder),
        "fabric:cryptoDir": str(org.net.crypto_dir),
        "fabric:localNetwork": str(manifest),
        "fabric:namespace": f"fabric-{name}",
        "fabric:fabricVersion": fabric_test_version(),
        "fabric:storageClass": f"consortium-{name}",
        "fabric:peerStorage": "1Gi",
        "fabric:ordererStorage": "1Gi",
        **{f"fabric:{key}": value for key, value in extra.items()},
    }}))
    runner = PulumiCli(workdir, kube.kubeconfig, name, config_file)
    runner.setup()
    return runner


@pytest.fixture(scope="module")
def stacks(kube: LocalKube, orgs: dict[str, ConsortiumOrg], servers: dict[str, str],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, PulumiCli]]:
    made: dict[str, PulumiCli] = {}
    try:
        for name, extra in SETTINGS.items():
            made[name] = org_stack(kube, orgs[name], servers,
                                   tmp_path_factory.mktemp(f"engine-{name.lower()}"), **extra)
        yield made
    finally:
        for runner in made.values():
            runner.run("destroy", "--yes", "--skip-preview", check=False)


def joined(org: ConsortiumOrg) -> bool:
    return all(CHANNEL in peer_channels(org.executor, peer) for peer in org.peers)


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


def outputs_of(cli: PulumiCli, name: str) -> dict[str, object]:
    """The outputs the stack's state keeps for its resource ``name``."""
    deployment = json.loads(cli.run("stack", "export").stdout)["deployment"]
    (resource,) = [r for r in deployment["resources"] if r["urn"].endswith(f"::{name}")]
    outputs: dict[str, object] = resource.get("outputs", {})
    return outputs


def test_each_step_is_run_by_the_stack_that_owns_the_keys(
        orgs: dict[str, ConsortiumOrg], stacks: dict[str, PulumiCli]):
    began = time.monotonic()
    for org in orgs.values():
        org.publish_card()
    for org in orgs.values():
        for other in orgs.values():
            org.card(other.msp_id)
    ups = 0

    def up(name: str) -> None:
        nonlocal ups
        stacks[name].run("up", "--yes", "--skip-preview")
        ups += 1

    up("Orderer")
    up("Org3")
    assert not joined(orgs["Org3"])
    up("Org1")
    assert joined(orgs["Org1"])
    folder = orgs["Org1"].folder / "proposals" / PROPOSAL
    assert (folder / "signatures" / "Org1MSP.pb").is_file()
    approval = load_proposal(orgs["Org1"].folder, PROPOSAL).approval
    pending = stacks["Org1"].run("preview")
    assert ("chaincode basic 1.0 on consortium: sequence 1 approved by Org1MSP; not yet "
            "Org2MSP") in pending.stdout + pending.stderr, pending.stdout + pending.stderr

    org2 = stacks["Org2"]
    previewed = org2.run("preview")
    shown = previewed.stdout + previewed.stderr
    assert "chaincode basic 1.0 on consortium: waits for peer" in shown, shown
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
    up("Org2")
    assert joined(orgs["Org2"])
    assert (folder / "signatures" / "Org2MSP.pb").is_file()
    assert yaml.safe_load((folder / "submitted.yaml").read_text())["submittedBy"] == "Org2MSP"

    org1 = orgs["Org1"]
    order = Orderer(org1.card("OrdererMSP").nodes[0].address, "example.com")
    definition = committed(org1.executor, org1.peers[0], CHANNEL, "basic")
    assert definition is not None and int(definition["sequence"]) == 1
    created = invoke(org1.executor, order, CHANNEL, "basic", "CreateAsset", ["one", "x"],
                     [(org1.peers[0], "org1.example.com")])
    assert created.returncode == 0, created.output
    assert query(orgs["Org2"].executor, orgs["Org2"].peers[0], CHANNEL, "basic", "ReadAsset",
                 ["one"]) == "x"

    up("Org3")
    assert joined(orgs["Org3"])
    up("Org1")  # its commit step finds the definition committed by Org2's stack
    for runner in stacks.values():
        runner.run("preview", "--expect-no-changes")
    print(f"consortium stacks: {ups} pulumi up runs, story {time.monotonic() - began:.1f} s")
    # Each peer org's anchor step ran once its channel listed it: Org1's and
    # Org2's anchors came with the channel; Org3's stack set its own (it joined
    # by a proposal that carries none) after waiting, with its admin alone.
    for own in ("Org1", "Org2", "Org3"):
        anchors = outputs_of(stacks[own], f"{CHANNEL}-{own.lower()}-anchor-peers")
        change = anchors.get("change")
        assert (anchors["done"], anchors["waiting"]) == (True, ""), own
        if own == "Org3":
            assert str(change).startswith(f"channel {CHANNEL}: Org3MSP anchor peers (none) -> ")
        else:
            assert change is None, (own, change)

    for own, runner in stacks.items():
        card = json.loads(runner.run("stack", "output", "orgCards", "--json").stdout)[own]
        assert card["mspId"] == f"{own}MSP" and "PRIVATE KEY" not in json.dumps(card)
        state = revealed_state(runner)
        assert any(key.splitlines()[1] in state for key in orgs[own].private_keys())
        for name, org in orgs.items():
            if name != own:
                for key in org.private_keys():
                    assert key.splitlines()[1] not in state, (own, name)
