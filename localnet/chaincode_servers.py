"""The sample chaincode (chaincode/asset_transfer) served as a service on
127.0.0.1, one process per package, as the cluster runs one Deployment per org:
each serves mutual TLS with a certificate of its org's TLS CA for 127.0.0.1 and
demands the peers' client certificates of that CA."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from crypto import KeyPair
from crypto.certificates import issue_tls_cert
from fabric_nodes.local_network import LOCAL_HOST
from fabric_ops.ccaas_package import SERVER_TLS_FILES, ccaas_package, server_tls_environment
from fabric_ops.polling import poll
from localnet.addressing import LOCAL_SANS, free_ports
from localnet.process import accepts
from localnet.release import REPO_ROOT
from network_spec import Subject

SAMPLE_CHAINCODE = REPO_ROOT / "chaincode" / "asset_transfer" / "main.py"
STOP_SECONDS = 30
LISTEN_SECONDS = 30

TlsCaOf = Callable[[str], KeyPair | None]
"""The TLS CA issuing a server's certificate, by the server's key; None while
its org has none yet (an org a later spec adds)."""


def write_server_tls(directory: Path, ca: KeyPair) -> dict[str, str]:
    """A server key pair of ``ca`` for 127.0.0.1 and ``ca`` as the client CA, as
    the cluster's Secret lays them out; the server's TLS variables."""
    directory.mkdir(parents=True, exist_ok=True)
    pair = issue_tls_cert(ca, LOCAL_HOST, Subject(), LOCAL_SANS)
    for file, text in zip(SERVER_TLS_FILES.values(), (pair.cert_pem, pair.key_pem, ca.cert_pem),
                          strict=True):
        (directory / file).write_text(text, encoding="ascii")
    return server_tls_environment(str(directory))


class ChaincodeServers(dict[str, str]):
    """Key -> address of every server; those whose org has no TLS CA yet start
    with ``start_pending``."""

    def __init__(self, labels: Mapping[str, str], log_dir: Path, tls_ca_of: TlsCaOf) -> None:
        ports = free_ports(len(labels))
        super().__init__({key: f"{LOCAL_HOST}:{port}"
                          for key, port in zip(labels, ports, strict=True)})
        self.labels, self.log_dir, self.tls_ca_of = dict(labels), log_dir, tls_ca_of
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start_pending(self) -> None:
        for key, label in self.labels.items():
            ca = self.tls_ca_of(key)
            if key in self.processes or ca is None:
                continue
            self.processes[key] = start_server(label, self[key], ca, self.log_dir,
                                               key.replace("/", "-"))

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.wait(timeout=STOP_SECONDS)


def start_server(label: str, address: str, ca: KeyPair, log_dir: Path,
                 name: str) -> subprocess.Popen[bytes]:
    """A server of the package ``ccaas_package(label, address)`` on ``address``
    with a certificate of ``ca``; its log and TLS files under ``log_dir``."""
    package = ccaas_package(label, address)
    tls = write_server_tls(log_dir / f"{name}-tls", ca)
    with (log_dir / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, str(SAMPLE_CHAINCODE)], stdout=log, stderr=subprocess.STDOUT,
            env=os.environ | tls | {"CHAINCODE_ID": package.package_id,
                                    "CHAINCODE_SERVER_ADDRESS": address})


def wait_listening(address: str, process: subprocess.Popen[bytes],
                   timeout: float = LISTEN_SECONDS) -> None:
    """Until the server started on ``address`` accepts connections."""

    def listening() -> bool | None:
        if process.poll() is not None:
            raise RuntimeError(f"the chaincode server for {address} exited "
                               f"with code {process.returncode}")
        return True if accepts(address)[0] else None

    poll(listening, timeout, 0.1,
         lambda: TimeoutError(f"no chaincode server on {address} after {timeout:.0f} s"))


@contextmanager
def chaincode_servers(labels: Mapping[str, str], log_dir: Path,
                      tls_ca_of: TlsCaOf) -> Iterator[ChaincodeServers]:
    """For every key, a server of the package ``labels[key]`` pointing at a free
    port (so its package ID is that of ``ccaas_package(label, address)``);
    yields key -> address and stops every server on exit."""
    servers = ChaincodeServers(labels, log_dir, tls_ca_of)
    try:
        servers.start_pending()
        yield servers
    finally:
        servers.stop()
