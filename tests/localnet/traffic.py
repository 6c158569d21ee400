"""A client that keeps submitting transactions in the background while a test
changes the network, and remembers which writes Fabric acknowledged (the invoke
returned after the commit event): those must all be readable afterwards."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

from fabric_ops.chaincode_ops import Orderer, invoke, query
from fabric_ops.executor import CommandFailed, Executor

PAUSE_SECONDS = 0.05


@dataclass
class Traffic:
    """``CreateAsset(<prefix>-<n>, <n>)`` in a loop on ``channel``/``chaincode``."""

    executor: Executor
    orderers: Sequence[Orderer]
    """Tried in turn: a write goes to the next orderer when one fails."""
    channel: str
    chaincode: str
    endorsers: Sequence[tuple[str, str]]
    """(peer address, org domain) of the endorsing peers."""
    prefix: str = "traffic"
    acknowledged: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """The output of every write that was not acknowledged (it may or may not
    have been ordered; nothing is promised about it)."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _loop(self) -> None:
        n = 0
        while not self._stop.is_set():
            key = f"{self.prefix}-{n}"
            orderer = self.orderers[n % len(self.orderers)]
            result = invoke(self.executor, orderer, self.channel, self.chaincode,
                            "CreateAsset", [key, str(n)], self.endorsers)
            if result.returncode == 0:
                self.acknowledged.append(key)
            else:
                errors = [line for line in result.output.splitlines() if "Error" in line]
                self.failures.append((errors[0] if errors else result.output.strip())[:400])
            n += 1
            time.sleep(PAUSE_SECONDS)

    def __enter__(self) -> Traffic:
        self._thread = threading.Thread(target=self._loop, name="traffic", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=180)

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
