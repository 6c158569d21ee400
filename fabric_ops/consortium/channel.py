"""Channel material from org cards alone: the MSP tree and policies of an org,
its config group (``configtxgen -printOrg``) for adding it to a running
channel, and the genesis configtx of a channel whose members are known only by
their cards (the orderer org's stack creates it without any member's keys)."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

import yaml

from fabric_ops.configtx import PROFILE, msp_policies
from fabric_ops.consortium.card import OrgCard
from fabric_ops.executor import CommandFailed, Executor
from network_spec import OrgKind
from network_spec.model import ChannelSettings

CA_FILE = "cacerts/ca-cert.pem"
TLS_CA_FILE = "tlscacerts/tlsca-cert.pem"
DEFAULT_SETTINGS = ChannelSettings()


def card_msp_files(card: OrgCard) -> dict[str, str]:
    """The org's verifying MSP as a channel config holds it."""
    files = {CA_FILE: card.ca_cert, TLS_CA_FILE: card.tls_ca_cert}
    if card.node_ous:
        def identifier(ou: str) -> dict[str, str]:
            return {"Certificate": CA_FILE, "OrganizationalUnitIdentifier": ou}
        files["config.yaml"] = yaml.safe_dump({"NodeOUs": {
            "Enable": True,
            "ClientOUIdentifier": identifier("client"),
            "PeerOUIdentifier": identifier("peer"),
            "AdminOUIdentifier": identifier("admin"),
            "OrdererOUIdentifier": identifier("orderer"),
        }}, sort_keys=False)
    for i, pem in enumerate(card.admin_certs):
        files[f"admincerts/admin{i}-cert.pem"] = pem
    return files


def _host_port(address: str) -> dict[str, Any]:
    host, port = address.rsplit(":", 1)
    return {"Host": host, "Port": int(port)}


def _organization(card: OrgCard, consenters: Sequence[str] = ()) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Name": card.msp_id, "ID": card.msp_id, "MSPDir": f"msp/{card.msp_id}",
        "Policies": msp_policies(card.msp_id, card.kind, card.node_ous),
    }
    if card.kind is OrgKind.ORDERER:
        entry["OrdererEndpoints"] = [n.address for n in card.nodes
                                     if not consenters or n.name in consenters]
    else:
        entry["AnchorPeers"] = [_host_port(a) for a in card.anchor_peers]
    return entry


def _msp_tree(cards: Sequence[OrgCard]) -> dict[str, bytes]:
    return {f"msp/{card.msp_id}/{path}": text.encode()
            for card in cards for path, text in card_msp_files(card).items()}


def org_group(executor: Executor, card: OrgCard) -> dict[str, Any]:
    """The org's group in a channel config (configtxlator JSON), from its card."""
    configtx = {"Organizations": [_organization(card)]}
    files = {"configtx.yaml": yaml.safe_dump(configtx, sort_keys=False).encode(),
             **_msp_tree([card])}
    result = executor.run(["configtxgen", "-printOrg", card.msp_id],
                          env={"FABRIC_CFG_PATH": "."}, inputs=files)
    if result.returncode != 0:
        raise CommandFailed(result, f"{card.msp_id}: configtxgen -printOrg")
    group: dict[str, Any] = json.loads(result.stdout)
    return group


def with_org(config: dict[str, Any], section: str, msp_id: str,
             group: dict[str, Any]) -> dict[str, Any]:
    """``config`` with ``msp_id``'s group in ``section`` (Application or Orderer)."""
    changed = copy.deepcopy(config)
    changed["channel_group"]["groups"][section]["groups"][msp_id] = group
    return changed


def without_org(config: dict[str, Any], section: str, msp_id: str) -> dict[str, Any]:
    """``config`` without ``msp_id``'s group in ``section`` (Application or Orderer)."""
    changed = copy.deepcopy(config)
    del changed["channel_group"]["groups"][section]["groups"][msp_id]
    return changed


def channel_files(
    orderer_cards: Sequence[OrgCard], member_cards: Sequence[OrgCard],
    consenters: Sequence[str], settings: ChannelSettings = DEFAULT_SETTINGS,
) -> dict[str, bytes]:
    """configtxgen's input (profile ``configtx.PROFILE``) for a Raft channel of
    ``member_cards`` ordered by ``consenters`` (common names on the orderer cards)."""
    nodes = {n.name: n for card in orderer_cards for n in card.nodes}
    unknown = [cn for cn in consenters if cn not in nodes]
    if unknown:
        raise ValueError(f"consenters {unknown} are on no orderer card")
    implicit = {"Readers": "ANY Readers", "Writers": "ANY Writers", "Admins": "MAJORITY Admins"}
    policies = {k: {"Type": "ImplicitMeta", "Rule": v} for k, v in implicit.items()}
    endorsement = {"Type": "ImplicitMeta", "Rule": "MAJORITY Endorsement"}
    profile = {
        "Policies": policies,
        "Capabilities": {settings.capabilities.channel: True},
        "Orderer": {
            "OrdererType": "etcdraft",
            "BatchTimeout": settings.batch_timeout,
            "BatchSize": {
                "MaxMessageCount": settings.batch_size.max_message_count,
                "AbsoluteMaxBytes": settings.batch_size.absolute_max_bytes,
                "PreferredMaxBytes": settings.batch_size.preferred_max_bytes,
            },
            "EtcdRaft": {"Consenters": [
                {**_host_port(nodes[cn].address), "ClientTLSCert": f"tls/{cn}.crt",
                 "ServerTLSCert": f"tls/{cn}.crt"} for cn in consenters]},
            "Organizations": [_organization(card, consenters) for card in orderer_cards],
            "Policies": {**policies, "BlockValidation": {"Type": "ImplicitMeta",
                                                         "Rule": "ANY Writers"}},
            "Capabilities": {settings.capabilities.orderer: True},
        },
        "Application": {
            "Organizations": [_organization(card) for card in member_cards],
            "Policies": {**policies, "LifecycleEndorsement": endorsement,
                         "Endorsement": endorsement},
            "Capabilities": {settings.capabilities.application: True},
        },
    }
    files = {"configtx.yaml": yaml.safe_dump({"Profiles": {PROFILE: profile}},
                                             sort_keys=False).encode(),
             **_msp_tree([*orderer_cards, *member_cards])}
    for cn in consenters:
        files[f"tls/{cn}.crt"] = nodes[cn].tls_cert.encode()
    return files
