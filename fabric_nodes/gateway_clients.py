"""What a Fabric Gateway client of one peer org needs to connect, per peer: the
endpoint as reachable from where the client runs (a Service DNS name in the
cluster, 127.0.0.1 and the real port for a local network), the org's TLS root
certificate, the MSP ID, and the host name to verify in the peer's TLS
certificate. Public data only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fabric_nodes.node_settings import Addressing, peer_address
from network_spec import NetworkSpec, OrgSpec


def gateway_client(org: OrgSpec, addressing: Addressing, tls_ca_cert: str,
                   external: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``hostNameOverride`` is the peer's common name, always one of its TLS
    certificate's SANs, so it verifies whatever address the endpoint uses.
    ``external``: per peer common name, the ``host:port`` clients outside the
    cluster use (``fabric:externalAccess``), given as ``externalEndpoint``."""
    return {
        "mspId": org.msp_id,
        "tlsRootCert": tls_ca_cert,
        "peers": {
            node.common_name: {
                "endpoint": peer_address(addressing, node),
                "hostNameOverride": node.common_name,
                **({"externalEndpoint": external[node.common_name]} if external else {}),
            }
            for node in org.nodes
        },
    }


def gateway_clients(
    spec: NetworkSpec, addressing: Addressing, tls_ca_certs: dict[str, str],
    external: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """The ``gatewayClients`` stack output: per peer org name, its
    ``gateway_client``; ``tls_ca_certs`` maps org name to its TLS CA PEM."""
    return {org.name: gateway_client(org, addressing, tls_ca_certs[org.name], external)
            for org in spec.peer_orgs}
