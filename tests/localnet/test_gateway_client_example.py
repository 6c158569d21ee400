"""The Gateway client example (examples/gateway-client, built by
tools/build-tools.sh) against a real populated local network: given the
``gatewayClients`` and ``connectionProfiles`` outputs the program computes for
that network and a user's MSP folder, it submits a transaction through one org's
peer and reads it back through the other's; a failing transaction exits non-zero
with the chaincode's message."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from crypto.layout import user_dir
from fabric_nodes.connection_profile import connection_profiles
from fabric_nodes.gateway_clients import gateway_clients
from localnet import LocalNetwork
from localnet.release import REPO_ROOT

pytestmark = pytest.mark.fabric

CLIENT_SECONDS = 120


@pytest.fixture(scope="module")
def client_script() -> Path:
    built = subprocess.run([str(REPO_ROOT / "tools" / "build-tools.sh"), "gateway-client"],
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        pytest.fail(f"tools/build-tools.sh gateway-client: {built.stderr.strip()}",
                    pytrace=False)
    return Path(built.stdout.split()[-1]) / "dist" / "main.js"


def stack_outputs(net: LocalNetwork, path: Path) -> Path:
    """The client outputs of a stack on this network, as `pulumi stack output
    --json` prints them."""
    pems = {org.name: net.tls_ca_file(org.name).read_text() for org in net.spec.orgs}
    path.write_text(json.dumps({
        "connectionProfiles": connection_profiles(net.spec, net.addressing, pems),
        "gatewayClients": gateway_clients(net.spec, net.addressing, pems),
    }), encoding="utf-8")
    return path


def test_submit_then_evaluate_through_each_org(
    populated_simple: LocalNetwork, client_script: Path, tmp_path: Path,
) -> None:
    net = populated_simple
    cc = net.spec.chaincodes[0]
    org1, org2 = (net.spec.org(name) for name in cc.channels[0].orgs)
    outputs = stack_outputs(net, tmp_path / "outputs.json")

    def client(org_name: str, *transaction: str) -> subprocess.CompletedProcess[str]:
        org = net.spec.org(org_name)
        msp = net.org_crypto_dir(org.name) / user_dir(org.user_names[0]) / "msp"
        return subprocess.run(
            ["node", str(client_script), "--outputs", str(outputs), "--org", org.name,
             "--msp", str(msp), "--channel", cc.channels[0].channel, "--chaincode", cc.name,
             *transaction],
            capture_output=True, text=True, timeout=CLIENT_SECONDS, check=False)

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
