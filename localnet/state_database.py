"""The state database of a local peer: LevelDB, as the machines the harness runs
on have no CouchDB package, or CouchDB when the harness is given a
CouchDB-compatible server for the peer (the fabric tier starts one:
``tests/localnet/couchdb_server.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fabric_nodes.node_settings import COUCHDB_PASSWORD_ENV, COUCHDB_USER_ENV, EnvValue
from network_spec import NetworkSpec, OrgKind

LEVELDB = "goleveldb"
COUCHDB = "CouchDB"


@dataclass(frozen=True)
class CouchDBServer:
    """A running CouchDB-compatible server and its admin, whom the peer logs in as."""

    address: str
    """``host:port`` of its HTTP API."""
    username: str
    password: str


def couchdb_credentials(server: CouchDBServer) -> dict[str, EnvValue]:
    """The peer's CouchDB login as plain values, in place of the cluster's
    references to the CouchDB Secret."""
    return {COUCHDB_USER_ENV: server.username, COUCHDB_PASSWORD_ENV: server.password}


def check_couchdb_peers(spec: NetworkSpec, couchdb: Mapping[str, CouchDBServer]) -> None:
    """Every name of ``couchdb`` is the common name of a peer of ``spec``, and no
    two peers share a server (a peer's state database is its own)."""
    peers = {node.common_name for org in spec.orgs if org.kind is OrgKind.PEER
             for node in org.nodes}
    unknown = sorted(set(couchdb) - peers)
    if unknown:
        raise ValueError(f"CouchDB servers for {unknown}: the network has no such peer "
                         f"(its peers: {sorted(peers)})")
    addresses = [server.address for server in couchdb.values()]
    shared = sorted({address for address in addresses if addresses.count(address) > 1})
    if shared:
        raise ValueError(f"CouchDB servers {shared}: each serves more than one peer")
