"""The Channel component under mocks: every operation of every channel is a
resource of its own, wired to the right node, org admin executor and block."""

from __future__ import annotations

import pytest
import yaml

from fabric_components.stack_config import load_stack_config
from network_spec.load import load_network
from tests.components.mocks import has_secret
from tests.components.program import ROOT, run_program, run_sample


@pytest.fixture(scope="module")
def scaled():
    mocks, _ = run_sample("scaled")
    return mocks


def ops(mocks, provider: str, channel: str) -> list[dict]:
    return [r.manifest for r in mocks.by_provider(provider) if r.manifest["channel"] == channel]


def test_common_has_a_block_three_consenter_joins_and_four_peer_joins(scaled):
    (block,) = ops(scaled, "ChannelBlockProvider", "common")
    assert block["executor"]["deployment"] == "admin-orderer"
    orderer_joins = ops(scaled, "OrdererJoinProvider", "common")
    assert sorted(j["admin_address"] for j in orderer_joins) == [
        f"orderer{i}-orderer.fabric.svc.cluster.local:7053" for i in range(3)
    ]
    assert {j["orderer_domain"] for j in orderer_joins} == {"example.com"}
    peer_joins = ops(scaled, "PeerJoinProvider", "common")
    assert sorted((j["node"], j["executor"]["deployment"]) for j in peer_joins) == [
        ("peer0.org1.example.com", "admin-org1"),
        ("peer0.org2.example.com", "admin-org2"),
        ("peer1.org1.example.com", "admin-org1"),
        ("peer1.org2.example.com", "admin-org2"),
    ]
    assert all(j["peer_address"].endswith(".fabric.svc.cluster.local:7051") for j in peer_joins)


def test_private_channel_is_joined_by_its_member_org_only(scaled):
    peer_joins = ops(scaled, "PeerJoinProvider", "private-org1")
    assert sorted(j["node"] for j in peer_joins) == ["peer0.org1.example.com",
                                                     "peer1.org1.example.com"]


def test_configtx_names_service_addresses_anchor_peers_and_carries_every_file(scaled):
    (block,) = ops(scaled, "ChannelBlockProvider", "common")
    files = block["files"]
    profile = yaml.safe_load(files["configtx.yaml"])["Profiles"]["Channel"]
    consenters = profile["Orderer"]["EtcdRaft"]["Consenters"]
    assert [(c["Host"], c["Port"]) for c in consenters] == [
        (f"orderer{i}-orderer.fabric.svc.cluster.local", 7050) for i in range(3)
    ]
    for c in consenters:
        assert "BEGIN CERTIFICATE" in files[c["ClientTLSCert"]]
    orgs = {o["Name"]: o for o in profile["Application"]["Organizations"]}
    assert orgs["Org1MSP"]["AnchorPeers"] == [
        {"Host": "peer0-org1.fabric.svc.cluster.local", "Port": 7051},
        {"Host": "peer1-org1.fabric.svc.cluster.local", "Port": 7051},
    ]
    assert orgs["Org2MSP"]["AnchorPeers"] == [
        {"Host": "peer0-org2.fabric.svc.cluster.local", "Port": 7051}
    ]
    assert "msp/org1.example.com/cacerts/ca.org1.example.com-cert.pem" in files
    assert "msp/org1.example.com/config.yaml" in files
    assert not any("PRIVATE KEY" in text for text in files.values())


def test_executor_with_a_kubeconfig_is_secret():
    mocks, _ = run_sample("simple", cluster="aks")
    (join,) = [r for r in mocks.by_provider("OrdererJoinProvider")]
    assert has_secret(join.inputs["executor"])
    assert join.manifest["executor"]["kubeconfig"].startswith("apiVersion: v1")


def test_populate_off_launches_nodes_only():
    mocks, _ = run_sample("simple", populate="false")
    assert mocks.by_provider("ChannelBlockProvider") == []
    assert mocks.by_provider("PeerJoinProvider") == []
    assert mocks.by_provider("InstallProvider") == []
    assert len(mocks.of_type("kubernetes:apps/v1:Deployment")) == 6


