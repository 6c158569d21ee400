"""fabric_ops' channel operations against the real scaled sample: channel
``common`` made by configtxgen, joined by the three Raft consenters through
osnadmin and by every member peer as its own org admin, each join done once and
then recognised as done (also when another run joined the node between the
query and the join); an orderer removed and joined again; an admin identity of
another org refused by the real peer."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from fabric_ops.channel_ops import (
    BLOCK,
    ensure_orderer_joined,
    ensure_peer_joined,
    genesis_block,
    orderer_channel,
    peer_channels,
    peer_height,
    remove_orderer,
)
from fabric_ops.executor import DEFAULT_TIMEOUT_SECONDS, AdminPaths, CommandResult, Executor
from localnet import LocalNetwork, LocalNode
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


@dataclass
class Observed:
    """Runs commands through ``inner`` and notes each one's tool and subcommands,
    to tell queries from changes. ``stale`` answers the first run of a command
    with the given stdout instead of asking the node, as when another run
    changes the node between an operation's query and its act."""

    inner: Executor
    stale: dict[tuple[str, ...], str] = field(default_factory=dict)
    commands: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def paths(self) -> AdminPaths:
        return self.inner.paths

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, bytes] | None = None,
        outputs: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        signer_msp: Mapping[str, bytes] | None = None,
    ) -> CommandResult:
        command = tuple(argv[:3])
        self.commands.append(command)
        if command in self.stale:
            return CommandResult(tuple(argv), 0, self.stale.pop(command), "")
        return self.inner.run(argv, env=env, inputs=inputs, outputs=outputs, timeout=timeout,
                              signer_msp=signer_msp)


def admin_address(node: LocalNode) -> str:
    assert node.admin_endpoint is not None, f"{node.name} is not an orderer"
    return node.admin_endpoint


def channel_of(net: LocalNetwork, executor: Executor, name: str) -> dict[str, Any] | None:
    """The orderer ``name``'s view of ``common``."""
    node = net.nodes[name]
    return orderer_channel(executor, admin_address(node), node.org.domain, CHANNEL)


def metric(net: LocalNetwork, name: str, series: str) -> float:
    """``series`` of channel ``common`` from the node's Prometheus metrics; 0
    before the node reports it."""
    status, text = net.nodes[name].operations_get("/metrics")
    assert status == 200, text
    prefix = f'{series}{{channel="{CHANNEL}"}} '
    values = [line.removeprefix(prefix) for line in text.splitlines() if line.startswith(prefix)]
    return float(values[0]) if values else 0.0


def is_leader(net: LocalNetwork, name: str) -> bool:
    return metric(net, name, "consensus_etcdraft_is_leader") == 1


def leaders(net: LocalNetwork, consenters: Sequence[str]) -> list[str] | None:
    return [name for name in consenters if is_leader(net, name)] or None


@pytest.fixture(scope="module")
def common(scaled_net: LocalNetwork) -> ChannelSpec:
    return scaled_net.channel(CHANNEL)


@pytest.fixture(scope="module")
def orderer_admin(scaled_net: LocalNetwork) -> Executor:
    return scaled_net.executor(ORDERER_ORG)


@pytest.fixture(scope="module")
def common_block(scaled_net: LocalNetwork, orderer_admin: Executor) -> bytes:
    return genesis_block(orderer_admin, CHANNEL, scaled_net.channel_files(CHANNEL))


@pytest.fixture(scope="module")
def orderers_joined(
    scaled_net: LocalNetwork, common: ChannelSpec, orderer_admin: Executor, common_block: bytes
) -> dict[str, bool]:
    """``ensure_orderer_joined`` on every consenter of ``common``, once."""
    joined = {}
    for name in common.consenters:
        node = scaled_net.nodes[name]
        joined[name] = ensure_orderer_joined(
            orderer_admin, admin_address(node), node.org.domain, CHANNEL, common_block
        )
    return joined


