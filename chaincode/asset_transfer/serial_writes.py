"""One write at a time on the chaincode stream.

grpc.aio allows a single write in flight per stream, but fabric-chaincode-python
2.5.4 handles each transaction in its own task and every task writes to the
one stream the peer opened; with two or more transactions at once, writes
collide and the peer waits in vain for the lost messages (its 30 s execute
timeout). Every write here goes through one lock per stream."""

from __future__ import annotations

import asyncio
from typing import Any

from fabric_chaincode_python.fabric_shim.handler import (  # type: ignore[import-untyped]
    Handler,
)


class SerialWriter:
    """The stream's context, with ``write`` serialised."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self._lock = asyncio.Lock()

    async def write(self, message: Any) -> None:
        async with self._lock:
            await self._context.write(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def serialise_stream_writes() -> None:
    """Makes every chaincode stream the shim opens write through a SerialWriter."""
    chat = Handler.chat_with_peer

    async def chat_with_peer(self: Any, stream: Any, context: Any) -> Any:
        return await chat(self, stream, SerialWriter(context))

    Handler.chat_with_peer = chat_with_peer
