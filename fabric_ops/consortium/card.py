"""An org's public card: what the other orgs of a consortium need to put it in a
channel and to check its signatures, and nothing secret. Written as
``<consortium folder>/orgs/<MSP ID>.yaml`` and checked whenever it is read: a
card whose CA does not sign the certificates it lists is refused, naming the
file and the field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from network_spec import OrgKind, OrgSpec, SpecError

ORGS_DIR = "orgs"


@dataclass(frozen=True)
class CardNode:
    name: str
    """The node's common name."""
    address: str
    """``host:port`` where the other orgs reach it."""
    tls_cert: str = ""
    """Orderers: the TLS certificate a Raft consenter entry names."""
    sign_cert: str = ""
    """Orderers: the enrollment (sign) certificate a BFT consenter entry names
    as its identity, the one its block signatures are checked against."""

    def to_document(self) -> dict[str, str]:
        document = {"name": self.name, "address": self.address}
        if self.tls_cert:
            document["tlsCert"] = self.tls_cert
        if self.sign_cert:
            document["signCert"] = self.sign_cert
        return document


@dataclass(frozen=True)
class OrgCard:
    msp_id: str
    kind: OrgKind
    domain: str
    node_ous: bool
    ca_cert: str
    tls_ca_cert: str
    admin_certs: tuple[str, ...] = ()
    """Only without NodeOUs: the admins the org's MSP lists by certificate."""
    nodes: tuple[CardNode, ...] = ()
    anchor_peers: tuple[str, ...] = ()
    """Peer orgs: ``host:port`` of the peers other orgs gossip with."""

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "mspId": self.msp_id,
            "kind": self.kind.value,
            "domain": self.domain,
            "nodeOUs": self.node_ous,
            "caCert": self.ca_cert,
            "tlsCaCert": self.tls_ca_cert,
        }
        if self.admin_certs:
            document["adminCerts"] = list(self.admin_certs)
        document["nodes"] = [n.to_document() for n in self.nodes]
        if self.kind is OrgKind.PEER:
            document["anchorPeers"] = list(self.anchor_peers)
        return document


def card_path(folder: Path, msp_id: str) -> Path:
    return folder / ORGS_DIR / f"{msp_id}.yaml"


def write_card(folder: Path, card: OrgCard) -> Path:
    """Writes (or rewrites) the org's card; returns its path."""
    check_card(card, str(card_path(folder, card.msp_id)))
    path = card_path(folder, card.msp_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(card.to_document(), sort_keys=False), encoding="utf-8")
    return path


def _certificate(pem: str, file: str, where: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except ValueError as error:
        raise SpecError(file, where, f"not a PEM certificate: {error}") from error


def _signed_by(cert: x509.Certificate, ca: x509.Certificate, file: str, where: str,
               what: str) -> None:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError) as error:
        raise SpecError(file, where, f"not issued by the card's {what}: {error}") from error
    except InvalidSignature as error:
        raise SpecError(file, where, f"not signed by the card's {what}") from error


def check_card(card: OrgCard, file: str) -> None:
    """Every certificate parses and the card's CAs sign the ones they issue."""
    ca = _certificate(card.ca_cert, file, "caCert")
    _signed_by(ca, ca, file, "caCert", "CA (not self-signed)")
    tls_ca = _certificate(card.tls_ca_cert, file, "tlsCaCert")
    _signed_by(tls_ca, tls_ca, file, "tlsCaCert", "TLS CA (not self-signed)")
    if not card.node_ous and not card.admin_certs:
        raise SpecError(file, "adminCerts", "an org without NodeOUs lists its admins")
    for i, pem in enumerate(card.admin_certs):
        _signed_by(_certificate(pem, file, f"adminCerts[{i}]"), ca, file, f"adminCerts[{i}]",
                   "CA")
    for i, node in enumerate(card.nodes):
        if node.tls_cert:
            where = f"nodes[{i}].tlsCert"
            _signed_by(_certificate(node.tls_cert, file, where), tls_ca, file, where, "TLS CA")
        elif card.kind is OrgKind.ORDERER:
            raise SpecError(file, f"nodes[{i}].tlsCert", "an orderer lists its TLS certificate")
        if node.sign_cert:
            _check_sign_cert(node, ca, file, f"nodes[{i}].signCert")


