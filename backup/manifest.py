"""The manifest of one backup (``backups/<key>/manifest.json``): every object
with its name, size and sha256 as stored (encrypted), the channel heights each
node was copied at, the backup's scrypt salt and cost, and an HMAC-SHA256 over
all of that, keyed from the passphrase. Whoever holds only the storage key
can read the manifest but not forge one: a restore refuses a manifest that
does not authenticate before it looks at any object, so replacing an archive
together with its manifest entry is refused too.

Format 1 (archives in clear, manifest not authenticated) is refused with a
message naming it: it carries nothing that could prove it was not swapped."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backup.archive import sha256_file
from backup.keys import BackupKeys, KdfError, KdfParams, derive_keys
from backup.names import KEY, MANIFEST, OBJECT_RULE, is_object_name, object_path

FORMAT = 2
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


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


def check_object_name(key: str, name: str) -> str:
    if not is_object_name(name):
        raise BackupError(f"backup {key}: {object_path(key, MANIFEST)}: object name {name!r} "
                          f"is not {OBJECT_RULE}")
    return name


@dataclass(frozen=True)
class ObjectEntry:
    name: str
    size: int
    sha256: str

    @classmethod
    def of_file(cls, name: str, path: Path) -> ObjectEntry:
        return cls(name, path.stat().st_size, sha256_file(path))


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _mac(keys: BackupKeys, body: dict[str, Any]) -> str:
    return hmac.new(keys.manifest, _canonical(body), hashlib.sha256).hexdigest()


@dataclass
class Manifest:
    key: str
    created: str
    kdf: KdfParams
    objects: list[ObjectEntry] = field(default_factory=list)
    heights: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per node, the height of each of its channels when it was copied."""

    @property
    def backup_id(self) -> str:
        """Unique to this backup (its key and random salt); every archive is bound to it."""
        return f"{self.key}/{self.kdf.salt.hex()}"

    def _body(self) -> dict[str, Any]:
        for entry in self.objects:
            check_object_name(self.key, entry.name)
        return {
            "format": FORMAT, "key": self.key, "created": self.created,
            "kdf": self.kdf.to_json(),
            "objects": [{"name": o.name, "size": o.size, "sha256": o.sha256}
                        for o in self.objects],
            "heights": self.heights,
        }

    def to_json(self, keys: BackupKeys) -> str:
        """The manifest, authenticated with ``keys`` (those of its ``kdf``)."""
        body = self._body()
        return json.dumps({**body, "mac": _mac(keys, body)}, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, key: str, text: str, passphrase: str) -> tuple[Manifest, BackupKeys]:
        """Parse, check every object name, then authenticate with the passphrase."""
        where = f"backup {key}: {object_path(key, MANIFEST)}"
        try:
            raw: Any = json.loads(text)
            version = raw.get("format")
            if version == 1:
                raise BackupError(
                    f"{where}: format 1 (archives in clear, manifest not authenticated) is "
                    "no longer restored: restore it with a version of fabric-on-pulumi from "
                    "before format 2, then take a new backup")
            if version != FORMAT:
                raise BackupError(f"{where}: format {version!r}, expected {FORMAT}")
            objects = [ObjectEntry(check_object_name(key, str(o["name"])), int(o["size"]),
                                   str(o["sha256"])) for o in raw["objects"]]
            heights = {str(node): {str(c): int(h) for c, h in channels.items()}
                       for node, channels in raw["heights"].items()}
            kdf = KdfParams.from_json(raw["kdf"])
            manifest = cls(str(raw["key"]), str(raw["created"]), kdf, objects, heights)
            mac = str(raw["mac"])
        except KdfError as error:
            raise BackupError(f"{where}: {error}") from None
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"{where}: not a valid manifest ({error})") from None
        try:
            keys = derive_keys(passphrase, kdf)
        except KdfError as error:
            raise BackupError(f"backup {key}: {error}") from None
        body = {name: value for name, value in raw.items() if name != "mac"}
        if not hmac.compare_digest(_mac(keys, body), mac):
            raise BackupError(
                f"{where} does not authenticate: the passphrase is wrong, or the manifest "
                "was altered or replaced (with or without its objects)")
        for entry in objects:
            if not SHA256_HEX.fullmatch(entry.sha256) or entry.size < 0:
                raise BackupError(f"{where}: object {entry.name}: not a size and sha256")
        return manifest, keys

    def entry(self, name: str) -> ObjectEntry:
        for entry in self.objects:
            if entry.name == name:
                return entry
        raise BackupError(f"backup {self.key}: the manifest lists no object {name!r}")
