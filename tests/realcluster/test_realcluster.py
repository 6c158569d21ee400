"""A real single-node Kubernetes started by tools/localcluster: pods run in
containers and pass their probes, exec and logs work through the API, Service
names resolve through the cluster DNS from inside pods, a claim on the default
StorageClass binds and a non-root pod writes to it through its fsGroup, and a
stop leaves the host as it was."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client, config
from kubernetes.stream import stream

from tests.realcluster.host_snapshot import HostSnapshot, processes_running
from tests.realcluster.waiting import wait_for
from tools.localcluster import LocalCluster
from tools.localcluster.cluster import build_binaries, node_binary_paths
from tools.localcluster.images import HELPER_IMAGE

pytestmark = pytest.mark.realkube

NS = "default"
WEB_PORT = 8080


def pod(name: str, command: str, **spec: Any) -> dict[str, Any]:
    container = {
        "name": "main",
        "image": HELPER_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/bin/sh", "-c", command],
    }
    container.update(spec.pop("container", {}))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"containers": [container], "terminationGracePeriodSeconds": 1, **spec},
    }


def ready(cluster: LocalCluster, name: str) -> bool:
    p = cluster.api.request("GET", f"/api/v1/namespaces/{NS}/pods/{name}")
    conditions = p.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def run_in(cluster: LocalCluster, name: str, command: str) -> str:
    """Runs a shell command in the pod through the exec API; its output."""
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(cluster.kubeconfig)))
    out: str = stream(
        api.connect_get_namespaced_pod_exec, name, NS,
        command=["/bin/sh", "-c", command], stderr=True, stdin=False, stdout=True, tty=False,
    )
    return out


@pytest.fixture(scope="module")
def web(cluster: LocalCluster) -> str:
    """A busybox httpd behind the Service `web`, Ready through its HTTP probe."""
    cluster.api.request("POST", f"/api/v1/namespaces/{NS}/pods", pod(
        "web",
        f"mkdir -p /www && echo hello-from-web > /www/index.html && echo serving; "
        f"exec httpd -f -p {WEB_PORT} -h /www",
        container={"readinessProbe": {"httpGet": {"path": "/index.html", "port": WEB_PORT},
                                      "periodSeconds": 1}},
    ))
    cluster.api.request("POST", f"/api/v1/namespaces/{NS}/services", {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": WEB_PORT}]},
    })
    wait_for("pod web Ready", lambda: ready(cluster, "web"))
    return "web"


@pytest.fixture(scope="module")
def shell(cluster: LocalCluster) -> str:
    cluster.api.request("POST", f"/api/v1/namespaces/{NS}/pods",
                        pod("shell", "echo started; exec sleep 3600"))
    wait_for("pod shell Ready", lambda: ready(cluster, "shell"))
    return "shell"


def test_the_node_is_real_and_ready(cluster: LocalCluster):
    (node,) = cluster.api.request("GET", "/api/v1/nodes")["items"]
    info = node["status"]["nodeInfo"]
    assert info["kubeletVersion"] == "v1.36.3"
    assert info["containerRuntimeVersion"] == "containerd://2.1.4"
    assert cluster.api.request("GET", "/version")["gitVersion"] == "v1.36.3"


def test_a_pod_becomes_ready_through_its_http_probe_and_logs_are_served(
    cluster: LocalCluster, web: str
):
    assert ready(cluster, web)
    assert "serving" in cluster.api.text(f"/api/v1/namespaces/{NS}/pods/{web}/log")


def test_exec_runs_in_the_container(cluster: LocalCluster, shell: str):
    assert run_in(cluster, shell, "echo $((6 * 7)); id -u").split() == ["42", "0"]


def test_a_service_name_resolves_through_cluster_dns_and_connects(
    cluster: LocalCluster, web: str, shell: str
):
    fqdn = f"web.{NS}.svc.cluster.local"
    service_ip = cluster.api.request("GET", f"/api/v1/namespaces/{NS}/services/web")["spec"][
        "clusterIP"
    ]
    assert service_ip in run_in(cluster, shell, f"nslookup {fqdn}")
    assert run_in(cluster, shell, f"wget -q -O - http://{fqdn}/index.html").strip() == (
        "hello-from-web"
    )
    # The short name, through the pod's DNS search path.
    assert "hello-from-web" in run_in(cluster, shell, "wget -q -O - http://web/index.html")


def test_a_project_image_from_the_images_directory_runs_without_a_pull(
    cluster: LocalCluster, project_image: str
):
    cluster.api.request("POST", f"/api/v1/namespaces/{NS}/pods", {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "project"},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "main", "image": project_image,
                            "imagePullPolicy": "IfNotPresent"}],
        },
    })

    def phase() -> str:
        p = cluster.api.request("GET", f"/api/v1/namespaces/{NS}/pods/project")
        return str(p["status"].get("phase", ""))

    wait_for("pod project done", lambda: phase() in ("Succeeded", "Failed"))
    assert phase() == "Succeeded"
    log = cluster.api.text(f"/api/v1/namespaces/{NS}/pods/project/log")
    assert log.strip() == "hello-from-a-project-image"


def test_a_claim_on_the_default_storage_class_binds_and_a_non_root_pod_writes_to_it(
    cluster: LocalCluster,
):
    cluster.api.request("POST", f"/api/v1/namespaces/{NS}/persistentvolumeclaims", {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    })
    cluster.api.request("POST", f"/api/v1/namespaces/{NS}/pods", pod(
        "writer",
        "echo written > /data/file && stat -c '%u %g' /data/file && exec sleep 3600",
        container={"volumeMounts": [{"name": "data", "mountPath": "/data"}]},
        securityContext={"runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 2000},
        volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}],
    ))
    wait_for("pod writer Ready", lambda: ready(cluster, "writer"), timeout=120)
    claim = cluster.api.request("GET", f"/api/v1/namespaces/{NS}/persistentvolumeclaims/data")
    assert claim["status"]["phase"] == "Bound"
    assert claim["spec"]["storageClassName"] == "local-path"
    # Ready means the container started, not that its shell has reached `stat`.
    written = wait_for("writer's stat in its log", lambda: cluster.api.text(
        f"/api/v1/namespaces/{NS}/pods/writer/log").split(), timeout=30)
    assert written == ["1000", "2000"]
    assert run_in(cluster, "writer", "cat /data/file").strip() == "written"


def test_stop_leaves_the_host_as_it_was(cluster: LocalCluster, host_before: HostSnapshot):
    # The same binaries may run on the host for another purpose: the cluster's
    # processes are those that name its state directory.
    binaries, state = node_binary_paths(build_binaries()[1]), str(cluster.layout.root)
    assert processes_running(binaries, state)
    during = HostSnapshot.take()
    assert "cni0" in during.links and during.iptables != host_before.iptables
    cluster.stop()
    after = HostSnapshot.take()
    assert processes_running(binaries, state) == []
    assert not cluster.layout.root.exists()
    assert after.sysctls == host_before.sysctls
    assert after.dirs == host_before.dirs
    assert after.mounts - host_before.mounts == set()
    assert after.links == host_before.links
    assert after.iptables == host_before.iptables
    assert after.ip6tables == host_before.ip6tables
    assert after.nft_tables == host_before.nft_tables
    assert after.kubepods_cgroups == host_before.kubepods_cgroups == 0
