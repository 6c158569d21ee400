"""x509 fields of generated certificates against cryptogen's conventions."""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from crypto import create_ca, issue_sign_cert, issue_tls_cert, not_before
from crypto.lows import sign_low_s
from network_spec import Subject

P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

SHORT = {
    NameOID.COUNTRY_NAME: "C",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STREET_ADDRESS: "STREET",
    NameOID.POSTAL_CODE: "postalCode",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.COMMON_NAME: "CN",
}
KU = ExtensionOID.KEY_USAGE
EKU = ExtensionOID.EXTENDED_KEY_USAGE
BC = ExtensionOID.BASIC_CONSTRAINTS
SKI = ExtensionOID.SUBJECT_KEY_IDENTIFIER
AKI = ExtensionOID.AUTHORITY_KEY_IDENTIFIER
SAN = ExtensionOID.SUBJECT_ALTERNATIVE_NAME
DEFAULT_PLACE = [("C", "US"), ("ST", "California"), ("L", "San Francisco")]


def rdns(name: x509.Name) -> list[tuple[str, str] | set[tuple[str, str]]]:
    """The subject as (type, value) per RDN; a multi-valued RDN as a set."""
    out: list[tuple[str, str] | set[tuple[str, str]]] = []
    for rdn in name.rdns:
        pairs = {(SHORT[a.oid], str(a.value)) for a in rdn}
        out.append(next(iter(pairs)) if len(pairs) == 1 else pairs)
    return out


def extensions(cert: x509.Certificate) -> list[tuple[x509.ObjectIdentifier, bool]]:
    return [(ext.oid, ext.critical) for ext in cert.extensions]


def key_usage(cert: x509.Certificate) -> set[str]:
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    names = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment"]
    names += ["key_agreement", "key_cert_sign", "crl_sign"]
    return {name for name in names if getattr(usage, name)}


def raw_point_sha256(cert: x509.Certificate) -> bytes:
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    raw = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert len(raw) == 65 and raw[0] == 4
    return hashlib.sha256(raw).digest()


# ---- every certificate ---------------------------------------------------------


def test_every_signature_is_low_s_ecdsa_sha256(all_certs):
    assert len(all_certs) == 28  # 3 orgs: 6 CAs, 11 identities with 2 certs each
    for item in all_certs:
        cert = item.pair.certificate()
        assert cert.signature_hash_algorithm is not None
        assert cert.signature_hash_algorithm.name == "sha256"
        r, s = decode_dss_signature(cert.signature)
        assert 0 < r < P256_N
        assert 0 < s <= P256_N // 2, f"{item.label} {item.role}: high-S signature"


def test_every_signature_verifies_with_its_issuer(all_certs):
    for item in all_certs:
        item.pair.certificate().verify_directly_issued_by(item.issuer.certificate())


def test_serials_random_below_2_pow_128(all_certs):
    serials = [item.pair.certificate().serial_number for item in all_certs]
    assert all(0 < serial < 2**128 for serial in serials)
    assert len(set(serials)) == len(serials)
    assert max(serials) > 2**100  # random over the whole range, not a counter


def test_validity_3650_days_from_rounded_now_minus_5_minutes(all_certs, expected_not_before):
    for item in all_certs:
        cert = item.pair.certificate()
        assert cert.not_valid_before_utc == expected_not_before
        assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(days=3650)
        assert cert.version is x509.Version.v3


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (
            datetime(2024, 1, 1, 10, 0, 29, 999999, tzinfo=UTC),
            datetime(2024, 1, 1, 9, 55, tzinfo=UTC),
        ),
        (datetime(2024, 1, 1, 10, 0, 30, tzinfo=UTC), datetime(2024, 1, 1, 9, 56, tzinfo=UTC)),
        (datetime(2024, 1, 1, 23, 59, 45, tzinfo=UTC), datetime(2024, 1, 1, 23, 55, tzinfo=UTC)),
        (datetime(2024, 1, 1, 10, 0, 0), datetime(2024, 1, 1, 9, 55, tzinfo=UTC)),  # naive = UTC
        (
            datetime(2024, 1, 1, 12, 0, 10, tzinfo=timezone(timedelta(hours=2))),
            datetime(2024, 1, 1, 9, 55, tzinfo=UTC),
        ),
    ],
)
def test_not_before_rounds_to_nearest_minute_like_go(now, expected):
    assert not_before(now) == expected


