"""localnet/ccaas_builder/bin/{detect,build,release} run as the peer runs them:
as executables on a package laid out the way the peer lays it out (metadata.json
in the metadata dir, code.tar.gz extracted into the source dir)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from fabric_ops.ccaas_package import CcaasPackage, ccaas_builder_config, ccaas_package

BIN = Path(__file__).resolve().parents[2] / "localnet" / "ccaas_builder" / "bin"
CONFIG = "CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"
ADDRESS = "asset-org1.fabric.svc.cluster.local:9999"
PEER_TLS = ccaas_builder_config("-----CA-----\n", "-----PEER CERT-----\n", "-----PEER KEY-----\n")
"""A peer's builder config (``fabric_nodes.node_settings``): the PEM texts the
package's TLS templates take."""


@dataclass(frozen=True)
class Layout:
    source: Path
    metadata: Path
    output: Path
    release: Path


def run(
    step: str, *args: Path | str, config: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != CONFIG}
    if config is not None:
        env[CONFIG] = config
    return subprocess.run([str(BIN / step), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=30, check=False)


def members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def lay_out(package: CcaasPackage, root: Path) -> Layout:
    """What the peer hands the builder for an installed package."""
    layout = Layout(root / "src", root / "metadata", root / "bld", root / "release")
    for directory in (layout.source, layout.metadata, layout.output, layout.release):
        directory.mkdir()
    outer = members(package.data)
    (layout.metadata / "metadata.json").write_bytes(outer["metadata.json"])
    with tarfile.open(fileobj=io.BytesIO(outer["code.tar.gz"]), mode="r:gz") as code:
        code.extractall(layout.source, filter="data")
    return layout


def build(layout: Layout, config: str | None = None) -> subprocess.CompletedProcess[str]:
    return run("build", layout.source, layout.metadata, layout.output, config=config)


def write_connection(layout: Layout, connection: object) -> None:
    (layout.source / "connection.json").write_text(json.dumps(connection))


def connection_out(layout: Layout) -> dict[str, object]:
    return json.loads((layout.output / "connection.json").read_text())


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return lay_out(ccaas_package("asset_1.0", ADDRESS), tmp_path)


def test_scripts_are_python_executables():
    for step in ("detect", "build", "release"):
        script = BIN / step
        assert os.access(script, os.X_OK), script
        assert script.read_text().startswith("#!/usr/bin/env python3\n")


def test_package_goes_through_detect_build_release(layout: Layout):
    detected = run("detect", layout.source, layout.metadata)
    assert detected.returncode == 0, detected.stderr
    assert "::Type detected as ccaas" in detected.stderr

    assert "root_cert" in build(layout).stderr  # a peer without its TLS settings
    built = build(layout, PEER_TLS)
    assert built.returncode == 0, built.stderr
    assert json.loads((layout.output / "metadata.json").read_text()) == {
        "label": "asset_1.0", "type": "ccaas"}
    expected = {"address": ADDRESS, "dial_timeout": "10s", "tls_required": True,
                "client_auth_required": True, "root_cert": "-----CA-----\n",
                "client_key": "-----PEER KEY-----\n", "client_cert": "-----PEER CERT-----\n"}
    assert connection_out(layout) == expected

    released = run("release", layout.output, layout.release)
    assert released.returncode == 0, released.stderr
    server = layout.release / "chaincode" / "server" / "connection.json"
    assert json.loads(server.read_text()) == expected
    assert not (layout.release / "statedb").exists()


def test_detect_accepts_any_letter_case_of_ccaas(layout: Layout):
    (layout.metadata / "metadata.json").write_text('{"type": "CCaaS", "label": "x"}')
    assert run("detect", layout.source, layout.metadata).returncode == 0


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ('{"type": "golang", "label": "x"}', "chaincode type not supported: 'golang'"),
        ('{"label": "x"}', "chaincode type not supported: ''"),
        ('{"type": 1}', "field 'type' must be a string, not a number"),
        ("[1]", "must hold a JSON object, not an array"),
        ("{not json", "is not valid JSON"),
    ],
)
def test_detect_rejects_other_packages(layout: Layout, metadata: str, message: str):
    (layout.metadata / "metadata.json").write_text(metadata)
    result = run("detect", layout.source, layout.metadata)
    assert result.returncode == 1
    assert message in result.stderr


def test_detect_needs_metadata_json_and_both_arguments(layout: Layout, tmp_path: Path):
    missing = run("detect", layout.source, tmp_path / "nowhere")
    assert missing.returncode == 1
    assert "metadata.json not found" in missing.stderr
    usage = run("detect", layout.source)
    assert usage.returncode == 1
    assert "usage: detect CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR" in usage.stderr


def test_build_copies_meta_inf_and_release_copies_statedb(layout: Layout):
    index = layout.source / "META-INF" / "statedb" / "couchdb" / "indexes" / "owner.json"
    index.parent.mkdir(parents=True)
    index.write_text('{"index": {"fields": ["owner"]}}')
    assert build(layout, PEER_TLS).returncode == 0
    assert (layout.output / "META-INF" / "statedb" / "couchdb" / "indexes" / "owner.json").exists()
    assert run("release", layout.output, layout.release).returncode == 0
    released = layout.release / "statedb" / "couchdb" / "indexes" / "owner.json"
    assert released.read_text() == index.read_text()


def test_build_expands_templates_from_the_peer_environment(layout: Layout):
    write_connection(layout, {"address": "{{.peername}}-asset:{{ .port }}",
                              "dial_timeout": "{{- .timeout.value -}}"})
    config = json.dumps({"peername": "org1peer0", "port": 9999, "timeout": {"value": "5s"}})
    result = build(layout, config=config)
    assert result.returncode == 0, result.stderr
    connection = connection_out(layout)
    assert connection["address"] == "org1peer0-asset:9999"
    assert connection["dial_timeout"] == "5s"


