"""The background cluster of `python -m tools.localcluster`: start (with the
NetworkPolicy enforcer) prints a kubeconfig that reaches a Ready node, status and
kubeconfig report it, a start after a crash (every process killed, containers,
mounts, pid files and the enforcer's queueing chain left) cleans up and starts
again, and stop, which builds nothing, leaves the host as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.pulumi_runner import build
from tests.realcluster.host_snapshot import HostSnapshot
from tools.kube_api import KubeApi
from tools.localcluster.layout import NODE_NAME

pytestmark = pytest.mark.realkube

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, state: Path, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI on the cluster in ``state``; with ``cache``, that as its tool cache."""
    env = {**os.environ, **({"FABRIC_ON_PULUMI_CACHE": str(cache)} if cache else {})}
    return subprocess.run(
        [sys.executable, "-m", "tools.localcluster", *args, "--state-dir", str(state),
         "--images-dir", str(state.parent / "no-images")],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=300, env=env,
    )


def node_ready(kubeconfig: Path) -> bool:
    config = json.loads(kubeconfig.read_text())
    api = KubeApi(config["clusters"][0]["cluster"]["server"], kubeconfig.parent / "pki")
    node = api.request("GET", f"/api/v1/nodes/{NODE_NAME}")
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in node["status"]["conditions"])


def test_start_status_crash_restart_and_stop(tmp_path: Path):
    build("kube")
    build("node")
    before = HostSnapshot.take()
    state = tmp_path / "cluster"
    try:
        started = cli("start", "--network-policies", state=state)
        assert started.returncode == 0, started.stderr
        kubeconfig = Path(started.stdout.strip())
        assert node_ready(kubeconfig)
        status = cli("status", state=state)
        assert status.returncode == 0
        assert {line.split()[0] for line in status.stdout.splitlines()} >= {
            "etcd", "kube-apiserver", "containerd", "kubelet", "kube-proxy",
            "kube-network-policies"}
        assert cli("kubeconfig", state=state).stdout.strip() == str(kubeconfig)

        # A crash: every component killed at once; pods, mounts, chains stay.
        for pid_file in (state / "run").glob("*.pid"):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        assert cli("status", state=state).returncode == 3
        crashed = HostSnapshot.take()
        assert "cni0" in crashed.links
        assert "mangle :NETPOL-QUEUE -" in crashed.iptables  # the enforcer's queueing

        restarted = cli("start", "--network-policies", state=state)
        assert restarted.returncode == 0, restarted.stderr
        assert node_ready(Path(restarted.stdout.strip()))
    finally:
        # A stop builds nothing: it stops the binaries the cluster started with,
        # even where the tool cache is another (here an empty) one.
        empty_cache = tmp_path / "empty-cache"
        empty_cache.mkdir()
        stopped = cli("stop", state=state, cache=empty_cache)
    assert stopped.returncode == 0, stopped.stderr
    assert list(empty_cache.iterdir()) == []
    assert not state.exists()
    assert cli("kubeconfig", state=state).returncode == 3
    after = HostSnapshot.take()
    assert after.sysctls == before.sysctls
    assert after.dirs == before.dirs
    assert after.mounts - before.mounts == set()
    assert after.links == before.links
    assert after.iptables == before.iptables
    assert after.ip6tables == before.ip6tables
    assert after.nft_tables == before.nft_tables
    assert after.kubepods_cgroups == 0
