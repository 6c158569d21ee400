"""Entry point: crypto-config.yaml + network.yaml -> a validated NetworkSpec."""

from __future__ import annotations

from pathlib import Path

from network_spec.crypto_config import load_crypto_config
from network_spec.model import NetworkSpec
from network_spec.network_file import load_network_file
from network_spec.org_refs import OrgDirectory


def load_network(crypto_config: str | Path, network: str | Path) -> NetworkSpec:
    """Load and validate both files.

    Raises ``SpecError`` (and nothing else) on bad input; its ``file`` is the path
    as given here and its ``path`` the field, e.g. ``channels[1].orgs[0]``.
    """
    crypto = load_crypto_config(str(crypto_config))
    directory = OrgDirectory(crypto.orderer_orgs, crypto.peer_orgs)
    network_file = load_network_file(str(network), directory)
    return NetworkSpec(
        orderer_orgs=crypto.orderer_orgs,
        peer_orgs=crypto.peer_orgs,
        channels=network_file.channels,
        chaincodes=network_file.chaincodes,
        state_database=network_file.state_database,
    )
