"""Bounded retries of Fabric commands that fail for passing reasons (a node
still starting, a Raft election, an endorsement timeout)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from fabric_ops.executor import CommandFailed, CommandResult

T = TypeVar("T")

TRANSIENT = (
    "connection refused",
    "context deadline exceeded",
    "UNAVAILABLE",
    "SERVICE_UNAVAILABLE",
    "no Raft leader",
    "failed to create new connection",
    "timeout expired while",
    "i/o timeout",
    "error connecting",
    "Status: 503",
)


def is_transient(result: CommandResult) -> bool:
    return any(marker in result.output for marker in TRANSIENT)


def retrying(
    attempt: Callable[[], T], attempts: int = 8, first_delay: float = 0.5, max_delay: float = 8.0
) -> T:
    """``attempt()`` until it does not raise a transient CommandFailed, at most
    ``attempts`` times with doubling delays; the last error is raised."""
    delay = first_delay
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except CommandFailed as error:
            if number == attempts or not is_transient(error.result):
                raise
        time.sleep(delay)
        delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")
