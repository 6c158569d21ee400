"""The populate providers called exactly as the Pulumi engine calls them, on a
real local network (samples/simple, mychannel, the asset-transfer chaincode run
as a service per org): create acts, a repeated create changes nothing, read
reports drift, diff turns drift into an update that repairs it, and a new
chaincode version moves the definition to the next sequence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fabric_components.providers.channel import (
    ChannelBlockProvider,
    OrdererJoinProvider,
    PeerJoinProvider,
)
from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.ccaas_package import ccaas_package
from fabric_ops.chaincode_ops import Orderer, committed, invoke, query
from fabric_ops.channel_ops import anchor_peers, channel_config, orderer_channel
from fabric_ops.executor_config import executor_from_config
from localnet import LocalNetwork
from localnet.chaincode_servers import chaincode_servers
from tests.localnet.commands import recording_commands
from tests.localnet.populate import (
    CHANNEL,
    ORGS,
    deploy,
    executor_config,
    join_all,
    orderer_props,
    outs,
)

pytestmark = pytest.mark.fabric


@pytest.fixture(scope="module")
def block(net: LocalNetwork) -> str:
    props = {
        "channel": CHANNEL,
        "files": {p: d.decode() for p, d in net.channel_files(CHANNEL).items()},
        "executor": executor_config(net, "Orderer"),
    }
    created = outs(ChannelBlockProvider().create(props))
    assert len(created["block_sha256"]) == 64
    return str(created["block"])


@pytest.fixture(scope="module")
def joined(net: LocalNetwork, block: str) -> None:
    """The orderer and every peer joined through the providers, twice each."""
    join_all(net, block)


def test_orderer_drift_is_read_and_repaired(net: LocalNetwork, block: str, joined: None):
    provider = OrdererJoinProvider()
    props = orderer_props(net, block)
    state = {**props, "done": True}
    assert provider.diff("id", state, props).changes is False
    provider.delete("id", state)
    executor = executor_from_config(props["executor"])
    assert orderer_channel(executor, props["admin_address"], "example.com", CHANNEL) is None
    refreshed = outs(provider.read("id", state))
    assert refreshed["done"] is False
    assert provider.diff("id", refreshed, props).changes is True
    assert outs(provider.update("id", refreshed, props))["done"] is True
    info = orderer_channel(executor, props["admin_address"], "example.com", CHANNEL)
    assert info is not None and info["status"] == "active"


def test_anchor_peers_are_in_the_channel_config(net: LocalNetwork, joined: None):
    (consenter,) = net.channel(CHANNEL).consenters
    orderer_org, orderer_node = net.spec.node(consenter)
    config = channel_config(net.executor("Org1"), orderer_address(net.addressing, orderer_node),
                            orderer_org.domain, CHANNEL)
    for org_name in ORGS:
        org = net.spec.org(org_name)
        expected = [peer_address(net.addressing, org.node(cn))
                    for cn in net.channel(CHANNEL).anchors_of(org_name)]
        assert expected and anchor_peers(config, org.msp_id) == expected


@pytest.fixture(scope="module")
def servers(net: LocalNetwork, tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[dict[tuple[str, str], str]]:
    """A chaincode server per org and version (as the cluster runs one Deployment
    per org), each with its own package ID; maps (org, version) to its address."""
    versions = ("1.0", "1.1")
    labels = {f"{org}/{version}": f"asset_{version}" for version in versions for org in ORGS}
    with chaincode_servers(labels, tmp_path_factory.mktemp("chaincode"),
                          lambda key: net.tls_ca(key.split("/")[0])) as addresses:
        yield {(org, version): addresses[f"{org}/{version}"]
               for version in versions for org in ORGS}


def test_chaincode_deploys_serves_and_upgrades(
    net: LocalNetwork, joined: None, servers: dict[tuple[str, str], str]
):
    org1 = net.executor("Org1")
    peer1 = peer_address(net.addressing, net.spec.org("Org1").nodes[0])
    peer2 = peer_address(net.addressing, net.spec.org("Org2").nodes[0])
    (consenter,) = net.channel(CHANNEL).consenters
    orderer_org, orderer_node = net.spec.node(consenter)
    orderer = Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain)
    endorsers = [(peer1, "org1.example.com"), (peer2, "org2.example.com")]

    first = deploy(net, servers, "1.0", None)
    assert first["sequence"] == 1
    created = invoke(org1, orderer, CHANNEL, "asset", "CreateAsset", ["asset1", "blue"], endorsers)
    assert created.returncode == 0, created.output
    assert query(net.executor("Org2"), peer2, CHANNEL, "asset", "ReadAsset", ["asset1"]) == "blue"
    duplicate = invoke(org1, orderer, CHANNEL, "asset", "CreateAsset", ["asset1", "x"], endorsers)
    assert duplicate.returncode != 0 and "already exists" in duplicate.output

    upgraded = deploy(net, servers, "1.1", first)
    assert upgraded["sequence"] == 2
    definition = committed(org1, peer1, CHANNEL, "asset")
    assert definition is not None
    assert (definition["sequence"], definition["version"]) == (2, "1.1")
    # The ledger survives the upgrade and the new servers serve it.
    assert query(org1, peer1, CHANNEL, "asset", "ReadAsset", ["asset1"]) == "blue"
    updated = invoke(org1, orderer, CHANNEL, "asset", "UpdateAsset", ["asset1", "red"], endorsers)
    assert updated.returncode == 0, updated.output
    assert query(net.executor("Org2"), peer2, CHANNEL, "asset", "ReadAsset", ["asset1"]) == "red"


def test_a_package_without_address_is_refused_at_install(net: LocalNetwork, joined: None):
    org1 = net.executor("Org1")
    package = ccaas_package("noaddress_1.0", "")
    result = org1.run(["peer", "lifecycle", "chaincode", "install", "p.tar.gz"],
                      inputs={"p.tar.gz": package.data},
                      env={"CORE_PEER_ADDRESS": peer_address(
                          net.addressing, net.spec.org("Org1").nodes[0])})
    assert result.returncode != 0
    assert "external builder 'ccaas_builder' failed" in result.output


def test_a_second_populate_runs_no_mutating_command(
    net: LocalNetwork, block: str, servers: dict[tuple[str, str], str]
):
    """After the upgrade above, everything again as a fresh ``pulumi up`` would
    (create of every operation): only queries run."""
    with recording_commands() as ran:
        OrdererJoinProvider().create(orderer_props(net, block))
        for org in ORGS:
            for node in net.spec.org(org).nodes:
                PeerJoinProvider().create({
                    "version": "1", "channel": CHANNEL, "node": node.common_name,
                    "peer_address": peer_address(net.addressing, node), "block": block,
                    "executor": executor_config(net, org)})
        state = deploy(net, servers, "1.1", None)
    assert state["sequence"] == 2
    assert ran.mutating() == [], f"mutating commands on a converged network: {ran.mutating()}"
    assert len(ran) > 10
