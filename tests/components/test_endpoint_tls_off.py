"""``fabric:endpointTls: false`` renders a network as it was before endpoint TLS
(a stack created then keeps its nodes and packages until its owners turn it
on): plain HTTP operations endpoints and probes, plaintext chaincode packages
and servers, no server certificates; the policy pack flags it."""

from __future__ import annotations

import pytest

from fabric_ops.ccaas_package import ccaas_package
from policy.rules import operations_tls
from tests.components.mocks import RecordingMocks
from tests.components.program import run_sample

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"


@pytest.fixture(scope="module")
def plain() -> RecordingMocks:
    return run_sample("simple", endpointTls="false", monitoring="podmonitor")[0]


def deployment(mocks: RecordingMocks, name: str) -> dict:
    return next(r.manifest for r in mocks.of_type(DEPLOYMENT)
                if r.manifest["metadata"]["name"] == name)


def container_env(d: dict, container: str) -> dict[str, object]:
    c = next(c for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == container)
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c["env"]}


def test_nodes_serve_operations_over_plain_http(plain):
    for name, container in (("peer0-org1", "peer"), ("orderer0-orderer", "orderer")):
        d = deployment(plain, name)
        env = container_env(d, container)
        assert not [k for k in env if "OPERATIONS_TLS" in k or k.startswith("CHAINCODE_AS")]
        (c,) = [c for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == container]
        assert "scheme" not in c["readinessProbe"]["httpGet"]  # HTTP, as before
        assert operations_tls(DEPLOYMENT, d) != []
    (monitor,) = [r.manifest for r in plain.of_type(POD_MONITOR)]
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    assert endpoint["scheme"] == "http" and "tlsConfig" not in endpoint


def test_chaincode_packages_and_servers_are_plaintext(plain):
    assert plain.by_provider("TlsCertificateProvider") == []
    server = deployment(plain, "basic-org1")
    env = container_env(server, "chaincode")
    assert sorted(env) == ["CHAINCODE_ID", "CHAINCODE_SERVER_ADDRESS"]
    assert [v["name"] for v in server["spec"]["template"]["spec"]["volumes"]] == ["tmp"]
    install = next(r.manifest for r in plain.by_provider("InstallProvider")
                   if r.manifest["node"] == "peer0.org1.example.com")
    assert install["tls"] is False
    assert install["package_id"] == ccaas_package(
        "basic_1.0", install["server_address"], tls=False).package_id


def test_peers_keep_their_chaincode_builds(plain):
    """Plaintext builds hold no TLS pair of the peer's, so no init container
    drops them at start (and a stack created then sees no pod change)."""
    pod = deployment(plain, "peer0-org1")["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["config"]
