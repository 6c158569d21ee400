"""Placing every node on 127.0.0.1 with its own free ports."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from contextlib import ExitStack

from fabric_nodes.local_network import LOCAL_HOST, StaticAddressing
from fabric_nodes.node_settings import OrdererPorts, PeerPorts
from network_spec import NetworkSpec, NodeSpec, OrgKind

LOCAL_SANS = ("localhost", LOCAL_HOST)
"""Extra TLS SANs of every local node, so that clients dialling 127.0.0.1 verify
the node's server certificate."""


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on 127.0.0.1 now. All sockets stay bound until
    every port is picked, so none is handed out twice; another program may still
    take one before the node binds it (unlikely on a test machine)."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((LOCAL_HOST, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def allocate(spec: NetworkSpec) -> StaticAddressing:
    """Three free ports for every peer and every orderer of ``spec``."""
    return allocate_nodes([(org.kind, node) for org in spec.orgs for node in org.nodes])


def allocate_nodes(nodes: Sequence[tuple[OrgKind, NodeSpec]]) -> StaticAddressing:
    """Three free ports for each node (its org's kind, the node)."""
    ports: Iterator[int] = iter(free_ports(3 * len(nodes)))
    peers: dict[str, PeerPorts] = {}
    orderers: dict[str, OrdererPorts] = {}
    for kind, node in nodes:
        a, b, c = next(ports), next(ports), next(ports)
        if kind is OrgKind.PEER:
            peers[node.common_name] = PeerPorts(peer=a, chaincode=b, operations=c)
        else:
            orderers[node.common_name] = OrdererPorts(listen=a, admin=b, operations=c)
    return StaticAddressing(peers=peers, orderers=orderers)
