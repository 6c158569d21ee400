"""The program's own NetworkPolicies (samples/simple, rendered under mocks),
enforced for real on the local cluster: stand-in busybox pods carry the labels
of the network's workloads (peers, orderer, admin toolboxes, chaincode servers)
plus one pod in the monitoring namespace and one in an unrelated namespace,
each listening on every port the roles use; every pod tries every port of every
other pod, and what connects must be exactly what policy.reachability predicts
for the same policies. A pod of the network also resolves a Service name
through the cluster DNS with the policies on, and a new pod's very first
connection is judged by its labels."""

from __future__ import annotations

import functools
import itertools
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from kubernetes import client, config
from kubernetes.stream import stream

from policy.reachability import Endpoint, Policy, allowed
from tests.components.program import run_sample
from tests.realcluster.host_snapshot import HostSnapshot
from tests.realcluster.waiting import wait_for
from tools.localcluster import LocalCluster
from tools.localcluster.images import HELPER_IMAGE

pytestmark = pytest.mark.realkube

NS, MONITORING, STRANGERS = "fabric", "monitoring", "strangers"
PORTS = (7050, 7051, 7052, 7053, 9443, 9999)
"""The roles' TCP ports: orderer, peer, peer's chaincode, orderer admin,
operations, chaincode server."""
WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job")
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
CONNECT_SECONDS = 3


@dataclass(frozen=True, eq=False)  # one per pod: hashed by identity
class StandIn:
    name: str
    namespace: str
    labels: dict[str, str]


def rendered() -> tuple[list[dict[str, Any]], list[StandIn]]:
    """The NetworkPolicy manifests of samples/simple in NS, and a stand-in per
    workload (its pod template's labels) plus the two outsiders."""
    mocks, _ = run_sample("simple", namespace=NS)
    policies = [r.manifest for r in mocks.of_type(NETPOL)]
    pods = [StandIn(r.name, NS, dict(r.manifest["spec"]["template"]["metadata"]["labels"]))
            for r in mocks.resources if r.typ in WORKLOADS]
    return policies, [*pods, StandIn("prometheus", MONITORING, {"app": "prometheus"}),
                      StandIn("shop", STRANGERS, {"app": "shop"})]


def listener(pod: StandIn) -> dict[str, Any]:
    """A busybox pod answering `ok` on every port of PORTS."""
    serve = " ".join(f"nc -ll -p {p} -e echo ok &" for p in PORTS)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": pod.name, "namespace": pod.namespace, "labels": pod.labels},
        "spec": {
            "terminationGracePeriodSeconds": 1,
            "containers": [{
                "name": "main",
                "image": HELPER_IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "command": ["/bin/sh", "-c", f"{serve} wait"],
                "readinessProbe": {"tcpSocket": {"port": PORTS[-1]}, "periodSeconds": 1},
            }],
        },
    }


def running_ip(cluster: LocalCluster, pod: StandIn) -> str | None:
    p = cluster.api.request("GET", f"/api/v1/namespaces/{pod.namespace}/pods/{pod.name}")
    ready = any(c["type"] == "Ready" and c["status"] == "True"
                for c in p.get("status", {}).get("conditions", []))
    ip: str | None = p["status"].get("podIP")
    return ip if ready else None


def run_in(cluster: LocalCluster, pod: StandIn, script: str) -> str:
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(cluster.kubeconfig)))
    out: str = stream(
        api.connect_get_namespaced_pod_exec, pod.name, pod.namespace,
        command=["/bin/sh", "-c", script], stderr=True, stdin=False, stdout=True, tty=False,
    )
    return out


def connects(cluster: LocalCluster, source: StandIn, targets: list[tuple[str, int]]) -> set[
        tuple[str, int]]:
    """The (address, port) pairs the source reaches, all tried at once."""
    tries = " ".join(
        f"(nc -w {CONNECT_SECONDS} {ip} {port} </dev/null 2>/dev/null | grep -q ok "
        f"&& echo open {ip} {port}) &"
        for ip, port in targets
    )
    out = run_in(cluster, source, f"{tries} wait")
    return {(w[1], int(w[2])) for w in (line.split() for line in out.splitlines())
            if len(w) == 3 and w[0] == "open"}


@pytest.fixture(scope="module")
def cluster(host_before: HostSnapshot) -> Iterator[LocalCluster]:
    with LocalCluster(network_policies=True) as c:
        yield c


def logged_words(cluster: LocalCluster, pod: StandIn, count: int) -> list[str] | None:
    """The words of the pod's log once it has `count` of them."""
    try:
        words = cluster.api.text(f"/api/v1/namespaces/{pod.namespace}/pods/{pod.name}/log").split()
    except urllib.error.HTTPError:  # the container has not started yet
        return None
    return words if len(words) >= count else None


