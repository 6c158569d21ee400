"""Renewing a node's or user's certificates: the same CA issues them again with
a new validity window and a new serial, keeping what the certificate says
(subject, OUs, SANs, usages) and, unless a new key is asked for, the same
private key.

Fabric needs nothing else for a same-key renewal: a Raft consenter is pinned
by the public key of its TLS certificate, and an MSP recognises a signer by
its issuer chain and OUs, so a renewed certificate needs no channel config
update, except the Admin of an org without NodeOUs, whom MSPs name by its
exact certificate (``fabric_ops.admin_cert_rotation``). A new key changes the
consenter's identity, so a consenter's new TLS key goes into every channel's
consenter set before the node presents it."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from crypto.certificates import SERIAL_LIMIT
from crypto.identities import Identity, OrgCAs
from crypto.keypair import KeyPair, certificate_pem, generate_private_key, private_key_pem
from crypto.lows import sign_low_s

RENEWAL_SKEW = timedelta(minutes=1)
"""A renewed certificate is valid from this long before its renewal (clock skew
between the nodes), not cryptogen's 5 minutes: with short-lived certificates
the backdating would eat much of the validity."""


class RenewalError(ValueError):
    """The certificate cannot be renewed by this CA."""


def _check_issued_by(cert: x509.Certificate, ca_cert: x509.Certificate) -> None:
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature) as error:
        subject, issuer = cert.subject.rfc4514_string(), ca_cert.subject.rfc4514_string()
        raise RenewalError(
            f"{subject}: not issued by {issuer} ({error or 'bad signature'}); a certificate "
            "is renewed by the CA that issued it"
        ) from None


def renew_certificate(
    ca: KeyPair, current: KeyPair, validity: timedelta, now: datetime | None = None,
    new_key: bool = False,
) -> KeyPair:
    """``current`` issued again by ``ca``: same subject and extensions, a new
    serial, valid from ``now`` minus ``RENEWAL_SKEW`` for ``validity``; the same
    private key unless ``new_key``."""
    ca_cert = ca.certificate()
    old = current.certificate()
    _check_issued_by(old, ca_cert)
    start = (now if now is not None else datetime.now(UTC)) - RENEWAL_SKEW
    start = start.replace(microsecond=0)
    if new_key:
        private_key = generate_private_key()
        key_pem = private_key_pem(private_key)
        public_key = private_key.public_key()
    else:
        key_pem = current.key_pem
        public_key = current.private_key().public_key()
        if public_key != old.public_key():
            raise RenewalError(
                f"{old.subject.rfc4514_string()}: the private key does not match the certificate"
            )
    builder = (
        x509.CertificateBuilder()
        .subject_name(old.subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(secrets.randbelow(SERIAL_LIMIT - 1) + 1)
        .not_valid_before(start)
        .not_valid_after(start + validity)
    )
    for extension in old.extensions:  # in their order: SANs, usages, AKI stay as issued
        builder = builder.add_extension(extension.value, extension.critical)
    return KeyPair(certificate_pem(sign_low_s(builder, ca.private_key())), key_pem)


def renew_identity(
    cas: OrgCAs, identity: Identity, validity: timedelta, now: datetime | None = None,
    new_key: bool = False,
) -> Identity:
    """Both certificates of ``identity`` renewed (``renew_certificate``); with
    ``new_key`` both get new keys."""
    return replace(
        identity,
        sign=renew_certificate(cas.ca, identity.sign, validity, now, new_key),
        tls=renew_certificate(cas.tlsca, identity.tls, validity, now, new_key),
    )
