"""``fabric:index:Orderer``: the ordering nodes of one orderer org."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.backup.jobs import NodeVolumes, RestoreSource, restore_job
from fabric_components.components.rollout import RolloutChain
from fabric_components.crypto_material import CaMaterial, CryptoSource
from fabric_components.k8s.admin_toolbox import admin_toolbox
from fabric_components.k8s.node_base import node_base
from fabric_components.k8s.node_objects import (
    deployment,
    service,
)
from fabric_components.k8s.workload import (
    container,
    env_list,
    http_probes,
    pod_template,
    single_replica_spec,
)
from fabric_components.stack_config import StackConfig
from fabric_nodes.node_settings import (
    ORDERER_CONTAINER_PATHS,
    ClusterAddressing,
    OrdererPorts,
    orderer_address,
    orderer_admin_address,
    orderer_environment,
)
from network_spec import OrgSpec


@dataclass(frozen=True)
class OrdererArgs:
    org: OrgSpec
    """The orderer org as expanded from crypto-config.yaml."""
    config: StackConfig
    crypto: CryptoSource
    """Where identities come from (generated and kept in state, or a directory)."""
    cas: CaMaterial
    """The org's CA and TLS CA."""
    tls_cas: k8s.core.v1.ConfigMap
    """Every org's TLS CA certificate, mounted into the admin toolbox."""
    rollout: RolloutChain
    """Orders this org's node Deployments after the previous nodes' (one node
    at a time)."""
    restore: RestoreSource | None = None
    """Fill each node's new volume from this backup before the node starts."""


class Orderer(pulumi.ComponentResource):
    """Per ordering node: a crypto Secret, a data PVC, a Deployment and a Service
    (7050 gRPC and Raft, 7053 channel participation admin, 9443 operations);
    plus the org's admin toolbox."""

    msp_id: pulumi.Output[str]
    endpoints: pulumi.Output[list[str]]
    admin_endpoints: pulumi.Output[list[str]]
    tls_ca_cert: pulumi.Output[str]
    admin_cert: pulumi.Output[str]
    """The org admin's signing certificate (public; goes into the org MSP)."""

    def __init__(
        self, name: str, args: OrdererArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("fabric:index:Orderer", name, None, opts)
        org, config = args.org, args.config
        child = pulumi.ResourceOptions(parent=self)
        addressing = ClusterAddressing(config.namespace)
        admin = args.crypto.user(org, args.cas, org.admin_name, True, child)
        self.admin_cert = admin.sign_cert
        self.tls_certs: dict[str, pulumi.Output[str]] = {}
        self.volumes: list[NodeVolumes] = []
        """Every node's volumes, for backups."""
        # First: the nodes' readiness gates run their queries in it.
        args.rollout.add_toolbox(
            admin_toolbox(name, org, admin, args.cas, args.tls_cas, config, self)
        )
        ports = OrdererPorts()
        for node in org.nodes:
            base = node_base(name, org, node, "fabric-orderer", args.crypto, args.cas,
                             admin.sign_cert, config, config.orderer_storage, child)
            self.tls_certs[node.common_name] = base.tls_cert
            env = orderer_environment(
                org, node, addressing, ORDERER_CONTAINER_PATHS, log_spec=config.log_spec
            )
            orderer = container(
                "orderer",
                config.images.orderer,
                config.resources["orderer"],
                env=env_list(env),
                ports={"grpc": ports.listen, "admin": ports.admin, "operations": ports.operations},
                mounts=base.mounts(ORDERER_CONTAINER_PATHS),
                probes=http_probes(ports.operations, "/healthz"),
            )
            place = base.place
            self.volumes.append(NodeVolumes(place, True,
                                            {"data": (base.data, config.orderer_storage)}))
            depends: list[pulumi.Resource] = [base.secret, base.data]
            if args.restore is not None:
                depends.append(restore_job(place, {"data": base.data}, args.restore))
            template = pod_template(place.labels, [orderer], base.volumes,
                                    config.cluster.node_pool)
            rolled = deployment(place, single_replica_spec(place.labels, template),
                                [*depends, *args.rollout.after()])
            args.rollout.node_deployed(org, node, rolled, self)
            service(place, {"grpc": ports.listen, "admin": ports.admin,
                            "operations": ports.operations})

        self.msp_id = pulumi.Output.from_input(org.msp_id)
        self.endpoints = pulumi.Output.from_input(
            [orderer_address(addressing, n) for n in org.nodes]
        )
        self.admin_endpoints = pulumi.Output.from_input(
            [orderer_admin_address(addressing, n) for n in org.nodes]
        )
        self.tls_ca_cert = args.cas.tlsca_cert
        self.register_outputs(
            {
                "msp_id": self.msp_id,
                "endpoints": self.endpoints,
                "admin_endpoints": self.admin_endpoints,
                "tls_ca_cert": self.tls_ca_cert,
            }
        )
