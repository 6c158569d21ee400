"""The network material (private keys included), sealed before it leaves the
machine: AES-256-GCM under the backup's material key (``backup.keys``).

Layout: ``FBK2 | log2 N (1) | r (1) | p (1) | salt (16) | nonce (12) |
ciphertext+tag``; everything before the nonce is associated data. The bundle
carries the backup's scrypt salt and cost, so it opens on its own with the
passphrase (``python -m backup unseal``).

The nonce is derived from the key and the plaintext (HMAC-SHA256), so sealing
the same material for the same backup twice gives the same bytes: a Pulumi
input built from it does not change on every preview. The only thing this
reveals is whether two bundles sealed under the same backup's salt hold the
same plaintext."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backup.keys import SALT_BYTES, BackupKeys, KdfError, KdfParams, derive_keys

MAGIC = b"FBK2"
OLD_MAGIC = b"FBK1"
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + 3 + SALT_BYTES


class SealError(Exception):
    """The bundle is not sealed material, or the passphrase does not open it."""


def _header(params: KdfParams) -> bytes:
    return MAGIC + bytes([params.log2_n, params.r, params.p]) + params.salt


def seal(plaintext: bytes, params: KdfParams, keys: BackupKeys) -> bytes:
    """``keys`` are ``derive_keys(passphrase, params)``."""
    header = _header(params)
    nonce = hmac.new(keys.material, plaintext, hashlib.sha256).digest()[:NONCE_BYTES]
    return header + nonce + AESGCM(keys.material).encrypt(nonce, plaintext, header)


def params_of(bundle: bytes) -> KdfParams:
    """The scrypt salt and cost a bundle was sealed under."""
    if bundle.startswith(OLD_MAGIC):
        raise SealError("sealed in format 1 (FBK1, a salt derived from the backup key), "
                        "which this version no longer opens: unseal it with a version of "
                        "fabric-on-pulumi from before format 2")
    if len(bundle) <= HEADER_BYTES + NONCE_BYTES or not bundle.startswith(MAGIC):
        raise SealError("not a sealed backup bundle")
    log2_n, r, p = bundle[len(MAGIC):len(MAGIC) + 3]
    try:
        return KdfParams.from_json({"name": "scrypt", "salt": bundle[len(MAGIC) + 3:
                                    HEADER_BYTES].hex(), "n": 2**log2_n, "r": r, "p": p})
    except KdfError as error:
        raise SealError(str(error)) from None


def open_sealed(bundle: bytes, keys: BackupKeys) -> bytes:
    """Open with the keys of the backup it belongs to (its salt must be theirs)."""
    params_of(bundle)
    nonce = bundle[HEADER_BYTES:HEADER_BYTES + NONCE_BYTES]
    try:
        return AESGCM(keys.material).decrypt(
            nonce, bundle[HEADER_BYTES + NONCE_BYTES:], bundle[:HEADER_BYTES])
    except InvalidTag:
        raise SealError("the passphrase does not open it, or it was altered, or it "
                        "belongs to another backup") from None


def unseal(bundle: bytes, passphrase: str) -> bytes:
    """Open with the passphrase alone (the salt and cost are in the bundle)."""
    try:
        keys = derive_keys(passphrase, params_of(bundle))
    except KdfError as error:
        raise SealError(str(error)) from None
    return open_sealed(bundle, keys)
