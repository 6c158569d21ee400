"""The manifest of one backup (``backups/<key>/manifest.json``): every object
with its size and sha256, and the channel heights each node was copied at.
A restore reads it first and checks every object against it before anything
is laid down, so a missing or altered object stops it with a message naming
the key and the object."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backup.archive import sha256_file
from backup.store import ObjectMissing, ObjectStore

FORMAT = 1
PREFIX = "backups"
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


class BackupError(Exception):
    """A backup that cannot be taken or restored; the message names the key and,
    where one is at fault, the object."""


def default_key(now: datetime | None = None) -> str:
    """The UTC time, e.g. ``20261126T034641Z``."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def check_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise BackupError(f"backup key {key!r}: use 1-63 letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit")
    return key


def object_path(key: str, name: str) -> str:
    """Where object ``name`` of backup ``key`` lives in the store."""
    return f"{PREFIX}/{key}/{name}"


@dataclass(frozen=True)
class ObjectEntry:
    name: str
    size: int
    sha256: str

    @classmethod
    def of_file(cls, name: str, path: Path) -> ObjectEntry:
        return cls(name, path.stat().st_size, sha256_file(path))


@dataclass
class Manifest:
    key: str
    created: str
    objects: list[ObjectEntry] = field(default_factory=list)
    heights: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per node, the height of each of its channels when it was copied."""

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "key": self.key, "created": self.created,
            "objects": [{"name": o.name, "size": o.size, "sha256": o.sha256}
                        for o in self.objects],
            "heights": self.heights,
        }, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, key: str, text: str) -> Manifest:
        where = f"backup {key}: {object_path(key, 'manifest.json')}"
        try:
            raw: Any = json.loads(text)
            if raw.get("format") != FORMAT:
                raise BackupError(f"{where}: format {raw.get('format')!r}, expected {FORMAT}")
            objects = [ObjectEntry(str(o["name"]), int(o["size"]), str(o["sha256"]))
                       for o in raw["objects"]]
            heights = {str(node): {str(c): int(h) for c, h in channels.items()}
                       for node, channels in raw.get("heights", {}).items()}
            return cls(str(raw["key"]), str(raw["created"]), objects, heights)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"{where}: not a valid manifest ({error})") from None

    def entry(self, name: str) -> ObjectEntry:
        for entry in self.objects:
            if entry.name == name:
                return entry
        raise BackupError(f"backup {self.key}: the manifest lists no object {name!r}")


def upload(store: ObjectStore, key: str, name: str, path: Path) -> ObjectEntry:
    """Put ``path`` as object ``name`` of backup ``key``; its manifest entry."""
    entry = ObjectEntry.of_file(name, path)
    store.put(object_path(key, name), path)
    return entry


def publish(store: ObjectStore, manifest: Manifest, scratch: Path) -> None:
    """Write the manifest last: a backup without one is incomplete and is
    never restored."""
    path = scratch / "manifest.json"
    path.write_text(manifest.to_json(), encoding="utf-8")
    store.put(object_path(manifest.key, "manifest.json"), path)


def fetch_verified(store: ObjectStore, key: str, staging: Path) -> tuple[Manifest, dict[str, Path]]:
    """Download the manifest and every object it lists into ``staging`` and check
    each one's size and sha256. Raises BackupError naming the key and the first
    object that is missing or differs; nothing is returned unless all match."""
    check_key(key)
    staging.mkdir(parents=True, exist_ok=True)
    manifest_file = staging / "manifest.json"
    try:
        store.get(object_path(key, "manifest.json"), manifest_file)
    except ObjectMissing:
        raise BackupError(f"backup {key}: no manifest ({object_path(key, 'manifest.json')}): "
                          "the key is wrong or the backup did not complete") from None
    manifest = Manifest.from_json(key, manifest_file.read_text(encoding="utf-8"))
    if manifest.key != key:
        raise BackupError(f"backup {key}: its manifest is for key {manifest.key!r}")
    paths: dict[str, Path] = {}
    for entry in manifest.objects:
        where = f"backup {key}: object {object_path(key, entry.name)}"
        target = staging / "objects" / entry.name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            store.get(object_path(key, entry.name), target)
        except ObjectMissing:
            raise BackupError(f"{where} is missing") from None
        size, digest = target.stat().st_size, sha256_file(target)
        if (size, digest) != (entry.size, entry.sha256):
            raise BackupError(f"{where} is corrupt: sha256 {digest} ({size} bytes), the "
                              f"manifest says {entry.sha256} ({entry.size} bytes)")
        paths[entry.name] = target
    return manifest, paths
