"""An org stack under mocks: only its org's CAs, identities, nodes, Secrets and
toolbox; no other org's private key anywhere; its card as an output and a file;
the proposals of the consortium folder signed when approved and submitted once
the signatures suffice."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from crypto import OrgCrypto, generate_org
from fabric_components.card_channels import check_card_channels
from fabric_components.org_stack import org_stack_spec, own_anchor_peers
from fabric_components.stack_config import StackConfig, load_stack_config
from fabric_ops.config_update import SignatureNeed
from fabric_ops.consortium.card import parse_card, write_card
from fabric_ops.consortium.proposal import Proposal, write_proposal
from network_spec import SpecError
from network_spec.load import load_network
from tests.components.mocks import RecordingMocks, plain
from tests.components.program import ROOT, run_program, sample_config
from tests.fabric_ops.consortium_material import CHANNEL, card, signed_by, unsigned_update

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SECRET = "kubernetes:core/v1:Secret"
CONFIGMAP = "kubernetes:core/v1:ConfigMap"
PEM_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
                     re.DOTALL)
NEED = SignatureNeed("/Channel/Application/Admins", ("Org1MSP", "Org2MSP"), 2)


def private_keys(value: Any) -> Iterator[str]:
    """Every PEM private key in a nest of dicts, lists and strings (JSON texts
    read, as a peer's CCaaS builder config holds its TLS key)."""
    if isinstance(value, str) and value.startswith("{"):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, dict):
        for item in value.values():
            yield from private_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from private_keys(item)
    elif isinstance(value, str):
        yield from (match.strip() for match in PEM_KEY.findall(value))


def org1_stack(**overrides: str) -> tuple[StackConfig, RecordingMocks, dict[str, Any]]:
    config = sample_config("simple", orgs="Org1", **overrides)
    spec = org_stack_spec(load_network(config.crypto_config, config.network), config,
                          "Pulumi.test.yaml")
    mocks, outputs = run_program(spec, config)
    return config, mocks, outputs


@pytest.fixture(scope="module")
def others() -> dict[str, OrgCrypto]:
    """Org2 and the orderer org as their own stacks made them (not Org1's stack)."""
    config = sample_config("simple")
    spec = load_network(config.crypto_config, config.network)
    return {org.msp_id: generate_org(org) for org in spec.orgs if org.name != "Org1"}


def test_an_unknown_org_is_refused_naming_the_key():
    config = sample_config("simple", orgs="Org1,Org9")
    spec = load_network(config.crypto_config, config.network)
    with pytest.raises(SpecError, match=r"Pulumi\.test\.yaml: fabric:orgs\[1\]: unknown org "
                                        r"'Org9'; .* has Orderer, Org1, Org2"):
        org_stack_spec(spec, config, "Pulumi.test.yaml")


def test_an_approval_must_name_a_digest():
    with pytest.raises(SpecError, match=r"fabric:approve\[0\]: 'add-org3': expected"):
        sample_config("simple", consortiumDir="/tmp", approve="add-org3")


def test_the_stack_deploys_and_holds_keys_of_its_org_only():
    _, mocks, outputs = org1_stack()
    names = sorted(r.manifest["metadata"]["name"] for r in mocks.of_type(DEPLOYMENT))
    assert names == ["admin-org1", "peer0-org1"]
    cas = mocks.by_provider("CertificateAuthoritiesProvider")
    assert [r.name for r in cas] == ["org1-cas"]
    identities = mocks.by_provider("IdentityProvider")
    assert {r.manifest["org"] for r in identities} == {"Org1"}
    own_keys = {plain(r.outputs[k]).strip() for r in [*cas, *identities] for k in r.outputs
                if k.endswith("key")}
    seen = set(private_keys([[r.manifest, plain(r.outputs)] for r in mocks.resources]))
    assert seen and seen <= own_keys, "a private key not issued for Org1"
    assert not any(r.name.startswith(("orderer", "org2")) for r in mocks.resources)
    document = outputs["orgCards"]["Org1"]
    assert "PRIVATE KEY" not in json.dumps(outputs["orgCards"])
    org1 = parse_card(document, "orgCards.Org1")
    assert org1.msp_id == "Org1MSP" and org1.anchor_peers == (org1.nodes[0].address,)


