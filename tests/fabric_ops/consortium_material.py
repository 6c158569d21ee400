"""Cards, update envelopes and signatures made in Python, as Fabric makes them
(shared by the consortium tests that run no Fabric binary)."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crypto import Identity, OrgCrypto
from fabric_ops.consortium.card import OrgCard, build_card
from fabric_ops.consortium.envelope import ConfigSignature, parse_envelope
from fabric_ops.consortium.wire import message
from network_spec import OrgKind

CHANNEL = "mychannel"


def card(crypto: OrgCrypto) -> OrgCard:
    """The org's card (orderers with their TLS and sign certificates), its
    nodes reached at ``<common name>:7050``."""
    org = crypto.org
    addresses = {n.common_name: f"{n.common_name}:7050" for n in org.nodes}
    tls = {cn: identity.tls.cert_pem for cn, identity in crypto.nodes.items()}
    sign = {cn: identity.sign.cert_pem for cn, identity in crypto.nodes.items()}
    anchors = [org.nodes[0].common_name] if org.kind is OrgKind.PEER else []
    return build_card(org, crypto.cas.ca.cert_pem, crypto.cas.tlsca.cert_pem,
                      crypto.admin.sign.cert_pem, addresses, tls, anchors, sign)


def unsigned_update() -> bytes:
    header = message((1, b"channel header of " + CHANNEL.encode()), (2, b"signature header"))
    config_update = message((1, CHANNEL.encode()), (2, b"read set"), (3, b"write set"))
    return message((1, message((1, header), (2, message((1, config_update))))))


def signed_by(msp: str, identity: Identity, update: bytes) -> bytes:
    """What signconfigtx adds: a SignatureHeader (creator, nonce) and an ECDSA
    signature over it followed by the config update."""
    creator = message((1, msp.encode()), (2, identity.sign.cert_pem.encode()))
    header = message((1, creator), (2, os.urandom(24)))
    key = serialization.load_pem_private_key(identity.sign.key_pem.encode(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    config_update = parse_envelope(update).config_update
    return ConfigSignature(header, key.sign(header + config_update,
                                            ec.ECDSA(hashes.SHA256()))).encoded()
