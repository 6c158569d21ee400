"""Changing a running network by editing its files, on the scaled sample with
real nodes: each step is a new spec applied as successive ``pulumi up`` runs
apply it (``EngineState``), then checked on the network, then run again from
scratch (every operation created anew, as with lost state) to show that a
converged network gets no mutating command. The steps build on each other:
add a peer, add an org to a channel, remove it, add and remove a consenter
under load, change channel settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fabric_components.providers.channel_config import ChannelConfigProvider
from fabric_nodes.node_settings import orderer_address, orderer_admin_address, peer_address
from fabric_ops.chaincode_ops import Orderer, committed, invoke, query
from fabric_ops.channel_ops import channel_config, orderer_channel, peer_channels
from fabric_ops.channel_summary import config_summary
from fabric_ops.executor import Executor
from localnet import FabricRelease, LocalNetwork
from localnet.chaincode_servers import ChaincodeServers, chaincode_servers
from localnet.network import load_spec_dir
from localnet.release import REPO_ROOT
from network_spec import NetworkSpec
from tests.localnet.commands import recording_commands
from tests.localnet.engine_state import EngineState
from tests.localnet.populate import run_stages, stages
from tests.localnet.traffic import Traffic

pytestmark = pytest.mark.fabric

SCALED = REPO_ROOT / "samples" / "scaled"
ORG3 = {"Name": "Org3", "Domain": "org3.example.com", "EnableNodeOUs": True,
        "Template": {"Count": 1}, "Users": {"Count": 1}}
THREE_ORGS = "AND('Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')"
Edit = Callable[[dict[str, Any], dict[str, Any]], None]


def add_peer(crypto: dict[str, Any], _network: dict[str, Any]) -> None:
    crypto["PeerOrgs"][0]["Template"]["Count"] = 3


def add_org3(crypto: dict[str, Any], network: dict[str, Any]) -> None:
    crypto["PeerOrgs"].append(ORG3)
    network["channels"][0]["orgs"].append("Org3")
    basic = network["chaincodes"][0]
    basic["orgs"].append("Org3")
    basic["policy"] = THREE_ORGS


def add_orderer3(crypto: dict[str, Any], network: dict[str, Any]) -> None:
    crypto["OrdererOrgs"][0]["Template"]["Count"] = 4
    network["channels"][0]["consenters"].append("orderer3")


def drop_orderer0(_crypto: dict[str, Any], network: dict[str, Any]) -> None:
    network["channels"][0]["consenters"].remove("orderer0.example.com")


def tune_common(_crypto: dict[str, Any], network: dict[str, Any]) -> None:
    network["channels"][0].update({
        "batchTimeout": "500ms",
        "batchSize": {"maxMessageCount": 20, "preferredMaxBytes": "1 MB"},
        "capabilities": {"application": "V2_5"},
        "acls": {"qscc/GetChainInfo": "/Channel/Application/Writers"},
    })


def variant(folder: Path, *edits: Edit, base: Path = SCALED) -> NetworkSpec:
    """The network of ``base`` (the scaled sample) with ``edits`` made to its two files."""
    crypto = yaml.safe_load((base / "crypto-config.yaml").read_text())
    network = yaml.safe_load((base / "network.yaml").read_text())
    for edit in edits:
        edit(crypto, network)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "crypto-config.yaml").write_text(yaml.safe_dump(crypto))
    (folder / "network.yaml").write_text(yaml.safe_dump(network))
    return load_spec_dir(folder)


class Changing:
    """The network, its chaincode servers and the engine state across steps."""

    def __init__(self, net: LocalNetwork, servers: ChaincodeServers, folder: Path,
                 base: Path = SCALED) -> None:
        self.net, self.servers, self.folder, self.base = net, servers, folder, base
        self.state = EngineState()

    def up(self) -> list[tuple[str, str]]:
        """One ``pulumi up`` of the network's current spec; its steps."""
        self.state.begin()
        run_stages(stages(self.net, self.servers, self.state.apply), parallel=True)
        self.state.delete_unseen()
        return self.state.steps

    def change(self, name: str, *edits: Edit) -> list[tuple[str, str]]:
        """Edit the files, start what they add, ``pulumi up``, stop what they
        remove (Pulumi deletes removed nodes after the updates)."""
        spec = variant(self.folder / name, *edits, base=self.base)
        self.net.start_new(spec)
        self.servers.start_pending()
        steps = self.up()
        self.net.stop_removed(spec)
        return steps

    def assert_converged(self) -> None:
        """Every operation created again from scratch runs only queries."""
        with recording_commands() as ran:
            run_stages(stages(self.net, self.servers), parallel=True)
        assert ran.mutating() == [], f"mutating commands on a converged network: {ran.mutating()}"

    def executor(self, org: str) -> Executor:
        return self.net.executor(org)

    def peer(self, cn: str) -> str:
        return peer_address(self.net.addressing, self.net.spec.node(cn)[1])

    def orderer(self, cn: str) -> Orderer:
        org, node = self.net.spec.node(cn)
        return Orderer(orderer_address(self.net.addressing, node), org.domain)

    def summary(self, channel: str) -> dict[str, Any]:
        orderer = self.orderer(self.net.channel(channel).consenters[0])
        return config_summary(channel_config(self.executor("Orderer"), orderer.address,
                                             orderer.domain, channel))


