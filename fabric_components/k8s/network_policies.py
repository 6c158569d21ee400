"""The network's NetworkPolicies: everything in the namespace denied by default,
then per role exactly the flows Fabric needs.

- every pod: DNS to kube-dns (UDP and TCP 53);
- peers: 7051 from every peer (gossip, across orgs), every admin toolbox
  (endorsement and queries of any org's admin) and client namespaces; 9443
  (operations) from the monitoring namespace; out to orderers 7050, peers 7051
  and their own org's chaincode servers;
- orderers: 7050 from peers, toolboxes, other orderers (Raft) and client
  namespaces; 7053 (channel participation) from their own org's toolbox only;
  9443 from the monitoring namespace; out to orderers 7050;
- admin toolboxes: nothing in (commands arrive through the exec API, not the
  pod network); out to peers 7051, orderers 7050 and their own org's orderers 7053;
- with ``fabric:externalAccess``, also peers' 7051 and orderers' 7050 from
  anywhere (their LoadBalancer Services bring clients and orgs outside the
  cluster; TLS and the channel policies guard them as they guard every peer);
- chaincode servers: 9999 from their own org's peers only, nothing out;
- backup and restore Jobs: HTTPS (443) to addresses outside the private ranges
  (the blob store), nothing in.

No pod gets egress to the Kubernetes API. Client namespaces are namespaces
labelled ``fabric.hyperledger.org/client-of: <namespace>``. The peer's 7052 and
CouchDB's 5984 get no rule: CouchDB is reached on localhost, chaincodes run as
servers the peer dials. Plain data (pulumi-kubernetes' snake_case input form)
and one function that registers them."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_nodes.node_settings import OrdererPorts, PeerPorts
from fabric_ops.ccaas_package import CCAAS_PORT
from network_spec import NetworkSpec, OrgKind
from network_spec.k8s_names import chaincode_policy_names, orderer_admin_policy_names

NAME = "app.kubernetes.io/name"
ORG = "fabric.hyperledger.org/org"
NAMESPACE_NAME = "kubernetes.io/metadata.name"
CLIENT_OF = "fabric.hyperledger.org/client-of"
PEER, ORDERER, TOOLBOX = "fabric-peer", "fabric-orderer", "fabric-admin-toolbox"
CHAINCODE, BACKUP = "fabric-chaincode", "fabric-backup"
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                  "169.254.0.0/16")
"""Not the blob store: pod, service and node networks, the link-local metadata
endpoint, and a private API server's address."""
PART_OF = {"app.kubernetes.io/part-of": "fabric-network", "app.kubernetes.io/managed-by": "pulumi"}

Rule = dict[str, Any]


def _pods(name: str, org: str = "") -> dict[str, Any]:
    labels = {NAME: name, **({ORG: org} if org else {})}
    return {"pod_selector": {"match_labels": labels}}


def _namespace(name: str) -> dict[str, Any]:
    return {"namespace_selector": {"match_labels": {NAMESPACE_NAME: name}}}


def _ports(*ports: int, protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"port": port, "protocol": protocol} for port in ports]


def _policy(name: str, selector: dict[str, Any], ingress: list[Rule] | None = None,
            egress: list[Rule] | None = None) -> tuple[str, dict[str, Any]]:
    spec: dict[str, Any] = {"pod_selector": selector, "policy_types": []}
    if ingress is not None:
        spec["policy_types"].append("Ingress")
        spec["ingress"] = ingress
    if egress is not None:
        spec["policy_types"].append("Egress")
        spec["egress"] = egress
    return name, spec


def policy_specs(spec: NetworkSpec, namespace: str, monitoring_namespace: str,
                 external: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """(name, NetworkPolicy spec) of every policy of the network; ``external``:
    the nodes' gRPC ports are exposed outside the cluster."""
    peer, orderer = PeerPorts(), OrdererPorts()

    def from_outside(port: int) -> list[Rule]:
        return ([{"from": [{"ip_block": {"cidr": "0.0.0.0/0"}}], "ports": _ports(port)}]
                if external else [])

    clients = {"namespace_selector": {"match_labels": {CLIENT_OF: namespace}}}
    monitoring = [{"from": [_namespace(monitoring_namespace)],
                   "ports": _ports(peer.operations)}]
    to_orderers = {"to": [_pods(ORDERER)], "ports": _ports(orderer.listen)}
    to_peers = {"to": [_pods(PEER)], "ports": _ports(peer.peer)}
    policies = [
        _policy("default-deny", {}, ingress=[], egress=[]),
        _policy("dns", {}, egress=[{
            "to": [{**_namespace("kube-system"),
                    "pod_selector": {"match_labels": {"k8s-app": "kube-dns"}}}],
            "ports": [*_ports(53, protocol="UDP"), *_ports(53)],
        }]),
        _policy("peers", _pods(PEER)["pod_selector"], ingress=[
            {"from": [_pods(PEER), _pods(TOOLBOX), clients], "ports": _ports(peer.peer)},
            *from_outside(peer.peer),
            *monitoring,
        ], egress=[to_orderers, to_peers]),
        _policy("orderers", _pods(ORDERER)["pod_selector"], ingress=[
            {"from": [_pods(PEER), _pods(TOOLBOX), _pods(ORDERER), clients],
             "ports": _ports(orderer.listen)},
            *from_outside(orderer.listen),
            *monitoring,
        ], egress=[to_orderers]),
        _policy("toolboxes", _pods(TOOLBOX)["pod_selector"], ingress=[],
                egress=[to_orderers, to_peers]),
        _policy("backup-jobs", _pods(BACKUP)["pod_selector"], ingress=[], egress=[{
            "to": [{"ip_block": {"cidr": "0.0.0.0/0", "except": list(PRIVATE_RANGES)}}],
            "ports": _ports(443),
        }]),
    ]
    for org in spec.orgs:
        name = org.k8s_name
        if org.kind is OrgKind.ORDERER:
            into_admin, out_of_toolbox = orderer_admin_policy_names(name)
            policies.append(_policy(into_admin, _pods(ORDERER, name)["pod_selector"],
                                    ingress=[{"from": [_pods(TOOLBOX, name)],
                                              "ports": _ports(orderer.admin)}]))
            policies.append(_policy(out_of_toolbox,
                                    _pods(TOOLBOX, name)["pod_selector"],
                                    egress=[{"to": [_pods(ORDERER, name)],
                                             "ports": _ports(orderer.admin)}]))
        else:
            into_chaincode, out_of_peers = chaincode_policy_names(name)
            policies.append(_policy(into_chaincode, _pods(CHAINCODE, name)["pod_selector"],
                                    ingress=[{"from": [_pods(PEER, name)],
                                              "ports": _ports(CCAAS_PORT)}], egress=[]))
            policies.append(_policy(out_of_peers, _pods(PEER, name)["pod_selector"],
                                    egress=[{"to": [_pods(CHAINCODE, name)],
                                             "ports": _ports(CCAAS_PORT)}]))
    return policies


def network_policies(spec: NetworkSpec, namespace: str, monitoring_namespace: str,
                     opts: pulumi.ResourceOptions,
                     external: bool = False) -> list[k8s.networking.v1.NetworkPolicy]:
    return [
        k8s.networking.v1.NetworkPolicy(
            f"netpol-{name}",
            metadata={"name": name, "namespace": namespace, "labels": PART_OF},
            spec=policy,
            opts=opts,
        )
        for name, policy in policy_specs(spec, namespace, monitoring_namespace, external)
    ]
