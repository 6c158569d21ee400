"""Runs Fabric commands as local processes (the local network and tests)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fabric_ops.executor import (
    DEFAULT_TIMEOUT_SECONDS,
    SIGNER_MSP_DIR,
    AdminPaths,
    CommandResult,
)


@dataclass(frozen=True)
class LocalExecutor:
    bin_dir: str
    """Holds the Fabric binaries of the release."""
    base_env: Mapping[str, str]
    """The admin's whole environment (no variable of the caller leaks in)."""
    paths: AdminPaths

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, bytes] | None = None,
        outputs: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        signer_msp: Mapping[str, bytes] | None = None,
    ) -> CommandResult:
        with tempfile.TemporaryDirectory(prefix="fabric-op-") as scratch:
            files = dict(inputs or {})
            signer = {}
            if signer_msp is not None:
                files.update({f"{SIGNER_MSP_DIR}/{p}": d for p, d in signer_msp.items()})
                signer = {"CORE_PEER_MSPCONFIGPATH": str(Path(scratch, SIGNER_MSP_DIR))}
            for name, data in files.items():
                target = Path(scratch, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            full_env = {
                **self.base_env,
                **(env or {}),
                **signer,
                "PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                "HOME": scratch,
            }
            proc = subprocess.run(
                [str(Path(self.bin_dir, argv[0])), *argv[1:]],
                cwd=scratch,
                env=full_env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            files = {
                name: Path(scratch, name).read_bytes()
                for name in outputs
                if Path(scratch, name).is_file()
            }
        return CommandResult(tuple(argv), proc.returncode, proc.stdout, proc.stderr, files)
