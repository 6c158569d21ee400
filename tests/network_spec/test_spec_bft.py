"""BFT channels: at least 4 consenters, channel capability V3_0."""

import pytest

from network_spec import SpecError, load_network
from network_spec.bft import bft_quorum, fault_tolerance

CRYPTO_CONFIG = """\
OrdererOrgs:
  - Name: OrdA
    Domain: a.example.com
    Template: {Count: 3}
  - Name: OrdB
    Domain: b.example.com
    Template: {Count: 2}
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    Template: {Count: 1}
"""


@pytest.fixture
def load(tmp_path):
    def load(network: str):
        (tmp_path / "crypto-config.yaml").write_text(CRYPTO_CONFIG)
        (tmp_path / "network.yaml").write_text(network)
        return load_network(tmp_path / "crypto-config.yaml", tmp_path / "network.yaml")

    return load


def test_bft_channel_takes_every_orderer_and_channel_capability_v3(load):
    (channel,) = load("channels: [{name: ch, orgs: [Org1], consensus: BFT}]\n").channels
    assert channel.consensus == "BFT"
    assert len(channel.consenters) == 5
    assert channel.settings.capabilities.channel == "V3_0"
    assert channel.settings.capabilities.application == "V2_0"


def test_raft_channel_keeps_channel_capability_v2(load):
    (channel,) = load("channels: [{name: ch, orgs: [Org1]}]\n").channels
    assert channel.settings.capabilities.channel == "V2_0"


def test_bft_channel_with_v3_written_out(load):
    (channel,) = load(
        "channels: [{name: ch, orgs: [Org1], consensus: BFT, capabilities: {channel: V3_0}}]\n"
    ).channels
    assert channel.settings.capabilities.channel == "V3_0"


@pytest.mark.parametrize(
    ("network", "message"),
    [
        (
            "channels: [{name: ch, orgs: [Org1], consensus: BFT, ordererOrgs: [OrdA]}]\n",
            "channels[0].consensus: a BFT channel needs at least 4 consenters (3f+1 tolerate f "
            "faulty ones); this one has 3 (orderer0.a.example.com, orderer1.a.example.com, "
            "orderer2.a.example.com), which tolerates none: add ordering nodes or use etcdraft",
        ),
        (
            "channels: [{name: ch, orgs: [Org1], consensus: BFT,"
            " consenters: [orderer0.a.example.com]}]\n",
            "channels[0].consenters: a BFT channel needs at least 4 consenters (3f+1 tolerate f "
            "faulty ones); this one has 1 (orderer0.a.example.com), which tolerates none: add "
            "ordering nodes or use etcdraft",
        ),
        (
            "channels: [{name: ch, orgs: [Org1], consensus: BFT, capabilities: {channel: V2_0}}]\n",
            "channels[0].capabilities.channel: a BFT channel needs channel capability V3_0, "
            "got 'V2_0'",
        ),
    ],
    ids=["three-consenters", "one-consenter", "channel-capability-v2"],
)
def test_bad_bft_channel(load, tmp_path, network, message):
    with pytest.raises(SpecError) as error:
        load(network)
    assert str(error.value) == f"{tmp_path / 'network.yaml'}: {message}"


@pytest.mark.parametrize(
    ("consenters", "tolerated", "quorum"),
    [(1, 0, 1), (3, 0, 2), (4, 1, 3), (5, 1, 4), (6, 1, 4), (7, 2, 5), (10, 3, 7)],
)
def test_fault_tolerance_and_quorum(consenters, tolerated, quorum):
    assert fault_tolerance(consenters) == tolerated
    assert bft_quorum(consenters) == quorum
