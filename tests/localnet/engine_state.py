"""What the Pulumi engine keeps of dynamic resources between two ``pulumi up``
runs and how it calls their providers: create when new, diff then update (or
delete and create) when the inputs change, keep the old outputs when diff says
nothing changed, delete what a run no longer declares. Lets fabric-tier tests
change a network's spec step by step exactly as successive ``pulumi up`` runs
would, without the engine."""

from __future__ import annotations

import threading
from typing import Any


class EngineState:
    def __init__(self) -> None:
        self.resources: dict[str, tuple[Any, str, dict[str, Any]]] = {}
        """Resource name -> (provider, id, outputs)."""
        self.steps: list[tuple[str, str]] = []
        """(operation, resource name) of the current run: create, update, replace."""
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def begin(self) -> None:
        """A new ``pulumi up``."""
        with self._lock:
            self._seen = set()
            self.steps = []

    def apply(self, name: str, provider: Any, props: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._seen.add(name)
            previous = self.resources.get(name)
        if previous is None:
            result = provider.create(props)
            identity, outs, step = result.id, dict(result.outs), "create"
        else:
            _, identity, olds = previous
            diff = provider.diff(identity, olds, props)
            if not diff.changes:
                return olds
            if diff.replaces:
                provider.delete(identity, olds)
                result = provider.create(props)
                identity, outs, step = result.id, dict(result.outs), "replace"
            else:
                outs, step = dict(provider.update(identity, olds, props).outs), "update"
        with self._lock:
            self.resources[name] = (provider, identity, outs)
            self.steps.append((step, name))
        return outs

    def delete_unseen(self) -> list[str]:
        """Deletes (newest first) what this run did not declare; their names."""
        gone = [name for name in reversed(list(self.resources)) if name not in self._seen]
        for name in gone:
            provider, identity, outs = self.resources.pop(name)
            provider.delete(identity, outs)
            self.steps.append(("delete", name))
        return gone
