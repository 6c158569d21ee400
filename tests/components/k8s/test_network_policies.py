"""The NetworkPolicies the program renders, evaluated (policy.reachability) for
every pair of workloads and every port Fabric, DNS, CouchDB and the blob store
use, and compared with the intended matrix written out below."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from policy.reachability import Endpoint, Policy, allowed, isolated, selects
from tests.components.program import run_sample

NS = "fabric"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PORTS = [(53, "UDP"), (53, "TCP"), (443, "TCP"), (5984, "TCP"), (7050, "TCP"), (7051, "TCP"),
         (7052, "TCP"), (7053, "TCP"), (9443, "TCP"), (9999, "TCP")]
WORKLOAD_TYPES = ("kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job")
BACKUP = {"cluster": "aks", "backupStorageSku": "Standard_GRS", "backupKey": "nightly",
          "backupPassphrase": "p"}


@dataclass(frozen=True)
class Role:
    kind: str
    org: str = ""


def role(e: Endpoint) -> Role:
    kind = {"fabric-peer": "peer", "fabric-orderer": "orderer",
            "fabric-admin-toolbox": "toolbox", "fabric-chaincode": "chaincode",
            "fabric-backup": "backup"}.get(e.labels.get("app.kubernetes.io/name", ""))
    if kind:
        return Role(kind, e.labels.get("fabric.hyperledger.org/org", ""))
    return Role(e.name)


def intended(src: Endpoint, dst: Endpoint, port: int, protocol: str) -> bool:
    """The matrix the network needs, written independently of the policies."""
    if src.namespace != NS and dst.namespace != NS:
        return True  # neither end is the network's: not governed by its policies
    s, d = role(src), role(dst)
    if d.kind == "kube-dns":
        return port == 53 and src.namespace == NS
    if protocol != "TCP":
        return False
    flows = {
        ("peer", "orderer", 7050), ("peer", "peer", 7051),
        ("toolbox", "peer", 7051), ("toolbox", "orderer", 7050),
        ("orderer", "orderer", 7050),
        ("monitoring", "peer", 9443), ("monitoring", "orderer", 9443),
        ("client", "peer", 7051), ("client", "orderer", 7050),
        ("backup", "blob-store", 443),
    }
    if (s.kind, d.kind, port) in flows:
        return True
    same_org = s.org == d.org
    return same_org and (s.kind, d.kind, port) in {("peer", "chaincode", 9999),
                                                   ("toolbox", "orderer", 7053)}


def endpoints(mocks) -> list[Endpoint]:
    """Every workload's pod, plus the pods and addresses around the network."""
    pods = []
    for i, r in enumerate(r for r in mocks.resources if r.typ in WORKLOAD_TYPES):
        template = r.manifest["spec"]["template"]
        named = {p["name"]: p["containerPort"] for c in template["spec"]["containers"]
                 for p in c.get("ports", [])}
        pods.append(Endpoint(r.name, f"10.244.0.{i + 2}", NS, template["metadata"]["labels"],
                             named_ports=named))
    return [
        *pods,
        Endpoint("kube-dns", "10.244.1.2", "kube-system", {"k8s-app": "kube-dns"}),
        Endpoint("monitoring", "10.244.1.3", "monitoring", {"app": "prometheus"}),
        Endpoint("client", "10.244.1.4", "apps", {"app": "shop"},
                 {"fabric.hyperledger.org/client-of": NS}),
        Endpoint("stranger", "10.244.1.5", "default", {"app": "shop"}),
        Endpoint("debug-pod", "10.244.0.250", NS, {"run": "debug"}),
        Endpoint("blob-store", "20.60.1.10"),
        Endpoint("private-api-server", "10.224.0.4"),
        Endpoint("node-metadata", "169.254.169.254"),
    ]


@pytest.fixture(scope="module")
def network():
    mocks, _ = run_sample("scaled", namespace=NS, **BACKUP)
    policies = [Policy.from_manifest(r.manifest) for r in mocks.of_type(NETPOL)]
    return policies, endpoints(mocks)


def test_the_rendered_policies_allow_exactly_the_intended_matrix(network):
    policies, pods = network
    kinds = {role(e).kind for e in pods}
    assert {"peer", "orderer", "toolbox", "chaincode", "backup"} <= kinds
    wrong = [
        f"{src.name} -> {dst.name} {port}/{protocol}: "
        f"{'allowed' if intended(src, dst, port, protocol) else 'denied'} intended"
        for src, dst in itertools.permutations(pods, 2)
        for port, protocol in PORTS
        if allowed(policies, src, dst, port, protocol) != intended(src, dst, port, protocol)
    ]
    assert wrong == []


def test_every_pod_of_the_namespace_is_isolated_both_ways(network):
    policies, pods = network
    for pod in pods:
        if pod.namespace == NS:
            assert isolated(policies, pod) == {"Ingress", "Egress"}, pod.name


def test_spot_checks_of_the_matrix(network):
    """A few flows by name, so a wrong intended matrix cannot hide a hole."""
    policies, pods = network
    by_name = {e.name: e for e in pods}

    def pod(prefix: str) -> Endpoint:
        return next(e for e in pods if e.name.startswith(prefix))

    peer1, peer2 = pod("org1-peer0"), pod("org2-peer0")
    toolbox1, orderer_toolbox = pod("org1-admin"), pod("orderer-admin")
    assert allowed(policies, peer1, peer2, 7051)
    assert allowed(policies, orderer_toolbox, pod("orderer-orderer1"), 7053)
    assert not allowed(policies, toolbox1, pod("orderer-orderer1"), 7053)
    assert not allowed(policies, peer2, pod("basic-org1"), 9999)
    assert not allowed(policies, by_name["stranger"], peer1, 7051)
    assert not allowed(policies, peer1, by_name["private-api-server"], 443)
    assert not allowed(policies, pod("backup"), by_name["node-metadata"], 80)
    assert allowed(policies, peer1, by_name["kube-dns"], 53, "UDP")


def test_evaluator_follows_the_api_semantics():
    """No policy: everything open; a policy without policyTypes isolates
    ingress only; selectors with expressions; named ports and ranges."""
    a = Endpoint("a", "10.0.0.1", "x", {"app": "a"}, named_ports={"web": 8080})
    b = Endpoint("b", "10.0.0.2", "x", {"app": "b", "tier": "db"})
    assert allowed([], a, b, 1)
    ingress_only = Policy("x", {"podSelector": {"matchLabels": {"app": "a"}},
                                "ingress": [{"from": [{"podSelector": {
                                    "matchExpressions": [{"key": "tier", "operator": "In",
                                                          "values": ["db"]}]}}],
                                    "ports": [{"port": "web"}]}]})
    assert isolated([ingress_only], a) == {"Ingress"}
    assert allowed([ingress_only], b, a, 8080)
    assert not allowed([ingress_only], b, a, 8081)
    assert allowed([ingress_only], a, b, 1)  # a's egress is not isolated
    ranged = Policy("x", {"podSelector": {}, "policyTypes": ["Egress"],
                          "egress": [{"ports": [{"port": 30000, "endPort": 30010}]}]})
    assert allowed([ranged], a, b, 30005) and not allowed([ranged], a, b, 30011)
    assert selects({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]},
                   {"app": "a"})


def test_policies_can_be_turned_off():
    mocks, _ = run_sample("simple", networkPolicies="false")
    assert mocks.of_type(NETPOL) == []
    mocks, _ = run_sample("simple")
    assert len(mocks.of_type(NETPOL)) >= 6
