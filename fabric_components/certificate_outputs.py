"""The stack outputs that make certificate expiry visible: per org the soonest
expiry, per CA, node, user and chaincode server the notAfter of each
certificate with its days left, the metrics scraper's under
``SCRAPER_ENTRY``, and the certificates inside the renewal window
(``fabric:certRenewBefore``). Computed on every preview and up from the
certificates in state, so a preview shows them; certificates only, never a key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pulumi

from crypto.expiry import due_for_renewal, org_expiry_report
from fabric_components.backup.material import RecordingCrypto
from network_spec import NetworkSpec

SCRAPER_ENTRY = "operations-scraper"
"""The report's entry for the scraper (its own CA, ``ca``, and its client
certificate, ``tls``), beside the orgs' entries."""


@dataclass(frozen=True)
class ScraperCertificates:
    common_name: str
    ca_cert: pulumi.Input[str]
    cert: pulumi.Input[str]


def certificate_outputs(
    spec: NetworkSpec, recorded: RecordingCrypto, renew_before: timedelta,
    now: datetime | None = None,
    servers: Mapping[str, Mapping[str, pulumi.Input[str]]] | None = None,
    scraper: ScraperCertificates | None = None,
) -> dict[str, pulumi.Output[Any]]:
    """``certificates`` and ``certificatesDueForRenewal``, for every org the
    components took material for; ``servers``: per org name, per common name,
    a chaincode server's TLS certificate (listed as the org's identity of that
    name with its ``tls`` certificate)."""
    now = now if now is not None else datetime.now(UTC)
    servers = servers or {}
    pems: dict[str, Any] = {}
    for org in spec.orgs:
        if org.name not in recorded.cas_of:
            continue
        cas = recorded.cas_of[org.name]
        identities = {**recorded.nodes.get(org.name, {}), **recorded.users.get(org.name, {})}
        if org.name in recorded.admins:
            identities[recorded.admins[org.name].common_name] = recorded.admins[org.name]
        pems[org.name] = {
            "cas": {"ca": cas.ca_cert, "tlsca": cas.tlsca_cert},
            "identities": {
                **{cn: {"sign": m.sign_cert, "tls": m.tls_cert} for cn, m in identities.items()},
                **{cn: {"tls": cert} for cn, cert in servers.get(org.name, {}).items()},
            },
        }
    if scraper is not None:
        pems[SCRAPER_ENTRY] = {"cas": {"ca": scraper.ca_cert},
                               "identities": {scraper.common_name: {"tls": scraper.cert}}}
    report = pulumi.Output.from_input(pems).apply(lambda orgs: {
        name: org_expiry_report(org["cas"], org["identities"], renew_before, now)
        for name, org in orgs.items()
    })
    return {"certificates": report, "certificatesDueForRenewal": report.apply(due_for_renewal)}