def test_not_before_defaults_to_current_time():
    start = datetime.now(UTC)
    value = not_before()
    assert start - timedelta(minutes=6) < value < start - timedelta(minutes=4)
    assert value.second == 0 and value.microsecond == 0


def test_private_keys_are_unencrypted_pkcs8_p256_matching_the_cert(all_certs):
    ec_public_key_oid = bytes.fromhex("06072a8648ce3d0201")
    prime256v1_oid = bytes.fromhex("06082a8648ce3d030107")
    for item in all_certs:
        pem = item.pair.key_pem
        assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
        assert pem.endswith("-----END PRIVATE KEY-----\n")
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        assert isinstance(key.curve, ec.SECP256R1)
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        assert der[:5] == bytes.fromhex("3081870201")  # PrivateKeyInfo, version 0
        assert ec_public_key_oid in der[:40] and prime256v1_oid in der[:40]
        assert (
            serialization.load_pem_private_key(pem.encode(), None)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode()
            == pem
        )
        cert_public = item.pair.certificate().public_key()
        assert cert_public == key.public_key()


# ---- CA certificates -----------------------------------------------------------


def test_ca_certificates(peer_crypto):
    org = peer_crypto.org
    for pair, common_name in (
        (peer_crypto.cas.ca, "ca.org1.example.com"),
        (peer_crypto.cas.tlsca, "tlsca.org1.example.com"),
    ):
        cert = pair.certificate()
        expected = [*DEFAULT_PLACE, ("O", org.domain), ("CN", common_name)]
        assert rdns(cert.subject) == expected
        assert cert.issuer == cert.subject
        assert extensions(cert) == [(KU, True), (EKU, False), (BC, True), (SKI, False)]
        assert key_usage(cert) == {
            "digital_signature",
            "key_encipherment",
            "key_cert_sign",
            "crl_sign",
        }
        assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
            ExtendedKeyUsageOID.CLIENT_AUTH,
            ExtendedKeyUsageOID.SERVER_AUTH,
        ]
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        assert constraints.ca is True and constraints.path_length is None
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert ski.digest == raw_point_sha256(cert)


def test_ca_subject_with_every_optional_field(plain_crypto):
    assert rdns(plain_crypto.cas.ca.certificate().subject) == [
        ("C", "DE"),
        ("ST", "Berlin"),
        ("L", "Berlin"),
        ("STREET", "Unter den Linden 1"),
        ("postalCode", "10117"),
        ("O", "org2.example.com"),
        ("OU", "Ledger Team"),
        ("CN", "ca.org2.example.com"),
    ]


def test_subject_strings_printable_or_utf8_as_go_encodes_them(peer_crypto):
    ca_der = peer_crypto.cas.ca.certificate().subject.public_bytes()
    assert b"\x13\x13ca.org1.example.com" in ca_der  # PrintableString
    assert b"\x13\x02US" in ca_der
    admin_der = peer_crypto.admin.sign.certificate().subject.public_bytes()
    assert b"\x0c\x16Admin@org1.example.com" in admin_der  # '@' is not printable: UTF8String


# ---- sign certificates ---------------------------------------------------------


def check_leaf_common(cert: x509.Certificate, ca: x509.Certificate) -> None:
    assert cert.issuer.public_bytes() == ca.subject.public_bytes()
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ca_ski.digest == raw_point_sha256(ca)
    assert aki.authority_cert_issuer is None and aki.authority_cert_serial_number is None
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca is False and constraints.path_length is None
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME) == []


def test_sign_certificates_with_node_ous(peer_crypto, orderer_crypto):
    for crypto in (peer_crypto, orderer_crypto):
        ca = crypto.cas.ca.certificate()
        expected_ou = {
            **{cn: "peer" if crypto is peer_crypto else "orderer" for cn in crypto.nodes},
            crypto.admin.common_name: "admin",
            **{user.common_name: "client" for user in crypto.users},
        }
        identities = [*crypto.nodes.values(), crypto.admin, *crypto.users]
        assert len(identities) == len(expected_ou)
        for identity in identities:
            cert = identity.sign.certificate()
            assert rdns(cert.subject) == [
                *DEFAULT_PLACE,
                ("OU", expected_ou[identity.common_name]),
                ("CN", identity.common_name),
            ]
            assert extensions(cert) == [(KU, True), (BC, True), (AKI, False)]
            assert key_usage(cert) == {"digital_signature"}
            check_leaf_common(cert, ca)


