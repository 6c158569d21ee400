"""The Gateway client example (examples/gateway-client, built by
tools/build-tools.sh) against a real populated local network: given the
``gatewayClients`` and ``connectionProfiles`` outputs the program computes for
that network (``localnet.client_outputs``, as ``python -m localnet up`` writes
them) and a user's MSP folder, it submits a transaction through one org's
peer and reads it back through the other's; a failing transaction exits non-zero
with the chaincode's message."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from localnet import LocalNetwork
from localnet.client_outputs import client_outputs
from tests.localnet.gateway_client import run_client

pytestmark = pytest.mark.fabric


def test_submit_then_evaluate_through_each_org(
    populated_simple: LocalNetwork, client_script: Path, tmp_path: Path,
) -> None:
    net = populated_simple
    cc = net.spec.chaincodes[0]
    org1, org2 = (net.spec.org(name) for name in cc.channels[0].orgs)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(client_outputs(net), encoding="utf-8")

    def client(org_name: str, *transaction: str) -> subprocess.CompletedProcess[str]:
        return run_client(client_script, outputs, net.crypto_dir, net.spec.org(org_name),
                          cc.channels[0].channel, cc.name, *transaction)

    asset = f"client-{uuid.uuid4().hex[:8]}"
    submitted = client(org1.name, "submit", "CreateAsset", asset, "blue")
    assert submitted.returncode == 0, submitted.stderr
    assert f"through {org1.nodes[0].common_name} at 127.0.0.1:" in submitted.stderr

    read = client(org2.name, "evaluate", "ReadAsset", asset)
    assert read.returncode == 0, read.stderr
    assert read.stdout == "blue\n"

    missing = client(org2.name, "evaluate", "ReadAsset", f"{asset}-missing")
    assert missing.returncode == 1
    assert f"the asset {asset}-missing does not exist" in missing.stderr
