"""tools/oci_image.py: the archive layout containerd imports, digests that match,
the same bytes from the same input, and clear errors for bad settings."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.images.archive import read_image
from tools.oci_image import DEFAULT_SOURCE_DATE_EPOCH, ImageSpec, write_image

REPO = Path(__file__).resolve().parents[2]
SPEC = ImageSpec(
    name="docker.io/example/tool:1.2.3",
    entrypoint=("tool",),
    cmd=("serve", "--port", "8080"),
    env=("PATH=/usr/bin:/bin", "MODE=test"),
    workdir="/srv",
    user="1000:1000",
    ports=("8080/tcp", "53/udp"),
    volumes=("/data",),
    labels={"org.example.purpose": "test"},
)


def _rootfs(root: Path) -> Path:
    (root / "usr" / "bin").mkdir(parents=True)
    tool = root / "usr" / "bin" / "tool"
    tool.write_text("#!/bin/sh\necho tool\n")
    tool.chmod(0o755)
    os.link(tool, root / "usr" / "bin" / "tool-alias")
    (root / "bin").symlink_to("usr/bin")
    (root / "srv").mkdir()
    (root / "srv" / "old.txt").write_text("old")
    os.utime(root / "srv" / "old.txt", (1_000_000_000, 1_000_000_000))
    (root / "tmp").mkdir(mode=0o1777)
    (root / "tmp").chmod(0o1777)
    return root


def test_archive_layout_digests_and_config(tmp_path):
    rootfs = _rootfs(tmp_path / "root")
    digests = write_image(rootfs, tmp_path / "image.tar", SPEC)
    image = read_image(tmp_path / "image.tar")  # checks every digest, size and diff_id

    assert image.name == "docker.io/example/tool:1.2.3"
    assert image.tag == "1.2.3"
    assert image.manifest_digest == digests.manifest
    assert image.manifest["layers"][0]["digest"] == digests.layer
    assert image.config["rootfs"]["diff_ids"] == [digests.diff_id]
    assert image.config["architecture"] == "amd64"
    assert image.config["os"] == "linux"
    assert image.config["created"] == "2024-01-01T00:00:00Z"
    assert image.runtime == {
        "Entrypoint": ["tool"],
        "Cmd": ["serve", "--port", "8080"],
        "Env": ["PATH=/usr/bin:/bin", "MODE=test"],
        "WorkingDir": "/srv",
        "User": "1000:1000",
        "ExposedPorts": {"8080/tcp": {}, "53/udp": {}},
        "Volumes": {"/data": {}},
        "Labels": {"org.example.purpose": "test"},
    }


def test_layer_keeps_modes_links_and_clamps_times(tmp_path):
    rootfs = _rootfs(tmp_path / "root")
    write_image(rootfs, tmp_path / "image.tar", SPEC)
    layer = read_image(tmp_path / "image.tar").layer
    with tarfile.open(fileobj=io.BytesIO(layer)) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert list(members) == sorted(members, key=lambda n: n.split("/"))  # parents first, sorted
    assert members["usr/bin/tool"].mode == 0o755
    assert members["usr/bin/tool-alias"].islnk()
    assert members["usr/bin/tool-alias"].linkname == "usr/bin/tool"
    assert members["bin"].issym() and members["bin"].linkname == "usr/bin"
    assert members["tmp"].mode == 0o1777
    assert members["srv/old.txt"].mtime == 1_000_000_000  # older than the clamp: kept
    assert members["usr/bin/tool"].mtime == DEFAULT_SOURCE_DATE_EPOCH  # newer: clamped
    assert {m.uname for m in members.values()} == {""}


def test_same_input_gives_the_same_bytes(tmp_path):
    first = write_image(_rootfs(tmp_path / "a"), tmp_path / "a.tar", SPEC)
    second = write_image(_rootfs(tmp_path / "b"), tmp_path / "b.tar", SPEC)
    assert first == second
    assert (tmp_path / "a.tar").read_bytes() == (tmp_path / "b.tar").read_bytes()
    changed = write_image(tmp_path / "b", tmp_path / "c.tar", ImageSpec(**{
        **SPEC.__dict__, "cmd": ("serve",)}))
    assert changed.manifest != first.manifest and changed.layer == first.layer


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Docker.io/x:1", "lower-case reference"),
        ("env", ("NOVALUE",), "env entry 'NOVALUE': expected NAME=VALUE"),
        ("ports", ("80/http",), "port '80/http'"),
        ("volumes", ("data",), "path 'data': must be absolute"),
        ("workdir", "srv", "path 'srv': must be absolute"),
    ],
)
def test_bad_settings_are_refused_by_name(tmp_path, field, value, message):
    spec = ImageSpec(**{**SPEC.__dict__, field: value})
    with pytest.raises(ValueError, match=message):
        write_image(_rootfs(tmp_path / "root"), tmp_path / "image.tar", spec)
    assert not (tmp_path / "image.tar").exists()


def test_command_line(tmp_path):
    rootfs = _rootfs(tmp_path / "root")
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "oci_image.py"), "--rootfs", str(rootfs),
         "--name", "docker.io/example/tool:1.2.3", "--output", str(tmp_path / "cli.tar"),
         "--entrypoint", '["tool"]', "--cmd", '["serve", "--port", "8080"]',
         "--env", "PATH=/usr/bin:/bin", "--env", "MODE=test", "--workdir", "/srv",
         "--user", "1000:1000", "--port", "8080/tcp", "--port", "53/udp",
         "--volume", "/data", "--label", "org.example.purpose=test"],
        capture_output=True, text=True, check=True,
    )
    api = write_image(rootfs, tmp_path / "api.tar", SPEC)
    assert result.stdout.strip() == api.manifest
    missing = subprocess.run(
        [sys.executable, str(REPO / "tools" / "oci_image.py"), "--rootfs",
         str(tmp_path / "nowhere"), "--name", "x:1", "--output", str(tmp_path / "x.tar")],
        capture_output=True, text=True, check=False,
    )
    assert missing.returncode == 2
    assert "nowhere: not a directory" in missing.stderr
