"""A BFT (SmartBFT) channel on real Fabric 3.1.1 nodes: four consenters of one
orderer org (f = 1) and a peer org, populated as ``pulumi up`` does it. The
block configtxgen made is a real BFT channel. A client keeps writing while one
consenter that is not the leader is killed: writes go on through the other
three; the node comes back on its data and catches up to the others' block
height. Then a fifth consenter is added and one removed as successive
``pulumi up`` runs would, the client still writing. The client is the Gateway
client example: the peer's Gateway submits to the BFT orderers. Every
acknowledged write reads back."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer
from fabric_ops.channel_ops import orderer_channel
from fabric_ops.channel_summary import config_summary, spec_summary
from fabric_ops.config_update import live_config
from localnet import FabricRelease, LocalNetwork
from localnet.chaincode_servers import chaincode_servers
from localnet.client_outputs import client_outputs
from localnet.release import ReleaseError
from network_spec.bft import bft_quorum
from tests.localnet.gateway_traffic import GatewayTraffic
from tests.localnet.test_change_network import Changing
from tests.localnet.traffic import WriteLoop

pytestmark = pytest.mark.fabric

T = TypeVar("T")
RELEASE = "3.1.1"
NETWORK = Path(__file__).resolve().parent / "bft_network"
CHANNEL, CHAINCODE = "bftchannel", "basic"
WRITES_PER_PHASE = 5


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while (result := probe()) is None:
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.2)
    return result


@pytest.fixture(scope="module")
def changing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Changing]:
    """The network populated by a first ``pulumi up``, the engine state kept
    for the changes of the last test."""
    try:
        release = FabricRelease.build(RELEASE)
    except ReleaseError as error:
        pytest.fail(str(error), pytrace=False)
    workdir = tmp_path_factory.mktemp("bft")
    with LocalNetwork.start(NETWORK, workdir / "net", release) as net:
        labels = {f"{cc.name}/{o}": cc.label for cc in net.spec.chaincodes for o in cc.orgs}
        (workdir / "servers").mkdir()
        with chaincode_servers(labels, workdir / "servers",
                               lambda key: net.tls_ca(key.split("/")[1])) as servers:
            state = Changing(net, servers, workdir / "specs", base=NETWORK)
            state.up()
            yield state


@pytest.fixture(scope="module")
def bft_net(changing: Changing) -> LocalNetwork:
    return changing.net


def orderers_of(net: LocalNetwork) -> list[Orderer]:
    return [Orderer(orderer_address(net.addressing, net.spec.node(cn)[1]),
                    net.spec.node(cn)[0].domain) for cn in net.channel(CHANNEL).consenters]


def test_configtxgen_makes_a_bft_channel(bft_net: LocalNetwork) -> None:
    """The live config of the channel configtxgen 3.1.1 made from the rendered
    configtx.yaml: BFT, the consenter mapping with each node's enrollment
    certificate, V3_0, and a BlockValidation policy over the consenters."""
    net = bft_net
    config = live_config(net.executor("Org1"), orderers_of(net), CHANNEL)
    root = config["channel_group"]
    orderer = root["groups"]["Orderer"]
    assert orderer["values"]["ConsensusType"]["value"]["type"] == "BFT"
    assert list(root["values"]["Capabilities"]["value"]["capabilities"]) == ["V3_0"]
    mapping = orderer["values"]["Orderers"]["value"]["consenter_mapping"]
    consenters = net.channel(CHANNEL).consenters
    assert [c["id"] for c in mapping] == [1, 2, 3, 4]
    for consenter, common_name in zip(mapping, consenters, strict=True):
        identity = net.crypto["Orderer"].nodes[common_name]
        assert consenter["msp_id"] == "OrdererMSP"
        assert base64.b64decode(consenter["identity"]).decode() == identity.sign.cert_pem
        assert base64.b64decode(consenter["server_tls_cert"]).decode() == identity.tls.cert_pem
        assert f"{consenter['host']}:{consenter['port']}" == orderer_address(
            net.addressing, net.spec.node(common_name)[1])
    policy = orderer["policies"]["BlockValidation"]["policy"]
    assert policy["type"] == 1  # a signature policy, not ImplicitMeta
    rule = policy["value"]["rule"]["n_out_of"]
    assert rule["n"] == bft_quorum(4) == 3
    assert len(rule["rules"]) == 4
    assert [i["principal"]["id_bytes"] for i in policy["value"]["identities"]] == [
        c["identity"] for c in mapping]
    # network.yaml's SmartBFT options, as configtxgen put them in the metadata.
    options = orderer["values"]["ConsensusType"]["value"]["metadata"]
    assert (options["collect_timeout"], int(options["request_max_bytes"]),
            int(options["incoming_message_buffer_size"])) == ("2s", 1024 * 1024, 500)
    assert config_summary(config)["smartBFT"] == spec_summary(
        net.spec, net.channel(CHANNEL), net.addressing)["smartBFT"]


def is_leader(net: LocalNetwork, name: str) -> bool:
    status, text = net.nodes[name].operations_get("/metrics")
    assert status == 200, text
    return f'consensus_BFT_is_leader{{channel="{CHANNEL}"}} 1' in text.splitlines()


def height(net: LocalNetwork, name: str) -> int:
    node = net.nodes[name]
    assert node.admin_endpoint is not None
    info = orderer_channel(net.executor(node.org.name), node.admin_endpoint, node.org.domain,
                           CHANNEL)
    assert info is not None, f"{name} has not joined {CHANNEL}"
    return int(info["height"])


def gateway_traffic(net: LocalNetwork, script: Path, prefix: str) -> GatewayTraffic:
    """Writes as Org1's user through its peer's Gateway."""
    outputs = net.workdir / "client-outputs.json"
    outputs.write_text(client_outputs(net), encoding="utf-8")
    return GatewayTraffic(script, outputs, net.crypto_dir, net.spec.org("Org1"), CHANNEL,
                          CHAINCODE, prefix=prefix)


def acknowledged_after(traffic: WriteLoop, count: int, what: str) -> None:
    """Waits until ``count`` more writes than now are acknowledged."""
    target = len(traffic.acknowledged) + count
    wait_for(what, lambda: True if len(traffic.acknowledged) >= target else None)


def test_bft_channel_orders_through_a_crashed_consenter(
    bft_net: LocalNetwork, client_script: Path,
) -> None:
    net = bft_net
    channel = net.channel(CHANNEL)
    assert channel.consensus == "BFT" and len(channel.consenters) == 4
    peer = peer_address(net.addressing, net.spec.org("Org1").nodes[0])
    traffic = gateway_traffic(net, client_script, "bft")
    leader = wait_for("a BFT leader", lambda: next(
        (cn for cn in channel.consenters if is_leader(net, cn)), None))
    victim = next(cn for cn in reversed(channel.consenters) if cn != leader)
    with traffic:
        acknowledged_after(traffic, WRITES_PER_PHASE, "writes on 4 consenters")
        net.kill(victim)
        acknowledged_after(traffic, WRITES_PER_PHASE, f"writes with {victim} down (f = 1)")
        missed = max(height(net, cn) for cn in channel.consenters if cn != victim)
        net.restart(victim)
        acknowledged_after(traffic, WRITES_PER_PHASE, f"writes after {victim} came back")

        def caught_up() -> int | None:
            """The victim's height once within a block of the others' while
            writes go on (a SmartBFT follower syncs the last block it missed
            when the next message arrives, so with no traffic it may stay one
            behind until then)."""
            others = max(height(net, cn) for cn in channel.consenters if cn != victim)
            own = height(net, victim)
            return own if own >= others - 1 else None

        final = wait_for(f"{victim} catching up with the other consenters", caught_up)
    print(f"Gateway writes through the crash of {victim}: {len(traffic.acknowledged)} "
          f"acknowledged, {len(traffic.failures)} failed, longest gap "
          f"{traffic.longest_gap():.1f} s")
    assert final > missed
    assert len(traffic.acknowledged) >= 3 * WRITES_PER_PHASE, traffic.failures
    assert traffic.unreadable(net.executor("Org1"), peer) == []


def add_orderer4(crypto: dict[str, Any], _network: dict[str, Any]) -> None:
    crypto["OrdererOrgs"][0]["Template"]["Count"] = 5


def drop_orderer0(_crypto: dict[str, Any], network: dict[str, Any]) -> None:
    network["channels"][0]["consenters"] = [f"orderer{n}" for n in range(1, 5)]


def shorter_smartbft_timeouts(_crypto: dict[str, Any], network: dict[str, Any]) -> None:
    network["channels"][0]["smartBFT"].update(requestBatchMaxInterval="100ms",
                                              requestForwardTimeout="3s")


def test_add_and_remove_a_bft_consenter_while_a_client_writes(
    changing: Changing, client_script: Path,
) -> None:
    """A fifth consenter, then one fewer with shorter SmartBFT timeouts, each
    consenter change a config update of its own waited for, with writes going
    on; live IDs are kept and the new node's is above them."""
    net = changing.net
    peer = peer_address(net.addressing, net.spec.org("Org1").nodes[0])
    traffic = gateway_traffic(net, client_script, "change")
    with traffic:
        added = changing.change("add-orderer4", add_orderer4)
        after_add = changing.summary(CHANNEL)
        acknowledged_after(traffic, WRITES_PER_PHASE, "writes on 5 consenters")
        removed = changing.change("drop-orderer0", add_orderer4, drop_orderer0,
                                  shorter_smartbft_timeouts)
        acknowledged_after(traffic, WRITES_PER_PHASE, "writes after orderer0 left")
    assert ("create", f"{CHANNEL}-orderer4-orderer-join") in added
    assert ("update", f"{CHANNEL}-config") in added
    assert ("update", f"{CHANNEL}-config") in removed
    assert ("delete", f"{CHANNEL}-orderer0-orderer-join") in removed
    address = {n: changing.orderer(f"orderer{n}.example.com").address for n in range(5)}
    assert after_add["consensus"] == "BFT"
    assert after_add["smartBFT"]["requestBatchMaxInterval"] == "200ms"
    options = changing.summary(CHANNEL)["smartBFT"]
    assert (options["requestBatchMaxInterval"], options["requestForwardTimeout"]) == (
        "100ms", "3s")
    assert after_add["consenters"] == sorted(address.values())
    config = live_config(net.executor("Org1"), orderers_of(net), CHANNEL)
    mapping = config["channel_group"]["groups"]["Orderer"]["values"]["Orderers"]["value"][
        "consenter_mapping"]
    assert sorted((f"{c['host']}:{c['port']}", c["id"]) for c in mapping) == sorted(
        (address[n], n + 1) for n in range(1, 5))
    print(f"Gateway writes during the BFT consenter changes: {len(traffic.acknowledged)} "
          f"acknowledged, {len(traffic.failures)} failed")
    assert traffic.unreadable(net.executor("Org1"), peer) == []
    changing.assert_converged()
