"""The one polling loop every wait goes through."""

from __future__ import annotations

import time

import pytest

from fabric_ops.polling import poll


def test_returns_the_first_answer_that_is_not_none():
    answers = iter([None, None, {"height": 7}])
    assert poll(lambda: next(answers), timeout=5, interval=0.01,
                failure=lambda: AssertionError("timed out")) == {"height": 7}


def test_fails_with_the_last_state_once_the_time_is_up():
    seen: list[int] = []

    def check() -> None:
        seen.append(len(seen))

    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"after \d+ checks"):
        poll(check, timeout=0.2, interval=0.05,
             failure=lambda: TimeoutError(f"after {len(seen)} checks"))
    assert 0.2 <= time.monotonic() - started < 2
    assert len(seen) >= 3


def test_an_error_raised_by_the_check_stops_at_once():
    calls = []

    def check() -> None:
        calls.append(1)
        raise ValueError("node exited")

    with pytest.raises(ValueError, match="node exited"):
        poll(check, timeout=60, interval=0.01, failure=lambda: AssertionError("timed out"))
    assert calls == [1]
