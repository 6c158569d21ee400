"""An org's own anchor peers on a channel made by the real configtxgen 3.1.1
from cards, the update computed by the real configtxlator: it writes only the
org's AnchorPeers, needs only the org's own admin, and a channel that already
has the wanted anchors needs nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crypto import generate_org
from fabric_ops.channel_ops import anchor_peers, block_config, genesis_block
from fabric_ops.config_update import SignatureNeed, decode, signature_needs, update_envelope
from fabric_ops.consortium.anchors import anchor_change, with_anchor_peers
from fabric_ops.consortium.card import OrgCard
from fabric_ops.consortium.channel import channel_files
from fabric_ops.executor import AdminPaths
from fabric_ops.local_executor import LocalExecutor
from localnet import FabricRelease
from network_spec import load_network
from tests.fabric_ops.consortium_material import card

pytestmark = pytest.mark.fabric

BFT_NETWORK = Path(__file__).resolve().parents[1] / "localnet" / "bft_network"


@pytest.fixture(scope="module")
def executor() -> LocalExecutor:
    release = FabricRelease.build("3.1.1")
    return LocalExecutor(str(release.bin_dir), {}, AdminPaths("", ""))


@pytest.fixture(scope="module")
def config(executor: LocalExecutor) -> dict[str, Any]:
    spec = load_network(BFT_NETWORK / "crypto-config.yaml", BFT_NETWORK / "network.yaml")
    cards: dict[str, OrgCard] = {org.msp_id: card(generate_org(org)) for org in spec.orgs}
    orderer = cards["OrdererMSP"]
    files = channel_files([orderer], [cards["Org1MSP"]], [n.name for n in orderer.nodes])
    return block_config(executor, genesis_block(executor, "ch", files))


def test_the_card_anchors_need_no_change(config: dict[str, Any]) -> None:
    anchors = anchor_peers(config, "Org1MSP")
    assert anchors and anchors[0].endswith(":7050")
    assert anchor_change(config, "ch", "Org1MSP", anchors) is None


def test_new_anchors_are_the_orgs_own_update(executor: LocalExecutor,
                                             config: dict[str, Any]) -> None:
    old = anchor_peers(config, "Org1MSP")
    new = ["peer0.org1.example.com:7051", "peer1.org1.example.com:7051"]
    change = anchor_change(config, "ch", "Org1MSP", new)
    assert change is not None
    assert change.describe() == (f"channel ch: Org1MSP anchor peers {', '.join(old)} -> "
                                 "peer0.org1.example.com:7051, peer1.org1.example.com:7051")
    target = with_anchor_peers(config, "Org1MSP", new)
    assert anchor_peers(target, "Org1MSP") == new
    assert signature_needs(config, target) == [
        SignatureNeed("/Channel/Application/Org1MSP/Admins", ("Org1MSP",), 1)]
    update = decode(executor, "common.Envelope", update_envelope(executor, "ch", config, target))
    written = update["payload"]["data"]["config_update"]["write_set"]
    org = written["groups"]["Application"]["groups"]["Org1MSP"]
    assert list(org["values"]) == ["AnchorPeers"]
    assert org["values"]["AnchorPeers"]["mod_policy"] == "Admins"
    assert org["values"]["AnchorPeers"]["value"]["anchor_peers"] == [
        {"host": "peer0.org1.example.com", "port": 7051},
        {"host": "peer1.org1.example.com", "port": 7051}]
    assert anchor_change(target, "ch", "Org1MSP", new) is None


def test_no_anchors_drop_the_value(config: dict[str, Any]) -> None:
    target = with_anchor_peers(config, "Org1MSP", [])
    assert anchor_peers(target, "Org1MSP") == []
    assert signature_needs(config, target) == [
        SignatureNeed("/Channel/Application/Org1MSP/Admins", ("Org1MSP",), 1)]


def test_an_org_not_on_the_channel_is_named(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="channel ch: Org9MSP is not one of its application"):
        anchor_change(config, "ch", "Org9MSP", ["peer0:7051"])
