"""The Fabric release the harness runs: binaries and sample config built by
``tools/build-tools.sh`` into the tool cache."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_TOOLS = REPO_ROOT / "tools" / "build-tools.sh"


class ReleaseError(Exception):
    """The release could not be built or is incomplete."""


@dataclass(frozen=True)
class FabricRelease:
    root: Path
    """``<cache>/fabric/<version>`` with ``bin/`` and ``config/``."""

    @property
    def config_dir(self) -> Path:
        """Fabric's sampleconfig: core.yaml, orderer.yaml, configtx.yaml."""
        return self.root / "config"

    @property
    def bin_dir(self) -> Path:
        """peer, orderer, osnadmin, configtxgen, configtxlator."""
        return self.root / "bin"

    def binary(self, name: str) -> Path:
        path = self.bin_dir / name
        if not path.is_file():
            raise ReleaseError(f"{path}: missing; run {BUILD_TOOLS} fabric")
        return path

    @classmethod
    def build(cls) -> FabricRelease:
        """Run ``tools/build-tools.sh fabric`` (idempotent, reuses the cache) and
        return the release it prints. Its message becomes the error on failure,
        e.g. when the Go toolchain is missing."""
        result = subprocess.run(
            [str(BUILD_TOOLS), "fabric"], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ReleaseError(
                f"{BUILD_TOOLS} fabric failed (exit {result.returncode}): "
                f"{result.stderr.strip()}"
            )
        lines = result.stdout.strip().splitlines()
        if not lines:
            raise ReleaseError(f"{BUILD_TOOLS} fabric printed no release directory")
        return cls(Path(lines[-1]))
