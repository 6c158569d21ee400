"""Every node of both samples starts from the shared settings and is healthy."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fabric_nodes.node_settings import orderer_environment, peer_environment
from fabric_ops.ccaas_package import ccaas_builder_config
from localnet import FabricRelease, LocalNetwork, NodeStartError
from localnet.process import health
from localnet.release import REPO_ROOT
from network_spec import OrgKind

pytestmark = pytest.mark.fabric

SAMPLES = REPO_ROOT / "samples"


def assert_all_healthy(net: LocalNetwork, expected: set[str]) -> None:
    assert set(net.nodes) == expected
    for node in net.nodes.values():
        assert node.process.running(), node.name
        assert health(node.operations_url("/healthz"), node.operations_tls) == (True, ""), node.name
        host = node.endpoint.split(":")[0]
        assert host == "127.0.0.1"
    pids = sorted(node.process.pid for node in net.nodes.values())
    assert sorted(processes_under(net.workdir.resolve())) == pids
    print(
        f"\n{len(net.nodes)} nodes healthy {net.startup_seconds:.2f} s after start, "
        f"peak RSS sum {net.peak_rss_kib() / 1024:.0f} MiB"
    )


def test_simple_starts_and_stops(fabric_release: FabricRelease, tmp_path: Path) -> None:
    with LocalNetwork.start(SAMPLES / "simple", tmp_path, fabric_release) as net:
        assert_all_healthy(
            net, {"orderer0.example.com", "peer0.org1.example.com", "peer0.org2.example.com"}
        )
        processes = [node.process for node in net.nodes.values()]
        operations = [(node.operations_url("/healthz"), node.operations_tls)
                      for node in net.nodes.values()]
    assert not any(process.running() for process in processes)
    for url, tls in operations:
        ok, answer = health(url, tls)
        assert not ok
        assert "Connection refused" in answer


def test_scaled_starts(scaled_net: LocalNetwork) -> None:
    assert_all_healthy(
        scaled_net,
        {f"orderer{i}.example.com" for i in range(3)}
        | {f"peer{i}.org{o}.example.com" for i in range(2) for o in (1, 2)},
    )


def test_nodes_run_exactly_the_shared_settings(scaled_net: LocalNetwork) -> None:
    """The process environment is node_settings' output plus PATH and HOME."""
    for node in scaled_net.nodes.values():
        if node.org.kind is OrgKind.PEER:
            tls = Path(node.paths.tls_dir)
            settings = peer_environment(
                node.org, node.spec, scaled_net.addressing, node.paths, state_database="goleveldb",
                ccaas_builder_config=ccaas_builder_config(
                    *((tls / f).read_text() for f in ("ca.crt", "server.crt", "server.key"))),
            )
        else:
            settings = orderer_environment(node.org, node.spec, scaled_net.addressing, node.paths)
        raw = Path(f"/proc/{node.process.pid}/environ").read_bytes().decode()
        env = dict(entry.split("=", 1) for entry in raw.split("\0") if entry)
        assert {k: v for k, v in env.items() if k not in ("PATH", "HOME")} == settings


def processes_under(folder: Path) -> list[int]:
    """Pids of processes whose working directory is inside ``folder`` (each node
    runs in its own folder of the workdir)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cwd").resolve().is_relative_to(folder):
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def test_failed_start_reports_the_log_and_stops_every_node(
    fabric_release: FabricRelease, tmp_path: Path
) -> None:
    """A bad logging spec makes each node panic at once: the first failure is
    reported with its log, and the nodes already started are stopped."""
    with pytest.raises(NodeStartError) as failed:
        LocalNetwork.start(
            SAMPLES / "simple", tmp_path, fabric_release, log_spec="info:bogus=nolevel"
        )
    assert "exited with code" in str(failed.value)
    assert "invalid logging specification 'info:bogus=nolevel'" in str(failed.value)
    assert processes_under(tmp_path.resolve()) == []


def test_refuses_a_used_workdir(fabric_release: FabricRelease, tmp_path: Path) -> None:
    (tmp_path / "nodes").mkdir()
    with pytest.raises(ValueError, match="not empty"):
        LocalNetwork.start(SAMPLES / "simple", tmp_path, fabric_release)


@pytest.mark.usefixtures("fabric_release")
def test_cli_up_prints_endpoints_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    cli = subprocess.Popen(
        [sys.executable, "-m", "localnet", "up", "samples/simple", "--workdir", str(tmp_path)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert cli.stdout is not None
    lines = []
    try:
        for line in cli.stdout:
            lines.append(line)
            if "Ctrl-C stops" in line:
                break
        printed = "".join(lines)
        assert "all nodes healthy" in printed, printed
        assert "peer0.org1.example.com" in printed
        assert "admin 127.0.0.1:" in printed  # the orderer's osnadmin endpoint
        assert len(processes_under(tmp_path.resolve())) == 3
        cli.send_signal(signal.SIGINT)
        assert cli.wait(timeout=30) == 130
    finally:
        cli.kill()
        cli.wait()
    assert processes_under(tmp_path.resolve()) == []
