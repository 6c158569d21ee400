"""Opening a backup for a restore: the manifest is authenticated, then every
object it lists is downloaded, checked against its size and sha256, and
decrypted (each archive chunk by chunk, the material as one sealed bundle),
before anything is returned; so a restore lays nothing down from a backup
that is incomplete, altered, swapped or not opened by the passphrase."""

from __future__ import annotations

from pathlib import Path

from backup.archive import sha256_file
from backup.keys import BackupKeys
from backup.manifest import BackupError, Manifest, check_key
from backup.names import MANIFEST, MATERIAL, object_path
from backup.sealed import SealError, open_sealed
from backup.store import ObjectMissing, ObjectStore
from backup.stream import StreamError, binding, decrypt_file


def fetch_manifest(store: ObjectStore, key: str, staging: Path,
                   passphrase: str) -> tuple[Manifest, BackupKeys]:
    """The authenticated manifest of backup ``key``, and the backup's keys."""
    check_key(key)
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / MANIFEST
    try:
        store.get(object_path(key, MANIFEST), path)
    except ObjectMissing:
        raise BackupError(f"backup {key}: no manifest ({object_path(key, MANIFEST)}): "
                          "the key is wrong or the backup did not complete") from None
    manifest, keys = Manifest.from_json(key, path.read_text(encoding="utf-8"), passphrase)
    if manifest.key != key:
        raise BackupError(f"backup {key}: its manifest is for key {manifest.key!r}")
    return manifest, keys


def fetch_verified(
    store: ObjectStore, key: str, staging: Path, passphrase: str,
    names: list[str] | None = None,
) -> tuple[Manifest, dict[str, Path]]:
    """Download, check and decrypt every object of backup ``key`` (or only
    ``names``) into ``staging``: the result maps each name to its plaintext (a
    gzipped tar). Raises BackupError naming the key and the first object that
    is missing, differs or does not decrypt; nothing is returned unless all do."""
    manifest, keys = fetch_manifest(store, key, staging, passphrase)
    wanted = [manifest.entry(n) for n in names] if names is not None else manifest.objects
    paths: dict[str, Path] = {}
    for entry in wanted:
        where = f"backup {key}: object {object_path(key, entry.name)}"
        sealed = staging / "sealed" / entry.name
        plain = staging / "objects" / entry.name
        sealed.parent.mkdir(parents=True, exist_ok=True)
        plain.parent.mkdir(parents=True, exist_ok=True)
        try:
            store.get(object_path(key, entry.name), sealed)
        except ObjectMissing:
            raise BackupError(f"{where} is missing") from None
        size, digest = sealed.stat().st_size, sha256_file(sealed)
        if (size, digest) != (entry.size, entry.sha256):
            raise BackupError(f"{where} is corrupt: sha256 {digest} ({size} bytes), the "
                              f"manifest says {entry.sha256} ({entry.size} bytes)")
        try:
            if entry.name == MATERIAL:
                plain.write_bytes(open_sealed(sealed.read_bytes(), keys))
            else:
                decrypt_file(sealed, plain, keys.archive, binding(manifest.backup_id, entry.name))
        except (SealError, StreamError) as error:
            raise BackupError(f"{where} does not decrypt: {error}") from None
        sealed.unlink()
        paths[entry.name] = plain
    return manifest, paths
