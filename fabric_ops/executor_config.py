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
    namespace: str, selector: str, paths: AdminPaths, kubeconfig: str = "", context: str = ""
) -> dict[str, Any]:
    return {
        "kind": "pod",
        "namespace": namespace,
        "selector": selector,
        "kubeconfig": kubeconfig,
        "context": context,
        "paths": {"admin_dir": paths.admin_dir, "tls_ca_dir": paths.tls_ca_dir},
    }


def executor_from_config(config: Mapping[str, Any]) -> Executor:
    paths = AdminPaths(**config["paths"])
    if config["kind"] == "local":
        return LocalExecutor(config["bin_dir"], dict(config["env"]), paths)
    if config["kind"] == "pod":
        return PodExecutor(
            kubeconfig=config.get("kubeconfig", ""),
            namespace=config["namespace"],
            selector=config["selector"],
            paths=paths,
            context=config.get("context", ""),
        )
    raise ValueError(f"unknown executor kind {config['kind']!r}")
