"""Prints the wall time and size of a backup and of a full restore of the scaled
sample (3 Raft orderers, 2 orgs x 2 peers, real Fabric 2.5.9 nodes) after
1,000 writes, with the local harness and a local directory store.

Usage: venv/bin/python -m benchmarks.backup_timing [WRITES]
Figures only; nothing here asserts a time."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from backup import LocalDirStore
from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import query
from localnet import FabricRelease, LocalNetwork
from localnet.backup import backup_network, node_heights, restore_network
from localnet.release import REPO_ROOT
from tests.localnet.populate import populated

CHANNEL, CHAINCODE = "common", "asset"
PASSPHRASE = "benchmark passphrase"
WRITERS = 8
"""Clients writing at once, none waiting for its commit."""
ATTEMPTS = 5


def write_all(net: LocalNetwork, count: int) -> None:
    """``count`` CreateAsset transactions (each returns once the orderer accepted
    it), then waits until every peer has committed the last block."""
    orderer_org, orderer_node = net.spec.node(net.channel(CHANNEL).consenters[0])
    endorsers = [flag for org in net.spec.peer_orgs for flag in (
        "--peerAddresses", peer_address(net.addressing, org.nodes[0]),
        "--tlsRootCertFiles", net.executor(org.name).paths.tls_ca(org.domain))]
    executor = net.executor("Org1")

    def one(n: int) -> None:
        """Retried like a client would: a write refused while Raft elects a
        leader or a peer is busy is submitted again."""
        call = json.dumps({"function": "CreateAsset", "Args": [f"key-{n}", str(n)]})
        for _ in range(ATTEMPTS):
            result = executor.run(
                ["peer", "chaincode", "invoke", "-o",
                 orderer_address(net.addressing, orderer_node), "--tls", "--cafile",
                 executor.paths.tls_ca(orderer_org.domain), "-C", CHANNEL, "-n", CHAINCODE,
                 *endorsers, "-c", call], timeout=120)
            if result.returncode == 0:
                return
            time.sleep(1)
        raise RuntimeError(f"write {n}: {result.output.strip()[:400]}")

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(one, range(count)))
    settled(net)


def settled(net: LocalNetwork) -> int:
    """Waits until every node has the same height on the channel; that height."""
    while True:
        heights = {node_heights(net, cn).get(CHANNEL) for cn in net.nodes}
        if len(heights) == 1:
            (height,) = heights
            if height is not None:
                return height
        time.sleep(0.5)


def main(writes: int) -> None:
    release = FabricRelease.build()
    with tempfile.TemporaryDirectory(prefix="backup-timing-") as temp:
        root = Path(temp)
        with populated(REPO_ROOT / "samples" / "scaled", root, release) as (net, _):
            started = time.monotonic()
            write_all(net, writes)
            write_seconds = time.monotonic() - started
            height = settled(net)
            data_bytes = sum(f.stat().st_size for cn in net.nodes for f in
                             Path(net.nodes[cn].paths.data_dir).rglob("*") if f.is_file())
            store = LocalDirStore(root / "store")
            started = time.monotonic()
            manifest = backup_network(net, store, PASSPHRASE, key="benchmark")
            backup_seconds = time.monotonic() - started
            stored = sum(o.size for o in manifest.objects)
            net.stop()
            for node in net.nodes.values():
                shutil.rmtree(node.paths.data_dir)
            shutil.rmtree(net.crypto_dir)
            started = time.monotonic()
            restore_network(net, store, "benchmark", PASSPHRASE)
            restore_seconds = time.monotonic() - started
            restored = settled(net)
            peer = net.spec.peer_orgs[-1].nodes[-1]
            last = query(net.executor(net.spec.peer_orgs[-1].name),
                         peer_address(net.addressing, peer), CHANNEL, CHAINCODE,
                         "ReadAsset", [f"key-{writes - 1}"])
    print(f"scaled sample, {writes} writes in {write_seconds:.1f} s, channel {CHANNEL} "
          f"height {height}; node data directories {data_bytes / 2**20:.1f} MiB "
          "(mostly 64 MB Raft WAL segments the orderers preallocate)")
    print("| step | wall s | objects | stored MiB |")
    print("| --- | --- | --- | --- |")
    print(f"| backup (7 nodes, one stopped at a time, + sealed material) | "
          f"{backup_seconds:.1f} | {len(manifest.objects)} | {stored / 2**20:.2f} |")
    print(f"| full restore (verify all, lay down, start, Raft leader) | "
          f"{restore_seconds:.1f} | {len(manifest.objects)} | {stored / 2**20:.2f} |")
    print(f"after the restore: height {restored}, key-{writes - 1} = {last}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
