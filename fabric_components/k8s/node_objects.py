"""The Kubernetes objects every Fabric node gets: its crypto Secret, its
PersistentVolumeClaims, a single-replica Deployment and a ClusterIP Service."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from crypto.layout import is_private_key
from fabric_components.k8s.workload import secret_items, secret_key
from fabric_components.stack_config import VolumeSettings

WRITABLE_ROOT = "fabric.hyperledger.org/writable-root"
"""Workload annotation naming the containers the policy pack lets keep a
writable root filesystem (policy/rules.py). On the Deployment, not its pod
template: adding one restarts no pod."""

MATERIAL_HASH = "fabric.hyperledger.org/material-sha256"
"""Pod template annotation: the SHA-256 of the certificates of a node's crypto
Secret. A renewal changes only the Secret's contents, which restarts no pod
by itself (and Fabric reads its certificates at start); through this
annotation the Deployment rolls, after its predecessor's readiness gate."""


def material_digest(tree: dict[str, str]) -> str:
    """``MATERIAL_HASH`` of a file tree: its paths and every file but the private
    keys (a new key comes with a new certificate), so the hash is not secret."""
    public = {path: text for path, text in tree.items() if not is_private_key(path)}
    return hashlib.sha256(json.dumps(public, sort_keys=True).encode()).hexdigest()


def material_hash(files: pulumi.Output[dict[str, str]]) -> pulumi.Output[str]:
    return pulumi.Output.unsecret(files.apply(material_digest))


@dataclass(frozen=True)
class NodePlacement:
    """What every object of one node shares."""

    name: str
    """The Pulumi name prefix, e.g. ``org1-peer0``."""
    k8s_name: str
    """The Kubernetes object name, e.g. ``peer0-org1``."""
    namespace: str
    labels: dict[str, str]
    opts: pulumi.ResourceOptions


def files_secret(
    place: NodePlacement, suffix: str, files: pulumi.Output[dict[str, str]]
) -> k8s.core.v1.Secret:
    """A Secret holding a file tree (keys made Secret-safe, see ``secret_key``)."""
    return k8s.core.v1.Secret(
        f"{place.name}-{suffix}",
        metadata={"name": f"{place.k8s_name}-{suffix}", "namespace": place.namespace,
                  "labels": place.labels},
        type="Opaque",
        # ``files`` is secret, and so is everything applied to it.
        string_data=files.apply(lambda f: {secret_key(path): text for path, text in f.items()}),
        opts=place.opts,
    )


def files_volume(
    volume: str, secret: k8s.core.v1.Secret, files: pulumi.Output[dict[str, str]]
) -> dict[str, Any]:
    """A volume that lays the Secret out as the original tree. The file list is
    not secret (only the contents are), so it stays readable in diffs."""
    paths = pulumi.Output.unsecret(files.apply(lambda f: sorted(f)))
    return {
        "name": volume,
        "secret": {
            "secret_name": secret.metadata["name"],
            "items": paths.apply(secret_items),
            "default_mode": 0o444,
        },
    }


def volume_claim(
    place: NodePlacement, suffix: str, volume: VolumeSettings
) -> k8s.core.v1.PersistentVolumeClaim:
    """A node's volume; with ``retainVolumes`` deleting it from the program (or
    ``pulumi destroy``) leaves the claim and its ledger in the cluster."""
    spec: dict[str, Any] = {
        "access_modes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": volume.size}},
    }
    if volume.storage_class:
        spec["storage_class_name"] = volume.storage_class
    return k8s.core.v1.PersistentVolumeClaim(
        f"{place.name}-{suffix}",
        metadata={
            "name": f"{place.k8s_name}-{suffix}",
            "namespace": place.namespace,
            "labels": place.labels,
            # A claim on a WaitForFirstConsumer class stays Pending until its pod
            # exists; the Deployment is what waits for it.
            "annotations": {"pulumi.com/skipAwait": "true"},
        },
        spec=spec,
        opts=pulumi.ResourceOptions.merge(
            place.opts, pulumi.ResourceOptions(retain_on_delete=volume.retain)
        ),
    )


def deployment(
    place: NodePlacement, spec: dict[str, Any],
    depends_on: pulumi.Input[list[pulumi.Resource]], writable_root: list[str] | None = None,
) -> k8s.apps.v1.Deployment:
    metadata: dict[str, Any] = {"name": place.k8s_name, "namespace": place.namespace,
                                "labels": place.labels}
    if writable_root:
        metadata["annotations"] = {WRITABLE_ROOT: ",".join(writable_root)}
    return k8s.apps.v1.Deployment(
        place.name,
        metadata=metadata,
        spec=spec,
        opts=pulumi.ResourceOptions.merge(
            place.opts, pulumi.ResourceOptions(depends_on=depends_on)
        ),
    )


def service(place: NodePlacement, ports: dict[str, int]) -> k8s.core.v1.Service:
    selector = {k: v for k, v in place.labels.items() if k != "app.kubernetes.io/managed-by"}
    return k8s.core.v1.Service(
        place.name,
        metadata={"name": place.k8s_name, "namespace": place.namespace, "labels": place.labels},
        spec={
            "type": "ClusterIP",
            "selector": selector,
            "ports": [
                {"name": name, "port": port, "target_port": port, "protocol": "TCP"}
                for name, port in ports.items()
            ],
        },
        opts=place.opts,
    )
