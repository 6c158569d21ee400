"""``--chaincode-server <chaincode>/<org>=<host>:<port>`` of ``python -m localnet
up``: a malformed value or one naming no chaincode/org pair of network.yaml is
refused with the option and value; a server someone else runs is told the
package ID to run with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fabric_ops.ccaas_package import ccaas_package
from localnet.chaincode_servers import given_servers, server_lines
from localnet.network import load_spec_dir
from localnet.release import REPO_ROOT

SPEC = load_spec_dir(REPO_ROOT / "samples" / "simple")


def test_a_given_server_is_read() -> None:
    assert given_servers(["basic/Org1=127.0.0.1:9999"], SPEC, "--opt") == {
        "basic/Org1": "127.0.0.1:9999"}


@pytest.mark.parametrize(("value", "message"), [
    ("basic/Org1", "--opt basic/Org1: expected <chaincode>/<org>=<host>:<port>"),
    ("basic/Org1=127.0.0.1:port", "expected <chaincode>/<org>=<host>:<port>"),
    ("basic/Org3=127.0.0.1:9999",
     "--opt basic/Org3=127.0.0.1:9999: basic/Org3 is no chaincode/org pair of network.yaml; "
     "they are basic/Org1, basic/Org2"),
])
def test_a_bad_value_is_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        given_servers([value], SPEC, "--opt")


def test_a_server_you_run_is_told_its_package_id() -> None:
    servers = {"basic/Org1": "127.0.0.1:9999", "basic/Org2": "127.0.0.1:9998"}
    lines = server_lines(SPEC, servers, {"basic/Org2": "127.0.0.1:9998"}, Path("/logs"))
    org1_id = ccaas_package("basic_1.0", "127.0.0.1:9999").package_id
    assert lines[0].endswith(f"(yours: run it with CHAINCODE_ID={org1_id} "
                             "CHAINCODE_SERVER_ADDRESS=127.0.0.1:9999)")
    assert lines[1].endswith("(started, log /logs/basic-Org2.log)")