def test_consenters_join_once(
    scaled_net: LocalNetwork,
    common: ChannelSpec,
    orderer_admin: Executor,
    common_block: bytes,
    orderers_joined: dict[str, bool],
) -> None:
    assert len(common.consenters) == 3
    assert orderers_joined == dict.fromkeys(common.consenters, True)
    for name in common.consenters:
        node = scaled_net.nodes[name]
        again = Observed(orderer_admin)
        assert not ensure_orderer_joined(
            again, admin_address(node), node.org.domain, CHANNEL, common_block
        )
        assert set(again.commands) == {("osnadmin", "channel", "list")}, again.commands


@pytest.mark.usefixtures("orderers_joined")
def test_consenters_are_active_and_elect_one_leader(
    scaled_net: LocalNetwork, common: ChannelSpec, orderer_admin: Executor
) -> None:
    for name in common.consenters:

        def active(name: str = name) -> dict[str, Any] | None:
            info = channel_of(scaled_net, orderer_admin, name)
            return info if info is not None and info["status"] == "active" else None

        info = wait_for(f"{name} active on {CHANNEL}", active)
        assert info["consensusRelation"] == "consenter"
        assert info["height"] >= 1

    assert len(wait_for("a Raft leader", lambda: leaders(scaled_net, common.consenters))) == 1


@pytest.fixture(scope="module")
def peers_joined(
    scaled_net: LocalNetwork, common: ChannelSpec, common_block: bytes, orderers_joined: object
) -> dict[str, bool]:
    """``ensure_peer_joined`` on every member peer of ``common``, once, each by
    its own org admin."""
    joined = {}
    for org_name in common.orgs:
        admin = scaled_net.executor(org_name)
        for node in scaled_net.spec.org(org_name).nodes:
            peer = scaled_net.nodes[node.common_name]
            joined[peer.name] = ensure_peer_joined(admin, peer.endpoint, CHANNEL, common_block)
    return joined


def test_member_peers_join_once_as_their_org_admin(
    scaled_net: LocalNetwork, common_block: bytes, peers_joined: dict[str, bool]
) -> None:
    members = {f"peer{i}.org{o}.example.com" for i in (0, 1) for o in (1, 2)}
    assert peers_joined == dict.fromkeys(members, True)
    for name in members:
        peer = scaled_net.nodes[name]
        admin = scaled_net.executor(peer.org.name)
        again = Observed(admin)
        assert not ensure_peer_joined(again, peer.endpoint, CHANNEL, common_block)
        assert set(again.commands) == {("peer", "channel", "list")}, again.commands
        assert CHANNEL in peer_channels(admin, peer.endpoint)
        assert peer_height(admin, peer.endpoint, CHANNEL) >= 1


def test_a_join_another_run_made_first_is_recognised(
    scaled_net: LocalNetwork,
    common: ChannelSpec,
    orderer_admin: Executor,
    common_block: bytes,
    peers_joined: dict[str, bool],
) -> None:
    """The query sees the node without the channel (the answer Fabric gives
    before a join), the join then reaches the real node, which has joined:
    Fabric's refusal counts as "already joined", not as a failure."""
    orderer = scaled_net.nodes[common.consenters[0]]
    not_listed = 'Status: 404\n{"error":"channel does not exist"}\n'
    raced = Observed(orderer_admin, stale={("osnadmin", "channel", "list"): not_listed})
    assert not ensure_orderer_joined(
        raced, admin_address(orderer), orderer.org.domain, CHANNEL, common_block
    )
    assert raced.commands == [("osnadmin", "channel", "list"), ("osnadmin", "channel", "join")]

    peer = scaled_net.nodes["peer0.org2.example.com"]
    raced = Observed(
        scaled_net.executor(peer.org.name),
        stale={("peer", "channel", "list"): "Channels peers has joined: \n"},
    )
    assert not ensure_peer_joined(raced, peer.endpoint, CHANNEL, common_block)
    assert raced.commands == [("peer", "channel", "list"), ("peer", "channel", "join")]


