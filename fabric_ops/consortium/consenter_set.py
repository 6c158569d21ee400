"""A channel's consenter set as a proposal's summary shows it: per consenter
added or removed, its address and the SHA-256 fingerprint of its TLS
certificate (and, on a BFT channel, its ID and org), so an admin asked to sign
sees which node joins or leaves the ordering service, not only that
``ConsensusType`` or ``Orderers`` changes."""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from fabric_ops.bft_config import consenter_key
from fabric_ops.channel_summary import consenter_address, consenters


def tls_fingerprint(encoded_pem: str) -> str:
    """SHA-256 of the DER of a certificate as the config holds it (base64 of
    its PEM), as ``openssl x509 -fingerprint -sha256`` prints it."""
    pem = base64.b64decode(encoded_pem)
    digest = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def describe_consenter(consenter: dict[str, Any]) -> str:
    bft = f"ID {consenter['id']} of {consenter['msp_id']}, " if "id" in consenter else ""
    return (f"consenter {consenter_address(consenter)} ({bft}TLS certificate SHA-256 "
            f"{tls_fingerprint(consenter['server_tls_cert'])})")


def consenter_changes(current: dict[str, Any], target: dict[str, Any]) -> list[str]:
    """Summary lines: each consenter of ``target`` not in ``current``, then
    each one of ``current`` not in ``target`` (same address, TLS certificates
    and identity: the same consenter whatever its ID)."""
    before, after = consenters(current), consenters(target)
    kept = {consenter_key(c) for c in before}
    staying = {consenter_key(c) for c in after}
    return ([f"- Orderer: adds {describe_consenter(c)}" for c in after
             if consenter_key(c) not in kept]
            + [f"- Orderer: removes {describe_consenter(c)}" for c in before
               if consenter_key(c) not in staying])