def _check_sign_cert(node: CardNode, ca: x509.Certificate, file: str, where: str) -> None:
    """A node's enrollment certificate: issued by the org's CA to that node."""
    cert = _certificate(node.sign_cert, file, where)
    _signed_by(cert, ca, file, where, "CA")
    names = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if names != [node.name]:
        raise SpecError(file, where, f"issued to {', '.join(names) or 'no common name'}, "
                        f"not to the node {node.name}")


def _text(document: dict[str, Any], key: str, file: str, where: str = "") -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise SpecError(file, f"{where}{key}", "missing or not a string")
    return value


def parse_card(document: Any, file: str) -> OrgCard:
    if not isinstance(document, dict):
        raise SpecError(file, "", "a card is a mapping")
    kind_text = _text(document, "kind", file)
    try:
        kind = OrgKind(kind_text)
    except ValueError as error:
        raise SpecError(file, "kind", f"{kind_text!r}: peer or orderer") from error
    nodes = []
    for i, entry in enumerate(document.get("nodes") or []):
        if not isinstance(entry, dict):
            raise SpecError(file, f"nodes[{i}]", "a node is a mapping")
        nodes.append(CardNode(_text(entry, "name", file, f"nodes[{i}]."),
                              _text(entry, "address", file, f"nodes[{i}]."),
                              str(entry.get("tlsCert", "")), str(entry.get("signCert", ""))))
    card = OrgCard(
        msp_id=_text(document, "mspId", file),
        kind=kind,
        domain=_text(document, "domain", file),
        node_ous=bool(document.get("nodeOUs", True)),
        ca_cert=_text(document, "caCert", file),
        tls_ca_cert=_text(document, "tlsCaCert", file),
        admin_certs=tuple(str(c) for c in document.get("adminCerts") or ()),
        nodes=tuple(nodes),
        anchor_peers=tuple(str(a) for a in document.get("anchorPeers") or ()),
    )
    check_card(card, file)
    return card


def read_card(folder: Path, msp_id: str) -> OrgCard:
    """The checked card of ``msp_id`` from the consortium folder."""
    path = card_path(folder, msp_id)
    if not path.is_file():
        raise SpecError(str(path), "", f"no card for {msp_id}; its org publishes it")
    card = parse_card(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    if card.msp_id != msp_id:
        raise SpecError(str(path), "mspId", f"{card.msp_id!r}, but the file is {msp_id}'s")
    return card


def build_card(
    org: OrgSpec, ca_cert: str, tls_ca_cert: str, admin_cert: str,
    addresses: Mapping[str, str], tls_certs: Mapping[str, str] = {},
    anchor_peers: Sequence[str] = (), sign_certs: Mapping[str, str] = {},
    previous_admin_cert: str = "",
) -> OrgCard:
    """The card of ``org`` from its public material: ``addresses`` maps each
    node's common name to where other orgs reach it, ``tls_certs`` and
    ``sign_certs`` an orderer's nodes to their TLS and enrollment certificates;
    ``anchor_peers`` are common names. Without NodeOUs the card lists the
    Admin's certificate and, after a renewal, ``previous_admin_cert`` (the
    org's MSPs list both, ``crypto.msp.org_msp_files``)."""
    orderer = org.kind is OrgKind.ORDERER
    nodes = tuple(
        CardNode(n.common_name, addresses[n.common_name],
                 tls_certs.get(n.common_name, "") if orderer else "",
                 sign_certs.get(n.common_name, "") if orderer else "")
        for n in org.nodes
    )
    return OrgCard(
        msp_id=org.msp_id, kind=org.kind, domain=org.domain, node_ous=org.enable_node_ous,
        ca_cert=ca_cert, tls_ca_cert=tls_ca_cert,
        admin_certs=() if org.enable_node_ous else tuple(dict.fromkeys(
            pem for pem in (admin_cert, previous_admin_cert) if pem)), nodes=nodes,
        anchor_peers=tuple(addresses[cn] for cn in anchor_peers),
    )
