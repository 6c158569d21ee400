"""Proposing to remove an org from a channel: the proposing org fetches the
live config, takes the org's group out of the application orgs, writes the
proposal (its summary reads ``Application: removes org <MSP ID>``; a MAJORITY
of the current application orgs' admins must sign, the leaving org counted)
and signs it as its author. Nothing is written when the channel does not have
the org or the proposal exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.consortium.add_org import SECTION, lists_org
from fabric_ops.consortium.channel import without_org
from fabric_ops.consortium.proposal import Proposal, propose_change
from fabric_ops.executor import Executor


def remove_org_name(channel: str, msp_id: str) -> str:
    """The proposal's name: ``<channel>-remove-<msp id>``, lowercase, '.' as '-'."""
    return f"{channel}-remove-{msp_id}".lower().replace(".", "-")[:63].rstrip("-")


def propose_removal(
    executor: Executor, proposer: str, folder: Path, channel: str, orderer: Orderer,
    msp_id: str,
) -> Proposal | None:
    """The new proposal, signed by ``proposer``; None when there is nothing to propose."""
    def remove(current: dict[str, Any]) -> dict[str, Any] | None:
        return without_org(current, SECTION, msp_id) if lists_org(current, msp_id) else None

    return propose_change(executor, proposer, folder, remove_org_name(channel, msp_id),
                          channel, orderer, remove)
