"""Every Kubernetes object name the program derives from the inputs, and the
check that each is valid once composed and belongs to one input only.

Names are composed from org names, hostnames, user numbers and chaincode names
with prefixes and suffixes (``admin-``, ``backup-``, ``restore-``, ``userN-``,
``-crypto``, ``-data``...). A name that is valid alone can be too long once
composed, and two inputs can compose to one name (``my_cc`` and ``my-cc``,
``Basic`` and ``basic``, a node called ``admin`` and the org's admin toolbox).
The Kubernetes API server would refuse such an object, or one resource would
overwrite the other, long after ``pulumi up`` started; the loader claims every
name here first, so the input at fault is named before anything runs.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from network_spec.fields import Field
from network_spec.model import NetworkSpec, OrgKind, OrgSpec
from network_spec.names import DNS_LABEL_RULE, is_dns_label

# Kubernetes' IsDNS1123Subdomain: the whole name at most 253 characters; unlike a
# host name, one dot-free part may exceed 63.
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SUBDOMAIN_MAX = 253
SUBDOMAIN_RULE = (
    "a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending "
    f"with a letter or digit, at most {_SUBDOMAIN_MAX} characters"
)


class Rule(enum.Enum):
    SUBDOMAIN = "subdomain"
    """An object name: a DNS-1123 subdomain."""
    LABEL = "label"
    """A name that is also a label value (``app.kubernetes.io/instance``, a Job's
    ``job-name``): a DNS-1123 label of at most 63 characters."""
    SERVICE = "service"
    """A Service name: a DNS-1035 label (a DNS-1123 label starting with a letter)."""


SERVICE_RULE = f"{DNS_LABEL_RULE}, starting with a letter (a Service name)"
_RULE_TEXT = {
    Rule.SUBDOMAIN: SUBDOMAIN_RULE, Rule.LABEL: DNS_LABEL_RULE, Rule.SERVICE: SERVICE_RULE,
}


@dataclass(frozen=True)
class K8sObject:
    kind: str
    name: str
    rule: Rule


def crypto_secret_name(k8s_name: str) -> str:
    return f"{k8s_name}-crypto"


def admin_name(org_k8s_name: str) -> str:
    """The org's admin toolbox."""
    return f"admin-{org_k8s_name}"


def user_name(org_k8s_name: str, index: int) -> str:
    return f"user{index}-{org_k8s_name}"


def chaincode_server_name(chaincode: str, org_k8s_name: str) -> str:
    """``<chaincode>-<org>``: Fabric allows capitals and ``_`` in chaincode names,
    Kubernetes does not, so the name is lowercased and ``_`` becomes ``-``."""
    return f"{chaincode.lower().replace('_', '-')}-{org_k8s_name}"


def external_service_name(node_k8s_name: str) -> str:
    """A node's LoadBalancer Service, with ``fabric:externalAccess: loadbalancer``."""
    return f"{node_k8s_name}-external"


def backup_job_name(node_k8s_name: str) -> str:
    return f"backup-{node_k8s_name}"


def restore_job_name(node_k8s_name: str) -> str:
    return f"restore-{node_k8s_name}"


def backup_kdf_name(backup_key: str) -> str:
    """The ConfigMap of one backup's scrypt salt and cost (a DNS label key)."""
    return f"backup-kdf-{backup_key}"


def stop_job_name(node_k8s_name: str) -> str:
    """An offline backup's Job that stops the node (``start-`` starts it again)."""
    return f"stop-{node_k8s_name}"


def start_job_name(node_k8s_name: str) -> str:
    return f"start-{node_k8s_name}"


NODE_VOLUMES = ("data", "couchdb")
"""A node's volumes: its ledger, and a peer's CouchDB sidecar's."""

FIXED_OBJECTS = (
    K8sObject("ConfigMap", "tls-ca-certs", Rule.SUBDOMAIN),
    K8sObject("Secret", "fabric-backup-storage", Rule.SUBDOMAIN),
    K8sObject("Secret", "backup-material", Rule.SUBDOMAIN),
    K8sObject("Job", "backup-material", Rule.LABEL),
    K8sObject("Job", "backup-manifest", Rule.LABEL),
    K8sObject("Job", "restore-verify", Rule.LABEL),
    K8sObject("ConfigMap", "backup-code", Rule.SUBDOMAIN),
    K8sObject("ConfigMap", "restore-code", Rule.SUBDOMAIN),
    *(K8sObject("NetworkPolicy", name, Rule.SUBDOMAIN) for name in (
        "default-deny", "dns", "peers", "orderers", "toolboxes", "backup-jobs")),
    *(K8sObject(kind, "backup-scaler", Rule.SUBDOMAIN) for kind in (
        "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy")),
)
"""The objects of the network as a whole (TLS CA bundle, backup and restore, the
NetworkPolicies of every role)."""


def orderer_admin_policy_names(org_k8s_name: str) -> tuple[str, str]:
    """An orderer org's NetworkPolicies: into its nodes' admin port, and out of
    its toolbox to it."""
    return f"orderer-admin-{org_k8s_name}", f"toolbox-orderer-admin-{org_k8s_name}"


def chaincode_policy_names(org_k8s_name: str) -> tuple[str, str]:
    """A peer org's NetworkPolicies: into its chaincode servers, and out of its
    peers to them."""
    return f"chaincode-{org_k8s_name}", f"peer-chaincode-{org_k8s_name}"


