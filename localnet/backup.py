"""Backup and restore of a local network, node by node, with the nodes' real
data directories. A node is copied only while it is stopped, and only one node
is down at a time, so the network keeps serving: peers first (one at a time,
each restarted before the next), then the orderers one at a time, each back in
its Raft cluster before the next stops. Peers go first so that no peer's copy
is ahead of the ordering service's: a full restore never has a peer holding a
block the restored orderers do not have."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from backup.archive import pack, unpack
from backup.keys import KdfParams
from backup.manifest import BackupError, Manifest, check_key, default_key
from backup.names import MATERIAL
from backup.reader import fetch_verified
from backup.store import ObjectStore
from backup.writer import BackupWriter
from fabric_nodes.node_settings import orderer_admin_address, peer_address
from fabric_ops.chaincode_ops import committed
from fabric_ops.channel_ops import orderer_channel, peer_height
from fabric_ops.polling import poll
from localnet.network import LocalNetwork
from network_spec import OrgKind

CATCH_UP_SECONDS = 60.0
RAFT_GAUGE = re.compile(
    r'^consensus_etcdraft_(?P<name>is_leader|cluster_size|active_nodes)'
    r'\{channel="(?P<channel>[^"]+)"\} (?P<value>\S+)$')


def node_object(common_name: str) -> str:
    return f"nodes/{common_name}/data.tar.gz"


def node_heights(net: LocalNetwork, common_name: str) -> dict[str, int]:
    """The node's height on every channel it serves (peers: their org's
    channels; orderers: the channels it is a consenter of)."""
    org, node = net.spec.node(common_name)
    executor = net.executor(org.name)
    heights: dict[str, int] = {}
    for channel in net.spec.channels:
        if org.kind is OrgKind.PEER and org.name in channel.orgs:
            heights[channel.name] = peer_height(
                executor, peer_address(net.addressing, node), channel.name)
        elif org.kind is OrgKind.ORDERER and common_name in channel.consenters:
            info = orderer_channel(executor, orderer_admin_address(net.addressing, node),
                                   org.domain, channel.name)
            heights[channel.name] = int(info["height"]) if info else 0
    return heights


def backup_order(net: LocalNetwork) -> list[str]:
    """Every peer, org by org, then every orderer."""
    peers = [n.common_name for org in net.spec.peer_orgs for n in org.nodes]
    orderers = [n.common_name for org in net.spec.orderer_orgs for n in org.nodes]
    return peers + orderers


def raft_metrics(net: LocalNetwork, common_name: str) -> dict[tuple[str, str], float]:
    """``consensus_etcdraft_*`` gauges of an orderer by (name, channel), from its
    Prometheus endpoint."""
    _, body = net.nodes[common_name].operations_get("/metrics")
    found: dict[tuple[str, str], float] = {}
    for line in body.splitlines():
        match = RAFT_GAUGE.match(line)
        if match:
            found[match["name"], match["channel"]] = float(match["value"])
    return found


def _raft_healthy(net: LocalNetwork, channel: str) -> bool:
    """One consenter leads ``channel`` and counts every consenter as active."""
    for common_name in net.channel(channel).consenters:
        gauges = raft_metrics(net, common_name)
        if gauges.get(("is_leader", channel)) == 1:
            size = gauges.get(("cluster_size", channel))
            return size is not None and gauges.get(("active_nodes", channel)) == size
    return False


def _wait_rejoined(net: LocalNetwork, common_name: str, before: dict[str, int]) -> None:
    """An orderer that restarted is back at (at least) its height before the stop,
    and each of its channels has a leader that counts it active again, so
    stopping the next orderer keeps a working quorum."""
    now: dict[str, int] = {}

    def rejoined() -> bool | None:
        now.update(node_heights(net, common_name))
        back = all(now.get(c, 0) >= h for c, h in before.items()) and all(
            _raft_healthy(net, c) for c in before)
        return True if back else None

    poll(rejoined, CATCH_UP_SECONDS, 0.2, lambda: BackupError(
        f"{common_name}: at {now} after its restart (before: {before}), "
        f"not back in its Raft clusters within {CATCH_UP_SECONDS:.0f} s"))


def _definitions(net: LocalNetwork) -> dict[str, dict[str, object]]:
    """The committed chaincode definitions, per ``<channel>/<chaincode>``."""
    found: dict[str, dict[str, object]] = {}
    for cc in net.spec.chaincodes:
        for target in cc.channels:
            org = net.spec.org(target.orgs[0])
            peer = peer_address(net.addressing, org.nodes[0])
            definition = committed(net.executor(org.name), peer, target.channel, cc.name)
            if definition is not None:
                found[f"{target.channel}/{cc.name}"] = definition
    return found


def _material(net: LocalNetwork, scratch: Path) -> Path:
    """Crypto (private keys included), channel configtx inputs and the committed
    chaincode definitions, as one gzipped tar."""
    root = scratch / "material"
    shutil.copytree(net.crypto_dir, root / "crypto")
    for channel in net.spec.channels:
        for relative, data in net.channel_files(channel.name).items():
            path = root / "channels" / channel.name / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    (root / "definitions.json").write_text(
        json.dumps(_definitions(net), indent=2, sort_keys=True), encoding="utf-8")
    archive = scratch / "material.tar.gz"
    pack(root, archive)
    return archive


def backup_network(
    net: LocalNetwork, store: ObjectStore, passphrase: str, key: str | None = None,
    params: KdfParams | None = None,
) -> Manifest:
    """Back up every node (each archive encrypted) and the sealed network
    material under ``key`` (default: the UTC time); the authenticated manifest
    is written last. ``params``: scrypt salt and cost (default: a random salt at
    the current cost)."""
    key = check_key(key or default_key())
    with tempfile.TemporaryDirectory(prefix="backup-") as temp:
        scratch = Path(temp)
        writer = BackupWriter(store, key, passphrase, scratch, params)
        writer.add_material(_material(net, scratch).read_bytes())
        for common_name in backup_order(net):
            heights = node_heights(net, common_name)
            net.stop_node(common_name)
            archive = scratch / f"{common_name}.tar.gz"
            try:
                pack(Path(net.nodes[common_name].paths.data_dir), archive)
            finally:
                net.restart(common_name)
            if net.spec.node(common_name)[0].kind is OrgKind.ORDERER:
                _wait_rejoined(net, common_name, heights)
            writer.manifest.heights[common_name] = heights
            writer.add_archive(node_object(common_name), archive)
            archive.unlink()
        return writer.publish()


def restore_network(
    net: LocalNetwork, store: ObjectStore, key: str, passphrase: str,
    nodes: Iterable[str] | None = None,
) -> Manifest:
    """Restore ``nodes`` (default: every node, and the crypto material) from
    backup ``key``: the whole backup is downloaded, authenticated and decrypted
    before any node is stopped; then each node's data replaces its data
    directory and the nodes start (orderers first); it returns once every
    restored orderer is back at its backed-up height in a Raft cluster with a
    leader, i.e. the network orders again."""
    with tempfile.TemporaryDirectory(prefix="restore-") as temp:
        staging = Path(temp)
        manifest, paths = fetch_verified(store, key, staging, passphrase)
        if MATERIAL not in paths:
            raise BackupError(f"backup {key}: no object {MATERIAL}")
        selected = list(nodes) if nodes is not None else backup_order(net)
        for common_name in selected:
            if node_object(common_name) not in paths:
                raise BackupError(f"backup {key}: no object {node_object(common_name)}")
        for common_name in selected:
            net.stop_node(common_name)
        if nodes is None:
            unpack(paths[MATERIAL], staging / "material")
            if net.crypto_dir.exists():
                shutil.rmtree(net.crypto_dir)
            shutil.copytree(staging / "material" / "crypto", net.crypto_dir)
        for common_name in selected:
            unpack(paths[node_object(common_name)], Path(net.nodes[common_name].paths.data_dir))
        order = backup_order(net)
        for common_name in sorted(selected, key=order.index, reverse=True):
            net.restart(common_name)
        for common_name in selected:
            if net.spec.node(common_name)[0].kind is OrgKind.ORDERER:
                _wait_rejoined(net, common_name, manifest.heights.get(common_name, {}))
    return manifest
