"""Certificate validity asked of the issuer, read back with ``cryptography`` and
with openssl, and the renewal window."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

from crypto import issue_user, new_org_cas
from crypto.certificates import VALIDITY
from crypto.expiry import iso_utc, not_after, renewal_due
from network_spec import CaSpec, OrgKind, OrgSpec, Subject

NOW = datetime(2026, 11, 30, 2, 0, 10, tzinfo=UTC)
ORG = OrgSpec(
    name="Org1", domain="org1.example.com", kind=OrgKind.PEER, msp_id="Org1MSP",
    enable_node_ous=True, nodes=(), users=0, k8s_name="org1",
    ca=CaSpec(common_name="ca.org1.example.com", subject=Subject()),
)


def test_a_user_issued_for_one_hour_expires_within_the_hour_and_its_cas_in_ten_years():
    cas = new_org_cas(ORG, NOW)
    user = issue_user(ORG, cas, "User1@org1.example.com", False, NOW, timedelta(hours=1))
    for pem in (user.sign.cert_pem, user.tls.cert_pem):
        assert not_after(pem) == datetime(2026, 11, 30, 2, 55, tzinfo=UTC)
    assert not_after(cas.ca.cert_pem) == datetime(2026, 11, 30, 1, 55, tzinfo=UTC) + VALIDITY


def test_openssl_reads_the_same_end_date():
    user = issue_user(ORG, new_org_cas(ORG, NOW), "Admin@org1.example.com", True, NOW,
                      timedelta(hours=1))
    out = subprocess.run(["openssl", "x509", "-noout", "-enddate"], input=user.tls.cert_pem,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "notAfter=Nov 30 02:55:00 2026 GMT"


def test_renewal_is_due_once_inside_the_window():
    expiry = datetime(2026, 12, 30, tzinfo=UTC)
    assert renewal_due(expiry, timedelta(days=30), expiry - timedelta(days=30))
    assert not renewal_due(expiry, timedelta(days=30), expiry - timedelta(days=31))
    assert renewal_due(expiry, timedelta(days=1), expiry + timedelta(days=1))
    assert iso_utc(expiry) == "2026-12-30T00:00:00Z"
