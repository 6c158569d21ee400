"""Which connections a set of Kubernetes NetworkPolicies allows, evaluated the
way the API defines them (networking.k8s.io/v1), over manifests in API form.

A connection from ``source`` to ``target`` on a port and protocol is allowed
when the source may send it (no policy selecting the source isolates it for
egress, or one of those policies' egress rules matches) and the target may
receive it (likewise for ingress). Rules match on pod and namespace selectors
(``matchLabels`` and ``matchExpressions``), on ``ipBlock`` (here against any
endpoint's address, pods included, as engines such as Calico do), and on ports
(numbers, named ports, ``endPort`` ranges). Endpoints outside the cluster are
addresses with no namespace: they have no policies of their own."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Props = Mapping[str, Any]
NAMESPACE_NAME = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Endpoint:
    """A pod (``namespace`` set) or an address outside the cluster."""

    name: str
    ip: str
    namespace: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    """Besides ``kubernetes.io/metadata.name``, which every namespace carries."""
    named_ports: Mapping[str, int] = field(default_factory=dict)

    @property
    def all_namespace_labels(self) -> dict[str, str]:
        return {**self.namespace_labels, NAMESPACE_NAME: self.namespace}


@dataclass(frozen=True)
class Policy:
    namespace: str
    spec: Props

    @staticmethod
    def from_manifest(manifest: Props) -> Policy:
        return Policy(manifest["metadata"]["namespace"], manifest["spec"])

    def types(self) -> list[str]:
        """``policyTypes``, or the API's default: Ingress, plus Egress when
        there are egress rules."""
        explicit = self.spec.get("policyTypes")
        if explicit:
            return list(explicit)
        return ["Ingress", *(["Egress"] if self.spec.get("egress") else [])]


def selects(selector: Props | None, labels: Mapping[str, str]) -> bool:
    """A label selector; an empty one selects everything."""
    selector = selector or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        present = key in labels
        matched = {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }.get(op)
        if matched is None:
            raise ValueError(f"unknown selector operator {op!r}")
        if not matched:
            return False
    return True


def _ip_block_matches(block: Props, ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    if address not in ipaddress.ip_network(block["cidr"]):
        return False
    return not any(address in ipaddress.ip_network(cidr) for cidr in block.get("except") or [])


def peer_matches(peer: Props, policy_namespace: str, other: Endpoint) -> bool:
    """One ``from``/``to`` entry of a rule of a policy in ``policy_namespace``."""
    if "ipBlock" in peer:
        return _ip_block_matches(peer["ipBlock"], other.ip)
    if not other.namespace:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], other.all_namespace_labels):
            return False
    elif other.namespace != policy_namespace:
        return False
    return selects(peer.get("podSelector"), other.labels)


def port_matches(ports: Iterable[Props] | None, target: Endpoint, port: int,
                 protocol: str) -> bool:
    ports = list(ports or [])
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        wanted = entry.get("port")
        if wanted is None:
            return True
        if isinstance(wanted, str):
            wanted = target.named_ports.get(wanted)
            if wanted is None:
                continue
        if int(wanted) <= port <= int(entry.get("endPort", wanted)):
            return True
    return False


def _direction_allows(policies: Iterable[Policy], owner: Endpoint, other: Endpoint,
                      target: Endpoint, port: int, protocol: str, direction: str) -> bool:
    """Whether ``owner`` may send (Egress) to or receive (Ingress) from ``other``."""
    if not owner.namespace:
        return True  # outside the cluster: no policies
    rules_key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    isolated = False
    for policy in policies:
        if policy.namespace != owner.namespace or direction not in policy.types():
            continue
        if not selects(policy.spec.get("podSelector"), owner.labels):
            continue
        isolated = True
        for rule in policy.spec.get(rules_key) or []:
            peers = rule.get(peers_key) or []
            if (not peers or any(peer_matches(p, policy.namespace, other) for p in peers)) \
                    and port_matches(rule.get("ports"), target, port, protocol):
                return True
    return not isolated


def allowed(policies: Iterable[Policy], source: Endpoint, target: Endpoint, port: int,
            protocol: str = "TCP") -> bool:
    policies = list(policies)
    return (_direction_allows(policies, source, target, target, port, protocol, "Egress")
            and _direction_allows(policies, target, source, target, port, protocol, "Ingress"))


def isolated(policies: Iterable[Policy], pod: Endpoint) -> set[str]:
    """The directions (Ingress, Egress) in which some policy isolates ``pod``."""
    return {
        direction
        for policy in policies
        if policy.namespace == pod.namespace and selects(policy.spec.get("podSelector"),
                                                         pod.labels)
        for direction in policy.types()
    }
