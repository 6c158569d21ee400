"""Crash recovery of a populate: a peer dies in the middle of the first
populate; the operations that need it fail with an error naming it while the
rest succeed; once the peer is back, populating again converges, and the
chaincode serves transactions endorsed by the restarted peer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fabric_components.providers.channel import ChannelBlockProvider
from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, committed, invoke, query
from fabric_ops.channel_ops import peer_channels
from fabric_ops.executor import CommandFailed
from localnet import LocalNetwork
from localnet.chaincode_servers import chaincode_servers
from tests.localnet.populate import CHANNEL, ORGS, deploy, executor_config, join_all, outs

pytestmark = pytest.mark.fabric
VICTIM = "peer0.org2.example.com"


@pytest.fixture(scope="module")
def servers(net: LocalNetwork, tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[dict[tuple[str, str], str]]:
    labels = {f"{org}/1.0": "asset_1.0" for org in ORGS}
    with chaincode_servers(labels, tmp_path_factory.mktemp("servers"),
                          lambda key: net.tls_ca(key.split("/")[0])) as addresses:
        yield {(org, "1.0"): addresses[f"{org}/1.0"] for org in ORGS}


def test_populate_converges_after_a_peer_crash(
    net: LocalNetwork, servers: dict[tuple[str, str], str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("fabric_ops.retry.time.sleep", lambda seconds: None)
    block = outs(ChannelBlockProvider().create({
        "channel": CHANNEL,
        "files": {p: d.decode() for p, d in net.channel_files(CHANNEL).items()},
        "executor": executor_config(net, "Orderer"),
    }))["block"]
    net.kill(VICTIM)
    with pytest.raises(CommandFailed) as failure:
        join_all(net, block)
    victim_address = net.nodes[VICTIM].endpoint
    assert victim_address in str(failure.value)
    org1_peer = peer_address(net.addressing, net.spec.org("Org1").nodes[0])
    assert CHANNEL in peer_channels(net.executor("Org1"), org1_peer)

    net.restart(VICTIM)
    join_all(net, block)
    state = deploy(net, servers, "1.0", None)
    assert state["sequence"] == 1

    org2 = net.spec.org("Org2")
    peer2 = peer_address(net.addressing, org2.nodes[0])
    definition = committed(net.executor("Org2"), peer2, CHANNEL, "asset")
    assert definition is not None and definition["version"] == "1.0"
    orderer_org, orderer_node = net.spec.node(net.channel(CHANNEL).consenters[0])
    orderer = Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain)
    written = invoke(net.executor("Org1"), orderer, CHANNEL, "asset", "CreateAsset",
                     ["after-crash", "ok"], [(org1_peer, "org1.example.com"),
                                             (peer2, org2.domain)])
    assert written.returncode == 0, written.output
    assert query(net.executor("Org2"), peer2, CHANNEL, "asset", "ReadAsset",
                 ["after-crash"]) == "ok"
