"""Records every Fabric command the local executors run, to assert that a
converged network gets only queries (shared by the fabric-tier tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fabric_ops.local_executor import LocalExecutor

MUTATING = frozenset({
    "join", "remove", "install", "approveformyorg", "commit", "update", "invoke",
    "-outputBlock",
})
"""Command words that change a network (``-outputBlock``: configtxgen writing a
genesis block)."""


class Recorded(list[tuple[str, ...]]):
    def mutating(self) -> list[str]:
        """The mutating command words seen, sorted, one per kind."""
        return sorted({word for argv in self for word in argv if word in MUTATING})


@contextmanager
def recording_commands() -> Iterator[Recorded]:
    """Every ``LocalExecutor.run`` argv inside the block, from any thread."""
    ran = Recorded()
    lock = threading.Lock()
    original = LocalExecutor.run

    def counting(self: LocalExecutor, argv: Sequence[str], **kwargs: Any) -> Any:
        with lock:
            ran.append(tuple(argv))
        return original(self, argv, **kwargs)

    LocalExecutor.run = counting  # type: ignore[method-assign]
    try:
        yield ran
    finally:
        LocalExecutor.run = original  # type: ignore[method-assign]
