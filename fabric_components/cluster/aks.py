"""``fabric:index:AksCluster``: an AKS cluster for a network, with a system node
pool and a Fabric node pool, and its kubeconfig as a secret output."""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pulumi_azure_native as azure

from fabric_components.cluster.aks_kubeconfig import azure_cli_kubeconfig
from fabric_components.stack_config import AksSettings
from fabric_components.stack_values import AKS_FABRIC_POOL

FABRIC_POOL = AKS_FABRIC_POOL
RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
"""The built-in role "Azure Kubernetes Service RBAC Cluster Admin"."""


AksClusterArgs = AksSettings
"""The component's args are the stack's AKS settings, field for field."""


def access_settings(args: AksClusterArgs) -> dict[str, Any]:
    """The ManagedCluster inputs that decide who reaches the API server, and how."""
    settings: dict[str, Any] = {}
    if args.private_api_server:
        settings["api_server_access_profile"] = {"enable_private_cluster": True}
    if args.entra_id:
        settings["aad_profile"] = {
            "managed": True,
            "enable_azure_rbac": True,
            "admin_group_object_ids": list(args.admin_group_object_ids),
        }
        settings["disable_local_accounts"] = True
    return settings


class AksCluster(pulumi.ComponentResource):
    """A resource group and a ManagedCluster with a system-assigned identity,
    optionally a private API server and Entra ID with Azure RBAC (then the
    deploying identity gets the RBAC Cluster Admin role on it),
    RBAC and a network policy engine (Cilium). The Fabric pool's nodes carry the
    ``agentpool=fabric`` label that the network's pods select."""

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
                # Azure CNI powered by Cilium: the policy engine that enforces the
                # network's NetworkPolicies.
                "network_dataplane": azure.containerservice.NetworkDataplane.CILIUM,
                "network_policy": azure.containerservice.NetworkPolicy.CILIUM,
            },
            **access_settings(args),
            opts=child,
        )
        if args.entra_id:
            # With Azure RBAC the deploying identity needs a role to create the
            # network's Kubernetes objects.
            client = azure.authorization.get_client_config_output()
            azure.authorization.RoleAssignment(
                f"{name}-deployer-cluster-admin",
                principal_id=client.object_id,
                role_definition_id=client.subscription_id.apply(
                    lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/"
                    f"roleDefinitions/{RBAC_CLUSTER_ADMIN}"),
                scope=cluster.id,
                opts=child,
            )
        credentials = azure.containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=group.name, resource_name=cluster.name,
            format="exec" if args.entra_id else None,
        )
        self.resource_group_name = group.name
        self.cluster_name = cluster.name

        def kubeconfig(encoded: str) -> str:
            text = base64.b64decode(encoded).decode()
            return azure_cli_kubeconfig(text) if args.entra_id else text

        self.kubeconfig = pulumi.Output.secret(credentials.kubeconfigs[0].value.apply(kubeconfig))
        self.register_outputs(
            {
                "resource_group_name": self.resource_group_name,
                "cluster_name": self.cluster_name,
                "kubeconfig": self.kubeconfig,
            }
        )