def node_objects(k8s_name: str, *, peer: bool) -> tuple[K8sObject, ...]:
    """A node's objects; a peer's include its CouchDB sidecar's, whatever the state
    database, so switching to CouchDB later cannot make a name invalid."""
    volumes = NODE_VOLUMES if peer else NODE_VOLUMES[:1]
    couchdb_credentials = (K8sObject("Secret", f"{k8s_name}-couchdb", Rule.SUBDOMAIN),)
    return (
        K8sObject("Deployment", k8s_name, Rule.LABEL),
        K8sObject("Service", k8s_name, Rule.SERVICE),
        K8sObject("Secret", crypto_secret_name(k8s_name), Rule.SUBDOMAIN),
        *(couchdb_credentials if peer else ()),
        *(K8sObject("PersistentVolumeClaim", f"{k8s_name}-{volume}", Rule.SUBDOMAIN)
          for volume in volumes),
        *(K8sObject("PersistentVolumeClaim", f"{k8s_name}-{volume}-snapshot", Rule.SUBDOMAIN)
          for volume in volumes),
        K8sObject("Job", backup_job_name(k8s_name), Rule.LABEL),
        K8sObject("Job", restore_job_name(k8s_name), Rule.LABEL),
        K8sObject("Job", stop_job_name(k8s_name), Rule.LABEL),
        K8sObject("Job", start_job_name(k8s_name), Rule.LABEL),
    )


def org_objects(org_k8s_name: str, *, orderer: bool) -> tuple[K8sObject, ...]:
    admin = admin_name(org_k8s_name)
    policies = (orderer_admin_policy_names if orderer else chaincode_policy_names)(org_k8s_name)
    return (
        K8sObject("Deployment", admin, Rule.LABEL),
        K8sObject("Secret", crypto_secret_name(admin), Rule.SUBDOMAIN),
        *(K8sObject("NetworkPolicy", name, Rule.SUBDOMAIN) for name in policies),
    )


def user_objects(org_k8s_name: str, index: int) -> tuple[K8sObject, ...]:
    # The Secret's instance label is the user's name without the suffix.
    return (
        K8sObject("Secret", crypto_secret_name(user_name(org_k8s_name, index)), Rule.SUBDOMAIN),
        K8sObject("instance label", user_name(org_k8s_name, index), Rule.LABEL),
    )


def chaincode_objects(chaincode: str, org_k8s_name: str) -> tuple[K8sObject, ...]:
    name = chaincode_server_name(chaincode, org_k8s_name)
    return (K8sObject("Deployment", name, Rule.LABEL), K8sObject("Service", name, Rule.SERVICE),
            K8sObject("Secret", chaincode_tls_secret_name(name), Rule.SUBDOMAIN))


def chaincode_tls_secret_name(server_name: str) -> str:
    """The Secret holding a chaincode server's TLS key pair and client CA."""
    return f"{server_name}-tls"


def is_valid(obj: K8sObject) -> bool:
    return not _problem(obj)


def _problem(obj: K8sObject) -> bool:
    if obj.rule is Rule.SUBDOMAIN:
        return len(obj.name) > _SUBDOMAIN_MAX or _SUBDOMAIN.fullmatch(obj.name) is None
    if obj.rule is Rule.SERVICE and not obj.name[:1].isalpha():
        return True
    return not is_dns_label(obj.name)


class ObjectNames:
    """The Kubernetes names claimed so far, per kind, with who claimed each."""

    def __init__(self, objects: Iterable[K8sObject] = FIXED_OBJECTS, owner: str = "the network"):
        self._owners: dict[tuple[str, str], str] = {}
        self.register(objects, owner)

    def register(self, objects: Iterable[K8sObject], owner: str) -> None:
        """Names of inputs already checked."""
        for obj in objects:
            self._owners.setdefault((obj.kind, obj.name), owner)

    def claim(self, objects: Iterable[K8sObject], owner: str, at: Field, source: str) -> None:
        """Check and take ``objects`` for ``owner``; ``source`` says which input of
        field ``at`` composed them, e.g. ``hostname 'peer0'``."""
        for obj in objects:
            if _problem(obj):
                raise at.error(
                    f"{source} gives the {obj.kind} name '{obj.name}' ({len(obj.name)} "
                    f"characters), which must be {_RULE_TEXT[obj.rule]}"
                )
            if obj.kind == "instance label":
                continue
            taken = self._owners.get((obj.kind, obj.name))
            if taken is not None and taken != owner:
                raise at.error(
                    f"{source} gives the {obj.kind} name '{obj.name}', already the name "
                    f"of {taken}"
                )
            self._owners[(obj.kind, obj.name)] = owner

    def names(self) -> set[tuple[str, str]]:
        return {key for key in self._owners if key[0] != "instance label"}


def network_object_names(orgs: Iterable[OrgSpec]) -> ObjectNames:
    """The names of loaded (so already checked) orgs, with their nodes and users."""
    names = ObjectNames()
    for org in orgs:
        names.register(org_objects(org.k8s_name, orderer=org.kind is OrgKind.ORDERER),
                       f"the admin toolbox of org '{org.name}'")
        for node in org.nodes:
            names.register(node_objects(node.k8s_name, peer=org.kind is OrgKind.PEER),
                           f"node {node.common_name}")
        for index, user in enumerate(org.user_names, start=1):
            names.register(user_objects(org.k8s_name, index), f"user {user}")
    return names


def spec_object_names(spec: NetworkSpec) -> ObjectNames:
    """The names of a loaded network: its orgs, nodes, users and chaincode servers."""
    names = network_object_names(spec.orgs)
    k8s_names = {org.name: org.k8s_name for org in spec.orgs}
    for chaincode in spec.chaincodes:
        for org in chaincode.orgs:
            names.register(chaincode_objects(chaincode.name, k8s_names[org]),
                           f"the server of chaincode '{chaincode.name}' for org '{org}'")
    return names
