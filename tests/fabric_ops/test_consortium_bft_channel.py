"""A BFT channel made from cards alone, by the real configtxgen 3.1.1: its
genesis config maps each consenter of the orderer card (address, enrollment
and TLS certificates) under IDs 1..n, with the BFT quorum as BlockValidation
and channel capability V3_0; too few consenters or a card without the
consenters' identities is refused before configtxgen runs."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import pytest

from crypto import OrgCrypto, generate_org
from fabric_ops.bft_config import bft_consenters
from fabric_ops.channel_ops import block_config, genesis_block
from fabric_ops.consortium.card import OrgCard
from fabric_ops.consortium.channel import channel_files
from fabric_ops.executor import AdminPaths
from fabric_ops.local_executor import LocalExecutor
from localnet import FabricRelease
from network_spec import load_network
from network_spec.model import Capabilities, ChannelSettings
from tests.fabric_ops.consortium_material import card

pytestmark = pytest.mark.fabric

BFT_NETWORK = Path(__file__).resolve().parents[1] / "localnet" / "bft_network"


@pytest.fixture(scope="module")
def cards() -> dict[str, OrgCard]:
    spec = load_network(BFT_NETWORK / "crypto-config.yaml", BFT_NETWORK / "network.yaml")
    generated: dict[str, OrgCrypto] = {org.msp_id: generate_org(org) for org in spec.orgs}
    return {msp: card(crypto) for msp, crypto in generated.items()}


@pytest.fixture(scope="module")
def executor() -> LocalExecutor:
    release = FabricRelease.build("3.1.1")
    return LocalExecutor(str(release.bin_dir), {}, AdminPaths("", ""))


def consenters(orderer: OrgCard) -> list[str]:
    return [node.name for node in orderer.nodes]


def b64(pem: str) -> str:
    return base64.b64encode(pem.encode()).decode()


def test_the_genesis_config_maps_the_consenters_of_the_orderer_card(
        cards: dict[str, OrgCard], executor: LocalExecutor) -> None:
    orderer, org1 = cards["OrdererMSP"], cards["Org1MSP"]
    files = channel_files([orderer], [org1], consenters(orderer), consensus="BFT")
    config = block_config(executor, genesis_block(executor, "bftchannel", files))
    root = config["channel_group"]
    assert set(root["values"]["Capabilities"]["value"]["capabilities"]) == {"V3_0"}
    orderer_group = root["groups"]["Orderer"]
    assert orderer_group["values"]["ConsensusType"]["value"]["type"] == "BFT"
    mapping = bft_consenters(config)
    assert [(c["id"], f"{c['host']}:{c['port']}", c["msp_id"]) for c in mapping] == [
        (i, node.address, "OrdererMSP") for i, node in enumerate(orderer.nodes, start=1)]
    for consenter, node in zip(mapping, orderer.nodes, strict=True):
        assert consenter["identity"] == b64(node.sign_cert)
        assert consenter["client_tls_cert"] == consenter["server_tls_cert"] == b64(node.tls_cert)
    validation = orderer_group["policies"]["BlockValidation"]["policy"]
    assert validation["type"] == 1  # a signature policy: 3 of the 4 identities
    assert validation["value"]["rule"]["n_out_of"]["n"] == 3
    assert list(root["groups"]["Application"]["groups"]) == ["Org1MSP"]


def test_too_few_consenters_or_cards_without_identities_are_refused(
        cards: dict[str, OrgCard]) -> None:
    orderer, org1 = cards["OrdererMSP"], cards["Org1MSP"]
    with pytest.raises(ValueError, match=r"at least 4 consenters.*the cards list 3"):
        channel_files([orderer], [org1], consenters(orderer)[:3], consensus="BFT")
    unsigned = dataclasses.replace(orderer, nodes=tuple(
        dataclasses.replace(node, sign_cert="") if i == 2 else node
        for i, node in enumerate(orderer.nodes)))
    with pytest.raises(ValueError, match=r"no signCert for \['orderer2.example.com'\]"):
        channel_files([unsigned], [org1], consenters(orderer), consensus="BFT")
    set_levels = ChannelSettings(capabilities=Capabilities(application="V2_5"))
    with pytest.raises(ValueError, match="needs channel capability V3_0, got V2_0"):
        channel_files([orderer], [org1], consenters(orderer), set_levels, consensus="BFT")
    raft = channel_files([unsigned], [org1], consenters(orderer))
    assert not [path for path in raft if path.startswith("identity/")]
    assert b"OrdererType: etcdraft" in raft["configtx.yaml"]
