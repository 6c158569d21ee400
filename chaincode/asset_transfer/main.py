"""Runs the asset-transfer contract as a chaincode server (chaincode as a
service): the peer dials CHAINCODE_SERVER_ADDRESS (``host:port`` to listen on,
``0.0.0.0:9999`` in the Deployment) and the server answers as CHAINCODE_ID, the
package ID of the installed CCaaS package (``<label>:<sha256>``).

It serves mutual TLS: CHAINCODE_TLS_CERT and CHAINCODE_TLS_KEY name its
certificate and key files (issued by the org's TLS CA), CHAINCODE_CLIENT_CA_CERT
the CA file a peer's client certificate must chain to; a peer without one is
refused in the handshake. With none of the three set it serves plain gRPC, for
a network whose packages predate TLS: a peer whose package requires TLS fails
its handshake with such a server, so a server missing its TLS settings exposes
nothing. Some but not all three set is an error."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType

from asset_contract import AssetContract
from fabric_chaincode_python.fabric_contract_api import (  # type: ignore[import-untyped]
    ContractChaincode,
)
from serial_writes import serialise_stream_writes

REQUIRED = ("CHAINCODE_ID", "CHAINCODE_SERVER_ADDRESS")
TLS_FILES = ("CHAINCODE_TLS_CERT", "CHAINCODE_TLS_KEY", "CHAINCODE_CLIENT_CA_CERT")


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (Kubernetes stopping the pod) unwinds start() as Ctrl-C would;
    start() then stops the gRPC server gracefully and the process exits 0."""
    del signum, frame
    raise SystemExit(0)


def read_tls_files() -> dict[str, bytes]:
    """Each TLS variable's file, read here: the shim would take a path it cannot
    open for the PEM text itself and fail later with a less clear message."""
    files = {}
    for name in TLS_FILES:
        try:
            files[name] = Path(os.environ[name]).read_bytes()
        except OSError as error:
            raise SystemExit(f"asset_transfer: {name}={os.environ[name]}: "
                             f"cannot read it ({error.strerror})") from None
    return files


def main() -> int:
    plain = not any(os.environ.get(name) for name in TLS_FILES)
    missing = [name for name in (*REQUIRED, *(() if plain else TLS_FILES))
               if not os.environ.get(name)]
    if missing:
        print(f"asset_transfer: set {' and '.join(missing)} (the package ID, the "
              "host:port to listen on, the TLS certificate, key and client CA files)",
              file=sys.stderr)
        return 2
    if plain:
        print("asset_transfer: no CHAINCODE_TLS_* files set: serving plain gRPC",
              file=sys.stderr)
    tls = {} if plain else read_tls_files()
    serialise_stream_writes()
    chaincode = ContractChaincode.new_chaincode(AssetContract())
    signal.signal(signal.SIGTERM, _stop)
    # start() reads the ID and address itself and serves until the process is
    # stopped; a client CA makes the gRPC server require client certificates.
    chaincode.start(cert=tls.get("CHAINCODE_TLS_CERT"), key=tls.get("CHAINCODE_TLS_KEY"),
                    client_ca_certs=tls.get("CHAINCODE_CLIENT_CA_CERT"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
