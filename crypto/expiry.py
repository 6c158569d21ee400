"""When a certificate expires, and whether it is inside its renewal window."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509

RENEW_BEFORE = timedelta(days=30)
"""The default renewal window (``fabric:certRenewBefore``)."""


def not_after(cert_pem: str) -> datetime:
    """The certificate's notAfter, in UTC."""
    return x509.load_pem_x509_certificate(cert_pem.encode()).not_valid_after_utc


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second (e.g. ``2036-11-28T02:14:00Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def renewal_due(expiry: datetime, renew_before: timedelta, now: datetime | None = None) -> bool:
    """True once ``now`` is within ``renew_before`` of ``expiry`` (or past it)."""
    return expiry - renew_before <= (now if now is not None else datetime.now(UTC))


def _entry(cert_pem: str, renew_before: timedelta, now: datetime) -> dict[str, object]:
    expiry = not_after(cert_pem)
    # No days-left count: it would change every day, and so every preview.
    return {"notAfter": iso_utc(expiry), "renewalDue": renewal_due(expiry, renew_before, now)}


def org_expiry_report(
    cas: Mapping[str, str], identities: Mapping[str, Mapping[str, str]],
    renew_before: timedelta, now: datetime,
) -> dict[str, object]:
    """One org's certificates by expiry. ``cas``: the CA certificates by name
    (``ca``, ``tlsca``); ``identities``: per node or user common name, its
    certificates by name (``sign``, ``tls``). The soonest expiry covers them all."""
    report_cas = {name: _entry(pem, renew_before, now) for name, pem in cas.items()}
    report_ids = {
        cn: {name: _entry(pem, renew_before, now) for name, pem in certs.items()}
        for cn, certs in identities.items()
    }
    pems = [*cas.values(), *(pem for certs in identities.values() for pem in certs.values())]
    soonest = min(not_after(pem) for pem in pems)
    return {"soonestExpiry": iso_utc(soonest), "cas": report_cas, "identities": report_ids}


def due_for_renewal(report: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """``<org>/<identity or CA>/<certificate>`` of every certificate of an
    expiry report (org name -> ``org_expiry_report``) inside its renewal window."""
    due: list[str] = []
    for org, entry in report.items():
        for name, cert in entry["cas"].items():
            if cert["renewalDue"]:
                due.append(f"{org}/{name}")
        for cn, certs in entry["identities"].items():
            due += [f"{org}/{cn}/{which}" for which, cert in certs.items() if cert["renewalDue"]]
    return due