def test_a_proposal_is_signed_when_approved_and_submitted_when_signed_enough(
        tmp_path: Path, others: dict[str, OrgCrypto]):
    for crypto in others.values():
        write_card(tmp_path, card(crypto))
    proposal = Proposal("add-org3", tmp_path, unsigned_update(), CHANNEL, (NEED,), "Org2MSP")
    write_proposal(proposal, ["- Application: adds org Org3MSP"])

    _, waiting, _ = org1_stack(consortiumDir=str(tmp_path))
    assert waiting.by_provider("ProposalSignatureProvider") == []
    assert waiting.by_provider("ProposalSubmissionProvider") == []
    (card_file,) = waiting.by_provider("OrgCardFileProvider")
    assert card_file.manifest["msp_id"] == "Org1MSP"
    toolbox_cas = waiting.named(CONFIGMAP, "tls-ca-certs").manifest["data"]
    assert sorted(toolbox_cas) == ["example.com.pem", "org1.example.com.pem",
                                   "org2.example.com.pem"]

    approve = proposal.approval
    _, alone, _ = org1_stack(consortiumDir=str(tmp_path), approve=approve)
    (signature,) = alone.by_provider("ProposalSignatureProvider")
    assert (signature.name, signature.manifest["sha256"]) == ("add-org3-org1-signature",
                                                             proposal.sha256)
    assert alone.by_provider("ProposalSubmissionProvider") == []

    proposal.signature_path("Org2MSP").write_bytes(
        signed_by("Org2MSP", others["Org2MSP"].admin, proposal.update))
    _, ready, _ = org1_stack(consortiumDir=str(tmp_path), approve=approve)
    (submission,) = ready.by_provider("ProposalSubmissionProvider")
    assert submission.manifest["msp_id"] == "Org1MSP"
    assert submission.manifest["orderer"]["domain"] == "example.com"


def test_adding_an_org_is_proposed_by_the_stacks_peer_org(
        tmp_path: Path, others: dict[str, OrgCrypto]):
    with pytest.raises(SpecError, match=r"fabric:addOrgs\[0\]: 'Org3MSP': expected <channel>"):
        sample_config("simple", consortiumDir=str(tmp_path), addOrgs="Org3MSP")
    with pytest.raises(SpecError, match=r"fabric:addOrgs: the orgs of a consortium meet in"):
        sample_config("simple", addOrgs="mychannel:Org3MSP")
    write_card(tmp_path, card(others["OrdererMSP"]))
    _, mocks, _ = org1_stack(consortiumDir=str(tmp_path), addOrgs="mychannel:Org3MSP")
    (draft,) = mocks.by_provider("ProposalDraftProvider")
    assert draft.name == "mychannel-add-org3msp-proposal"
    assert (draft.manifest["proposer"], draft.manifest["msp_id"]) == ("Org1MSP", "Org3MSP")
    assert draft.manifest["orderer"]["domain"] == "example.com"


def test_channels_are_created_from_cards_and_joined_by_each_org(
        tmp_path: Path, others: dict[str, OrgCrypto]):
    with pytest.raises(SpecError, match=r"fabric:createChannels\[0\]: 'mychannel': expected"):
        sample_config("simple", consortiumDir=str(tmp_path), createChannels="mychannel")
    for crypto in others.values():
        write_card(tmp_path, card(crypto))
    config = sample_config("simple", orgs="Orderer", consortiumDir=str(tmp_path),
                           createChannels="mychannel:Org1MSP+Org2MSP")
    whole = load_network(config.crypto_config, config.network)
    write_card(tmp_path, card(generate_org(whole.org("Org1"))))
    spec = org_stack_spec(whole, config, "f")
    orderer_mocks, _ = run_program(spec, config)
    (created,) = orderer_mocks.by_provider("ChannelFromCardsProvider")
    assert created.name == "mychannel-channel"
    assert created.manifest["consenters"] == ["orderer0.example.com"]
    assert "consensus" not in created.manifest  # Raft, as before BFT channels from cards
    assert [c["mspId"] for c in created.manifest["member_cards"]] == ["Org1MSP", "Org2MSP"]
    _, member_mocks, member_outputs = org1_stack(consortiumDir=str(tmp_path),
                                                 joinChannels="mychannel")
    (membership,) = member_mocks.by_provider("ChannelMembershipProvider")
    assert membership.name == "mychannel-org1-membership"
    assert membership.manifest["orderer"]["domain"] == "example.com"
    (anchors,) = member_mocks.by_provider("OwnAnchorPeersProvider")
    assert anchors.name == "mychannel-org1-anchor-peers"
    assert (anchors.manifest["msp_id"], anchors.manifest["anchors"]) == (
        "Org1MSP", member_outputs["orgCards"]["Org1"]["anchorPeers"])


