"""Backups of a Fabric network's state: node archives (encrypted) and the
sealed network material in an object store, under a key, listed with their
sizes and sha256 in a manifest authenticated with a key derived from the
backup passphrase and checked in full before a restore touches anything."""

from backup.manifest import BackupError, Manifest, ObjectEntry, default_key
from backup.store import LocalDirStore, ObjectStore

__all__ = [
    "BackupError",
    "LocalDirStore",
    "Manifest",
    "ObjectEntry",
    "ObjectStore",
    "default_key",
]
