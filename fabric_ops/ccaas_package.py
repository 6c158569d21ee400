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


def ccaas_package(label: str, address: str, dial_timeout: str = "10s") -> CcaasPackage:
    """The package Fabric's ccaas builder understands: ``metadata.json`` (type
    ccaas) and ``code.tar.gz`` holding ``connection.json`` with the address of the
    chaincode server (``host:port``, plain gRPC inside the cluster)."""
    connection = {"address": address, "dial_timeout": dial_timeout, "tls_required": False}
    code = _tar_gz({"connection.json": _json(connection)})
    package = _tar_gz({"code.tar.gz": code, "metadata.json": _json({"label": label,
                                                                    "type": "ccaas"})})
    return CcaasPackage(label=label, data=package)
