"""External access to one node (``fabric:externalAccess: loadbalancer``): a
LoadBalancer Service of its own on the node's gRPC port, so TLS runs end to
end between the client and the node (a layer-4 load balancer passes it
through; nothing terminates it). The node's external host name is
``<node>-<namespace>.<domain>``: on AKS the Azure DNS label annotation makes the
Service's public IP answer to ``<label>.<region>.cloudapp.azure.com``; with
external-dns, its hostname annotation creates the record in another zone."""

from __future__ import annotations

import pulumi_kubernetes as k8s

from fabric_components.k8s.node_objects import NodePlacement
from network_spec.k8s_names import external_service_name

EXPOSURE = "fabric.hyperledger.org/exposure"
"""Label of the Services exposed on purpose; the policy pack lets only these be
LoadBalancers."""
AZURE_DNS_LABEL = "service.beta.kubernetes.io/azure-dns-label-name"
EXTERNAL_DNS_HOSTNAME = "external-dns.alpha.kubernetes.io/hostname"


def external_service(place: NodePlacement, port_name: str, port: int,
                     host: str) -> k8s.core.v1.Service:
    selector = {k: v for k, v in place.labels.items() if k != "app.kubernetes.io/managed-by"}
    return k8s.core.v1.Service(
        f"{place.name}-external",
        metadata={
            "name": external_service_name(place.k8s_name),
            "namespace": place.namespace,
            "labels": {**place.labels, EXPOSURE: "external"},
            "annotations": {AZURE_DNS_LABEL: host.split(".", 1)[0],
                            EXTERNAL_DNS_HOSTNAME: host},
        },
        spec={
            "type": "LoadBalancer",
            "selector": selector,
            "ports": [{"name": port_name, "port": port, "target_port": port,
                       "protocol": "TCP"}],
        },
        opts=place.opts,
    )
