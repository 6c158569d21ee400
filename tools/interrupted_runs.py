"""What a killed `pulumi up` leaves behind, found and cleared so that the next run
of tools/up.sh converges instead of stopping:

- a stack lock of the file state backend (``.pulumi/locks/**/<id>.json``, holding
  the pid and host name of the process that took it) whose process no longer runs
  on this machine: without clearing it, every later run stops with "the stack is
  currently locked". Locks of running processes and of other machines are left
  alone.
- pending operations in the stack's state (resources the killed run was creating,
  updating or deleting): each later run warns of them, and a pending create stays
  until a refresh clears it. Every resource of the program converges when created
  again (server-side apply for Kubernetes objects, query-then-act for the Fabric
  steps), so tools/up.sh clears them with ``pulumi refresh --clear-pending-creates``.

    python -m tools.interrupted_runs locks BACKEND_DIR     # removes stale locks
    pulumi stack export | python -m tools.interrupted_runs pending
                                                            # exit 0: there are some
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Any


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_locks(backend: Path, hostname: str) -> list[Path]:
    """Lock files in ``backend`` taken on ``hostname`` by processes that are gone."""
    stale = []
    for lock in sorted((backend / ".pulumi" / "locks").rglob("*.json")):
        try:
            content = json.loads(lock.read_text())
            pid, host = int(content["pid"]), str(content["hostname"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a lock this module understands: leave it
        if host == hostname and not _running(pid):
            stale.append(lock)
    return stale


def pending_operations(export: dict[str, Any]) -> list[str]:
    """``<type> <urn>`` of each pending operation in a ``pulumi stack export``."""
    deployment = export.get("deployment") or {}
    return [f"{op.get('type', '?')} {op.get('resource', {}).get('urn', '?')}"
            for op in deployment.get("pending_operations") or []]


def _remove_stale_locks(backend: str) -> int:
    for lock in stale_locks(Path(backend), socket.gethostname()):
        lock.unlink()
        # The file backend keeps each object's attributes beside it.
        lock.with_name(lock.name + ".attrs").unlink(missing_ok=True)
        print(f"[up] removed the lock of a pulumi run that is gone: {lock}", file=sys.stderr)
    return 0


def _report_pending() -> int:
    pending = pending_operations(json.load(sys.stdin))
    for operation in pending:
        print(f"[up] interrupted by a killed run: {operation}", file=sys.stderr)
    return 0 if pending else 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["locks"] and len(argv) == 2:
        return _remove_stale_locks(argv[1])
    if argv == ["pending"]:
        return _report_pending()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
