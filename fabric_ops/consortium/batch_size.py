"""Proposing a channel setting: the largest number of transactions in a block
(``BatchSize.max_message_count``). An Orderer value, so a MAJORITY of the
orderer orgs' admins must sign (``/Channel/Orderer/Admins``); the summary reads
``Orderer: changes BatchSize``. The proposing org signs it as its author.
Nothing is written when the channel has that count or the proposal exists."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.consortium.proposal import Proposal, propose_change
from fabric_ops.executor import Executor


def batch_size_name(channel: str, count: int) -> str:
    """The proposal's name: ``<channel>-batch-size-<count>``."""
    return f"{channel}-batch-size-{count}".replace(".", "-")[:63].rstrip("-")


def max_message_count(config: dict[str, Any]) -> int:
    orderer = config["channel_group"]["groups"]["Orderer"]
    return int(orderer["values"]["BatchSize"]["value"]["max_message_count"])


def with_max_message_count(config: dict[str, Any], count: int) -> dict[str, Any]:
    """``config`` whose blocks hold up to ``count`` transactions."""
    changed = copy.deepcopy(config)
    orderer = changed["channel_group"]["groups"]["Orderer"]
    orderer["values"]["BatchSize"]["value"]["max_message_count"] = count
    return changed


def propose_batch_size(
    executor: Executor, proposer: str, folder: Path, channel: str, orderer: Orderer,
    count: int,
) -> Proposal | None:
    """The new proposal, signed by ``proposer``; None when there is nothing to propose."""
    def resize(current: dict[str, Any]) -> dict[str, Any] | None:
        if max_message_count(current) == count:
            return None
        return with_max_message_count(current, count)

    return propose_change(executor, proposer, folder, batch_size_name(channel, count),
                          channel, orderer, resize)
