"""What a local cluster changes on the host, recorded before it starts and undone
when it stops (also after a crash: the record stays in the state directory).

The kubelet sets vm.overcommit_memory, kernel.panic and kernel.panic_on_oops; the
bridge plugin turns on ip_forward; the kubelet, kube-proxy and the CNI plugins add
iptables chains (KUBE-*, CNI-*) in IPv4 and IPv6, the NetworkPolicy enforcer's
rules a chain NETPOL-QUEUE (and, where the kernel takes it, its controller an
nftables table); the kubelet creates the kubepods
cgroups and /var/log/containers; containerd its shim sockets under /run/containerd;
every pod leaves mounts (its network namespace, rootfs, volumes) and a veth on the
bridge; container processes and their runc shims outlive containerd.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

from tools.localcluster import network_policies
from tools.localcluster.layout import BRIDGE, NODE_IP, POD_CIDR, Layout

SYSCTLS = (
    "vm/overcommit_memory",
    "vm/panic_on_oom",
    "kernel/panic",
    "kernel/panic_on_oops",
    "kernel/keys/root_maxkeys",
    "kernel/keys/root_maxbytes",
    "net/ipv4/ip_forward",
    "net/ipv4/conf/all/route_localnet",
    "net/bridge/bridge-nf-call-iptables",
    "net/bridge/bridge-nf-call-ip6tables",
    "net/netfilter/nf_conntrack_max",
)
# Directories the components create outside the state directory when missing.
HOST_DIRS = (
    "/run/containerd",
    "/var/log/containers",
    "/var/log/pods",
    "/var/lib/cni",
    "/run/netns",
    "/run/nri",
    "/opt/containerd",
)
CGROUP_ROOT = Path("/sys/fs/cgroup")
CLUSTER_CHAIN_PREFIXES = ("KUBE-", "CNI-", network_policies.CHAIN_PREFIX)
MNT_DETACH = 2


def read_sysctl(name: str) -> str | None:
    try:
        return Path("/proc/sys", name).read_text().strip()
    except OSError:
        return None


def record(layout: Layout) -> None:
    """Writes the host's state before the cluster changes it (once: a record left
    by a run that did not stop describes the host before that run)."""
    if layout.host_before.exists():
        return
    state = {
        "sysctls": {name: read_sysctl(name) for name in SYSCTLS},
        "missing_dirs": [d for d in HOST_DIRS if not os.path.exists(d)],
    }
    layout.root.mkdir(parents=True, exist_ok=True)
    layout.host_before.write_text(json.dumps(state, indent=2))


def create_bridge() -> None:
    """The pods' bridge with the node's address, up before the apiserver and the
    kubelet bind to that address (the bridge plugin reuses it)."""
    if not Path("/sys/class/net", BRIDGE).exists():
        subprocess.run(["ip", "link", "add", BRIDGE, "type", "bridge"], check=True)
    prefix = POD_CIDR.split("/")[1]
    addresses = subprocess.run(
        ["ip", "-4", "-o", "addr", "show", "dev", BRIDGE], check=True, capture_output=True,
        text=True,
    ).stdout
    if f" {NODE_IP}/" not in addresses:
        subprocess.run(["ip", "addr", "add", f"{NODE_IP}/{prefix}", "dev", BRIDGE], check=True)
    subprocess.run(["ip", "link", "set", BRIDGE, "up"], check=True)


def pids_running(executables: tuple[str, ...], mentioning: str = "") -> list[int]:
    """The processes running one of the executables whose command line mentions
    `mentioning` (a cluster's state directory: the same binaries may serve
    another purpose on the host)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if os.readlink(entry / "exe") in executables and (
                    mentioning.encode() in (entry / "cmdline").read_bytes()
                ):
                    pids.append(int(entry.name))
    return pids


def _orphan_shims(executables: tuple[str, ...]) -> list[int]:
    """Runc shims of the node's containerd build whose containerd is gone (its
    socket does not answer): left by a crashed run with another state directory."""
    pids = []
    for pid in pids_running(tuple(e for e in executables if e.endswith("-shim-runc-v2"))):
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        if "-address" in args:
            address = Path(args[args.index("-address") + 1])
            if not (address.is_socket() and _listening(address)):
                pids.append(pid)
    return pids


def kubepods_cgroups() -> list[Path]:
    """Every kubepods cgroup in every hierarchy, deepest first."""
    found: list[Path] = []
    if CGROUP_ROOT.is_dir():
        for hierarchy in CGROUP_ROOT.iterdir():
            top = hierarchy / "kubepods"
            if top.is_dir():
                found += [Path(d) for d, _, _ in os.walk(top)]
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def kill_leftover_processes(layout: Layout, binaries: tuple[str, ...]) -> None:
    """Containers (every process in the kubepods cgroups) and the node's binaries
    still running for this cluster (shims of a stopped containerd, or a crashed
    run's components)."""
    for _ in range(50):
        pids = set(pids_running(binaries, str(layout.root))) | set(_orphan_shims(binaries))
        for cg in kubepods_cgroups():
            with contextlib.suppress(OSError):
                pids |= {int(p) for p in (cg / "cgroup.procs").read_text().split()}
        pids.discard(os.getpid())
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    raise RuntimeError(f"processes of the local cluster survive SIGKILL: {sorted(pids)}")


