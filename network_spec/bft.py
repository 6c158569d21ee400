"""The rules a BFT (SmartBFT) channel adds to network.yaml's channels.

SmartBFT tolerates ``f`` faulty consenters out of ``3f + 1``. With fewer than 4
consenters ``f`` is 0: one stopped orderer halts the channel, and BFT brings
nothing Raft does not, at a higher price. Such a channel is refused rather than
accepted with a fault tolerance nobody asked for. Fabric also refuses a BFT
channel without the V3_0 channel capability, so a BFT channel defaults to it and
an explicit older level is refused here, where the file and field can be named."""

from __future__ import annotations

import dataclasses

from network_spec.fields import Record
from network_spec.model import ChannelSettings
from network_spec.smartbft_options import SMARTBFT_KEY, check_bft_batch_size, read_smartbft

BFT = "BFT"
MIN_BFT_CONSENTERS = 4
BFT_CHANNEL_CAPABILITY = "V3_0"


def fault_tolerance(consenters: int) -> int:
    """How many consenters of ``consenters`` may fail (or lie) with the channel
    still ordering: the largest ``f`` with ``3f + 1 <= consenters``."""
    return (consenters - 1) // 3


def bft_quorum(consenters: int) -> int:
    """Signatures a BFT block needs: ceil((n + f + 1) / 2), as Fabric computes
    the BlockValidation policy from the consenter set."""
    return -(-(consenters + fault_tolerance(consenters) + 1) // 2)


def check_bft_channel(
    channel: Record, consenters: tuple[str, ...], settings: ChannelSettings
) -> ChannelSettings:
    """``settings`` of a BFT channel with its SmartBFT options, its channel
    capability raised to V3_0 unless the file sets it (then it must be V3_0);
    refuses fewer than 4 consenters."""
    if len(consenters) < MIN_BFT_CONSENTERS:
        at = channel.get("consenters") or channel.require("consensus")
        raise at.error(
            f"a BFT channel needs at least {MIN_BFT_CONSENTERS} consenters (3f+1 tolerate f "
            f"faulty ones); this one has {len(consenters)} ({', '.join(consenters)}), which "
            "tolerates none: add ordering nodes or use etcdraft"
        )
    check_bft_batch_size(channel, settings.batch_size)
    settings = dataclasses.replace(
        settings, smartbft=read_smartbft(channel.get(SMARTBFT_KEY), settings.batch_size))
    capabilities = channel.get("capabilities")
    written = None if capabilities is None else capabilities.record(
        ("channel", "orderer", "application")).get("channel")
    if written is not None:
        if settings.capabilities.channel != BFT_CHANNEL_CAPABILITY:
            raise written.error(
                f"a BFT channel needs channel capability {BFT_CHANNEL_CAPABILITY}, got "
                f"'{settings.capabilities.channel}'"
            )
        return settings
    return dataclasses.replace(
        settings,
        capabilities=dataclasses.replace(settings.capabilities, channel=BFT_CHANNEL_CAPABILITY),
    )


def refuse_smartbft_options(channel: Record) -> None:
    """SmartBFT options on a channel that is not BFT would be silently unused."""
    options = channel.get(SMARTBFT_KEY)
    if options is not None:
        raise options.error("SmartBFT options apply to BFT channels only (consensus: BFT)")
