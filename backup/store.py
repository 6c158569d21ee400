"""Where backups live. Object names are ``/``-separated paths; a store only
puts, gets and lists whole objects, which is all a backup needs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Protocol


class ObjectMissing(Exception):
    """The store has no object of that name."""


class ObjectStore(Protocol):
    def put(self, name: str, source: Path) -> None:
        """Store the file ``source`` as object ``name`` (replacing it)."""

    def get(self, name: str, target: Path) -> None:
        """Write object ``name`` to the file ``target``; ObjectMissing if absent."""

    def names(self, prefix: str) -> list[str]:
        """The names of the objects under ``prefix``, sorted."""


class LocalDirStore:
    """A directory as an object store, for development and tests. Writes go to
    a temporary file first, so an interrupted put never leaves a partial object."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        parts = name.split("/")
        if not name or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"object name {name!r}: not a relative path")
        return self.root.joinpath(*parts)

    def put(self, name: str, source: Path) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        shutil.copyfile(source, partial)
        os.replace(partial, path)

    def get(self, name: str, target: Path) -> None:
        try:
            shutil.copyfile(self._path(name), target)
        except FileNotFoundError:
            raise ObjectMissing(name) from None

    def names(self, prefix: str) -> list[str]:
        base = self._path(prefix.rstrip("/"))
        if not base.is_dir():
            return []
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in base.rglob("*")
            if path.is_file() and not path.name.endswith(".partial")
        )
