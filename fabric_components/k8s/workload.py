"""Pieces of pod specs shared by every workload the network runs: environment
rendering, Secret-backed file trees, probes and the security context.
Plain data (dicts in pulumi-kubernetes' snake_case input form), no Pulumi calls."""

from __future__ import annotations

import re
from typing import Any

from fabric_components.stack_config import Resources
from fabric_nodes.node_settings import EnvValue, SecretRef

RUN_AS_USER = 1000
"""The Fabric images run as root by default; we run them as this uid instead."""

_KEY_UNSAFE = re.compile(r"[^-._a-zA-Z0-9]")


def secret_key(path: str) -> str:
    """A Secret data key for a file path: Secret keys allow only ``[-._a-zA-Z0-9]``,
    so ``msp/signcerts/Admin@org1.example.com-cert.pem`` becomes
    ``msp__signcerts__Admin_at_org1.example.com-cert.pem``."""
    return _KEY_UNSAFE.sub("_", path.replace("/", "__").replace("@", "_at_"))


def secret_items(paths: list[str]) -> list[dict[str, Any]]:
    """The volume items that lay a Secret's keys out as the original file tree.
    Private keys get mode 0400, everything else 0444."""
    return [
        {
            "key": secret_key(path),
            "path": path,
            "mode": 0o400 if path.endswith(("priv_sk", ".key")) else 0o444,
        }
        for path in sorted(paths)
    ]


def env_list(env: dict[str, EnvValue], secret_name: str = "") -> list[dict[str, Any]]:
    """Container env entries; a SecretRef reads the value from its Secret, by
    default ``secret_name``."""
    out: list[dict[str, Any]] = []
    for name, value in env.items():
        if isinstance(value, SecretRef):
            secret = value.secret or secret_name
            out.append(
                {
                    "name": name,
                    "value_from": {"secret_key_ref": {"name": secret, "key": value.key}},
                }
            )
        else:
            out.append({"name": name, "value": value})
    return out


def http_probes(
    port: int, path: str, startup_seconds: int = 300, scheme: str = "HTTP"
) -> dict[str, Any]:
    """Liveness, readiness and startup probes on an HTTP(S) health endpoint. The
    startup probe gives a node time to replay its ledger before liveness applies.
    With ``HTTPS`` the kubelet does the TLS handshake without verifying the
    server's certificate (Kubernetes' probes never do) and presents none.
    ``HTTP``, Kubernetes' default, is left unsaid (as probes had it before)."""
    get: dict[str, Any] = {"path": path, "port": port}
    if scheme != "HTTP":
        get["scheme"] = scheme
    return {
        "startup_probe": {
            "http_get": get,
            "period_seconds": 5,
            "failure_threshold": max(1, startup_seconds // 5),
        },
        "liveness_probe": {"http_get": get, "period_seconds": 10, "failure_threshold": 6},
        "readiness_probe": {"http_get": get, "period_seconds": 5, "failure_threshold": 3},
    }


def operations_scheme(tls: bool) -> str:
    """The probe scheme of a node's operations endpoint (``fabric:endpointTls``)."""
    return "HTTPS" if tls else "HTTP"


def exec_probes(command: list[str]) -> dict[str, Any]:
    probe = {"exec_": {"command": command}, "period_seconds": 30, "timeout_seconds": 10}
    return {"liveness_probe": probe, "readiness_probe": probe}


def container_security(read_only_root: bool = True) -> dict[str, Any]:
    return {
        "allow_privilege_escalation": False,
        "privileged": False,
        "run_as_non_root": True,
        "read_only_root_filesystem": read_only_root,
        "capabilities": {"drop": ["ALL"]},
    }


def pod_security(uid: int = RUN_AS_USER) -> dict[str, Any]:
    return {
        "run_as_non_root": True,
        "run_as_user": uid,
        "run_as_group": uid,
        "fs_group": uid,
        "seccomp_profile": {"type": "RuntimeDefault"},
    }


def container(
    name: str,
    image: str,
    resources: Resources,
    *,
    env: list[dict[str, Any]] | None = None,
    ports: dict[str, int] | None = None,
    mounts: list[dict[str, Any]] | None = None,
    probes: dict[str, Any] | None = None,
    command: list[str] | None = None,
    read_only_root: bool = True,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name,
        "image": image,
        "image_pull_policy": "IfNotPresent",
        "resources": resources.as_k8s(),
        "security_context": container_security(read_only_root),
        "env": env or [],
        "ports": [
            {"name": port_name, "container_port": port, "protocol": "TCP"}
            for port_name, port in (ports or {}).items()
        ],
        "volume_mounts": mounts or [],
        **(probes or {}),
    }
    if command:
        spec["command"] = command
    return spec


def pod_template(
    labels: dict[str, str],
    containers: list[dict[str, Any]],
    volumes: list[dict[str, Any]],
    node_pool: str = "",
    init_containers: list[dict[str, Any]] | None = None,
    uid: int = RUN_AS_USER,
    annotations: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A pod that sees no service account token and no Service environment
    variables (Kubernetes would inject ORDERER_* style names Fabric reads),
    optionally pinned to a node pool; ``annotations``: a change restarts the pod."""
    spec: dict[str, Any] = {
        "automount_service_account_token": False,
        "enable_service_links": False,
        "security_context": pod_security(uid),
        "containers": containers,
        "volumes": volumes,
    }
    if node_pool:
        spec["node_selector"] = {"agentpool": node_pool}
    if init_containers:
        spec["init_containers"] = init_containers
    metadata: dict[str, Any] = {"labels": labels}
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata, "spec": spec}


def single_replica_spec(labels: dict[str, str], template: dict[str, Any]) -> dict[str, Any]:
    """One replica, Recreate: a node's volume is ReadWriteOnce and its ledger must
    never be opened by two processes."""
    selector = {k: v for k, v in labels.items() if k != "app.kubernetes.io/managed-by"}
    return {
        "replicas": 1,
        "strategy": {"type": "Recreate"},
        "selector": {"match_labels": selector},
        "template": template,
    }
