"""The control plane shared by the local Kubernetes flavours (tools/localkube.py,
kwok nodes; tools/localcluster, a real node): etcd, kube-apiserver,
kube-controller-manager and kube-scheduler from `tools/build-tools.sh kube`, with
an admin kubeconfig. etcd and the components' health ports listen on 127.0.0.1;
the apiserver on `ControlPlaneOptions.address`."""

from __future__ import annotations

import ipaddress
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from localnet.addressing import free_ports
from tools.kube_api import KubeApi, insecure_ok
from tools.kube_pki import write_pki
from tools.kube_processes import Supervisor

REPO = Path(__file__).resolve().parent.parent


def build_tool(target: str) -> list[Path]:
    """Runs tools/build-tools.sh TARGET (a no-op when cached): its result dirs."""
    out = subprocess.run(
        ["bash", str(REPO / "tools" / "build-tools.sh"), target],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return [Path(line) for line in out.stdout.split()]


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on ``host``, below the ephemeral range (``free_ports``)."""
    return free_ports(1, host)[0]


def write_kubeconfig(path: Path, server: str, pki: Path, user: str, name: str) -> None:
    """A kubeconfig for the client certificate pki/<user>.crt (one context, `name`)."""
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": name,
                        "cluster": {
                            "server": server,
                            "certificate-authority": str(pki / "ca.crt"),
                        },
                    }
                ],
                "users": [
                    {
                        "name": user,
                        "user": {
                            "client-certificate": str(pki / f"{user}.crt"),
                            "client-key": str(pki / f"{user}.key"),
                        },
                    }
                ],
                "contexts": [{"name": name, "context": {"cluster": name, "user": user}}],
                "current-context": name,
            },
            indent=2,
        )
    )


@dataclass(frozen=True)
class ControlPlaneOptions:
    address: str = "127.0.0.1"  # the apiserver's listen and advertised address
    service_cidr: str = "10.0.0.0/24"
    authorization_modes: str = "RBAC"
    apiserver_args: tuple[str, ...] = ()
    controllers: str = "*"
    controller_manager_args: tuple[str, ...] = ()
    context_name: str = "localkube"


@dataclass
class ControlPlane:
    """The running control plane: its apiserver URL, admin kubeconfig and client."""

    server: str
    kubeconfig: Path
    pki: Path
    api: KubeApi = field(repr=False)


def service_ip(cidr: str, index: int) -> str:
    """The index-th address of a service range (1: the kubernetes Service)."""
    return str(ipaddress.ip_network(cidr)[index])


def start_control_plane(
    sup: Supervisor, bin_dir: Path, workdir: Path, opts: ControlPlaneOptions
) -> ControlPlane:
    """Writes the PKI under workdir/pki (unless present), starts the four
    components under sup and waits until each is healthy."""
    pki = workdir / "pki"
    if not (pki / "ca.crt").exists():
        write_pki(pki, apiserver_ips=sorted({"127.0.0.1", opts.address,
                                            service_ip(opts.service_cidr, 1)}))
    (workdir / "etcd").mkdir(parents=True, exist_ok=True)
    etcd_port, peer_port = free_port(), free_port()
    api_port = free_port(opts.address)
    kcm_port, sched_port = free_port(), free_port()
    server = f"https://{opts.address}:{api_port}"
    kubeconfig = workdir / "kubeconfig"
    write_kubeconfig(kubeconfig, server, pki, "admin", opts.context_name)
    api = KubeApi(server, pki)
    kc = str(kubeconfig)

    sup.spawn(
        "etcd",
        [
            str(bin_dir / "etcd"),
            "--name=localkube",
            f"--data-dir={workdir / 'etcd'}",
            f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
            f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
            f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
            f"--initial-cluster=localkube=http://127.0.0.1:{peer_port}",
            "--listen-metrics-urls=",
            "--unsafe-no-fsync=true",
            "--log-level=warn",
        ],
    )
    sup.wait("etcd", lambda: insecure_ok(f"http://127.0.0.1:{etcd_port}/health"))

    sup.spawn(
        "kube-apiserver",
        [
            str(bin_dir / "kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            f"--bind-address={opts.address}",
            f"--advertise-address={opts.address}",
            f"--secure-port={api_port}",
            f"--cert-dir={pki}",
            f"--tls-cert-file={pki / 'apiserver.crt'}",
            f"--tls-private-key-file={pki / 'apiserver.key'}",
            f"--client-ca-file={pki / 'ca.crt'}",
            f"--service-account-key-file={pki / 'sa.pub'}",
            f"--service-account-signing-key-file={pki / 'sa.key'}",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-cluster-ip-range={opts.service_cidr}",
            f"--authorization-mode={opts.authorization_modes}",
            "--allow-privileged=true",
            "--profiling=false",
            "--v=0",
            *opts.apiserver_args,
        ],
    )
    sup.wait("kube-apiserver", lambda: api.ok("/readyz"))

    common = [
        f"--kubeconfig={kc}",
        f"--authentication-kubeconfig={kc}",
        f"--authorization-kubeconfig={kc}",
        "--bind-address=127.0.0.1",
        "--leader-elect=false",
        "--profiling=false",
    ]
    sup.spawn(
        "kube-controller-manager",
        [
            str(bin_dir / "kube-controller-manager"),
            *common,
            f"--secure-port={kcm_port}",
            f"--cert-dir={workdir / 'kcm-certs'}",
            f"--service-account-private-key-file={pki / 'sa.key'}",
            f"--root-ca-file={pki / 'ca.crt'}",
            "--use-service-account-credentials=false",
            f"--controllers={opts.controllers}",
            *opts.controller_manager_args,
        ],
    )
    sup.spawn(
        "kube-scheduler",
        [
            str(bin_dir / "kube-scheduler"),
            *common,
            f"--secure-port={sched_port}",
            f"--cert-dir={workdir / 'scheduler-certs'}",
        ],
    )
    sup.wait(
        "kube-controller-manager", lambda: insecure_ok(f"https://127.0.0.1:{kcm_port}/healthz")
    )
    sup.wait("kube-scheduler", lambda: insecure_ok(f"https://127.0.0.1:{sched_port}/healthz"))
    return ControlPlane(server, kubeconfig, pki, api)
