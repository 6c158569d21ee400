"""A stack created by the code before the program's reorganisation (commit
``PRE_MOVE``: providers at their old module paths, every dynamic resource typed
``pulumi-python:dynamic:Resource``, the orderer component typed
``fabric:index:Orderer``) keeps working with the current code: its preview and
``pulumi up`` change nothing (the aliases map every old URN onto its new type)
and run no Fabric command, and ``pulumi refresh``, which unpickles the providers
the old state holds (the modules kept at the old paths), only queries.

The stack populates a real local Fabric network (kwok pods cannot run
commands); its org admins' commands go through wrappers that log each command
line, so what the engine ran is read from the log."""

from __future__ import annotations

import json
import subprocess
import tarfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
import yaml

from localnet import LocalNetwork
from localnet.chaincode_servers import chaincode_servers
from tests.engine.pulumi_runner import REPO_ROOT, PulumiCli, steps, warnings
from tests.engine.volumes import static_volumes
from tests.fabric_version import fabric_test_release
from tests.localnet.commands import MUTATING
from tools.localkube import LocalKube

pytestmark = [pytest.mark.kube, pytest.mark.fabric]
PRE_MOVE = "28f5a63"
"""The last commit with the flat ``fabric_components`` package."""
NAMESPACE = "fabric-compat"
STACK = "compat"


def checkout(commit: str, target: Path) -> Path:
    """The tree of ``commit`` (no git metadata) with the project's venv."""
    archive = subprocess.run(["git", "-C", str(REPO_ROOT), "archive", commit],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    (target / "venv").symlink_to(REPO_ROOT / "venv")
    return target


def logging_bin_dir(real: Path, target: Path, log: Path) -> Path:
    """Wrappers of every Fabric binary of ``real``: each appends its command
    line to ``log``, then runs the real one."""
    target.mkdir()
    for binary in sorted(p.name for p in real.iterdir()):
        wrapper = target / binary
        wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "{binary} $*" >>"{log}"\n'
                           f'exec "{real / binary}" "$@"\n')
        wrapper.chmod(0o755)
    return target


def mutating(log: Path) -> list[str]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if MUTATING.intersection(line.split())]


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNetwork]:
    with LocalNetwork.start(REPO_ROOT / "samples" / "simple",
                            tmp_path_factory.mktemp("localnet"),
                            fabric_test_release()) as network:
        yield network


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("commands") / "commands.log"


@pytest.fixture(scope="module")
def stacks(kube: LocalKube, net: LocalNetwork, log: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PulumiCli, PulumiCli]]:
    """The same stack (one state) run by the old code and by the current code."""
    static_volumes(kube, 4, "compat-local")
    workdir = tmp_path_factory.mktemp("engine-compat")
    (chaincode,) = net.spec.chaincodes
    labels = {f"{chaincode.name}/{org}": chaincode.label for org in chaincode.orgs}
    (workdir / "servers").mkdir()
    with chaincode_servers(labels, workdir / "servers",
                          lambda key: net.tls_ca(key.split("/")[1])) as servers:
        manifest = json.loads(net.manifest(servers).to_json())
        wrappers = logging_bin_dir(net.release.bin_dir, workdir / "bin", log)
        for executor in manifest["executors"].values():
            executor["bin_dir"] = str(wrappers)
        (workdir / "network.json").write_text(json.dumps(manifest))
        sample = REPO_ROOT / "samples" / "simple"
        config_file = workdir / f"Pulumi.{STACK}.yaml"
        config_file.write_text(yaml.safe_dump({"config": {
            "fabric:cryptoConfig": str(sample / "crypto-config.yaml"),
            "fabric:network": str(sample / "network.yaml"),
            "fabric:cryptoDir": str(net.crypto_dir),
            "fabric:localNetwork": str(workdir / "network.json"),
            "fabric:namespace": NAMESPACE,
            "fabric:storageClass": "compat-local",
            "fabric:peerStorage": "1Gi",
            "fabric:ordererStorage": "1Gi",
            # Added after the move, on by default: they would add their own objects
            # (and new chaincode packages) to the plan. Off, the plan shows what the
            # move alone changes.
            "fabric:networkPolicies": "false",
            "fabric:endpointTls": "false",
            # Also added after: nodes roll on their certificates' hash, consenters
            # get a rotation step.
            "fabric:certRenewal": "false",
        }}))
        old_tree = checkout(PRE_MOVE, workdir / "pre-move")
        old = PulumiCli(workdir, kube.kubeconfig, STACK, config_file, project=old_tree)
        old.setup()
        new = PulumiCli(workdir, kube.kubeconfig, STACK, config_file)
        yield old, new
        new.run("destroy", "--yes", "--skip-preview", check=False)


def test_the_old_code_creates_the_stack(stacks: tuple[PulumiCli, PulumiCli], log: Path):
    old, _ = stacks
    old.run("up", "--yes", "--skip-preview")
    state = old.state()
    assert "pulumi-python:dynamic:Resource::mychannel-peer0-org1-join" in state
    assert "fabric:index:Orderer::orderer" in state
    # The wrappers saw the populate: joins, installs, approvals, the commit.
    assert {"join", "install", "approveformyorg", "commit"} <= {
        word for line in mutating(log) for word in line.split()}


def test_the_current_code_previews_and_applies_no_change(
    stacks: tuple[PulumiCli, PulumiCli], log: Path,
):
    _, new = stacks
    log.unlink()
    previewed = new.run("preview", "--expect-no-changes")
    assert warnings(previewed) == []
    planned = steps(new.summary("preview"))
    assert {op for op, _ in planned} == {"same"}, [s for s in planned if s[0] != "same"]
    new.run("up", "--yes", "--skip-preview", "--expect-no-changes")
    urns = [r["urn"] for r in json.loads(new.state())["deployment"]["resources"]]
    # Every Fabric step now reads as its kind, under its component.
    kinds = {urn.split("::")[-2].split("$")[-1] for urn in urns}
    assert {"pulumi-python:dynamic/fabric:PeerJoin", "pulumi-python:dynamic/fabric:ChannelConfig",
            "pulumi-python:dynamic/fabric:ChaincodeApproval",
            "pulumi-python:dynamic/fabric:ReadinessGate", "fabric:index:OrdererOrg"} <= kinds
    assert "pulumi-python:dynamic:Resource" not in kinds
    assert "fabric:index:Orderer" not in kinds
    assert any(urn.endswith("fabric:index:Channel$pulumi-python:dynamic/fabric:PeerJoin"
                            "::mychannel-peer0-org1-join") for urn in urns)
    assert mutating(log) == []


def test_a_refresh_reads_the_old_providers_and_only_queries(
    stacks: tuple[PulumiCli, PulumiCli], log: Path,
):
    _, new = stacks
    log.unlink(missing_ok=True)
    # The first refresh reads every resource through the providers pickled in the
    # old state, and gives identities issued before them their expiry outputs;
    # a second one finds nothing more to change.
    new.run("refresh", "--yes", "--skip-preview")
    new.run("refresh", "--yes", "--skip-preview", "--expect-no-changes")
    ran = log.read_text().splitlines()
    assert any(line.startswith("peer channel list") for line in ran), ran
    assert mutating(log) == []
    assert new.run("preview", "--expect-no-changes").returncode == 0
