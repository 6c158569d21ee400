"""The two samples load into exactly the network their comments describe."""

from pathlib import Path

import pytest

from network_spec import (
    CaSpec,
    ChaincodeChannel,
    ChaincodeSpec,
    ChannelSpec,
    NetworkSpec,
    OrgKind,
    Subject,
    load_network,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def load_sample(name: str) -> NetworkSpec:
    return load_network(SAMPLES / name / "crypto-config.yaml", SAMPLES / name / "network.yaml")


@pytest.fixture(scope="module")
def simple() -> NetworkSpec:
    return load_sample("simple")


@pytest.fixture(scope="module")
def scaled() -> NetworkSpec:
    return load_sample("scaled")


def test_load_network_accepts_str_paths():
    spec = load_network(
        str(SAMPLES / "simple" / "crypto-config.yaml"), str(SAMPLES / "simple" / "network.yaml")
    )
    assert spec == load_sample("simple")


class TestSimple:
    def test_orgs(self, simple):
        assert [(o.name, o.kind, o.domain, o.msp_id, o.k8s_name) for o in simple.orgs] == [
            ("Orderer", OrgKind.ORDERER, "example.com", "OrdererMSP", "orderer"),
            ("Org1", OrgKind.PEER, "org1.example.com", "Org1MSP", "org1"),
            ("Org2", OrgKind.PEER, "org2.example.com", "Org2MSP", "org2"),
        ]
        assert all(org.enable_node_ous for org in simple.orgs)
        assert [org.users for org in simple.orgs] == [0, 1, 1]
        assert simple.org("Org1").user_names == ("User1@org1.example.com",)
        assert simple.org("Org2").admin_name == "Admin@org2.example.com"

    def test_nodes(self, simple):
        nodes = [
            (n.hostname, n.common_name, n.k8s_name, n.sans) for o in simple.orgs for n in o.nodes
        ]
        assert nodes == [
            ("orderer0", "orderer0.example.com", "orderer0-orderer",
             ("orderer0.example.com", "orderer0")),
            ("peer0", "peer0.org1.example.com", "peer0-org1", ("peer0.org1.example.com", "peer0")),
            ("peer0", "peer0.org2.example.com", "peer0-org2", ("peer0.org2.example.com", "peer0")),
        ]  # fmt: skip
        assert all(n.subject == Subject() for o in simple.orgs for n in o.nodes)

    def test_cas(self, simple):
        assert simple.org("Org1").ca == CaSpec(
            hostname="ca", common_name="ca.org1.example.com", sans=("ca.org1.example.com", "ca")
        )
        assert simple.org("Orderer").ca_common_name == "ca.example.com"
        assert simple.org("Orderer").tlsca_common_name == "tlsca.example.com"

    def test_channel(self, simple):
        assert simple.channels == (
            ChannelSpec(
                name="mychannel",
                orgs=("Org1", "Org2"),
                orderer_orgs=("Orderer",),
                consenters=("orderer0.example.com",),
                anchor_peers=(
                    ("Org1", ("peer0.org1.example.com",)),
                    ("Org2", ("peer0.org2.example.com",)),
                ),
                consensus="etcdraft",
            ),
        )

    def test_chaincode(self, simple):
        assert simple.chaincodes == (
            ChaincodeSpec(
                name="basic",
                version="1.0",
                label="basic_1.0",
                image="localhost/fabric-on-pulumi/asset-transfer:1.0",
                orgs=("Org1", "Org2"),
                channels=(
                    ChaincodeChannel(
                        "mychannel", ("Org1", "Org2"), "OR('Org1MSP.member','Org2MSP.member')"
                    ),
                ),
                init_required=False,
            ),
        )

    def test_state_database(self, simple):
        assert simple.state_database == "goleveldb"


class TestScaled:
    def test_orgs(self, scaled):
        assert [(o.name, o.msp_id, o.k8s_name, len(o.nodes), o.users) for o in scaled.orgs] == [
            ("Orderer", "OrdererMSP", "orderer", 3, 0),
            ("Org1", "Org1MSP", "org1", 2, 2),
            ("Org2", "Org2MSP", "org2", 2, 1),
        ]

    def test_orderers_from_template_with_sans(self, scaled):
        orderers = scaled.org("Orderer").nodes
        assert [(n.common_name, n.k8s_name, n.sans) for n in orderers] == [
            (f"orderer{i}.example.com", f"orderer{i}-orderer",
             (f"orderer{i}.example.com", f"orderer{i}", f"orderer{i}.orderers.example.net"))
            for i in range(3)
        ]  # fmt: skip

    def test_peers(self, scaled):
        assert [n.k8s_name for o in scaled.peer_orgs for n in o.nodes] == [
            "peer0-org1", "peer1-org1", "peer0-org2", "peer1-org2",
        ]  # fmt: skip
        assert scaled.node("peer1.org2.example.com")[0].name == "Org2"
        assert scaled.org("Org1").user_names == (
            "User1@org1.example.com",
            "User2@org1.example.com",
        )

    def test_ca_subject(self, scaled):
        assert scaled.org("Org1").ca.subject == Subject(
            country="US", province="California", locality="San Francisco"
        )

    def test_channels(self, scaled):
        common, private = scaled.channels
        assert common == ChannelSpec(
            name="common",
            orgs=("Org1", "Org2"),
            orderer_orgs=("Orderer",),
            consenters=("orderer0.example.com", "orderer1.example.com", "orderer2.example.com"),
            anchor_peers=(
                ("Org1", ("peer0.org1.example.com", "peer1.org1.example.com")),
                ("Org2", ("peer0.org2.example.com",)),
            ),
            consensus="etcdraft",
        )
        assert private == ChannelSpec(
            name="private-org1",
            orgs=("Org1",),
            orderer_orgs=("Orderer",),
            consenters=common.consenters,
            anchor_peers=(("Org1", ("peer0.org1.example.com",)),),
        )
        assert private.anchors_of("Org2") == ()

    def test_chaincodes(self, scaled):
        basic, asset = scaled.chaincodes
        assert (basic.name, basic.version, basic.label, basic.orgs) == (
            "basic", "1.0", "basic_1.0", ("Org1", "Org2"),
        )  # fmt: skip
        assert basic.channels == (
            ChaincodeChannel("common", ("Org1", "Org2"), "AND('Org1MSP.peer','Org2MSP.peer')"),
            ChaincodeChannel("private-org1", ("Org1",), "OR('Org1MSP.peer')"),
        )
        assert asset == ChaincodeSpec(
            name="asset",
            version="2.1",
            label="asset_v2.1",
            image="registry.example.com/asset-cc:2.1",
            orgs=("Org1", "Org2"),
            channels=(
                ChaincodeChannel(
                    "common", ("Org1", "Org2"), "OR('Org1MSP.member','Org2MSP.member')"
                ),
            ),
        )

    def test_state_database(self, scaled):
        assert scaled.state_database == "CouchDB"
