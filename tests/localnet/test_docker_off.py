"""The peer's Docker endpoint is blanked the same way locally (Python) and in
the cluster (the init container's shell command), on the release's real
core.yaml."""

from __future__ import annotations

import subprocess

import pytest

from fabric_nodes.node_settings import disable_docker, disable_docker_command
from localnet.release import FabricRelease


@pytest.mark.fabric
@pytest.mark.parametrize(("version", "indent"), [("2.5.9", "    "), ("3.1.1", "  ")])
def test_init_container_edit_equals_the_local_edit(version, indent, tmp_path):
    release = FabricRelease.build(version)
    source = release.config_dir / "core.yaml"
    command = disable_docker_command(str(release.config_dir), str(tmp_path), version)
    subprocess.run(command, check=True)
    edited = (tmp_path / "core.yaml").read_text()
    assert edited == disable_docker(source.read_text())
    assert f'{indent}endpoint: ""' in edited.splitlines()
    assert f"{indent}endpoint: unix:///var/run/docker.sock" not in edited.splitlines()


@pytest.mark.parametrize(("indent", "version"), [("    ", "2.5.9"), ("  ", "3.1.1")],
                         ids=["2.5", "3.x"])
def test_both_edits_keep_the_indentation_of_the_release(tmp_path, indent, version):
    """2.5's core.yaml indents by four spaces, 3.x's by two."""
    (tmp_path / "core.yaml").write_text(
        f"vm:\n{indent}endpoint: unix:///var/run/docker.sock\n{indent}docker:\n")
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run(disable_docker_command(str(tmp_path), str(out), version), check=True)
    expected = f'vm:\n{indent}endpoint: ""\n{indent}docker:\n'
    assert disable_docker((tmp_path / "core.yaml").read_text()) == expected
    assert (out / "core.yaml").read_text() == expected


def test_disable_docker_refuses_an_unexpected_file():
    with pytest.raises(ValueError, match="expected exactly one line"):
        disable_docker("vm:\n    endpoint: tcp://docker:2375\n")


def test_init_container_command_fails_on_an_unexpected_file(tmp_path):
    (tmp_path / "core.yaml").write_text("vm:\n    endpoint: tcp://docker:2375\n")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run(disable_docker_command(str(tmp_path), str(out), "2.5.9"),
                          check=False)
    assert proc.returncode != 0
