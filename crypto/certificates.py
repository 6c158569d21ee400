"""CA and leaf certificates with cryptogen's extensions, validity and serials
(Fabric's ``internal/cryptogen/ca``)."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import ExtendedKeyUsageOID

from crypto.keypair import KeyPair, certificate_pem, generate_private_key, private_key_pem
from crypto.lows import sign_low_s
from crypto.names import subject_name
from network_spec import Subject

VALIDITY = timedelta(days=3650)
"""cryptogen's validity: every CA keeps it; node and user certificates take theirs
from the caller (the stack's ``fabric:certValidity``)."""
SERIAL_LIMIT = 1 << 128
"""Serials are random and below this bound, as cryptogen's."""
BACKDATE = timedelta(minutes=5)


def _usage(
    *,
    digital_signature: bool = False,
    key_encipherment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


CA_KEY_USAGE = _usage(
    digital_signature=True, key_encipherment=True, key_cert_sign=True, crl_sign=True
)
SIGN_KEY_USAGE = _usage(digital_signature=True)
TLS_KEY_USAGE = _usage(digital_signature=True, key_encipherment=True)
CA_EXTENDED_KEY_USAGE = (ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH)
TLS_EXTENDED_KEY_USAGE = (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH)


def not_before(now: datetime | None = None) -> datetime:
    """cryptogen's notBefore: ``now`` rounded to the nearest minute (a half minute
    rounds up, as Go's ``Time.Round``), minus 5 minutes, in UTC. A naive ``now``
    is taken as UTC."""
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    now = now.astimezone(UTC)
    minute = now.replace(second=0, microsecond=0)
    if now - minute >= timedelta(seconds=30):
        minute += timedelta(minutes=1)
    return minute - BACKDATE


def subject_key_identifier(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """SHA-256 of the uncompressed EC point, as cryptogen computes its CAs' SKI
    (RFC 7093 method 4 without truncation)."""
    raw = public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return hashlib.sha256(raw).digest()


def _base_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    now: datetime | None,
    validity: timedelta = VALIDITY,
) -> x509.CertificateBuilder:
    start = not_before(now)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(secrets.randbelow(SERIAL_LIMIT - 1) + 1)
        .not_valid_before(start)
        .not_valid_after(start + validity)
    )


def create_ca(
    common_name: str, organization: str, subject: Subject, now: datetime | None = None
) -> KeyPair:
    """A self-signed CA as cryptogen's ``NewCA``: O=``organization`` (the org's
    domain), the CA usages plus clientAuth/serverAuth, CA:TRUE without path length,
    an SKI and no AKI."""
    key = generate_private_key()
    name = subject_name(subject, common_name, organization=organization)
    builder = (
        _base_builder(name, name, key.public_key(), now)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(CA_EXTENDED_KEY_USAGE)), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier(subject_key_identifier(key.public_key())), critical=False
        )
    )
    return KeyPair(certificate_pem(sign_low_s(builder, key)), private_key_pem(key))


def _split_sans(sans: Sequence[str]) -> list[x509.GeneralName]:
    """DNS names then IP addresses (Go writes them in that order); a SAN that
    parses as an IP address becomes an IP SAN, as cryptogen does."""
    dns: list[x509.GeneralName] = []
    ips: list[x509.GeneralName] = []
    for san in sans:
        try:
            ips.append(x509.IPAddress(ipaddress.ip_address(san)))
        except ValueError:
            dns.append(x509.DNSName(san))
    return dns + ips


def _issue_leaf(
    ca: KeyPair,
    common_name: str,
    subject: Subject,
    organizational_units: Sequence[str],
    sans: Sequence[str],
    key_usage: x509.KeyUsage,
    extended_key_usage: Sequence[x509.ObjectIdentifier],
    now: datetime | None,
    validity: timedelta,
) -> KeyPair:
    ca_cert = ca.certificate()
    ca_public_key = ca_cert.public_key()
    if not isinstance(ca_public_key, ec.EllipticCurvePublicKey):
        raise ValueError("the CA certificate does not hold an EC key")
    key = generate_private_key()
    name = subject_name(subject, common_name, organizational_units=organizational_units)
    builder = _base_builder(
        name, ca_cert.subject, key.public_key(), now, validity
    ).add_extension(
        key_usage, critical=True
    )
    if extended_key_usage:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(list(extended_key_usage)), critical=False
        )
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
    try:
        ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        pass  # Go sets the AKI only from the issuer's SKI
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier(ski.digest, None, None), critical=False
        )
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(_split_sans(sans)), critical=False
        )
    return KeyPair(certificate_pem(sign_low_s(builder, ca.private_key())), private_key_pem(key))


def issue_sign_cert(
    ca: KeyPair,
    common_name: str,
    subject: Subject,
    organizational_units: Sequence[str] = (),
    now: datetime | None = None,
    validity: timedelta = VALIDITY,
) -> KeyPair:
    """An MSP signing identity: key usage digitalSignature, no EKU, no SANs."""
    return _issue_leaf(
        ca, common_name, subject, organizational_units, (), SIGN_KEY_USAGE, (), now, validity
    )


def issue_tls_cert(
    ca: KeyPair,
    common_name: str,
    subject: Subject,
    sans: Sequence[str] = (),
    now: datetime | None = None,
    validity: timedelta = VALIDITY,
) -> KeyPair:
    """A TLS identity: digitalSignature + keyEncipherment, serverAuth + clientAuth,
    SANs as given; no node OU (cryptogen gives TLS certificates none)."""
    return _issue_leaf(
        ca, common_name, subject, (), sans, TLS_KEY_USAGE, TLS_EXTENDED_KEY_USAGE, now, validity
    )
