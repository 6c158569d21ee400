"""Removes the stack locks of a file state backend that a killed `pulumi` left
behind: a lock (``.pulumi/locks/**/<id>.json``, holding the pid and host name of
the process that took it) whose process no longer runs on this machine. Without
this, every run after a killed one stops with "the stack is currently locked".
Locks of running processes and of other machines are left alone.

    python -m tools.stale_locks BACKEND_DIR
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path


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


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for lock in stale_locks(Path(argv[0]), socket.gethostname()):
        lock.unlink()
        print(f"[up] removed the lock of a pulumi run that is gone: {lock}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
