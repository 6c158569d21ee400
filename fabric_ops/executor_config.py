"""Executors as plain data, so they can travel as inputs of Pulumi dynamic
resources (which are pickled and run in another process) and be rebuilt there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fabric_ops.executor import AdminPaths, Executor
from fabric_ops.local_executor import LocalExecutor
from fabric_ops.pod_executor import PodExecutor


def local_executor_config(
    bin_dir: str, env: Mapping[str, str], paths: AdminPaths
) -> dict[str, Any]:
    return {
        "kind": "local",
        "bin_dir": bin_dir,
        "env": dict(env),
        "paths": {"admin_dir": paths.admin_dir, "tls_ca_dir": paths.tls_ca_dir},
    }


def pod_executor_config(
    namespace: str, deployment: str, paths: AdminPaths, kubeconfig: str = "", context: str = ""
) -> dict[str, Any]:
    return {
        "kind": "pod",
        "namespace": namespace,
        "deployment": deployment,
        "kubeconfig": kubeconfig,
        "context": context,
        "paths": {"admin_dir": paths.admin_dir, "tls_ca_dir": paths.tls_ca_dir},
    }


def _former_selector_deployment(config: Mapping[str, Any]) -> str:
    """Executor configs kept in the state of older stacks name the toolbox by
    its label ``app.kubernetes.io/instance=<Deployment name>``."""
    return str(config["selector"]).split("=", 1)[1]


def executor_from_config(config: Mapping[str, Any]) -> Executor:
    paths = AdminPaths(**config["paths"])
    if config["kind"] == "local":
        return LocalExecutor(config["bin_dir"], dict(config["env"]), paths)
    if config["kind"] == "pod":
        return PodExecutor(
            kubeconfig=config.get("kubeconfig", ""),
            namespace=config["namespace"],
            deployment=config.get("deployment") or _former_selector_deployment(config),
            paths=paths,
            context=config.get("context", ""),
        )
    raise ValueError(f"unknown executor kind {config['kind']!r}")
