"""A consortium of separately run orgs on real nodes: an orderer org and two
peer orgs, each with its own harness, folder and keys, sharing only the
consortium folder. The orderer org creates a channel from the members' cards;
each member joins its own peer; then Org3 publishes its card, Org1 proposes
adding it, Org1's signature alone is refused by the real orderer, Org2 signs in
its own run, the update goes through once the MAJORITY is met, and Org3 joins
its peer. Finally no file of the consortium folder or of another org holds an
org's private key."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from fabric_ops.channel_ops import ensure_orderer_joined, genesis_block, peer_channels
from fabric_ops.config_update import applied_config, live_config
from fabric_ops.consortium.add_org import propose_org
from fabric_ops.consortium.card import OrgCard
from fabric_ops.consortium.channel import channel_files, org_group, with_org
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
from fabric_ops.consortium.signing import SignatureError, verify_signature
from fabric_ops.executor import CommandFailed
from localnet import FabricRelease
from network_spec import OrgKind
from tests.localnet.consortium_orgs import ConsortiumOrg, files_holding, orderer_of

pytestmark = pytest.mark.fabric

CHANNEL = "consortium"
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


def test_orgs_build_a_channel_and_add_a_member_by_proposal(orgs: dict[str, ConsortiumOrg]):
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
    # Once the channel has the org, proposing it again writes nothing.
    assert propose_org(org1.executor, "Org1MSP", folder, CHANNEL, order,
                       org1.card("Org3MSP")) is None
    print(f"consortium story: {time.monotonic() - began:.1f} s")

    # No org's private key is in the consortium folder or in another org's folder.
    for name, org in orgs.items():
        keys = org.private_keys()
        assert keys, f"{name}: no private key found to look for"
        assert files_holding(folder, keys) == [], name
        for other_name, other_org in orgs.items():
            if other_name != name:
                assert files_holding(other_org.net.workdir, keys) == [], (name, other_name)
