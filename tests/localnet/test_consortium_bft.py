"""A BFT channel created from cards on real Fabric 3.1.1 nodes: an orderer org
of five orderers and a peer org, each with its own harness, sharing only the
consortium folder. The orderer org makes the genesis block from the cards
alone (four of its orderers the consenters, their enrollment certificates as
identities), joins them, and the member joins its peer with its own admin;
the live config is BFT with those consenters. Then the orderer org proposes
its fifth orderer as a consenter: the real orderers accept the proposal's
update (new ID 5, the BlockValidation quorum they recompute)."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

from fabric_ops.bft_config import bft_consenters, is_bft
from fabric_ops.channel_ops import ensure_orderer_joined, genesis_block
from fabric_ops.config_update import applied_config, live_config
from fabric_ops.consortium.card import read_card
from fabric_ops.consortium.channel import channel_files
from fabric_ops.consortium.consenter_change import (
    ADD,
    changed_consenters,
    propose_consenter_change,
)
from fabric_ops.consortium.joining import join_own_peers
from fabric_ops.consortium.proposal import status, submit
from localnet import FabricRelease
from localnet.release import ReleaseError
from network_spec import OrgKind
from tests.localnet.consortium_orgs import ConsortiumOrg, orderer_of

pytestmark = pytest.mark.fabric

CHANNEL = "bftcards"


def test_a_bft_channel_from_cards_admits_a_member_and_a_proposed_consenter(
        tmp_path: Path) -> None:
    try:
        release = FabricRelease.build("3.1.1")
    except ReleaseError as error:
        pytest.fail(str(error), pytrace=False)
    began = time.monotonic()
    folder = tmp_path / "consortium"
    orderer = ConsortiumOrg.start(OrgKind.ORDERER, "Orderer", "example.com",
                                  tmp_path / "orderer", folder, release, orderers=5)
    try:
        org1 = ConsortiumOrg.start(OrgKind.PEER, "Org1", "org1.example.com", tmp_path / "org1",
                                   folder, release)
        try:
            orderer.publish_card()
            org1.publish_card()
            card = orderer.card("OrdererMSP")
            consenters = card.nodes[:4]
            files = channel_files([card], [orderer.card("Org1MSP")],
                                  [node.name for node in consenters], consensus="BFT")
            genesis = genesis_block(orderer.executor, CHANNEL, files)
            for name in [node.name for node in consenters]:
                node = orderer.net.nodes[name]
                assert node.admin_endpoint is not None
                assert ensure_orderer_joined(orderer.executor, node.admin_endpoint,
                                             orderer.org.domain, CHANNEL, genesis)
            org1.card("OrdererMSP")
            joined = join_own_peers(org1.executor, org1.peers, orderer_of(card), CHANNEL)
            assert joined.joined == tuple(org1.peers)
            live = live_config(org1.executor, [orderer_of(card)], CHANNEL)
            assert is_bft(live)
            assert [base64.b64decode(c["identity"]).decode() for c in bft_consenters(live)] == [
                node.sign_cert for node in consenters]

            fifth = card.nodes[4]
            proposal = propose_consenter_change(orderer.executor, "OrdererMSP", folder, CHANNEL,
                                                orderer_of(card), ADD, fifth.name)
            assert proposal is not None
            state = status(proposal, lambda msp: read_card(folder, msp))
            assert state.ready and state.signed == ("OrdererMSP",)
            submit(orderer.executor, "OrdererMSP", proposal, state, orderer_of(card))
            target = changed_consenters(live, ADD, card, fifth)
            assert target is not None
            grown = applied_config(org1.executor, [orderer_of(card)], CHANNEL, target)
            assert [c["id"] for c in bft_consenters(grown)] == [1, 2, 3, 4, 5]
        finally:
            org1.net.stop()
    finally:
        orderer.net.stop()
    print(f"BFT channel from cards: {time.monotonic() - began:.0f} s")
