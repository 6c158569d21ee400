"""A minimal client of a local kube-apiserver, as admin (client certificate): JSON
in, JSON out, no dependencies beyond the standard library."""

from __future__ import annotations

import json
import ssl
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class KubeApi:
    server: str  # https://host:port
    pki: Path  # holds ca.crt, admin.crt, admin.key
    _ssl: ssl.SSLContext | None = field(init=False, default=None)

    def context(self) -> ssl.SSLContext:
        if self._ssl is None:
            ctx = ssl.create_default_context(cafile=str(self.pki / "ca.crt"))
            ctx.load_cert_chain(str(self.pki / "admin.crt"), str(self.pki / "admin.key"))
            self._ssl = ctx
        return self._ssl

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        timeout: float = 30,
    ) -> Any:
        """One call; returns the decoded JSON (None for an empty body)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, context=self.context(), timeout=timeout) as r:
            return json.loads(r.read() or b"null")

    def text(self, path: str, timeout: float = 30) -> str:
        """A GET whose answer is plain text (pod logs)."""
        req = urllib.request.Request(self.server + path)
        with urllib.request.urlopen(req, context=self.context(), timeout=timeout) as r:
            return str(r.read().decode(errors="replace"))

    def ok(self, path: str) -> bool:
        req = urllib.request.Request(self.server + path)
        with urllib.request.urlopen(req, context=self.context(), timeout=2) as r:
            return bool(r.status == 200)


def insecure_ok(url: str) -> bool:
    """True when url answers 200; the components' self-signed serving certificates
    are not checked (health endpoints on 127.0.0.1 only)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(url, context=ctx, timeout=2) as r:
        return bool(r.status == 200)
