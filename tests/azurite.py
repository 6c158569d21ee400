"""Azurite, the Azure Storage emulator (built by tools/build-tools.sh): on
127.0.0.1 as a session fixture (see tests/conftest.py) for the tests that store
backups in Azure Blob Storage, or on another local address (the local cluster's
node address, which its pods reach)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from localnet.release import REPO_ROOT

ACCOUNT = "devstoreaccount1"
# Azurite's fixed, publicly documented development account key.
ACCOUNT_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
               "KBHBeksoGMGw==")
START_SECONDS = 30.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_azurite(workspace: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Azurite listening on ``host`` (a free port), its data in ``workspace``;
    yields its connection string and stops it on exit."""
    built = subprocess.run([str(REPO_ROOT / "tools" / "build-tools.sh"), "azurite"],
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        pytest.fail(f"tools/build-tools.sh azurite: {built.stderr.strip()}", pytrace=False)
    binary = Path(built.stdout.split()[-1]) / "bin" / "azurite-blob"
    port = free_port(host)
    process = subprocess.Popen(
        [str(binary), "--blobHost", host, "--blobPort", str(port), "--location",
         # azure-storage-blob 12.31.1 sends an API version newer than Azurite
         # 3.37.0 knows; the operations the store uses are older than both.
         str(workspace), "--silent", "--disableTelemetry", "--skipApiVersionCheck"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection((host, port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.communicate()[1].decode()
                assert time.monotonic() < deadline, "Azurite did not listen"
                time.sleep(0.1)
        yield (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
               f"BlobEndpoint=http://{host}:{port}/{ACCOUNT};")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running emulator on 127.0.0.1; its connection string."""
    with running_azurite(tmp_path_factory.mktemp("azurite")) as connection_string:
        yield connection_string
