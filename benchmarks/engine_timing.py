"""Prints wall times of the real Pulumi CLI (tools/build-tools.sh, file backend)
against a local kube-apiserver with kwok nodes (tools/localkube.py), launch only
(``populate: false``): ``pulumi preview`` and ``pulumi up`` for samples/simple
and samples/scaled, and ``pulumi preview`` for a generated network of 20 peer
orgs with 4 peers each (3 Raft orderers), a second time with intermediate
checkpoints off (``SKIP_CHECKPOINTS``).

Usage: venv/bin/python -m benchmarks.engine_timing [PREVIEW_ONLY_ORGS]
Figures only; nothing here asserts a time. Each figure is one CLI call on a
fresh stack: starting the engine and the Python program, and for up creating
every object (crypto material included) and waiting for the kwok Deployments
to roll out. Each stack that went up is destroyed afterwards, untimed."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.program_evaluation import PEERS_PER_ORG, write_network
from tests.engine.pulumi_runner import REPO_ROOT, PulumiCli, build, steps
from tests.engine.volumes import static_volumes
from tools.localkube import LocalKube


def launch_config(crypto_config: Path, network: Path, namespace: str,
                  storage_class: str) -> dict[str, Any]:
    return {"config": {
        "fabric:cryptoConfig": str(crypto_config),
        "fabric:network": str(network),
        "fabric:namespace": namespace,
        "fabric:storageClass": storage_class,
        "fabric:peerStorage": "1Gi",
        "fabric:ordererStorage": "1Gi",
        "fabric:couchdbStorage": "1Gi",
        "fabric:populate": False,
    }}


SKIP_CHECKPOINTS = {"PULUMI_EXPERIMENTAL": "true", "PULUMI_SKIP_CHECKPOINTS": "true"}
"""The engine saves the whole state after every step, a preview too (CPU
profile of the CLI: 57% of a 564-resource preview), so a preview's engine time
grows with the square of the resources; a preview writes no state, these
variables make it save only at the end."""


def timed(cli: PulumiCli, *args: str) -> float:
    start = time.perf_counter()
    cli.run(*args, timeout=3600)
    return time.perf_counter() - start


def measure(kube: LocalKube, work: Path, name: str, crypto_config: Path, network: Path,
            volumes: int, up: bool) -> tuple[int, float, float | None, float | None]:
    """(resources planned, preview seconds, up seconds or None, preview seconds
    without intermediate checkpoints or None) of one stack: the last only for
    a stack that does not go up."""
    storage_class = f"bench-{name}"
    static_volumes(kube, volumes, storage_class)
    workdir = work / name
    workdir.mkdir()
    config_file = workdir / f"Pulumi.bench-{name}.yaml"
    config_file.write_text(yaml.safe_dump(
        launch_config(crypto_config, network, f"bench-{name}", storage_class)))
    cli = PulumiCli(workdir, kube.kubeconfig, f"bench-{name}", config_file)
    cli.setup()
    start = time.perf_counter()
    planned = steps(cli.summary("preview"))
    preview = time.perf_counter() - start
    if not up:
        os.environ.update(SKIP_CHECKPOINTS)
        try:
            return len(planned), preview, None, timed(cli, "preview")
        finally:
            for key in SKIP_CHECKPOINTS:
                del os.environ[key]
    up_time = timed(cli, "up", "--yes", "--skip-preview")
    cli.run("destroy", "--yes", "--skip-preview", check=False, timeout=3600)
    return len(planned), preview, up_time, None


def main(generated_orgs: int) -> None:
    (kube_dir,) = build("kube")
    build("pulumi", "kubernetes-provider")  # built before the clock starts
    samples = REPO_ROOT / "samples"
    print(f"{'network':<16} {'peers':>5} {'resources':>9} {'preview s':>9} {'up s':>7} "
          f"{'preview s, no checkpoints':>25}", flush=True)
    with LocalKube(kube_dir=kube_dir) as kube, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        runs: list[tuple[str, int, Path, Path, int, bool]] = [
            ("simple", 2, samples / "simple" / "crypto-config.yaml",
             samples / "simple" / "network.yaml", 3, True),
            ("scaled", 4, samples / "scaled" / "crypto-config.yaml",
             samples / "scaled" / "network.yaml", 11, True),
        ]
        if generated_orgs:
            generated = work / "generated"
            generated.mkdir()
            crypto_config, network = write_network(generated, generated_orgs)
            peers = generated_orgs * PEERS_PER_ORG
            runs.append((f"{generated_orgs}-orgs", peers, crypto_config, network, 0, False))
        for name, peers, crypto_config, network, volumes, up in runs:
            resources, preview, up_time, unchecked = measure(
                kube, work, name, crypto_config, network, volumes, up)
            print(f"{name:<16} {peers:>5} {resources:>9} {preview:>9.1f} {shown(up_time, 7)} "
                  f"{shown(unchecked, 25)}", flush=True)


def shown(seconds: float | None, width: int) -> str:
    return f"{seconds:>{width}.1f}" if seconds is not None else f"{'-':>{width}}"


if __name__ == "__main__":
    main(int(sys.argv[1]) if sys.argv[1:] else 20)
