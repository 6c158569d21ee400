"""The one interface every Fabric CLI command runs through.

A command runs in a fresh scratch directory: ``inputs`` are written there first,
relative paths in ``argv`` resolve there, and the files named in ``outputs`` are
read back afterwards. ``argv[0]`` is a Fabric tool (peer, osnadmin,
configtxgen, configtxlator) found on the executor's PATH. The executor's own
environment is the org admin's (``admin_environment``); ``env`` adds to it.
``signer_msp`` (paths relative to an MSP folder) is an MSP written into the
scratch directory, which ``peer`` then signs with instead of the admin's own
(``CORE_PEER_MSPCONFIGPATH``): another certificate of the org's admin, e.g.
the one a channel still names; it goes with the scratch directory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

DEFAULT_TIMEOUT_SECONDS = 120.0
SIGNER_MSP_DIR = "signer-msp"
"""Where, in the scratch directory, a command's ``signer_msp`` is written."""


@dataclass(frozen=True)
class AdminPaths:
    """Where an executor finds the org admin's files."""

    admin_dir: str
    """The admin identity: ``msp/`` and ``tls/client.{crt,key}``."""
    tls_ca_dir: str
    """Every org's TLS CA certificate as ``<org domain>.pem``."""

    def tls_ca(self, domain: str) -> str:
        return f"{self.tls_ca_dir}/{domain}.pem"


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    files: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class CommandFailed(Exception):
    """A Fabric command exited non-zero; the message carries its output."""

    def __init__(self, result: CommandResult, context: str = "") -> None:
        self.result = result
        where = f"{context}: " if context else ""
        text = result.output.strip()
        super().__init__(f"{where}{' '.join(result.argv)} exited {result.returncode}: {text}")


class Executor(Protocol):
    @property
    def paths(self) -> AdminPaths: ...

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, bytes] | None = None,
        outputs: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        signer_msp: Mapping[str, bytes] | None = None,
    ) -> CommandResult: ...
