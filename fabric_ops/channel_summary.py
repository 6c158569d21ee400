"""A readable summary of a channel's configuration: its member and orderer
orgs, consenters, anchor peers and settings. The same shape comes from the
network spec (what ``pulumi up`` will make) and from a channel's live config
(what it is), so ``pulumi preview`` shows a config update as old and new
values instead of bytes."""

from __future__ import annotations

from typing import Any

from fabric_nodes.node_settings import Addressing, orderer_address, peer_address
from fabric_ops.bft_config import bft_consenters, is_bft
from fabric_ops.smartbft_options import live_smartbft, smartbft_summary
from network_spec import ChannelSpec, NetworkSpec


def spec_summary(spec: NetworkSpec, channel: ChannelSpec, addressing: Addressing) -> dict[str, Any]:
    settings = channel.settings
    return {
        # Only BFT names its consensus: Raft channels' summaries stay as they were.
        **({"consensus": channel.consensus} if channel.consensus == "BFT" else {}),
        "orgs": sorted(spec.org(name).msp_id for name in channel.orgs),
        "ordererOrgs": sorted(spec.org(name).msp_id for name in channel.orderer_orgs),
        "consenters": sorted(orderer_address(addressing, spec.node(cn)[1])
                             for cn in channel.consenters),
        "anchorPeers": {
            spec.org(name).msp_id: [peer_address(addressing, spec.node(cn)[1])
                                    for cn in channel.anchors_of(name)]
            for name in channel.orgs
        },
        "batchTimeout": settings.batch_timeout,
        "batchSize": {
            "maxMessageCount": settings.batch_size.max_message_count,
            "absoluteMaxBytes": settings.batch_size.absolute_max_bytes,
            "preferredMaxBytes": settings.batch_size.preferred_max_bytes,
        },
        "capabilities": {
            "channel": settings.capabilities.channel,
            "orderer": settings.capabilities.orderer,
            "application": settings.capabilities.application,
        },
        "acls": dict(settings.acls),
        **({"smartBFT": smartbft_summary(settings.smartbft)}
           if channel.consensus == "BFT" else {}),
    }


def _value(group: dict[str, Any], name: str) -> dict[str, Any]:
    value: dict[str, Any] = group.get("values", {}).get(name, {}).get("value", {})
    return value


def _capability(group: dict[str, Any]) -> str:
    return ",".join(sorted(_value(group, "Capabilities").get("capabilities", {})))


def consenters(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The Raft consenters (host, port, TLS certificates in base64) or a BFT
    channel's consenter mapping."""
    if is_bft(config):
        return bft_consenters(config)
    orderer = config["channel_group"]["groups"]["Orderer"]
    found: list[dict[str, Any]] = _value(orderer, "ConsensusType").get("metadata", {}).get(
        "consenters", [])
    return found


def consenter_address(consenter: dict[str, Any]) -> str:
    return f"{consenter['host']}:{consenter['port']}"


def config_summary(config: dict[str, Any]) -> dict[str, Any]:
    """The summary of a decoded channel config (``channel_ops.channel_config``)."""
    root = config["channel_group"]
    application = root["groups"]["Application"]
    orderer = root["groups"]["Orderer"]
    batch = _value(orderer, "BatchSize")
    return {
        **({"consensus": "BFT"} if is_bft(config) else {}),
        "orgs": sorted(application.get("groups", {})),
        "ordererOrgs": sorted(orderer.get("groups", {})),
        "consenters": sorted(consenter_address(c) for c in consenters(config)),
        "anchorPeers": {
            msp: [f"{p['host']}:{p['port']}"
                  for p in _value(group, "AnchorPeers").get("anchor_peers", [])]
            for msp, group in sorted(application.get("groups", {}).items())
        },
        "batchTimeout": _value(orderer, "BatchTimeout").get("timeout", ""),
        "batchSize": {
            "maxMessageCount": int(batch.get("max_message_count", 0)),
            "absoluteMaxBytes": int(batch.get("absolute_max_bytes", 0)),
            "preferredMaxBytes": int(batch.get("preferred_max_bytes", 0)),
        },
        "capabilities": {
            "channel": _capability(root),
            "orderer": _capability(orderer),
            "application": _capability(application),
        },
        "acls": {resource: acl.get("policy_ref", "")
                 for resource, acl in sorted(_value(application, "ACLs").get("acls", {}).items())},
        **({"smartBFT": smartbft_summary(live_smartbft(
            _value(orderer, "ConsensusType").get("metadata") or {}))} if is_bft(config) else {}),
    }
