"""Low-S ECDSA certificate signatures.

An ECDSA signature (r, s) is equally valid as (r, n - s). Fabric accepts only the
"low-S" form, s <= n/2, to rule out that malleability; cryptogen's signer flips
s after signing. OpenSSL (behind ``cryptography``) signs with a random nonce and
offers no such option, and flipping s in an already built certificate would mean
re-encoding its DER by hand. Instead we re-sign the same to-be-signed content
until s is low: each attempt succeeds with probability 1/2.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""Order n of the P-256 group."""

MAX_ATTEMPTS = 128
"""Chance that every attempt gives a high S: 2**-128."""


def signature_s(cert: x509.Certificate) -> int:
    """The S component of a certificate's ECDSA signature."""
    _, s = decode_dss_signature(cert.signature)
    return s


def is_low_s(cert: x509.Certificate) -> bool:
    return signature_s(cert) <= P256_ORDER // 2


def sign_low_s(
    builder: x509.CertificateBuilder, issuer_key: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    """Sign ``builder`` with ECDSA-SHA256 so that the signature is low-S."""
    if not isinstance(issuer_key.curve, ec.SECP256R1):
        raise ValueError(f"only P-256 issuer keys are supported, not {issuer_key.curve.name}")
    for _ in range(MAX_ATTEMPTS):
        cert = builder.sign(issuer_key, hashes.SHA256())
        if is_low_s(cert):
            return cert
    raise RuntimeError(f"no low-S signature in {MAX_ATTEMPTS} attempts")
