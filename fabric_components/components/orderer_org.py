"""``fabric:index:OrdererOrg``: the ordering nodes of one orderer org (formerly
``fabric:index:Orderer``, aliased so existing stacks keep their resources)."""

from __future__ import annotations

import pulumi

from fabric_components.components.org_nodes import NodePod, OrgArgs, OrgNodes
from fabric_components.k8s.node_base import NodeBase
from fabric_components.k8s.workload import container, env_list, http_probes, operations_scheme
from fabric_components.stack_config import StackConfig, VolumeSettings
from fabric_nodes.node_settings import (
    ClusterAddressing,
    OrdererPorts,
    orderer_address,
    orderer_admin_address,
    orderer_container_paths,
    orderer_environment,
)
from network_spec import NodeSpec, OrgSpec

FORMER_TYPE = "fabric:index:Orderer"


class OrdererOrg(OrgNodes):
    """Per ordering node: a crypto Secret, a data PVC, a Deployment and a Service
    (7050 gRPC and Raft, 7053 channel participation admin, 9443 operations);
    plus the org's admin toolbox."""

    node_label = "fabric-orderer"
    is_orderer = True
    admin_endpoints: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: OrgArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        addressing = ClusterAddressing(args.config.namespace)
        self.admin_endpoints = pulumi.Output.from_input(
            [orderer_admin_address(addressing, n) for n in args.org.nodes])
        aliased = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=FORMER_TYPE)]))
        super().__init__("fabric:index:OrdererOrg", name, args, aliased)

    def data_volume(self, config: StackConfig) -> VolumeSettings:
        return config.volume(config.orderer_storage)

    def node_pod(self, args: OrgArgs, node: NodeSpec, base: NodeBase) -> NodePod:
        config, ports = args.config, OrdererPorts()
        paths = orderer_container_paths(config.fabric_version)
        env = orderer_environment(args.org, node, self.addressing, paths,
                                  log_spec=config.log_spec, endpoint_tls=config.endpoint_tls,
                                  scraper_ca=args.scraper_ca is not None)
        orderer = container(
            "orderer",
            config.images.orderer,
            config.resources["orderer"],
            env=env_list(env),
            ports={"grpc": ports.listen, "admin": ports.admin, "operations": ports.operations},
            mounts=base.mounts(paths),
            probes=http_probes(ports.operations, "/healthz",
                               scheme=operations_scheme(config.endpoint_tls)),
        )
        return NodePod(
            containers=[orderer], volumes=base.volumes,
            ports={"grpc": ports.listen, "admin": ports.admin, "operations": ports.operations},
            claims={"data": (base.data, config.orderer_storage)},
        )

    def node_endpoints(self, org: OrgSpec) -> list[str]:
        return [orderer_address(self.addressing, n) for n in org.nodes]

    def more_outputs(self) -> dict[str, pulumi.Output[list[str]]]:
        return {"admin_endpoints": self.admin_endpoints}