def test_the_org_installs_and_approves_its_chaincode_and_every_member_may_commit(
        tmp_path: Path, others: dict[str, OrgCrypto]):
    for crypto in others.values():
        write_card(tmp_path, card(crypto))
    _, unjoined, _ = org1_stack(consortiumDir=str(tmp_path))
    assert unjoined.by_provider("ApprovalProvider") == []
    assert unjoined.by_provider("CommitWhenReadyProvider") == []

    _, mocks, outputs = org1_stack(consortiumDir=str(tmp_path), joinChannels="mychannel")
    (install,) = mocks.by_provider("InstallProvider")
    assert install.name == "basic-peer0-org1-install"
    assert "basic-org1" in [r.manifest["metadata"]["name"] for r in mocks.of_type(DEPLOYMENT)]
    (approval,) = mocks.by_provider("ApprovalProvider")
    assert approval.name == "basic-mychannel-org1-approve"
    assert (approval.manifest["org"], approval.manifest["package_ids"]) == (
        "Org1", {"Org1": install.manifest["package_id"]})
    assert approval.manifest["policy"] == "OR('Org1MSP.member','Org2MSP.member')"
    assert approval.manifest["orderer"]["domain"] == "example.com"
    (commit,) = mocks.by_provider("CommitWhenReadyProvider")
    assert commit.name == "basic-mychannel-commit"
    assert sorted(commit.manifest["endorsers"]) == ["Org1MSP", "Org2MSP"]
    assert commit.manifest["endorsers"]["Org2MSP"]["domain"] == "org2.example.com"
    # Its chaincode server's certificate is in the certificates output, as in a
    # whole-network stack.
    (server,) = [plain(r.outputs) for r in mocks.by_provider("TlsCertificateProvider")]
    listed = outputs["certificates"]["Org1"]["identities"]["basic-org1.fabric.svc.cluster.local"]
    assert listed["tls"]["notAfter"] == server["not_after"]


def test_removing_an_org_is_proposed_by_the_stacks_peer_org(
        tmp_path: Path, others: dict[str, OrgCrypto]):
    with pytest.raises(SpecError, match=r"fabric:removeOrgs\[1\]: 'Org2MSP': expected <channel>"):
        sample_config("simple", consortiumDir=str(tmp_path),
                      removeOrgs="mychannel:Org3MSP,Org2MSP")
    with pytest.raises(SpecError, match=r"fabric:removeOrgs: the orgs of a consortium meet in"):
        sample_config("simple", removeOrgs="mychannel:Org2MSP")
    write_card(tmp_path, card(others["OrdererMSP"]))
    _, mocks, _ = org1_stack(consortiumDir=str(tmp_path), removeOrgs="mychannel:Org2MSP")
    assert mocks.by_provider("ProposalDraftProvider") == []
    (draft,) = mocks.by_provider("OrgRemovalDraftProvider")
    assert draft.name == "mychannel-remove-org2msp-proposal"
    assert (draft.manifest["proposer"], draft.manifest["msp_id"]) == ("Org1MSP", "Org2MSP")
    assert draft.manifest["orderer"]["domain"] == "example.com"


def test_an_exposed_stack_gives_its_external_names_on_its_card():
    config, _, outputs = org1_stack(externalAccess="loadbalancer",
                                    externalDomain="fabric.example.org")
    org1 = parse_card(outputs["orgCards"]["Org1"], "orgCards.Org1")
    external = f"peer0-org1-{config.namespace}.fabric.example.org:7051"
    assert [node.address for node in org1.nodes] == [external]
    assert org1.anchor_peers == (external,)
    _, _, inside = org1_stack()
    internal = parse_card(inside["orgCards"]["Org1"], "orgCards.Org1").nodes[0].address
    assert internal == f"peer0-org1.{config.namespace}.svc.cluster.local:7051"


