"""``fabric:externalAccess: loadbalancer`` under mocks: a LoadBalancer Service
per peer and orderer on its gRPC port, selecting the node's pods, with the Azure
DNS label and external-dns host name of ``<node>-<namespace>.<domain>``; every
node's issued TLS certificate carries that name; the NetworkPolicies let the
gRPC ports in from outside; ``gatewayClients`` gives each peer's external
endpoint. Without it, none of these. Bad settings stop with the key's name."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509

from crypto import generate_org, write_org_tree
from fabric_components.network import check_compatible, crypto_source
from fabric_nodes.naming import node_tls_names, service_dns_names
from network_spec import SpecError
from network_spec.load import load_network
from tests.components.mocks import RecordingMocks
from tests.components.program import ROOT, run_sample, sample_config

SERVICE = "kubernetes:core/v1:Service"
POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
DOMAIN = "westeurope.cloudapp.azure.com"
NODES = {"orderer0-orderer": 7050, "peer0-org1": 7051, "peer0-org2": 7051}
COMMON_NAMES = {"orderer0.example.com": "orderer0-orderer",
                "peer0.org1.example.com": "peer0-org1", "peer0.org2.example.com": "peer0-org2"}


@pytest.fixture(scope="module")
def exposed() -> tuple[RecordingMocks, dict[str, Any]]:
    return run_sample("simple", externalAccess="loadbalancer", externalDomain=DOMAIN)


def load_balancers(mocks: RecordingMocks) -> dict[str, dict[str, Any]]:
    return {r.manifest["metadata"]["name"]: r.manifest for r in mocks.of_type(SERVICE)
            if r.manifest["spec"]["type"] == "LoadBalancer"}


def from_anywhere(mocks: RecordingMocks, policy: str) -> list[int]:
    (spec,) = [r.manifest["spec"] for r in mocks.of_type(POLICY)
               if r.manifest["metadata"]["name"] == policy]
    return [port["port"] for rule in spec["ingress"]
            if {"ipBlock": {"cidr": "0.0.0.0/0"}} in rule["from"] for port in rule["ports"]]


def test_one_load_balancer_per_node_on_its_grpc_port(exposed):
    mocks, _ = exposed
    balancers = load_balancers(mocks)
    assert sorted(balancers) == sorted(f"{node}-external" for node in NODES)
    internal = {r.manifest["metadata"]["name"]: r.manifest for r in mocks.of_type(SERVICE)
                if r.manifest["spec"]["type"] == "ClusterIP"}
    for node, port in NODES.items():
        service = balancers[f"{node}-external"]
        assert service["spec"]["selector"] == internal[node]["spec"]["selector"]
        assert [(p["name"], p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
            ("grpc", port, port)]
        assert service["metadata"]["annotations"] == {
            "service.beta.kubernetes.io/azure-dns-label-name": f"{node}-fabric",
            "external-dns.alpha.kubernetes.io/hostname": f"{node}-fabric.{DOMAIN}"}
        assert service["metadata"]["labels"]["fabric.hyperledger.org/exposure"] == "external"


def test_node_tls_certificates_carry_the_external_names(exposed):
    mocks, _ = exposed
    found = {}
    for identity in mocks.by_provider("IdentityProvider"):
        if not identity.outputs.get("server"):
            continue
        cert = x509.load_pem_x509_certificate(identity.outputs["tls_cert"].encode())
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found[identity.outputs["common_name"]] = set(sans.get_values_for_type(x509.DNSName))
    assert sorted(found) == sorted(COMMON_NAMES)
    for common_name, names in found.items():
        assert {f"{COMMON_NAMES[common_name]}-fabric.{DOMAIN}", common_name} <= names


def test_grpc_ports_open_to_the_outside_and_clients_get_external_endpoints(exposed):
    mocks, outputs = exposed
    assert from_anywhere(mocks, "peers") == [7051]
    assert from_anywhere(mocks, "orderers") == [7050]
    peer = outputs["gatewayClients"]["Org1"]["peers"]["peer0.org1.example.com"]
    assert peer["externalEndpoint"] == f"peer0-org1-fabric.{DOMAIN}:7051"
    assert peer["hostNameOverride"] == "peer0.org1.example.com"


def test_without_external_access_nothing_is_exposed():
    mocks, outputs = run_sample("simple")
    assert load_balancers(mocks) == {}
    assert from_anywhere(mocks, "peers") == from_anywhere(mocks, "orderers") == []
    peer = outputs["gatewayClients"]["Org1"]["peers"]["peer0.org1.example.com"]
    assert "externalEndpoint" not in peer


@pytest.mark.parametrize(("settings", "key", "message"), [
    ({"externalAccess": "loadbalancer"}, "fabric:externalDomain",
     "needed with fabric:externalAccess: loadbalancer"),
    ({"externalAccess": "loadbalancer", "externalDomain": "Not_A.Domain"},
     "fabric:externalDomain", "is not valid: a lowercase DNS name"),
    ({"externalAccess": "nodeport"}, "fabric:externalAccess", "is not one of none, loadbalancer"),
    ({"externalAccess": "loadbalancer", "externalDomain": ".".join(["d" * 62] * 3) + ".io"},
     "fabric:externalDomain", "has 191 characters; at most 189, so that a node's label"),
])
def test_bad_settings_name_the_key(settings, key, message):
    with pytest.raises(SpecError, match=key) as error:
        sample_config("simple", **settings)
    assert message in str(error.value)


def test_a_name_too_long_for_a_dns_label_is_refused():
    config = sample_config("simple", externalAccess="loadbalancer", externalDomain=DOMAIN,
                           namespace="n" * 50)
    spec = load_network(config.crypto_config, config.network)
    with pytest.raises(SpecError, match="fabric:externalAccess") as error:
        check_compatible(spec, config, config.network, "Pulumi.test.yaml")
    assert "orderer0.example.com: its external name 'orderer0-orderer-nnn" in str(error.value)


@pytest.mark.parametrize(("org", "chaincode", "owner"), [
    ("Org1-external", "", "node peer0.org1-external.example.com"),
    ("External", "peer0-org1", "the server of chaincode 'peer0-org1' for org 'External'"),
])
def test_an_external_service_must_not_take_another_services_name(tmp_path, org, chaincode,
                                                                  owner):
    """``<node>-external`` is also the name of the Service of node ``peer0`` of org
    ``Org1-external``, or of chaincode ``peer0-org1``'s server for org ``External``."""
    crypto_config, network = tmp_path / "crypto-config.yaml", tmp_path / "network.yaml"
    crypto_config.write_text(
        "OrdererOrgs: [{Name: Orderer, Domain: example.com, Specs: [{Hostname: orderer0}]}]\n"
        "PeerOrgs:\n"
        + "".join(f"  - {{Name: {name}, Domain: {name.lower()}.example.com, "
                  "Template: {Count: 1}}\n" for name in ("Org1", org)))
    network.write_text(
        f"channels: [{{name: ch, orgs: [Org1, {org}]}}]\n"
        + (f"chaincodes: [{{name: {chaincode}, version: '1', image: cc, orgs: [Org1, {org}], "
           "channels: [ch]}]\n" if chaincode else ""))
    spec = load_network(crypto_config, network)
    config = sample_config("simple", externalAccess="loadbalancer", externalDomain=DOMAIN)
    with pytest.raises(SpecError) as error:
        check_compatible(spec, config, str(network), "Pulumi.test.yaml")
    assert str(error.value) == (
        "Pulumi.test.yaml: fabric:externalAccess: node peer0.org1.example.com gives the "
        f"Service name 'peer0-org1-external', already the name of {owner}")
    inside = sample_config("simple")
    check_compatible(spec, inside, str(network), "Pulumi.test.yaml")


def test_a_crypto_dir_must_carry_the_external_names(tmp_path):
    spec = load_network(ROOT / "samples/simple/crypto-config.yaml",
                        ROOT / "samples/simple/network.yaml")
    without = {org.name: generate_org(org, lambda n: service_dns_names(n, "fabric"))
               for org in spec.orgs}
    for crypto in without.values():
        write_org_tree(crypto, tmp_path)
    config = sample_config("simple", cryptoDir=str(tmp_path), externalAccess="loadbalancer",
                           externalDomain=DOMAIN)
    with pytest.raises(SpecError) as error:
        crypto_source(spec, config)
    assert (f"TLS certificate: lacks the names orderer0-orderer-fabric.{DOMAIN} of namespace "
            "'fabric' (fabric:namespace, fabric:externalDomain), by which the other nodes and "
            "clients reach it") in str(error.value)
    with_names = generate_org(spec.org("Orderer"),
                              lambda n: node_tls_names(n, "fabric", DOMAIN))
    write_org_tree(with_names, tmp_path)
    with pytest.raises(SpecError, match="peer0-org1-fabric"):
        crypto_source(spec, config)
