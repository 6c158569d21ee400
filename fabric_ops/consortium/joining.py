"""An org joins its own peers to a channel another org's stack created, with its
own admin identity, once the channel exists and lists the org; until then it
says why it waits and changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.channel_ops import BLOCK, ensure_peer_joined
from fabric_ops.executor import CommandFailed, CommandResult, Executor
from fabric_ops.retry import retrying

NOT_YET = {"NOT_FOUND": "does not exist yet", "FORBIDDEN": "does not list this org yet"}


@dataclass(frozen=True)
class JoinOutcome:
    joined: tuple[str, ...]
    """Peers joined by this run."""
    waiting: str = ""
    """Why nothing was joined ('' once the channel is there for the org)."""


def genesis_or_reason(
    executor: Executor, orderer: Orderer, channel: str
) -> tuple[bytes | None, str]:
    """The channel's block 0 from ``orderer``, or None and why the org cannot have it yet."""
    def fetch() -> CommandResult:
        result = executor.run(
            ["peer", "channel", "fetch", "0", BLOCK, "-c", channel, "-o", orderer.address,
             "--tls", "--cafile", executor.paths.tls_ca(orderer.domain)],
            outputs=[BLOCK],
        )
        if result.returncode != 0 or BLOCK not in result.files:
            raise CommandFailed(result, f"channel {channel}: fetch block 0 from {orderer.address}")
        return result

    try:
        return retrying(fetch, attempts=4).files[BLOCK], ""
    except CommandFailed as error:
        for marker, reason in NOT_YET.items():
            if marker in error.result.output:
                return None, f"channel {channel} {reason} at {orderer.address}"
        raise


def join_own_peers(
    executor: Executor, peers: Sequence[str], orderer: Orderer, channel: str
) -> JoinOutcome:
    """Joins each of ``peers`` (``host:port``) that has not joined ``channel``."""
    block, reason = genesis_or_reason(executor, orderer, channel)
    if block is None:
        return JoinOutcome((), reason)
    return JoinOutcome(tuple(p for p in peers if ensure_peer_joined(executor, p, channel, block)))
