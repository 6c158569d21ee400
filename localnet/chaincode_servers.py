"""The sample chaincode (chaincode/asset_transfer) served as a service on
127.0.0.1, one process per package, as the cluster runs one Deployment per org."""

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
