"""network.yaml's defaults and shorthands, beyond what the samples show."""

import pytest

from network_spec import load_network

CRYPTO_CONFIG = """\
OrdererOrgs:
  - Name: OrdA
    Domain: a.example.com
    Template: {Count: 2}
  - Name: OrdB
    Domain: b.example.com
    Specs: [{Hostname: orderer0}]
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    Specs: [{Hostname: anchor}]
    Template: {Count: 2}
  - Name: Org2
    Domain: org2.example.com
    Template: {Count: 1}
"""


@pytest.fixture
def load(tmp_path):
    def load(network: str):
        (tmp_path / "crypto-config.yaml").write_text(CRYPTO_CONFIG)
        (tmp_path / "network.yaml").write_text(network)
        return load_network(tmp_path / "crypto-config.yaml", tmp_path / "network.yaml")

    return load


def test_empty_mapping_is_a_network_without_channels(load):
    spec = load("{}\n")
    assert (spec.channels, spec.chaincodes, spec.state_database) == ((), (), "goleveldb")


def test_channel_defaults(load):
    (channel,) = load("channels: [{name: ch, orgs: [Org2, Org1]}]\n").channels
    assert channel.orderer_orgs == ("OrdA", "OrdB")
    assert channel.consenters == (
        "orderer0.a.example.com", "orderer1.a.example.com", "orderer0.b.example.com",
    )  # fmt: skip
    # the first peer in cryptogen's order: Specs before Template
    assert channel.anchor_peers == (
        ("Org2", ("peer0.org2.example.com",)),
        ("Org1", ("anchor.org1.example.com",)),
    )
    assert channel.consensus == "etcdraft"


def test_consenters_by_hostname_within_the_channels_orderer_orgs(load):
    (channel,) = load(
        "channels:\n"
        "  - {name: ch, orgs: [Org1], ordererOrgs: [OrdB], consenters: [orderer0]}\n"
    ).channels
    assert (channel.orderer_orgs, channel.consenters) == (("OrdB",), ("orderer0.b.example.com",))


def test_chaincode_channel_defaults(load):
    spec = load(
        "channels:\n"
        "  - {name: both, orgs: [Org1, Org2]}\n"
        "  - {name: one, orgs: [Org2]}\n"
        "chaincodes:\n"
        "  - name: cc\n"
        "    version: 1.0-rc1+build.7\n"
        "    image: example.com/cc@sha256:" + "ab" * 32 + "\n"
        "    orgs: [Org2, Org1]\n"
        "    initRequired: true\n"
        "    channels: [both, {name: one}]\n"
    )
    (chaincode,) = spec.chaincodes
    assert chaincode.label == "cc_1.0-rc1+build.7"
    assert chaincode.init_required is True
    assert [(c.channel, c.orgs, c.policy) for c in chaincode.channels] == [
        ("both", ("Org2", "Org1"), "OR('Org2MSP.member','Org1MSP.member')"),
        ("one", ("Org2",), "OR('Org2MSP.member')"),
    ]


def test_channel_policy_override_beats_chaincode_policy(load):
    spec = load(
        "channels: [{name: ch, orgs: [Org1, Org2]}]\n"
        "chaincodes:\n"
        "  - name: cc\n"
        "    version: '1'\n"
        "    image: img\n"
        "    orgs: [Org1, Org2]\n"
        "    policy: AND('Org1MSP.peer', 'Org2MSP.peer')\n"
        "    channels: [{name: ch, policy: \"OR('Org1MSP.peer')\"}]\n"
    )
    assert spec.chaincodes[0].channels[0].policy == "OR('Org1MSP.peer')"
    assert spec.chaincodes[0].channels[0].orgs == ("Org1", "Org2")
