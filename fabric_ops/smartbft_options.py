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
    """configtx.yaml's ``SmartBFT``. An unset request size and the flags left
    false are left out (configtxgen reads them so: zero, which Fabric takes as
    the batch's byte limit, and false), so that the defaults render Fabric's
    sample section exactly."""
    return {_pascal_case(f.name): getattr(options, f.name)
            for f in dataclasses.fields(options)
            if getattr(options, f.name) not in (0, False) or isinstance(f.default, str)}


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
