"""configtx.yaml for one application channel, rendered from the network spec,
plus every file it refers to, as a file tree for configtxgen.

The tree is self-contained (``configtx.yaml``, ``msp/<domain>/...`` for every
org, ``tls/<consenter>.crt`` for every consenter; paths relative to the yaml), so
the same inputs produce the same block wherever configtxgen runs: in an admin
toolbox pod or as a local process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from fabric_nodes.node_settings import Addressing, orderer_address, peer_address
from fabric_ops.smartbft_options import configtx_smartbft
from network_spec import ChannelSpec, NetworkSpec, OrgKind, OrgSpec
from network_spec.bft import BFT

PROFILE = "Channel"
IDENTITY_DIR = "identity"


def _signature(rule: str) -> dict[str, str]:
    return {"Type": "Signature", "Rule": rule}


def _implicit(rule: str) -> dict[str, str]:
    return {"Type": "ImplicitMeta", "Rule": rule}


def org_policies(org: OrgSpec) -> dict[str, dict[str, str]]:
    """Fabric's usual org policies (``msp_policies``)."""
    return msp_policies(org.msp_id, org.kind, org.enable_node_ous)


def msp_policies(msp: str, kind: OrgKind, enable_node_ous: bool) -> dict[str, dict[str, str]]:
    """Fabric's usual policies of an org; without NodeOUs every member may read,
    write and endorse, as roles cannot be told apart."""
    admins = _signature(f"OR('{msp}.admin')")
    if not enable_node_ous:
        member = _signature(f"OR('{msp}.member')")
        return {"Readers": member, "Writers": member, "Admins": admins, "Endorsement": member}
    if kind is OrgKind.ORDERER:
        member = _signature(f"OR('{msp}.member')")
        return {"Readers": member, "Writers": member, "Admins": admins}
    return {
        "Readers": _signature(f"OR('{msp}.admin', '{msp}.peer', '{msp}.client')"),
        "Writers": _signature(f"OR('{msp}.admin', '{msp}.client')"),
        "Admins": admins,
        "Endorsement": _signature(f"OR('{msp}.peer')"),
    }


def _host_port(address: str) -> dict[str, Any]:
    host, port = address.rsplit(":", 1)
    return {"Host": host, "Port": int(port)}


def configtx(spec: NetworkSpec, channel: ChannelSpec, addressing: Addressing) -> dict[str, Any]:
    """configtx.yaml with the one profile ``Channel``: the channel's orderer and
    peer orgs, its Raft consenters or BFT consenter mapping (IDs from 1 in the
    order of ``channel.consenters``) and the usual ImplicitMeta policies."""

    def organization(org: OrgSpec) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "Name": org.msp_id,
            "ID": org.msp_id,
            "MSPDir": f"msp/{org.domain}",
            "Policies": org_policies(org),
        }
        if org.kind is OrgKind.ORDERER:
            entry["OrdererEndpoints"] = [
                orderer_address(addressing, org.node(cn))
                for cn in channel.consenters
                if any(n.common_name == cn for n in org.nodes)
            ]
        else:
            entry["AnchorPeers"] = [
                _host_port(peer_address(addressing, org.node(cn)))
                for cn in channel.anchors_of(org.name)
            ]
        return entry

    def consenter(common_name: str) -> dict[str, Any]:
        _, node = spec.node(common_name)
        certificate = f"tls/{common_name}.crt"
        return {
            **_host_port(orderer_address(addressing, node)),
            "ClientTLSCert": certificate,
            "ServerTLSCert": certificate,
        }

    def bft_consenter(consenter_id: int, common_name: str) -> dict[str, Any]:
        org, _ = spec.node(common_name)
        return {
            "ID": consenter_id,
            **consenter(common_name),
            "MSPID": org.msp_id,
            "Identity": f"{IDENTITY_DIR}/{common_name}.pem",
        }

    settings = channel.settings
    channel_policies = {
        "Readers": _implicit("ANY Readers"),
        "Writers": _implicit("ANY Writers"),
        "Admins": _implicit("MAJORITY Admins"),
    }
    application: dict[str, Any] = {
        "Organizations": [organization(spec.org(name)) for name in channel.orgs],
        "Policies": {
            **channel_policies,
            "LifecycleEndorsement": _implicit("MAJORITY Endorsement"),
            "Endorsement": _implicit("MAJORITY Endorsement"),
        },
        "Capabilities": {settings.capabilities.application: True},
    }
    if settings.acls:
        application["ACLs"] = dict(settings.acls)
    consensus: dict[str, Any] = {
        "ConsenterMapping": [bft_consenter(i, cn)
                             for i, cn in enumerate(channel.consenters, start=1)],
        "SmartBFT": configtx_smartbft(settings.smartbft),
    } if channel.consensus == BFT else {
        "EtcdRaft": {
            "Consenters": [consenter(cn) for cn in channel.consenters],
            "Options": {
                "TickInterval": "500ms",
                "ElectionTick": 10,
                "HeartbeatTick": 1,
                "MaxInflightBlocks": 5,
                "SnapshotIntervalSize": "16 MB",
            },
        },
    }
    profile = {
        "Policies": channel_policies,
        "Capabilities": {settings.capabilities.channel: True},
        "Orderer": {
            "OrdererType": channel.consensus,
            "BatchTimeout": settings.batch_timeout,
            "BatchSize": {
                "MaxMessageCount": settings.batch_size.max_message_count,
                "AbsoluteMaxBytes": settings.batch_size.absolute_max_bytes,
                "PreferredMaxBytes": settings.batch_size.preferred_max_bytes,
            },
            **consensus,
            "Organizations": [organization(spec.org(name)) for name in channel.orderer_orgs],
            # For BFT configtxgen replaces BlockValidation with a signature
            # policy over the consenters' identities (a BFT quorum of them).
            "Policies": {**channel_policies, "BlockValidation": _implicit("ANY Writers")},
            "Capabilities": {settings.capabilities.orderer: True},
        },
        "Application": application,
    }
    return {"Profiles": {PROFILE: profile}}


def channel_config_files(
    spec: NetworkSpec,
    channel: ChannelSpec,
    addressing: Addressing,
    org_msps: Mapping[str, Mapping[str, str]],
    consenter_tls_certs: Mapping[str, str],
    consenter_sign_certs: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """The tree configtxgen needs. ``org_msps`` maps an org name to its org-level
    MSP files (``crypto.org_msp_files``); ``consenter_tls_certs`` maps a
    consenter's common name to its TLS server certificate PEM;
    ``consenter_sign_certs`` (BFT channels only) to its enrollment (sign)
    certificate PEM, the identity its block signatures are checked against."""
    files = {
        "configtx.yaml": yaml.safe_dump(configtx(spec, channel, addressing), sort_keys=False),
    }
    for name in (*channel.orderer_orgs, *channel.orgs):
        org = spec.org(name)
        for path, text in org_msps[name].items():
            files[f"msp/{org.domain}/{path}"] = text
    for common_name in channel.consenters:
        files[f"tls/{common_name}.crt"] = consenter_tls_certs[common_name]
    if channel.consensus == BFT:
        if consenter_sign_certs is None:
            raise ValueError(f"channel {channel.name}: BFT needs the consenters' sign certificates")
        for common_name in channel.consenters:
            files[f"{IDENTITY_DIR}/{common_name}.pem"] = consenter_sign_certs[common_name]
    return {path: text.encode() for path, text in files.items()}
