"""The cluster's own workloads, created through the API after the node is Ready:
CoreDNS behind the kube-dns Service (the address the kubelet gives pods as their
nameserver) and local-path-provisioner with the default StorageClass `local-path`,
whose volumes are directories under the cluster's state directory. Both run from
the images of tools/localcluster/images.py."""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path
from typing import Any

from tools.kube_api import KubeApi
from tools.localcluster.images import COREDNS_IMAGE, HELPER_IMAGE, PROVISIONER_IMAGE
from tools.localcluster.layout import CLUSTER_DNS_IP, CLUSTER_DOMAIN

PROVISIONER_NAMESPACE = "local-path-storage"
STORAGE_CLASS = "local-path"
DNS_APP = "kube-dns"

# kind: (API group path, plural, namespaced)
_KINDS = {
    "Namespace": ("/api/v1", "namespaces", False),
    "ServiceAccount": ("/api/v1", "serviceaccounts", True),
    "ConfigMap": ("/api/v1", "configmaps", True),
    "Service": ("/api/v1", "services", True),
    "Deployment": ("/apis/apps/v1", "deployments", True),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", False),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
    "StorageClass": ("/apis/storage.k8s.io/v1", "storageclasses", False),
}


def object_path(obj: dict[str, Any]) -> str:
    """The collection URL an object is created in."""
    group, plural, namespaced = _KINDS[obj["kind"]]
    if namespaced:
        return f"{group}/namespaces/{obj['metadata']['namespace']}/{plural}"
    return f"{group}/{plural}"


def create(api: KubeApi, objects: list[dict[str, Any]]) -> None:
    """Creates each object; one that exists already is left as it is."""
    for obj in objects:
        try:
            api.request("POST", object_path(obj), obj)
        except urllib.error.HTTPError as e:
            if e.code != 409:
                raise RuntimeError(
                    f"creating {obj['kind']} {obj['metadata']['name']}: {e.read().decode()}"
                ) from e


def _meta(name: str, namespace: str | None = None, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    return meta


def _cluster_rbac(name: str, namespace: str, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name, namespace)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": _meta(name), "rules": rules},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": _meta(name),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                        "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}],
        },
    ]


def _deployment(name: str, namespace: str, pod_spec: dict[str, Any],
                app: str = "") -> dict[str, Any]:
    labels = {"k8s-app": app or name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, namespace, **labels),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod_spec},
        },
    }


def _host_nameservers() -> list[str]:
    """The host's upstream nameservers that a pod can reach (not loopback ones)."""
    servers = []
    for line in Path("/etc/resolv.conf").read_text().splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "nameserver" and not words[1].startswith("127."):
            servers.append(words[1])
    return servers


def coredns() -> list[dict[str, Any]]:
    ns = "kube-system"
    upstream = _host_nameservers()
    forward = f"    forward . {' '.join(upstream)}\n" if upstream else ""
    corefile = (
        ".:53 {\n"
        "    errors\n"
        "    health :8080\n"
        "    ready :8181\n"
        f"    kubernetes {CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {{\n"
        "        pods insecure\n"
        "        fallthrough in-addr.arpa ip6.arpa\n"
        "        ttl 30\n"
        "    }\n"
        f"{forward}"
        "    cache 30\n"
        "}\n"
    )
    rules = [
        {"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"],
         "verbs": ["list", "watch"]},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"],
         "verbs": ["list", "watch"]},
    ]
    pod_spec = {
        "serviceAccountName": "coredns",
        "priorityClassName": "system-cluster-critical",
        "dnsPolicy": "Default",
        "containers": [
            {
                "name": "coredns",
                "image": COREDNS_IMAGE,
                "imagePullPolicy": "Never",
                "args": ["-conf", "/etc/coredns/Corefile"],
                "ports": [
                    {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                    {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"},
                ],
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181},
                                   "periodSeconds": 2},
                "livenessProbe": {"httpGet": {"path": "/health", "port": 8080},
                                  "periodSeconds": 10},
                "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}},
                "volumeMounts": [{"name": "config", "mountPath": "/etc/coredns",
                                  "readOnly": True}],
            }
        ],
        "volumes": [{"name": "config", "configMap": {"name": "coredns"}}],
    }
    return [
        *_cluster_rbac("coredns", ns, rules),
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("coredns", ns),
         "data": {"Corefile": corefile}},
        # Pods labelled k8s-app=kube-dns, as kubeadm and AKS label theirs: what
        # NetworkPolicies allowing DNS select (the program's do).
        _deployment("coredns", ns, pod_spec, app=DNS_APP),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("kube-dns", ns, **{"k8s-app": DNS_APP}),
            "spec": {
                "clusterIP": CLUSTER_DNS_IP,
                "selector": {"k8s-app": DNS_APP},
                "ports": [
                    {"name": "dns", "port": 53, "protocol": "UDP"},
                    {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                ],
            },
        },
    ]


def local_path_provisioner(volumes: Path) -> list[dict[str, Any]]:
    ns = PROVISIONER_NAMESPACE
    name = "local-path-provisioner"
    config = {"nodePathMap": [{"node": "DEFAULT_PATH_FOR_NON_LISTED_NODES",
                               "paths": [str(volumes)]}]}
    # The helper pod runs these with VOL_DIR set; the directory is owned by root
    # and made group-owned by the pod's fsGroup by the kubelet (local volumes).
    setup = 'set -eu\nmkdir -m 0770 -p "$VOL_DIR"\n'
    teardown = 'set -eu\nrm -rf "$VOL_DIR"\n'
    helper_pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "helper-pod"},
        "spec": {
            "priorityClassName": "system-node-critical",
            "containers": [{"name": "helper-pod", "image": HELPER_IMAGE,
                            "imagePullPolicy": "Never"}],
        },
    }
    rules = [
        {"apiGroups": [""], "resources": ["nodes", "persistentvolumeclaims", "configmaps",
                                           "pods", "pods/log"],
         "verbs": ["get", "list", "watch"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete", "patch"]},
        {"apiGroups": [""], "resources": ["persistentvolumes"],
         "verbs": ["get", "list", "watch", "create", "patch", "update", "delete"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
        {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"],
         "verbs": ["get", "list", "watch"]},
    ]
    sa = "local-path-provisioner-service-account"
    objects = _cluster_rbac(sa, ns, rules)
    pod_spec = {
        "serviceAccountName": sa,
        "priorityClassName": "system-node-critical",
        "containers": [
            {
                "name": name,
                "image": PROVISIONER_IMAGE,
                "imagePullPolicy": "Never",
                "args": ["start", "--config", "/etc/config/config.json",
                         "--helper-image", HELPER_IMAGE, "--service-account-name", sa,
                         "--configmap-name", "local-path-config"],
                "env": [{"name": "POD_NAMESPACE",
                         "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                "volumeMounts": [{"name": "config", "mountPath": "/etc/config",
                                  "readOnly": True}],
            }
        ],
        "volumes": [{"name": "config", "configMap": {"name": "local-path-config"}}],
    }
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns)},
        *objects,
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta("local-path-config", ns),
            "data": {
                "config.json": json.dumps(config),
                "setup": setup,
                "teardown": teardown,
                "helperPod.yaml": json.dumps(helper_pod),
            },
        },
        _deployment(name, ns, pod_spec),
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": STORAGE_CLASS,
                "annotations": {
                    "storageclass.kubernetes.io/is-default-class": "true",
                    # local (not hostPath) volumes: the kubelet applies fsGroup.
                    "defaultVolumeType": "local",
                },
            },
            "provisioner": "rancher.io/local-path",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
        },
    ]
