"""Renewing an identity's certificates with the same key (or a new one when
asked): same CA, subject, SANs and OUs, new serial and validity window; the
chain still verifies, with ``cryptography`` and with openssl."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from crypto import KeyPair, OrgCrypto
from crypto.lows import is_low_s
from crypto.renewal import RENEWAL_SKEW, RenewalError, renew_certificate, renew_identity

LATER = datetime(2024, 8, 1, 9, 15, 42, tzinfo=UTC)
VALIDITY = timedelta(minutes=10)


def public_bytes(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def extensions(cert: x509.Certificate) -> list[tuple[bool, object]]:
    return [(e.critical, e.value) for e in cert.extensions]


@pytest.mark.parametrize("which", ["peer0.org1.example.com", "Admin@org1.example.com"])
def test_same_key_renewal_keeps_key_subject_and_extensions(peer_crypto: OrgCrypto, which: str):
    identity = (peer_crypto.nodes.get(which) or peer_crypto.admin)
    renewed = renew_identity(peer_crypto.cas, identity, VALIDITY, LATER)
    for old, new, ca in ((identity.sign, renewed.sign, peer_crypto.cas.ca),
                         (identity.tls, renewed.tls, peer_crypto.cas.tlsca)):
        before, after = old.certificate(), new.certificate()
        assert new.key_pem == old.key_pem
        assert public_bytes(after) == public_bytes(before)
        assert after.subject == before.subject
        assert extensions(after) == extensions(before)
        assert after.serial_number != before.serial_number
        assert after.not_valid_before_utc == (LATER - RENEWAL_SKEW).replace(microsecond=0)
        assert after.not_valid_after_utc - after.not_valid_before_utc == VALIDITY
        after.verify_directly_issued_by(ca.certificate())
        assert is_low_s(after)
    assert renewed.common_name == identity.common_name
    assert (renewed.node_ou, renewed.server) == (identity.node_ou, identity.server)


def test_a_node_keeps_its_sans_and_node_ou(peer_crypto: OrgCrypto):
    identity = peer_crypto.nodes["peer0.org1.example.com"]
    renewed = renew_identity(peer_crypto.cas, identity, VALIDITY, LATER)
    sans = renewed.tls.certificate().extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert "peer0.alt.example.org" in sans.get_values_for_type(x509.DNSName)
    ous = renewed.sign.certificate().subject.get_attributes_for_oid(
        x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert [ou.value for ou in ous] == ["peer"]


def test_a_new_key_changes_only_the_key(orderer_crypto: OrgCrypto):
    identity = orderer_crypto.nodes["orderer.example.com"]
    renewed = renew_identity(orderer_crypto.cas, identity, VALIDITY, LATER, new_key=True)
    for old, new in ((identity.sign, renewed.sign), (identity.tls, renewed.tls)):
        assert new.key_pem != old.key_pem
        assert public_bytes(new.certificate()) != public_bytes(old.certificate())
        assert new.certificate().public_key() == new.private_key().public_key()
        assert new.certificate().subject == old.certificate().subject
        assert extensions(new.certificate()) == extensions(old.certificate())
    renewed.tls.certificate().verify_directly_issued_by(orderer_crypto.cas.tlsca.certificate())


def test_openssl_verifies_the_renewed_chain(openssl: str, tmp_path: Path,
                                            orderer_crypto: OrgCrypto):
    identity = orderer_crypto.nodes["orderer.example.com"]
    renewed = renew_identity(orderer_crypto.cas, identity, VALIDITY, datetime.now(UTC))
    (tmp_path / "ca.pem").write_text(orderer_crypto.cas.tlsca.cert_pem)
    (tmp_path / "tls.pem").write_text(renewed.tls.cert_pem)
    result = subprocess.run([openssl, "verify", "-purpose", "sslserver", "-CAfile",
                             str(tmp_path / "ca.pem"), str(tmp_path / "tls.pem")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_another_ca_or_a_foreign_key_is_refused(peer_crypto: OrgCrypto,
                                                 orderer_crypto: OrgCrypto):
    identity = peer_crypto.nodes["peer0.org1.example.com"]
    with pytest.raises(RenewalError, match=r"not issued by .*renewed by the CA that issued it"):
        renew_certificate(orderer_crypto.cas.ca, identity.sign, VALIDITY, LATER)
    foreign = KeyPair(identity.sign.cert_pem, peer_crypto.admin.sign.key_pem)
    with pytest.raises(RenewalError, match="private key does not match"):
        renew_certificate(peer_crypto.cas.ca, foreign, VALIDITY, LATER)
