"""A local Fabric network harness: real ``peer`` and ``orderer`` processes on
127.0.0.1, configured by the same settings function the Kubernetes components use
(``fabric_components.node_settings``), with only addressing and paths swapped."""

from localnet.addressing import LocalAddressing
from localnet.admin import AdminCli, CommandError
from localnet.channel import create_genesis_block
from localnet.network import LocalNetwork, LocalNode
from localnet.process import NodeStartError
from localnet.release import FabricRelease

__all__ = [
    "AdminCli",
    "CommandError",
    "FabricRelease",
    "LocalAddressing",
    "LocalNetwork",
    "LocalNode",
    "NodeStartError",
    "create_genesis_block",
]
