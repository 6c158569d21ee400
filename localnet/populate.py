"""Populating a fresh local network without a stack: every channel created and
joined, every chaincode installed, approved and committed, with the same
``fabric_ops`` operations the stack's populate resources run, as each org's
admin. The genesis block already holds each channel's settings and anchor
peers, so no config update follows; a network changed later is the stack's
job (``fabric:localNetwork``)."""

from __future__ import annotations

from collections.abc import Mapping

from fabric_nodes.node_settings import orderer_address, orderer_admin_address, peer_address
from fabric_ops.ccaas_package import ccaas_package
from fabric_ops.chaincode_ops import (
    Definition,
    Orderer,
    decide_sequence,
    ensure_approved,
    ensure_committed,
    ensure_installed,
)
from fabric_ops.channel_ops import ensure_orderer_joined, ensure_peer_joined, genesis_block
from localnet.network import LocalNetwork
from network_spec import ChaincodeChannel, ChaincodeSpec


def populate(net: LocalNetwork, servers: Mapping[str, str]) -> None:
    """``servers`` maps every ``<chaincode>/<org>`` of the network to the address
    of its chaincode server (the address is part of the package, so of its ID)."""
    spec = net.spec
    missing = sorted({f"{cc.name}/{o}" for cc in spec.chaincodes for o in cc.orgs} - set(servers))
    if missing:
        raise ValueError(f"no chaincode server for {', '.join(missing)}")
    for channel in spec.channels:
        block = genesis_block(net.executor(channel.orderer_orgs[0]), channel.name,
                              net.channel_files(channel.name))
        for common_name in channel.consenters:
            org, node = spec.node(common_name)
            ensure_orderer_joined(net.executor(org.name),
                                  orderer_admin_address(net.addressing, node), org.domain,
                                  channel.name, block)
        for org_name in channel.orgs:
            for node in spec.org(org_name).nodes:
                ensure_peer_joined(net.executor(org_name), peer_address(net.addressing, node),
                                   channel.name, block)
    for cc in spec.chaincodes:
        package_ids = {}
        for org_name in cc.orgs:
            package = ccaas_package(cc.label, servers[f"{cc.name}/{org_name}"])
            package_ids[org_name] = package.package_id
            for node in spec.org(org_name).nodes:
                ensure_installed(net.executor(org_name), peer_address(net.addressing, node),
                                 package)
        for target in cc.channels:
            _define(net, cc, target, package_ids)


def _define(net: LocalNetwork, cc: ChaincodeSpec, target: ChaincodeChannel,
            package_ids: Mapping[str, str]) -> None:
    spec = net.spec
    orderer_org, orderer_node = spec.node(net.channel(target.channel).consenters[0])
    orderer = Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain)
    first_peers = {o: peer_address(net.addressing, spec.org(o).nodes[0]) for o in target.orgs}
    lead = target.orgs[0]
    sequence = decide_sequence(net.executor(lead), first_peers[lead], target.channel, cc.name,
                               cc.version, cc.init_required, changed=False)
    definition = Definition(target.channel, cc.name, cc.version, sequence, target.policy,
                            cc.init_required)
    for org_name in target.orgs:
        ensure_approved(net.executor(org_name), first_peers[org_name], orderer, definition,
                        package_ids[org_name])
    ensure_committed(net.executor(lead), first_peers[lead], orderer, definition,
                     [(first_peers[o], spec.org(o).domain) for o in target.orgs])
