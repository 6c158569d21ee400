"""Which local peers keep their state in CouchDB: only peers of the network,
each with a server of its own, logging in with plain credentials."""

from __future__ import annotations

import pytest

from fabric_nodes.node_settings import COUCHDB_PASSWORD_ENV, COUCHDB_USER_ENV
from localnet.network import load_spec_dir
from localnet.release import REPO_ROOT
from localnet.state_database import CouchDBServer, check_couchdb_peers, couchdb_credentials

SPEC = load_spec_dir(REPO_ROOT / "samples" / "simple")
SERVER = CouchDBServer("127.0.0.1:5984", "admin", "pw")


def test_a_peer_of_the_network_may_run_couchdb() -> None:
    check_couchdb_peers(SPEC, {"peer0.org1.example.com": SERVER,
                               "peer0.org2.example.com": CouchDBServer("127.0.0.1:5985",
                                                                       "admin", "pw")})


@pytest.mark.parametrize("name", ["peer9.org1.example.com", "orderer0.example.com"])
def test_a_name_that_is_no_peer_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match=rf"CouchDB servers for \['{name}'\]: the network "
                                         r"has no such peer \(its peers: \['peer0"):
        check_couchdb_peers(SPEC, {name: SERVER})


def test_two_peers_never_share_a_server() -> None:
    with pytest.raises(ValueError, match=r"\['127.0.0.1:5984'\]: each serves more than one"):
        check_couchdb_peers(SPEC, {"peer0.org1.example.com": SERVER,
                                   "peer0.org2.example.com": SERVER})


def test_the_credentials_replace_the_secret_references() -> None:
    assert couchdb_credentials(SERVER) == {COUCHDB_USER_ENV: "admin", COUCHDB_PASSWORD_ENV: "pw"}
