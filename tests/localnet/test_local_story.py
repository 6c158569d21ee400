"""The README's local story end to end: ``python -m localnet up samples/simple
--serve-chaincodes --populate`` starts the network and a chaincode server per
org, prints the package ID each server runs with, creates the channel and
deploys the chaincode; the Gateway client example then submits through Org1's
peer with the ``outputs.json`` it wrote and reads the value back through Org2's.
Ctrl-C stops every node."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from fabric_ops.ccaas_package import ccaas_package
from localnet.chaincode_servers import chaincode_labels
from localnet.network import load_spec_dir
from localnet.release import REPO_ROOT
from tests.localnet.gateway_client import run_client
from tests.localnet.test_localnet_start import processes_under

pytestmark = pytest.mark.fabric

SAMPLE = REPO_ROOT / "samples" / "simple"


@pytest.mark.usefixtures("fabric_release")
def test_up_serves_populates_and_a_client_transacts(tmp_path: Path, client_script: Path) -> None:
    spec = load_spec_dir(SAMPLE)
    cli = subprocess.Popen(
        [sys.executable, "-m", "localnet", "up", str(SAMPLE), "--workdir", str(tmp_path),
         "--serve-chaincodes", "--populate"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert cli.stdout is not None
    lines = []
    try:
        for line in cli.stdout:
            lines.append(line)
            if "Ctrl-C stops" in line:
                break
        printed = "".join(lines)
        assert "populated: channels mychannel; chaincodes basic" in printed, printed
        servers = json.loads((tmp_path / "network.json").read_text())["chaincode_servers"]
        labels = chaincode_labels(spec)
        assert set(servers) == set(labels) == {"basic/Org1", "basic/Org2"}
        for key, address in servers.items():
            package_id = ccaas_package(labels[key], address).package_id
            assert f"chaincode {key:<20} {address:<16} package ID {package_id} (started" \
                in printed

        outputs = tmp_path / "outputs.json"
        org1, org2 = spec.org("Org1"), spec.org("Org2")
        asset = f"story-{uuid.uuid4().hex[:8]}"
        crypto = tmp_path / "crypto"
        submitted = run_client(client_script, outputs, crypto, org1, "mychannel", "basic",
                               "submit", "CreateAsset", asset, "green")
        assert submitted.returncode == 0, submitted.stderr
        read = run_client(client_script, outputs, crypto, org2, "mychannel", "basic",
                          "evaluate", "ReadAsset", asset)
        assert (read.returncode, read.stdout) == (0, "green\n"), read.stderr
        cli.send_signal(signal.SIGINT)
        assert cli.wait(timeout=60) == 130
    finally:
        cli.kill()
        cli.wait()
    assert processes_under(tmp_path.resolve()) == []
