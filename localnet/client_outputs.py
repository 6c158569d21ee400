"""What clients of a local network read: the ``connectionProfiles`` and
``gatewayClients`` outputs a stack on it gives (``fabric:localNetwork``), as
``pulumi stack output --json`` prints them, computed without a stack."""

from __future__ import annotations

import json

from fabric_nodes.connection_profile import connection_profiles
from fabric_nodes.gateway_clients import gateway_clients
from localnet.network import LocalNetwork


def client_outputs(net: LocalNetwork) -> str:
    pems = {org.name: net.tls_ca_file(org.name).read_text() for org in net.spec.orgs}
    return json.dumps({"connectionProfiles": connection_profiles(net.spec, net.addressing, pems),
                       "gatewayClients": gateway_clients(net.spec, net.addressing, pems)},
                      indent=2, sort_keys=True)
