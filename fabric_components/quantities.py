"""Kubernetes resource quantities of the forms the stack config accepts, and
their values, so a request can be compared with its limit before the API server
refuses the pod (``must be less than or equal to ... limit``)."""

from __future__ import annotations

import re
from decimal import Decimal

CPU = re.compile(r"(?P<number>[0-9]+)m|(?P<cores>[0-9]+(\.[0-9]+)?)")
BYTES = re.compile(r"(?P<number>[0-9]+(\.[0-9]+)?)(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")
CPU_HINT = "a CPU quantity such as 250m or 1"
BYTES_HINT = "a Kubernetes quantity such as 512Mi or 10Gi (suffixes Ki, Mi, Gi, Ti, k, M, G, T)"
_MULTIPLIERS = {
    "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}  # fmt: skip


def cpu_millis(quantity: str) -> Decimal | None:
    """Thousandths of a core, or ``None`` when ``quantity`` is not a CPU quantity."""
    match = CPU.fullmatch(quantity)
    if match is None:
        return None
    if match.group("number") is not None:
        return Decimal(match.group("number"))
    return Decimal(match.group("cores")) * 1000


def byte_count(quantity: str) -> Decimal | None:
    """Bytes, or ``None`` when ``quantity`` is not a byte quantity."""
    match = BYTES.fullmatch(quantity)
    if match is None:
        return None
    return Decimal(match.group("number")) * _MULTIPLIERS[match.group("suffix") or ""]
