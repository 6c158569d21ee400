"""The program's entry point under mocks: the dev stack's settings evaluate, and
bad input stops it with one message before any resource is registered."""

from __future__ import annotations

import runpy

import pulumi
import pytest
import yaml

from tests.components.mocks import RecordingMocks
from tests.components.program import ROOT


def run_main(config: dict[str, str], mocks: RecordingMocks | None = None) -> RecordingMocks:
    mocks = mocks or RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="fabric", stack="dev", preview=False)
    pulumi.runtime.set_all_config({f"fabric:{k}": v for k, v in config.items()})

    @pulumi.runtime.test
    def evaluate() -> None:
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")

    try:
        evaluate()
    finally:
        pulumi.runtime.set_all_config({})
    return mocks


def dev_config() -> dict[str, str]:
    values = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    config = {k.split(":", 1)[1]: str(v).lower() if isinstance(v, bool) else str(v)
              for k, v in values.items()}
    for key in ("cryptoConfig", "network"):
        config[key] = str(ROOT / config[key])
    return config


def test_dev_stack_evaluates():
    mocks = run_main(dev_config())
    namespaces = [r.manifest["metadata"]["name"] for r in mocks.resources
                  if r.typ == "kubernetes:core/v1:Namespace"]
    assert namespaces == ["fabric-dev"]
    # 3 nodes, 3 admin toolboxes, the basic chaincode's server for 2 orgs.
    assert sum(1 for r in mocks.resources if r.typ == "kubernetes:apps/v1:Deployment") == 8


def dev_chaincode(name: str) -> str:
    """The dev network with its chaincode renamed."""
    network = (ROOT / dev_config()["network"]).read_text()
    assert "name: basic" in network
    return network.replace("name: basic", f"name: {name}", 1)


@pytest.mark.parametrize(
    ("network_yaml", "message"),
    [
        ("channels:\n  - name: mychannel\n    orgs: [Org9]\n",
         "channels[0].orgs[0]: unknown org 'Org9'"),
        ("channels: [\n", "YAML syntax error"),
        (dev_chaincode("peer0"), "chaincodes[0].name: chaincode name 'peer0' (its server for "
         "org 'Org1') gives the Deployment name 'peer0-org1', already the name of node "
         "peer0.org1.example.com"),
    ],
)
def test_bad_input_stops_before_any_resource(tmp_path, network_yaml, message):
    bad = tmp_path / "network.yaml"
    bad.write_text(network_yaml)
    config = dev_config() | {"network": str(bad)}
    mocks = RecordingMocks()
    with pytest.raises(pulumi.RunError) as error:
        run_main(config, mocks)
    assert str(error.value).startswith(f"{bad}: ")
    assert message in str(error.value)
    assert mocks.resources == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("namespace", "kube-system"), ("peerCpuRequest", "4"), ("logSpec", "Info"),
     ("peerImage", "hyperledger/Fabric-Peer"), ("aksSystemNodeCount", "\u0663")],
)
def test_bad_stack_value_stops_before_any_resource(key, value):
    mocks = RecordingMocks()
    with pytest.raises(pulumi.RunError) as error:
        run_main(dev_config() | {key: value}, mocks)
    assert str(error.value).startswith(f"Pulumi.dev.yaml: fabric:{key}: ")
    assert mocks.resources == []


def test_bft_needs_fabric_3(tmp_path):
    crypto_config = tmp_path / "crypto-config.yaml"
    crypto_config.write_text(
        "OrdererOrgs: [{Name: Orderer, Domain: example.com, Template: {Count: 4}}]\n"
        "PeerOrgs: [{Name: Org1, Domain: org1.example.com, Template: {Count: 1}}]\n"
    )
    network = tmp_path / "network.yaml"
    network.write_text("channels:\n  - name: mychannel\n    orgs: [Org1]\n    consensus: BFT\n")
    config = dev_config() | {"network": str(network), "cryptoConfig": str(crypto_config)}
    with pytest.raises(pulumi.RunError) as error:
        run_main(config)
    assert str(error.value) == (
        f"{network}: channels[0].consensus: BFT needs Fabric 3.x but the stack's "
        "fabric:fabricVersion is 2.5.9"
    )


def test_channel_capability_v3_needs_fabric_3(tmp_path):
    network = tmp_path / "network.yaml"
    network.write_text("channels:\n  - name: mychannel\n    orgs: [Org1]\n"
                       "    capabilities: {channel: V3_0}\n")
    config = dev_config() | {"network": str(network)}
    with pytest.raises(pulumi.RunError) as error:
        run_main(config)
    assert str(error.value) == (
        f"{network}: channels[0].capabilities.channel: V3_0 needs Fabric 3.x but the stack's "
        "fabric:fabricVersion is 2.5.9"
    )


def test_a_malformed_local_network_manifest_stops_before_any_resource(tmp_path):
    manifest = tmp_path / "network.json"
    manifest.write_text('{"peers": [], "orderers": {}, "executors": {}, "crypto_dir": "c"}')
    mocks = RecordingMocks()
    with pytest.raises(pulumi.RunError) as error:
        run_main(dev_config() | {"localNetwork": str(manifest)}, mocks)
    assert str(error.value) == (
        f"Pulumi.dev.yaml: fabric:localNetwork: {manifest}: peers: expected a mapping, got a list"
    )
    assert mocks.resources == []


def test_a_bad_crypto_config_stops_before_any_resource(tmp_path):
    sample = (ROOT / dev_config()["cryptoConfig"]).read_text()
    assert "Hostname: orderer0" in sample
    bad = tmp_path / "crypto-config.yaml"
    bad.write_text(sample.replace("Hostname: orderer0", "Hostname: 0rderer", 1))
    mocks = RecordingMocks()
    with pytest.raises(pulumi.RunError) as error:
        run_main(dev_config() | {"cryptoConfig": str(bad)}, mocks)
    assert str(error.value) == (
        f"{bad}: OrdererOrgs[0].Specs[0].Hostname: hostname '0rderer' gives the Service name "
        "'0rderer-orderer' (15 characters), which must be a DNS-1123 label: lowercase letters, "
        "digits and '-', starting and ending with a letter or digit, at most 63 characters, "
        "starting with a letter (a Service name)"
    )
    assert mocks.resources == []