def test_a_block_size_is_proposed_through_the_stacks_own_orderer(
        tmp_path: Path, others: dict[str, OrgCrypto]):
    with pytest.raises(SpecError, match=r"fabric:batchSizes\[0\]: 'mychannel:0': expected"):
        sample_config("simple", consortiumDir=str(tmp_path), batchSizes="mychannel:0")
    config = sample_config("simple", orgs="Orderer", consortiumDir=str(tmp_path),
                           batchSizes="mychannel:50")
    spec = org_stack_spec(load_network(config.crypto_config, config.network), config, "f")
    mocks, _ = run_program(spec, config)
    (draft,) = mocks.by_provider("BatchSizeDraftProvider")
    assert draft.name == "mychannel-batch-size-50-proposal"
    assert (draft.manifest["proposer"], draft.manifest["count"]) == ("OrdererMSP", 50)
    assert draft.manifest["orderer"] == {
        "address": f"orderer0-orderer.{config.namespace}.svc.cluster.local:7050",
        "domain": "example.com"}
    write_card(tmp_path, card(others["OrdererMSP"]))
    need = SignatureNeed("/Channel/Orderer/Admins", ("OrdererMSP",), 1)
    proposal = Proposal("resize", tmp_path, unsigned_update(), CHANNEL, (need,), "OrdererMSP")
    write_proposal(proposal, ["- Orderer: changes BatchSize"])
    proposal.signature_path("OrdererMSP").write_bytes(
        signed_by("OrdererMSP", others["OrdererMSP"].admin, proposal.update))
    signed, _ = run_program(spec, config)
    (submission,) = signed.by_provider("ProposalSubmissionProvider")
    assert submission.manifest["orderer"] == draft.manifest["orderer"]


def test_a_bft_channel_is_created_from_cards_by_an_orderer_org_of_four_nodes(
        tmp_path: Path):
    """Its consenters are the org's nodes, each on the org's card with the
    enrollment certificate a BFT consenter entry names; BFT on Fabric 2 or with
    fewer than 4 orderers is refused naming the stack file and the entry."""
    bft = "bftchannel:Org1MSP:BFT"
    for version, refused in (
            ("2.5.9", r"Pulumi\.test\.yaml: fabric:createChannels\[0\]: bftchannel: BFT "
                      r"needs Fabric 3\.x"),
            ("3.1.1", r"at least 4 consenters .* has 1 \(orderer0\.example\.com\)")):
        config = sample_config("simple", orgs="Orderer", consortiumDir=str(tmp_path),
                               createChannels=bft, fabricVersion=version)
        spec = org_stack_spec(load_network(config.crypto_config, config.network), config, "f")
        with pytest.raises(SpecError, match=refused):
            check_card_channels(spec, config, "Pulumi.test.yaml")
    network = ROOT / "tests" / "localnet" / "bft_network"
    config = load_stack_config("test", {
        "cryptoConfig": str(network / "crypto-config.yaml"),
        "network": str(network / "network.yaml"), "fabricVersion": "3.1.1",
        "orgs": "Orderer", "consortiumDir": str(tmp_path), "createChannels": bft}.get)
    whole = load_network(config.crypto_config, config.network)
    write_card(tmp_path, card(generate_org(whole.org("Org1"))))
    spec = org_stack_spec(whole, config, "f")
    check_card_channels(spec, config, "Pulumi.test.yaml")
    mocks, outputs = run_program(spec, config)
    (created,) = mocks.by_provider("ChannelFromCardsProvider")
    assert created.manifest["consensus"] == "BFT"
    assert created.manifest["consenters"] == [f"orderer{i}.example.com" for i in range(4)]
    orderer_card = parse_card(outputs["orgCards"]["Orderer"], "orgCards.Orderer")
    assert [n.name for n in orderer_card.nodes if n.sign_cert] == created.manifest["consenters"]


def test_consenter_changes_are_proposed_one_per_entry_through_the_stacks_own_orderer(
        tmp_path: Path):
    with pytest.raises(SpecError, match=r"fabric:removeConsenters\[0\]: 'mychannel': expected "
                                        r"<channel>:<orderer common name>"):
        sample_config("simple", consortiumDir=str(tmp_path), removeConsenters="mychannel")
    config = sample_config("simple", orgs="Orderer", consortiumDir=str(tmp_path),
                           addConsenters="mychannel:orderer3.example.com",
                           removeConsenters="mychannel:orderer0.example.com")
    spec = org_stack_spec(load_network(config.crypto_config, config.network), config, "f")
    mocks, _ = run_program(spec, config)
    drafts = mocks.by_provider("ConsenterDraftProvider")
    assert [(d.name, d.manifest["change"], d.manifest["node"]) for d in drafts] == [
        ("mychannel-add-consenter-orderer3-example-com-proposal", "add",
         "orderer3.example.com"),
        ("mychannel-remove-consenter-orderer0-example-com-proposal", "remove",
         "orderer0.example.com")]
    assert {d.manifest["proposer"] for d in drafts} == {"OrdererMSP"}
    assert drafts[0].manifest["orderer"] == {
        "address": f"orderer0-orderer.{config.namespace}.svc.cluster.local:7050",
        "domain": "example.com"}


