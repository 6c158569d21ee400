"""FABRIC_LOGGING_SPEC as Fabric's common/flogging parses it: ``:``-separated
segments, each a level or ``logger[,logger...]=level``. A spec it refuses stops
every peer and orderer at start-up, so the stack config refuses it first."""

from __future__ import annotations

import re

LEVELS = (
    "PAYLOAD", "DEBUG", "INFO", "WARNING", "WARN", "ERROR", "DPANIC", "PANIC", "FATAL",
    "NOTICE", "CRITICAL",
)  # fmt: skip
"""Fabric accepts each in upper or lower case, not mixed."""
_LOGGER = re.compile(r"[A-Za-z0-9_#:-]+(\.[A-Za-z0-9_#:-]+)*")


def _is_level(text: str) -> bool:
    return text in LEVELS or (text.upper() in LEVELS and text == text.lower())


def log_spec_problem(spec: str) -> str | None:
    levels = ", ".join(LEVELS)
    for segment in spec.split(":"):
        parts = segment.split("=")
        if len(parts) == 1:
            if segment and not _is_level(segment):
                return f"segment {segment!r} is not a log level ({levels}, or lowercase)"
            continue
        if len(parts) > 2:
            return f"segment {segment!r} has more than one '='"
        loggers, level = parts
        if not loggers:
            return f"segment {segment!r} names no logger before '='"
        if not _is_level(level):
            return f"segment {segment!r} does not end in a log level ({levels}, or lowercase)"
        for logger in loggers.split(","):
            if not _LOGGER.fullmatch(logger.removesuffix(".")):
                return (f"segment {segment!r}: {logger!r} is not a logger name (letters, "
                        "digits, '_', '#', '-', dot-separated)")
    return None
