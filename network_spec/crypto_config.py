"""cryptogen's crypto-config.yaml -> the network's orgs and their nodes.

The format is cryptogen's own (``cryptogen showtemplate``)::

    OrdererOrgs / PeerOrgs:       # lists of orgs
      - Name: Org1                # MSP ID Org1MSP; Kubernetes name org1
        Domain: org1.example.com
        EnableNodeOUs: true
        CA: {Hostname, CommonName, Country, Province, Locality,
             OrganizationalUnit, StreetAddress, PostalCode, SANS}
        Specs: [{Hostname, CommonName, Country, ..., SANS}, ...]
        Template: {Count, Start, Hostname, SANS}
        Users: {Count}            # peer orgs only; ignored for orderer orgs

Stricter than cryptogen: unknown keys, wrong types, duplicate org names, domains,
hostnames and common names, and names that cannot become Kubernetes names are
errors instead of being ignored or silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from network_spec.duplicates import UniqueNames
from network_spec.fields import Field, Record
from network_spec.k8s_names import ObjectNames, node_objects, org_objects, user_objects
from network_spec.limits import MAX_NODES, MAX_USERS
from network_spec.model import OrgKind, OrgSpec
from network_spec.names import dns_name_problem, org_k8s_name, org_name_problem
from network_spec.node_specs import PlacedNode, expand_nodes, read_ca
from network_spec.yaml_file import read_yaml

TOP_KEYS = ("OrdererOrgs", "PeerOrgs")
ORG_KEYS = ("Name", "Domain", "EnableNodeOUs", "CA", "Specs", "Template", "Users")
USERS_KEYS = ("Count",)
_NODE_PREFIX = {OrgKind.ORDERER: "orderer", OrgKind.PEER: "peer"}


@dataclass(frozen=True)
class CryptoConfig:
    orderer_orgs: tuple[OrgSpec, ...]
    peer_orgs: tuple[OrgSpec, ...]


class _NetworkNames:
    """Names that must be unique across all orgs of the file."""

    def __init__(self) -> None:
        self.org_names = UniqueNames(
            "org name", hint=" (org names, and so MSP IDs '<Name>MSP', must be unique)"
        )
        self.org_k8s_names = UniqueNames(
            "Kubernetes name", hint=" (an org's Kubernetes name is its name lowercased)"
        )
        self.domains = UniqueNames("domain")
        self.common_names = UniqueNames(
            "common name", hint=" (common names are Fabric host names and must be unique)"
        )
        self.node_k8s_names = UniqueNames(
            "Kubernetes name", hint=" (nodes are named '<hostname>-<org name lowercased>')"
        )
        self.objects = ObjectNames()
        self.node_count = 0


def _check_nodes(nodes: list[PlacedNode], kind: OrgKind, names: _NetworkNames) -> None:
    hostnames = UniqueNames("hostname", hint=" (hostnames must be unique within an org)")
    for placed in nodes:
        node = placed.node
        hostnames.claim(node.hostname, placed.hostname_at, placed.owner)
        names.common_names.claim(node.common_name, placed.common_name_at, placed.owner)
        names.node_k8s_names.claim(node.k8s_name, placed.hostname_at, placed.owner)
        names.objects.claim(
            node_objects(node.k8s_name, peer=kind is OrgKind.PEER),
            f"node {node.common_name}",
            placed.hostname_at,
            f"hostname '{node.hostname}'",
        )


def _users(org: Record, kind: OrgKind, domain: str, names: _NetworkNames) -> int:
    users = org.get("Users")
    if users is None:
        return 0
    count_at = users.record(USERS_KEYS).get("Count")
    count = 0 if count_at is None else count_at.integer()
    if count_at is not None and count < 0:
        raise count_at.error(f"must be 0 or more, got {count}")
    if count_at is not None and count > MAX_USERS:
        raise count_at.error(f"must be at most {MAX_USERS}, got {count}")
    if count_at is None or kind is OrgKind.ORDERER:
        return 0
    for index in range(1, count + 1):
        user = f"User{index}@{domain}"
        names.objects.claim(user_objects(org_k8s_name(org.text("Name")), index),
                            f"user {user}", count_at, f"user {user}")
    return count


def _org(field: Field, kind: OrgKind, names: _NetworkNames) -> OrgSpec:
    org = field.record(ORG_KEYS)
    name_at = org.require("Name")
    name = name_at.text()
    problem = org_name_problem(name)
    if problem:
        raise name_at.error(problem)
    names.org_names.claim(name, name_at)
    names.org_k8s_names.claim(org_k8s_name(name), name_at, f"{field.path} ('{name}')")
    names.objects.claim(org_objects(org_k8s_name(name), orderer=kind is OrgKind.ORDERER),
                        f"the admin toolbox of org '{name}'", name_at, f"org name '{name}'")
    domain_at = org.require("Domain")
    domain = domain_at.text()
    problem = dns_name_problem("domain", domain)
    if problem:
        raise domain_at.error(problem)
    names.domains.claim(domain, domain_at)
    enable_node_ous = org.boolean("EnableNodeOUs", False)
    ca = read_ca(org, domain)
    nodes = expand_nodes(org, name, domain, _NODE_PREFIX[kind])
    if not nodes:
        raise field.error(f"org '{name}' has no nodes; give it Specs or a Template")
    _check_nodes(nodes, kind, names)
    names.node_count += len(nodes)
    if names.node_count > MAX_NODES:
        raise field.error(f"org '{name}' brings the network to {names.node_count} nodes; "
                          f"a network has at most {MAX_NODES}")
    return OrgSpec(
        name=name,
        domain=domain,
        kind=kind,
        msp_id=f"{name}MSP",
        enable_node_ous=enable_node_ous,
        nodes=tuple(placed.node for placed in nodes),
        users=_users(org, kind, domain, names),
        k8s_name=org_k8s_name(name),
        ca=ca,
    )


def load_crypto_config(file: str) -> CryptoConfig:
    top = Field.root(file, read_yaml(file)).record(TOP_KEYS)
    names = _NetworkNames()
    orderer_orgs = tuple(_org(f, OrgKind.ORDERER, names) for f in top.items("OrdererOrgs"))
    peer_orgs = tuple(_org(f, OrgKind.PEER, names) for f in top.items("PeerOrgs"))
    if not orderer_orgs and not peer_orgs:
        raise top.error("defines no orgs; list them under OrdererOrgs and PeerOrgs")
    return CryptoConfig(orderer_orgs, peer_orgs)
