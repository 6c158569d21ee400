"""A real single-node Kubernetes on this machine: the control plane of
tools/control_plane.py, containerd with runc, the kubelet, kube-proxy (iptables),
the CNI bridge network, with `network_policies=True` a NetworkPolicy enforcer
(tools/localcluster/network_policies.py), CoreDNS and local-path-provisioner (the
default StorageClass). Images are imported from archives, never pulled.

    from tools.localcluster import LocalCluster
    with LocalCluster(images_dir=Path("...")) as cluster:
        cluster.api.request("GET", "/api/v1/nodes")   # admin
        print(cluster.kubeconfig)

One cluster runs per machine (it owns the bridge `cni0` and 10.244.0.0/24).
Attached (the default) its processes die with the process that started it and
`stop` (or leaving the with block) undoes everything; detached (the CLI in
tools/localcluster/__main__.py) they keep running and a later `stop` finds them
through their pid files. A start first cleans up what a crashed run left.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.control_plane import (
    ControlPlaneOptions,
    build_tool,
    free_port,
    service_ip,
    start_control_plane,
    write_kubeconfig,
)
from tools.kube_api import KubeApi, insecure_ok
from tools.kube_pki import issue_certificate, write_pki
from tools.kube_processes import Supervisor, stop_recorded
from tools.lifecycle import StartedInContext
from tools.localcluster import addons, host, network_policies, node_config
from tools.localcluster.images import PAUSE_IMAGE, NodeBinaries, cluster_images, import_images
from tools.localcluster.layout import (
    NODE_IP,
    NODE_NAME,
    SERVICE_CIDR,
    Layout,
)

RUNC = "/usr/sbin/runc"  # Debian's runc (tools/install-packages.sh)
CACHE = Path(
    os.environ.get("FABRIC_ON_PULUMI_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fabric-on-pulumi"
)
DEFAULT_IMAGES_DIR = CACHE / "images"
NODE_COMPONENTS = ("containerd", "kubelet", "kube-proxy")
ENFORCER = "kube-network-policies"


def build_binaries() -> tuple[Path, NodeBinaries]:
    """The control plane's and the node's result dirs (built when missing)."""
    kube_dir = build_tool("kube")[-1]
    return kube_dir, NodeBinaries.from_dirs(build_tool("node"))


def project_images(images_dir: Path) -> list[Path]:
    """The archives of images_dir: every *.tar in it, and every complete
    <image>/<tag>/image.tar below it (the cache of `tools/build-tools.sh images`)."""
    built = [p for p in images_dir.glob("*/*/image.tar") if (p.parent / ".complete").exists()]
    return sorted([*images_dir.glob("*.tar"), *built])


def node_binary_paths(node: NodeBinaries) -> tuple[str, ...]:
    """The node's executables that run on the host (kubelet, kube-proxy,
    containerd, its shim, the NetworkPolicy enforcer)."""
    dirs = (node.kube_node, node.containerd,
            *([node.network_policies] if node.network_policies else []))
    return tuple(str(p.resolve()) for d in dirs for p in (d / "bin").iterdir())


def cleanup(layout: Layout, node: NodeBinaries, sup: Supervisor | None = None) -> None:
    """Stops what runs of the cluster in layout (sup's processes, and those of its
    pid files) and restores the host; a no-op when nothing is left. The node and
    its containers go first: the pods' open watches would hold up the apiserver's
    graceful shutdown."""
    binaries = node_binary_paths(node)
    if sup is not None:
        sup.stop((*NODE_COMPONENTS, ENFORCER))
    stop_recorded(layout.pids, (*NODE_COMPONENTS, ENFORCER))
    host.kill_leftover_processes(layout, binaries)
    if sup is not None:
        sup.stop()
    stop_recorded(layout.pids)
    host.restore(layout, binaries, str(node.bin("kube-proxy")))


def record_node_binaries(layout: Layout, node: NodeBinaries) -> None:
    layout.node_binaries.write_text(json.dumps([str(d) for d in node.dirs()]))


def stopping_binaries(layout: Layout) -> NodeBinaries:
    """The node binaries the cluster in ``layout`` started with, so that a stop
    builds nothing (its tool cache may be elsewhere, or cold); built only for
    a cluster started before they were recorded."""
    if layout.node_binaries.exists():
        return NodeBinaries.from_dirs([Path(d) for d in json.loads(
            layout.node_binaries.read_text())])
    return build_binaries()[1]


@dataclass
class LocalCluster(StartedInContext):
    """Starts the cluster on __enter__ and stops it, leaving nothing behind, on
    __exit__."""

    state_dir: Path | None = None  # kept when given, else a temp dir removed on stop
    images_dir: Path | None = None  # its archives are imported (project_images); None: none
    detached: bool = False
    network_policies: bool = False  # True: enforced by kube-network-policies
    start_timeout: float = 180.0
    kubeconfig: Path = field(init=False)
    server: str = field(init=False)
    api: KubeApi = field(init=False)
    layout: Layout = field(init=False)
    _sup: Supervisor | None = field(init=False, default=None)
    _own_state_dir: bool = field(init=False, default=False)
    _node: NodeBinaries | None = field(init=False, default=None)

    # -- start -------------------------------------------------------------------------------
    def start(self) -> None:
        kube_dir, node = build_binaries()
        if self.state_dir is None:
            self.state_dir = Path(tempfile.mkdtemp(prefix="localcluster-"))
            self._own_state_dir = True
        self.layout = layout = Layout(self.state_dir)
        kubelet = str(node.bin("kubelet").resolve())
        others = set(host.pids_running((kubelet,))) - set(host.pids_running((kubelet,),
                                                                             str(layout.root)))
        if others:
            raise RuntimeError(
                f"another local cluster runs on this machine (kubelet pid {min(others)}); "
                "stop it first (python -m tools.localcluster stop)"
            )
        self._node = node
        cleanup(layout, node)
        for d in ("etcd", "pki", "containerd", "kubelet", "cni", "logs", "kcm-certs",
                  "scheduler-certs", "pod-logs", "volumes"):
            shutil.rmtree(layout.root / d, ignore_errors=True)
        host.record(layout)
        record_node_binaries(layout, node)
        host.create_bridge()

        self._sup = sup = Supervisor(
            layout.logs, self.start_timeout, layout.pids if self.detached else None
        )
        pki = layout.pki
        write_pki(pki, apiserver_ips=["127.0.0.1", NODE_IP, service_ip(SERVICE_CIDR, 1)])
        self._issue_node_certificates()
        plane = start_control_plane(
            sup,
            kube_dir / "bin",
            layout.root,
            ControlPlaneOptions(
                address=NODE_IP,
                service_cidr=SERVICE_CIDR,
                authorization_modes="Node,RBAC",
                apiserver_args=(
                    f"--kubelet-client-certificate={pki / 'apiserver-kubelet-client.crt'}",
                    f"--kubelet-client-key={pki / 'apiserver-kubelet-client.key'}",
                    f"--kubelet-certificate-authority={pki / 'ca.crt'}",
                    "--kubelet-preferred-address-types=InternalIP,Hostname",
                    "--enable-admission-plugins=NodeRestriction",
                ),
                context_name="localcluster",
            ),
        )
        self.server, self.kubeconfig, self.api = plane.server, plane.kubeconfig, plane.api
        # Pods are refused until their namespace's default service account exists.
        sup.wait("service account default/default",
                 lambda: self._exists("/api/v1/namespaces/default/serviceaccounts/default"))
        self._write_node_kubeconfigs()
        self._start_node(node)
        self._start_addons(node)

    def _issue_node_certificates(self) -> None:
        pki = self.layout.pki
        issue_certificate(pki, "apiserver-kubelet-client", "kube-apiserver-kubelet-client",
                          org="system:masters")
        issue_certificate(pki, "kubelet", f"system:node:{NODE_NAME}", org="system:nodes")
        issue_certificate(pki, "kubelet-serving", f"system:node:{NODE_NAME}", server=True,
                          dns_names=[NODE_NAME], ips=[NODE_IP])
        issue_certificate(pki, "kube-proxy", "system:kube-proxy")
        issue_certificate(pki, ENFORCER, network_policies.USER)

    def _write_node_kubeconfigs(self) -> None:
        pki = self.layout.pki
        write_kubeconfig(self.layout.root / "kubelet.kubeconfig", self.server, pki, "kubelet",
                         "localcluster")
        write_kubeconfig(self.layout.root / "kube-proxy.kubeconfig", self.server, pki,
                         "kube-proxy", "localcluster")
        write_kubeconfig(self.layout.root / f"{ENFORCER}.kubeconfig", self.server, pki,
                         ENFORCER, "localcluster")

    def _start_node(self, node: NodeBinaries) -> None:
        assert self._sup is not None
        sup, layout = self._sup, self.layout
        config = node_config.write_containerd_config(
            layout, PAUSE_IMAGE, RUNC, layout.nri_socket if self.network_policies else None)
        sup.spawn("containerd", [str(node.bin("containerd")), "--config", str(config)])
        sup.wait("containerd", layout.containerd_socket.exists)
        archives = cluster_images(CACHE / "cluster-images", node)
        if self.images_dir is not None:
            archives += project_images(self.images_dir)
        import_images(node.bin("ctr"), layout.containerd_socket, archives)
        node_config.write_cni_config(layout)

        healthz = free_port()
        kubelet_config = node_config.write_kubelet_config(layout, free_port(NODE_IP), healthz)
        sup.spawn(
            "kubelet",
            [
                str(node.bin("kubelet")),
                f"--config={kubelet_config}",
                f"--kubeconfig={layout.root / 'kubelet.kubeconfig'}",
                f"--root-dir={layout.kubelet}",
                f"--hostname-override={NODE_NAME}",
                f"--node-ip={NODE_IP}",
                "--v=1",
            ],
        )
        sup.wait("kubelet", lambda: insecure_ok(f"http://127.0.0.1:{healthz}/healthz"))
        sup.wait("node Ready", self._node_ready)

        proxy_healthz = free_port()
        proxy_config = node_config.write_kube_proxy_config(
            layout, layout.root / "kube-proxy.kubeconfig", proxy_healthz, free_port()
        )
        sup.spawn("kube-proxy", [str(node.bin("kube-proxy")), f"--config={proxy_config}"])
        sup.wait("kube-proxy", lambda: insecure_ok(f"http://127.0.0.1:{proxy_healthz}/healthz"))
        if self.network_policies:
            self._start_enforcer(node)

    def _start_enforcer(self, node: NodeBinaries) -> None:
        """The NetworkPolicy enforcer, then the rules that queue the pods'
        connections to it (before any pod runs: the addons are enforced too)."""
        assert self._sup is not None
        addons.create(self.api, network_policies.rbac())
        self._sup.spawn(ENFORCER, network_policies.controller_args(
            node.bin(ENFORCER), self.layout.root / f"{ENFORCER}.kubeconfig", NODE_NAME,
            self.layout.nri_socket))
        self._sup.wait(ENFORCER, network_policies.queue_bound)
        network_policies.add_queue_rules()

    def _start_addons(self, node: NodeBinaries) -> None:
        assert self._sup is not None
        addons.create(self.api, addons.coredns())
        addons.create(self.api, addons.local_path_provisioner(self.layout.volumes))
        self.layout.volumes.mkdir(parents=True, exist_ok=True)
        for ns, name in (("kube-system", "coredns"),
                         (addons.PROVISIONER_NAMESPACE, "local-path-provisioner")):
            self._sup.wait(f"deployment {ns}/{name}", self._available(ns, name))

    # -- stop --------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stops every process and restores the host (see tools/localcluster/host.py)."""
        if self._node is not None and self.state_dir is not None:
            cleanup(Layout(self.state_dir), self._node, self._sup)
        elif self._sup is not None:
            self._sup.stop()
        self._sup = None
        if self._own_state_dir and self.state_dir is not None:
            shutil.rmtree(self.state_dir, ignore_errors=True)
            self.state_dir = None
            self._own_state_dir = False

    # -- state ---------------------------------------------------------------------------------
    def _exists(self, path: str) -> bool:
        try:
            self.api.request("GET", path)
        except urllib.error.HTTPError:
            return False
        return True

    def _node_ready(self) -> bool:
        try:
            node: dict[str, Any] = self.api.request("GET", f"/api/v1/nodes/{NODE_NAME}")
        except urllib.error.HTTPError:
            return False
        conditions = node.get("status", {}).get("conditions", [])
        return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)

    def _available(self, namespace: str, name: str) -> Callable[[], bool]:
        """A check that the Deployment has an available replica."""
        path = f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}"

        def check() -> bool:
            status = self.api.request("GET", path).get("status", {})
            return bool(status.get("availableReplicas", 0) >= 1)

        return check

