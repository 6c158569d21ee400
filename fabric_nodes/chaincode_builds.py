"""A peer's cached chaincode builds, dropped at every start.

Fabric keeps each external build (``<fileSystemPath>/externalbuilder/builds``,
on the peer's volume) and reuses it after a restart without running the
builder again. For chaincode as a service the build is ``connection.json``
with the peer's TLS certificate and key written into it as its client
certificate, so a peer whose TLS certificate was renewed would keep dialling
its chaincode servers with the certificate (and, after a new key, the key) it
had when the chaincode was first launched, and fail once that certificate
expires. Dropping the cache makes the peer build again from the installed
package (the ccaas build only fills in ``connection.json``) with the TLS
material it runs with."""

from __future__ import annotations

import shutil
from pathlib import Path

BUILDS_SUBDIR = "externalbuilder/builds"


def builds_dir(data_dir: str) -> str:
    """Where a peer whose ``peer.fileSystemPath`` is ``data_dir`` keeps its builds."""
    return f"{data_dir}/{BUILDS_SUBDIR}"


def clear_builds_command(data_dir: str) -> list[str]:
    """The command an init container of the peer's pod runs before the peer starts."""
    return ["rm", "-rf", builds_dir(data_dir)]


def clear_builds(data_dir: str) -> None:
    """``clear_builds_command`` for a peer process started on this machine."""
    shutil.rmtree(Path(builds_dir(data_dir)), ignore_errors=True)
