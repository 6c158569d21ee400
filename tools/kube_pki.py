"""The PKI of a local Kubernetes: a CA, the kube-apiserver's serving certificate, an
admin client certificate (O=system:masters), the service account signing key, and
more client or serving certificates signed by the same CA on demand (the node's
kubelet and kube-proxy).

    write_pki(d, apiserver_ips=["127.0.0.1", "10.96.0.1"])
    issue_certificate(d, "kubelet", "system:node:n1", org="system:nodes")

Files are PEM: d/ca.crt, d/ca.key, d/<name>.crt, d/<name>.key, d/sa.key, d/sa.pub.
Certificates are valid from five minutes ago for `VALID_DAYS`.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 30
APISERVER_DNS_NAMES = (
    "localhost",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
)


def _key_pem(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _validity() -> tuple[datetime.datetime, datetime.datetime]:
    now = datetime.datetime.now(datetime.UTC)
    return now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=VALID_DAYS)


def _write_ca(d: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    start, end = _validity()
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("localkube-ca"))
        .issuer_name(_name("localkube-ca"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    (d / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (d / "ca.key").write_bytes(_key_pem(key))


def issue_certificate(
    d: Path,
    name: str,
    cn: str,
    *,
    org: str | None = None,
    server: bool = False,
    dns_names: Sequence[str] = (),
    ips: Sequence[str] = (),
) -> None:
    """Writes d/<name>.crt and d/<name>.key, signed by the CA in d: a client
    certificate, or a serving one (server=True) for the names and addresses given."""
    ca = x509.load_pem_x509_certificate((d / "ca.crt").read_bytes())
    ca_key = serialization.load_pem_private_key((d / "ca.key").read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    start, end = _validity()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, org))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    (d / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / f"{name}.key").write_bytes(_key_pem(key))


def write_pki(d: Path, apiserver_ips: Sequence[str] = ("127.0.0.1", "10.0.0.1")) -> None:
    """A new CA in d, the apiserver's serving certificate for `apiserver_ips` (its
    listen address and the first address of the service range), the admin client
    certificate and the service account key pair."""
    d.mkdir(parents=True, exist_ok=True)
    _write_ca(d)
    issue_certificate(
        d, "apiserver", "kube-apiserver", server=True, dns_names=APISERVER_DNS_NAMES,
        ips=apiserver_ips,
    )
    issue_certificate(d, "admin", "admin", org="system:masters")
    sa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (d / "sa.key").write_bytes(_key_pem(sa))
    (d / "sa.pub").write_bytes(
        sa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
