"""Channel material from org cards alone: the MSP tree and policies of an org,
its config group (``configtxgen -printOrg``) for adding it to a running
channel, and the genesis configtx of a channel whose members are known only by
their cards (the orderer org's stack creates it without any member's keys)."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from fabric_ops.configtx import IDENTITY_DIR, PROFILE, msp_policies
from fabric_ops.consortium.card import CardNode, OrgCard
from fabric_ops.executor import CommandFailed, Executor
from fabric_ops.smartbft_options import configtx_smartbft
from network_spec import OrgKind
from network_spec.bft import BFT, BFT_CHANNEL_CAPABILITY, MIN_BFT_CONSENTERS
from network_spec.model import ChannelSettings

CA_FILE = "cacerts/ca-cert.pem"
TLS_CA_FILE = "tlscacerts/tlsca-cert.pem"
DEFAULT_SETTINGS = ChannelSettings()
RAFT = "etcdraft"


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


def _consensus(consensus: str, consenters: Sequence[str], nodes: Mapping[str, CardNode],
               msp_ids: Mapping[str, str], settings: ChannelSettings) -> dict[str, Any]:
    """The Orderer section's consenters: Raft's ``EtcdRaft``, or BFT's
    ``ConsenterMapping`` (IDs 1..n in the order of ``consenters``, each node's
    identity its enrollment certificate) with the SmartBFT options."""
    def tls(cn: str) -> dict[str, Any]:
        certificate = f"tls/{cn}.crt"
        return {**_host_port(nodes[cn].address), "ClientTLSCert": certificate,
                "ServerTLSCert": certificate}

    if consensus != BFT:
        return {"EtcdRaft": {"Consenters": [tls(cn) for cn in consenters]}}
    if len(consenters) < MIN_BFT_CONSENTERS:
        raise ValueError(f"a BFT channel needs at least {MIN_BFT_CONSENTERS} consenters (3f+1 "
                         f"tolerate f faulty ones); the cards list {len(consenters)}")
    unsigned = [cn for cn in consenters if not nodes[cn].sign_cert]
    if unsigned:
        raise ValueError(f"a BFT channel names each consenter's identity; the cards give no "
                         f"signCert for {unsigned}")
    return {
        "ConsenterMapping": [{"ID": i, **tls(cn), "MSPID": msp_ids[cn],
                              "Identity": f"{IDENTITY_DIR}/{cn}.pem"}
                             for i, cn in enumerate(consenters, start=1)],
        "SmartBFT": configtx_smartbft(settings.smartbft),
    }


def channel_files(
    orderer_cards: Sequence[OrgCard], member_cards: Sequence[OrgCard],
    consenters: Sequence[str], settings: ChannelSettings = DEFAULT_SETTINGS,
    consensus: str = RAFT,
) -> dict[str, bytes]:
    """configtxgen's input (profile ``configtx.PROFILE``) for a channel of
    ``member_cards`` ordered by ``consenters`` (common names on the orderer
    cards) with ``consensus`` (``etcdraft`` or ``BFT``; BFT needs 4 consenters
    and the V3_0 channel capability, which it gets unless ``settings`` set
    another level, refused then)."""
    nodes = {n.name: n for card in orderer_cards for n in card.nodes}
    msp_ids = {n.name: card.msp_id for card in orderer_cards for n in card.nodes}
    unknown = [cn for cn in consenters if cn not in nodes]
    if unknown:
        raise ValueError(f"consenters {unknown} are on no orderer card")
    if consensus == BFT and settings.capabilities.channel != BFT_CHANNEL_CAPABILITY:
        if settings.capabilities != DEFAULT_SETTINGS.capabilities:
            raise ValueError(f"a BFT channel needs channel capability {BFT_CHANNEL_CAPABILITY}, "
                             f"got {settings.capabilities.channel}")
        settings = dataclasses.replace(settings, capabilities=dataclasses.replace(
            settings.capabilities, channel=BFT_CHANNEL_CAPABILITY))
    implicit = {"Readers": "ANY Readers", "Writers": "ANY Writers", "Admins": "MAJORITY Admins"}
    policies = {k: {"Type": "ImplicitMeta", "Rule": v} for k, v in implicit.items()}
    endorsement = {"Type": "ImplicitMeta", "Rule": "MAJORITY Endorsement"}
    profile = {
        "Policies": policies,
        "Capabilities": {settings.capabilities.channel: True},
        "Orderer": {
            "OrdererType": consensus,
            "BatchTimeout": settings.batch_timeout,
            "BatchSize": {
                "MaxMessageCount": settings.batch_size.max_message_count,
                "AbsoluteMaxBytes": settings.batch_size.absolute_max_bytes,
                "PreferredMaxBytes": settings.batch_size.preferred_max_bytes,
            },
            **_consensus(consensus, consenters, nodes, msp_ids, settings),
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
        if consensus == BFT:
            files[f"{IDENTITY_DIR}/{cn}.pem"] = nodes[cn].sign_cert.encode()
    return files
