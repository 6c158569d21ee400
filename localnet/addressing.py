"""Placing every node on 127.0.0.1 with its own free ports."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator, Sequence
from contextlib import ExitStack

from fabric_nodes.local_network import LOCAL_HOST, StaticAddressing
from fabric_nodes.node_settings import OrdererPorts, PeerPorts
from network_spec import NetworkSpec, NodeSpec, OrgKind

LOCAL_SANS = ("localhost", LOCAL_HOST)
"""Extra TLS SANs of every local node, so that clients dialling 127.0.0.1 verify
the node's server certificate."""


NODE_PORTS = range(20000, 30000)
"""Where nodes' ports are drawn from: below Linux's ephemeral range (32768 and
up by default), from which every outgoing connection on the machine takes its
local port, so that none can take a node's port between its choice and the
node's bind (orderers failed to start on it under load); below Kubernetes'
NodePorts (30000 and up) too."""


def free_ports(count: int, host: str = LOCAL_HOST) -> list[int]:
    """``count`` distinct ports of ``NODE_PORTS`` free on ``host`` now, in
    random order. All sockets stay bound until every port is picked, so none is
    handed out twice; another program drawing from the same range may still
    take one before the node binds it (unlikely: one chance in thousands)."""
    with ExitStack() as stack:
        ports: list[int] = []
        for port in random.sample(NODE_PORTS, len(NODE_PORTS)):
            if len(ports) == count:
                break
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind((host, port))
            except OSError:
                sock.close()
                continue
            stack.enter_context(sock)
            ports.append(port)
        if len(ports) < count:
            raise OSError(f"only {len(ports)} of the {count} ports asked for are free "
                          f"on {host} in {NODE_PORTS.start}-{NODE_PORTS.stop - 1}")
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
