"""``fabric:addConsenters`` and ``fabric:removeConsenters``: proposals, one
consenter each, written and signed by the stack's first org and computed
through the stack's own orderer or one from a card (the orderer orgs' admins
are the ones the change needs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from fabric_components.providers.consortium import ConsenterDraft
from fabric_components.stack_config import StackConfig
from fabric_ops.consortium.consenter_change import ADD, REMOVE, consenter_change_name
from network_spec import NetworkSpec


def consenter_drafts(
    spec: NetworkSpec, config: StackConfig, executors: Mapping[str, pulumi.Input[Any]],
    orderer: dict[str, str] | None, after: Sequence[pulumi.Resource],
) -> None:
    """One ``ConsenterDraft`` per entry; ``orderer`` is where the live config is
    read (``consortium.submit_orderer``)."""
    changes = [*((ADD, channel, node) for channel, node in config.consortium.add_consenters),
               *((REMOVE, channel, node) for channel, node in
                 config.consortium.remove_consenters)]
    if not changes:
        return
    if orderer is None:
        pulumi.log.warn("fabric:addConsenters, fabric:removeConsenters: nothing proposed; it "
                        "needs an orderer org in this stack or its card in the consortium folder")
        return
    proposer = spec.orgs[0]
    for change, channel, node in changes:
        ConsenterDraft(
            f"{consenter_change_name(channel, change, node)}-proposal",
            {"folder": config.consortium.folder, "channel": channel, "change": change,
             "node": node, "proposer": proposer.msp_id, "executor": executors[proposer.name],
             "orderer": orderer},
            pulumi.ResourceOptions(depends_on=list(after)))
