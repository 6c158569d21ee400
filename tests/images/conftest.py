"""The images tier: builds (or reuses) the images with tools/images/build.sh and
unpacks them for runc. Needs root, mmdebstrap and runc; a failed build fails
the tier with the script's message."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.images.archive import read_image
from tests.images.runc import Container

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "tools" / "images" / "build.sh"


@pytest.fixture(scope="session")
def built() -> Callable[[str], dict[str, Path]]:
    """``built(recipe)``: the recipe's archives by tag (one per Fabric release for
    the fabric-* recipes), built on first use."""
    if os.geteuid() != 0:
        pytest.fail("the images tier needs root (mmdebstrap, runc)", pytrace=False)
    archives: dict[str, dict[str, Path]] = {}

    def build(recipe: str) -> dict[str, Path]:
        if recipe not in archives:
            result = subprocess.run(
                [str(BUILD), recipe], capture_output=True, text=True, check=False,
                env={**os.environ, "PYTHON": sys.executable},
            )
            if result.returncode != 0:
                pytest.fail(f"{BUILD} {recipe} failed (exit {result.returncode}): "
                            f"{result.stderr.strip()[-2000:]}", pytrace=False)
            paths = [Path(line) for line in result.stdout.split()]
            archives[recipe] = {path.parent.name: path for path in paths}
        return archives[recipe]

    return build


@pytest.fixture(scope="session")
def container(
    built: Callable[[str], dict[str, Path]], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, str], Container]:
    """``container(recipe, tag)``: that image, read (digests checked) and unpacked once."""
    unpacked: dict[tuple[str, str], Container] = {}

    def get(recipe: str, tag: str) -> Container:
        if (recipe, tag) not in unpacked:
            image = read_image(built(recipe)[tag])
            work = tmp_path_factory.mktemp(f"{recipe}-{tag}")
            image.unpack(work / "rootfs")
            unpacked[(recipe, tag)] = Container(image, work / "rootfs", work)
        return unpacked[(recipe, tag)]

    return get
