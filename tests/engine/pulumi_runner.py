"""The real Pulumi CLI (built by tools/build-tools.sh) run on the project with a
file backend, a passphrase secrets provider and downloads made impossible."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_TOOLS = REPO_ROOT / "tools" / "build-tools.sh"
PROVIDER_VERSION = "4.34.2"  # pulumi-kubernetes in requirements.txt


def build(*targets: str) -> list[Path]:
    """Result dirs of the targets; a failed build fails the test with the
    script's message instead of skipping it."""
    result = subprocess.run(
        [str(BUILD_TOOLS), *targets], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"{BUILD_TOOLS} {' '.join(targets)}: {result.stderr.strip()}", pytrace=False)
    return [Path(line) for line in result.stdout.split()]


@dataclass
class PulumiCli:
    workdir: Path
    """Holds the state backend, PULUMI_HOME and temp files of one test."""
    kubeconfig: Path
    stack: str
    config_file: Path
    project: Path = REPO_ROOT
    """The program's directory (another checkout for a state made by older code)."""
    cli_bin: Path | None = None
    """A folder with another build of the CLI and the plugins bundled with it
    (benchmarks/preview_timing.py compares releases); default: the pinned one."""

    def env(self) -> dict[str, str]:
        pulumi_dir, _ = build("pulumi", "kubernetes-provider")
        # The dynamic provider plugin is bundled next to the CLI, where the
        # engine looks first: nothing on PATH shadows it (no warning).
        return dict(
            os.environ,
            PATH=os.pathsep.join([str(self.cli_bin or pulumi_dir / "bin"), os.environ["PATH"]]),
            PULUMI_HOME=str(self.workdir / "home"),
            PULUMI_BACKEND_URL=f"file://{self.workdir / 'state'}",
            PULUMI_CONFIG_PASSPHRASE="engine-tests",
            PULUMI_SKIP_UPDATE_CHECK="1",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            PULUMI_RUNTIME_VIRTUALENV=str(REPO_ROOT / "venv"),
            KUBECONFIG=str(self.kubeconfig),
            # Any download would go through this dead proxy and fail.
            HTTPS_PROXY="http://127.0.0.1:9",
            HTTP_PROXY="http://127.0.0.1:9",
            NO_PROXY=",".join(["127.0.0.1", "localhost", *self.cluster_hosts()]),
            TMPDIR=str(self.workdir / "tmp"),
        )

    def cluster_hosts(self) -> list[str]:
        """The API server hosts of the kubeconfig (a real local cluster serves
        inside its pod network, not on loopback), reached without the proxy."""
        document = yaml.safe_load(self.kubeconfig.read_text())
        return [urllib.parse.urlsplit(c["cluster"]["server"]).hostname or ""
                for c in document.get("clusters", [])]

    def setup(self) -> None:
        for folder in ("home", "state", "tmp"):
            (self.workdir / folder).mkdir(exist_ok=True)
        _, provider_dir = build("pulumi", "kubernetes-provider")
        self.run("plugin", "install", "resource", "kubernetes", PROVIDER_VERSION, "--file",
                 str(provider_dir / "bin" / "pulumi-resource-kubernetes"), stack=False)
        # Created from a copy of Pulumi.yaml: `stack init` writes the stack file
        # (its secrets salt) beside the project, and the checkout stays clean.
        scratch = self.workdir / "project"
        scratch.mkdir(exist_ok=True)
        (scratch / "Pulumi.yaml").write_bytes((self.project / "Pulumi.yaml").read_bytes())
        self.run("--cwd", str(scratch), "stack", "init", self.stack, stack=False)

    def run(self, *args: str, stack: bool = True, check: bool = True,
            timeout: float = 900) -> subprocess.CompletedProcess[str]:
        argv = ["pulumi", *args]
        if stack:
            argv += ["--stack", self.stack]
        if stack and args[0] in ("up", "preview", "refresh", "destroy"):
            argv += ["--config-file", str(self.config_file), "--non-interactive"]
        result = subprocess.run(argv, cwd=self.project, env=self.env(), capture_output=True,
                                text=True, check=False, timeout=timeout)
        if check:
            assert result.returncode == 0, (
                f"pulumi {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def summary(self, *args: str) -> dict[str, Any]:
        """The change summary of ``preview``/``up`` in JSON form."""
        result = self.run(*args, "--json")
        return dict(json.loads(result.stdout))

    def state(self) -> str:
        return self.run("stack", "export", "--show-secrets=false").stdout


def warnings(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The warning lines of a CLI run (a preview's output lands in pull request
    comments: none may be about the tooling)."""
    return [line for line in (result.stdout + result.stderr).splitlines()
            if "warning" in line.lower()]


def steps(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """``(op, "<type>::<name>")`` of every step of a ``--json`` summary."""
    return [(s["op"], s["urn"].split("::")[-2].split("$")[-1] + "::" + s["urn"].split("::")[-1])
            for s in summary.get("steps", [])]


def state_strings(value: Any) -> Iterator[str]:
    """Every string in an exported state, secrets' plaintext JSON decoded."""
    if isinstance(value, dict):
        if "plaintext" in value:
            yield from state_strings(json.loads(value["plaintext"]))
        for item in value.values():
            yield from state_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from state_strings(item)
    elif isinstance(value, str):
        yield value
