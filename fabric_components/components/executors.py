"""Which executor each org's admin operations run with: in the cluster, an exec
into the org's admin toolbox pod."""

from __future__ import annotations

from typing import Any

import pulumi

from fabric_components.k8s.admin_toolbox import ADMIN_DIR, TLS_CA_DIR
from fabric_components.stack_config import StackConfig
from fabric_nodes.naming import admin_name
from fabric_ops.executor import AdminPaths
from fabric_ops.executor_config import pod_executor_config
from network_spec import NetworkSpec

TOOLBOX_PATHS = AdminPaths(admin_dir=ADMIN_DIR, tls_ca_dir=TLS_CA_DIR)


def toolbox_executors(
    spec: NetworkSpec, config: StackConfig, kubeconfig: pulumi.Output[str] | None
) -> dict[str, pulumi.Input[dict[str, Any]]]:
    """Per org name, the config of a PodExecutor into ``admin-<org>``. Without a
    kubeconfig (an existing cluster) the provider process loads the default
    kubeconfig file and uses ``fabric:kubeContext``."""
    executors: dict[str, pulumi.Input[dict[str, Any]]] = {}
    for org in spec.orgs:
        def config_for(kube: str, deployment: str = admin_name(org)) -> dict[str, Any]:
            return pod_executor_config(
                config.namespace, deployment, TOOLBOX_PATHS, kubeconfig=kube,
                context=config.cluster.kube_context,
            )

        # ``kubeconfig`` is a secret output, and so is what is applied to it.
        executors[org.name] = (
            kubeconfig.apply(config_for) if kubeconfig is not None else config_for("")
        )
    return executors
