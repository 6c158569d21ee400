"""The Fabric release and the running scaled network, shared by the fabric tier."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localnet import FabricRelease, LocalNetwork
from localnet.release import REPO_ROOT, ReleaseError


@pytest.fixture(scope="session")
def fabric_release() -> FabricRelease:
    """Builds (or reuses) the pinned release; a missing Go toolchain fails the
    tier with the script's message instead of skipping it."""
    try:
        return FabricRelease.build()
    except ReleaseError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def scaled_net(
    fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalNetwork]:
    workdir: Path = tmp_path_factory.mktemp("scaled")
    with LocalNetwork.start(REPO_ROOT / "samples" / "scaled", workdir, fabric_release) as net:
        yield net
