"""Prints how long program evaluation under Pulumi mocks and crypto generation
take for generated networks (3 Raft orderers, one channel of every peer org):
by default 1, 5 and 20 peer orgs of 4 peers, and 10, 50 and 100 peer orgs of
10 peers (100 to 1,000 peers), with the time per registered resource: wall
time, and the CPU time of the process (all threads), which other work on a
shared machine inflates far less than the wall time. The collector stays paused
over the evaluation as in the program's own process; the collection when the
benchmark turns it back on is printed apart.

Usage: venv/bin/python -m benchmarks.program_evaluation [ORGSxPEERS...]
e.g. ``20x4 100x10``. Figures only; nothing here asserts a time."""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from crypto import generate_org
from fabric_components import registration_gc
from network_spec.load import load_network
from tests.components.program import run_program, sample_config

PEERS_PER_ORG = 4
DEFAULT_SIZES = [(1, 4), (5, 4), (20, 4), (10, 10), (50, 10), (100, 10)]


def write_network(root: Path, orgs: int, peers: int = PEERS_PER_ORG) -> tuple[Path, Path]:
    crypto_config = {
        "OrdererOrgs": [{"Name": "Orderer", "Domain": "example.com", "EnableNodeOUs": True,
                         "Template": {"Count": 3}}],
        "PeerOrgs": [
            {"Name": f"Org{i}", "Domain": f"org{i}.example.com", "EnableNodeOUs": True,
             "Template": {"Count": peers}, "Users": {"Count": 1}}
            for i in range(1, orgs + 1)
        ],
    }
    network = {"channels": [{"name": "common", "orgs": [f"Org{i}" for i in range(1, orgs + 1)]}]}
    paths = root / "crypto-config.yaml", root / "network.yaml"
    paths[0].write_text(yaml.safe_dump(crypto_config))
    paths[1].write_text(yaml.safe_dump(network))
    return paths


def parse_size(text: str) -> tuple[int, int]:
    orgs, _, peers = text.partition("x")
    return int(orgs), int(peers or PEERS_PER_ORG)


def main(sizes: list[tuple[int, int]]) -> None:
    print(f"{'orgs':>5} {'peers':>6} {'resources':>10} {'evaluate s':>11} "
          f"{'ms/resource':>12} {'CPU s':>7} {'CPU ms/resource':>16} {'collect CPU s':>14} "
          f"{'crypto s':>9} {'load':>5}")
    for orgs, peers in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            crypto_config, network = write_network(Path(tmp), orgs, peers)
            config = sample_config("simple", cryptoConfig=str(crypto_config),
                                   network=str(network))
            spec = load_network(crypto_config, network)
            # The collector stays paused until the figures are taken, as in the
            # program's own process, which never turns it back on; the one
            # collection when this process does is timed apart.
            with registration_gc.paused():
                start, cpu_start = time.perf_counter(), time.process_time()
                mocks, _ = run_program(spec, config)
                evaluate, cpu = time.perf_counter() - start, time.process_time() - cpu_start
                resources = len(mocks.resources)
                del mocks
                collect_start = time.process_time()
            gc.collect()
            collect = time.process_time() - collect_start
            start = time.perf_counter()
            for org in spec.orgs:
                generate_org(org)
            crypto = time.perf_counter() - start
            print(f"{orgs:>5} {orgs * peers:>6} {resources:>10} {evaluate:>11.2f} "
                  f"{1000 * evaluate / resources:>12.2f} {cpu:>7.2f} "
                  f"{1000 * cpu / resources:>16.2f} {collect:>14.2f} {crypto:>9.2f} "
                  f"{os.getloadavg()[0]:>5.1f}", flush=True)


if __name__ == "__main__":
    main([parse_size(a) for a in sys.argv[1:]] or DEFAULT_SIZES)