def test_the_orgs_anchor_peers_are_those_network_yaml_names(tmp_path: Path):
    crypto_config = yaml.safe_load((ROOT / "samples" / "simple" / "crypto-config.yaml").read_text())
    crypto_config["PeerOrgs"][0]["Template"]["Count"] = 2
    (tmp_path / "crypto-config.yaml").write_text(yaml.safe_dump(crypto_config))
    network = yaml.safe_load((ROOT / "samples" / "simple" / "network.yaml").read_text())
    network["channels"][0]["anchorPeers"] = {"Org1": ["peer1"]}
    (tmp_path / "network.yaml").write_text(yaml.safe_dump(network))
    config = sample_config("simple", orgs="Org1",
                           cryptoConfig=str(tmp_path / "crypto-config.yaml"),
                           network=str(tmp_path / "network.yaml"))
    org1 = load_network(config.crypto_config, config.network).org("Org1")
    assert [n.common_name for n in own_anchor_peers(config, org1, "mychannel")] == [
        "peer1.org1.example.com"]
    # A channel network.yaml does not list: the card's default, the first peer.
    assert [n.common_name for n in own_anchor_peers(config, org1, "other")] == [
        "peer0.org1.example.com"]


ORDERER_STACK = "organization/fabric-orderer/dev"
ORG2_STACK = "organization/fabric-org2/dev"


def test_cards_come_from_other_stacks_outputs(tmp_path: Path, others: dict[str, OrgCrypto]):
    with pytest.raises(SpecError, match=r"fabric:cardStacks\[1\]: 'org2': expected <org>/"):
        sample_config("simple", consortiumDir=str(tmp_path), cardStacks=f"{ORG2_STACK},org2")
    with pytest.raises(SpecError, match=r"fabric:cardStacks: the orgs of a consortium meet"):
        sample_config("simple", cardStacks=ORG2_STACK)
    config = sample_config("simple", orgs="Org1", consortiumDir=str(tmp_path),
                           joinChannels="mychannel", cardStacks=f"{ORDERER_STACK},{ORG2_STACK}")
    spec = org_stack_spec(load_network(config.crypto_config, config.network), config, "f")
    stacks = {ORDERER_STACK: {"orgCards": {"Orderer": card(others["OrdererMSP"]).to_document()}},
              ORG2_STACK: {"orgCards": {"Org2": card(others["Org2MSP"]).to_document()}}}
    mocks, _ = run_program(spec, config, other_stacks=stacks)
    # Nothing in the folder: the orderer and Org2 are known by their stacks alone.
    assert not list(tmp_path.glob("orgs/Orderer*")) and not list(tmp_path.glob("orgs/Org2*"))
    read = [args["name"] for token, args in mocks.calls
            if token == "pulumi:pulumi:readStackOutputs"]
    assert ORDERER_STACK in read and ORG2_STACK in read
    (membership,) = mocks.by_provider("ChannelMembershipProvider")
    assert membership.manifest["orderer"]["address"] == card(others["OrdererMSP"]).nodes[0].address
    (commit,) = mocks.by_provider("CommitWhenReadyProvider")
    assert commit.manifest["endorsers"]["Org2MSP"]["domain"] == "org2.example.com"


def test_a_card_stack_without_cards_or_with_a_bad_card_is_named(
        tmp_path: Path, others: dict[str, OrgCrypto]):
    config = sample_config("simple", orgs="Org1", consortiumDir=str(tmp_path),
                           cardStacks=ORG2_STACK)
    spec = org_stack_spec(load_network(config.crypto_config, config.network), config, "f")
    with pytest.raises(SpecError, match=r"Pulumi\.test\.yaml: fabric:cardStacks\[0\]: stack "
                                        r"organization/fabric-org2/dev has no orgCards output"):
        run_program(spec, config, other_stacks={ORG2_STACK: {"namespace": "fabric"}})
    document = card(others["Org2MSP"]).to_document()
    del document["mspId"]
    with pytest.raises(SpecError, match=r"stack organization/fabric-org2/dev output "
                                        r"orgCards\.Org2: mspId: missing or not a string"):
        run_program(spec, config, other_stacks={ORG2_STACK: {"orgCards": {"Org2": document}}})
