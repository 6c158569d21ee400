"""An org admin's signature on a config update, made in the org's own executor
(its admin toolbox, or its local admin identity) by ``peer channel
signconfigtx`` on a copy of the update, and kept alone as the
``common.ConfigSignature`` it added; anyone checks it against the signer's card."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fabric_ops.consortium.card import OrgCard
from fabric_ops.consortium.envelope import (
    ConfigSignature,
    UpdateEnvelope,
    parse_envelope,
    parse_signature,
)
from fabric_ops.consortium.wire import WireError
from fabric_ops.executor import CommandFailed, Executor

UPDATE = "update.pb"
ADMIN_OU = "admin"


class SignatureError(Exception):
    """A signature that does not hold (the message says which and why)."""


def sign_update(executor: Executor, msp_id: str, update: bytes) -> bytes:
    """``msp_id``'s admin signs the update envelope ``update`` where its key
    lives; returns the encoded ``ConfigSignature`` it added."""
    result = executor.run(["peer", "channel", "signconfigtx", "-f", UPDATE],
                          inputs={UPDATE: update}, outputs=[UPDATE])
    if result.returncode != 0 or UPDATE not in result.files:
        raise CommandFailed(result, f"{msp_id} signs the update")
    before, after = parse_envelope(update), parse_envelope(result.files[UPDATE])
    if after.config_update != before.config_update:
        raise SignatureError(f"{msp_id}: peer changed the config update while signing it")
    added = [s for s in after.signatures if s not in before.signatures]
    if len(added) != 1 or parse_signature(added[0]).msp_id != msp_id:
        raise SignatureError(f"{msp_id}: expected one new signature of {msp_id}, got "
                             f"{[parse_signature(s).msp_id for s in added]}")
    return added[0]


def _is_admin(cert: x509.Certificate, card: OrgCard) -> bool:
    if not card.node_ous:
        listed = {x509.load_pem_x509_certificate(pem.encode()) for pem in card.admin_certs}
        return cert in listed
    units = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return any(unit.value == ADMIN_OU for unit in units)


def verify_signature(data: bytes, update: UpdateEnvelope, card: OrgCard) -> ConfigSignature:
    """The signature in ``data`` is an admin of ``card``'s org signing exactly
    ``update``'s config update; raises SignatureError saying what fails."""
    try:
        signature = parse_signature(data)
    except WireError as error:
        raise SignatureError(f"{card.msp_id}: {error}") from error
    if signature.msp_id != card.msp_id:
        raise SignatureError(f"signed as {signature.msp_id!r}, not {card.msp_id}")
    try:
        cert = x509.load_pem_x509_certificate(signature.certificate_pem)
    except ValueError as error:
        raise SignatureError(f"{card.msp_id}: the signer's certificate: {error}") from error
    ca = x509.load_pem_x509_certificate(card.ca_cert.encode())
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError) as error:
        raise SignatureError(f"{card.msp_id}: the signer's certificate is not from the CA "
                             "on its card") from error
    if not _is_admin(cert, card):
        raise SignatureError(f"{card.msp_id}: the signer is not an admin of the org")
    public_key = cert.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise SignatureError(f"{card.msp_id}: the signer's key is not ECDSA")
    try:
        public_key.verify(signature.signature, signature.signature_header + update.config_update,
                          ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise SignatureError(f"{card.msp_id}: the signature does not match this update") from error
    return signature