Network = dict[StandIn, str]
"""The stand-ins running, by pod IP."""


@pytest.fixture(scope="module")
def network(cluster: LocalCluster) -> tuple[list[dict[str, Any]], Network]:
    """The stand-ins running, then the policies applied (before them, the pod of
    the unrelated namespace reaches a peer)."""
    policies, pods = rendered()
    for ns in (NS, MONITORING, STRANGERS):
        cluster.api.request("POST", "/api/v1/namespaces", {
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    for pod in pods:
        cluster.api.request("POST", f"/api/v1/namespaces/{pod.namespace}/pods", listener(pod))
    ips = {pod: wait_for(f"pod {pod.namespace}/{pod.name} Ready",
                         functools.partial(running_ip, cluster, pod), timeout=120)
           for pod in pods}
    peer, shop = pods[[p.name for p in pods].index("org1-peer0")], pods[-1]
    assert connects(cluster, shop, [(ips[peer], 7051)]) == {(ips[peer], 7051)}
    for manifest in policies:
        cluster.api.request(
            "POST", f"/apis/networking.k8s.io/v1/namespaces/{NS}/networkpolicies",
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", **manifest})
    time.sleep(1)  # the enforcer's watch receives them
    return policies, ips


def test_connections_follow_the_programs_policies(cluster: LocalCluster, network):
    policies, ips = network
    by_name = {pod.name: pod for pod in ips}
    peer, shop = by_name["org1-peer0"], by_name["shop"]
    evaluated = [Policy.from_manifest(m) for m in policies]
    endpoint = {pod: Endpoint(pod.name, ip, pod.namespace, pod.labels) for pod, ip in ips.items()}
    observed: set[tuple[StandIn, StandIn, int]] = set()
    for source in ips:
        targets = [(ips[t], p) for t in ips if t != source for p in PORTS]
        reached = connects(cluster, source, targets)
        observed |= {(source, t, p) for t in ips if t != source for p in PORTS
                     if (ips[t], p) in reached}
    matrix = [(s, t, p) for s, t in itertools.permutations(ips, 2) for p in PORTS]
    predicted = {(s, t, p) for s, t, p in matrix
                 if allowed(evaluated, endpoint[s], endpoint[t], p)}
    wrong = sorted(
        f"{s.namespace}/{s.name} -> {t.namespace}/{t.name}:{p} "
        f"{'connected' if (s, t, p) in observed else 'blocked'}, predicted "
        f"{'allowed' if (s, t, p) in predicted else 'denied'}"
        for s, t, p in matrix if ((s, t, p) in observed) != ((s, t, p) in predicted)
    )
    print(f"{len(ips)} pods x {len(ips) - 1} peers x {len(PORTS)} ports = {len(matrix)} "
          f"connections: {len(observed)} connected, {len(matrix) - len(observed)} blocked")
    assert wrong == []
    assert (shop, peer, 7051) not in observed
    assert (peer, by_name["basic-org1"], 9999) in observed
    assert (peer, by_name["basic-org2"], 9999) not in observed


def test_a_pod_of_the_network_resolves_a_service_through_the_cluster_dns(
        cluster: LocalCluster, network):
    _, ips = network
    peer = next(pod for pod in ips if pod.name == "org1-peer0")
    out = run_in(cluster, peer, "nslookup kubernetes.default.svc.cluster.local")
    assert "10.96.0.1" in out, out


def test_a_new_pods_first_connection_is_judged_by_its_labels(cluster: LocalCluster, network):
    """The enforcer knows a pod's address from the runtime as its sandbox starts,
    before the API has it: a new Org1 peer's very first connection (one SYN, no
    retransmission) reaches Org1's chaincode server, and Org2's stays closed."""
    _, ips = network
    by_name = {pod.name: pod for pod in ips}
    late = StandIn("late-peer", NS, by_name["org1-peer0"].labels)
    tries = "; ".join(
        f"nc -w 1 {ips[by_name[server]]} 9999 </dev/null 2>/dev/null | grep -q ok "
        f"&& echo {server} open || echo {server} closed"
        for server in ("basic-org1", "basic-org2"))
    manifest = listener(late)
    manifest["spec"]["containers"][0]["command"] = ["/bin/sh", "-c", f"{tries}; exec sleep 600"]
    del manifest["spec"]["containers"][0]["readinessProbe"]
    cluster.api.request("POST", f"/api/v1/namespaces/{NS}/pods", manifest)
    words = wait_for("late-peer's two tries in its log",
                     functools.partial(logged_words, cluster, late, 4), timeout=60)
    assert words == ["basic-org1", "open", "basic-org2", "closed"]
