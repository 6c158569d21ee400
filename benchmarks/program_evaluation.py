"""Prints how long program evaluation under Pulumi mocks and crypto generation
take for networks of 1, 5, 20 and 50 peer orgs with 4 peers each.

Usage: venv/bin/python -m benchmarks.program_evaluation [ORG_COUNTS...]
Figures only; nothing here asserts a time."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

from crypto import generate_org
from network_spec.load import load_network
from tests.components.program import run_program, sample_config

PEERS_PER_ORG = 4


def write_network(root: Path, orgs: int) -> tuple[Path, Path]:
    crypto_config = {
        "OrdererOrgs": [{"Name": "Orderer", "Domain": "example.com", "EnableNodeOUs": True,
                         "Template": {"Count": 3}}],
        "PeerOrgs": [
            {"Name": f"Org{i}", "Domain": f"org{i}.example.com", "EnableNodeOUs": True,
             "Template": {"Count": PEERS_PER_ORG}, "Users": {"Count": 1}}
            for i in range(1, orgs + 1)
        ],
    }
    network = {"channels": [{"name": "common", "orgs": [f"Org{i}" for i in range(1, orgs + 1)]}]}
    paths = root / "crypto-config.yaml", root / "network.yaml"
    paths[0].write_text(yaml.safe_dump(crypto_config))
    paths[1].write_text(yaml.safe_dump(network))
    return paths


def main(counts: list[int]) -> None:
    print(f"{'orgs':>5} {'peers':>6} {'resources':>10} {'evaluate s':>11} {'crypto s':>9}")
    for orgs in counts:
        with tempfile.TemporaryDirectory() as tmp:
            crypto_config, network = write_network(Path(tmp), orgs)
            config = sample_config("simple", cryptoConfig=str(crypto_config),
                                   network=str(network))
            spec = load_network(crypto_config, network)
            start = time.perf_counter()
            mocks, _ = run_program(spec, config)
            evaluate = time.perf_counter() - start
            start = time.perf_counter()
            for org in spec.orgs:
                generate_org(org)
            crypto = time.perf_counter() - start
            print(f"{orgs:>5} {orgs * PEERS_PER_ORG:>6} {len(mocks.resources):>10} "
                  f"{evaluate:>11.2f} {crypto:>9.2f}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 5, 20, 50])
