"""Backup and restore of the populated scaled sample (3 Raft orderers, 2 orgs x
2 peers) with real nodes. What is promised, and checked here:

- peers restored from a backup while the orderers keep their ledgers come back
  at (at least) their backed-up heights and catch up from the orderers: writes
  made after the backup are on them again;
- a full restore (every node, and the crypto material, into wiped directories)
  returns the network to the backup point: the writes before the backup read
  back, those after it are gone, and the network orders new writes;
- a backup whose object was altered, or whose archives were swapped together
  with the manifest's entries (by someone with the storage key but not the
  passphrase), is refused before any node is touched.

The first two store the backup in a local directory, the last in Azure Blob
Storage (Azurite)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.storage.blob import ContainerClient

from backup import BackupError, LocalDirStore, Manifest
from backup.azure_store import AzureBlobStore
from backup.names import MANIFEST, object_path
from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, invoke, query
from fabric_ops.executor import CommandFailed
from localnet import FabricRelease, LocalNetwork
from localnet.backup import backup_network, node_heights, node_object, restore_network
from localnet.release import REPO_ROOT
from tests.localnet.populate import populated

pytestmark = pytest.mark.fabric
CHANNEL = "common"
CHAINCODE = "asset"
PASSPHRASE = "correct horse battery staple"
CATCH_UP_SECONDS = 60.0


@pytest.fixture(scope="module")
def net(
    fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalNetwork]:
    workdir = tmp_path_factory.mktemp("scaled-backup")
    with populated(REPO_ROOT / "samples" / "scaled", workdir, fabric_release) as (network, _):
        yield network


@pytest.fixture
def store(tmp_path: Path) -> LocalDirStore:
    return LocalDirStore(tmp_path / "store")


def peers(net: LocalNetwork) -> list[str]:
    return [n.common_name for org in net.spec.peer_orgs for n in org.nodes]


def orderers(net: LocalNetwork) -> list[str]:
    return [n.common_name for org in net.spec.orderer_orgs for n in org.nodes]


def write(net: LocalNetwork, keys: list[str]) -> None:
    """``CreateAsset(key, key)`` for each key, endorsed by one peer per org."""
    orderer_org, orderer_node = net.spec.node(net.channel(CHANNEL).consenters[0])
    orderer = Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain)
    endorsers = [(peer_address(net.addressing, org.nodes[0]), org.domain)
                 for org in net.spec.peer_orgs]

    for key in keys:
        result = invoke(net.executor("Org1"), orderer, CHANNEL, CHAINCODE, "CreateAsset",
                        [key, key], endorsers)
        assert result.returncode == 0, result.output


def read(net: LocalNetwork, common_name: str, key: str) -> str | None:
    org, node = net.spec.node(common_name)
    try:
        return query(net.executor(org.name), peer_address(net.addressing, node), CHANNEL,
                     CHAINCODE, "ReadAsset", [key])
    except CommandFailed as failure:
        assert "does not exist" in str(failure), str(failure)
        return None


def wipe(net: LocalNetwork, nodes: list[str]) -> None:
    for common_name in nodes:
        shutil.rmtree(net.nodes[common_name].paths.data_dir)


def wait_for_height(net: LocalNetwork, common_name: str, height: int) -> int:
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while (now := node_heights(net, common_name)[CHANNEL]) < height:
        assert time.monotonic() < deadline, f"{common_name} at {now}, not {height}"
        time.sleep(0.2)
    return now


def assert_backed_up_everything(net: LocalNetwork, manifest: Manifest) -> None:
    names = {o.name for o in manifest.objects}
    assert names == {"network.sealed", *(node_object(cn) for cn in net.nodes)}
    assert set(manifest.heights) == set(net.nodes)


def test_restored_peers_catch_up_with_the_writes_after_the_backup(
    net: LocalNetwork, store: LocalDirStore
):
    before = [f"peers-before-{i}" for i in range(3)]
    after = [f"peers-after-{i}" for i in range(3)]
    write(net, before)
    manifest = backup_network(net, store, PASSPHRASE, key="peers-only")
    assert_backed_up_everything(net, manifest)
    write(net, after)
    orderer_height = node_heights(net, orderers(net)[0])[CHANNEL]
    assert orderer_height >= manifest.heights[peers(net)[0]][CHANNEL] + 1

    for common_name in peers(net):
        net.stop_node(common_name)
    wipe(net, peers(net))
    restore_network(net, store, "peers-only", PASSPHRASE, nodes=peers(net))

    for common_name in peers(net):
        assert node_heights(net, common_name)[CHANNEL] >= manifest.heights[common_name][CHANNEL]
        assert wait_for_height(net, common_name, orderer_height) == orderer_height
        for key in before + after:
            assert read(net, common_name, key) == key, (common_name, key)


def test_a_full_restore_returns_the_network_to_the_backup_point(
    net: LocalNetwork, store: LocalDirStore
):
    before = [f"full-before-{i}" for i in range(3)]
    after = [f"full-after-{i}" for i in range(3)]
    write(net, before)
    manifest = backup_network(net, store, PASSPHRASE, key="full")
    write(net, after)

    net.stop()
    wipe(net, list(net.nodes))
    shutil.rmtree(net.crypto_dir)
    restore_network(net, store, "full", PASSPHRASE)

    for common_name in net.nodes:
        assert node_heights(net, common_name) == manifest.heights[common_name], common_name
    for common_name in peers(net):
        assert [read(net, common_name, key) for key in before] == before
        assert [read(net, common_name, key) for key in after] == [None] * len(after)
    write(net, ["full-restored"])
    backup_height = manifest.heights[orderers(net)[0]][CHANNEL]
    for common_name in peers(net):
        wait_for_height(net, common_name, backup_height + 1)
        assert read(net, common_name, "full-restored") == "full-restored"


def test_an_altered_or_swapped_backup_is_refused_before_any_node_is_touched(
    net: LocalNetwork, azurite: str, tmp_path: Path
):
    """With the backup in Azure Blob Storage (Azurite), as in production."""
    container = ContainerClient.from_connection_string(azurite, "fabric-backups")
    container.create_container()
    store = AzureBlobStore(container)
    backup_network(net, store, PASSPHRASE, key="altered")
    victim = node_object(orderers(net)[1])
    path = tmp_path / "victim"
    store.get(object_path("altered", victim), path)
    original = path.read_bytes()
    data = bytearray(original)
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    store.put(object_path("altered", victim), path)
    pids = {cn: node.process.pid for cn, node in net.nodes.items()}

    with pytest.raises(BackupError) as refused:
        restore_network(net, store, "altered", PASSPHRASE)
    assert str(refused.value).startswith(
        f"backup altered: object backups/altered/{victim} is corrupt: sha256 ")
    assert {cn: node.process.pid for cn, node in net.nodes.items()} == pids
    assert all(node.process.running() for node in net.nodes.values())

    path.write_bytes(original)
    store.put(object_path("altered", victim), path)
    swap_archives(store, "altered", node_object(orderers(net)[0]), victim, tmp_path)
    with pytest.raises(BackupError) as refused:
        restore_network(net, store, "altered", PASSPHRASE)
    assert str(refused.value) == (
        "backup altered: backups/altered/manifest.json does not authenticate: the passphrase "
        "is wrong, or the manifest was altered or replaced (with or without its objects)")
    assert {cn: node.process.pid for cn, node in net.nodes.items()} == pids


def swap_archives(store: AzureBlobStore, key: str, first: str, second: str,
                  scratch: Path) -> None:
    """What the holder of the storage key can do: swap two archives and their
    manifest entries, so every size and sha256 matches again."""
    for name in (first, second):
        store.get(object_path(key, name), scratch / name.replace("/", "_"))
    store.put(object_path(key, first), scratch / second.replace("/", "_"))
    store.put(object_path(key, second), scratch / first.replace("/", "_"))
    manifest_path = scratch / MANIFEST
    store.get(object_path(key, MANIFEST), manifest_path)
    raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    entries = {o["name"]: o for o in raw["objects"]}
    entries[first], entries[second] = (
        {**entries[second], "name": first}, {**entries[first], "name": second})
    raw["objects"] = sorted(entries.values(), key=lambda o: o["name"])
    manifest_path.write_text(json.dumps(raw), encoding="utf-8")
    store.put(object_path(key, MANIFEST), manifest_path)
