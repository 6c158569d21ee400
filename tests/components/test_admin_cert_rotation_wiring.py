"""The simple sample with Org2 without NodeOUs, under mocks: Org2 gets an
``AdminCertRotation`` over its channel, and the MSPs that list its Admin
(its toolbox's, its peer's, the channel's) take the certificates from the
rotation's outputs, so they wait for it; Org1 (NodeOUs) gets none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.components.mocks import DYNAMIC, RecordingMocks, has_secret, without_secret_values
from tests.components.program import ROOT, run_sample

SECRET = "kubernetes:core/v1:Secret"
ADMIN_CERT = "msp__admincerts__Admin_at_org2.example.com-cert.pem"


@pytest.fixture(scope="module")
def without_node_ous(tmp_path_factory: pytest.TempPathFactory) -> RecordingMocks:
    crypto = yaml.safe_load((ROOT / "samples" / "simple" / "crypto-config.yaml").read_text())
    for org in crypto["PeerOrgs"]:
        if org["Name"] == "Org2":
            org["EnableNodeOUs"] = False
    path = Path(tmp_path_factory.mktemp("spec")) / "crypto-config.yaml"
    path.write_text(yaml.safe_dump(crypto))
    mocks, _ = run_sample("simple", cryptoConfig=str(path))
    return mocks


def rotations(mocks: RecordingMocks) -> list[Any]:
    return [r for r in mocks.resources if r.typ == f"{DYNAMIC}AdminCertRotation"]


def test_only_the_org_without_node_ous_gets_a_rotation(without_node_ous: RecordingMocks):
    (rotation,) = rotations(without_node_ous)
    assert rotation.name == "org2-admin-certs"
    inputs = rotation.manifest
    assert inputs["msp_id"] == "Org2MSP"
    assert list(inputs["channels"]) == ["mychannel"]
    assert [o["domain"] for o in inputs["channels"]["mychannel"]["orderers"]] == ["example.com"]
    admin = identity(without_node_ous, "admin-org2-identity")
    # Before any renewal: the Admin's certificate, once.
    assert inputs["current"] == admin.outputs["sign_cert"]
    assert inputs["admin_certs"] == [admin.outputs["sign_cert"]]
    assert has_secret(rotation.inputs["signer"])
    assert "PRIVATE KEY" not in json.dumps(without_secret_values(rotation.inputs))
    assert inputs["signer"]["sign_key"] == admin.outputs["sign_key"]


def test_the_msps_list_the_admin_certificate_once_before_a_renewal(
        without_node_ous: RecordingMocks):
    (rotation,) = rotations(without_node_ous)
    (listed,) = rotation.manifest["admin_certs"]
    secrets = {r.name: r.manifest["stringData"] for r in without_node_ous.of_type(SECRET)}
    for name in ("org2-admin-crypto", "org2-peer0-crypto"):
        admincerts = [k for k in secrets[name] if k.startswith("msp__admincerts__")]
        assert admincerts == [ADMIN_CERT], name
        assert secrets[name][ADMIN_CERT] == listed


def test_the_sample_with_node_ous_registers_no_rotation():
    mocks, _ = run_sample("simple")
    assert rotations(mocks) == []


def identity(mocks: RecordingMocks, name: str) -> Any:
    return next(r for r in mocks.resources
                if r.name == name and r.typ.endswith("IssuedIdentity"))


def test_the_admin_is_renewed_by_the_up_that_rotates_its_certificates(
        without_node_ous: RecordingMocks):
    assert identity(without_node_ous, "admin-org2-identity").manifest["renew"] is True


@pytest.mark.parametrize("setting", [{"certRenewal": "false"}, {"populate": "false"}])
def test_no_rotation_where_the_up_does_not_renew_or_owns_no_channel(
        tmp_path: Path, setting: dict[str, str]):
    crypto = yaml.safe_load((ROOT / "samples" / "simple" / "crypto-config.yaml").read_text())
    for org in crypto["PeerOrgs"]:
        org["EnableNodeOUs"] = org["Name"] != "Org2"
    path = tmp_path / "crypto-config.yaml"
    path.write_text(yaml.safe_dump(crypto))
    mocks, _ = run_sample("simple", cryptoConfig=str(path), **setting)
    assert rotations(mocks) == []
    if "populate" in setting:
        # Channels made by hand name the Admin by its certificate: it is not
        # renewed (as with a consortium's org stack, whose channels come from
        # cards); with NodeOUs it is.
        assert identity(mocks, "admin-org2-identity").manifest["renew"] is False
        assert identity(mocks, "admin-org1-identity").manifest["renew"] is True
        assert identity(mocks, "user1-org2-identity").manifest["renew"] is True
