"""Proposing to add or remove one consenter of a channel, the node known by
its orderer org's card. The consenter set is an Orderer value (Raft's
``ConsensusType`` metadata, BFT's ``Orderers`` mapping with its
BlockValidation policy), so a MAJORITY of the orderer orgs' admins must sign
(``/Channel/Orderer/Admins``). One consenter per proposal, as the stack that
runs every org changes them one per config update. The proposing org signs it
as its author; nothing is written when the change is already there or the
proposal exists."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from fabric_ops.bft_config import is_bft
from fabric_ops.chaincode_ops import Orderer
from fabric_ops.channel_summary import consenter_address, consenters
from fabric_ops.config_update import with_consenters
from fabric_ops.consortium.card import ORGS_DIR, CardNode, OrgCard, read_card
from fabric_ops.consortium.proposal import (
    Proposal,
    ProposalError,
    propose_change,
)
from fabric_ops.executor import Executor
from network_spec import OrgKind
from network_spec.bft import MIN_BFT_CONSENTERS

ADD, REMOVE = "add", "remove"


def consenter_change_name(channel: str, change: str, node: str) -> str:
    """``<channel>-add-consenter-<node>`` or ``<channel>-remove-consenter-<node>``,
    lowercase, '.' as '-'."""
    return f"{channel}-{change}-consenter-{node}".lower().replace(".", "-")[:63].rstrip("-")


def card_node(folder: Path, name: str) -> tuple[OrgCard, CardNode]:
    """The orderer card listing node ``name`` and its entry there."""
    for path in sorted((folder / ORGS_DIR).glob("*.yaml")):
        card = read_card(folder, path.stem)
        for node in card.nodes if card.kind is OrgKind.ORDERER else ():
            if node.name == name:
                return card, node
    raise ProposalError(f"consenter {name}: no orderer card in {folder / ORGS_DIR} lists it")


def _b64(pem: str) -> str:
    return base64.b64encode(pem.encode()).decode()


def _is_node(consenter: dict[str, Any], node: CardNode) -> bool:
    """The consenter at the node's address, or with its TLS certificate."""
    return (consenter_address(consenter) == node.address
            or consenter["server_tls_cert"] == _b64(node.tls_cert))


def _entry(config: dict[str, Any], card: OrgCard, node: CardNode) -> dict[str, Any]:
    host, port = node.address.rsplit(":", 1)
    entry: dict[str, Any] = {"host": host, "port": int(port),
                             "client_tls_cert": _b64(node.tls_cert),
                             "server_tls_cert": _b64(node.tls_cert)}
    if not is_bft(config):
        return entry
    if not node.sign_cert:
        raise ProposalError(f"consenter {node.name}: {card.msp_id}'s card gives no signCert, "
                            "the identity a BFT consenter entry names")
    # A new BFT consenter takes the next free ID; IDs are never reused.
    next_id = max((int(c["id"]) for c in consenters(config)), default=0) + 1
    return {"id": next_id, **entry, "msp_id": card.msp_id, "identity": _b64(node.sign_cert)}


def changed_consenters(config: dict[str, Any], change: str, card: OrgCard,
                       node: CardNode) -> dict[str, Any] | None:
    """``config`` with the node added to or removed from its consenters; None
    when it already is (or is not) one."""
    current = consenters(config)
    present = [c for c in current if _is_node(c, node)]
    if change == ADD:
        if present:
            return None
        if card.msp_id not in config["channel_group"]["groups"]["Orderer"]["groups"]:
            raise ProposalError(f"consenter {node.name}: {card.msp_id} is not an orderer org "
                                "of the channel; its org is added first")
        return with_consenters(config, [*current, _entry(config, card, node)])
    if not present:
        return None
    remaining = [c for c in current if not _is_node(c, node)]
    floor = MIN_BFT_CONSENTERS if is_bft(config) else 1
    if len(remaining) < floor:
        raise ProposalError(f"consenter {node.name}: removing it leaves {len(remaining)} "
                            f"consenters; the channel needs at least {floor}")
    return with_consenters(config, remaining)


def propose_consenter_change(
    executor: Executor, proposer: str, folder: Path, channel: str, orderer: Orderer,
    change: str, node_name: str,
) -> Proposal | None:
    """The new proposal, signed by ``proposer``; None when there is nothing to propose."""
    card, node = card_node(folder, node_name)
    return propose_change(executor, proposer, folder,
                          consenter_change_name(channel, change, node_name), channel, orderer,
                          lambda current: changed_consenters(current, change, card, node))
