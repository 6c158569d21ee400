"""Proposing to add an org to a channel, from its card: the proposing org
fetches the live config, puts the new org's group in (``configtxgen
-printOrg`` on the card), writes the proposal and signs it as its author.
Nothing is written when the channel has the org or the proposal exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.config_update import live_config
from fabric_ops.consortium.card import OrgCard
from fabric_ops.consortium.channel import org_group, with_org
from fabric_ops.consortium.proposal import Proposal, propose_change
from fabric_ops.executor import Executor

SECTION = "Application"


def add_org_name(channel: str, msp_id: str) -> str:
    """The proposal's name: ``<channel>-add-<msp id>``, lowercase, '.' as '-'."""
    return f"{channel}-add-{msp_id}".lower().replace(".", "-")[:63].rstrip("-")


def lists_org(config: dict[str, Any], msp_id: str) -> bool:
    """Whether the decoded channel config has ``msp_id`` among its application orgs."""
    return msp_id in config["channel_group"]["groups"][SECTION]["groups"]


def has_org(executor: Executor, orderer: Orderer, channel: str, msp_id: str) -> bool:
    return lists_org(live_config(executor, [orderer], channel), msp_id)


def propose_org(
    executor: Executor, proposer: str, folder: Path, channel: str, orderer: Orderer,
    card: OrgCard,
) -> Proposal | None:
    """The new proposal, signed by ``proposer``; None when there is nothing to propose."""
    def add(current: dict[str, Any]) -> dict[str, Any] | None:
        if lists_org(current, card.msp_id):
            return None
        return with_org(current, SECTION, card.msp_id, org_group(executor, card))

    return propose_change(executor, proposer, folder, add_org_name(channel, card.msp_id),
                          channel, orderer, add)
