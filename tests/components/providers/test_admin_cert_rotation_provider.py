"""The admin certificate rotation's inputs and its provider's bookkeeping:
what the org's MSPs list before and after a renewal, and that nothing runs
until a renewal (the executor named here does not exist: any command fails)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fabric_components.providers.admin_cert_rotation import (
    AdminCertRotationProvider,
    admin_cert_rotation_inputs,
    listed_after,
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


def test_a_renewal_lists_the_new_certificate_then_the_one_it_replaced():
    first = {"current": "first", "admin_certs": ["first"]}
    assert listed_after(first, {"current": "first"}) == ["first"]
    assert listed_after(first, {"current": "second"}) == ["second", "first"]
    rotated = {"current": "second", "admin_certs": ["second", "first"]}
    assert listed_after(rotated, {"current": "second"}) == ["second", "first"]
    assert listed_after(rotated, {"current": "third"}) == ["third", "second"]


def test_only_an_org_without_node_ous_and_with_channels_has_a_rotation(spec: NetworkSpec):
    addressing = ClusterAddressing("fabric")
    assert admin_cert_rotation_inputs(spec, spec.org("Org1"), addressing, {}, "", {}) is None
    inputs = admin_cert_rotation_inputs(spec, spec.org("Org2"), addressing, {"kind": "local"},
                                        "cert", {"sign_key": "key"})
    assert inputs is not None
    assert inputs["msp_id"] == "Org2MSP" and list(inputs["channels"]) == ["mychannel"]
    assert (inputs["current"], inputs["admin_certs"]) == ("cert", ["cert"])
    assert inputs["channels"]["mychannel"]["orderers"] == [
        {"address": "orderer0-orderer.fabric.svc.cluster.local:7050", "domain": "example.com"}]
    alone = NetworkSpec(**{**spec.__dict__, "channels": ()})
    assert admin_cert_rotation_inputs(alone, spec.org("Org2"), addressing, {}, "", {}) is None


def test_nothing_runs_until_the_certificate_changes(spec: NetworkSpec, tmp_path: Path):
    missing = local_executor_config(str(tmp_path / "no-such-bin"), {},
                                    AdminPaths(str(tmp_path), str(tmp_path)))

    def props(current: str) -> dict[str, Any]:
        found = admin_cert_rotation_inputs(
            spec, spec.org("Org2"), ClusterAddressing("fabric"), missing, current,
            {"ca_cert": "ca", "sign_key": "key"})
        assert found is not None
        return operation_inputs(found)

    provider = AdminCertRotationProvider()
    created = provider.create(props("first"))
    outs = dict(created.outs or {})
    assert created.id == "Org2MSP" and outs["admin_certs"] == ["first"] and outs["done"]
    assert provider.diff("Org2MSP", outs, props("first")).changes is False
    # What the state lists, not the input (the program's [current]), counts.
    rotated = {**outs, "current": "second", "admin_certs": ["second", "first"]}
    assert provider.diff("Org2MSP", rotated, props("second")).changes is False
    assert provider.diff("Org2MSP", outs, props("second")).changes is True
    unchanged = provider.update("Org2MSP", outs, props("first")).outs or {}
    assert unchanged["admin_certs"] == ["first"]
    with pytest.raises(FileNotFoundError):  # a renewal does run: the executor is used
        provider.update("Org2MSP", outs, props("second"))