@pytest.fixture(scope="module")
def changing(
    fabric_release: FabricRelease, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Changing]:
    workdir = tmp_path_factory.mktemp("changing")
    with LocalNetwork.start(SCALED, workdir / "net", fabric_release) as net:
        labels = {f"{cc.name}/{o}": cc.label for cc in net.spec.chaincodes for o in cc.orgs}
        labels["basic/Org3"] = labels["basic/Org1"]
        with chaincode_servers(labels, tmp_path_factory.mktemp("servers"),
                               lambda key: net.tls_ca(key.split("/")[1])) as servers:
            state = Changing(net, servers, workdir / "specs")
            state.up()
            yield state


def test_add_a_peer_joins_and_installs_only_on_it(changing: Changing):
    with recording_commands() as ran:
        steps = changing.change("add-peer", add_peer)
    peer2 = changing.peer("peer2.org1.example.com")
    assert ran.mutating() == ["install", "join"]
    assert ran.mutating_peers() == {peer2}
    assert sorted(name for step, name in steps) == [
        "asset-peer2-org1-install", "basic-peer2-org1-install",
        "common-peer2-org1-join", "private-org1-peer2-org1-join"]
    assert {step for step, _ in steps} == {"create"}
    org1 = changing.executor("Org1")
    assert sorted(peer_channels(org1, peer2)) == ["common", "private-org1"]
    written = invoke(org1, changing.orderer("orderer0.example.com"), "common", "basic",
                     "CreateAsset", ["peer2-key", "from-peer2"],
                     [(peer2, "org1.example.com"), (changing.peer("peer0.org2.example.com"),
                                                    "org2.example.com")])
    assert written.returncode == 0, written.output
    assert query(org1, peer2, "common", "basic", "ReadAsset", ["peer2-key"]) == "from-peer2"
    changing.assert_converged()


def test_add_an_org_to_a_channel_and_require_its_endorsement(changing: Changing):
    steps = changing.change("add-org3", add_peer, add_org3)
    assert ("update", "common-config") in steps
    assert ("update", "basic-common-definition") in steps
    assert ("create", "basic-common-org3-approve") in steps
    summary = changing.summary("common")
    assert summary["orgs"] == ["Org1MSP", "Org2MSP", "Org3MSP"]
    assert summary["anchorPeers"]["Org3MSP"] == [changing.peer("peer0.org3.example.com")]
    org1, org3 = changing.executor("Org1"), changing.executor("Org3")
    peer3 = changing.peer("peer0.org3.example.com")
    assert peer_channels(org3, peer3) == ["common"]
    definition = committed(org1, changing.peer("peer0.org1.example.com"), "common", "basic")
    assert definition is not None and definition["sequence"] == 2
    endorsers = [(changing.peer("peer0.org1.example.com"), "org1.example.com"),
                 (changing.peer("peer0.org2.example.com"), "org2.example.com")]
    orderer = changing.orderer("orderer1.example.com")
    without = invoke(org1, orderer, "common", "basic", "CreateAsset", ["two-orgs", "x"],
                     endorsers)
    assert without.returncode != 0
    assert "ENDORSEMENT_POLICY_FAILURE" in without.output
    with_org3 = invoke(org3, orderer, "common", "basic", "CreateAsset", ["three-orgs", "y"],
                       [*endorsers, (peer3, "org3.example.com")])
    assert with_org3.returncode == 0, with_org3.output
    assert query(org3, peer3, "common", "basic", "ReadAsset", ["three-orgs"]) == "y"
    changing.assert_converged()


