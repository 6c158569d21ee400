"""Running the populate operations against a local network instead of the
cluster's admin toolboxes: for the engine tests (kwok pods never run) and for
local development. A local network (``localnet``) writes a manifest with every
node's ports, every org admin's executor and its crypto directory; the stack
names it with ``fabric:localNetwork`` (and ``fabric:cryptoDir`` with the same
crypto, so the channel configuration matches the running nodes)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from fabric_nodes.manifest_reader import check_fits, read_manifest
from fabric_nodes.node_settings import OrdererPorts, PeerPorts
from network_spec import NetworkSpec, NodeSpec, SpecError

LOCAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class StaticAddressing:
    """Every node on one host, each with its own ports (``Addressing``)."""

    peers: dict[str, PeerPorts] = field(default_factory=dict)
    orderers: dict[str, OrdererPorts] = field(default_factory=dict)
    listen_host: str = LOCAL_HOST

    def host(self, node: NodeSpec) -> str:
        return LOCAL_HOST

    def peer_ports(self, node: NodeSpec) -> PeerPorts:
        return self.peers[node.common_name]

    def orderer_ports(self, node: NodeSpec) -> OrdererPorts:
        return self.orderers[node.common_name]


@dataclass(frozen=True)
class LocalNetworkManifest:
    addressing: StaticAddressing
    executors: dict[str, dict[str, Any]]
    """Per org name, a local executor config (``fabric_ops.executor_config``)."""
    crypto_dir: str
    chaincode_servers: dict[str, str] = field(default_factory=dict)
    """``<chaincode>/<org>`` to the address of a chaincode server already running."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "peers": {cn: asdict(p) for cn, p in self.addressing.peers.items()},
                "orderers": {cn: asdict(p) for cn, p in self.addressing.orderers.items()},
                "executors": self.executors,
                "crypto_dir": self.crypto_dir,
                "chaincode_servers": self.chaincode_servers,
            },
            indent=2,
            sort_keys=True,
        )


def load_manifest(path: str, stack_file: str, spec: NetworkSpec,
                  crypto_dir: str) -> LocalNetworkManifest:
    """The manifest at ``path`` if it is well formed and fits ``spec`` and the
    stack's ``fabric:cryptoDir``; otherwise a SpecError naming the stack key, the
    manifest and its field."""
    try:
        parts = read_manifest(path)
        check_fits(parts, spec, crypto_dir, path)
    except SpecError as error:
        raise SpecError(stack_file, "fabric:localNetwork", str(error)) from None
    return LocalNetworkManifest(
        addressing=StaticAddressing(peers=parts["peers"], orderers=parts["orderers"]),
        executors=parts["executors"],
        crypto_dir=parts["crypto_dir"],
        chaincode_servers=parts["chaincode_servers"],
    )
