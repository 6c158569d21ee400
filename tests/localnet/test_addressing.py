"""Node ports for local networks: drawn below the ephemeral range that outgoing
connections take their local ports from, distinct, and never one that something
already holds."""

from __future__ import annotations

import socket
from unittest import mock

import pytest

from fabric_nodes.local_network import LOCAL_HOST
from localnet.addressing import NODE_PORTS, free_ports


def ephemeral_start() -> int:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as ranges:
        return int(ranges.read().split()[0])


def test_ports_are_distinct_free_and_below_the_ephemeral_range():
    ports = free_ports(60)
    assert len(set(ports)) == 60
    assert all(p in NODE_PORTS and p < ephemeral_start() for p in ports)
    for port in ports:
        with socket.socket() as sock:
            sock.bind((LOCAL_HOST, port))


def test_a_port_in_use_is_never_handed_out():
    with socket.socket() as held:
        held.bind((LOCAL_HOST, NODE_PORTS.start))
        order = [NODE_PORTS.start, NODE_PORTS.start + 1, NODE_PORTS.start + 2]
        with mock.patch("random.sample", return_value=order):
            assert free_ports(2) == [NODE_PORTS.start + 1, NODE_PORTS.start + 2]


def test_too_few_free_ports_are_named():
    with socket.socket() as held:
        held.bind((LOCAL_HOST, NODE_PORTS.start))
        with mock.patch("random.sample", return_value=[NODE_PORTS.start]), \
                pytest.raises(OSError, match="only 0 of the 1 ports"):
            free_ports(1)
