"""A renewed Admin certificate of an org without NodeOUs on a channel made by
the real configtxgen 2.5.9, the update computed by the real configtxlator: it
writes only the org's MSP value, needs only the org's own admin, lists the
certificates as configtxgen renders the org's MSP with both (so the channel's
``ChannelConfig`` finds nothing left to change), and a channel that lists
them already needs nothing."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from crypto import OrgCrypto, generate_org, org_msp_files
from crypto.renewal import renew_identity
from fabric_nodes.node_settings import ClusterAddressing
from fabric_ops.admin_cert_rotation import msp_admins, with_admin_certs
from fabric_ops.channel_ops import block_config, genesis_block
from fabric_ops.config_update import (
    SignatureNeed,
    decode,
    same_config,
    signature_needs,
    update_envelope,
)
from fabric_ops.configtx import channel_config_files
from fabric_ops.executor import AdminPaths
from fabric_ops.local_executor import LocalExecutor
from localnet import FabricRelease
from network_spec import NetworkSpec, load_network
from tests.components.program import ROOT

pytestmark = pytest.mark.fabric

CHANNEL = "mychannel"


@pytest.fixture(scope="module")
def executor() -> LocalExecutor:
    return LocalExecutor(str(FabricRelease.build().bin_dir), {}, AdminPaths("", ""))


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> NetworkSpec:
    """The simple sample with Org2 without NodeOUs."""
    folder = Path(tmp_path_factory.mktemp("spec"))
    crypto = yaml.safe_load((ROOT / "samples" / "simple" / "crypto-config.yaml").read_text())
    for org in crypto["PeerOrgs"]:
        if org["Name"] == "Org2":
            org["EnableNodeOUs"] = False
    (folder / "crypto-config.yaml").write_text(yaml.safe_dump(crypto))
    return load_network(folder / "crypto-config.yaml", ROOT / "samples" / "simple" / "network.yaml")


@pytest.fixture(scope="module")
def crypto(spec: NetworkSpec) -> dict[str, OrgCrypto]:
    return {org.name: generate_org(org) for org in spec.orgs}


def rendered(executor: LocalExecutor, spec: NetworkSpec, crypto: dict[str, OrgCrypto],
             previous: str = "") -> dict[str, Any]:
    """configtxgen's config of the channel, Org2's MSP listing ``previous`` too."""
    msps = {name: org_msp_files(c.org, c.cas, c.admin.sign.cert_pem,
                                previous if name == "Org2" else "")
            for name, c in crypto.items()}
    (consenter,) = spec.channels[0].consenters
    orderer = crypto["Orderer"].nodes[consenter]
    files = channel_config_files(spec, spec.channels[0], ClusterAddressing("fabric"), msps,
                                 {consenter: orderer.tls.cert_pem})
    return block_config(executor, genesis_block(executor, CHANNEL, files))


def test_the_renewed_certificate_goes_in_beside_the_previous_one(
        executor: LocalExecutor, spec: NetworkSpec, crypto: dict[str, OrgCrypto]) -> None:
    config = rendered(executor, spec, crypto)
    first = crypto["Org2"].admin.sign.cert_pem
    assert msp_admins(config, "Org2MSP") == [first]
    assert msp_admins(config, "Org1MSP") == []  # NodeOUs: the OU names the admins
    renewed = renew_identity(crypto["Org2"].cas, crypto["Org2"].admin, timedelta(days=1))
    current = renewed.sign.cert_pem
    target = with_admin_certs(config, "Org2MSP", [current, first])
    assert target is not None
    assert msp_admins(target, "Org2MSP") == [current, first]
    assert signature_needs(config, target) == [
        SignatureNeed("/Channel/Application/Org2MSP/Admins", ("Org2MSP",), 1)]
    update = decode(executor, "common.Envelope",
                    update_envelope(executor, CHANNEL, config, target))
    written = update["payload"]["data"]["config_update"]["write_set"]
    org = written["groups"]["Application"]["groups"]["Org2MSP"]
    assert list(org["values"]) == ["MSP"] and org["values"]["MSP"]["mod_policy"] == "Admins"
    assert org["values"]["MSP"]["value"]["config"]["admins"] == [
        base64.b64encode(pem.encode()).decode() for pem in (current, first)]
    assert written["groups"]["Application"]["groups"].keys() == {"Org2MSP"}
    # What the spec renders with both certificates is what the rotation made.
    both = rendered(executor, spec, {**crypto, "Org2": replace(crypto["Org2"], admin=renewed)},
                    first)
    assert same_config(both, target)
    assert with_admin_certs(target, "Org2MSP", [first, current]) is None
    assert with_admin_certs(both, "Org2MSP", [current, first]) is None
