"""Where a local cluster keeps its files, and the fixed facts of its network.

Everything of one cluster lives under its state directory (etcd data, PKI,
containerd's root and state, the kubelet's root, pod logs, volumes, logs, pid
files), so that removing the directory removes the cluster. The pod network is
the bridge `BRIDGE` with the node's address `NODE_IP` on it: the apiserver and
the kubelet listen there, which is inside the pod network and reachable from the
host and from pods without touching the host's own interfaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NODE_NAME = "localcluster"
BRIDGE = "cni0"
POD_CIDR = "10.244.0.0/24"
NODE_IP = "10.244.0.1"  # the bridge's address: the pods' gateway and the node's InternalIP
SERVICE_CIDR = "10.96.0.0/24"
CLUSTER_DNS_IP = "10.96.0.10"
CLUSTER_DOMAIN = "cluster.local"
CONTAINERD_NAMESPACE = "k8s.io"  # the one containerd's CRI plugin uses
DEFAULT_STATE_DIR = Path("/var/lib/fabric-on-pulumi/localcluster")


@dataclass(frozen=True)
class Layout:
    """The paths of one cluster, all under `root`."""

    root: Path

    @property
    def pki(self) -> Path:
        return self.root / "pki"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pids(self) -> Path:
        return self.root / "run"

    @property
    def host_before(self) -> Path:
        """The host's state before the first start (what a stop restores)."""
        return self.root / "host-before.json"

    @property
    def node_binaries(self) -> Path:
        """The node's binary dirs the cluster started with (what a stop kills by path)."""
        return self.root / "node-binaries.json"

    @property
    def kubeconfig(self) -> Path:
        return self.root / "kubeconfig"

    @property
    def containerd(self) -> Path:
        return self.root / "containerd"

    @property
    def containerd_socket(self) -> Path:
        return self.containerd / "containerd.sock"

    @property
    def nri_socket(self) -> Path:
        """containerd's NRI socket (served when NetworkPolicies are enforced)."""
        return self.containerd / "nri.sock"

    @property
    def cni_conf(self) -> Path:
        return self.root / "cni" / "net.d"

    @property
    def cni_data(self) -> Path:
        return self.root / "cni" / "ipam"

    @property
    def kubelet(self) -> Path:
        return self.root / "kubelet"

    @property
    def pod_logs(self) -> Path:
        return self.root / "pod-logs"

    @property
    def volumes(self) -> Path:
        """Where the default StorageClass makes its volumes."""
        return self.root / "volumes"
