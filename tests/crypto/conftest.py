"""Shared specs and generated crypto for the crypto tests.

No ``__init__.py`` here on purpose: should ``tests/`` ever lose its own, pytest would
import this folder as a package named ``crypto`` and shadow the package under test.
Tests get shared data through fixtures only, never by importing this module."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crypto import KeyPair, OrgCrypto, generate_org
from network_spec import CaSpec, NodeSpec, OrgKind, OrgSpec, Subject

NOW = datetime(2024, 5, 17, 12, 34, 31, tzinfo=UTC)
"""Fixed clock: 12:34:31 rounds to 12:35, so notBefore is 12:30."""
NOT_BEFORE = datetime(2024, 5, 17, 12, 30, tzinfo=UTC)


def node(hostname: str, domain: str, *sans: str) -> NodeSpec:
    common_name = f"{hostname}.{domain}"
    return NodeSpec(
        hostname=hostname,
        common_name=common_name,
        sans=(common_name, hostname, *sans),
        k8s_name=f"{hostname}-{domain.split('.')[0]}",
    )


PEER_ORG = OrgSpec(
    name="Org1",
    domain="org1.example.com",
    kind=OrgKind.PEER,
    msp_id="Org1MSP",
    enable_node_ous=True,
    nodes=(
        node("peer0", "org1.example.com", "peer0.alt.example.org", "10.1.2.3"),
        node("peer1", "org1.example.com", "peer1.alt.example.org", "10.1.2.3"),
    ),
    users=2,
    k8s_name="org1",
)

ORDERER_ORG = OrgSpec(
    name="OrdererOrg",
    domain="example.com",
    kind=OrgKind.ORDERER,
    msp_id="OrdererMSP",
    enable_node_ous=True,
    nodes=(node("orderer", "example.com"), node("orderer2", "example.com")),
    users=0,
    k8s_name="ordererorg",
)

PLAIN_SUBJECT = Subject(
    country="DE",
    province="Berlin",
    locality="Berlin",
    organizational_unit="Ledger Team",
    street_address="Unter den Linden 1",
    postal_code="10117",
)

PLAIN_ORG = OrgSpec(
    name="Org2",
    domain="org2.example.com",
    kind=OrgKind.PEER,
    msp_id="Org2MSP",
    enable_node_ous=False,
    nodes=(node("peer0", "org2.example.com"),),
    users=1,
    k8s_name="org2",
    ca=CaSpec(subject=PLAIN_SUBJECT),
)


def k8s_sans(spec: NodeSpec) -> tuple[str, ...]:
    """Extra SANs as the deployment adds them; the common name repeats on purpose."""
    return (spec.k8s_name, f"{spec.k8s_name}.fabric.svc.cluster.local", spec.common_name)


@dataclass(frozen=True)
class Cert:
    """One certificate of a generated org, with the key pair that issued it."""

    org: OrgCrypto
    label: str
    role: str  # "ca", "tlsca", "sign" or "tls"
    pair: KeyPair
    issuer: KeyPair


def certs_of(crypto: OrgCrypto) -> list[Cert]:
    cas = crypto.cas
    found = [
        Cert(crypto, "ca", "ca", cas.ca, cas.ca),
        Cert(crypto, "tlsca", "tlsca", cas.tlsca, cas.tlsca),
    ]
    for identity in (*crypto.nodes.values(), crypto.admin, *crypto.users):
        found.append(Cert(crypto, identity.common_name, "sign", identity.sign, cas.ca))
        found.append(Cert(crypto, identity.common_name, "tls", identity.tls, cas.tlsca))
    return found


@pytest.fixture(scope="session")
def peer_crypto() -> OrgCrypto:
    return generate_org(PEER_ORG, extra_sans=k8s_sans, now=NOW)


@pytest.fixture(scope="session")
def orderer_crypto() -> OrgCrypto:
    return generate_org(ORDERER_ORG, now=NOW)


@pytest.fixture(scope="session")
def plain_crypto() -> OrgCrypto:
    return generate_org(PLAIN_ORG, now=NOW)


@pytest.fixture(scope="session")
def all_certs(
    peer_crypto: OrgCrypto, orderer_crypto: OrgCrypto, plain_crypto: OrgCrypto
) -> list[Cert]:
    return certs_of(peer_crypto) + certs_of(orderer_crypto) + certs_of(plain_crypto)


@pytest.fixture(scope="session")
def openssl() -> str:
    """The openssl binary; its absence fails the tests instead of skipping them."""
    path = shutil.which("openssl") or "/usr/bin/openssl"
    assert Path(path).is_file(), "the openssl binary is required by the crypto tests"
    return path


@pytest.fixture(scope="session")
def peer_org() -> OrgSpec:
    """NodeOUs, two peers whose SANS include an IP, two users."""
    return PEER_ORG


@pytest.fixture(scope="session")
def orderer_org() -> OrgSpec:
    return ORDERER_ORG


@pytest.fixture(scope="session")
def plain_org() -> OrgSpec:
    """No NodeOUs; a CA subject with every optional field set."""
    return PLAIN_ORG


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def expected_not_before() -> datetime:
    return NOT_BEFORE
