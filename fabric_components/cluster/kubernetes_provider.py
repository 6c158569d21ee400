"""The Kubernetes provider every network object is created with: an existing
cluster's kubeconfig context, or an AKS cluster (and backup storage) the stack
creates. Its ``cluster_identifier`` is stable, so a kubeconfig that is unknown
during preview (a new AKS cluster) does not mark every object for replacement."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.cluster.aks import AksCluster
from fabric_components.cluster.backup_storage import BackupStorage, BackupStorageArgs
from fabric_components.stack_config import StackConfig


def kubernetes_provider(
    config: StackConfig, stack: str
) -> tuple[k8s.Provider, dict[str, Any], BackupStorage | None]:
    """The provider, the stack outputs that describe the cluster, and the backup
    storage when the stack creates one."""
    cluster = config.cluster
    if cluster.kind == "existing":
        context = cluster.kube_context
        provider = k8s.Provider(
            "kubernetes",
            context=context or None,
            cluster_identifier=f"context/{context or 'current'}",
        )
        return provider, {"cluster": {"kind": "existing", "context": context or "(current)"}}, None
    aks = cluster.aks
    created = AksCluster(f"fabric-{stack}", aks)
    provider = k8s.Provider(
        "kubernetes", kubeconfig=created.kubeconfig, cluster_identifier=f"aks/fabric-{stack}"
    )
    outputs: dict[str, Any] = {
        "cluster": {
            "kind": "aks",
            "resourceGroup": created.resource_group_name,
            "name": created.cluster_name,
        },
        "kubeconfig": created.kubeconfig,
    }
    storage = None
    if cluster.backup_storage_sku:
        storage = BackupStorage(
            f"fabric-{stack}-backups",
            BackupStorageArgs(
                resource_group_name=created.resource_group_name,
                location=aks.location,
                sku=cluster.backup_storage_sku,
            ),
            pulumi.ResourceOptions(parent=created),
        )
        outputs["backupStorage"] = {
            "account": storage.account_name,
            "container": storage.container_name,
        }
    return provider, outputs, storage
