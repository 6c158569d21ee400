"""The Prometheus Operator and Grafana objects of ``fabric:monitoring:
podmonitor``: a PodMonitor scraping every peer's and orderer's operations port
(``/metrics``, Prometheus format, see ``fabric_nodes.node_settings``) over
HTTPS, one endpoint per node verifying its certificate by its org's TLS CA (the
``tls-ca-certs`` ConfigMap) and its Service name, a
PrometheusRule with the alert rules (and the certificate expiry recording rules,
``certificate_rules``), and a ConfigMap per dashboard for the
Grafana sidecar (label ``grafana_dashboard: "1"``). The PodMonitor's relabelings
give every series the ``node`` (Kubernetes name), ``role`` (``fabric-peer`` or
``fabric-orderer``) and ``org`` labels the dashboards and rules use."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.k8s.admin_toolbox import TLS_CA_CONFIGMAP
from fabric_components.monitoring.certificate_rules import expiry_records, with_expiry_records
from fabric_components.monitoring.definitions import alert_groups, dashboards
from fabric_components.monitoring.scraper import SCRAPER_SECRET
from fabric_nodes.naming import service_host
from network_spec import NetworkSpec

API_VERSION = "monitoring.coreos.com/v1"
NODE_ROLES = ["fabric-peer", "fabric-orderer"]
PART_OF = {"app.kubernetes.io/part-of": "fabric-network", "app.kubernetes.io/managed-by": "pulumi"}
POD_LABEL = "__meta_kubernetes_pod_label_"
RELABELINGS = [
    {"sourceLabels": [f"{POD_LABEL}app_kubernetes_io_instance"], "targetLabel": "node"},
    {"sourceLabels": [f"{POD_LABEL}app_kubernetes_io_name"], "targetLabel": "role"},
    {"sourceLabels": [f"{POD_LABEL}fabric_hyperledger_org_org"], "targetLabel": "org"},
]


def node_endpoints(spec: NetworkSpec, namespace: str, tls: bool = True) -> list[dict[str, Any]]:
    """A scrape endpoint per node: Prometheus dials the pod's IP, so the name to
    verify the certificate against (one of the node's Service names, which its
    TLS certificate carries) and the CA (its org's TLS CA) are set per node,
    and each endpoint keeps only its node's pod. Without ``tls``
    (``fabric:endpointTls`` false) one plain HTTP endpoint for every node."""
    if not tls:
        return [{"port": "operations", "path": "/metrics", "scheme": "http",
                 "relabelings": RELABELINGS}]
    return [
        {
            "port": "operations",
            "path": "/metrics",
            "scheme": "https",
            "tlsConfig": {
                "ca": {"configMap": {"name": TLS_CA_CONFIGMAP, "key": f"{org.domain}.pem"}},
                "serverName": service_host(node, namespace),
                # Fabric serves /metrics over TLS only to a client certificate.
                "cert": {"secret": {"name": SCRAPER_SECRET, "key": "tls.crt"}},
                "keySecret": {"name": SCRAPER_SECRET, "key": "tls.key"},
            },
            "relabelings": [
                {"sourceLabels": [f"{POD_LABEL}app_kubernetes_io_instance"],
                 "regex": node.k8s_name, "action": "keep"},
                *RELABELINGS,
            ],
        }
        for org in spec.orgs for node in org.nodes
    ]


def monitoring_objects(
    spec: NetworkSpec, namespace: str, renew_before: timedelta,
    certificates: pulumi.Output[dict[str, Any]], opts: pulumi.ResourceOptions,
    tls: bool = True,
) -> None:
    """``certificates``: the stack's ``certificates`` output (expiry report).
    ``tls``: ``fabric:endpointTls`` (scrape over HTTPS with the scraper identity)."""
    metadata = {"namespace": namespace, "labels": PART_OF}
    k8s.apiextensions.CustomResource(
        "fabric-nodes-podmonitor",
        api_version=API_VERSION,
        kind="PodMonitor",
        metadata={"name": "fabric-nodes", **metadata},
        spec={
            "selector": {"matchExpressions": [
                {"key": "app.kubernetes.io/name", "operator": "In", "values": NODE_ROLES},
            ]},
            "namespaceSelector": {"matchNames": [namespace]},
            "podMetricsEndpoints": node_endpoints(spec, namespace, tls),
        },
        opts=opts,
    )
    k8s.apiextensions.CustomResource(
        "fabric-alerts",
        api_version=API_VERSION,
        kind="PrometheusRule",
        metadata={"name": "fabric-alerts", **metadata},
        spec={"groups": certificates.apply(lambda report: with_expiry_records(
            alert_groups(namespace, renew_before), expiry_records(namespace, report)))},
        opts=opts,
    )
    for file_name, dashboard in dashboards().items():
        k8s.core.v1.ConfigMap(
            f"dashboard-{file_name.removesuffix('.json')}",
            metadata={"name": f"fabric-dashboard-{file_name.removesuffix('.json')}",
                      "namespace": namespace,
                      "labels": {**PART_OF, "grafana_dashboard": "1"}},
            data={file_name: json.dumps(dashboard, indent=2)},
            opts=opts,
        )
