"""NetworkPolicy enforcement on the local cluster's node: the controller of
sigs.k8s.io/kube-network-policies (built by `tools/build-tools.sh node` from
tools/gomod/kube-network-policies-<version>) as a host process, and the netfilter
rules that hand it the first packet of every connection from or to a pod.

The controller decides: it reads the NetworkPolicies, pods and namespaces
from the API and answers accept or drop for each packet queued to it. It would
also queue those packets itself, with an nftables table whose rules end in the
`queue` statement; that statement needs the kernel's nft_queue
(CONFIG_NFT_QUEUE), which some kernels lack (the 6.18 kernel of the machines
the project is tested on does): they refuse the whole table (ENOENT), the
controller logs it and retries. The
xtables NFQUEUE target (nft_compat, what iptables-nft writes) reaches the same
nfnetlink queue, so the rules here, in iptables' mangle POSTROUTING (after the
Services' DNAT, before any SNAT, as the controller's own chain), queue every new
connection whose source or destination is in the pod network. Like the
controller's own rules they leave alone established connections and what
root's processes on the node send (the kubelet's probes); and like them they do
not see what pods send to the node's own address (that goes to INPUT).

No answer, no packet: while the rules are in place and the controller is not
listening, new connections of the pods are dropped (the controller's default,
fail closed). So the rules go in once its queue is bound; a stop removes them
with the node's other chains (host.py), after the pods are gone.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from tools.localcluster.layout import POD_CIDR

QUEUE_ID = 100
CHAIN = "NETPOL-QUEUE"
"""The chain of the queueing rules, in table mangle (host.py removes chains named
so on a stop, as it removes kube-proxy's)."""
CHAIN_PREFIX = "NETPOL-"
CONTROLLER_TABLE = ("inet", "kube-network-policies")
"""The nftables table the controller makes where the kernel accepts it."""
QUEUES = Path("/proc/net/netfilter/nfnetlink_queue")
USER = "system:kube-network-policies"
"""The controller's identity (its client certificate's common name)."""


def queue_bound(queue_id: int = QUEUE_ID) -> bool:
    """True when a process listens on the nfnetlink queue."""
    try:
        lines = QUEUES.read_text().splitlines()
    except OSError:
        return False
    return any(line.split()[0] == str(queue_id) for line in lines if line.strip())


def rbac() -> list[dict[str, Any]]:
    """What the controller may do: read the pods, namespaces and policies, and
    record events."""
    rbac_api = "rbac.authorization.k8s.io/v1"
    name = "kube-network-policies"
    return [
        {"apiVersion": rbac_api, "kind": "ClusterRole", "metadata": {"name": name}, "rules": [
            {"apiGroups": [""], "resources": ["pods", "namespaces"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["", "events.k8s.io"], "resources": ["events"],
             "verbs": ["create", "patch", "update"]},
        ]},
        {"apiVersion": rbac_api, "kind": "ClusterRoleBinding", "metadata": {"name": name},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": name},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                       "name": USER}]},
    ]


def controller_args(binary: Path, kubeconfig: Path, node_name: str,
                    nri_socket: Path) -> list[str]:
    """nri_socket: where containerd serves NRI, through which the controller
    knows a new pod's address as soon as its sandbox runs, not a moment later
    when the API has it (until then the pod's connections would be judged as a
    stranger's: dropped by policies that admit only named pods)."""
    return [
        str(binary),
        f"--kubeconfig={kubeconfig}",
        f"--hostname-override={node_name}",
        f"--nri-socket={nri_socket}",
        f"--nfqueue-id={QUEUE_ID}",
        "--metrics-bind-address=127.0.0.1:0",
        "--v=1",
    ]


def _iptables(*args: str) -> None:
    result = subprocess.run(["iptables", "-w", "-t", "mangle", *args], capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"iptables -t mangle {' '.join(args)}: {result.stderr.strip()}")


def add_queue_rules() -> None:
    """Queues new connections from and to the pods to the controller."""
    _iptables("-N", CHAIN)
    _iptables("-A", CHAIN, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED",
              "-j", "RETURN")
    _iptables("-A", CHAIN, "-m", "owner", "--uid-owner", "0", "-j", "RETURN")
    for direction in ("-s", "-d"):
        _iptables("-A", CHAIN, direction, POD_CIDR, "-j", "NFQUEUE",
                  "--queue-num", str(QUEUE_ID))
    _iptables("-I", "POSTROUTING", "-j", CHAIN)


def remove_controller_table() -> None:
    """The controller deletes its table when it stops; this covers a crash."""
    family, name = CONTROLLER_TABLE
    if shutil.which("nft"):
        subprocess.run(["nft", "delete", "table", family, name], capture_output=True,
                       check=False)
