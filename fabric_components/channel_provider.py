"""Dynamic providers for a channel's operations: its genesis block, an orderer's
join (osnadmin) and a peer's join.

Contract (shared by every operation provider): ``diff`` never contacts the
network and works with unknown inputs in preview; ``create``/``update`` run the
query-then-act operation; ``read`` (``pulumi refresh``) queries and reports drift
(``joined: False``) which the next ``diff`` turns into an update that re-joins.
Providers are pickled into the engine's provider process, so they import what
they need inside each method and always return every output."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult


def _diff(
    olds: dict[str, Any], news: dict[str, Any], replace_keys: tuple[str, ...],
    update_keys: tuple[str, ...] = (),
) -> DiffResult:
    replaces = [k for k in replace_keys if olds.get(k) != news.get(k)]
    updates = [k for k in update_keys if olds.get(k) != news.get(k)]
    drifted = olds.get("joined") is False
    return DiffResult(
        changes=bool(replaces or updates or drifted),
        replaces=replaces,
        delete_before_replace=True,
    )


class ChannelBlockProvider(ResourceProvider):
    """configtxgen once; the block (base64) is kept in state. Channel settings
    that change later are config updates, not a new genesis block."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        from fabric_ops.channel_ops import genesis_block
        from fabric_ops.executor_config import executor_from_config

        files = {path: text.encode() for path, text in props["files"].items()}
        block = genesis_block(executor_from_config(props["executor"]), props["channel"], files)
        outs = {
            **props,
            "block": base64.b64encode(block).decode(),
            "block_sha256": hashlib.sha256(block).hexdigest(),
        }
        return CreateResult(id_=props["channel"], outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _diff(olds, news, ("channel",))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)


class OrdererJoinProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"{props['channel']}/{props['node']}", outs=self._join(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._join(news))

    @staticmethod
    def _join(props: dict[str, Any]) -> dict[str, Any]:
        from fabric_ops.channel_ops import ensure_orderer_joined
        from fabric_ops.executor_config import executor_from_config

        ensure_orderer_joined(
            executor_from_config(props["executor"]), props["admin_address"],
            props["orderer_domain"], props["channel"], base64.b64decode(props["block"]),
        )
        return {**props, "joined": True}

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _diff(olds, news, ("channel", "node"), ("admin_address", "version"))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        from fabric_ops.channel_ops import orderer_channel
        from fabric_ops.executor_config import executor_from_config

        info = orderer_channel(
            executor_from_config(props["executor"]), props["admin_address"],
            props["orderer_domain"], props["channel"],
        )
        return ReadResult(id_=id_, outs={**props, "joined": info is not None})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        from fabric_ops.channel_ops import remove_orderer
        from fabric_ops.executor_config import executor_from_config

        remove_orderer(
            executor_from_config(props["executor"]), props["admin_address"],
            props["orderer_domain"], props["channel"],
        )


class PeerJoinProvider(ResourceProvider):
    """Peer joins; delete is a documented no-op: Fabric 2.5 has no command that
    makes a peer leave a channel (``peer node unjoin`` needs the peer stopped)."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"{props['channel']}/{props['node']}", outs=self._join(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._join(news))

    @staticmethod
    def _join(props: dict[str, Any]) -> dict[str, Any]:
        from fabric_ops.channel_ops import ensure_peer_joined
        from fabric_ops.executor_config import executor_from_config

        ensure_peer_joined(
            executor_from_config(props["executor"]), props["peer_address"], props["channel"],
            base64.b64decode(props["block"]),
        )
        return {**props, "joined": True}

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _diff(olds, news, ("channel", "node"), ("peer_address", "version"))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        from fabric_ops.channel_ops import peer_channels
        from fabric_ops.executor_config import executor_from_config

        joined = props["channel"] in peer_channels(
            executor_from_config(props["executor"]), props["peer_address"]
        )
        return ReadResult(id_=id_, outs={**props, "joined": joined})
