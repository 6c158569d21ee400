"""Prints where the time of a real-engine ``pulumi preview`` goes, for a
generated network of 20 peer orgs with 4 peers each (3 Raft orderers,
``populate: false``) against the local kube-apiserver with kwok nodes
(tools/localkube.py), as benchmarks/engine_timing.py runs it.

Per preview: the wall time of the CLI call, the CPU time of every process it
started (engine, language host, Python program, kubernetes and dynamic
providers), and the CPU and wall time of the Python program alone, which a
``sitecustomize`` module put on the program's ``PYTHONPATH`` reports when the
program exits. The engine and providers' share is the rest. Each preview runs
twice: with the engine's intermediate checkpoints (the default) and without
(``SKIP_CHECKPOINTS``). A project with an empty program, previewed the same
way, gives the fixed cost of starting the engine and the language host.

With ``--cli PULUMI``, the network's previews run again with that build of the
CLI (the plugins of the pinned build beside it), to compare engine releases.

Usage: venv/bin/python -m benchmarks.preview_timing [ORGS] [--cli PULUMI]
Figures only; nothing here asserts a time."""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.engine_timing import SKIP_CHECKPOINTS, launch_config
from benchmarks.program_evaluation import PEERS_PER_ORG, write_network
from tests.engine.pulumi_runner import REPO_ROOT, PulumiCli, build, steps
from tools.localkube import LocalKube

PROGRAM_CLOCK = """\
import atexit, json, os, resource, sys, time
_started = time.perf_counter()

def _report():
    if "__main__" in sys.modules and sys.argv[1:2] != ["--help"]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open(os.environ["PROGRAM_CLOCK_LOG"], "a") as log:
            log.write(json.dumps({"argv": sys.argv[:1], "wall": time.perf_counter() - _started,
                                  "cpu": usage.ru_utime + usage.ru_stime}) + "\\n")

atexit.register(_report)
"""
"""Written as ``sitecustomize.py``: every Python process of the preview appends
its CPU and wall time to ``PROGRAM_CLOCK_LOG`` when it exits normally (the
program does; the dynamic provider, stopped by the engine, does not)."""

EMPTY_PROJECT = {"name": "empty", "runtime": {
    "name": "python", "options": {"toolchain": "pip", "virtualenv": str(REPO_ROOT / "venv")}}}


@dataclass
class Timing:
    resources: int
    wall: float
    tree_cpu: float
    program_wall: float
    program_cpu: float


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_preview(cli: PulumiCli, clock_log: Path, skip_checkpoints: bool) -> Timing:
    clock_log.unlink(missing_ok=True)
    extra = {"PYTHONPATH": str(clock_log.parent), "PROGRAM_CLOCK_LOG": str(clock_log),
             **(SKIP_CHECKPOINTS if skip_checkpoints else {})}
    os.environ.update(extra)
    try:
        cpu, start = children_cpu(), time.perf_counter()
        planned = steps(cli.summary("preview"))
        wall, tree_cpu = time.perf_counter() - start, children_cpu() - cpu
    finally:
        for key in extra:
            del os.environ[key]
    programs = [json.loads(line) for line in clock_log.read_text().splitlines()]
    # The program is the longest-running Python process of the preview.
    program = max(programs, key=lambda p: float(p["wall"]))
    return Timing(len(planned), wall, tree_cpu, float(program["wall"]), float(program["cpu"]))


def empty_project(work: Path, kube: LocalKube) -> PulumiCli:
    project = work / "empty-project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(EMPTY_PROJECT))
    (project / "__main__.py").write_text('"""No resources: the fixed cost of a preview."""\n')
    config_file = project / "Pulumi.empty.yaml"
    config_file.write_text(yaml.safe_dump({"config": {}}))
    (work / "empty").mkdir()
    cli = PulumiCli(work / "empty", kube.kubeconfig, "empty", config_file, project=project)
    cli.setup()
    return cli


def network_stack(work: Path, kube: LocalKube, orgs: int,
                  cli_bin: Path | None = None) -> PulumiCli:
    """A new stack of the generated network, in its own folder under ``work``."""
    name = f"{orgs}-orgs"
    folder = work / (f"{name}-{cli_bin.name}" if cli_bin else name)
    folder.mkdir()
    crypto_config, network = write_network(folder, orgs)
    config_file = folder / f"Pulumi.bench-{name}.yaml"
    config_file.write_text(yaml.safe_dump(
        launch_config(crypto_config, network, f"bench-{name}", f"bench-{name}")))
    cli = PulumiCli(folder, kube.kubeconfig, f"bench-{name}", config_file, cli_bin=cli_bin)
    cli.setup()
    return cli


def other_cli(work: Path, binary: Path) -> Path:
    """A folder with ``binary`` as ``pulumi`` and the pinned build's plugins
    (language host, dynamic provider plugin) beside it, where the engine looks."""
    (pulumi_dir,) = build("pulumi")
    folder = work / "other-cli"
    folder.mkdir()
    for tool in (pulumi_dir / "bin").iterdir():
        (folder / tool.name).symlink_to(binary.resolve() if tool.name == "pulumi" else tool)
    return folder


def main(orgs: int, other: Path | None) -> None:
    (kube_dir,) = build("kube")
    build("pulumi", "kubernetes-provider")  # built before the clock starts
    print(f"{'program':<12} {'CLI':<8} {'peers':>5} {'resources':>9} {'checkpoints':>11} "
          f"{'wall s':>7} {'CPU s, all':>10} {'program wall s':>14} {'program CPU s':>13} "
          f"{'load':>5}", flush=True)
    with LocalKube(kube_dir=kube_dir) as kube, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clock_log = work / "clock" / "program-clock.jsonl"
        clock_log.parent.mkdir()
        (clock_log.parent / "sitecustomize.py").write_text(PROGRAM_CLOCK)
        runs = [("empty", 0, empty_project(work, kube)),
                (f"{orgs} orgs", orgs * PEERS_PER_ORG, network_stack(work, kube, orgs))]
        if other is not None:
            runs.append((f"{orgs} orgs", orgs * PEERS_PER_ORG,
                         network_stack(work, kube, orgs, other_cli(work, other))))
        for name, peers, cli in runs:
            version = cli.run("version", stack=False).stdout.strip() or "unknown"
            for skip in (False, True):
                t = timed_preview(cli, clock_log, skip)
                print(f"{name:<12} {version:<8} {peers:>5} {t.resources:>9} "
                      f"{'off' if skip else 'on':>11} {t.wall:>7.1f} {t.tree_cpu:>10.1f} "
                      f"{t.program_wall:>14.1f} {t.program_cpu:>13.1f} "
                      f"{os.getloadavg()[0]:>5.1f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="benchmarks.preview_timing")
    parser.add_argument("orgs", nargs="?", type=int, default=20)
    parser.add_argument("--cli", type=Path, help="another build of the pulumi CLI to compare")
    arguments = parser.parse_args()
    main(arguments.orgs, arguments.cli)
