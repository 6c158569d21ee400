"""The whole populate of the scaled sample on a real local network (3 Raft
orderers, 2 orgs x 2 peers, channels ``common`` and ``private-org1``, chaincodes
``basic`` on both and ``asset`` on ``common``), scheduled as the engine schedules
it: every chaincode committed on every channel it lists, and served, also to
clients writing at the same time."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, committed, invoke, query
from fabric_ops.channel_ops import peer_channels
from fabric_ops.executor import CommandResult
from localnet import FabricRelease, LocalNetwork
from localnet.release import REPO_ROOT
from tests.localnet.populate import populated

pytestmark = pytest.mark.fabric


@pytest.fixture(scope="module")
def net(
    fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalNetwork]:
    workdir = tmp_path_factory.mktemp("scaled-populate")
    with populated(REPO_ROOT / "samples" / "scaled", workdir, fabric_release) as (network, _):
        yield network


def test_every_member_peer_joined_every_channel(net: LocalNetwork):
    for channel in net.spec.channels:
        for org_name in channel.orgs:
            for node in net.spec.org(org_name).nodes:
                address = peer_address(net.addressing, node)
                assert channel.name in peer_channels(net.executor(org_name), address)


def test_every_chaincode_is_committed_where_listed_and_serves(net: LocalNetwork):
    for cc in net.spec.chaincodes:
        for target in cc.channels:
            channel = next(c for c in net.spec.channels if c.name == target.channel)
            orgs = [net.spec.org(o) for o in target.orgs]
            peers = [(peer_address(net.addressing, o.nodes[0]), o.domain) for o in orgs]
            definition = committed(net.executor(orgs[0].name), peers[0][0], channel.name,
                                   cc.name)
            assert definition is not None, (cc.name, channel.name)
            assert (definition["version"], definition["sequence"]) == (cc.version, 1)
            orderer_org, orderer_node = net.spec.node(channel.consenters[0])
            orderer = Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain)
            key = f"{cc.name}-{channel.name}"
            written = invoke(net.executor(orgs[0].name), orderer, channel.name, cc.name,
                             "CreateAsset", [key, "v"], peers)
            assert written.returncode == 0, written.output
            reader = orgs[-1]
            assert query(net.executor(reader.name), peer_address(net.addressing,
                                                                 reader.nodes[-1]),
                         channel.name, cc.name, "ReadAsset", [key]) == "v"


def test_concurrent_writes_are_all_served(net: LocalNetwork):
    """Sixteen clients at once through one chaincode server per org (the
    sample serialises its stream writes; without that, most time out)."""
    orderer_org, orderer_node = net.spec.node(net.channel("common").consenters[0])
    orderer = Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain)
    peers = [(peer_address(net.addressing, o.nodes[0]), o.domain) for o in net.spec.peer_orgs]

    def write(n: int) -> CommandResult:
        return invoke(net.executor("Org1"), orderer, "common", "asset", "CreateAsset",
                      [f"concurrent-{n}", str(n)], peers)

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(write, range(16)))
    assert [r.output.strip().splitlines()[-1] for r in results if r.returncode] == []
    reader = peer_address(net.addressing, net.spec.org("Org2").nodes[1])
    assert [query(net.executor("Org2"), reader, "common", "asset", "ReadAsset",
                  [f"concurrent-{n}"]) for n in range(16)] == [str(n) for n in range(16)]
