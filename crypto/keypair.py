"""An ECDSA P-256 key and its certificate, both as PEM text."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


@dataclass(frozen=True)
class KeyPair:
    """A certificate and its private key as cryptogen writes them: the certificate
    as ``CERTIFICATE`` PEM, the key as unencrypted PKCS#8 ``PRIVATE KEY`` PEM."""

    cert_pem: str
    key_pem: str

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem.encode("ascii"))

    def private_key(self) -> ec.EllipticCurvePrivateKey:
        return load_ec_private_key(self.key_pem)


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 key, the only curve cryptogen uses."""
    return ec.generate_private_key(ec.SECP256R1())


def private_key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def certificate_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_ec_private_key(key_pem: str) -> ec.EllipticCurvePrivateKey:
    """Parse a PEM private key; raise ``ValueError`` unless it is an EC key."""
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"not an ECDSA private key but {type(key).__name__}")
    return key
