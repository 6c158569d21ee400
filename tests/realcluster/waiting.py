"""The real-cluster tests' wait: ask until the answer is true, or fail the test
naming what never happened."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 180,
             interval: float = 0.5) -> T:
    """Polls ``check`` until it returns something true, and returns that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not after {timeout} s", pytrace=False)
        time.sleep(interval)