def test_remove_the_org_and_its_identity_is_rejected(changing: Changing):
    org3 = changing.executor("Org3")
    steps = changing.change("remove-org3", add_peer)
    assert ("update", "common-config") in steps
    assert ("delete", "basic-common-org3-approve") in steps
    assert changing.summary("common")["orgs"] == ["Org1MSP", "Org2MSP"]
    orderer = changing.orderer("orderer1.example.com")
    fetched = org3.run(["peer", "channel", "fetch", "config", "c.block", "-c", "common",
                        "-o", orderer.address, "--tls", "--cafile",
                        org3.paths.tls_ca(orderer.domain)])
    assert fetched.returncode != 0
    assert "FORBIDDEN" in fetched.output
    proposal = invoke(org3, orderer, "common", "basic", "CreateAsset", ["org3-again", "z"],
                      [(changing.peer("peer0.org1.example.com"), "org1.example.com")])
    assert proposal.returncode != 0
    assert "access denied" in proposal.output
    changing.assert_converged()


def test_add_and_remove_a_consenter_while_clients_write(changing: Changing):
    org1 = changing.executor("Org1")
    endorsers = [(changing.peer("peer0.org1.example.com"), "org1.example.com"),
                 (changing.peer("peer0.org2.example.com"), "org2.example.com")]
    traffic = Traffic(org1, [changing.orderer("orderer1.example.com"),
                             changing.orderer("orderer2.example.com")],
                      "common", "basic", endorsers)
    with traffic:
        added = changing.change("add-orderer3", add_peer, add_orderer3)
        after_add = changing.summary("common")["consenters"]
        removed = changing.change("drop-orderer0", add_peer, add_orderer3, drop_orderer0)
    assert ("create", "common-orderer3-orderer-join") in added
    assert ("update", "common-config") in added
    assert ("update", "private-org1-config") in added
    assert ("delete", "common-orderer0-orderer-join") in removed
    address = {cn: changing.orderer(f"{cn}.example.com").address
               for cn in ("orderer0", "orderer1", "orderer2", "orderer3")}
    assert after_add == sorted(address.values())
    assert changing.summary("common")["consenters"] == sorted(
        address[cn] for cn in ("orderer1", "orderer2", "orderer3"))
    org, node = changing.net.spec.node("orderer0.example.com")
    assert orderer_channel(changing.executor("Orderer"),
                           orderer_admin_address(changing.net.addressing, node),
                           org.domain, "common") is None
    print(f"writes during the consenter changes: {len(traffic.acknowledged)} acknowledged, "
          f"{len(traffic.failures)} failed")
    assert len(traffic.acknowledged) >= 5
    for org_name in ("Org1", "Org2"):
        for peer in changing.net.spec.org(org_name).nodes:
            assert traffic.unreadable(changing.executor(org_name),
                                      changing.peer(peer.common_name)) == [], peer
    changing.assert_converged()


def test_channel_settings_are_config_updates_shown_as_old_and_new(changing: Changing):
    before = changing.state.resources["common-config"][2]
    steps = changing.change("tune", add_peer, add_orderer3, drop_orderer0, tune_common)
    assert ("update", "common-config") in steps
    assert ("update", "private-org1-config") not in steps
    after = changing.state.resources["common-config"][2]
    changed = {k for k in after["settings"] if after["settings"][k] != before["settings"][k]}
    assert changed == {"batchTimeout", "batchSize", "capabilities", "acls"}
    summary = changing.summary("common")
    assert summary["batchTimeout"] == "500ms"
    assert summary["batchSize"]["maxMessageCount"] == 20
    assert summary["batchSize"]["preferredMaxBytes"] == 1024 * 1024
    assert summary["capabilities"]["application"] == "V2_5"
    assert summary["acls"] == {"qscc/GetChainInfo": "/Channel/Application/Writers"}
    # A refresh with the previous inputs reads the live channel: drift, shown
    # as the live values against the inputs.
    refreshed = ChannelConfigProvider().read("common", before).outs or {}
    assert refreshed["done"] is False
    assert refreshed["settings"] == summary
    assert ChannelConfigProvider().diff("common", refreshed, before).changes is True
    changing.assert_converged()
