"""Prints the Fabric commands and the wall time of a first populate of the
samples on real local networks, run two ways with the same providers:
``parallel`` schedules independent operations together as the Pulumi engine does
with the components' dependencies (all orderer joins at once, then every peer
join and install, ...), ``sequential`` runs one command after another the way
fabric-samples' scripts do. Each run gets a fresh network.

Usage: venv/bin/python -m benchmarks.populate_timing [simple|scaled ...]
Figures only; nothing here asserts a time."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fabric_ops.local_executor import LocalExecutor
from localnet import FabricRelease, LocalNetwork
from localnet.chaincode_servers import chaincode_servers
from localnet.release import REPO_ROOT
from tests.localnet.populate import run_stages, stages

MUTATING = {"join", "install", "approveformyorg", "commit", "-outputBlock"}


def run(sample: str, parallel: bool) -> tuple[float, Counter[str], int]:
    ran: list[Sequence[str]] = []
    lock = threading.Lock()
    original = LocalExecutor.run

    def counting(self: LocalExecutor, argv: Sequence[str], **kwargs: Any) -> Any:
        with lock:
            ran.append(tuple(argv))
        return original(self, argv, **kwargs)

    with tempfile.TemporaryDirectory() as tmp, LocalNetwork.start(
        REPO_ROOT / "samples" / sample, Path(tmp) / "net", FabricRelease.build()
    ) as net:
        labels = {f"{cc.name}/{o}": cc.label for cc in net.spec.chaincodes for o in cc.orgs}
        log_dir = Path(tmp) / "servers"
        log_dir.mkdir()
        with chaincode_servers(labels, log_dir,
                               lambda key: net.tls_ca(key.split("/")[1])) as servers:
            LocalExecutor.run = counting  # type: ignore[method-assign]
            try:
                start = time.perf_counter()
                run_stages(stages(net, servers), parallel)
                seconds = time.perf_counter() - start
            finally:
                LocalExecutor.run = original  # type: ignore[method-assign]
    verbs = Counter(word for argv in ran for word in argv if word in MUTATING)
    return seconds, verbs, len(ran)


def main(samples: list[str]) -> None:
    print(f"{'sample':<8} {'mode':<11} {'wall s':>7} {'commands':>9} {'mutating':>9}  by verb")
    for sample in samples:
        results = {}
        for parallel in (True, False):
            seconds, verbs, total = run(sample, parallel)
            mode = "parallel" if parallel else "sequential"
            results[mode] = seconds
            detail = ", ".join(f"{v} {n}" for v, n in sorted(verbs.items()))
            print(f"{sample:<8} {mode:<11} {seconds:>7.1f} {total:>9} {sum(verbs.values()):>9}"
                  f"  {detail}", flush=True)
        print(f"{sample:<8} parallel/sequential {results['parallel'] / results['sequential']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["simple", "scaled"])
