"""The chaincode-as-a-service server of one chaincode for one org: a Deployment
running the chaincode image with its package ID, serving mutual TLS with a
certificate of the org's TLS CA (a Secret), and the Service the org's peers dial
(the address inside the package's connection.json)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.k8s.node_objects import (
    MATERIAL_HASH,
    NodePlacement,
    deployment,
    files_secret,
    files_volume,
    material_hash,
    service,
)
from fabric_components.k8s.workload import container, pod_template
from fabric_components.stack_config import PodSettings
from fabric_nodes.naming import CLUSTER_DOMAIN, labels
from fabric_ops.ccaas_package import (
    CCAAS_PORT,
    SERVER_TLS_FILES,
    server_tls_environment,
)
from network_spec import ChaincodeSpec, OrgSpec
from network_spec.k8s_names import chaincode_server_name


def chaincode_k8s_name(chaincode: ChaincodeSpec, org: OrgSpec) -> str:
    """``<chaincode>-<org>``; the loader checked it is a valid Service name, unique."""
    return chaincode_server_name(chaincode.name, org.k8s_name)


TLS_DIR = "/var/hyperledger/chaincode-tls"


@dataclass(frozen=True)
class ServerTls:
    """A chaincode server's key pair (of its org's TLS CA) and that CA, which the
    peers' client certificates must chain to."""

    cert: pulumi.Output[str]
    key: pulumi.Output[str]
    client_ca: pulumi.Output[str]


def server_dns_names(chaincode: ChaincodeSpec, org: OrgSpec, namespace: str) -> tuple[str, ...]:
    """Every name of the server's Service (its certificate's SANs), the fully
    qualified one, which the package names, last."""
    name = chaincode_k8s_name(chaincode, org)
    return (name, f"{name}.{namespace}", f"{name}.{namespace}.svc",
            f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}")


def server_address(chaincode: ChaincodeSpec, org: OrgSpec, namespace: str) -> str:
    """The address the org's peers dial, written into the package."""
    return f"{server_dns_names(chaincode, org, namespace)[-1]}:{CCAAS_PORT}"


def tls_volume(place: NodePlacement, tls: ServerTls) -> tuple[k8s.core.v1.Secret, dict[str, Any]]:
    """The Secret ``<server>-tls`` (the name ``network_spec.k8s_names`` checks)
    with the server's key pair and client CA, and the volume laying it out."""

    def tree(pems: list[str]) -> dict[str, str]:
        return dict(zip(SERVER_TLS_FILES.values(), pems, strict=True))

    files: pulumi.Output[dict[str, str]] = pulumi.Output.secret(
        pulumi.Output.all(tls.cert, tls.key, tls.client_ca).apply(tree))
    secret = files_secret(place, "tls", files)
    return secret, files_volume("tls", secret, files)


def chaincode_server(
    name: str,
    chaincode: ChaincodeSpec,
    org: OrgSpec,
    package_id: str,
    namespace: str,
    pod: PodSettings,
    tls: ServerTls | None,
    parent: pulumi.Resource,
    rolls: bool = False,
) -> k8s.apps.v1.Deployment:
    """Without ``tls`` (``fabric:endpointTls`` false) the server serves plain gRPC.
    With ``rolls`` (``fabric:certRenewal``) its pod template carries the hash of
    its certificates (``MATERIAL_HASH``): the server reads them when it starts,
    so a renewal restarts it (a rolling update: the new pod serves before the
    old one goes)."""
    k8s_name = chaincode_k8s_name(chaincode, org)
    place = NodePlacement(
        name=name,
        k8s_name=k8s_name,
        namespace=namespace,
        labels=labels(org, "fabric-chaincode", k8s_name),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    probe = {"tcp_socket": {"port": CCAAS_PORT}, "period_seconds": 10}
    env = [{"name": "CHAINCODE_ID", "value": package_id},
           {"name": "CHAINCODE_SERVER_ADDRESS", "value": f"0.0.0.0:{CCAAS_PORT}"}]
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mount_path": "/tmp"}]
    volumes: list[dict[str, Any]] = [{"name": "tmp", "empty_dir": {}}]
    depends_on: list[pulumi.Resource] = []
    annotations: dict[str, Any] | None = None
    if tls is not None:
        if rolls:
            public = pulumi.Output.all(tls.cert, tls.client_ca).apply(
                lambda pems: dict(zip(("tls.crt", "ca.crt"), pems, strict=True)))
            annotations = {MATERIAL_HASH: material_hash(public)}
        secret, volume = tls_volume(place, tls)
        env += [{"name": name, "value": value}
                for name, value in server_tls_environment(TLS_DIR).items()]
        mounts.append({"name": "tls", "mount_path": TLS_DIR, "read_only": True})
        volumes.append(volume)
        depends_on.append(secret)
    server = container(
        "chaincode", pod.image, pod.resources, env=env, ports={"chaincode": CCAAS_PORT},
        mounts=mounts,
        probes={"liveness_probe": {**probe, "failure_threshold": 6},
                "readiness_probe": {**probe, "failure_threshold": 3}},
    )
    template = pod_template(place.labels, [server], volumes, pod.node_pool,
                            annotations=annotations)
    spec = {
        "replicas": 1,
        "selector": {"match_labels": {k: v for k, v in place.labels.items()
                                      if k != "app.kubernetes.io/managed-by"}},
        "template": template,
    }
    service(place, {"chaincode": CCAAS_PORT})
    return deployment(place, spec, depends_on)
