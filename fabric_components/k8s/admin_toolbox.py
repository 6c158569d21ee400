"""One admin toolbox Deployment per org: the fabric-tools image with the org
admin's MSP and TLS client pair and every org's TLS CA certificate mounted. It is
where the org's peer and orderer operations run inside the cluster."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.crypto_material import (
    AdminCerts,
    CaMaterial,
    IdentityMaterial,
    identity_file_tree,
)
from fabric_components.k8s.node_objects import (
    MATERIAL_HASH,
    NodePlacement,
    deployment,
    files_secret,
    files_volume,
    material_hash,
)
from fabric_components.k8s.workload import (
    container,
    env_list,
    exec_probes,
    pod_template,
    single_replica_spec,
)
from fabric_components.stack_config import PodSettings
from fabric_nodes.naming import admin_name, labels
from fabric_nodes.node_settings import (
    ClusterAddressing,
    admin_environment,
)
from network_spec import OrgSpec

ADMIN_DIR = "/var/hyperledger/admin"
TLS_CA_DIR = "/var/hyperledger/tls-ca"
TLS_CA_CONFIGMAP = "tls-ca-certs"


def admin_toolbox(
    name: str,
    org: OrgSpec,
    admin: IdentityMaterial,
    admin_certs: AdminCerts,
    cas: CaMaterial,
    tls_cas: k8s.core.v1.ConfigMap,
    namespace: str,
    pod: PodSettings,
    config_dir: str,
    parent: pulumi.Resource,
    roll_on_renewal: bool = True,
) -> k8s.apps.v1.Deployment:
    """``config_dir``: where ``pod.image`` keeps the release's core.yaml;
    ``roll_on_renewal``: the pod restarts when the admin's certificates change."""
    k8s_name = admin_name(org)
    place = NodePlacement(
        name=f"{name}-admin",
        k8s_name=k8s_name,
        namespace=namespace,
        labels=labels(org, "fabric-admin-toolbox", k8s_name),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    files = identity_file_tree(org, cas, admin, admin_certs.current, admin_certs.previous)
    secret = files_secret(place, "crypto", files)
    env = admin_environment(
        org, ClusterAddressing(namespace), config_dir, ADMIN_DIR, TLS_CA_DIR
    )
    env["HOME"] = "/tmp"
    tools = container(
        "tools",
        pod.image,
        pod.resources,
        env=env_list(env),
        command=["sleep", "infinity"],
        mounts=[
            {"name": "admin", "mount_path": ADMIN_DIR, "read_only": True},
            {"name": "tls-ca", "mount_path": TLS_CA_DIR, "read_only": True},
            {"name": "tmp", "mount_path": "/tmp"},
        ],
        probes=exec_probes(["peer", "version"]),
    )
    volumes = [
        files_volume("admin", secret, files),
        {"name": "tls-ca", "config_map": {"name": tls_cas.metadata["name"]}},
        {"name": "tmp", "empty_dir": {}},
    ]
    # A renewed admin certificate restarts the toolbox, as it does a node.
    template = pod_template(place.labels, [tools], volumes, pod.node_pool,
                            annotations={MATERIAL_HASH: material_hash(files)}
                            if roll_on_renewal else None)
    return deployment(place, single_replica_spec(place.labels, template), [secret, tls_cas])
