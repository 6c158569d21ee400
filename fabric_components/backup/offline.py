"""The Kubernetes side of an offline backup (``fabric:backupMode: offline``),
for clusters without CSI snapshots: a node is stopped by a Job that scales its
Deployment to 0 and waits until its pod is gone, its volumes are copied by the
backup Job (mounted read-only, nothing else holds them), and a Job waits until
the copy has ended, scales the node back to 1 and waits until it is Ready, then
fails if the copy failed. The engine does not wait for the copy Job itself
(``skipAwait``): a copy that fails, or a ``pulumi up`` that dies during the copy,
never leaves the node stopped. ``jobs.NetworkBackup`` chains these so that one
node is down at a time.

Only the scaler Jobs reach the Kubernetes API: their service account may get
and scale the node Deployments (by name), get the copy Jobs (by name) and list
the namespace's pods, nothing else, and its token is projected into the one
container that uses it, for ten minutes. The Deployments keep ``replicas: 1``
in the program: the last Job puts that back, so no drift is left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.backup import scale_node
from fabric_components.k8s.workload import container, pod_template
from fabric_components.stack_config import Resources, StackConfig
from network_spec.k8s_names import backup_job_name

SCALER = "backup-scaler"
"""The ServiceAccount, Role, RoleBinding and NetworkPolicy of the scaler Jobs."""
SCALER_POD = "fabric-backup-scaler"
SCALER_RESOURCES = Resources("50m", "64Mi", "500m", "128Mi")
TIMEOUT_SECONDS = 600
"""How long a node may take to stop, or to be Ready again."""
TOKEN_SECONDS = 600
"""The projected token's lifetime (the kubelet renews it before it expires)."""
API_PORTS = (443, 6443)
"""The API server's port behind the ``kubernetes`` Service (AKS: 443; kubeadm and
local clusters: 6443): a NetworkPolicy sees the translated address."""
PART_OF = {"app.kubernetes.io/part-of": "fabric-network",
           "app.kubernetes.io/managed-by": "pulumi"}


def scaler_access(
    config: StackConfig, deployments: list[str], copy_jobs: list[str],
    opts: pulumi.ResourceOptions,
) -> list[pulumi.Resource]:
    """The scaler Jobs' identity, its Role and the one egress they get."""
    meta = {"name": SCALER, "namespace": config.namespace, "labels": PART_OF}
    account = k8s.core.v1.ServiceAccount(
        SCALER, metadata=meta, automount_service_account_token=False, opts=opts)
    role = k8s.rbac.v1.Role(SCALER, metadata=meta, rules=[
        {"api_groups": ["apps"], "resources": ["deployments/scale"],
         "resource_names": deployments, "verbs": ["get", "patch"]},
        {"api_groups": ["apps"], "resources": ["deployments"],
         "resource_names": deployments, "verbs": ["get"]},
        {"api_groups": ["batch"], "resources": ["jobs"], "resource_names": copy_jobs,
         "verbs": ["get"]},
        {"api_groups": [""], "resources": ["pods"], "verbs": ["list"]},
    ], opts=opts)
    binding = k8s.rbac.v1.RoleBinding(
        SCALER, metadata=meta,
        role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": SCALER},
        subjects=[{"kind": "ServiceAccount", "name": SCALER, "namespace": config.namespace}],
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            depends_on=[account, role])))
    egress = k8s.networking.v1.NetworkPolicy(
        SCALER, metadata=meta, spec={
            "pod_selector": {"match_labels": {"app.kubernetes.io/name": SCALER_POD}},
            "policy_types": ["Ingress", "Egress"],
            "ingress": [],
            "egress": [{"ports": [{"port": p, "protocol": "TCP"} for p in API_PORTS]}],
        }, opts=opts)
    return [binding, egress]


def scale_job(
    name: str, k8s_name: str, config: StackConfig, deployment: str, replicas: int,
    opts: pulumi.ResourceOptions,
) -> k8s.batch.v1.Job:
    """Scales ``deployment`` to ``replicas`` and waits (``scale_node.py``): a
    start only once the node's copy Job has ended, failing if it failed; a stop
    not at all when this key's copy has already ended. The pod names the key: a
    Job runs only when created, and a new key must replace it (deleted first,
    as the name stays), or the next backup would copy running nodes."""
    labels = {**PART_OF, "app.kubernetes.io/name": SCALER_POD,
              "app.kubernetes.io/instance": k8s_name}
    env = {"NAMESPACE": config.namespace, "DEPLOYMENT": deployment,
           "REPLICAS": str(replicas), "TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
           "COPY_JOB": backup_job_name(deployment), "BACKUP_KEY": config.backup.key}
    scaler = container(
        "scale", config.backup.image, SCALER_RESOURCES,
        env=[{"name": k, "value": v} for k, v in env.items()],
        mounts=[{"name": "api", "mount_path": scale_node.TOKEN_DIR, "read_only": True}],
        command=["python3", "-c", Path(scale_node.__file__).read_text()])
    template = pod_template(labels, [scaler], [_token_volume()], config.cluster.node_pool)
    template["spec"].update(restart_policy="Never", service_account_name=SCALER)
    return k8s.batch.v1.Job(
        name,
        metadata={"name": k8s_name, "namespace": config.namespace, "labels": labels,
                  "annotations": {scale_node.KEY_ANNOTATION: config.backup.key}},
        spec={"backoff_limit": 1, "template": template},
        opts=opts,
    )


def _token_volume() -> dict[str, Any]:
    """The service account's token and the cluster CA, for the scaler only (the
    pod itself mounts no token: ``automountServiceAccountToken: false``)."""
    return {"name": "api", "projected": {"sources": [
        {"service_account_token": {"path": "token", "expiration_seconds": TOKEN_SECONDS}},
        {"config_map": {"name": "kube-root-ca.crt",
                        "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
    ]}}
