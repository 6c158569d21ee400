"""The chaincode servers of a local network: the sample chaincode
(chaincode/asset_transfer) served as a service on 127.0.0.1, one process per
package, as the cluster runs one Deployment per org; or servers someone else
runs, named ``<chaincode>/<org>=<host>:<port>``. A CCaaS package holds its
server's address, so the package ID each server must run with depends on it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from fabric_nodes.local_network import LOCAL_HOST
from fabric_ops.ccaas_package import ccaas_package
from localnet.addressing import free_ports
from localnet.release import REPO_ROOT
from network_spec import NetworkSpec

SAMPLE_CHAINCODE = REPO_ROOT / "chaincode" / "asset_transfer" / "main.py"
STOP_SECONDS = 30


@contextmanager
def chaincode_servers(labels: Mapping[str, str], log_dir: Path) -> Iterator[dict[str, str]]:
    """For every key, a server of the package ``labels[key]`` pointing at a free
    port (so its package ID is that of ``ccaas_package(label, address)``);
    yields key -> address and stops every server on exit."""
    addresses = {key: f"{LOCAL_HOST}:{port}"
                 for key, port in zip(labels, free_ports(len(labels)), strict=True)}
    processes = []
    try:
        for key, label in labels.items():
            package = ccaas_package(label, addresses[key])
            log_name = key.replace("/", "-")
            with (log_dir / f"{log_name}.log").open("wb") as log:
                processes.append(subprocess.Popen(
                    [sys.executable, str(SAMPLE_CHAINCODE)], stdout=log, stderr=subprocess.STDOUT,
                    env=os.environ | {"CHAINCODE_ID": package.package_id,
                                      "CHAINCODE_SERVER_ADDRESS": addresses[key]}))
        yield addresses
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=STOP_SECONDS)


def chaincode_labels(spec: NetworkSpec) -> dict[str, str]:
    """Every ``<chaincode>/<org>`` that runs a server, to its package label."""
    return {f"{cc.name}/{org}": cc.label for cc in spec.chaincodes for org in cc.orgs}


def given_servers(values: list[str], spec: NetworkSpec, option: str) -> dict[str, str]:
    """``<chaincode>/<org>=<host>:<port>`` values to key -> address; a ValueError
    naming ``option`` and the value when one is malformed or names no pair."""
    labels = chaincode_labels(spec)
    given = {}
    for value in values:
        key, _, address = value.partition("=")
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{option} {value}: expected <chaincode>/<org>=<host>:<port>")
        if key not in labels:
            raise ValueError(f"{option} {value}: {key} is no chaincode/org pair of network.yaml; "
                             f"they are {', '.join(sorted(labels)) or 'none'}")
        given[key] = address
    return given


def server_lines(spec: NetworkSpec, servers: Mapping[str, str], started: Mapping[str, str],
                 log_dir: Path) -> list[str]:
    """Per server its address and the package ID it runs with; how to start
    those not ``started`` here."""
    labels = chaincode_labels(spec)
    lines = []
    for key, address in sorted(servers.items()):
        package_id = ccaas_package(labels[key], address).package_id
        how = (f"started, log {log_dir / key.replace('/', '-')}.log" if key in started
               else f"yours: run it with CHAINCODE_ID={package_id} "
                    f"CHAINCODE_SERVER_ADDRESS={address}")
        lines.append(f"chaincode {key:<20} {address:<16} package ID {package_id} ({how})")
    return lines