def test_channel_config_carries_a_readable_summary_and_every_signer(scaled):
    (config,) = ops(scaled, "ChannelConfigProvider", "common")
    svc = ".fabric.svc.cluster.local"
    assert config["settings"] == {
        "orgs": ["Org1MSP", "Org2MSP"],
        "ordererOrgs": ["OrdererMSP"],
        "consenters": [f"orderer{i}-orderer{svc}:7050" for i in range(3)],
        "anchorPeers": {"Org1MSP": [f"peer0-org1{svc}:7051", f"peer1-org1{svc}:7051"],
                        "Org2MSP": [f"peer0-org2{svc}:7051"]},
        "batchTimeout": "2s",
        "batchSize": {"maxMessageCount": 10, "absoluteMaxBytes": 99 * 1024 * 1024,
                      "preferredMaxBytes": 512 * 1024},
        "capabilities": {"channel": "V2_0", "orderer": "V2_0", "application": "V2_0"},
        "acls": {},
    }
    assert config["reader"] == "OrdererMSP"
    assert sorted(config["executors"]) == ["OrdererMSP", "Org1MSP", "Org2MSP"]
    assert config["executors"]["Org2MSP"]["deployment"] == "admin-org2"
    assert [o["address"] for o in config["orderers"]] == [
        f"orderer{i}-orderer{svc}:7050" for i in range(3)]
    assert config["consenter_admins"][f"orderer1-orderer{svc}:7050"] == {
        "admin_address": f"orderer1-orderer{svc}:7053", "domain": "example.com",
        "msp": "OrdererMSP"}
    (block,) = ops(scaled, "ChannelBlockProvider", "common")
    assert config["files"] == block["files"]



def test_each_consenter_may_join_from_the_others_newest_config_block(scaled):
    joins = {j["node"]: j for j in ops(scaled, "OrdererJoinProvider", "common")}
    svc = ".fabric.svc.cluster.local"
    assert joins["orderer0.example.com"]["other_consenters"] == [
        {"address": f"orderer{i}-orderer{svc}:7050", "domain": "example.com"} for i in (1, 2)]


def test_a_peer_join_waits_for_the_orderers_height_of_its_channel(scaled):
    (join,) = [j for j in ops(scaled, "PeerJoinProvider", "private-org1")
               if j["node"] == "peer1.org1.example.com"]
    svc = ".fabric.svc.cluster.local"
    assert join["orderers"] == [
        {"address": f"orderer{i}-orderer{svc}:7050", "domain": "example.com"} for i in range(3)]


def test_bft_channel_block_carries_the_consenter_mapping_and_identities():
    """A BFT network (the fabric tier's, 4 consenters) on Fabric 3.1.1: the block's
    configtx.yaml maps every consenter to its MSP, TLS certificate and enrollment
    certificate, with the files beside it."""
    bft = ROOT / "tests" / "localnet" / "bft_network"
    config = load_stack_config("test", {
        "cryptoConfig": str(bft / "crypto-config.yaml"), "network": str(bft / "network.yaml"),
        "fabricVersion": "3.1.1"}.get)
    mocks, _ = run_program(load_network(config.crypto_config, config.network), config)
    (block,) = ops(mocks, "ChannelBlockProvider", "bftchannel")
    files = block["files"]
    profile = yaml.safe_load(files["configtx.yaml"])["Profiles"]["Channel"]
    assert profile["Capabilities"] == {"V3_0": True}
    orderer = profile["Orderer"]
    assert orderer["OrdererType"] == "BFT" and "EtcdRaft" not in orderer
    mapping = orderer["ConsenterMapping"]
    assert [(c["ID"], c["Host"], c["MSPID"]) for c in mapping] == [
        (i + 1, f"orderer{i}-orderer.fabric.svc.cluster.local", "OrdererMSP") for i in range(4)
    ]
    for c in mapping:
        assert "BEGIN CERTIFICATE" in files[c["Identity"]]
        assert files[c["Identity"]] != files[c["ServerTLSCert"]]
    assert orderer["SmartBFT"]["RequestBatchMaxInterval"] == "200ms"
    assert (orderer["SmartBFT"]["CollectTimeout"], orderer["SmartBFT"]["RequestMaxBytes"],
            orderer["SmartBFT"]["IncomingMessageBufferSize"]) == ("2s", 1024 * 1024, 500)
    (channel_config,) = ops(mocks, "ChannelConfigProvider", "bftchannel")
    assert channel_config["settings"]["consensus"] == "BFT"
    assert channel_config["settings"]["smartBFT"]["requestPoolSize"] == 20000
    assert len(channel_config["settings"]["consenters"]) == 4
