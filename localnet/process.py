"""One Fabric node as a child process: its own process group, its log in a file,
health from the operations endpoint, and a stop that leaves nothing behind."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from fabric_nodes.node_settings import EnvValue
from fabric_ops.polling import poll

PR_SET_PDEATHSIG = 1
STOP_GRACE_SECONDS = 5.0
LOG_TAIL_LINES = 40


class NodeStartError(Exception):
    """A node exited or did not become healthy; the message ends with its log tail."""


def process_environment(settings: Mapping[str, EnvValue]) -> dict[str, str]:
    """Fabric settings plus PATH and HOME: nothing else of the caller's
    environment reaches a node or a CLI command."""
    env: dict[str, str] = {}
    for key, value in settings.items():
        if not isinstance(value, str):
            raise ValueError(f"{key}: a Kubernetes Secret reference has no local value")
        env[key] = value
    for key in ("PATH", "HOME"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel kills the node when the harness
    dies, even by SIGKILL, so no node outlives it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


class NodeProcess:
    """A started node. ``env`` is the whole environment of the process."""

    def __init__(
        self, name: str, argv: list[str], env: Mapping[str, str], cwd: Path, log: Path
    ) -> None:
        self.name = name
        self.log = log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(
                argv,
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def failure(self, problem: str) -> NodeStartError:
        return NodeStartError(f"{self.name}: {problem}; log {self.log}:\n{log_tail(self.log)}")

    def peak_rss_kib(self) -> int:
        """VmHWM of the running process, in KiB."""
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise RuntimeError(f"{self.name}: no VmHWM in /proc/{self.pid}/status")

    def signal_group(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the node's process group (the node and any child)."""
        if self.popen.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)

    def reap(self, deadline: float) -> None:
        """Wait for the node until ``deadline`` (time.monotonic), then SIGKILL it."""
        try:
            self.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait()


def stop_all(processes: list[NodeProcess]) -> None:
    """SIGTERM to every process group at once, SIGKILL to those still running
    after a shared grace period."""
    for process in processes:
        process.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        process.reap(deadline)


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Ignores http_proxy and friends: the nodes are on 127.0.0.1."""


def operations_tls(ca_file: str | Path, client: tuple[str | Path, str | Path] | None = None,
                   ) -> ssl.SSLContext:
    """What a caller of an operations endpoint verifies the node with (its org's
    TLS CA and the node's name, 127.0.0.1 locally) and, with ``client`` (a
    certificate and key file), presents: Fabric serves ``/metrics`` and
    ``/logspec`` only to a client certificate of the org's TLS CA."""
    context = ssl.create_default_context(cafile=str(ca_file))
    if client is not None:
        context.load_cert_chain(str(client[0]), str(client[1]))
    return context


def http_get(url: str, context: ssl.SSLContext | None = None) -> tuple[int, str]:
    """Status and body of an HTTP(S) GET (operations endpoints); ``context``
    verifies an https server."""
    opener = _DIRECT if context is None else urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=2) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def health(url: str, context: ssl.SSLContext | None = None) -> tuple[bool, str]:
    """Whether ``url`` answers 200, and otherwise what it answered (e.g. the
    failed checks) or why it could not be reached."""
    try:
        status, body = http_get(url, context)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return False, str(error)
    return (True, "") if status == 200 else (False, f"HTTP {status}: {body}")


def accepts(endpoint: str) -> tuple[bool, str]:
    """Whether ``host:port`` accepts a TCP connection now."""
    host, port = endpoint.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True, ""
    except OSError as error:
        return False, f"{endpoint}: {error}"


Probe = tuple[str, str, ssl.SSLContext]
"""What ``wait_ready`` polls for a node: its health URL (https), its gRPC
endpoint and how to verify the health endpoint's certificate."""


def wait_ready(nodes: Mapping[NodeProcess, Probe], timeout: float) -> None:
    """Poll every node until its ``/healthz`` URL answers 200 and its gRPC
    endpoint accepts connections (a node answers /healthz while it still opens
    its ledgers, before it serves). Raises ``NodeStartError`` with the log tail
    of the first node that exited or, at the timeout, of the first one still
    not ready."""
    pending = {node: (probes, "") for node, probes in nodes.items()}

    def all_ready() -> bool | None:
        for node, ((url, endpoint, context), _) in list(pending.items()):
            if not node.running():
                raise node.failure(f"exited with code {node.popen.returncode} while starting")
            ok, answer = health(url, context)
            if ok:
                ok, answer = accepts(endpoint)
            if ok:
                del pending[node]
            else:
                pending[node] = ((url, endpoint, context), answer)
        return True if not pending else None

    def not_ready() -> Exception:
        node, ((url, _, _), answer) = next(iter(pending.items()))
        return node.failure(f"{url} not ready after {timeout:.0f} s ({answer})")

    poll(all_ready, timeout, 0.1, not_ready)
