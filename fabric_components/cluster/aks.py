"""``fabric:index:AksCluster``: an AKS cluster for a network, with a system node
pool and a Fabric node pool, and its kubeconfig as a secret output."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from fabric_components.stack_values import AKS_FABRIC_POOL

FABRIC_POOL = AKS_FABRIC_POOL


@dataclass(frozen=True)
class AksClusterArgs:
    location: str
    """Azure region, e.g. ``westeurope``."""
    kubernetes_version: str
    """Pinned AKS Kubernetes version, e.g. ``1.33``."""
    system_vm_size: str
    system_node_count: int
    fabric_vm_size: str
    """VM size of the pool the Fabric nodes are scheduled on."""
    fabric_node_count: int


class AksCluster(pulumi.ComponentResource):
    """A resource group and a ManagedCluster with a system-assigned identity and
    RBAC. The Fabric pool's nodes carry the ``agentpool=fabric`` label that the
    network's pods select."""

    resource_group_name: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]

    def __init__(
        self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("fabric:index:AksCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = azure.resources.ResourceGroup(f"{name}-rg", location=args.location, opts=child)
        cluster = azure.containerservice.ManagedCluster(
            f"{name}-aks",
            resource_group_name=group.name,
            location=args.location,
            dns_prefix=name,
            kubernetes_version=args.kubernetes_version,
            enable_rbac=True,
            identity={"type": azure.containerservice.ResourceIdentityType.SYSTEM_ASSIGNED},
            agent_pool_profiles=[
                {
                    "name": "system",
                    "mode": azure.containerservice.AgentPoolMode.SYSTEM,
                    "vm_size": args.system_vm_size,
                    "count": args.system_node_count,
                    "os_type": azure.containerservice.OSType.LINUX,
                    "type": azure.containerservice.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
                    "node_taints": ["CriticalAddonsOnly=true:NoSchedule"],
                },
                {
                    "name": FABRIC_POOL,
                    "mode": azure.containerservice.AgentPoolMode.USER,
                    "vm_size": args.fabric_vm_size,
                    "count": args.fabric_node_count,
                    "os_type": azure.containerservice.OSType.LINUX,
                    "type": azure.containerservice.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
                },
            ],
            network_profile={
                "network_plugin": azure.containerservice.NetworkPlugin.AZURE,
                "network_plugin_mode": azure.containerservice.NetworkPluginMode.OVERLAY,
            },
            opts=child,
        )
        credentials = azure.containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=group.name, resource_name=cluster.name
        )
        self.resource_group_name = group.name
        self.cluster_name = cluster.name
        self.kubeconfig = pulumi.Output.secret(
            credentials.kubeconfigs[0].value.apply(lambda v: base64.b64decode(v).decode())
        )
        self.register_outputs(
            {
                "resource_group_name": self.resource_group_name,
                "cluster_name": self.cluster_name,
                "kubeconfig": self.kubeconfig,
            }
        )
