"""The ``gatewayClients`` output under mocks: per peer org, each peer's endpoint
as a client reaches it, the org's TLS root, the MSP ID and the host name to
verify; the Service DNS names in a cluster, the real local addresses for a
local network (its connection profiles and the ``orgs`` output too)."""

from __future__ import annotations

from typing import Any

import pytest

from fabric_nodes.local_network import LocalNetworkManifest, StaticAddressing
from fabric_nodes.node_settings import OrdererPorts, PeerPorts
from fabric_ops.executor import AdminPaths
from fabric_ops.executor_config import local_executor_config
from network_spec.load import load_network
from tests.components.program import run_program, run_sample, sample_config

PEER_PORTS = {
    "peer0.org1.example.com": PeerPorts(17051, 17052, 19443),
    "peer0.org2.example.com": PeerPorts(27051, 27052, 29443),
}


@pytest.fixture(scope="module")
def cluster_outputs() -> dict[str, Any]:
    return run_sample("simple")[1]


@pytest.fixture(scope="module")
def local_outputs() -> dict[str, Any]:
    config = sample_config("simple")
    spec = load_network(config.crypto_config, config.network)
    local = LocalNetworkManifest(
        StaticAddressing(PEER_PORTS, {"orderer0.example.com": OrdererPorts(7050, 7053, 9443)}),
        executors={org.name: local_executor_config("/bin", {}, AdminPaths("/admin", "/tls"))
                   for org in spec.orgs},
        crypto_dir="/unused",
    )
    return run_program(spec, config, local)[1]


def test_cluster_clients_use_the_service_names(cluster_outputs):
    clients = cluster_outputs["gatewayClients"]
    assert sorted(clients) == ["Org1", "Org2"]
    org1 = clients["Org1"]
    assert org1["mspId"] == "Org1MSP"
    assert org1["tlsRootCert"] == cluster_outputs["orgs"]["Org1"]["tlsCaCert"]
    assert "BEGIN CERTIFICATE" in org1["tlsRootCert"]
    assert org1["peers"] == {
        "peer0.org1.example.com": {
            "endpoint": "peer0-org1.fabric.svc.cluster.local:7051",
            "hostNameOverride": "peer0.org1.example.com",
        }
    }
    assert clients["Org2"]["tlsRootCert"] != org1["tlsRootCert"]


def test_local_clients_and_profiles_use_the_real_addresses(local_outputs):
    clients = local_outputs["gatewayClients"]
    for org, cn in [("Org1", "peer0.org1.example.com"), ("Org2", "peer0.org2.example.com")]:
        address = f"127.0.0.1:{PEER_PORTS[cn].peer}"
        assert clients[org]["peers"][cn] == {"endpoint": address, "hostNameOverride": cn}
        profile = local_outputs["connectionProfiles"][org]
        assert profile["peers"][cn]["url"] == f"grpcs://{address}"
    orderer = local_outputs["connectionProfiles"]["Org1"]["orderers"]["orderer0.example.com"]
    assert orderer["url"] == "grpcs://127.0.0.1:7050"


def test_local_orgs_output_names_the_real_addresses(local_outputs, cluster_outputs):
    orgs = local_outputs["orgs"]
    assert orgs["Org1"]["endpoints"] == [f"127.0.0.1:{PEER_PORTS['peer0.org1.example.com'].peer}"]
    assert orgs["Org2"]["endpoints"] == [f"127.0.0.1:{PEER_PORTS['peer0.org2.example.com'].peer}"]
    assert orgs["Orderer"]["endpoints"] == ["127.0.0.1:7050"]
    assert orgs["Orderer"]["adminEndpoints"] == ["127.0.0.1:7053"]
    assert cluster_outputs["orgs"]["Org1"]["endpoints"] == [
        "peer0-org1.fabric.svc.cluster.local:7051"]
    assert cluster_outputs["orgs"]["Orderer"]["adminEndpoints"] == [
        "orderer0-orderer.fabric.svc.cluster.local:7053"]
