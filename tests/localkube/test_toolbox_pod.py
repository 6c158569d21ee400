"""The toolbox executor against a real API server (kwok runs the pods): of a
Deployment's pod and a bare pod carrying the same labels, both Running, it
picks the Deployment's."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from fabric_ops.executor import AdminPaths
from fabric_ops.pod_executor import PodExecutor, TransportError
from tests.localkube.test_localkube import build
from tools.localkube import LocalKube

pytestmark = pytest.mark.kube

LABELS = {"app.kubernetes.io/instance": "admin-org1"}
POD_SPEC = {"containers": [{"name": "tools", "image": "example.invalid/tools:1"}]}


@pytest.fixture(scope="module")
def kube() -> Iterator[LocalKube]:
    (kube_dir,) = build("kube")
    with LocalKube(kube_dir=kube_dir) as k:
        yield k


def running(kube: LocalKube) -> list[str]:
    items = kube.request("GET", "/api/v1/namespaces/default/pods?labelSelector="
                         "app.kubernetes.io%2Finstance%3Dadmin-org1")["items"]
    return [p["metadata"]["name"] for p in items if p["status"].get("phase") == "Running"]


def test_only_the_deployments_pod_is_used(kube: LocalKube) -> None:
    executor = PodExecutor(kube.kubeconfig.read_text(), "default", "admin-org1",
                           AdminPaths(admin_dir="/a", tls_ca_dir="/t"))
    kube.request("POST", "/api/v1/namespaces/default/pods", {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "admin-org1-impostor", "labels": LABELS}, "spec": POD_SPEC})
    deadline = time.monotonic() + 60
    while "admin-org1-impostor" not in running(kube) and time.monotonic() < deadline:
        time.sleep(0.5)
    with pytest.raises(TransportError, match="no Deployment default/admin-org1"):
        executor._pod(executor._api_client())
    kube.request("POST", "/apis/apps/v1/namespaces/default/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "admin-org1"},
        "spec": {"replicas": 1, "selector": {"matchLabels": LABELS},
                 "template": {"metadata": {"labels": LABELS}, "spec": POD_SPEC}}})
    while len(running(kube)) < 2 and time.monotonic() < deadline + 60:
        time.sleep(0.5)
    chosen = executor._pod(executor._api_client())
    assert chosen.startswith("admin-org1-") and chosen != "admin-org1-impostor"
