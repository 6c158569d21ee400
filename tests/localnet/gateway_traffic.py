"""Background writes through the Gateway client example (``gateway_client``):
each write is one ``submit CreateAsset`` through a peer's Gateway, which
endorses it, hands it to the orderers it finds in the channel config (on a BFT
channel, Fabric 3's Gateway submits to the consenters itself) and waits for
its commit. A write the client acknowledged (exit 0) was committed; a failed
one is kept with the client's error and promised nothing."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from network_spec import OrgSpec
from tests.localnet.gateway_client import run_client
from tests.localnet.traffic import WriteLoop


@dataclass
class GatewayTraffic(WriteLoop):
    """``CreateAsset(<prefix>-<n>, <n>)`` in a loop, as the first user of ``org``."""

    script: Path
    """The compiled client (the ``client_script`` fixture)."""
    outputs: Path
    """The ``gatewayClients`` outputs of the network (``localnet.client_outputs``)."""
    crypto_dir: Path
    org: OrgSpec
    channel: str
    chaincode: str
    prefix: str = "gateway"
    acknowledged: list[str] = field(default_factory=list)
    acknowledged_at: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _write(self, n: int) -> str:
        result = run_client(self.script, self.outputs, self.crypto_dir, self.org, self.channel,
                            self.chaincode, "submit", "CreateAsset", f"{self.prefix}-{n}", str(n))
        if result.returncode == 0:
            return ""
        return (result.stderr.strip() or f"exit status {result.returncode}")[:400]
