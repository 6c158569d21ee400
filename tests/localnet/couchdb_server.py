"""A CouchDB-compatible server for a local peer's state database: pouchdb-server's
HTTP layer (express-pouchdb, in memory) started by the project's
``couchdb-server.js`` (``tools/build-tools.sh pouchdb-server``), because Apache
CouchDB cannot be obtained on the machines the tests run on. The launcher adds
the four CouchDB behaviours Fabric's client relies on that express-pouchdb
lacks (see its header)."""

from __future__ import annotations

import os
import secrets
import selectors
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from localnet.state_database import CouchDBServer
from tests.engine.pulumi_runner import build

ADMIN = "admin"
COUCHDB_PEER = "peer0.org1.example.com"
"""The peer of the fabric tier's ``populated_simple`` whose state database is
CouchDB (the other peer runs LevelDB)."""
START_SECONDS = 30.0
LISTENING = "listening "


def couchdb_server_script() -> Path:
    """Installs (or reuses) the pinned server in the tool cache; its launcher."""
    return build("pouchdb-server")[-1] / "couchdb-server.js"


def _first_line(process: subprocess.Popen[str], errors: Path, timeout: float) -> str:
    """The server's first stdout line, or a failure with what it wrote to stderr."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if selector.select(timeout):
            line = process.stdout.readline()
            if line:
                return line.strip()
    process.kill()
    process.wait()
    raise AssertionError(f"couchdb-server.js did not start within {timeout} s: "
                         f"{errors.read_text(encoding='utf-8', errors='replace')}")


@contextmanager
def running_couchdb(workspace: Path) -> Iterator[CouchDBServer]:
    """A server on 127.0.0.1 (a free port) with a fresh admin password, its
    request log and stderr in ``workspace``; stopped on exit."""
    password = secrets.token_hex(16)
    errors = workspace / "stderr.log"
    with errors.open("w") as stderr:
        process = subprocess.Popen(
            ["node", str(couchdb_server_script()), "--log", str(workspace / "requests.log")],
            env={"PATH": os.environ["PATH"], "COUCHDB_USER": ADMIN,
                 "COUCHDB_PASSWORD": password},
            stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=workspace)
    try:
        line = _first_line(process, errors, START_SECONDS)
        assert line.startswith(LISTENING), line
        yield CouchDBServer(line.removeprefix(LISTENING), ADMIN, password)
    finally:
        process.terminate()
        process.communicate(timeout=10)
