"""Encryption of the network material (private keys included) before it leaves
the machine: AES-256-GCM under a key derived with scrypt from the stack's backup
passphrase. The format is ``FBK1 | salt (16) | nonce (12) | ciphertext+tag``.

The nonce is derived from the key and the plaintext (HMAC-SHA256), so sealing
the same material twice gives the same bytes: a Pulumi input built from it does
not change on every preview. The only thing this reveals is whether two sealed
bundles under the same key and salt hold the same plaintext."""

from __future__ import annotations

import hashlib
import hmac

MAGIC = b"FBK1"
SALT_BYTES = 16
NONCE_BYTES = 12
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1


class SealError(Exception):
    """The bundle is not sealed material, or the passphrase does not open it."""


def _key(passphrase: str, salt: bytes) -> bytes:
    if not passphrase:
        raise SealError("the backup passphrase is empty")
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                          p=SCRYPT_P, maxmem=64 * 1024 * 1024, dklen=32)


def salt_for(label: str) -> bytes:
    """A salt per backup key (``label``): different backups get different keys."""
    return hashlib.sha256(b"fabric-backup-salt:" + label.encode("utf-8")).digest()[:SALT_BYTES]


def seal(plaintext: bytes, passphrase: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = _key(passphrase, salt)
    nonce = hmac.new(key, plaintext, hashlib.sha256).digest()[:NONCE_BYTES]
    return MAGIC + salt + nonce + AESGCM(key).encrypt(nonce, plaintext, MAGIC + salt)


def unseal(bundle: bytes, passphrase: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = len(MAGIC) + SALT_BYTES + NONCE_BYTES
    if len(bundle) <= header or not bundle.startswith(MAGIC):
        raise SealError("not a sealed backup bundle")
    salt = bundle[len(MAGIC):len(MAGIC) + SALT_BYTES]
    nonce = bundle[len(MAGIC) + SALT_BYTES:header]
    try:
        return AESGCM(_key(passphrase, salt)).decrypt(nonce, bundle[header:], MAGIC + salt)
    except InvalidTag:
        raise SealError("the passphrase does not open it, or it was altered") from None