def test_build_prints_numbers_as_go_does(layout: Layout):
    """Go decodes JSON numbers as float64 and prints them with %v."""
    write_connection(layout, {"address": "{{.a}} {{.b}} {{.c}} {{.d}}", "dial_timeout": "1s"})
    config = json.dumps({"a": 999999, "b": 1000000, "c": 0.5, "d": True})
    assert build(layout, config=config).returncode == 0
    assert connection_out(layout)["address"] == "999999 1e+06 0.5 true"


def test_build_reads_keys_as_go_does(layout: Layout):
    """Go's encoding/json: case-insensitive keys, the last duplicate wins,
    unknown keys ignored, null is the zero value; TLS fields only with TLS."""
    (layout.source / "connection.json").write_text(
        '{"ADDRESS": "first:1", "Address": "second:2", "dial_timeout": "1m30s", "extra": [1],'
        ' "root_cert": null, "client_auth_required": true, "client_key": "unused"}')
    result = build(layout)
    assert result.returncode == 0, result.stderr
    connection = connection_out(layout)
    assert connection["address"] == "second:2"
    assert connection["client_auth_required"] is False
    assert connection["client_key"] == ""


def test_build_keeps_tls_settings(layout: Layout):
    write_connection(layout, {"address": "a:1", "dial_timeout": "10s", "tls_required": True,
                              "client_auth_required": True, "root_cert": "ROOT",
                              "client_key": "KEY", "client_cert": "CERT"})
    assert build(layout).returncode == 0
    connection = connection_out(layout)
    assert connection["tls_required"] is True
    assert (connection["root_cert"], connection["client_key"], connection["client_cert"]) == (
        "ROOT", "KEY", "CERT")


BAD_CONNECTIONS = [
    ({"dial_timeout": "10s"}, None, "chaincode address not provided"),
    ({"address": "", "dial_timeout": "10s"}, None, "chaincode address not provided"),
    ({"address": 9999, "dial_timeout": "10s"}, None,
     "field 'address' must be a string, not a number"),
    ({"address": "a:1"}, None, "dial_timeout: invalid duration ''"),
    ({"address": "a:1", "dial_timeout": "10"}, None, "dial_timeout: invalid duration '10'"),
    ({"address": "a:1", "dial_timeout": "\u0661\u0660s"}, None,
     "dial_timeout: invalid duration '\u0661\u0660s'"),
    ({"address": "a:1", "dial_timeout": 10}, None,
     "field 'dial_timeout' must be a string, not a number"),
    ({"address": "a:1", "dial_timeout": "10s", "tls_required": "yes"}, None,
     "field 'tls_required' must be a boolean, not a string"),
    ({"address": "a:1", "dial_timeout": "10s", "tls_required": True}, None,
     "chaincode tls root cert not provided"),
    ({"address": "a:1", "dial_timeout": "10s", "tls_required": True,
      "client_auth_required": True, "root_cert": "ROOT"}, None, "chaincode tls key not provided"),
    ({"address": "{{.peername}}:1", "dial_timeout": "10s"}, None,
     'has no entry for key "peername"'),
    ({"address": "{{.peername}}:1", "dial_timeout": "10s"}, '{"peer": "p"}',
     'has no entry for key "peername"'),
    ({"address": "{{.peername:1", "dial_timeout": "10s"}, '{"peername": "p"}',
     "unclosed action"),
    ({"address": "{{printf .peername}}:1", "dial_timeout": "10s"}, '{"peername": "p"}',
     "unsupported template action"),
    ({"address": "{{.peer}}:1", "dial_timeout": "10s"}, '{"peer": {"name": "p"}}',
     "only scalars can be printed"),
    ({"address": "{{.peer.name}}:1", "dial_timeout": "10s"}, '{"peer": "p"}',
     "cannot look up 'name' in a string"),
    ({"address": "a:1", "dial_timeout": "10s"}, "{bad", f"{CONFIG} is not valid JSON"),
    ({"address": "a:1", "dial_timeout": "10s"}, '["p"]', "must hold a JSON object"),
    ([ADDRESS], None, "must hold a JSON object, not an array"),
]


@pytest.mark.parametrize(("connection", "config", "message"), BAD_CONNECTIONS)
def test_build_rejects_bad_connection_json(
    layout: Layout, connection: object, config: str | None, message: str
):
    write_connection(layout, connection)
    result = build(layout, config=config)
    assert result.returncode == 1
    assert "::Error: " in result.stderr
    assert message in result.stderr
    assert not (layout.output / "connection.json").exists()


def test_build_needs_a_ccaas_package_with_connection_json(layout: Layout):
    (layout.source / "connection.json").unlink()
    missing = build(layout)
    assert missing.returncode == 1
    assert "connection.json not found" in missing.stderr

    (layout.metadata / "metadata.json").write_text('{"type": "golang"}')
    wrong_type = build(layout)
    assert wrong_type.returncode == 1
    assert "chaincode type should be ccaas" in wrong_type.stderr

    usage = run("build", layout.source, layout.metadata)
    assert usage.returncode == 1
    assert "usage: build" in usage.stderr


def test_release_needs_a_built_connection_json(layout: Layout):
    result = run("release", layout.output, layout.release)
    assert result.returncode == 1
    assert "connection.json not found in the build output" in result.stderr
    assert not (layout.release / "chaincode").exists()
