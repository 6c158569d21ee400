"""The Gateway client example (examples/gateway-client), built by
tools/build-tools.sh, run as a user of an org of a local network."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crypto.layout import org_dir, user_dir
from localnet.release import REPO_ROOT
from network_spec import OrgSpec

CLIENT_SECONDS = 120


@pytest.fixture(scope="session")
def client_script() -> Path:
    """The compiled client's entry point."""
    built = subprocess.run([str(REPO_ROOT / "tools" / "build-tools.sh"), "gateway-client"],
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        pytest.fail(f"tools/build-tools.sh gateway-client: {built.stderr.strip()}",
                    pytrace=False)
    return Path(built.stdout.split()[-1]) / "dist" / "main.js"


def run_client(script: Path, outputs: Path, crypto_dir: Path, org: OrgSpec, channel: str,
               chaincode: str, *transaction: str,
               options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``transaction``: ``submit|evaluate FUNCTION ARG...``, as the org's first user."""
    msp = crypto_dir / org_dir(org) / user_dir(org.user_names[0]) / "msp"
    return subprocess.run(
        ["node", str(script), "--outputs", str(outputs), "--org", org.name, "--msp", str(msp),
         "--channel", channel, "--chaincode", chaincode, *options, *transaction],
        capture_output=True, text=True, timeout=CLIENT_SECONDS, check=False)
