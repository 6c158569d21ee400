"""Taking a backup: node archives encrypted as they go to the store, the
sealed material, and the authenticated manifest last (a backup without one
never completed and is never restored)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from backup.keys import KdfParams, derive_keys, new_params
from backup.manifest import Manifest, ObjectEntry, check_key, check_object_name
from backup.names import MANIFEST, MATERIAL, object_path
from backup.sealed import seal
from backup.store import ObjectStore
from backup.stream import binding, encrypt_file


class BackupWriter:
    """Backup ``key`` into ``store``, with ``scratch`` for the encrypted copies.
    ``params``: a fresh random salt at the current cost unless given (the
    Kubernetes Jobs share the one the program chose)."""

    def __init__(self, store: ObjectStore, key: str, passphrase: str, scratch: Path,
                 params: KdfParams | None = None) -> None:
        self.store, self.scratch = store, scratch
        params = params or new_params()
        self.keys = derive_keys(passphrase, params)
        self.manifest = Manifest(check_key(key), datetime.now(UTC).isoformat(
            timespec="seconds"), params)

    def encrypt_archive(self, name: str, plain: Path, target: Path) -> ObjectEntry:
        """Encrypt the archive ``plain`` (object ``name``) to ``target``; its entry."""
        check_object_name(self.manifest.key, name)
        encrypt_file(plain, target, self.keys.archive, binding(self.manifest.backup_id, name))
        return ObjectEntry.of_file(name, target)

    def add_archive(self, name: str, plain: Path) -> ObjectEntry:
        """Encrypt and upload the archive ``plain`` as object ``name``."""
        sealed = self.scratch / "archive.enc"
        entry = self.encrypt_archive(name, plain, sealed)
        self.store.put(object_path(self.manifest.key, name), sealed)
        sealed.unlink()
        self.manifest.objects.append(entry)
        return entry

    def add_material(self, plain: bytes) -> ObjectEntry:
        """Seal and upload the network material."""
        sealed = self.scratch / MATERIAL
        sealed.write_bytes(seal(plain, self.manifest.kdf, self.keys))
        self.store.put(object_path(self.manifest.key, MATERIAL), sealed)
        entry = ObjectEntry.of_file(MATERIAL, sealed)
        sealed.unlink()
        self.manifest.objects.append(entry)
        return entry

    def publish(self) -> Manifest:
        path = self.scratch / MANIFEST
        path.write_text(self.manifest.to_json(self.keys), encoding="utf-8")
        self.store.put(object_path(self.manifest.key, MANIFEST), path)
        return self.manifest
