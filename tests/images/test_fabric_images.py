"""The Fabric images under the names the program uses, run with runc the way
its pods run them (uid 1000, read-only root, no capabilities): the official
layout of each release, the commands each Kubernetes object runs in them."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from fabric_components.backup.scripts import PACK_VOLUMES, UNPACK_VOLUMES
from fabric_nodes.chaincode_builds import clear_builds_command
from fabric_nodes.node_settings import (
    CONTAINER_PATHS,
    disable_docker,
    disable_docker_command,
    release_config_dir,
)
from fabric_ops.pod_executor import build_script, parse_output

pytestmark = pytest.mark.images

RELEASES = ("2.5.0", "2.5.9", "3.1.1")
# FABRIC_CFG_PATH of the official images (Fabric's images/*/Dockerfile).
OFFICIAL_CONFIG_DIR = {
    "2.5.0": "/var/hyperledger/fabric/config",
    "2.5.9": "/etc/hyperledger/fabric",
    "3.1.1": "/etc/hyperledger/fabric",
}
CACHE = Path(os.environ.get("FABRIC_ON_PULUMI_CACHE", Path.home() / ".cache" / "fabric-on-pulumi"))


def _sampleconfig(version: str, name: str) -> bytes:
    return (CACHE / "fabric" / version / "config" / name).read_bytes()


def _writable(path: Path) -> Path:
    """A host directory uid 1000 can write, to bind into a container."""
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, 1000, 1000)
    return path


@pytest.mark.parametrize("version", RELEASES)
@pytest.mark.parametrize(
    ("recipe", "binary", "files", "ports", "cmd"),
    [
        ("fabric-peer", "peer", ["core.yaml", "msp/config.yaml"], {"7051/tcp": {}},
         ["peer", "node", "start"]),
        ("fabric-orderer", "orderer", ["orderer.yaml", "configtx.yaml", "msp/config.yaml"],
         {"7050/tcp": {}}, ["orderer", "start"]),
        ("fabric-tools", "peer", ["core.yaml", "orderer.yaml", "configtx.yaml"], None,
         ["/bin/bash"]),
    ],
)
def test_official_layout_and_version(container, version, recipe, binary, files, ports, cmd):
    box = container(recipe, version)
    assert box.image.name == f"docker.io/hyperledger/{recipe}:{version}"
    runtime = box.image.runtime
    assert runtime["Cmd"] == cmd
    assert "Entrypoint" not in runtime and "User" not in runtime
    assert runtime.get("ExposedPorts") == ports
    assert runtime["Volumes"] == {"/etc/hyperledger/fabric": {}, "/var/hyperledger": {}}
    config_dir = OFFICIAL_CONFIG_DIR[version]
    assert box.image.env["FABRIC_CFG_PATH"] == config_dir
    assert release_config_dir(version) == config_dir  # where the program looks
    assert box.image.env["FABRIC_VER"] == f"v{version}"
    for name in files:
        assert (box.rootfs / config_dir.lstrip("/") / name).read_bytes() == _sampleconfig(
            version, name)
    result = box.run([binary, "version"])
    assert result.returncode == 0, result.stderr
    assert f"Version: {version}" in result.stdout.decode()


@pytest.mark.parametrize("version", RELEASES)
def test_tools_image_runs_the_pod_executor_script(container, version):
    """The admin toolbox: ``sleep infinity`` keeps it up, and every operation is
    build_script's shell script on ``sh -s``."""
    box = container("fabric-tools", version)
    for tool in ("peer", "osnadmin", "configtxgen", "configtxlator"):
        assert (box.rootfs / "usr/local/bin" / tool).is_file()
    sleeper = box.run(["timeout", "1", "sleep", "infinity"])
    assert sleeper.returncode == 124, sleeper.stderr  # killed by timeout, still sleeping
    script = build_script(["configtxgen", "-version"], {"HOME": "/tmp"},
                          {"in/block.pb": b"\x00\x01binary"}, ["in/block.pb"])
    result = box.run(["sh", "-s"], env={"HOME": "/tmp"}, stdin=script.encode())
    assert result.returncode == 0, result.stderr
    parsed = parse_output(["configtxgen", "-version"], result.stdout.decode())
    assert parsed.returncode == 0, parsed.stderr
    assert f"Version: {version}" in parsed.stdout
    assert parsed.files == {"in/block.pb": b"\x00\x01binary"}


