"""A local Fabric network harness: real ``peer`` and ``orderer`` processes on
127.0.0.1, configured by the same settings function the Kubernetes components use
(``fabric_nodes.node_settings``), with only addressing and paths swapped.
Channels and joins are ``fabric_ops`` operations, run by ``LocalNetwork.executor``."""

from localnet.network import LocalNetwork, LocalNode
from localnet.process import NodeStartError
from localnet.release import FabricRelease

__all__ = [
    "FabricRelease",
    "LocalNetwork",
    "LocalNode",
    "NodeStartError",
]
