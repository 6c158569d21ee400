"""The one polling loop: ask until there is an answer or the time is up. Every
wait of the project (a node serving, a peer catching up, a config update
applied, a channel removed) goes through it, so each states only its question
and the message it fails with."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(
    check: Callable[[], T | None],
    timeout: float,
    interval: float,
    failure: Callable[[], Exception],
) -> T:
    """Calls ``check`` every ``interval`` seconds until it returns something
    other than None, and returns that. Once ``timeout`` seconds have passed
    after a None, raises ``failure()`` (called then, so it can name the last
    state ``check`` saw). ``check`` may raise to stop at once."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            raise failure()
        time.sleep(interval)
