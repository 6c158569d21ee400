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
itself dies. `python tools/localkube.py` starts the
control plane, creates a Deployment, waits for its pod to be Running and stops.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel kills it when the process that
    started it dies, even by SIGKILL, so no component outlives the harness."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _build_kube() -> Path:
    """Runs tools/build-tools.sh kube (a no-op when cached) and returns its dir."""
    out = subprocess.run(
        ["bash", str(REPO / "tools" / "build-tools.sh"), "kube"],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return Path(out.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_pki(d: Path) -> None:
    """A CA, the apiserver's serving certificate, an admin client certificate
    (O=system:masters) and the service account signing key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    valid = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=2))

    def key_pem(key: PrivateKeyTypes) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def name(cn: str, org: str | None = None) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if org:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
        return x509.Name(attrs)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("localkube-ca"))
        .issuer_name(name("localkube-ca"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(
        cn: str, org: str | None, usage: Any, sans: list[x509.GeneralName]
    ) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        b = (
            x509.CertificateBuilder()
            .subject_name(name(cn, org))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid[0])
            .not_valid_after(valid[1])
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = b.sign(ca_key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM), key_pem(key)

    (d / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (d / "ca.key").write_bytes(key_pem(ca_key))
    sans: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.DNSName("kubernetes"),
        x509.DNSName("kubernetes.default"),
        x509.DNSName("kubernetes.default.svc"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("10.0.0.1")),
    ]
    crt, key = leaf("kube-apiserver", None, ExtendedKeyUsageOID.SERVER_AUTH, sans)
    (d / "apiserver.crt").write_bytes(crt)
    (d / "apiserver.key").write_bytes(key)
    crt, key = leaf("admin", "system:masters", ExtendedKeyUsageOID.CLIENT_AUTH, [])
    (d / "admin.crt").write_bytes(crt)
    (d / "admin.key").write_bytes(key)
    sa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (d / "sa.key").write_bytes(key_pem(sa))
    (d / "sa.pub").write_bytes(
        sa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


@dataclass
class LocalKube:
    """Starts the control plane on __enter__ and stops it on __exit__."""

    kube_dir: Path | None = None  # result dir of `build-tools.sh kube`; built when None
    workdir: Path | None = None  # kept when given, else a temp dir removed on exit
    fake_nodes: int = 1
    start_timeout: float = 120.0
    kubeconfig: Path = field(init=False)
    server: str = field(init=False)
    _procs: list[tuple[str, subprocess.Popen[bytes]]] = field(init=False, default_factory=list)
    _own_workdir: bool = field(init=False, default=False)
    _ssl: ssl.SSLContext | None = field(init=False, default=None)

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> LocalKube:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        kube_dir = self.kube_dir or _build_kube()
        bin_dir = kube_dir / "bin"
        stages = kube_dir / "kwok-stages"
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="localkube-"))
            self._own_workdir = True
        wd = self.workdir
        pki = wd / "pki"
        logs = wd / "logs"
        for d in (pki, logs, wd / "etcd"):
            d.mkdir(parents=True, exist_ok=True)
        _write_pki(pki)

        etcd_port, peer_port, api_port = _free_port(), _free_port(), _free_port()
        kcm_port, sched_port, kwok_port = _free_port(), _free_port(), _free_port()
        self.server = f"https://127.0.0.1:{api_port}"
        self.kubeconfig = wd / "kubeconfig"
        self.kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {
                            "name": "localkube",
                            "cluster": {
                                "server": self.server,
                                "certificate-authority": str(pki / "ca.crt"),
                            },
                        }
                    ],
                    "users": [
                        {
                            "name": "admin",
                            "user": {
                                "client-certificate": str(pki / "admin.crt"),
                                "client-key": str(pki / "admin.key"),
                            },
                        }
                    ],
                    "contexts": [
                        {"name": "localkube", "context": {"cluster": "localkube", "user": "admin"}}
                    ],
                    "current-context": "localkube",
                },
                indent=2,
            )
        )
        kc = str(self.kubeconfig)

        self._spawn(
            "etcd",
            [
                str(bin_dir / "etcd"),
                "--name=localkube",
                f"--data-dir={wd / 'etcd'}",
                f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
                f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
                f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
                f"--initial-cluster=localkube=http://127.0.0.1:{peer_port}",
                "--listen-metrics-urls=",
                "--unsafe-no-fsync=true",
                "--log-level=warn",
            ],
            logs,
        )
        self._wait("etcd", lambda: self._http_ok(f"http://127.0.0.1:{etcd_port}/health"))

        self._spawn(
            "kube-apiserver",
            [
                str(bin_dir / "kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={api_port}",
                f"--cert-dir={pki}",
                f"--tls-cert-file={pki / 'apiserver.crt'}",
                f"--tls-private-key-file={pki / 'apiserver.key'}",
                f"--client-ca-file={pki / 'ca.crt'}",
                f"--service-account-key-file={pki / 'sa.pub'}",
                f"--service-account-signing-key-file={pki / 'sa.key'}",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--authorization-mode=RBAC",
                # It taints new nodes not-ready until the node lifecycle controller,
                # which is not run (see below), sees them Ready.
                "--disable-admission-plugins=TaintNodesByCondition",
                "--allow-privileged=true",
                "--profiling=false",
                "--v=0",
            ],
            logs,
        )
        self._wait("kube-apiserver", lambda: self._api_ok("/readyz"))

        common = [
            f"--kubeconfig={kc}",
            f"--authentication-kubeconfig={kc}",
            f"--authorization-kubeconfig={kc}",
            "--bind-address=127.0.0.1",
            "--leader-elect=false",
            "--profiling=false",
        ]
        self._spawn(
            "kube-controller-manager",
            [
                str(bin_dir / "kube-controller-manager"),
                *common,
                f"--secure-port={kcm_port}",
                f"--cert-dir={wd / 'kcm-certs'}",
                f"--service-account-private-key-file={pki / 'sa.key'}",
                f"--root-ca-file={pki / 'ca.crt'}",
                "--use-service-account-credentials=false",
                # kwok keeps its nodes Ready; nothing here would evict pods from them.
                "--controllers=*,-node-lifecycle-controller",
            ],
            logs,
        )
        self._spawn(
            "kube-scheduler",
            [
                str(bin_dir / "kube-scheduler"),
                *common,
                f"--secure-port={sched_port}",
                f"--cert-dir={wd / 'scheduler-certs'}",
            ],
            logs,
        )
        self._wait(
            "kube-controller-manager",
            lambda: self._http_ok(f"https://127.0.0.1:{kcm_port}/healthz"),
        )
        self._wait(
            "kube-scheduler", lambda: self._http_ok(f"https://127.0.0.1:{sched_port}/healthz")
        )

        kwok_args = [
            str(bin_dir / "kwok"),
            f"--kubeconfig={kc}",
            "--manage-all-nodes=false",
            f"--manage-nodes-with-annotation-selector={FAKE_NODE_ANNOTATION}=fake",
            f"--server-address=127.0.0.1:{kwok_port}",
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
        self._spawn("kwok", kwok_args, logs)
        for i in range(self.fake_nodes):
            self.add_fake_node(f"kwok-node-{i}")
        self._wait("fake nodes Ready", self._nodes_ready)

    def stop(self) -> None:
        # In reverse start order, so that the apiserver still has etcd while it
        # shuts down; TERM, then KILL after a grace period.
        for _, p in reversed(self._procs):
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self._procs.clear()
        if self._own_workdir and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            self._own_workdir = False

    # -- API helpers ------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        """One call to the apiserver as admin; returns the decoded JSON."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, context=self._client_ssl(), timeout=timeout) as r:
            return json.loads(r.read() or b"null")

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
    def _client_ssl(self) -> ssl.SSLContext:
        if self._ssl is None:
            assert self.workdir is not None
            pki = self.workdir / "pki"
            ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
            ctx.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
            self._ssl = ctx
        return self._ssl

    def _spawn(self, name: str, args: list[str], logs: Path) -> None:
        with open(logs / f"{name}.log", "wb") as log:
            p = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self._procs.append((name, p))

    def _wait(self, what: str, ready: Any) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            for name, p in self._procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited with {p.returncode}:\n{self._tail(name)}")
            try:
                if ready():
                    return
            except (OSError, urllib.error.URLError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{what} not ready after {self.start_timeout} s:\n{self._tail(what)}"
                )
            time.sleep(0.25)

    def _tail(self, name: str, lines: int = 30) -> str:
        assert self.workdir is not None
        f = self.workdir / "logs" / f"{name}.log"
        if not f.exists():
            return ""
        return "\n".join(f.read_text(errors="replace").splitlines()[-lines:])

    def _http_ok(self, url: str) -> bool:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # the components' self-signed serving certs
        with urllib.request.urlopen(url, context=ctx, timeout=2) as r:
            return bool(r.status == 200)

    def _api_ok(self, path: str) -> bool:
        req = urllib.request.Request(self.server + path)
        with urllib.request.urlopen(req, context=self._client_ssl(), timeout=2) as r:
            return bool(r.status == 200)

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
