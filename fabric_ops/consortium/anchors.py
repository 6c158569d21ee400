"""An org's own anchor peers on a channel: the ``AnchorPeers`` value of
``/Channel/Application/<Org>`` has the org's Admins as mod_policy, so its own
admin's signature is enough and no proposal goes round the consortium. Query
then act: the live config is read, and only when its anchors differ from the
wanted ones is an update signed by the org's admin, submitted and waited for."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.channel_ops import anchor_peers
from fabric_ops.config_update import (
    applied_config,
    live_config,
    sign_and_submit,
    update_envelope,
)
from fabric_ops.consortium.joining import genesis_or_reason
from fabric_ops.executor import Executor


@dataclass(frozen=True)
class AnchorChange:
    channel: str
    msp_id: str
    old: tuple[str, ...]
    new: tuple[str, ...]

    def describe(self) -> str:
        return (f"channel {self.channel}: {self.msp_id} anchor peers "
                f"{', '.join(self.old) or '(none)'} -> {', '.join(self.new) or '(none)'}")


def _host_port(address: str) -> dict[str, Any]:
    host, _, port = address.rpartition(":")
    return {"host": host, "port": int(port)}


def with_anchor_peers(config: dict[str, Any], msp_id: str,
                      anchors: Sequence[str]) -> dict[str, Any]:
    """``config`` with ``msp_id``'s AnchorPeers set to ``anchors`` (``host:port``)."""
    changed = copy.deepcopy(config)
    values = changed["channel_group"]["groups"]["Application"]["groups"][msp_id]["values"]
    if not anchors:
        values.pop("AnchorPeers", None)
        return changed
    entry = values.setdefault("AnchorPeers", {"mod_policy": "Admins"})
    entry["value"] = {"anchor_peers": [_host_port(a) for a in anchors]}
    return changed


def anchor_change(config: dict[str, Any], channel: str, msp_id: str,
                  anchors: Sequence[str]) -> AnchorChange | None:
    """What setting ``anchors`` changes in ``config`` (None: nothing). The org
    must be a member of the channel's Application section."""
    if msp_id not in config["channel_group"]["groups"]["Application"]["groups"]:
        raise ValueError(f"channel {channel}: {msp_id} is not one of its application orgs")
    old = tuple(anchor_peers(config, msp_id))
    return None if old == tuple(anchors) else AnchorChange(channel, msp_id, old, tuple(anchors))


def pending_anchor_change(executor: Executor, orderer: Orderer, channel: str, msp_id: str,
                          anchors: Sequence[str]) -> AnchorChange | None:
    """The change the live channel needs (None: its anchors are already ``anchors``)."""
    return anchor_change(live_config(executor, [orderer], channel), channel, msp_id, anchors)


def set_own_anchor_peers(executor: Executor, orderer: Orderer, channel: str, msp_id: str,
                         anchors: Sequence[str]) -> AnchorChange | None:
    """Sets ``msp_id``'s anchor peers on ``channel`` with its own admin
    (``executor``) through ``orderer`` and waits until the channel has them;
    the change made (None: nothing to do)."""
    live = live_config(executor, [orderer], channel)
    change = anchor_change(live, channel, msp_id, anchors)
    if change is None:
        return None
    target = with_anchor_peers(live, msp_id, anchors)
    envelope = update_envelope(executor, channel, live, target)
    sign_and_submit({msp_id: executor}, [msp_id], [orderer], channel, envelope)
    applied_config(executor, [orderer], channel, target)
    return change


def ensure_own_anchor_peers(executor: Executor, orderer: Orderer, channel: str, msp_id: str,
                            anchors: Sequence[str]) -> tuple[AnchorChange | None, str]:
    """``set_own_anchor_peers`` once the channel exists and lists the org; the
    change made, and why nothing could be done yet ('' once it could)."""
    block, reason = genesis_or_reason(executor, orderer, channel)
    if block is None:
        return None, reason
    return set_own_anchor_peers(executor, orderer, channel, msp_id, anchors), ""
