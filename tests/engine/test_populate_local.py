"""Populate through the real Pulumi engine: the channel and chaincode dynamic
providers are pickled by the engine, run in its provider process, and act on a
real local Fabric network (kwok pods cannot run commands, so the stack points
``fabric:localNetwork`` at the local network and ``fabric:cryptoDir`` at its
crypto). One ``pulumi up`` creates mychannel, joins every node and deploys the
sample chaincode; the next preview and refresh find nothing to change. A
channel setting edited in network.yaml then shows in the preview as its old and
new value, and the next ``pulumi up`` applies it as a config update."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, committed, invoke, query
from fabric_ops.channel_ops import channel_config, peer_channels
from fabric_ops.channel_summary import config_summary
from localnet import LocalNetwork
from localnet.chaincode_servers import chaincode_servers
from tests.engine.pulumi_runner import REPO_ROOT, PulumiCli, steps, warnings
from tests.engine.volumes import static_volumes
from tests.fabric_version import fabric_test_release, fabric_test_version
from tools.localkube import LocalKube

pytestmark = [pytest.mark.kube, pytest.mark.fabric]
NAMESPACE = "fabric-local"
STACK = "populate"
CHANNEL = "mychannel"


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNetwork]:
    workdir = tmp_path_factory.mktemp("localnet")
    with LocalNetwork.start(REPO_ROOT / "samples" / "simple", workdir,
                            fabric_test_release()) as network:
        yield network


@pytest.fixture(scope="module")
def servers(
    net: LocalNetwork, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The sample's ``basic`` chaincode served per org, as its Deployments would."""
    (chaincode,) = net.spec.chaincodes
    labels = {f"{chaincode.name}/{org}": chaincode.label for org in chaincode.orgs}
    with chaincode_servers(labels, tmp_path_factory.mktemp("servers"),
                          lambda key: net.tls_ca(key.split("/")[1])) as addresses:
        yield addresses


@pytest.fixture(scope="module")
def cli(kube: LocalKube, net: LocalNetwork, servers: dict[str, str],
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulumiCli]:
    static_volumes(kube, 4, "populate-local")
    workdir = tmp_path_factory.mktemp("engine-populate")
    manifest = workdir / "network.json"
    manifest.write_text(net.manifest(servers).to_json())
    sample = REPO_ROOT / "samples" / "simple"
    config_file = workdir / f"Pulumi.{STACK}.yaml"
    config_file.write_text(yaml.safe_dump({"config": {
        "fabric:cryptoConfig": str(sample / "crypto-config.yaml"),
        "fabric:network": str(sample / "network.yaml"),
        "fabric:cryptoDir": str(net.crypto_dir),
        "fabric:localNetwork": str(manifest),
        "fabric:namespace": NAMESPACE,
        "fabric:fabricVersion": fabric_test_version(),
        "fabric:storageClass": "populate-local",
        "fabric:peerStorage": "1Gi",
        "fabric:ordererStorage": "1Gi",
    }}))
    runner = PulumiCli(workdir, kube.kubeconfig, STACK, config_file)
    runner.setup()
    yield runner
    runner.run("destroy", "--yes", "--skip-preview", check=False)
    (REPO_ROOT / f"Pulumi.{STACK}.yaml").unlink(missing_ok=True)


def test_one_up_creates_the_channel_and_deploys_the_chaincode(cli: PulumiCli, net: LocalNetwork):
    previewed = cli.run("preview")
    assert warnings(previewed) == []
    preview = previewed.stdout
    for name in ("mychannel-block", "mychannel-peer0-org1-join", "basic-mychannel-commit",
                 "basic-peer0-org2-install", "basic-mychannel-org1-approve"):
        assert name in preview, preview
    up = cli.run("up", "--yes", "--skip-preview")
    assert "mychannel-orderer0-orderer-join" in up.stdout
    for org in ("Org1", "Org2"):
        node = net.spec.org(org).nodes[0]
        assert CHANNEL in peer_channels(net.executor(org), peer_address(net.addressing, node))
    org1, org2 = net.spec.org("Org1"), net.spec.org("Org2")
    peer1 = peer_address(net.addressing, org1.nodes[0])
    peer2 = peer_address(net.addressing, org2.nodes[0])
    definition = committed(net.executor("Org1"), peer1, CHANNEL, "basic")
    assert definition is not None and definition["sequence"] == 1
    orderer_org, orderer_node = net.spec.node(net.channel(CHANNEL).consenters[0])
    orderer = Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain)
    written = invoke(net.executor("Org1"), orderer, CHANNEL, "basic", "CreateAsset",
                     ["engine", "green"], [(peer1, org1.domain), (peer2, org2.domain)])
    assert written.returncode == 0, written.output
    assert query(net.executor("Org2"), peer2, CHANNEL, "basic", "ReadAsset",
                 ["engine"]) == "green"
    clients = json.loads(cli.run("stack", "output", "gatewayClients", "--json").stdout)
    assert clients["Org1"]["peers"][org1.nodes[0].common_name]["endpoint"] == peer1
    assert clients["Org2"]["peers"][org2.nodes[0].common_name]["endpoint"] == peer2
    assert clients["Org2"]["tlsRootCert"] == net.tls_ca_file("Org2").read_text()


def test_nothing_changes_afterwards(cli: PulumiCli):
    cli.run("preview", "--expect-no-changes")
    cli.run("refresh", "--yes", "--skip-preview", "--expect-no-changes")


def test_a_channel_setting_is_previewed_as_old_and_new_then_applied(
    cli: PulumiCli, net: LocalNetwork, tmp_path: Path
):
    network = yaml.safe_load((REPO_ROOT / "samples" / "simple" / "network.yaml").read_text())
    network["channels"][0].update({"batchTimeout": "1s", "batchSize": {"maxMessageCount": 25}})
    tuned = tmp_path / "network.yaml"
    tuned.write_text(yaml.safe_dump(network))
    config = yaml.safe_load(cli.config_file.read_text())
    config["config"]["fabric:network"] = str(tuned)
    cli.config_file.write_text(yaml.safe_dump(config))
    preview = cli.run("preview", "--diff").stdout
    assert re.search(r'batchTimeout\s*:\s*"2s" => "1s"', preview), preview
    assert re.search(r"maxMessageCount\s*:\s*10 => 25", preview), preview
    changed = [(op, name) for op, name in steps(cli.summary("preview")) if op != "same"]
    assert changed == [
        ("update", "pulumi-python:dynamic/fabric:ChannelConfig::mychannel-config")], changed
    cli.run("up", "--yes", "--skip-preview")
    orderer_org, orderer_node = net.spec.node(net.channel(CHANNEL).consenters[0])
    live = config_summary(channel_config(net.executor("Orderer"),
                                         orderer_address(net.addressing, orderer_node),
                                         orderer_org.domain, CHANNEL))
    assert (live["batchTimeout"], live["batchSize"]["maxMessageCount"]) == ("1s", 25)
    cli.run("preview", "--expect-no-changes")
    cli.run("refresh", "--yes", "--skip-preview", "--expect-no-changes")