def test_sign_certificates_without_node_ous_carry_only_the_ca_ou(plain_crypto):
    ca = plain_crypto.cas.ca.certificate()
    for identity in (*plain_crypto.nodes.values(), plain_crypto.admin, *plain_crypto.users):
        cert = identity.sign.certificate()
        assert rdns(cert.subject) == [
            ("C", "DE"),
            ("ST", "Berlin"),
            ("L", "Berlin"),
            ("STREET", "Unter den Linden 1"),
            ("postalCode", "10117"),
            ("OU", "Ledger Team"),
            ("CN", identity.common_name),
        ]
        check_leaf_common(cert, ca)


def test_ca_ou_and_node_ou_share_one_rdn():
    ca = create_ca("ca.x.example.com", "x.example.com", Subject(organizational_unit="Ops"))
    leaf = issue_sign_cert(ca, "peer0.x.example.com", Subject(organizational_unit="Ops"), ["peer"])
    assert rdns(leaf.certificate().subject) == [
        *DEFAULT_PLACE,
        {("OU", "Ops"), ("OU", "peer")},
        ("CN", "peer0.x.example.com"),
    ]


# ---- TLS certificates ----------------------------------------------------------


def sans_of(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    value = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return value.get_values_for_type(x509.DNSName), [
        str(ip) for ip in value.get_values_for_type(x509.IPAddress)
    ]


def test_tls_certificates_of_nodes(peer_crypto):
    tlsca = peer_crypto.cas.tlsca.certificate()
    for hostname in ("peer0", "peer1"):
        identity = peer_crypto.nodes[f"{hostname}.org1.example.com"]
        cert = identity.tls.certificate()
        assert rdns(cert.subject) == [*DEFAULT_PLACE, ("CN", identity.common_name)]  # no OU
        assert extensions(cert) == [
            (KU, True),
            (EKU, False),
            (BC, True),
            (AKI, False),
            (SAN, False),
        ]
        assert key_usage(cert) == {"digital_signature", "key_encipherment"}
        assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
            ExtendedKeyUsageOID.SERVER_AUTH,
            ExtendedKeyUsageOID.CLIENT_AUTH,
        ]
        check_leaf_common(cert, tlsca)
        dns, ips = sans_of(cert)
        assert dns == [
            f"{hostname}.org1.example.com",
            hostname,
            f"{hostname}.alt.example.org",
            f"{hostname}-org1",
            f"{hostname}-org1.fabric.svc.cluster.local",
        ]
        assert ips == ["10.1.2.3"]


def test_tls_certificates_of_users_have_no_sans(peer_crypto):
    tlsca = peer_crypto.cas.tlsca.certificate()
    for identity in (peer_crypto.admin, *peer_crypto.users):
        cert = identity.tls.certificate()
        assert extensions(cert) == [(KU, True), (EKU, False), (BC, True), (AKI, False)]
        assert rdns(cert.subject) == [*DEFAULT_PLACE, ("CN", identity.common_name)]
        check_leaf_common(cert, tlsca)


def test_tls_ip_sans_v4_and_v6_follow_dns_names():
    tlsca = create_ca("tlsca.x.example.com", "x.example.com", Subject())
    pair = issue_tls_cert(tlsca, "n.x.example.com", Subject(), ["::1", "n", "192.168.0.1", "n.x"])
    value = pair.certificate().extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert list(value.value) == [
        x509.DNSName("n"),
        x509.DNSName("n.x"),
        x509.IPAddress(ipaddress.ip_address("::1")),
        x509.IPAddress(ipaddress.ip_address("192.168.0.1")),
    ]


# ---- low-S signing -------------------------------------------------------------


def test_sign_low_s_always_returns_low_s_where_plain_signing_does_not():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2025, 1, 1, tzinfo=UTC))
    )
    plain = [
        decode_dss_signature(builder.sign(key, hashes.SHA256()).signature)[1] for _ in range(64)
    ]
    assert any(s > P256_N // 2 for s in plain)  # fails with probability 2**-64
    for _ in range(64):
        cert = sign_low_s(builder, key)
        assert decode_dss_signature(cert.signature)[1] <= P256_N // 2
        cert.verify_directly_issued_by(cert)


def test_sign_low_s_rejects_other_curves():
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2025, 1, 1, tzinfo=UTC))
    )
    with pytest.raises(ValueError, match="P-256"):
        sign_low_s(builder, key)
