"""Records every Fabric command the local executors run, to assert that a
converged network gets only queries (shared by the fabric-tier tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fabric_ops.local_executor import LocalExecutor

MUTATING = frozenset({
    "join", "remove", "install", "approveformyorg", "commit", "update", "invoke", "signconfigtx",
})
"""Command words that change a network (or sign a change of it)."""


class Recorded(list[tuple[str, ...]]):
    """Every argv run; ``peers`` holds each one's CORE_PEER_ADDRESS ('' if none)."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: list[str] = []

    def mutating(self) -> list[str]:
        """The mutating command words seen, sorted, one per kind."""
        return sorted({word for argv in self for word in argv if word in MUTATING})

    def mutating_peers(self) -> set[str]:
        """The peers that mutating commands were sent to."""
        return {peer for argv, peer in zip(self, self.peers, strict=True)
                if peer and MUTATING.intersection(argv)}


@contextmanager
def recording_commands() -> Iterator[Recorded]:
    """Every ``LocalExecutor.run`` argv inside the block, from any thread."""
    ran = Recorded()
    lock = threading.Lock()
    original = LocalExecutor.run

    def counting(self: LocalExecutor, argv: Sequence[str], **kwargs: Any) -> Any:
        with lock:
            ran.append(tuple(argv))
            ran.peers.append((kwargs.get("env") or {}).get("CORE_PEER_ADDRESS", ""))
        return original(self, argv, **kwargs)

    LocalExecutor.run = counting  # type: ignore[method-assign]
    try:
        yield ran
    finally:
        LocalExecutor.run = original  # type: ignore[method-assign]
