"""A throwaway local Kubernetes control plane for tests: etcd, kube-apiserver,
kube-controller-manager, kube-scheduler and kwok (fake nodes and pods), all on
127.0.0.1 with free ports, from the binaries that `tools/build-tools.sh kube`
builds. Nothing runs in containers: pods are scheduled to a kwok node and kwok
marks them Running.

    from tools.localkube import LocalKube
    with LocalKube() as kube:
        print(kube.kubeconfig)            # admin kubeconfig (client certificate)
        kube.request("GET", "/api/v1/nodes")

Every process is started in its own session and stopped (TERM, then KILL) on
exit, also when start-up fails half way; the kernel kills them if the harness
itself dies. `python -m tools.localkube` starts the
control plane, creates a Deployment, waits for its pod to be Running and stops.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.control_plane import ControlPlaneOptions, build_tool, free_port, start_control_plane
from tools.kube_api import KubeApi
from tools.kube_processes import Supervisor
from tools.lifecycle import StartedInContext

FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"


@dataclass
class LocalKube(StartedInContext):
    """Starts the control plane on __enter__ and stops it on __exit__."""

    kube_dir: Path | None = None  # result dir of `build-tools.sh kube`; built when None
    workdir: Path | None = None  # kept when given, else a temp dir removed on exit
    fake_nodes: int = 1
    start_timeout: float = 120.0
    kubeconfig: Path = field(init=False)
    server: str = field(init=False)
    _sup: Supervisor | None = field(init=False, default=None)
    _api: KubeApi | None = field(init=False, default=None)
    _own_workdir: bool = field(init=False, default=False)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        kube_dir = self.kube_dir or build_tool("kube")[-1]
        bin_dir = kube_dir / "bin"
        stages = kube_dir / "kwok-stages"
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="localkube-"))
            self._own_workdir = True
        wd = self.workdir
        self._sup = sup = Supervisor(wd / "logs", self.start_timeout)
        plane = start_control_plane(
            sup,
            bin_dir,
            wd,
            ControlPlaneOptions(
                # It taints new nodes not-ready until the node lifecycle controller,
                # which is not run (see below), sees them Ready.
                apiserver_args=("--disable-admission-plugins=TaintNodesByCondition",),
                # kwok keeps its nodes Ready; nothing here would evict pods from them.
                controllers="*,-node-lifecycle-controller",
            ),
        )
        self.server, self.kubeconfig, self._api = plane.server, plane.kubeconfig, plane.api

        kwok_args = [
            str(bin_dir / "kwok"),
            f"--kubeconfig={self.kubeconfig}",
            "--manage-all-nodes=false",
            f"--manage-nodes-with-annotation-selector={FAKE_NODE_ANNOTATION}=fake",
            f"--server-address=127.0.0.1:{free_port()}",
            "--node-ip=127.0.0.1",
            "--cidr=10.1.0.0/16",
        ]
        for rel in (
            "node/fast/node-initialize.yaml",
            "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
            "pod/fast/pod-ready.yaml",
            "pod/fast/pod-complete.yaml",
            "pod/fast/pod-delete.yaml",
        ):
            if (stages / rel).exists():
                kwok_args.append(f"--config={stages / rel}")
        sup.spawn("kwok", kwok_args)
        for i in range(self.fake_nodes):
            self.add_fake_node(f"kwok-node-{i}")
        sup.wait("fake nodes Ready", self._nodes_ready)

    def stop(self) -> None:
        # In reverse start order, so that the apiserver still has etcd while it
        # shuts down; TERM, then KILL after a grace period.
        if self._sup is not None:
            self._sup.stop()
        if self._own_workdir and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            self._own_workdir = False

    # -- API helpers ------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        """One call to the apiserver as admin; returns the decoded JSON."""
        assert self._api is not None, "LocalKube is not started"
        return self._api.request(method, path, body, timeout)

    def add_fake_node(self, name: str) -> None:
        self.request(
            "POST",
            "/api/v1/nodes",
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "annotations": {
                        FAKE_NODE_ANNOTATION: "fake",
                        "node.alpha.kubernetes.io/ttl": "0",
                    },
                    "labels": {
                        "kubernetes.io/hostname": name,
                        "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": "amd64",
                        "type": "kwok",
                    },
                },
                "status": {
                    "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                    "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                },
            },
        )

    # -- internals --------------------------------------------------------------------------
    def _nodes_ready(self) -> bool:
        nodes = self.request("GET", "/api/v1/nodes")["items"]
        fake = [
            n
            for n in nodes
            if n["metadata"].get("annotations", {}).get(FAKE_NODE_ANNOTATION) == "fake"
        ]

        def ready(node: dict[str, Any]) -> bool:
            conditions = node.get("status", {}).get("conditions", [])
            return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)

        return len(fake) >= self.fake_nodes and all(ready(n) for n in fake)


def _demo() -> int:
    """Starts the control plane, runs a Deployment to Running and stops."""
    t0 = time.monotonic()
    with LocalKube() as kube:
        print(f"control plane up in {time.monotonic() - t0:.1f} s at {kube.server}")
        print(f"kubeconfig: {kube.kubeconfig}")
        print("version:", kube.request("GET", "/version")["gitVersion"])
        kube.request(
            "POST",
            "/apis/apps/v1/namespaces/default/deployments",
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "hello"},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": "hello"}},
                    "template": {
                        "metadata": {"labels": {"app": "hello"}},
                        "spec": {
                            "containers": [{"name": "hello", "image": "example.invalid/hello:1"}]
                        },
                    },
                },
            },
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pods = kube.request("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dhello")
            phases = [
                (p["metadata"]["name"], p["spec"].get("nodeName"), p["status"].get("phase"))
                for p in pods["items"]
            ]
            if phases and all(ph == "Running" for _, _, ph in phases):
                print("pods:", phases)
                dep = kube.request("GET", "/apis/apps/v1/namespaces/default/deployments/hello")
                print("deployment status:", json.dumps(dep["status"], sort_keys=True))
                break
            time.sleep(0.5)
        else:
            print("pods did not reach Running:", phases, file=sys.stderr)
            return 1
    print(f"stopped; total {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(_demo())
