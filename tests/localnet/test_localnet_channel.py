"""On the scaled sample: channel ``common`` created with configtxgen, joined by the
three Raft consenters through osnadmin and by every member peer as its org admin;
an admin identity of another org is refused by the real peer."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from localnet import CommandError, LocalNetwork, LocalNode, create_genesis_block

pytestmark = pytest.mark.fabric

T = TypeVar("T")
CHANNEL = "common"
ORDERER_ORG = "Orderer"


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while (result := probe()) is None:
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not after {timeout:.0f} s")
        time.sleep(0.2)
    return result


@pytest.fixture(scope="module")
def common_block(scaled_net: LocalNetwork) -> Path:
    """The genesis block of ``common``, joined by every consenter."""
    block = create_genesis_block(scaled_net, CHANNEL)
    admin = scaled_net.admin(ORDERER_ORG)
    for name in scaled_net.spec.channels[0].consenters:
        joined = admin.join_orderer(scaled_net.nodes[name], CHANNEL, block)
        assert joined["name"] == CHANNEL
    return block


def is_leader(net: LocalNetwork, name: str) -> bool:
    """From the orderer's Prometheus metrics (Fabric's etcdraft is_leader gauge)."""
    url = f"http://{net.nodes[name].operations}/metrics"
    with urllib.request.urlopen(url, timeout=2) as response:
        text = response.read().decode()
    return f'consensus_etcdraft_is_leader{{channel="{CHANNEL}"}} 1' in text


def test_consenters_join_and_elect_one_leader(
    scaled_net: LocalNetwork, common_block: Path
) -> None:
    admin = scaled_net.admin(ORDERER_ORG)
    consenters = scaled_net.spec.channels[0].consenters
    assert len(consenters) == 3
    for name in consenters:
        node = scaled_net.nodes[name]

        def active(node: LocalNode = node) -> dict[str, Any] | None:
            info = admin.orderer_channel(node, CHANNEL)
            return info if info["status"] == "active" else None

        info = wait_for(f"{name} active on {CHANNEL}", active)
        assert info["consensusRelation"] == "consenter"
        assert info["height"] >= 1

    def leaders() -> list[str] | None:
        found = [name for name in consenters if is_leader(scaled_net, name)]
        return found or None

    assert len(wait_for("a Raft leader", leaders)) == 1


def test_member_peers_join_as_their_org_admin(
    scaled_net: LocalNetwork, common_block: Path
) -> None:
    for org_name in scaled_net.spec.channels[0].orgs:
        admin = scaled_net.admin(org_name)
        for node_spec in scaled_net.spec.org(org_name).nodes:
            peer = scaled_net.nodes[node_spec.common_name]
            admin.join_peer(peer, common_block)
            assert admin.channel_info(peer, CHANNEL)["height"] >= 1


def test_admin_of_another_org_cannot_join_a_peer(scaled_net: LocalNetwork) -> None:
    """Org1's admin command line signing with Org2's admin MSP (a certificate of
    Org2's CA, presented as Org1MSP) is refused by Org1's peer; Org1's own admin
    then joins the same block, so the block is not what was refused."""
    block = create_genesis_block(scaled_net, "private-org1")
    peer = scaled_net.nodes["peer0.org1.example.com"]
    org1 = scaled_net.admin("Org1")
    forged = org1.with_env(CORE_PEER_MSPCONFIGPATH=str(scaled_net.admin_dir("Org2") / "msp"))
    with pytest.raises(CommandError) as refused:
        forged.join_peer(peer, block)
    assert "access denied: channel [] creator org unknown" in refused.value.output
    assert "x509: certificate signed by unknown authority" in peer.log.read_text()
    org1.join_peer(peer, block)
    assert org1.channel_info(peer, "private-org1")["height"] == 1
