"""The optional CouchDB sidecar of a peer: its generated credentials Secret and
its container. The peer reaches it on localhost inside the pod."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.k8s.node_objects import NodePlacement
from fabric_components.k8s.workload import container
from fabric_components.providers.crypto import RandomSecretProvider
from fabric_components.providers.operation import TYPE_MODULE, TypedResource
from fabric_components.stack_config import Resources
from fabric_nodes.node_settings import COUCHDB_PASSWORD_KEY, COUCHDB_USER_KEY

COUCHDB_PORT = 5984
COUCHDB_UID = 5984
"""The uid the official couchdb image owns its files with."""
COUCHDB_USER = "admin"


class GeneratedPassword(TypedResource, module=TYPE_MODULE, name="GeneratedPassword"):
    """A random password generated once and kept in state as a secret."""

    value: pulumi.Output[str]

    def __init__(self, name: str, purpose: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__(RandomSecretProvider(), name,
                         {"purpose": purpose, "length": 24, "value": None}, opts, ["value"])


def couchdb_credentials(place: NodePlacement) -> k8s.core.v1.Secret:
    password = GeneratedPassword(f"{place.name}-couchdb-password", f"{place.k8s_name}-couchdb",
                                 place.opts)
    return k8s.core.v1.Secret(
        f"{place.name}-couchdb",
        metadata={"name": f"{place.k8s_name}-couchdb", "namespace": place.namespace,
                  "labels": place.labels},
        type="Opaque",
        string_data={
            COUCHDB_USER_KEY: COUCHDB_USER,
            COUCHDB_PASSWORD_KEY: password.value,  # secret: additional_secret_outputs
        },
        opts=place.opts,
    )


def couchdb_container(image: str, resources: Resources, credentials_secret: str) -> dict[str, Any]:
    def from_secret(key: str) -> dict[str, Any]:
        return {"secret_key_ref": {"name": credentials_secret, "key": key}}

    probe = {"http_get": {"path": "/_up", "port": COUCHDB_PORT}, "period_seconds": 10}
    spec = container(
        "couchdb",
        image,
        resources,
        env=[
            {"name": "COUCHDB_USER", "value_from": from_secret(COUCHDB_USER_KEY)},
            {"name": "COUCHDB_PASSWORD", "value_from": from_secret(COUCHDB_PASSWORD_KEY)},
        ],
        ports={"couchdb": COUCHDB_PORT},
        mounts=[{"name": "couchdb", "mount_path": "/opt/couchdb/data"}],
        probes={
            "startup_probe": {**probe, "failure_threshold": 30},
            "liveness_probe": {**probe, "failure_threshold": 6},
            "readiness_probe": {**probe, "failure_threshold": 3},
        },
        read_only_root=False,
    )
    spec["security_context"]["run_as_user"] = COUCHDB_UID
    spec["security_context"]["run_as_group"] = COUCHDB_UID
    return spec
