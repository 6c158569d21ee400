"""On the scaled sample: channel ``common`` created with configtxgen, joined by the
three Raft consenters through osnadmin and by every member peer as its org admin;
an admin identity of another org is refused by the real peer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from localnet import CommandError, LocalNetwork, LocalNode, create_genesis_block
from localnet.process import http_get
from network_spec import ChannelSpec

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
def common(scaled_net: LocalNetwork) -> ChannelSpec:
    return next(channel for channel in scaled_net.spec.channels if channel.name == CHANNEL)


@pytest.fixture(scope="module")
def common_block(scaled_net: LocalNetwork, common: ChannelSpec) -> Path:
    """The genesis block of ``common``, joined by every consenter."""
    block = create_genesis_block(scaled_net, CHANNEL)
    admin = scaled_net.admin(ORDERER_ORG)
    for name in common.consenters:
        joined = admin.join_orderer(scaled_net.nodes[name], CHANNEL, block)
        assert joined["name"] == CHANNEL
    return block


def is_leader(net: LocalNetwork, name: str) -> bool:
    """From the orderer's Prometheus metrics (Fabric's etcdraft is_leader gauge)."""
    status, text = http_get(f"http://{net.nodes[name].operations}/metrics")
    assert status == 200, text
    return f'consensus_etcdraft_is_leader{{channel="{CHANNEL}"}} 1' in text


def test_consenters_join_and_elect_one_leader(
    scaled_net: LocalNetwork, common: ChannelSpec, common_block: Path
) -> None:
    admin = scaled_net.admin(ORDERER_ORG)
    consenters = common.consenters
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


@pytest.fixture(scope="module")
def peer_heights(
    scaled_net: LocalNetwork, common: ChannelSpec, common_block: Path
) -> dict[str, int]:
    """Every member peer joined to ``common`` by its own org admin, and the height
    ``peer channel getinfo`` then reports."""
    heights = {}
    for org_name in common.orgs:
        admin = scaled_net.admin(org_name)
        for node_spec in scaled_net.spec.org(org_name).nodes:
            peer = scaled_net.nodes[node_spec.common_name]
            admin.join_peer(peer, common_block)
            heights[peer.name] = int(admin.channel_info(peer, CHANNEL)["height"])
    return heights


def test_member_peers_join_as_their_org_admin(peer_heights: dict[str, int]) -> None:
    assert set(peer_heights) == {f"peer{i}.org{o}.example.com" for i in (0, 1) for o in (1, 2)}
    assert all(height >= 1 for height in peer_heights.values()), peer_heights


def test_peers_of_both_orgs_find_each_other(
    scaled_net: LocalNetwork, peer_heights: dict[str, int]
) -> None:
    """Gossip across orgs through the anchor peers: each peer comes to know the
    three others on the channel (Fabric's gossip total_peers_known gauge)."""

    def known(name: str) -> int:
        status, text = http_get(f"http://{scaled_net.nodes[name].operations}/metrics")
        assert status == 200, text
        metric = f'gossip_membership_total_peers_known{{channel="{CHANNEL}"}} '
        lines = [line for line in text.splitlines() if line.startswith(metric)]
        return int(float(lines[0].removeprefix(metric))) if lines else 0

    def all_known() -> dict[str, int] | None:
        counts = {name: known(name) for name in peer_heights}
        return counts if all(count == len(peer_heights) - 1 for count in counts.values()) else None

    wait_for("every peer knowing the 3 others", all_known, timeout=60)


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
    assert any(
        "access denied" in line
        and "certificate signed by unknown authority" in line
        and "issuer=CN=ca.org2.example.com" in line
        for line in peer.log.read_text().splitlines()
    )
    org1.join_peer(peer, block)
    assert org1.channel_info(peer, "private-org1")["height"] == 1
