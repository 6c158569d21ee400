"""Durations of the stack config (``90d``, ``12h``, ``30m``): a whole number and
one unit, nothing else, so a typo never becomes a surprising validity."""

from __future__ import annotations

import re
from datetime import timedelta

DURATION = re.compile(r"([0-9]+)([dhm])")
DURATION_HINT = "a whole number of days, hours or minutes, e.g. 90d, 12h or 30m"
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


def parse_duration(value: str) -> timedelta | None:
    """The duration ``value`` spells, or None when it is not one."""
    match = DURATION.fullmatch(value)
    if match is None:
        return None
    return int(match.group(1)) * _UNITS[match.group(2)]