def test_tools_image_packs_and_restores_a_volume(container, tmp_path):
    """The backup Job's pack step and the restore Job's unpack step, as the Jobs
    run them (uid 1000), on a volume with nested and hidden files. Encryption,
    upload and the manifest happen in the Azure CLI container between them
    (tests/images/test_app_images.py)."""
    box = container("fabric-tools", "2.5.9")
    source = _writable(tmp_path / "source")
    (source / "ledgersData" / "chains").mkdir(parents=True)
    (source / "ledgersData" / "chains" / "blockfile_000000").write_bytes(os.urandom(4096))
    (source / ".hidden").write_text("kept")
    work = _writable(tmp_path / "work")
    env = {"BACKUP_KEY": "nightly-1", "WORK_DIR": "/work", "VOLUMES_DIR": "/volumes",
           "NODE": "peer0-org1", "VOLUMES": "data", "HOME": "/tmp"}
    packed = box.run(["sh", "-c", PACK_VOLUMES], env=env,
                     binds={"/work": work, "/volumes/data": source})
    assert packed.returncode == 0, packed.stderr
    archive = work / "data.tar.gz"
    with tarfile.open(archive) as packed_tar:
        assert {"./.hidden", "./ledgersData/chains/blockfile_000000"} <= set(
            packed_tar.getnames())

    # Where the restore Job's fetch step leaves each archive, checked and decrypted.
    staged = _writable(work / "staging" / "objects" / "nodes" / "peer0-org1")
    archive.rename(staged / "data.tar.gz")
    target = _writable(tmp_path / "target")
    restored = box.run(["sh", "-c", UNPACK_VOLUMES], env=env,
                       binds={"/work": work, "/volumes/data": target})
    assert restored.returncode == 0, restored.stderr
    assert (target / "ledgersData" / "chains" / "blockfile_000000").read_bytes() == (
        source / "ledgersData" / "chains" / "blockfile_000000").read_bytes()
    assert (target / ".hidden").read_text() == "kept"
    assert (target / ".restored-nightly-1").exists()
    again = box.run(["sh", "-c", UNPACK_VOLUMES], env=env,
                    binds={"/work": work, "/volumes/data": target})
    assert again.returncode == 0, again.stderr  # a finished volume is left alone


@pytest.mark.parametrize("version", RELEASES)
def test_peer_init_container_writes_core_yaml_without_docker(container, tmp_path, version):
    """The peer's ``config`` init container, exactly as the Deployment runs it:
    the program looks for core.yaml where each release's image keeps it."""
    box = container("fabric-peer", version)
    assert box.image.env["FABRIC_CFG_PATH"] == release_config_dir(version)
    config = _writable(tmp_path / "config")
    result = box.run(disable_docker_command(release_config_dir(version),
                                            CONTAINER_PATHS.config_dir, version),
                     binds={CONTAINER_PATHS.config_dir: config})
    assert result.returncode == 0, result.stderr
    expected = disable_docker(_sampleconfig(version, "core.yaml").decode())
    assert (config / "core.yaml").read_text() == expected


@pytest.mark.parametrize("version", RELEASES)
def test_peer_init_container_drops_the_chaincode_builds(container, tmp_path, version):
    """The peer's ``builds`` init container, exactly as the Deployment runs it
    (uid 1000 on the peer's volume): the cached builds go, the ledger stays."""
    box = container("fabric-peer", version)
    data = _writable(tmp_path / "data")
    build = data / "externalbuilder" / "builds" / "basic_1.0-0a1b" / "release"
    for directory in (data / "externalbuilder", data / "externalbuilder" / "builds",
                      build.parent, build, data / "ledgersData"):
        _writable(directory)
    (build / "connection.json").write_text("{}")
    result = box.run(clear_builds_command(CONTAINER_PATHS.data_dir),
                     binds={CONTAINER_PATHS.data_dir: data})
    assert result.returncode == 0, result.stderr
    assert not (data / "externalbuilder" / "builds").exists()
    assert (data / "ledgersData").is_dir()


@pytest.mark.parametrize("version", RELEASES)
def test_peer_image_runs_the_ccaas_builder(container, tmp_path, version):
    """detect, build and release at the path core.yaml's externalBuilders names,
    as the peer (uid 1000, read-only root) runs them for a CCaaS package."""
    box = container("fabric-peer", version)
    builder = CONTAINER_PATHS.ccaas_builder_dir
    work = _writable(tmp_path / "work")
    for name in ("src", "meta", "other", "build", "release"):
        _writable(work / name)
    (work / "meta" / "metadata.json").write_text('{"type": "ccaas", "label": "basic_1.0"}')
    (work / "other" / "metadata.json").write_text('{"type": "golang", "label": "basic_1.0"}')
    (work / "src" / "connection.json").write_text(json.dumps(
        {"address": "{{.peername}}-basic:9999", "dial_timeout": "10s", "tls_required": False}))
    env = {"CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG": '{"peername": "peer0"}'}
    binds = {"/work": work}
    assert box.run([f"{builder}/bin/detect", "/work/src", "/work/meta"],
                   binds=binds).returncode == 0
    assert box.run([f"{builder}/bin/detect", "/work/src", "/work/other"],
                   binds=binds).returncode == 1
    build = box.run([f"{builder}/bin/build", "/work/src", "/work/meta", "/work/build"],
                    env=env, binds=binds)
    assert build.returncode == 0, build.stderr
    release = box.run([f"{builder}/bin/release", "/work/build", "/work/release"], binds=binds)
    assert release.returncode == 0, release.stderr
    connection = json.loads((work / "release/chaincode/server/connection.json").read_text())
    assert connection["address"] == "peer0-basic:9999"
