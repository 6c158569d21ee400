"""The Fabric release the harness runs: binaries and sample config built by
``tools/build-tools.sh`` into the tool cache."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_TOOLS = REPO_ROOT / "tools" / "build-tools.sh"
DEFAULT_VERSION = "2.5.9"
"""The release the harness runs unless told otherwise (the stack's default)."""


class ReleaseError(Exception):
    """The release could not be built or is incomplete."""


@dataclass(frozen=True)
class FabricRelease:
    root: Path
    """``<cache>/fabric/<version>`` with ``bin/`` and ``config/``."""

    @property
    def version(self) -> str:
        """The release, e.g. ``2.5.9`` (the result directory's name)."""
        return self.root.name

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
    def build(cls, version: str = DEFAULT_VERSION) -> FabricRelease:
        """Run ``tools/build-tools.sh fabric-<version>`` (idempotent, reuses the
        cache) and return the release it prints. Its message becomes the error on
        failure, e.g. when the Go toolchain is missing or the release is not
        pinned."""
        target = f"fabric-{version}"
        result = subprocess.run(
            [str(BUILD_TOOLS), target], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ReleaseError(
                f"{BUILD_TOOLS} {target} failed (exit {result.returncode}): "
                f"{result.stderr.strip()}"
            )
        lines = result.stdout.strip().splitlines()
        if not lines:
            raise ReleaseError(f"{BUILD_TOOLS} {target} printed no release directory")
        return cls(Path(lines[-1]))
