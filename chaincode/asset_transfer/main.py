"""Runs the asset-transfer contract as a chaincode server (chaincode as a
service): the peer dials CHAINCODE_SERVER_ADDRESS (``host:port`` to listen on,
``0.0.0.0:9999`` in the Deployment) and the server answers as CHAINCODE_ID, the
package ID of the installed CCaaS package (``<label>:<sha256>``)."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

from asset_contract import AssetContract
from fabric_chaincode_python.fabric_contract_api import (  # type: ignore[import-untyped]
    ContractChaincode,
)
from serial_writes import serialise_stream_writes

REQUIRED = ("CHAINCODE_ID", "CHAINCODE_SERVER_ADDRESS")


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (Kubernetes stopping the pod) unwinds start() as Ctrl-C would;
    start() then stops the gRPC server gracefully and the process exits 0."""
    del signum, frame
    raise SystemExit(0)


def main() -> int:
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        print(f"asset_transfer: set {' and '.join(missing)} "
              "(the package ID and the host:port to listen on)", file=sys.stderr)
        return 2
    serialise_stream_writes()
    chaincode = ContractChaincode.new_chaincode(AssetContract())
    signal.signal(signal.SIGTERM, _stop)
    # start() reads both variables itself and serves until the process is stopped.
    chaincode.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
