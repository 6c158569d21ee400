"""The chaincode servers of a local network: the sample chaincode
(chaincode/asset_transfer) served as a service on 127.0.0.1, one process per
package, as the cluster runs one Deployment per org; or servers someone else
runs, named ``<chaincode>/<org>=<host>:<port>``. A CCaaS package holds its
server's address, so the package ID each server must run with depends on it.
Each serves mutual TLS with a certificate of its org's TLS CA (issued here, for
the servers someone else runs too) and demands the peers' client certificates
of that CA."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from crypto import KeyPair
from crypto.certificates import VALIDITY, issue_tls_cert
from fabric_nodes.local_network import LOCAL_HOST
from fabric_ops.ccaas_package import SERVER_TLS_FILES, ccaas_package, server_tls_environment
from fabric_ops.polling import poll
from localnet.addressing import LOCAL_SANS, free_ports
from localnet.process import accepts
from localnet.release import REPO_ROOT
from network_spec import NetworkSpec, Subject

SAMPLE_CHAINCODE = REPO_ROOT / "chaincode" / "asset_transfer" / "main.py"
STOP_SECONDS = 30
LISTEN_SECONDS = 30

TlsCaOf = Callable[[str], KeyPair | None]
"""The TLS CA issuing a server's certificate, by the server's key; None while
its org has none yet (an org a later spec adds)."""


def write_server_tls(directory: Path, ca: KeyPair, host: str = LOCAL_HOST,
                     validity: timedelta = VALIDITY) -> dict[str, str]:
    """A server key pair of ``ca`` for ``host`` (and 127.0.0.1, localhost) and
    ``ca`` as the client CA, as the cluster's Secret lays them out; the server's
    TLS variables."""
    directory.mkdir(parents=True, exist_ok=True)
    pair = issue_tls_cert(ca, host, Subject(), tuple(dict.fromkeys((host, *LOCAL_SANS))),
                          validity=validity)
    for file, text in zip(SERVER_TLS_FILES.values(), (pair.cert_pem, pair.key_pem, ca.cert_pem),
                          strict=True):
        (directory / file).write_text(text, encoding="ascii")
    return server_tls_environment(str(directory))


def server_tls_dir(log_dir: Path, key: str) -> Path:
    """Where the TLS files of the server of ``key`` are written."""
    return log_dir / f"{key.replace('/', '-')}-tls"


def given_server_tls(given: Mapping[str, str], log_dir: Path,
                     tls_ca_of: TlsCaOf) -> dict[str, dict[str, str]]:
    """For every server someone else runs (key -> ``host:port``), a certificate of
    its org's TLS CA for its host, written under ``log_dir``: the peers dial it
    over mutual TLS and refuse any other. Key -> its TLS variables."""
    variables = {}
    for key, address in given.items():
        ca = tls_ca_of(key)
        if ca is None:
            raise ValueError(f"{key}: its org has no TLS CA in this network")
        variables[key] = write_server_tls(server_tls_dir(log_dir, key), ca,
                                          address.rpartition(":")[0])
    return variables


class ChaincodeServers(dict[str, str]):
    """Key -> address of every server; those whose org has no TLS CA yet start
    with ``start_pending``."""

    def __init__(self, labels: Mapping[str, str], log_dir: Path, tls_ca_of: TlsCaOf,
                 validity: timedelta = VALIDITY) -> None:
        ports = free_ports(len(labels))
        super().__init__({key: f"{LOCAL_HOST}:{port}"
                          for key, port in zip(labels, ports, strict=True)})
        self.labels, self.log_dir, self.tls_ca_of = dict(labels), log_dir, tls_ca_of
        self.validity = validity
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start_pending(self) -> None:
        for key, label in self.labels.items():
            ca = self.tls_ca_of(key)
            if key in self.processes or ca is None:
                continue
            self.processes[key] = start_server(label, self[key], ca, self.log_dir,
                                               key.replace("/", "-"), self.validity)

    def restart(self, key: str) -> None:
        """Stops the server of ``key`` and starts it again on its TLS files as
        they are now (a renewed pair written there), as a Deployment rolls on
        a renewed Secret; returns once it listens."""
        process = self.processes[key]
        process.terminate()
        process.wait(timeout=STOP_SECONDS)
        name = key.replace("/", "-")
        tls = server_tls_environment(str(server_tls_dir(self.log_dir, name)))
        self.processes[key] = launch_server(self.labels[key], self[key], tls, self.log_dir, name)
        wait_listening(self[key], self.processes[key])

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.wait(timeout=STOP_SECONDS)


def start_server(label: str, address: str, ca: KeyPair, log_dir: Path,
                 name: str, validity: timedelta = VALIDITY) -> subprocess.Popen[bytes]:
    """A server of the package ``ccaas_package(label, address)`` on ``address``
    with a certificate of ``ca``; its log and TLS files under ``log_dir``."""
    tls = write_server_tls(server_tls_dir(log_dir, name), ca, validity=validity)
    return launch_server(label, address, tls, log_dir, name)


def launch_server(label: str, address: str, tls: Mapping[str, str], log_dir: Path,
                  name: str) -> subprocess.Popen[bytes]:
    """A server of the package ``ccaas_package(label, address)`` on ``address``
    with the TLS variables ``tls``, logging to ``<log_dir>/<name>.log``."""
    package = ccaas_package(label, address)
    with (log_dir / f"{name}.log").open("ab") as log:
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
def chaincode_servers(labels: Mapping[str, str], log_dir: Path, tls_ca_of: TlsCaOf,
                      validity: timedelta = VALIDITY) -> Iterator[ChaincodeServers]:
    """For every key, a server of the package ``labels[key]`` pointing at a free
    port (so its package ID is that of ``ccaas_package(label, address)``), its
    certificate valid for ``validity``; yields key -> address and stops every
    server on exit."""
    servers = ChaincodeServers(labels, log_dir, tls_ca_of, validity)
    try:
        servers.start_pending()
        yield servers
    finally:
        servers.stop()

def chaincode_labels(spec: NetworkSpec) -> dict[str, str]:
    """Every ``<chaincode>/<org>`` that runs a server, to its package label."""
    return {f"{cc.name}/{org}": cc.label for cc in spec.chaincodes for org in cc.orgs}


_PORT = re.compile(r"[0-9]+")
_MAX_PORT = 65535


def given_servers(values: list[str], spec: NetworkSpec, option: str) -> dict[str, str]:
    """``<chaincode>/<org>=<host>:<port>`` values to key -> address; a ValueError
    naming ``option`` and the value when one is malformed or names no pair."""
    labels = chaincode_labels(spec)
    given = {}
    for value in values:
        key, _, address = value.partition("=")
        host, _, port = address.rpartition(":")
        # [0-9]+, not isdigit(): '٣' is a digit to Python but no port to a dialer.
        if not host or not _PORT.fullmatch(port) or not 0 < int(port) <= _MAX_PORT:
            raise ValueError(f"{option} {value}: expected <chaincode>/<org>=<host>:<port>")
        if key not in labels:
            raise ValueError(f"{option} {value}: {key} is no chaincode/org pair of network.yaml; "
                             f"they are {', '.join(sorted(labels)) or 'none'}")
        given[key] = address
    return given


def server_lines(spec: NetworkSpec, servers: Mapping[str, str], started: Mapping[str, str],
                 log_dir: Path, given_tls: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Per server its address and the package ID it runs with; how to start
    those not ``started`` here (``given_tls``: their TLS variables, see
    ``given_server_tls``)."""
    labels = chaincode_labels(spec)
    lines = []
    for key, address in sorted(servers.items()):
        package_id = ccaas_package(labels[key], address).package_id
        how = (f"started, log {log_dir / key.replace('/', '-')}.log" if key in started
               else f"yours: run it with CHAINCODE_ID={package_id} "
                    f"CHAINCODE_SERVER_ADDRESS={address} "
                    + " ".join(f"{name}={value}" for name, value in given_tls[key].items()))
        lines.append(f"chaincode {key:<20} {address:<16} package ID {package_id} ({how})")
    return lines
