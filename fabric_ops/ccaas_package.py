"""Chaincode-as-a-service packages, built byte-for-byte reproducibly so the
package ID (``<label>:<sha256 of the package>``) is the same on every run and
machine: sorted entries, fixed mtimes, owners and modes, and a gzip header
without a timestamp or file name."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass

CCAAS_PORT = 9999
BUILDER_TLS_FIELDS = ("root_cert", "client_cert", "client_key")
"""connection.json's TLS fields, filled in by the external builder from the
peer's ``CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG`` (``ccaas_builder_config``)."""
SERVER_TLS_FILES = {"CHAINCODE_TLS_CERT": "tls.crt", "CHAINCODE_TLS_KEY": "tls.key",
                    "CHAINCODE_CLIENT_CA_CERT": "ca.crt"}
"""The chaincode server's TLS settings: each variable names a file of its TLS
directory (server certificate and key from the org's TLS CA, and that CA, which
the peers' client certificates must chain to)."""


@dataclass(frozen=True)
class CcaasPackage:
    label: str
    data: bytes

    @property
    def package_id(self) -> str:
        return f"{self.label}:{hashlib.sha256(self.data).hexdigest()}"


def _tar_gz(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(files[name]))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def _json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def ccaas_package(
    label: str, address: str, dial_timeout: str = "10s", tls: bool = True
) -> CcaasPackage:
    """The package Fabric's ccaas builder understands: ``metadata.json`` (type
    ccaas) and ``code.tar.gz`` holding ``connection.json`` with the address of the
    chaincode server (``host:port``) and mutual TLS required.

    The TLS fields are builder templates (``{{.root_cert}}``...), filled in on
    each peer from its own environment: the package, and so the package ID,
    carries no certificate or key, stays the same for every peer of the org and
    is known before anything is issued. Without ``tls`` (``fabric:endpointTls``
    false) plain gRPC, the package of a network created before mutual TLS."""
    connection: dict[str, object] = {"address": address, "dial_timeout": dial_timeout,
                                     "tls_required": tls}
    if tls:
        connection["client_auth_required"] = True
        connection.update({name: f"{{{{.{name}}}}}" for name in BUILDER_TLS_FIELDS})
    code = _tar_gz({"connection.json": _json(connection)})
    package = _tar_gz({"code.tar.gz": code, "metadata.json": _json({"label": label,
                                                                    "type": "ccaas"})})
    return CcaasPackage(label=label, data=package)


def ccaas_builder_config(root_cert: str, client_cert: str, client_key: str) -> str:
    """A peer's ``CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG``: the org's TLS CA (which
    the chaincode server's certificate must chain to) and the peer's TLS key
    pair, presented to the chaincode server as its client certificate."""
    return json.dumps(dict(zip(BUILDER_TLS_FIELDS, (root_cert, client_cert, client_key),
                               strict=True)), sort_keys=True)


def server_tls_environment(tls_dir: str) -> dict[str, str]:
    """The chaincode server's TLS variables for the files in ``tls_dir``."""
    return {name: f"{tls_dir}/{file}" for name, file in SERVER_TLS_FILES.items()}
