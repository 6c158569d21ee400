"""The keys of one backup, from the stack's backup passphrase.

scrypt turns the passphrase and the backup's random salt into a master key;
HKDF-SHA256 splits that into one key per use (node archives, the manifest's
MAC, the sealed network material), so no key serves two purposes. The salt and
the scrypt parameters travel in the manifest (and in the sealed material), so a
later version can raise the cost and still open older backups.

scrypt rather than Argon2id (OWASP's first choice; ``cryptography`` has it
from version 44): scrypt is in the standard library (``hashlib``, backed by
OpenSSL), so the Jobs run it in whatever Azure CLI image ``fabric:backupImage``
names, whichever ``cryptography`` that image ships; OWASP's Password Storage
Cheat Sheet gives N=2^17, r=8, p=1 (128 MiB) as the scrypt equivalent. The
manifest names its KDF, so Argon2id can be added beside it later."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SALT_BYTES = 16
LOG2_N = 17
R = 8
P = 1
"""OWASP Password Storage Cheat Sheet: scrypt N=2^17 (128 MiB), r=8, p=1."""
MAX_MEMORY = 1 << 30
"""A manifest asking for more than this is refused, not run (the Jobs have 1 GiB)."""


class KdfError(ValueError):
    """Key derivation parameters that are malformed or out of bounds."""


@dataclass(frozen=True)
class KdfParams:
    """scrypt's salt and cost of one backup."""

    salt: bytes
    log2_n: int = LOG2_N
    r: int = R
    p: int = P

    def memory(self) -> int:
        """What OpenSSL's scrypt allocates for these parameters, in bytes."""
        return 128 * self.r * ((1 << self.log2_n) + self.p + 2)

    def to_json(self) -> dict[str, Any]:
        return {"name": "scrypt", "salt": self.salt.hex(), "n": 1 << self.log2_n,
                "r": self.r, "p": self.p}

    @classmethod
    def from_json(cls, raw: Any) -> KdfParams:
        try:
            if raw["name"] != "scrypt":
                raise KdfError(f"kdf {raw['name']!r}: only scrypt is known")
            n, r, p = int(raw["n"]), int(raw["r"]), int(raw["p"])
            salt = bytes.fromhex(raw["salt"])
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, KdfError):
                raise
            raise KdfError(f"kdf: not valid scrypt parameters ({error})") from None
        if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16:
            raise KdfError(f"kdf: scrypt n={n} r={r} p={p}: n must be a power of two, "
                           "1 <= r <= 64, 1 <= p <= 16")
        if len(salt) < SALT_BYTES:
            raise KdfError(f"kdf: salt of {len(salt)} bytes, expected at least {SALT_BYTES}")
        params = cls(salt, n.bit_length() - 1, r, p)
        if params.memory() > MAX_MEMORY:
            raise KdfError(f"kdf: scrypt n={n} r={r} needs {params.memory() >> 20} MiB, "
                           f"more than the {MAX_MEMORY >> 20} MiB allowed")
        return params


def new_params() -> KdfParams:
    """Fresh random salt, current cost: one per backup."""
    return KdfParams(os.urandom(SALT_BYTES))


@dataclass(frozen=True)
class BackupKeys:
    archive: bytes
    """Node archives (each gets its own key from this and a random seed)."""
    manifest: bytes
    """The manifest's HMAC-SHA256."""
    material: bytes
    """The sealed network material (AES-256-GCM)."""


def derive_keys(passphrase: str, params: KdfParams) -> BackupKeys:
    if not passphrase:
        raise KdfError("the backup passphrase is empty")
    master = hashlib.scrypt(passphrase.encode("utf-8"), salt=params.salt, n=1 << params.log2_n,
                            r=params.r, p=params.p, maxmem=params.memory() + (1 << 20),
                            dklen=32)
    return BackupKeys(*(expand(master, f"fabric-backup {use}".encode())
                        for use in ("archive", "manifest", "material")))


def expand(key: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    """A 32-byte key for ``info`` from ``key`` (HKDF-SHA256)."""
    return HKDF(algorithm=SHA256(), length=32, salt=salt, info=info).derive(key)
