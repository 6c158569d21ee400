"""The toolbox executor against a real API server (kwok runs the pods): of a
Deployment's pod and a bare pod carrying the same labels, both Running, it
picks the Deployment's."""

from __future__ import annotations

import threading
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


def _toolbox_deployment(name: str) -> dict[str, object]:
    labels = {"app.kubernetes.io/instance": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": POD_SPEC}}}


def test_a_command_waits_for_the_toolbox_to_have_a_pod(kube: LocalKube) -> None:
    """As while a toolbox rolls: no pod to exec into yet, then one."""
    executor = PodExecutor(kube.kubeconfig.read_text(), "default", "admin-org2",
                           AdminPaths(admin_dir="/a", tls_ca_dir="/t"))
    later = threading.Timer(3, lambda: kube.request(
        "POST", "/apis/apps/v1/namespaces/default/deployments",
        _toolbox_deployment("admin-org2")))
    later.start()
    started = time.monotonic()
    chosen = executor._waited_pod(executor._api_client())
    later.join()
    assert chosen.startswith("admin-org2-") and time.monotonic() - started >= 3


def test_the_wait_ends_naming_what_was_missing(kube: LocalKube, monkeypatch) -> None:
    monkeypatch.setattr("fabric_ops.pod_executor.POD_WAIT_SECONDS", 2)
    executor = PodExecutor(kube.kubeconfig.read_text(), "default", "admin-org9",
                           AdminPaths(admin_dir="/a", tls_ca_dir="/t"))
    with pytest.raises(TransportError, match="no Deployment default/admin-org9 after 2 s"):
        executor._waited_pod(executor._api_client())
