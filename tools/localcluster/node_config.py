"""The configuration files of the local cluster's node: containerd, the CNI
bridge network, the kubelet and kube-proxy. Each setting that departs from a
default says why: most keep the components from changing the host (sysctls,
/run/netns, /var/lib/kubelet) or make them work as root without
CAP_SYS_RESOURCE in a VM with cgroup v1."""

from __future__ import annotations

import json
from pathlib import Path

from tools.localcluster.layout import (
    BRIDGE,
    CLUSTER_DNS_IP,
    CLUSTER_DOMAIN,
    NODE_IP,
    NODE_NAME,
    POD_CIDR,
    Layout,
)

CNI_BIN_DIR = "/usr/lib/cni"  # Debian's containernetworking-plugins


def _nri(c: Path, socket: Path | None) -> str:
    """NRI, the runtime's plugin interface: off, or serving `socket` (the
    NetworkPolicy controller learns there each pod's address as its sandbox
    starts), with nothing of it outside the cluster's directory."""
    if socket is None:
        # It would listen on /var/run/nri.
        return 'disabled_plugins = ["io.containerd.nri.v1.nri"]\n'
    return f"""
[plugins.'io.containerd.nri.v1.nri']
  disable = false
  socket_path = "{socket}"
  plugin_path = "{c / "nri" / "plugins"}"
  plugin_config_path = "{c / "nri" / "conf.d"}"
"""


def write_containerd_config(layout: Layout, sandbox_image: str, runc: str,
                            nri_socket: Path | None = None) -> Path:
    """containerd 2.x (config version 3), its state under the cluster's directory."""
    c = layout.containerd
    cri_runtime = "plugins.'io.containerd.cri.v1.runtime'"
    text = f"""version = 3
root = "{c / "root"}"
state = "{c / "state"}"
{_nri(c, nri_socket)}

[grpc]
  address = "{layout.containerd_socket}"

[ttrpc]
  address = "{c / "containerd.sock.ttrpc"}"

[debug]
  address = ""

[metrics]
  address = ""

[plugins.'io.containerd.internal.v1.opt']
  path = "{c / "opt"}"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  # Nothing is pulled: every image is imported (ctr images import).
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "{sandbox_image}"

[{cri_runtime}]
  # Root here may not lower OOM scores (no CAP_SYS_RESOURCE): without this, runc
  # fails every sandbox with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  # Network namespaces under the state directory instead of /run/netns.
  netns_mounts_under_state_dir = true
  enable_cdi = false
  [{cri_runtime}.cni]
    bin_dirs = ["{CNI_BIN_DIR}"]
    conf_dir = "{layout.cni_conf}"
  [{cri_runtime}.containerd]
    default_runtime_name = "runc"
    [{cri_runtime}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [{cri_runtime}.containerd.runtimes.runc.options]
        BinaryName = "{runc}"
        # runc's state under the cluster's directory, apart from any other
        # containerd on the host (/run/containerd/runc).
        Root = "{c / "runc"}"
        SystemdCgroup = false

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
"""
    path = c / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_cni_config(layout: Layout) -> None:
    """The bridge network: BRIDGE (created beforehand with NODE_IP) as the pods'
    gateway, host-local addresses from POD_CIDR (its data under the cluster's
    directory), masquerading of traffic leaving the pod network, hairpin for a pod
    that reaches itself through a Service, and portmap for hostPort."""
    layout.cni_conf.mkdir(parents=True, exist_ok=True)
    conflist = {
        "cniVersion": "1.0.0",
        "name": "localcluster",
        "plugins": [
            {
                "type": "bridge",
                "bridge": BRIDGE,
                "isGateway": True,
                "ipMasq": True,
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "dataDir": str(layout.cni_data),
                    "ranges": [[{"subnet": POD_CIDR, "gateway": NODE_IP}]],
                    "routes": [{"dst": "0.0.0.0/0"}],
                },
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }
    (layout.cni_conf / "10-localcluster.conflist").write_text(json.dumps(conflist, indent=2))


def write_kubelet_config(layout: Layout, port: int, healthz_port: int) -> Path:
    pki = layout.pki
    config = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "address": NODE_IP,
        "port": port,
        "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": healthz_port,
        "tlsCertFile": str(pki / "kubelet-serving.crt"),
        "tlsPrivateKeyFile": str(pki / "kubelet-serving.key"),
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"enabled": True},
            "x509": {"clientCAFile": str(pki / "ca.crt")},
        },
        "authorization": {"mode": "Webhook"},
        "containerRuntimeEndpoint": f"unix://{layout.containerd_socket}",
        # The host has cgroup v1 hierarchies and no systemd managing them.
        "cgroupDriver": "cgroupfs",
        "failCgroupV1": False,
        "failSwapOn": False,
        "clusterDNS": [CLUSTER_DNS_IP],
        "clusterDomain": CLUSTER_DOMAIN,
        "resolvConf": "/etc/resolv.conf",
        "podLogsDir": str(layout.pod_logs),
        "volumePluginDir": str(layout.kubelet / "volume-plugins"),
        # A test machine's disk may be fuller than the defaults allow: evict only
        # when it is really full, and never garbage-collect imported images (they
        # cannot be pulled again).
        "evictionHard": {
            "memory.available": "100Mi",
            "nodefs.available": "1%",
            "nodefs.inodesFree": "1%",
            "imagefs.available": "1%",
        },
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        "serializeImagePulls": False,
        "maxPods": 110,
    }
    path = layout.kubelet / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2))
    return path


def write_kube_proxy_config(layout: Layout, kubeconfig: Path, healthz_port: int,
                            metrics_port: int) -> Path:
    config = {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
        "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": str(kubeconfig)},
        "hostnameOverride": NODE_NAME,
        "mode": "iptables",
        "clusterCIDR": POD_CIDR,
        "healthzBindAddress": f"127.0.0.1:{healthz_port}",
        "metricsBindAddress": f"127.0.0.1:{metrics_port}",
        # NodePorts only on the node's pod-network address, never on the host's.
        "nodePortAddresses": [f"{NODE_IP}/32"],
        "iptables": {
            # true would set net.ipv4.conf.all.route_localnet on the host.
            "localhostNodePorts": False,
            # Service traffic between pods on the bridge works without relying on
            # br_netfilter being loaded.
            "masqueradeAll": True,
        },
        # 0: leave the host's conntrack sysctls alone.
        "conntrack": {
            "maxPerCore": 0,
            "min": 0,
            "tcpEstablishedTimeout": "0s",
            "tcpCloseWaitTimeout": "0s",
        },
    }
    path = layout.root / "kube-proxy.json"
    path.write_text(json.dumps(config, indent=2))
    return path
