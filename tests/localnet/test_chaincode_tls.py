"""Chaincode as a service over mutual TLS with real peers: samples/simple is
populated, its servers serve certificates of their org's TLS CA and demand the
peers' client certificates; a transaction goes through. A server that takes over
Org1's server address with a certificate of another org's TLS CA (a pod owning
the chaincode Service's address) is refused by Org1's peer, and the real server
serves again once it is back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, invoke, query
from fabric_ops.executor import CommandFailed
from localnet import FabricRelease, LocalNetwork
from localnet.chaincode_servers import ChaincodeServers, start_server, wait_listening
from localnet.release import REPO_ROOT
from tests.localnet.populate import populated

pytestmark = pytest.mark.fabric
SERVER = "basic/Org1"


@pytest.fixture(scope="module")
def simple(fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[LocalNetwork, ChaincodeServers]]:
    workdir = tmp_path_factory.mktemp("ccaas-tls")
    with populated(REPO_ROOT / "samples" / "simple", workdir, fabric_release) as populated_net:
        yield populated_net


def test_a_server_with_a_certificate_of_another_ca_is_refused(
        simple: tuple[LocalNetwork, ChaincodeServers]) -> None:
    net, servers = simple
    (cc,) = net.spec.chaincodes
    channel = cc.channels[0].channel
    org1 = net.spec.org("Org1")
    peer1 = peer_address(net.addressing, org1.nodes[0])
    orderer_org, orderer_node = net.spec.node(net.channel(channel).consenters[0])
    orderer = Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain)
    executor = net.executor("Org1")
    written = invoke(executor, orderer, channel, cc.name, "CreateAsset", ["tls-1", "over mTLS"],
                     [(peer1, org1.domain)])
    assert written.returncode == 0, written.output
    assert query(executor, peer1, channel, cc.name, "ReadAsset", ["tls-1"]) == "over mTLS"

    real = servers.processes[SERVER]
    real.terminate()
    real.wait(timeout=30)
    stranger_ca = net.tls_ca("Org2")
    assert stranger_ca is not None
    impostor = start_server(cc.label, servers[SERVER], stranger_ca, servers.log_dir, "impostor")
    try:
        wait_listening(servers[SERVER], impostor)
        with pytest.raises(CommandFailed) as refused:
            query(executor, peer1, channel, cc.name, "ReadAsset", ["tls-1"])
    finally:
        impostor.terminate()
        impostor.wait(timeout=30)
    address = servers[SERVER]
    assert f"error creating grpc connection to {address}" in str(refused.value), refused.value
    refusals = [line for line in net.nodes[org1.nodes[0].common_name].log.read_text().splitlines()
                if f"certificate signed by unknown authority remoteaddress={address}" in line]
    assert refusals
    print(f"\nOrg1's peer refused the impostor {len(refusals)} times: {refusals[0][-160:]}")

    org1_ca = net.tls_ca("Org1")
    assert org1_ca is not None
    servers.processes[SERVER] = start_server(cc.label, servers[SERVER], org1_ca, servers.log_dir,
                                             "basic-Org1-again")
    wait_listening(servers[SERVER], servers.processes[SERVER])
    assert query(executor, peer1, channel, cc.name, "ReadAsset", ["tls-1"]) == "over mTLS"
