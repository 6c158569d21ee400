"""Certificate expiry for Prometheus. Fabric 2.5 nodes export no metric about
their certificates, but the stack knows every certificate it issued (the
``certificates`` output, ``crypto.expiry``): it writes each one's notAfter as a
recording rule with a constant value, so Prometheus holds the series
``fabric_certificate_expiry_timestamp_seconds{org, certificate}`` and the
``FabricCertificateExpiring`` alert (``alerts.yaml``) compares it with
``time()``. Every ``pulumi up`` (a renewal too) rewrites the values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

EXPIRY_METRIC = "fabric_certificate_expiry_timestamp_seconds"
CERTIFICATE_GROUP = "fabric-certificates"
"""The rule group of ``alerts.yaml`` the recording rules go first in: rules of a
group are evaluated in order, so the alert sees this evaluation's values."""


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def expiry_records(namespace: str, report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One recording rule per certificate of an expiry report (org name ->
    ``crypto.expiry.org_expiry_report``): ``certificate`` is the CA's name
    (``ca``, ``tlsca``) or ``<common name>/<sign|tls>``."""
    records = []
    for org, entry in sorted(report.items()):
        certificates = dict(entry["cas"])
        certificates |= {f"{cn}/{which}": cert for cn, certs in entry["identities"].items()
                         for which, cert in certs.items()}
        records += [
            {"record": EXPIRY_METRIC, "expr": f"vector({_epoch(cert['notAfter'])})",
             "labels": {"namespace": namespace, "org": org, "certificate": name}}
            for name, cert in sorted(certificates.items())
        ]
    return records


def with_expiry_records(groups: list[dict[str, Any]],
                        records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``groups`` with ``records`` at the start of the certificate group."""
    return [{**group, "rules": [*records, *group["rules"]]}
            if group["name"] == CERTIFICATE_GROUP else group for group in groups]
