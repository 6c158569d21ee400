"""The admin certificate rotation's inputs and its provider before any
renewal: nothing to list but the Admin's certificate, and nothing run (the
executor named here does not exist: any command would fail)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fabric_components.providers.admin_cert_rotation import (
    AdminCertRotationProvider,
    admin_cert_rotation_inputs,
    admin_certs,
)
from fabric_components.providers.operation import operation_inputs
from fabric_nodes.node_settings import ClusterAddressing
from fabric_ops.executor import AdminPaths
from fabric_ops.executor_config import local_executor_config
from network_spec import NetworkSpec, load_network
from tests.components.program import ROOT

SIMPLE = ROOT / "samples" / "simple"


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> NetworkSpec:
    crypto = yaml.safe_load((SIMPLE / "crypto-config.yaml").read_text())
    for org in crypto["PeerOrgs"]:
        org["EnableNodeOUs"] = org["Name"] != "Org2"
    path = Path(tmp_path_factory.mktemp("spec")) / "crypto-config.yaml"
    path.write_text(yaml.safe_dump(crypto))
    return load_network(path, SIMPLE / "network.yaml")


def test_the_msps_list_the_current_certificate_then_the_one_it_replaced():
    assert admin_certs("new", "old") == ["new", "old"]
    assert admin_certs("first", None) == admin_certs("first", "") == ["first"]
    assert admin_certs("same", "same") == ["same"]


def test_only_an_org_without_node_ous_and_with_channels_has_a_rotation(spec: NetworkSpec):
    addressing = ClusterAddressing("fabric")
    assert admin_cert_rotation_inputs(spec, spec.org("Org1"), addressing, {}, [], {}) is None
    inputs = admin_cert_rotation_inputs(spec, spec.org("Org2"), addressing, {"kind": "local"},
                                        ["cert"], {"sign_cert": "cert"})
    assert inputs is not None
    assert inputs["msp_id"] == "Org2MSP" and list(inputs["channels"]) == ["mychannel"]
    assert inputs["channels"]["mychannel"]["orderers"] == [
        {"address": "orderer0-orderer.fabric.svc.cluster.local:7050", "domain": "example.com"}]
    alone = NetworkSpec(**{**spec.__dict__, "channels": ()})
    assert admin_cert_rotation_inputs(alone, spec.org("Org2"), addressing, {}, [], {}) is None


def test_before_a_renewal_create_and_update_run_nothing(spec: NetworkSpec, tmp_path: Path):
    missing = local_executor_config(str(tmp_path / "no-such-bin"), {},
                                    AdminPaths(str(tmp_path), str(tmp_path)))
    props = operation_inputs(admin_cert_rotation_inputs(
        spec, spec.org("Org2"), ClusterAddressing("fabric"), missing, ["first"],
        {"ca_cert": "ca", "sign_cert": "first", "sign_key": "key"}) or {})
    provider = AdminCertRotationProvider()
    created = provider.create(props)
    assert created.id == "Org2MSP" and (created.outs or {})["done"] is True
    assert provider.diff("Org2MSP", dict(created.outs or {}), props).changes is False
    renewed = {**props, "admin_certs": ["second", "first"]}
    assert provider.diff("Org2MSP", dict(created.outs or {}), renewed).changes is True
    with pytest.raises(FileNotFoundError):  # a renewal does run: the executor is used
        provider.update("Org2MSP", dict(created.outs or {}), renewed)
