"""The Fabric release, the scaled network and a populated simple network shared
by the fabric tier, and a fresh simple network for every test module that asks
for ``net``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fabric_components.providers.scraper_identity import ScraperIdentityProvider
from localnet import FabricRelease, LocalNetwork
from localnet.release import REPO_ROOT
from localnet.state_database import CouchDBServer
from tests.fabric_version import fabric_test_release
from tests.localnet.couchdb_server import COUCHDB_PEER, running_couchdb
from tests.localnet.gateway_client import client_script
from tests.localnet.populate import populated

__all__ = ["client_script"]


@pytest.fixture(scope="session")
def fabric_release() -> FabricRelease:
    """The release the tier runs (``tests.fabric_version``)."""
    return fabric_test_release()


@pytest.fixture(scope="session")
def scaled_net(
    fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalNetwork]:
    workdir: Path = tmp_path_factory.mktemp("scaled")
    with LocalNetwork.start(REPO_ROOT / "samples" / "scaled", workdir, fabric_release) as net:
        yield net


@pytest.fixture(scope="session")
def scraper(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The monitoring scraper's identity as the stack issues it (its provider),
    its certificate and key also as files."""
    outs = ScraperIdentityProvider().create({"common_name": "prometheus.fabric"}).outs
    assert outs is not None
    folder = tmp_path_factory.mktemp("scraper")
    (folder / "tls.crt").write_text(outs["cert"])
    (folder / "tls.key").write_text(outs["key"])
    return {**outs, "cert_file": str(folder / "tls.crt"), "key_file": str(folder / "tls.key")}


@pytest.fixture(scope="session")
def couchdb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CouchDBServer]:
    """A CouchDB-compatible server (pouchdb-server's HTTP layer, in memory) on
    127.0.0.1, for one peer's state database."""
    with running_couchdb(tmp_path_factory.mktemp("couchdb")) as server:
        yield server


@pytest.fixture(scope="session")
def populated_simple(
    fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory,
    scraper: dict[str, str], couchdb_server: CouchDBServer,
) -> Iterator[LocalNetwork]:
    """samples/simple with its channel joined and its chaincode committed and
    served, its operations endpoints trusting ``scraper``'s CA as with
    monitoring on, and ``COUCHDB_PEER`` keeping its state in ``couchdb_server``
    (the other peer in LevelDB); its tests only add transactions (each with
    its own keys)."""
    workdir: Path = tmp_path_factory.mktemp("populated-simple")
    with populated(REPO_ROOT / "samples" / "simple", workdir, fabric_release,
                   scraper_ca=scraper["ca_cert"],
                   couchdb={COUCHDB_PEER: couchdb_server}) as (network, _):
        yield network


@pytest.fixture(scope="module")
def net(
    fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalNetwork]:
    """samples/simple, started for one test module (its tests may change it)."""
    workdir: Path = tmp_path_factory.mktemp("simple")
    with LocalNetwork.start(REPO_ROOT / "samples" / "simple", workdir, fabric_release) as network:
        yield network
