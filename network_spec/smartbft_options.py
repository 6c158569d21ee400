"""A BFT channel's ``smartBFT`` options in network.yaml -> SmartBftOptions.

The keys are Fabric's ``SmartBFT`` options of configtx.yaml in camelCase. The
bounds are those SmartBFT checks when an orderer loads the channel config
(every value positive, forward <= complain <= auto-remove timeout, view change
resend interval <= view change timeout), so a value Fabric would refuse at run
time is refused at load time with its file and field. Three options of Fabric's
list are not settable here, each for a reason given where it is refused: the
batch's count and bytes (Fabric 3 takes them from the channel's ``batchSize``)
and leader rotation with its decisions per leader (Fabric 3.1's orderers refuse
a channel config that turns rotation on)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from network_spec.channel_settings import DURATION_PART, UNIT_MS, read_bytes, read_duration
from network_spec.fields import Field, Record
from network_spec.limits import MAX_UINT32
from network_spec.model import BatchSize, SmartBftOptions

SMARTBFT_KEY = "smartBFT"
SMARTBFT_REQUEST_MAX_BYTES = 10 * 1024
"""SmartBFT's default request size, checked against the batch's byte limit
before Fabric puts the channel's value in its place."""
REFUSED = {
    "requestBatchMaxCount": "Fabric 3 takes a BFT batch's request count from the channel's "
                            "batchSize.maxMessageCount: set that instead",
    "requestBatchMaxBytes": "Fabric 3 takes a BFT batch's byte limit from the channel's "
                            "batchSize.absoluteMaxBytes: set that instead",
    "decisionsPerLeader": "it applies only with leader rotation, which Fabric 3.1's orderers "
                          "refuse (leaderRotation must stay false)",
}
ORDERED_DURATIONS = (
    ("requestForwardTimeout", "requestComplainTimeout"),
    ("requestComplainTimeout", "requestAutoRemoveTimeout"),
    ("viewChangeResendInterval", "viewChangeTimeout"),
)
"""Pairs whose first value must not exceed the second (SmartBFT's own checks)."""


def camel_case(attribute: str) -> str:
    """``request_pool_size`` -> ``requestPoolSize`` (network.yaml's spelling)."""
    head, *rest = attribute.split("_")
    return head + "".join(word.capitalize() for word in rest)


ATTRIBUTES = {camel_case(f.name): f.name for f in dataclasses.fields(SmartBftOptions)}
"""network.yaml key -> SmartBftOptions attribute."""
ALLOWED_KEYS = (*ATTRIBUTES, "leaderRotation", *REFUSED)


def milliseconds(go_duration: str) -> int:
    """A duration as ``read_duration`` normalises it, in milliseconds."""
    return int(sum(float(number) * UNIT_MS[unit]
                   for number, unit in DURATION_PART.findall(go_duration)))


def _count(field: Field) -> int:
    value = field.integer()
    if not 1 <= value <= MAX_UINT32:
        raise field.error(f"must be from 1 to {MAX_UINT32}, got {value}")
    return value


def _reader(attribute: str, default: object) -> Callable[[Field], object]:
    if attribute == "request_max_bytes":
        return read_bytes
    if isinstance(default, bool):
        return Field.boolean
    if isinstance(default, int):
        return _count
    return read_duration


def read_smartbft(field: Field | None, batch_size: BatchSize) -> SmartBftOptions:
    """The options of a BFT channel's ``smartBFT`` mapping (defaults when absent)."""
    if field is None:
        return SmartBftOptions()
    record = field.record(ALLOWED_KEYS)
    for key, reason in REFUSED.items():
        if (refused := record.get(key)) is not None:
            raise refused.error(f"cannot be set: {reason}")
    rotation = record.get("leaderRotation")
    if rotation is not None and rotation.boolean():
        raise rotation.error("Fabric 3.1's orderers refuse a BFT channel config with leader "
                             "rotation on; leave it false")
    defaults = SmartBftOptions()
    values: dict[str, Any] = {}
    for key, attribute in ATTRIBUTES.items():
        found = record.get(key)
        if found is not None:
            values[attribute] = _reader(attribute, getattr(defaults, attribute))(found)
    options = dataclasses.replace(defaults, **values)
    _check_order(record, options)
    request_max = record.get("requestMaxBytes")
    if request_max is not None and options.request_max_bytes > batch_size.absolute_max_bytes:
        raise request_max.error(
            f"a request ({options.request_max_bytes} bytes) must fit in a batch: at most "
            f"batchSize.absoluteMaxBytes ({batch_size.absolute_max_bytes})")
    return options


def _check_order(record: Record, options: SmartBftOptions) -> None:
    for first, second in ORDERED_DURATIONS:
        low = getattr(options, ATTRIBUTES[first])
        high = getattr(options, ATTRIBUTES[second])
        if milliseconds(low) > milliseconds(high):
            at = record.get(first) or record.get(second) or record.field
            raise at.error(f"{first} ({low}) must not exceed {second} ({high})")


def check_bft_batch_size(channel: Record, batch_size: BatchSize) -> None:
    """SmartBFT's checks of the batch: its byte limit holds a request of its
    default size and is at least its request count."""
    at = channel.get("batchSize") or channel.require("consensus")
    if batch_size.absolute_max_bytes < SMARTBFT_REQUEST_MAX_BYTES:
        raise at.error(f"a BFT channel's absoluteMaxBytes must be at least "
                       f"{SMARTBFT_REQUEST_MAX_BYTES} bytes (SmartBFT's request size), got "
                       f"{batch_size.absolute_max_bytes}")
    if batch_size.max_message_count > batch_size.absolute_max_bytes:
        raise at.error(f"a BFT channel's maxMessageCount ({batch_size.max_message_count}) must "
                       f"not exceed absoluteMaxBytes ({batch_size.absolute_max_bytes})")
