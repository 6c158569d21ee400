"""Node archives encrypted as they stream: AES-256-GCM over 1 MiB chunks, so a
ledger of any size is encrypted and checked in bounded memory.

Layout: ``FBS2 | chunk size (4, big-endian) | seed (32) | chunk...``, each
chunk its ciphertext and 16-byte tag. Every archive has its own key, derived
with HKDF from the backup's archive key, the archive's random seed and its
binding (the backup's ID and the object's name); the nonce of chunk ``i`` is
``i`` (11 bytes) and a byte that is 1 on the last chunk only; the header and the
binding are the associated data of every chunk. So a chunk that is altered,
moved, dropped or taken from another archive or another backup does not
authenticate, and a stream cut at a chunk boundary lacks its last chunk
(the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár)."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backup.keys import expand

MAGIC = b"FBS2"
CHUNK = 1 << 20
MAX_CHUNK = 16 << 20
SEED_BYTES = 32
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + 4 + SEED_BYTES


class StreamError(Exception):
    """An archive that is not this backup's encrypted archive of that name."""


def binding(backup_id: str, name: str) -> bytes:
    """What an archive belongs to: backup ``backup_id``, object ``name``."""
    parts = [backup_id.encode("utf-8"), name.encode("utf-8")]
    return b"".join(struct.pack(">I", len(p)) + p for p in parts)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _cipher(archive_key: bytes, seed: bytes, bound: bytes) -> AESGCM:
    return AESGCM(expand(archive_key, b"fabric-backup archive chunk" + bound, salt=seed))


def encrypt(source: BinaryIO, target: BinaryIO, archive_key: bytes, bound: bytes,
            chunk: int = CHUNK) -> None:
    """Encrypt ``source`` to ``target``, reading one chunk ahead to know the last."""
    header = MAGIC + struct.pack(">I", chunk) + os.urandom(SEED_BYTES)
    aad = header + bound
    cipher = _cipher(archive_key, header[-SEED_BYTES:], bound)
    target.write(header)
    index, current = 0, source.read(chunk)
    while True:
        following = source.read(chunk)
        last = not following
        target.write(cipher.encrypt(_nonce(index, last), current, aad))
        if last:
            return
        index, current = index + 1, following


def decrypt(source: BinaryIO, target: BinaryIO, archive_key: bytes, bound: bytes) -> None:
    """Decrypt ``source`` to ``target``; StreamError at the first chunk that does
    not authenticate (``target`` then holds a prefix: discard it)."""
    header = source.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise StreamError("not an encrypted backup archive (no FBS2 header)")
    (chunk,) = struct.unpack(">I", header[len(MAGIC):len(MAGIC) + 4])
    if not 0 < chunk <= MAX_CHUNK:
        raise StreamError(f"chunk size {chunk} out of bounds")
    aad = header + bound
    cipher = _cipher(archive_key, header[-SEED_BYTES:], bound)
    sealed = chunk + TAG_BYTES
    index, current = 0, source.read(sealed)
    while True:
        following = source.read(sealed)
        last = not following
        try:
            target.write(cipher.decrypt(_nonce(index, last), current, aad))
        except InvalidTag:
            raise StreamError(_why(cipher, index, last, current, aad)) from None
        if last:
            return
        index, current = index + 1, following


def _why(cipher: AESGCM, index: int, last: bool, chunk: bytes, aad: bytes) -> str:
    if index == 0 and not chunk:
        return "truncated: nothing after its header"
    if last:
        try:
            cipher.decrypt(_nonce(index, False), chunk, aad)
            return f"truncated: it ends after chunk {index}, which is not its last"
        except InvalidTag:
            pass
    if index == 0:
        return ("chunk 0 does not authenticate: altered, or the archive of another "
                "object or another backup, or another passphrase")
    return f"chunk {index} does not authenticate: altered, reordered or truncated"


def encrypt_file(source: Path, target: Path, archive_key: bytes, bound: bytes) -> None:
    with source.open("rb") as plain, target.open("wb") as out:
        encrypt(plain, out, archive_key, bound)


def decrypt_file(source: Path, target: Path, archive_key: bytes, bound: bytes) -> None:
    """Decrypt to ``target``; on failure ``target`` is removed."""
    try:
        with source.open("rb") as sealed, target.open("wb") as out:
            decrypt(sealed, out, archive_key, bound)
    except StreamError:
        target.unlink(missing_ok=True)
        raise
