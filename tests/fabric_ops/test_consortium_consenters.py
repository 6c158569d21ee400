"""Consenter changes as proposals, on channel configs made by the real
configtxgen 3.1.1 from cards and updates computed by the real configtxlator:
one consenter added or removed per proposal (Raft ``Consenters``, BFT
``ConsenterMapping`` with its next free ID and its quorum), a MAJORITY of the
orderer orgs' admins needed, and a summary naming the consenter, its address
and its TLS certificate's fingerprint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from crypto import generate_org
from fabric_ops.bft_config import bft_consenters
from fabric_ops.channel_ops import block_config, genesis_block
from fabric_ops.channel_summary import consenter_address, consenters
from fabric_ops.config_update import SignatureNeed, decode
from fabric_ops.consortium.card import OrgCard, card_path, write_card
from fabric_ops.consortium.channel import channel_files
from fabric_ops.consortium.consenter_change import (
    ADD,
    REMOVE,
    card_node,
    changed_consenters,
    consenter_change_name,
)
from fabric_ops.consortium.proposal import SUMMARY_FILE, ProposalError, proposal_dir, propose
from fabric_ops.executor import AdminPaths
from fabric_ops.local_executor import LocalExecutor
from localnet import FabricRelease
from network_spec import load_network
from tests.fabric_ops.consortium_material import card

pytestmark = pytest.mark.fabric

BFT_NETWORK = Path(__file__).resolve().parents[1] / "localnet" / "bft_network"
ORDERER_ADMINS = SignatureNeed("/Channel/Orderer/Admins", ("OrdererMSP",), 1)


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, OrgCard]:
    """The BFT test network with five orderers: four consenters and a spare."""
    crypto_config = yaml.safe_load((BFT_NETWORK / "crypto-config.yaml").read_text())
    crypto_config["OrdererOrgs"][0]["Template"]["Count"] = 5
    path = tmp_path_factory.mktemp("five") / "crypto-config.yaml"
    path.write_text(yaml.safe_dump(crypto_config))
    spec = load_network(path, BFT_NETWORK / "network.yaml")
    return {org.msp_id: card(generate_org(org)) for org in spec.orgs}


@pytest.fixture(scope="module")
def executor() -> LocalExecutor:
    release = FabricRelease.build("3.1.1")
    return LocalExecutor(str(release.bin_dir), {}, AdminPaths("", ""))


def channel(executor: LocalExecutor, cards: dict[str, OrgCard], consensus: str,
            count: int) -> dict[str, Any]:
    orderer = cards["OrdererMSP"]
    files = channel_files([orderer], [cards["Org1MSP"]],
                          [n.name for n in orderer.nodes[:count]], consensus=consensus)
    return block_config(executor, genesis_block(executor, "ch", files))


def fingerprint(pem: str) -> str:
    digest = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def written_set(executor: LocalExecutor, update: bytes) -> dict[str, Any]:
    envelope = decode(executor, "common.Envelope", update)
    config_update: dict[str, Any] = envelope["payload"]["data"]["config_update"]
    return config_update["write_set"]["groups"]["Orderer"]


def test_a_raft_consenter_added_then_removed_one_per_proposal(
        tmp_path: Path, cards: dict[str, OrgCard], executor: LocalExecutor) -> None:
    orderer = cards["OrdererMSP"]
    current = channel(executor, cards, "etcdraft", 3)
    node3 = orderer.nodes[3]
    target = changed_consenters(current, ADD, orderer, node3)
    assert target is not None
    assert [consenter_address(c) for c in consenters(target)] == [
        n.address for n in orderer.nodes[:4]]
    assert changed_consenters(target, ADD, orderer, node3) is None

    name = consenter_change_name("ch", ADD, node3.name)
    assert name == "ch-add-consenter-orderer3-example-com"
    proposal = propose(executor, "OrdererMSP", tmp_path, name, "ch", current, target)
    assert proposal.needs == (ORDERER_ADMINS,)
    assert "ConsensusType" in written_set(executor, proposal.update)["values"]
    summary = (proposal_dir(tmp_path, name) / SUMMARY_FILE).read_text()
    assert (f"- Orderer: adds consenter {node3.address} (TLS certificate SHA-256 "
            f"{fingerprint(node3.tls_cert)})") in summary

    removed = changed_consenters(target, REMOVE, orderer, orderer.nodes[0])
    assert removed is not None
    assert [consenter_address(c) for c in consenters(removed)] == [
        n.address for n in orderer.nodes[1:4]]
    assert changed_consenters(current, REMOVE, orderer, node3) is None


def test_a_bft_consenter_takes_the_next_id_and_the_quorum_follows(
        tmp_path: Path, cards: dict[str, OrgCard], executor: LocalExecutor) -> None:
    orderer = cards["OrdererMSP"]
    current = channel(executor, cards, "BFT", 4)
    node4 = orderer.nodes[4]
    target = changed_consenters(current, ADD, orderer, node4)
    assert target is not None
    added = bft_consenters(target)[-1]
    assert (added["id"], added["msp_id"], consenter_address(added)) == (
        5, "OrdererMSP", node4.address)
    validation = target["channel_group"]["groups"]["Orderer"]["policies"]["BlockValidation"]
    assert validation["policy"]["value"]["rule"]["n_out_of"]["n"] == 4  # n=5, f=1

    name = consenter_change_name("ch", ADD, node4.name)
    proposal = propose(executor, "OrdererMSP", tmp_path, name, "ch", current, target)
    assert proposal.needs == (ORDERER_ADMINS,)
    written = written_set(executor, proposal.update)
    assert "Orderers" in written["values"] and "BlockValidation" in written["policies"]
    summary = (proposal_dir(tmp_path, name) / SUMMARY_FILE).read_text()
    assert (f"- Orderer: adds consenter {node4.address} (ID 5 of OrdererMSP, TLS certificate "
            f"SHA-256 {fingerprint(node4.tls_cert)})") in summary

    # Back to four after removing one: IDs stay; below four is refused.
    removed = changed_consenters(target, REMOVE, orderer, orderer.nodes[0])
    assert removed is not None
    assert [c["id"] for c in bft_consenters(removed)] == [2, 3, 4, 5]
    with pytest.raises(ProposalError, match="leaves 3 consenters; the channel needs at least 4"):
        changed_consenters(current, REMOVE, orderer, orderer.nodes[0])


def test_the_node_is_found_on_its_orderer_card(tmp_path: Path,
                                               cards: dict[str, OrgCard]) -> None:
    for each in cards.values():
        write_card(tmp_path, each)
    found, node = card_node(tmp_path, "orderer4.example.com")
    assert (found.msp_id, node.address) == ("OrdererMSP", "orderer4.example.com:7050")
    with pytest.raises(ProposalError, match=r"peer0\.org1\.example\.com: no orderer card"):
        card_node(tmp_path, "peer0.org1.example.com")
    document = yaml.safe_load(card_path(tmp_path, "OrdererMSP").read_text())
    del document["nodes"][4]["signCert"]
    card_path(tmp_path, "OrdererMSP").write_text(yaml.safe_dump(document))
    unsigned, node4 = card_node(tmp_path, "orderer4.example.com")
    with pytest.raises(ProposalError, match="OrdererMSP's card gives no signCert"):
        changed_consenters({"channel_group": {"groups": {"Orderer": {
            "values": {"ConsensusType": {"value": {"type": "BFT"}},
                       "Orderers": {"value": {"consenter_mapping": []}}},
            "groups": {"OrdererMSP": {}}}}}}, ADD, unsigned, node4)
