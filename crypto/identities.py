"""An org's CAs and the identities cryptogen issues from them (Fabric's
``cmd/cryptogen`` and ``internal/cryptogen/msp``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from crypto.certificates import VALIDITY, create_ca, issue_sign_cert, issue_tls_cert
from crypto.keypair import KeyPair
from network_spec import NodeSpec, OrgKind, OrgSpec

PEER_OU = "peer"
ORDERER_OU = "orderer"
ADMIN_OU = "admin"
CLIENT_OU = "client"


@dataclass(frozen=True)
class OrgCAs:
    """The org's signing CA (``ca/``) and TLS CA (``tlsca/``)."""

    ca: KeyPair
    tlsca: KeyPair


@dataclass(frozen=True)
class Identity:
    common_name: str
    node_ou: str
    """``peer``, ``orderer``, ``admin`` or ``client``. The sign certificate carries it
    as OU only when the org enables NodeOUs."""
    sign: KeyPair
    tls: KeyPair
    server: bool
    """True for peers and orderers (``tls/server.*``), False for the Admin and users
    (``tls/client.*``)."""


@dataclass(frozen=True)
class OrgCrypto:
    org: OrgSpec
    cas: OrgCAs
    nodes: Mapping[str, Identity]
    """Peers or orderers by common name, in the order of ``org.nodes``."""
    admin: Identity
    users: tuple[Identity, ...]
    """``User1..N@<domain>``; none for orderer orgs."""
    previous_admin_cert: str = ""
    """The Admin's certificate its last renewal replaced; without NodeOUs the
    org's MSPs list it beside the current one (``crypto.msp.org_msp_files``)."""


def node_ou(org: OrgSpec) -> str:
    return PEER_OU if org.kind is OrgKind.PEER else ORDERER_OU


def user_names(org: OrgSpec) -> tuple[str, ...]:
    """cryptogen issues users for peer orgs only (``Users.Count`` is ignored for
    orderer orgs)."""
    return org.user_names if org.kind is OrgKind.PEER else ()


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def new_org_cas(org: OrgSpec, now: datetime | None = None) -> OrgCAs:
    """Both CAs of ``org``: O=<domain>, the subject fields of the org's CA spec."""
    now = _now(now)
    return OrgCAs(
        ca=create_ca(org.ca_common_name, org.domain, org.ca.subject, now),
        tlsca=create_ca(org.tlsca_common_name, org.domain, org.ca.subject, now),
    )


def _issue(
    org: OrgSpec,
    cas: OrgCAs,
    common_name: str,
    ou: str,
    sans: Sequence[str],
    server: bool,
    now: datetime | None,
    validity: timedelta,
) -> Identity:
    # cryptogen takes the subject fields (C, ST, L, OU, ...) of every leaf from the
    # org's CA spec; a node's own subject fields are not used.
    subject = org.ca.subject
    ous = (ou,) if org.enable_node_ous else ()
    return Identity(
        common_name=common_name,
        node_ou=ou,
        sign=issue_sign_cert(cas.ca, common_name, subject, ous, now, validity),
        tls=issue_tls_cert(cas.tlsca, common_name, subject, sans, now, validity),
        server=server,
    )


def issue_node(
    org: OrgSpec,
    cas: OrgCAs,
    node: NodeSpec,
    extra_sans: Sequence[str] = (),
    now: datetime | None = None,
    validity: timedelta = VALIDITY,
) -> Identity:
    """A peer or orderer. TLS SANs: ``node.sans`` then ``extra_sans`` (e.g. the
    Kubernetes service names), duplicates dropped."""
    sans = tuple(dict.fromkeys((*node.sans, *extra_sans)))
    return _issue(org, cas, node.common_name, node_ou(org), sans, True, now, validity)


def issue_user(
    org: OrgSpec, cas: OrgCAs, name: str, admin: bool, now: datetime | None = None,
    validity: timedelta = VALIDITY,
) -> Identity:
    """``Admin@<domain>`` (``admin=True``) or a ``UserN@<domain>``. As cryptogen,
    their TLS certificates have no SANs."""
    ou = ADMIN_OU if admin else CLIENT_OU
    return _issue(org, cas, name, ou, (), False, now, validity)


def generate_org(
    org: OrgSpec,
    extra_sans: Callable[[NodeSpec], Sequence[str]] = lambda node: (),
    now: datetime | None = None,
    validity: timedelta = VALIDITY,
) -> OrgCrypto:
    """All of an org's crypto, as ``cryptogen generate`` makes it. ``now`` (default:
    the current time) dates every certificate alike; node and user certificates
    are valid for ``validity`` (the CAs for cryptogen's 10 years)."""
    now = _now(now)
    cas = new_org_cas(org, now)
    nodes: dict[str, Identity] = {}
    for node in org.nodes:
        if node.common_name not in nodes:  # cryptogen keeps the first of two alike
            nodes[node.common_name] = issue_node(org, cas, node, extra_sans(node), now,
                                                 validity)
    return OrgCrypto(
        org=org,
        cas=cas,
        nodes=MappingProxyType(nodes),
        admin=issue_user(org, cas, org.admin_name, admin=True, now=now, validity=validity),
        users=tuple(issue_user(org, cas, name, admin=False, now=now, validity=validity)
                    for name in user_names(org)),
    )
