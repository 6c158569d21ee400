"""The Gateway client example (examples/gateway-client, built by
tools/build-tools.sh) against a real populated local network: given the
``gatewayClients`` and ``connectionProfiles`` outputs the program computes for
that network (``localnet.client_outputs``, as ``python -m localnet up`` writes
them) and a user's MSP folder, it submits a transaction through one org's
peer and reads it back through the other's; a failing transaction exits non-zero
with the chaincode's message; ``--external`` dials each peer's
``externalEndpoint`` (what a stack with external access gives) instead of its
``endpoint``."""

from __future__ import annotations

import json
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


def test_external_dials_the_external_endpoint(
    populated_simple: LocalNetwork, client_script: Path, tmp_path: Path,
) -> None:
    """The external endpoints here are the peers' real addresses and the
    in-cluster ones a closed port: only ``--external`` reaches the peer."""
    net = populated_simple
    cc = net.spec.chaincodes[0]
    outputs = json.loads(client_outputs(net))
    for client in outputs["gatewayClients"].values():
        for peer in client["peers"].values():
            peer["externalEndpoint"], peer["endpoint"] = peer["endpoint"], "127.0.0.1:1"
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs), encoding="utf-8")
    org = net.spec.org(cc.channels[0].orgs[0])

    def exists(*options: str) -> subprocess.CompletedProcess[str]:
        return run_client(client_script, path, net.crypto_dir, org, cc.channels[0].channel,
                          cc.name, "evaluate", "AssetExists", "none", options=options)

    external = exists("--external")
    assert (external.returncode, external.stdout) == (0, "false\n"), external.stderr
    internal = exists()
    assert internal.returncode == 1
    assert "127.0.0.1:1" in internal.stderr or "UNAVAILABLE" in internal.stderr
