"""Whether one node, just restarted (on a new Fabric release during a rolling
upgrade, or for any other reason), serves again and has caught up with the
ordering service on every channel it has joined. Queries only.

A peer is caught up on a channel when its height reaches the highest height the
channel's consenters report at the start of the wait; an orderer when its
height reaches the highest height of the other consenters and its channel is
active. A channel the node has not joined has nothing to catch up on: on a
network's first launch the wait only checks that the node answers (a peer its
channel list, an orderer its view of each channel; an orderer that is the
consenter of no channel is left to its Deployment's readiness probe)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fabric_ops.channel_ops import orderer_channel, peer_channels, peer_height
from fabric_ops.executor import CommandFailed, Executor
from fabric_ops.polling import poll

POLL_SECONDS = 1.0


class NotCaughtUp(Exception):
    """The node did not answer, or did not reach the target height, in time."""


@dataclass(frozen=True)
class OrdererAdmin:
    """An orderer's channel participation API and the executor that may call it
    (its org's admin)."""

    node: str
    admin_address: str
    orderer_domain: str
    executor: Executor

    def channel(self, channel: str) -> dict[str, object] | None:
        return orderer_channel(self.executor, self.admin_address, self.orderer_domain, channel)


@dataclass(frozen=True)
class WaitedNode:
    """The node waited for: a peer (``peer_address`` set) or an orderer
    (``orderer`` set)."""

    name: str
    executor: Executor
    peer_address: str = ""
    orderer: OrdererAdmin | None = None

    def heights(self, channels: Sequence[str]) -> dict[str, int | None]:
        """Per channel its height, None when it has not joined the channel; an
        orderer's inactive channel counts as height -1 (not caught up)."""
        if self.orderer is None:
            joined = peer_channels(self.executor, self.peer_address)
            return {
                c: peer_height(self.executor, self.peer_address, c) if c in joined else None
                for c in channels
            }
        result: dict[str, int | None] = {}
        for channel in channels:
            info = self.orderer.channel(channel)
            if info is None:
                result[channel] = None
            else:
                active = info.get("status") == "active"
                result[channel] = int(str(info["height"])) if active else -1
        return result


def orderers_height(node: str, channel: str, consenters: Sequence[OrdererAdmin]) -> int | None:
    """The highest height of ``channel`` among its consenters other than
    ``node``; None when none of them has the channel. Consenters that do not
    answer are left out; if none answers the last error is raised."""
    heights: list[int] = []
    error: CommandFailed | None = None
    for consenter in consenters:
        if consenter.node == node:
            continue
        try:
            info = consenter.channel(channel)
        except CommandFailed as failed:
            error = failed
            continue
        if info is not None:
            heights.append(int(str(info["height"])))
    if heights:
        return max(heights)
    if error is not None:
        raise error
    return None


Target = Callable[[], int | None]
"""Asks for the height a node must reach on a channel (None: nothing to reach)."""


def wait_caught_up(
    node: WaitedNode,
    channels: Mapping[str, Target],
    timeout: float,
    interval: float = POLL_SECONDS,
) -> dict[str, int]:
    """Polls until ``node`` has caught up on every channel of ``channels`` that
    it has joined, the target of each asked once when the node first answers
    for it (e.g. ``orderers_height``); returns the heights reached.
    Raises ``NotCaughtUp`` naming the node, the channel and the last height or
    error seen when ``timeout`` seconds pass first."""
    targets: dict[str, int | None] = dict.fromkeys(channels)
    reached: dict[str, int] = {}
    # Per channel ("" for the node itself) the last height or error seen.
    last: dict[str, str] = dict.fromkeys([*channels, ""], "no answer yet")

    def caught_up() -> dict[str, int] | None:
        try:
            pending = [c for c in channels if c not in reached]
            # Always queries the node (a peer lists its channels, an orderer its
            # view of each): an answer is what "serving again" means here.
            for channel, height in node.heights(pending).items():
                if height is None:
                    reached[channel] = 0  # not joined: nothing to catch up on
                    continue
                if targets[channel] is None:
                    targets[channel] = channels[channel]()
                target = targets[channel]
                if target is None or height >= target:
                    reached[channel] = height
                else:
                    last[channel] = f"height {height}, the orderers' was {target}"
            if len(reached) == len(channels):
                return reached
        except CommandFailed as error:
            last.update(dict.fromkeys([*channels, ""], str(error)))
        return None

    def not_caught_up() -> NotCaughtUp:
        stuck = next((c for c in channels if c not in reached), "")
        where = f"channel {stuck}: not caught up" if stuck else "not answering"
        return NotCaughtUp(f"{node.name}: {where} after {timeout:.0f} s: {last[stuck]}")

    return poll(caught_up, timeout, interval, not_caught_up)
