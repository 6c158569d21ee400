"""A BFT channel's SmartBFT options in the three shapes they take: configtx.yaml's
``SmartBFT`` section (what configtxgen reads), the readable summary preview
shows (network.yaml's keys), and the ``ConsensusType`` metadata of a decoded
channel config (configtxlator's JSON: proto field names, 64-bit integers as
strings, false and zero values left out)."""

from __future__ import annotations

import dataclasses
from typing import Any

from network_spec.model import SmartBftOptions
from network_spec.smartbft_options import ATTRIBUTES


def _pascal_case(attribute: str) -> str:
    return "".join(word.capitalize() for word in attribute.split("_"))


def configtx_smartbft(options: SmartBftOptions) -> dict[str, Any]:
    """configtx.yaml's ``SmartBFT``; an unset request size is left out so that
    Fabric reads it as the batch's byte limit."""
    return {_pascal_case(f.name): getattr(options, f.name)
            for f in dataclasses.fields(options)
            if not (f.name == "request_max_bytes" and options.request_max_bytes == 0)}


def smartbft_summary(options: SmartBftOptions) -> dict[str, Any]:
    return {key: getattr(options, attribute) for key, attribute in ATTRIBUTES.items()}


def live_smartbft(metadata: dict[str, Any]) -> SmartBftOptions:
    """The options of a decoded BFT ``ConsensusType`` metadata."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(SmartBftOptions):
        raw = metadata.get(f.name)
        if isinstance(f.default, bool):
            values[f.name] = bool(raw)
        elif isinstance(f.default, int):
            values[f.name] = int(raw or 0)
        else:
            values[f.name] = str(raw or "")
    return SmartBftOptions(**values)