def test_peers_of_both_orgs_find_each_other(
    scaled_net: LocalNetwork, peers_joined: dict[str, bool]
) -> None:
    """Gossip across orgs through the anchor peers: each peer comes to know the
    three others on the channel (Fabric's gossip total_peers_known gauge)."""

    def all_known() -> dict[str, int] | None:
        counts = {
            name: int(metric(scaled_net, name, "gossip_membership_total_peers_known"))
            for name in peers_joined
        }
        return counts if all(count == len(peers_joined) - 1 for count in counts.values()) else None

    wait_for("every peer knowing the 3 others", all_known, timeout=60)


def test_admin_of_another_org_cannot_join_a_peer(scaled_net: LocalNetwork) -> None:
    """Org1's admin command line signing with Org2's admin MSP (a certificate of
    Org2's CA, presented as Org1MSP) is refused by Org1's peer; Org1's own admin
    then joins the same block, so the block is not what was refused."""
    channel = "private-org1"
    block = genesis_block(
        scaled_net.executor(ORDERER_ORG), channel, scaled_net.channel_files(channel)
    )
    peer = scaled_net.nodes["peer0.org1.example.com"]
    org1 = scaled_net.executor("Org1")
    forged = org1.run(
        ["peer", "channel", "join", "-b", BLOCK],
        env={
            "CORE_PEER_ADDRESS": peer.endpoint,
            "CORE_PEER_MSPCONFIGPATH": str(scaled_net.admin_dir("Org2") / "msp"),
        },
        inputs={BLOCK: block},
    )
    assert forged.returncode != 0
    assert "access denied: channel [] creator org unknown" in forged.output
    assert any(
        "access denied" in line
        and "certificate signed by unknown authority" in line
        and "issuer=CN=ca.org2.example.com" in line
        for line in peer.log.read_text().splitlines()
    )
    assert ensure_peer_joined(org1, peer.endpoint, channel, block)
    assert peer_height(org1, peer.endpoint, channel) == 1


@pytest.mark.usefixtures("peers_joined")
def test_removed_orderer_rejoins_and_catches_up(
    scaled_net: LocalNetwork, common: ChannelSpec, orderer_admin: Executor, common_block: bytes
) -> None:
    """Last in the module: a follower leaves ``common`` and is joined again with
    the genesis block; it comes back as an active consenter at the others' height
    and learns the Raft leader anew (its etcdraft leader_changes counter, which
    outlives the removal, grows)."""
    leader = wait_for("a Raft leader", lambda: leaders(scaled_net, common.consenters))
    name = next(name for name in common.consenters if name not in leader)
    node = scaled_net.nodes[name]
    address, domain = admin_address(node), node.org.domain
    leader_changes = metric(scaled_net, name, "consensus_etcdraft_leader_changes")
    assert leader_changes >= 1
    remove_orderer(orderer_admin, address, domain, CHANNEL)
    assert orderer_channel(orderer_admin, address, domain, CHANNEL) is None
    assert ensure_orderer_joined(orderer_admin, address, domain, CHANNEL, common_block)

    heights = []
    for other in common.consenters:
        if other != name:
            info = channel_of(scaled_net, orderer_admin, other)
            assert info is not None, other
            heights.append(info["height"])
    target = max(heights)

    def caught_up() -> dict[str, Any] | None:
        info = channel_of(scaled_net, orderer_admin, name)
        if info is None or info["status"] != "active" or info["height"] < target:
            return None
        if metric(scaled_net, name, "consensus_etcdraft_leader_changes") <= leader_changes:
            return None
        return info

    rejoined = wait_for(f"{name} caught up on {CHANNEL}", caught_up)
    assert rejoined["consensusRelation"] == "consenter"
    assert rejoined["height"] >= 1
