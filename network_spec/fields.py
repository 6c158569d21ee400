"""A small typed reader over parsed YAML that knows where each value sits.

``Field`` is one value with its file and field path (``PeerOrgs[0].Template``);
``Record`` is a mapping whose keys were checked against the allowed ones. Every
type or shape problem becomes a ``SpecError`` naming that path.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import date, datetime

from network_spec.errors import SpecError

_QUOTED_MAX = 80


def describe(value: object) -> str:
    """How a parsed YAML value reads in a message: ``a string ('Org1')``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        if "\n" in value or len(value) > _QUOTED_MAX:
            return f"a string of {len(value)} characters"  # a long value is not echoed
        return f"a string ('{value}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime | date):
        return f"a date ({value.isoformat()})"
    return f"a {type(value).__name__}"


class Field:
    """One parsed value, its file and its field path."""

    def __init__(self, file: str, path: str, value: object) -> None:
        self.file = file
        self.path = path
        self.value = value

    @classmethod
    def root(cls, file: str, value: object) -> Field:
        return cls(file, "", value)

    def error(self, message: str) -> SpecError:
        return SpecError(self.file, self.path, message)

    def key(self, key: str, value: object) -> Field:
        return Field(self.file, f"{self.path}.{key}" if self.path else key, value)

    def _expected(self, what: str, hint: str = "") -> SpecError:
        return self.error(f"expected {what}, got {describe(self.value)}{hint}")

    def text(self, *, allow_empty: bool = False) -> str:
        value = self.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise self._expected("a string", f'; put it in quotes: "{value}"')
        if not isinstance(value, str):
            raise self._expected("a string")
        if not value and not allow_empty:
            raise self.error("must not be empty")
        return value

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self._expected("an integer")
        return self.value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self._expected("a boolean (true or false)")
        return self.value

    def items(self) -> list[Field]:
        if not isinstance(self.value, list):
            raise self._expected("a list")
        return [Field(self.file, f"{self.path}[{i}]", item) for i, item in enumerate(self.value)]

    def texts(self) -> list[tuple[str, Field]]:
        """A list of non-empty strings, each with its own field."""
        return [(item.text(), item) for item in self.items()]

    def entries(self) -> list[tuple[str, Field]]:
        """A mapping with free keys (e.g. org names), as (key, value field) pairs."""
        if not isinstance(self.value, dict):
            raise self._expected("a mapping")
        pairs = []
        for key, value in self.value.items():
            if not isinstance(key, str):
                raise self.error(f"expected string keys, got {describe(key)}")
            pairs.append((key, self.key(key, value)))
        return pairs

    def record(self, allowed: Sequence[str]) -> Record:
        """This value as a mapping whose keys are all among ``allowed``."""
        listing = ", ".join(allowed)
        if self.value is None and not self.path:
            raise self.error(f"the file is empty; expected a mapping with keys {listing}")
        if not isinstance(self.value, dict):
            raise self._expected(f"a mapping with keys {listing}")
        for key in self.value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.error(f"unknown key '{key}'{hint}; allowed keys: {listing}")
        return Record(self, self.value)


class Record:
    """A mapping field with checked keys. A key set to null counts as absent."""

    def __init__(self, field: Field, values: dict[object, object]) -> None:
        self.field = field
        self._values = values

    @property
    def path(self) -> str:
        return self.field.path

    def error(self, message: str) -> SpecError:
        return self.field.error(message)

    def get(self, key: str) -> Field | None:
        value = self._values.get(key)
        return None if value is None else self.field.key(key, value)

    def require(self, key: str) -> Field:
        if key not in self._values:
            raise self.error(f"missing required key '{key}'")
        return self.field.key(key, self._values[key])

    def text(self, key: str, default: str = "") -> str:
        found = self.get(key)
        return default if found is None else found.text()

    def integer(self, key: str, default: int) -> int:
        found = self.get(key)
        return default if found is None else found.integer()

    def boolean(self, key: str, default: bool) -> bool:
        found = self.get(key)
        return default if found is None else found.boolean()

    def items(self, key: str) -> list[Field]:
        found = self.get(key)
        return [] if found is None else found.items()

    def choice(self, key: str, allowed: Sequence[str], default: str) -> str:
        """One of ``allowed``, spelled exactly so; ``default`` when absent."""
        found = self.get(key)
        if found is None:
            return default
        value = found.text()
        if value not in allowed:
            raise found.error(f"must be one of {', '.join(allowed)}, got '{value}'")
        return value
