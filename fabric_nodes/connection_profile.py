"""Fabric's common connection profile for one peer org: what client SDKs (Fabric
Gateway, fabric-sdk-*) load to find the org's peers, the orderers and their TLS
roots. Public data only: certificates, never keys."""

from __future__ import annotations

from typing import Any

from fabric_nodes.node_settings import Addressing, orderer_address, peer_address
from network_spec import NetworkSpec, OrgSpec


def connection_profile(
    spec: NetworkSpec,
    org: OrgSpec,
    addressing: Addressing,
    tls_ca_certs: dict[str, str],
) -> dict[str, Any]:
    """``tls_ca_certs`` maps org name to its TLS CA certificate PEM."""

    def grpc_options(common_name: str) -> dict[str, str]:
        return {"ssl-target-name-override": common_name, "hostnameOverride": common_name}

    channels = [c for c in spec.channels if org.name in c.orgs]
    orderer_nodes = {
        node.common_name: (orderer_org, node)
        for channel in channels
        for name in channel.orderer_orgs
        for orderer_org in [spec.org(name)]
        for node in orderer_org.nodes
        if node.common_name in channel.consenters
    }
    return {
        "name": f"fabric-{org.k8s_name}",
        "version": "1.0.0",
        "client": {
            "organization": org.name,
            "connection": {"timeout": {"peer": {"endorser": "300"}, "orderer": "300"}},
        },
        "organizations": {
            org.name: {
                "mspid": org.msp_id,
                "peers": [n.common_name for n in org.nodes],
                "certificateAuthorities": [],
            }
        },
        "peers": {
            n.common_name: {
                "url": f"grpcs://{peer_address(addressing, n)}",
                "tlsCACerts": {"pem": tls_ca_certs[org.name]},
                "grpcOptions": grpc_options(n.common_name),
            }
            for n in org.nodes
        },
        "orderers": {
            cn: {
                "url": f"grpcs://{orderer_address(addressing, node)}",
                "tlsCACerts": {"pem": tls_ca_certs[orderer_org.name]},
                "grpcOptions": grpc_options(cn),
            }
            for cn, (orderer_org, node) in sorted(orderer_nodes.items())
        },
        "channels": {
            c.name: {
                "orderers": [cn for cn in c.consenters],
                "peers": {
                    n.common_name: {
                        "endorsingPeer": True,
                        "chaincodeQuery": True,
                        "ledgerQuery": True,
                        "eventSource": True,
                    }
                    for n in org.nodes
                },
            }
            for c in channels
        },
    }


def connection_profiles(
    spec: NetworkSpec, addressing: Addressing, tls_ca_certs: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """The ``connectionProfiles`` stack output: per peer org name, its profile."""
    return {org.name: connection_profile(spec, org, addressing, tls_ca_certs)
            for org in spec.peer_orgs}
