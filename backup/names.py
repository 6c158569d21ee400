"""Names in a backup: its key, and the objects a manifest may list. Object
names come from the manifest, which is read from the store before anything
else, so each is checked against a strict pattern before any path or store
name is built from it: no ``..``, no leading ``/``, nothing but the sealed
material and ``nodes/<node>/<archive>.tar.gz``."""

from __future__ import annotations

import re

PREFIX = "backups"
MANIFEST = "manifest.json"
MATERIAL = "network.sealed"
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_PART = r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,252}"
NODE_ARCHIVE = re.compile(rf"nodes/{_PART}/{_PART}\.tar\.gz")
OBJECT_RULE = f"{MATERIAL!r} or nodes/<node>/<archive>.tar.gz (letters, digits, '.', '_', '-')"


def is_object_name(name: str) -> bool:
    return name == MATERIAL or NODE_ARCHIVE.fullmatch(name) is not None


def object_path(key: str, name: str) -> str:
    """Where object ``name`` of backup ``key`` lives in the store."""
    return f"{PREFIX}/{key}/{name}"
