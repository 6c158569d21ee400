"""Checks of stack config values that the cluster, Azure or Fabric would refuse
only later: each returns ``None`` for a good value, otherwise the message."""

from __future__ import annotations

import re

from network_spec.image_refs import image_reference_problem
from network_spec.k8s_names import SUBDOMAIN_RULE, K8sObject, Rule, is_valid

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
"""Namespaces the cluster owns; ``kube-`` is reserved for it."""
AKS_FABRIC_POOL = "fabric"
"""The node pool the AKS cluster the stack creates runs the network on."""
AKS_MAX_NODES = 1000
"""AKS's limit of nodes per node pool."""
_AZURE_LOCATION = re.compile(r"[a-z][a-z0-9]{1,39}")
_AZURE_VM_SIZE = re.compile(r"(Standard|Basic)_[A-Za-z0-9]+(_[A-Za-z0-9]+)*")
_LABEL_VALUE = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")


def image_problem(value: str) -> str | None:
    return image_reference_problem("image", value)


def class_name_problem(value: str) -> str | None:
    """A StorageClass or VolumeSnapshotClass name; empty: the cluster's default."""
    if not value or is_valid(K8sObject("StorageClass", value, Rule.SUBDOMAIN)):
        return None
    return f"{value!r} is not a class name: {SUBDOMAIN_RULE}"


def system_namespace_problem(namespace: str, allowed: bool) -> str | None:
    if allowed or not (namespace in SYSTEM_NAMESPACES or namespace.startswith("kube-")):
        return None
    return (
        f"{namespace!r} is a namespace of the cluster itself (the program creates, and on "
        "destroy deletes, its namespace): use a namespace of its own, or set "
        "fabric:allowSystemNamespace to true if you mean it"
    )


def azure_location_problem(value: str) -> str | None:
    if _AZURE_LOCATION.fullmatch(value):
        return None
    return (f"{value!r} is not an Azure location name: lowercase letters and digits, "
            "e.g. westeurope or eastus2 (`az account list-locations -o table`)")


def vm_size_problem(value: str) -> str | None:
    if _AZURE_VM_SIZE.fullmatch(value):
        return None
    return f"{value!r} is not an Azure VM size such as Standard_D4s_v5"


def node_pool_problem(value: str, cluster: str) -> str | None:
    """Pods select their nodes by the ``agentpool`` label: a label value, and on
    the AKS cluster the stack creates, the one pool it creates for Fabric."""
    if cluster == "aks" and value != AKS_FABRIC_POOL:
        return (f"{value!r} is not a node pool of the AKS cluster the stack creates: its "
                f"Fabric pool is {AKS_FABRIC_POOL!r}; leave fabric:nodePool empty")
    if value and not _LABEL_VALUE.fullmatch(value):
        return (f"{value!r} is not a label value: at most 63 letters, digits, '-', '_' "
                "and '.', starting and ending with a letter or digit")
    return None
