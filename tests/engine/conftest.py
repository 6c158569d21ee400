"""A local Kubernetes control plane (kwok nodes) per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.engine.pulumi_runner import build
from tools.localkube import LocalKube


@pytest.fixture(scope="module")
def kube() -> Iterator[LocalKube]:
    (kube_dir,) = build("kube")
    with LocalKube(kube_dir=kube_dir) as k:
        yield k
