"""Reject a second use of a name, pointing at the first one."""

from __future__ import annotations

from network_spec.fields import Field


class UniqueNames:
    """Remembers where each name was first seen.

    ``UniqueNames("org name")`` gives messages like
    ``org name 'Org1' is already used by PeerOrgs[0].Name``.
    """

    def __init__(self, what: str, *, verb: str = "used by", hint: str = "") -> None:
        self._what = what
        self._verb = verb
        self._hint = hint
        self._first: dict[str, str] = {}

    def claim(self, name: str, field: Field, owner: str = "") -> None:
        """Record ``name`` for ``owner`` (default: the field's path), or raise at ``field``."""
        if name in self._first:
            raise field.error(
                f"{self._what} '{name}' is already {self._verb} {self._first[name]}{self._hint}"
            )
        self._first[name] = owner or field.path
