"""The Fabric release the fabric, engine and real-pod tiers run: the default
(2.5.9) unless ``FABRIC_TEST_VERSION`` names another pinned one, e.g.
``FABRIC_TEST_VERSION=3.1.1``. Tests that need a given release (BFT, the roll
from 2.5.9 to 3.1.1) pin their own."""

from __future__ import annotations

import os

import pytest

from localnet import FabricRelease
from localnet.release import DEFAULT_VERSION, ReleaseError

PREVIOUS_RELEASE = {DEFAULT_VERSION: "2.5.0"}
"""The release a rolling-upgrade test starts from, per release it rolls to
(the default for any other: from 2.5.9 to it)."""


def fabric_test_version() -> str:
    return os.environ.get("FABRIC_TEST_VERSION") or DEFAULT_VERSION


def fabric_test_release() -> FabricRelease:
    """Builds (or reuses) the release; a missing Go toolchain or an unpinned
    version fails the test with the build script's message instead of
    skipping it."""
    try:
        return FabricRelease.build(fabric_test_version())
    except ReleaseError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


def rolled_versions() -> tuple[str, str]:
    """(from, to) of a rolling upgrade that ends on the tested release."""
    target = fabric_test_version()
    return PREVIOUS_RELEASE.get(target, DEFAULT_VERSION), target
