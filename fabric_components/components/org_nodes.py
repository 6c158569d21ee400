"""What the orderer and peer org components share: the org admin's identity and
admin toolbox, and per node its identity Secret, data volume, Deployment (after
its predecessor's in the rollout order), Service and, on a restore, the Job
that fills its new volumes first. A subclass says what runs in a node's pod."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.backup.jobs import NodeVolumes, RestoreSource, restore_job
from fabric_components.components.admin_certs import org_admin_certs
from fabric_components.components.rollout import RolloutOrder
from fabric_components.crypto_material import (
    AdminCerts,
    CaMaterial,
    CryptoSource,
    IdentityMaterial,
)
from fabric_components.k8s.admin_toolbox import admin_toolbox
from fabric_components.k8s.external_service import external_service
from fabric_components.k8s.node_base import NodeBase, node_base
from fabric_components.k8s.node_objects import MATERIAL_HASH, deployment, service
from fabric_components.k8s.workload import pod_template, single_replica_spec
from fabric_components.stack_config import StackConfig, VolumeSettings
from fabric_nodes.naming import external_host
from fabric_nodes.node_settings import ClusterAddressing, release_config_dir
from network_spec import NodeSpec, OrgSpec


@dataclass(frozen=True)
class OrgArgs:
    org: OrgSpec
    """The org as expanded from crypto-config.yaml."""
    config: StackConfig
    crypto: CryptoSource
    """Where identities come from (generated and kept in state, or a directory)."""
    cas: CaMaterial
    """The org's CA and TLS CA."""
    tls_cas: k8s.core.v1.ConfigMap
    """Every org's TLS CA certificate, mounted into the admin toolbox."""
    rollout: RolloutOrder
    """Orders this org's node Deployments after their predecessors' (orderers
    one at a time, then each peer org's peers one at a time)."""
    restore: RestoreSource | None = None
    """Fill each node's new volumes from this backup before the node starts."""
    scraper_ca: pulumi.Output[str] | None = None
    """The metrics scraper's CA, which the operations endpoints trust (monitoring
    with endpoint TLS)."""


@dataclass
class NodePod:
    """What one node's pod runs, besides what every node gets (``NodeBase``)."""

    containers: list[dict[str, Any]]
    volumes: list[dict[str, Any]]
    ports: dict[str, int]
    claims: dict[str, tuple[k8s.core.v1.PersistentVolumeClaim, str]]
    """Per volume name, the node's claims and their sizes, in backup order."""
    init_containers: list[dict[str, Any]] = field(default_factory=list)
    depends_on: list[pulumi.Resource] = field(default_factory=list)
    writable_root: list[str] = field(default_factory=list)
    """Containers that keep a writable root filesystem (policy pack exception)."""


class OrgNodes(pulumi.ComponentResource):
    """The nodes of one org and its admin toolbox; ``node_pod`` says what runs."""

    node_label: str
    """The ``app.kubernetes.io/name`` of the org's nodes."""
    is_orderer: bool

    msp_id: pulumi.Output[str]
    endpoints: pulumi.Output[list[str]]
    tls_ca_cert: pulumi.Output[str]
    admin_cert: pulumi.Output[str]
    """The org admin's signing certificate (public; goes into the org MSP)."""
    admin_certs: AdminCerts
    """What the org's MSPs list as admins (with the one a renewal replaced)."""

    def __init__(
        self, type_name: str, name: str, args: OrgArgs, opts: pulumi.ResourceOptions | None,
    ) -> None:
        super().__init__(type_name, name, None, opts)
        org, config = args.org, args.config
        self.child = pulumi.ResourceOptions(parent=self)
        self.addressing = ClusterAddressing(config.namespace)
        admin = args.crypto.user(org, args.cas, org.admin_name, True, self.child)
        # Only generated material is renewed by an up (a cryptoDir is the operator's).
        renewed = config.cert_renewal and not config.crypto_dir
        self.admin_certs = org_admin_certs(
            org, admin, args.cas, args.rollout.gates if renewed else None,
            args.rollout.after(org, org.nodes[0]) if org.nodes else [], self)
        self.admin_cert = self.admin_certs.current
        self.tls_certs: dict[str, pulumi.Output[str]] = {}
        self.sign_certs: dict[str, pulumi.Output[str]] = {}
        self.volumes: list[NodeVolumes] = []
        """Every node's volumes, for backups."""
        self.org_objects(name, args, admin)
        # First: the nodes' readiness gates run their queries in it.
        args.rollout.add_toolbox(org, admin_toolbox(
            name, org, admin, self.admin_certs, args.cas, args.tls_cas, config.namespace,
            config.pod(config.images.tools, "toolbox"),
            release_config_dir(config.fabric_version), self, config.cert_renewal))
        for node in org.nodes:
            base = node_base(name, org, node, self.node_label, args.crypto, args.cas,
                             self.admin_certs, config.namespace, self.data_volume(config),
                             self.child, ccaas_tls=config.endpoint_tls,
                             scraper_ca=args.scraper_ca)
            self.tls_certs[node.common_name] = base.tls_cert
            self.sign_certs[node.common_name] = base.sign_cert
            self.node_objects(args, node, base, self.node_pod(args, node, base))
        self.msp_id = pulumi.Output.from_input(org.msp_id)
        self.endpoints = pulumi.Output.from_input(self.node_endpoints(org))
        self.tls_ca_cert = args.cas.tlsca_cert
        self.register_outputs({"msp_id": self.msp_id, "endpoints": self.endpoints,
                               "tls_ca_cert": self.tls_ca_cert, **self.more_outputs()})

    def node_objects(self, args: OrgArgs, node: NodeSpec, base: NodeBase, pod: NodePod) -> None:
        """The node's Deployment (after the previous node's gate), its Service
        (and its external one, with ``fabric:externalAccess``) and, on a restore,
        the Job that fills its new volumes first."""
        place = base.place
        self.volumes.append(NodeVolumes(place, self.is_orderer, pod.claims))
        depends: list[pulumi.Resource] = [
            base.secret, base.data, *pod.depends_on,
            *args.rollout.before_restart(args.org, node, base.tls_cert, self)]
        rolls = args.config.cert_renewal
        if args.restore is not None:
            depends.append(restore_job(place, {n: c for n, (c, _) in pod.claims.items()},
                                       args.restore))
        template = pod_template(place.labels, pod.containers, pod.volumes,
                                args.config.cluster.node_pool,
                                init_containers=pod.init_containers or None,
                                annotations={MATERIAL_HASH: base.material_hash} if rolls else None)
        waits = args.rollout.after(args.org, node).apply(lambda after: [*depends, *after])
        rolled = deployment(place, single_replica_spec(place.labels, template), waits,
                            pod.writable_root)
        args.rollout.node_deployed(args.org, node, rolled, self,
                                   base.material_hash if rolls else None)
        service(place, pod.ports)
        if args.config.external_domain:
            external_service(place, "grpc", pod.ports["grpc"],
                             external_host(node, place.namespace, args.config.external_domain))

    def org_objects(self, name: str, args: OrgArgs, admin: IdentityMaterial) -> None:
        """Objects of the org besides its nodes and toolbox (none by default)."""

    def data_volume(self, config: StackConfig) -> VolumeSettings:
        raise NotImplementedError

    def node_pod(self, args: OrgArgs, node: NodeSpec, base: NodeBase) -> NodePod:
        raise NotImplementedError

    def node_endpoints(self, org: OrgSpec) -> list[str]:
        raise NotImplementedError

    def more_outputs(self) -> dict[str, Any]:
        return {}
