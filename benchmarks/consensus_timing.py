"""Prints transaction latency and throughput of a BFT channel next to a Raft
channel on the same machine, the same Fabric release (3.1.1) and the same
network: four ordering nodes of one org, one peer org (tests/localnet/bft_network,
and a copy of it with ``consensus: etcdraft``), both cutting a lone
transaction's block after 200 ms (SmartBFT's RequestBatchMaxInterval, Raft's
BatchTimeout).

Latency: one client writes one transaction at a time (``peer chaincode
invoke --waitForEvent``: endorse, order, commit seen by the peer), ``WRITES``
of them. Throughput: ``CLIENTS`` such clients write together for
``SECONDS``; committed transactions per second. The CLI's own start-up is in
every figure, the same for both. Each consensus gets a fresh network.

The CLI sends a transaction to one orderer. A SmartBFT follower holds what it
receives for ``RequestForwardTimeout`` (5 s) before forwarding it to the
leader, expecting the client to have sent it to every orderer as a Fabric
Gateway does; so BFT is measured twice: every write sent to the leader (what
the Gateway's send-to-all amounts to) and the writes spread over the orderers
in turn (a one-orderer client). Raft followers forward at once.

Usage: venv/bin/python -m benchmarks.consensus_timing
Figures only; nothing here asserts a time."""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, invoke
from localnet import FabricRelease, LocalNetwork
from localnet.release import REPO_ROOT
from tests.localnet.populate import populated

RELEASE = "3.1.1"
BFT_NETWORK = REPO_ROOT / "tests" / "localnet" / "bft_network"
CHANNEL, CHAINCODE = "bftchannel", "basic"
WRITES = 20
CLIENTS = 4
SECONDS = 15.0


def raft_copy(folder: Path) -> Path:
    """The BFT network with ``consensus: etcdraft``, the same V3_0 channel
    capability and a batch timeout equal to SmartBFT's batch interval, in
    ``folder``."""
    network = yaml.safe_load((BFT_NETWORK / "network.yaml").read_text())
    network["channels"][0]["consensus"] = "etcdraft"
    network["channels"][0]["capabilities"] = {"channel": "V3_0"}  # as the BFT channel
    # SmartBFT cuts a batch after RequestBatchMaxInterval (200 ms), not the
    # channel's BatchTimeout: the same wait for Raft.
    network["channels"][0]["batchTimeout"] = "200ms"
    folder.mkdir(parents=True)
    (folder / "network.yaml").write_text(yaml.safe_dump(network))
    (folder / "crypto-config.yaml").write_text((BFT_NETWORK / "crypto-config.yaml").read_text())
    return folder


def write(net: LocalNetwork, key: str, orderer: Orderer) -> bool:
    peer = peer_address(net.addressing, net.spec.org("Org1").nodes[0])
    result = invoke(net.executor("Org1"), orderer, CHANNEL, CHAINCODE, "CreateAsset",
                    [key, "1"], [(peer, "org1.example.com")])
    return result.returncode == 0


def leader(net: LocalNetwork, series: str) -> str:
    """The ordering node whose ``series`` gauge is 1 on the channel."""
    for name, node in net.nodes.items():
        if node.admin_endpoint is None:
            continue
        _, text = node.operations_get("/metrics")
        if f'{series}{{channel="{CHANNEL}"}} 1' in text.splitlines():
            return name
    raise RuntimeError(f"no node reports {series} = 1")


Pick = Callable[[int], Orderer]


def run(net: LocalNetwork, pick: Pick, mode: str) -> tuple[list[float], float, int]:
    """Latencies of sequential writes (s), committed writes per second with
    ``CLIENTS`` clients, and the writes that failed; ``pick`` chooses the
    orderer of the n-th write."""
    latencies, failed = [], 0
    for n in range(WRITES):
        start = time.perf_counter()
        ok = write(net, f"{mode}-0-{n}", pick(n))
        latencies.append(time.perf_counter() - start)
        failed += not ok
    committed = [0] * CLIENTS
    deadline = time.perf_counter() + SECONDS

    def client(index: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            if write(net, f"{mode}-{index + 1}-{n}", pick(index + n)):
                committed[index] += 1
            n += 1

    threads = [threading.Thread(target=client, args=(i,), name=f"{mode}-{i}")
               for i in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, sum(committed) / (time.perf_counter() - start), failed


def measure(source: Path, workdir: Path, leader_series: str
            ) -> dict[str, tuple[list[float], float, int]]:
    """Per mode (``to leader``, ``round robin``), what ``run`` measures."""
    with populated(source, workdir, FabricRelease.build(RELEASE)) as (net, _):
        orderers = {name: Orderer(orderer_address(net.addressing, node), org.domain)
                    for org in net.spec.orderer_orgs for node in org.nodes
                    for name in [node.common_name]}
        first = orderers[leader(net, leader_series)]
        write(net, "warm-up", first)  # the chaincode's first call
        ring = list(orderers.values())
        results = {}
        for mode, pick in (("to leader", lambda n: first),
                           ("round robin", lambda n: ring[n % len(ring)])):
            results[mode] = run(net, pick, mode)
        return results


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for consensus, source, series in (
            ("BFT", BFT_NETWORK, "consensus_BFT_is_leader"),
            ("etcdraft", raft_copy(Path(tmp) / "raft-spec"), "consensus_etcdraft_is_leader"),
        ):
            for mode, figures in measure(source, Path(tmp) / consensus, series).items():
                results[consensus, mode] = figures
    print(f"Fabric {RELEASE}, 4 ordering nodes, 1 peer; {WRITES} sequential writes, then "
          f"{CLIENTS} clients for {SECONDS:.0f} s")
    print(f"{'consensus':<10} {'orderer':<12} {'median s':>9} {'p90 s':>7} {'tx/s':>6} "
          f"{'failed':>7}")
    for (consensus, mode), (latencies, rate, failed) in results.items():
        p90 = statistics.quantiles(latencies, n=10)[-1]
        print(f"{consensus:<10} {mode:<12} {statistics.median(latencies):>9.3f} {p90:>7.3f} "
              f"{rate:>6.1f} {failed:>7}")
    for mode in ("to leader", "round robin"):
        (bft, bft_rate, _), (raft, raft_rate, _) = results["BFT", mode], results["etcdraft", mode]
        print(f"BFT / Raft, {mode}: median latency x"
              f"{statistics.median(bft) / statistics.median(raft):.2f}, "
              f"throughput x{bft_rate / raft_rate:.2f}")


if __name__ == "__main__":
    main()
