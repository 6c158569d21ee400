"""The channel dynamic providers called exactly as the Pulumi engine calls them,
against the real local network: create acts, a repeated create changes
nothing, read reports drift after an orderer leaves the channel, diff turns the
drift into an update, and update re-joins. Channel ``private-org1`` of the
scaled sample (the other channel tests use ``common``)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from fabric_components.channel_provider import (
    ChannelBlockProvider,
    OrdererJoinProvider,
    PeerJoinProvider,
)
from fabric_components.node_settings import orderer_admin_address, peer_address
from fabric_ops.channel_ops import orderer_channel, peer_channels
from fabric_ops.executor_config import executor_from_config, local_executor_config
from localnet import LocalNetwork

pytestmark = pytest.mark.fabric
CHANNEL = "private-org1"


def executor_config(net: LocalNetwork, org: str) -> dict[str, Any]:
    local = net.executor(org)
    return local_executor_config(local.bin_dir, local.base_env, local.paths)


@pytest.fixture(scope="module")
def block_outs(scaled_net: LocalNetwork) -> dict[str, Any]:
    props = {
        "channel": CHANNEL,
        "files": {p: d.decode() for p, d in scaled_net.channel_files(CHANNEL).items()},
        "executor": executor_config(scaled_net, "Orderer"),
    }
    result = ChannelBlockProvider().create(props)
    assert result.outs is not None
    return dict(result.outs)


def orderer_props(net: LocalNetwork, common_name: str, block: str) -> dict[str, Any]:
    org, node = net.spec.node(common_name)
    return {
        "version": "1",
        "channel": CHANNEL,
        "node": common_name,
        "admin_address": orderer_admin_address(net.addressing, node),
        "orderer_domain": org.domain,
        "block": block,
        "executor": executor_config(net, org.name),
    }


def test_block_is_a_config_block_of_the_channel(block_outs):
    block = base64.b64decode(block_outs["block"])
    assert CHANNEL.encode() in block and len(block) > 1000
    assert len(block_outs["block_sha256"]) == 64


def test_orderer_join_create_read_drift_update(scaled_net: LocalNetwork, block_outs):
    provider = OrdererJoinProvider()
    consenters = scaled_net.channel(CHANNEL).consenters
    outs = {}
    for cn in consenters:
        result = provider.create(orderer_props(scaled_net, cn, block_outs["block"]))
        assert result.outs is not None and result.outs["joined"] is True
        outs[cn] = dict(result.outs)
    victim = consenters[-1]
    props = orderer_props(scaled_net, victim, block_outs["block"])
    again = provider.create(props)  # idempotent: only a query runs
    assert again.outs is not None and again.outs["joined"] is True
    assert provider.diff("id", outs[victim], props).changes is False
    assert (provider.read("id", outs[victim]).outs or {})["joined"] is True

    provider.delete("id", outs[victim])
    executor = executor_from_config(props["executor"])
    assert orderer_channel(executor, props["admin_address"], "example.com", CHANNEL) is None
    refreshed = dict(provider.read("id", outs[victim]).outs or {})
    assert refreshed["joined"] is False
    assert provider.diff("id", refreshed, props).changes is True
    updated = provider.update("id", refreshed, props)
    assert updated.outs is not None and updated.outs["joined"] is True
    info = orderer_channel(executor, props["admin_address"], "example.com", CHANNEL)
    assert info is not None and info["consensusRelation"] == "consenter"


def test_peer_join_create_is_idempotent_and_read_sees_it(scaled_net: LocalNetwork, block_outs):
    provider = PeerJoinProvider()
    org = scaled_net.spec.org("Org1")
    for node in org.nodes:
        props = {
            "version": "1",
            "channel": CHANNEL,
            "node": node.common_name,
            "peer_address": peer_address(scaled_net.addressing, node),
            "block": block_outs["block"],
            "executor": executor_config(scaled_net, "Org1"),
        }
        first = provider.create(props)
        assert first.outs is not None and first.outs["joined"] is True
        second = provider.create(props)
        assert second.outs is not None
        assert (provider.read("id", dict(second.outs)).outs or {})["joined"] is True
        executor = executor_from_config(props["executor"])
        assert CHANNEL in peer_channels(executor, props["peer_address"])
