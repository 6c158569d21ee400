"""Kubernetes names and DNS names of a network's nodes."""

from __future__ import annotations

from network_spec import NodeSpec, OrgSpec, k8s_names

CLUSTER_DOMAIN = "cluster.local"


def service_dns_names(node: NodeSpec, namespace: str) -> tuple[str, ...]:
    """Every name a node's Service answers to inside the cluster; all go into its
    TLS certificate so clients may use any of them."""
    short = node.k8s_name
    return (
        short,
        f"{short}.{namespace}",
        f"{short}.{namespace}.svc",
        f"{short}.{namespace}.svc.{CLUSTER_DOMAIN}",
    )


def external_label(node: NodeSpec, namespace: str) -> str:
    """The first label of a node's external host name (``fabric:externalAccess``):
    unique per node and namespace, so several networks can share a domain."""
    return f"{node.k8s_name}-{namespace}"


def external_host(node: NodeSpec, namespace: str, domain: str) -> str:
    return f"{external_label(node, namespace)}.{domain}"


def node_tls_names(node: NodeSpec, namespace: str, external_domain: str = "") -> tuple[str, ...]:
    """The names a node's TLS certificate carries beside its own: its Service
    names, and its external host name when the nodes are reachable from outside."""
    external = (external_host(node, namespace, external_domain),) if external_domain else ()
    return (*service_dns_names(node, namespace), *external)


def service_host(node: NodeSpec, namespace: str) -> str:
    """The fully qualified Service name other nodes use to reach ``node``."""
    return service_dns_names(node, namespace)[-1]


def crypto_secret_name(k8s_name: str) -> str:
    return k8s_names.crypto_secret_name(k8s_name)


def admin_name(org: OrgSpec) -> str:
    return k8s_names.admin_name(org.k8s_name)


def labels(org: OrgSpec, component: str, instance: str) -> dict[str, str]:
    """Recommended Kubernetes labels, plus the Fabric org for selection."""
    return {
        "app.kubernetes.io/name": component,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/part-of": "fabric-network",
        "app.kubernetes.io/managed-by": "pulumi",
        "fabric.hyperledger.org/org": org.k8s_name,
    }
