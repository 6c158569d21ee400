"""A client that keeps submitting transactions in the background while a test
changes the network, and remembers which writes Fabric acknowledged (the invoke
returned after the commit event): those must all be readable afterwards.

Like a Gateway client it goes round what is reachable: a write that cannot
reach an orderer or an endorser, or finds no Raft leader, is tried again at
once through the next orderer and the next set of endorsers; it counts as
failed only when every combination failed."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from types import TracebackType
from typing import Self

from fabric_ops.chaincode_ops import Orderer, invoke, query
from fabric_ops.executor import CommandFailed, Executor

PAUSE_SECONDS = 0.05
UNREACHABLE = ("failed to connect", "connection refused", "no Raft leader",
               "SERVICE_UNAVAILABLE", "error reading from server")
"""Failures before the write was ordered, so trying elsewhere cannot write twice."""

Endorsers = Sequence[tuple[str, str]]


class WriteLoop:
    """``CreateAsset(<prefix>-<n>, <n>)`` in a loop on ``channel``/``chaincode``
    in a background thread, through the client of a subclass (``_write``)."""

    channel: str
    chaincode: str
    prefix: str
    acknowledged: list[str]
    acknowledged_at: list[float]
    failures: list[str]
    _stop: threading.Event
    _thread: threading.Thread | None

    def _write(self, n: int) -> str:
        """Writes ``<prefix>-<n>``: '' when acknowledged, else the error line."""
        raise NotImplementedError

    def _loop(self) -> None:
        n = 0
        while not self._stop.is_set():
            error = self._write(n)
            if error:
                self.failures.append(error)
            else:
                self.acknowledged.append(f"{self.prefix}-{n}")
                self.acknowledged_at.append(time.monotonic())
            n += 1
            time.sleep(PAUSE_SECONDS)

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._loop, name="traffic", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=600)

    def longest_gap(self) -> float:
        """The longest time between two acknowledged writes, in seconds."""
        times = self.acknowledged_at
        return max((b - a for a, b in pairwise(times)), default=0.0)

    def unreadable(self, executor: Executor, peer: str) -> list[str]:
        """The acknowledged keys ``peer`` cannot read back with their value."""
        missing = []
        for key in self.acknowledged:
            n = key.rsplit("-", 1)[1]
            try:
                value = query(executor, peer, self.channel, self.chaincode, "ReadAsset", [key])
            except CommandFailed:
                missing.append(key)
                continue
            if value != n:
                missing.append(key)
        return missing


@dataclass
class Traffic(WriteLoop):
    """The writes through the peer CLI."""

    executor: Executor
    orderers: Sequence[Orderer]
    channel: str
    chaincode: str
    endorsers: Endorsers
    """(peer address, org domain) of the endorsing peers."""
    prefix: str = "traffic"
    alternatives: Sequence[Endorsers] = ()
    """Other endorser sets that satisfy the policy, tried when one is unreachable."""
    acknowledged: list[str] = field(default_factory=list)
    acknowledged_at: list[float] = field(default_factory=list)
    """``time.monotonic()`` of each acknowledgement, in order."""
    failures: list[str] = field(default_factory=list)
    """The error line of every write that was not acknowledged (it may or may
    not have been ordered; nothing is promised about it)."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _write(self, n: int) -> str:
        """Tries the write until acknowledged (returns '') or out of options."""
        key = f"{self.prefix}-{n}"
        sets = [self.endorsers, *self.alternatives]
        error = ""
        for attempt in range(len(self.orderers) * len(sets)):
            orderer = self.orderers[(n + attempt) % len(self.orderers)]
            endorsers = sets[(n + attempt) % len(sets)]
            result = invoke(self.executor, orderer, self.channel, self.chaincode,
                            "CreateAsset", [key, str(n)], endorsers)
            if result.returncode == 0:
                return ""
            lines = [line for line in result.output.splitlines() if "Error" in line]
            error = (lines[0] if lines else result.output.strip())[:400]
            if not any(marker in error for marker in UNREACHABLE):
                break
        return error
