"""A consortium of separately run orgs on real nodes: an orderer org and two
peer orgs, each with its own harness, folder and keys, sharing only the
consortium folder. The orderer org creates a channel from the members' cards;
each member joins its own peer (Org2 changes its own anchor peers alone),
installs and approves a chaincode, which a member commits once enough approved;
then Org3 publishes its card, Org1 proposes adding it, Org1's signature alone
is refused by the real orderer, Org2 signs in its own run, the update goes
through once the MAJORITY is met, Org3 joins its peer, approves a definition
that needs it, commits it and endorses a transaction that needs it; then Org1
proposes removing Org3, Org2 signs, and once submitted Org3 can no longer read
the channel; the orderer org proposes bigger blocks and submits; the members
make LifecycleEndorsement a signature policy that one org meets, and that org
commits a definition alone. Finally no file of the consortium folder or of
another org holds an org's private key."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fabric_ops.ccaas_package import CcaasPackage, ccaas_package
from fabric_ops.chaincode_ops import Definition, invoke, query
from fabric_ops.channel_ops import ensure_orderer_joined, genesis_block, peer_channels
from fabric_ops.config_update import applied_config, live_config
from fabric_ops.consortium.add_org import propose_org
from fabric_ops.consortium.anchors import set_own_anchor_peers
from fabric_ops.consortium.batch_size import (
    max_message_count,
    propose_batch_size,
    with_max_message_count,
)
from fabric_ops.consortium.card import OrgCard
from fabric_ops.consortium.chaincode import CommitOutcome, commit_when_ready, install_and_approve
from fabric_ops.consortium.channel import channel_files, org_group, with_org, without_org
from fabric_ops.consortium.joining import join_own_peers
from fabric_ops.consortium.proposal import (
    ProposalError,
    describe,
    load_proposal,
    propose,
    sign_proposal,
    status,
    submit,
)
from fabric_ops.consortium.remove_org import propose_removal
from fabric_ops.consortium.signing import SignatureError, verify_signature
from fabric_ops.executor import CommandFailed
from localnet import FabricRelease
from localnet.chaincode_servers import chaincode_servers
from network_spec import OrgKind
from tests.localnet.consortium_orgs import ConsortiumOrg, files_holding, orderer_of

pytestmark = pytest.mark.fabric

CHANNEL = "consortium"
LABEL = "basic_1.0"
REFUSED = "1 sub-policies were satisfied, but this policy requires 2 of the 'Admins'"
ORGS = [(OrgKind.ORDERER, "Orderer", "example.com"), (OrgKind.PEER, "Org1", "org1.example.com"),
        (OrgKind.PEER, "Org2", "org2.example.com"), (OrgKind.PEER, "Org3", "org3.example.com")]


@pytest.fixture(scope="module")
def orgs(fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory,
         ) -> Iterator[dict[str, ConsortiumOrg]]:
    root = tmp_path_factory.mktemp("consortium")
    folder = root / "consortium"
    started: dict[str, ConsortiumOrg] = {}
    try:
        for kind, name, domain in ORGS:
            started[name] = ConsortiumOrg.start(kind, name, domain, root / name.lower(), folder,
                                                fabric_release)
        yield started
    finally:
        for org in started.values():
            org.net.stop()


@pytest.fixture(scope="module")
def servers(orgs: dict[str, ConsortiumOrg], tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[dict[str, str]]:
    """The sample chaincode served for each peer org, as its own Deployment would
    (mutual TLS with a certificate of the org's TLS CA)."""
    labels = {name: LABEL for _, name, _ in ORGS[1:]}
    with chaincode_servers(labels, tmp_path_factory.mktemp("servers"),
                           lambda org: orgs[org].net.tls_ca(org)) as addresses:
        yield addresses


def package(servers: dict[str, str], org: str) -> CcaasPackage:
    return ccaas_package(LABEL, servers[org])


def either_peer(*msp_ids: str) -> dict[str, Any]:
    """``OR('<msp>.peer', ...)`` as configtxlator decodes a signature policy."""
    return {"type": 1, "value": {
        "identities": [{"principal": {"msp_identifier": msp, "role": "PEER"},
                        "principal_classification": "ROLE"} for msp in msp_ids],
        "rule": {"n_out_of": {"n": 1, "rules": [{"signed_by": i} for i in range(len(msp_ids))]}},
        "version": 0}}


def with_lifecycle_endorsement(config: dict[str, Any], policy: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(config)
    application = changed["channel_group"]["groups"]["Application"]
    application["policies"]["LifecycleEndorsement"]["policy"] = policy
    return changed


def endorser(card: OrgCard) -> tuple[str, str]:
    """One peer of the org as its card gives it, and its TLS CA domain."""
    return card.nodes[0].address, card.domain


def test_orgs_build_a_channel_and_add_a_member_by_proposal(orgs: dict[str, ConsortiumOrg],
                                                          servers: dict[str, str]):
    began = time.monotonic()
    orderer, org1, org2, org3 = (orgs[name] for _, name, _ in ORGS)
    folder = org1.folder
    for org in (orderer, org1, org2):
        org.publish_card()

    # The orderer org creates the channel from the members' cards alone.
    orderer_card = orderer.card("OrdererMSP")
    members = [orderer.card("Org1MSP"), orderer.card("Org2MSP")]
    files = channel_files([orderer_card], members, [orderer_card.nodes[0].name])
    genesis = genesis_block(orderer.executor, CHANNEL, files)
    node = next(iter(orderer.net.nodes.values()))
    assert node.admin_endpoint is not None
    assert ensure_orderer_joined(orderer.executor, node.admin_endpoint, orderer.org.domain,
                                 CHANNEL, genesis)

    # Org3 waits (not a member yet); Org1 and Org2 join their own peers.
    for org in (org1, org2, org3):
        org.card("OrdererMSP")
    order = orderer_of(orderer_card)
    org3.publish_card()
    waiting = join_own_peers(org3.executor, org3.peers, order, CHANNEL)
    assert waiting.joined == ()
    assert "does not list this org yet" in waiting.waiting
    for org in (org1, org2):
        assert join_own_peers(org.executor, org.peers, order, CHANNEL).joined == tuple(org.peers)

    # Org2's anchor peers are its own: its admin alone changes them, twice
    # (none, then its card's again), and a third time finds nothing to do.
    card_anchors = orderer.card("Org2MSP").anchor_peers
    cleared = set_own_anchor_peers(org2.executor, order, CHANNEL, "Org2MSP", ())
    assert cleared is not None and cleared.old == card_anchors
    restored = set_own_anchor_peers(org2.executor, order, CHANNEL, "Org2MSP", card_anchors)
    assert restored is not None and (restored.old, restored.new) == ((), card_anchors)
    assert set_own_anchor_peers(org2.executor, order, CHANNEL, "Org2MSP", card_anchors) is None

    # Each org installs and approves its own package; a member commits once
    # the MAJORITY approved, and not before.
    first = Definition(CHANNEL, "basic", "1.0", 1, "OR('Org1MSP.peer','Org2MSP.peer')")
    install_and_approve(org1.executor, org1.peers, order, first, package(servers, "Org1"))
    endorsers = {msp: endorser(org2.card(msp)) for msp in ("Org1MSP", "Org2MSP")}
    early = commit_when_ready(org2.executor, org2.peers[0], order, first, endorsers)
    assert not early.committed and "Org2MSP" in early.missing
    install_and_approve(org2.executor, org2.peers, order, first, package(servers, "Org2"))
    assert commit_when_ready(org2.executor, org2.peers[0], order, first, endorsers).committed
    org1.card("Org2MSP")
    created = invoke(org1.executor, order, CHANNEL, "basic", "CreateAsset", ["two", "x"],
                     [endorser(org1.card("Org1MSP"))])
    assert created.returncode == 0, created.output

    # Org1 proposes adding Org3 from its card.
    current = live_config(org1.executor, [order], CHANNEL)
    target = with_org(current, "Application", "Org3MSP",
                      org_group(org1.executor, org1.card("Org3MSP")))
    proposal = propose(org1.executor, "Org1MSP", folder, "add-org3", CHANNEL, current, target)
    summary = (folder / "proposals" / "add-org3" / "summary.md").read_text()
    assert "Application: adds org Org3MSP" in summary
    assert "/Channel/Application/Admins: MAJORITY, 2 of the admins of Org1MSP, Org2MSP" in summary
    assert proposal.approval in summary

    def cards(msp: str) -> OrgCard:
        return org2.card(msp)

    # Nothing is signed without this very update approved.
    with pytest.raises(ProposalError, match="has not approved"):
        sign_proposal(org1.executor, "Org1MSP", proposal, [f"add-org3@{'0' * 64}"])
    sign_proposal(org1.executor, "Org1MSP", proposal, [proposal.approval])
    seen = load_proposal(folder, "add-org3")
    half = status(seen, cards)
    print(describe(seen, half))
    assert half.signed == ("Org1MSP",)
    assert half.missing == ("/Channel/Application/Admins: 1 more of Org2MSP",)
    with pytest.raises(ProposalError, match="missing"):
        submit(org1.executor, "Org1MSP", seen, half, order)
    with pytest.raises(CommandFailed) as refused:
        submit(org1.executor, "Org1MSP", seen, half, order, check=False)
    assert REFUSED in refused.value.result.output, refused.value.result.output

    # Org2 checks and signs in its own run, then submits.
    sign_proposal(org2.executor, "Org2MSP", load_proposal(folder, "add-org3"), [seen.approval])
    full = status(load_proposal(folder, "add-org3"), cards)
    print(describe(seen, full))
    assert full.ready and full.signed == ("Org1MSP", "Org2MSP")
    submit(org2.executor, "Org2MSP", seen, full, order)
    applied = applied_config(org2.executor, [order], CHANNEL, target)
    assert "Org3MSP" in applied["channel_group"]["groups"]["Application"]["groups"]

    # A signature holds for its update and its signer only.
    org1_signature = seen.signature_path("Org1MSP").read_bytes()
    with pytest.raises(SignatureError, match="not Org2MSP"):
        verify_signature(org1_signature, seen.envelope, cards("Org2MSP"))
    other = seen.envelope.with_signatures(())
    tampered = type(other)(other.header, other.config_update + b"\x28\x01", ())
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(org1_signature, tampered, cards("Org1MSP"))

    # Org3 joins its own peer once the channel lists it.
    assert join_own_peers(org3.executor, org3.peers, order, CHANNEL).joined == tuple(org3.peers)
    assert CHANNEL in peer_channels(org3.executor, org3.peers[0])
    # Org3 approves a definition that needs its peer; with Org1 that is a
    # MAJORITY of three, so Org3 commits it; a transaction then needs Org3.
    second = Definition(CHANNEL, "basic", "1.0", 2, "AND('Org1MSP.peer','Org3MSP.peer')")
    install_and_approve(org1.executor, org1.peers, order, second, package(servers, "Org1"))
    install_and_approve(org3.executor, org3.peers, order, second, package(servers, "Org3"))
    both = {msp: endorser(org3.card(msp)) for msp in ("Org1MSP", "Org3MSP")}
    assert commit_when_ready(org3.executor, org3.peers[0], order, second, both) == CommitOutcome(
        True, ("Org2MSP",))
    org1.card("Org3MSP")
    alone = invoke(org1.executor, order, CHANNEL, "basic", "CreateAsset", ["three", "y"],
                   [both["Org1MSP"]])
    assert alone.returncode != 0
    with_org3 = invoke(org1.executor, order, CHANNEL, "basic", "CreateAsset", ["three", "y"],
                       [both["Org1MSP"], both["Org3MSP"]])
    assert with_org3.returncode == 0, with_org3.output
    assert query(org3.executor, org3.peers[0], CHANNEL, "basic", "ReadAsset", ["three"]) == "y"

    # Once the channel has the org, proposing it again writes nothing.
    assert propose_org(org1.executor, "Org1MSP", folder, CHANNEL, order,
                       org1.card("Org3MSP")) is None

    # Org1 proposes removing Org3: a MAJORITY of the three orgs' admins signs it.
    before = live_config(org1.executor, [order], CHANNEL)
    removal = propose_removal(org1.executor, "Org1MSP", folder, CHANNEL, order, "Org3MSP")
    assert removal is not None and removal.name == "consortium-remove-org3msp"
    summary = (folder / "proposals" / removal.name / "summary.md").read_text()
    assert "Application: removes org Org3MSP" in summary
    assert ("/Channel/Application/Admins: MAJORITY, 2 of the admins of Org1MSP, Org2MSP, "
            "Org3MSP") in summary
    assert status(load_proposal(folder, removal.name), cards).missing == (
        "/Channel/Application/Admins: 1 more of Org2MSP, Org3MSP",)
    sign_proposal(org2.executor, "Org2MSP", removal, [removal.approval])
    signed = status(load_proposal(folder, removal.name), cards)
    assert signed.ready and signed.signed == ("Org1MSP", "Org2MSP")
    submit(org2.executor, "Org2MSP", removal, signed, order)
    left = applied_config(org2.executor, [order], CHANNEL,
                          without_org(before, "Application", "Org3MSP"))
    assert "Org3MSP" not in left["channel_group"]["groups"]["Application"]["groups"]
    assert "does not list this org" in join_own_peers(org3.executor, org3.peers, order,
                                                      CHANNEL).waiting

    # A channel setting: the orderer org proposes bigger blocks; its admin is
    # the MAJORITY of the orderer orgs, so its own signature suffices.
    bigger = propose_batch_size(orderer.executor, "OrdererMSP", folder, CHANNEL, order, 25)
    assert bigger is not None and bigger.name == "consortium-batch-size-25"
    summary = (folder / "proposals" / bigger.name / "summary.md").read_text()
    assert "Orderer: changes BatchSize" in summary
    assert "/Channel/Orderer/Admins: the admin of OrdererMSP" in summary
    settled = status(load_proposal(folder, bigger.name), cards)
    assert settled.ready and settled.signed == ("OrdererMSP",)
    submit(orderer.executor, "OrdererMSP", bigger, settled, order)
    resized = applied_config(orderer.executor, [order], CHANNEL,
                             with_max_message_count(left, 25))
    assert max_message_count(resized) == 25
    assert propose_batch_size(orderer.executor, "OrdererMSP", folder, CHANNEL, order,
                              25) is None

    # The members make LifecycleEndorsement a signature policy, either org's
    # peer: Org1 then commits a definition that it alone approved.
    current = live_config(org1.executor, [order], CHANNEL)
    either = with_lifecycle_endorsement(current, either_peer("Org1MSP", "Org2MSP"))
    change = propose(org1.executor, "Org1MSP", folder, "either-org", CHANNEL, current, either)
    sign_proposal(org1.executor, "Org1MSP", change, [change.approval])
    sign_proposal(org2.executor, "Org2MSP", change, [change.approval])
    submit(org2.executor, "Org2MSP", change, status(load_proposal(folder, "either-org"), cards),
           order)
    applied_config(org1.executor, [order], CHANNEL, either)
    third = Definition(CHANNEL, "basic", "1.0", 3, "OR('Org1MSP.peer','Org2MSP.peer')")
    install_and_approve(org1.executor, org1.peers, order, third, package(servers, "Org1"))
    assert commit_when_ready(org1.executor, org1.peers[0], order, third, endorsers) == (
        CommitOutcome(True, ("Org2MSP",)))
    print(f"consortium story: {time.monotonic() - began:.1f} s")

    # No org's private key is in the consortium folder or in another org's folder.
    for name, org in orgs.items():
        keys = org.private_keys()
        assert keys, f"{name}: no private key found to look for"
        assert files_holding(folder, keys) == [], name
        for other_name, other_org in orgs.items():
            if other_name != name:
                assert files_holding(other_org.net.workdir, keys) == [], (name, other_name)
