"""Dynamic providers for a channel's operations: its genesis block, an orderer's
join (osnadmin) and a peer's join. The joins follow ``IdempotentOperation``'s
contract (offline diff, query-then-act, drift read as ``done: False``)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from fabric_components.providers.idempotent import IdempotentOperation, changed_keys
from fabric_components.providers.idempotent import executor_of as _executor

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
