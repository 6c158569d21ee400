"""The stack outputs that make certificate expiry visible: per org the soonest
expiry, per CA, node and user the notAfter of each certificate with its days
left, and the certificates inside the renewal window (``fabric:certRenewBefore``).
Computed on every preview and up from the certificates in state, so a preview
shows them; certificates only, never a key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pulumi

from crypto.expiry import due_for_renewal, org_expiry_report
from fabric_components.backup.material import RecordingCrypto
from network_spec import NetworkSpec


def certificate_outputs(
    spec: NetworkSpec, recorded: RecordingCrypto, renew_before: timedelta,
    now: datetime | None = None,
) -> dict[str, pulumi.Output[Any]]:
    """``certificates`` and ``certificatesDueForRenewal``, for every org the
    components took material for."""
    now = now if now is not None else datetime.now(UTC)
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
            "identities": {cn: {"sign": m.sign_cert, "tls": m.tls_cert}
                           for cn, m in identities.items()},
        }
    report = pulumi.Output.from_input(pems).apply(lambda orgs: {
        name: org_expiry_report(org["cas"], org["identities"], renew_before, now)
        for name, org in orgs.items()
    })
    return {"certificates": report, "certificatesDueForRenewal": report.apply(due_for_renewal)}
