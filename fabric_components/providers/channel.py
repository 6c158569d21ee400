"""A channel's operations: its genesis block, an orderer's join (osnadmin) and a
peer's join, each a resource type with its provider and the builder of its
inputs. The joins follow ``IdempotentOperation``'s contract (offline diff,
query-then-act, drift read as ``done: False``)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from fabric_components.providers.idempotent import IdempotentOperation, changed_keys
from fabric_components.providers.idempotent import executor_of as _executor
from fabric_components.providers.operation import TYPE_MODULE, Operation
from fabric_nodes.node_settings import (
    Addressing,
    orderer_address,
    orderer_admin_address,
    peer_address,
)
from network_spec import ChannelSpec, NetworkSpec, NodeSpec

CATCH_UP_TIMEOUT_SECONDS = 600.0
"""How long a peer that just joined may take to pull the chain."""


class ChannelBlockProvider(ResourceProvider):
    """configtxgen once; the block (base64) is kept in state. Channel settings
    that change later are config updates, not a new genesis block."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        from fabric_ops.channel_ops import genesis_block

        files = {path: text.encode() for path, text in props["files"].items()}
        block = genesis_block(_executor(props), props["channel"], files)
        outs = {
            **props,
            "block": base64.b64encode(block).decode(),
            "block_sha256": hashlib.sha256(block).hexdigest(),
        }
        return CreateResult(id_=props["channel"], outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = changed_keys(olds, news, ("channel",))
        return DiffResult(changes=bool(replaces), replaces=replaces, delete_before_replace=True)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)


class OrdererJoinProvider(IdempotentOperation):
    """Joins with the channel's newest config block when another consenter
    serves it (``channel_ops.join_block``), else with the genesis block."""

    replace_keys = ("channel", "node")
    update_keys = ("admin_address", "version")

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['node']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.channel_ops import ensure_orderer_joined

        ensure_orderer_joined(
            _executor(props), props["admin_address"], props["orderer_domain"],
            props["channel"], base64.b64decode(props["block"]),
            [(o["address"], o["domain"]) for o in props.get("other_consenters", [])],
        )

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.channel_ops import orderer_channel

        info = orderer_channel(
            _executor(props), props["admin_address"], props["orderer_domain"], props["channel"]
        )
        return info is not None

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        from fabric_ops.channel_ops import remove_orderer

        remove_orderer(
            _executor(props), props["admin_address"], props["orderer_domain"], props["channel"]
        )


class PeerJoinProvider(IdempotentOperation):
    """Peer joins, done once the peer has pulled every block the orderers had
    (so what ``pulumi up`` adds serves reads when it returns); delete is a
    documented no-op: Fabric 2.5 has no command that makes a running peer leave
    a channel (``peer node unjoin`` needs it stopped)."""

    replace_keys = ("channel", "node")
    update_keys = ("peer_address", "version")

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['node']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.channel_ops import ensure_peer_joined, ordered_height
        from fabric_ops.readiness import WaitedNode, wait_caught_up

        executor, channel = _executor(props), props["channel"]
        joined = ensure_peer_joined(executor, props["peer_address"], channel,
                                    base64.b64decode(props["block"]))
        orderers = [(o["address"], o["domain"]) for o in props.get("orderers", [])]
        if joined and orderers:
            peer = WaitedNode(props["node"], executor, peer_address=props["peer_address"])
            wait_caught_up(peer, {channel: lambda: ordered_height(executor, orderers, channel)},
                           CATCH_UP_TIMEOUT_SECONDS)

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.channel_ops import peer_channels

        return str(props["channel"]) in peer_channels(_executor(props), props["peer_address"])


class ChannelBlock(Operation, module=TYPE_MODULE, name="ChannelBlock"):
    """``<channel>-block``: the genesis block, kept in state."""

    block: pulumi.Output[str]
    block_sha256: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ChannelBlockProvider(), name, props, opts)


class OrdererJoin(Operation, module=TYPE_MODULE, name="OrdererJoin"):
    """``<channel>-<orderer>-join``."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(OrdererJoinProvider(), name, props, opts)


class PeerJoin(Operation, module=TYPE_MODULE, name="PeerJoin"):
    """``<channel>-<peer>-join``."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(PeerJoinProvider(), name, props, opts)


def consenter_endpoints(
    spec: NetworkSpec, channel: ChannelSpec, addressing: Addressing,
) -> list[dict[str, str]]:
    """Where the channel's consenters serve gRPC, each with its org's domain."""
    return [{"address": orderer_address(addressing, node), "domain": org.domain}
            for org, node in (spec.node(cn) for cn in channel.consenters)]


def channel_block_inputs(channel: str, files: Any, executor: Any) -> dict[str, Any]:
    """``files``: the configtxgen tree (path to text) of the channel."""
    return {"channel": channel, "files": files, "executor": executor,
            "block": None, "block_sha256": None}


def orderer_join_inputs(
    spec: NetworkSpec, channel: ChannelSpec, common_name: str, addressing: Addressing,
    block: Any, executor: Any,
) -> dict[str, Any]:
    """The consenter ``common_name`` joins with ``block`` (or the newest config
    block one of the other consenters serves)."""
    org, node = spec.node(common_name)
    endpoints = consenter_endpoints(spec, channel, addressing)
    return {
        "channel": channel.name,
        "node": common_name,
        "admin_address": orderer_admin_address(addressing, node),
        "orderer_domain": org.domain,
        "block": block,
        "other_consenters": [e for cn, e in zip(channel.consenters, endpoints, strict=True)
                             if cn != common_name],
        "executor": executor,
        "done": None,
    }


def peer_join_inputs(
    spec: NetworkSpec, channel: ChannelSpec, node: NodeSpec, addressing: Addressing,
    block: Any, executor: Any,
) -> dict[str, Any]:
    """The peer ``node`` joins with ``block`` and catches up with the consenters."""
    return {
        "channel": channel.name,
        "node": node.common_name,
        "peer_address": peer_address(addressing, node),
        "block": block,
        "orderers": consenter_endpoints(spec, channel, addressing),
        "executor": executor,
        "done": None,
    }
