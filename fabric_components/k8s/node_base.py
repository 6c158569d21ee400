"""What every Fabric node of an org gets before its own containers: its
identity, the Secret holding it in cryptogen's layout, its data volume, and the
volumes and mounts that lay them out where ``node_settings`` points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.crypto_material import (
    AdminCerts,
    CaMaterial,
    CryptoSource,
    identity_file_tree,
)
from fabric_components.k8s.node_objects import (
    NodePlacement,
    files_secret,
    files_volume,
    material_hash,
    volume_claim,
)
from fabric_components.stack_config import VolumeSettings
from fabric_nodes.naming import labels
from fabric_nodes.node_settings import CCAAS_BUILDER_CONFIG_KEY, OPERATIONS_CLIENT_CA, NodePaths
from fabric_ops.ccaas_package import ccaas_builder_config
from network_spec import NodeSpec, OrgKind, OrgSpec


@dataclass(frozen=True)
class NodeBase:
    place: NodePlacement
    secret: k8s.core.v1.Secret
    data: k8s.core.v1.PersistentVolumeClaim
    volumes: list[dict[str, Any]]
    tls_cert: pulumi.Output[str]
    sign_cert: pulumi.Output[str]
    """The node's enrollment certificate (a BFT consenter's identity)."""
    material_hash: pulumi.Output[str]
    """Of the Secret's certificates: the pod template carries it (``MATERIAL_HASH``)."""

    def mounts(self, paths: NodePaths) -> list[dict[str, Any]]:
        return [
            {"name": "crypto", "mount_path": paths.crypto_dir, "read_only": True},
            {"name": "data", "mount_path": paths.data_dir},
            {"name": "tmp", "mount_path": "/tmp"},
        ]


def with_builder_config(files: pulumi.Output[dict[str, str]]) -> pulumi.Output[dict[str, str]]:
    """A peer's Secret holds its file tree and, under a key no volume lays out,
    the CCaaS builder's TLS settings its environment reads: the org's TLS CA and
    the peer's TLS key pair as its client certificate to chaincode servers."""
    return files.apply(lambda f: {**f, CCAAS_BUILDER_CONFIG_KEY: ccaas_builder_config(
        f["tls/ca.crt"], f["tls/server.crt"], f["tls/server.key"])})


def node_base(
    name: str,
    org: OrgSpec,
    node: NodeSpec,
    component: str,
    crypto: CryptoSource,
    cas: CaMaterial,
    admin_certs: AdminCerts,
    namespace: str,
    data_volume: VolumeSettings,
    opts: pulumi.ResourceOptions,
    ccaas_tls: bool = True,
    scraper_ca: pulumi.Output[str] | None = None,
) -> NodeBase:
    """``name`` is the org component's name; ``component`` the node's
    ``app.kubernetes.io/name`` label (fabric-peer, fabric-orderer). With
    ``ccaas_tls`` a peer's Secret also holds its CCaaS builder's TLS settings;
    ``scraper_ca`` goes into the tree as ``OPERATIONS_CLIENT_CA``."""
    place = NodePlacement(
        name=f"{name}-{node.hostname}",
        k8s_name=node.k8s_name,
        namespace=namespace,
        labels=labels(org, component, node.k8s_name),
        opts=opts,
    )
    identity = crypto.node(org, cas, node, opts)
    files = identity_file_tree(org, cas, identity, admin_certs.current, admin_certs.previous)
    if scraper_ca is not None:
        files = pulumi.Output.all(files, scraper_ca).apply(
            lambda v: {**v[0], OPERATIONS_CLIENT_CA: v[1]})
    peer = org.kind is OrgKind.PEER
    secret = files_secret(place, "crypto", with_builder_config(files) if peer and ccaas_tls
                          else files)
    data = volume_claim(place, "data", data_volume)
    volumes = [
        files_volume("crypto", secret, files),
        {"name": "data", "persistent_volume_claim": {"claim_name": data.metadata["name"]}},
        {"name": "tmp", "empty_dir": {}},
    ]
    return NodeBase(place, secret, data, volumes, identity.tls_cert, identity.sign_cert,
                    material_hash(files))