def _mount_points() -> list[str]:
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        raw = line.split()[4]
        points.append(raw.encode().decode("unicode_escape"))
    return points


def _unmount_under(roots: list[Path]) -> None:
    """Detaches every mount at or below the roots, last mounted first."""
    libc = ctypes.CDLL(None, use_errno=True)
    prefixes = [str(r) for r in roots]
    for _ in range(10):
        points = [
            p for p in _mount_points()
            if any(p == r or p.startswith(r + "/") for r in prefixes)
        ]
        if not points:
            return
        for p in reversed(points):
            libc.umount2(p.encode(), MNT_DETACH)
    raise RuntimeError(f"mounts of the local cluster remain: {points}")


def _sandbox_ids(layout: Layout) -> set[str]:
    """The ids of the pod sandboxes containerd made for this cluster."""
    sandboxes = layout.containerd / "root" / "io.containerd.grpc.v1.cri" / "sandboxes"
    return {p.name for p in sandboxes.iterdir()} if sandboxes.is_dir() else set()


def _remove_created_dir(d: Path, layout: Layout) -> None:
    """Removes what the cluster left in a host directory that did not exist before
    it started, and the directory once empty: links into the cluster's directory
    (pod log links), files named after its sandboxes (CNI result caches), sockets
    nobody listens on (shims'), empty directories. What another program put there
    meanwhile (another containerd) stays."""
    if not d.is_dir():
        return
    sandboxes = _sandbox_ids(layout)
    for parent, dirs, files in os.walk(d, topdown=False):
        for name in files:
            f = Path(parent, name)
            ours = f.is_symlink() and os.readlink(f).startswith(str(layout.root))
            ours = ours or any(s in name for s in sandboxes)
            if ours or (f.is_socket() and not _listening(f)):
                f.unlink()
        for name in dirs:
            with contextlib.suppress(OSError):
                Path(parent, name).rmdir()
    with contextlib.suppress(OSError):
        d.rmdir()


def _listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
        except OSError:
            return False
        return True


def _delete_links() -> None:
    """The bridge's veths (when a netns was not torn down) and the bridge."""
    bridge = Path("/sys/class/net", BRIDGE)
    if not bridge.exists():
        return
    for port in (bridge / "brif").iterdir() if (bridge / "brif").is_dir() else []:
        subprocess.run(["ip", "link", "delete", port.name], check=False, capture_output=True)
    subprocess.run(["ip", "link", "delete", BRIDGE], check=False, capture_output=True)


def _is_cluster_chain(name: str) -> bool:
    return name.startswith(CLUSTER_CHAIN_PREFIXES)


def remove_iptables_chains(family: str) -> None:
    """Removes the rules that jump to KUBE-* or CNI-* chains and those chains, in
    every table; family is "iptables" or "ip6tables"."""
    saved = subprocess.run(
        [f"{family}-save"], check=False, capture_output=True, text=True
    ).stdout
    table = ""
    chains: dict[str, list[str]] = {}
    jumps: list[tuple[str, list[str]]] = []
    for line in saved.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith(":"):
            chain = line[1:].split()[0]
            if _is_cluster_chain(chain):
                chains.setdefault(table, []).append(chain)
        elif line.startswith("-A "):
            words = shlex.split(line)
            chain = words[1]
            target = next(
                (words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-j", "-g")), ""
            )
            if not _is_cluster_chain(chain) and _is_cluster_chain(target):
                jumps.append((table, words[1:]))
    for tbl, rule in jumps:
        subprocess.run([family, "-w", "-t", tbl, "-D", *rule], check=False, capture_output=True)
    for tbl, names in chains.items():
        for chain in names:
            subprocess.run([family, "-w", "-t", tbl, "-F", chain], check=False, capture_output=True)
        for chain in names:
            subprocess.run([family, "-w", "-t", tbl, "-X", chain], check=False, capture_output=True)


def _restore_sysctls(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is not None and read_sysctl(name) != value:
            Path("/proc/sys", name).write_text(value + "\n")


def _remove_cgroups() -> None:
    for _ in range(50):
        left = kubepods_cgroups()
        for cg in left:
            with contextlib.suppress(OSError):
                cg.rmdir()
        if not kubepods_cgroups():
            return
        time.sleep(0.1)
    raise RuntimeError(f"kubepods cgroups remain: {kubepods_cgroups()}")


def restore(layout: Layout, binaries: tuple[str, ...], kube_proxy: str | None) -> None:
    # binaries: the node's executables (resolved paths).
    """Undoes what the cluster changed, once its components have stopped: kills
    leftover containers and shims, unmounts, deletes the links, chains and
    cgroups, restores the sysctls and removes the host directories that were
    not there before. Safe to run again, and after a crash."""
    kill_leftover_processes(layout, binaries)
    _unmount_under([layout.root])
    _delete_links()
    if kube_proxy is not None:
        subprocess.run([kube_proxy, "--cleanup"], check=False, capture_output=True)
    for family in ("iptables", "ip6tables"):
        remove_iptables_chains(family)
    network_policies.remove_controller_table()
    _remove_cgroups()
    if layout.host_before.exists():
        before = json.loads(layout.host_before.read_text())
        _restore_sysctls(before["sysctls"])
        for d in before["missing_dirs"]:
            _remove_created_dir(Path(d), layout)
        layout.host_before.unlink()
