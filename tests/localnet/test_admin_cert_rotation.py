"""The Admin of an org without NodeOUs renewed on a real local network.

The simple sample with Org2's ``EnableNodeOUs`` turned off (written here from
the sample's files): Org2's channel MSP and its peer's local MSP name its
admin by its exact certificate (``admincerts``). The Admin's certificate is
first re-issued (same key) to expire about two minutes after the channel is
made, then renewed as an up renews it inside its window (the identity
provider's diff and update, same key). Before the rotation the channel refuses
an update signed with the new certificate; the ``AdminCertRotation`` then puts
it beside the previous one (one update, signed with the previous certificate;
a channel no orderer has is skipped) and a second run changes nothing. With
the new certificate the admin changes its org's anchor peers; after the
previous certificate expired, it changes them again and installs a
chaincode package on its peer (restarted with the expired certificate among
its admincerts; a local admin's operation), and the channel's
``ChannelConfig`` finds its config as the spec renders it (both
certificates, in configtxgen's order)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509

from crypto import write_org_tree
from crypto.expiry import not_after
from crypto.renewal import renew_identity
from fabric_components.providers.admin_cert_rotation import (
    AdminCertRotationProvider,
    admin_cert_rotation_inputs,
)
from fabric_components.providers.crypto import IdentityProvider
from fabric_components.providers.operation import operation_inputs
from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.admin_cert_rotation import SigningAs, msp_admins, signer_msp
from fabric_ops.ccaas_package import ccaas_package
from fabric_ops.chaincode_ops import Orderer, ensure_installed, installed_package_ids
from fabric_ops.config_update import ensure_config, live_config
from fabric_ops.consortium.anchors import set_own_anchor_peers
from localnet import LocalNetwork
from localnet.release import REPO_ROOT
from tests.localnet.populate import executor_config, run_stages, stages
from tests.localnet.test_certificate_renewal import (
    as_identity,
    identity_outputs,
    inputs,
    release,
)

pytestmark = pytest.mark.fabric

CHANNEL, ORG = "mychannel", "Org2"
ABSENT = "notyet"
FIRST_VALIDITY = timedelta(minutes=3)
"""The first certificate is issued from a minute back: two minutes left."""
RENEW_BEFORE = timedelta(minutes=5)
RENEWED_VALIDITY = timedelta(minutes=30)


def spec_folder(target: Path) -> Path:
    """The simple sample's orgs, Org2 without NodeOUs, and its channel without
    chaincodes (an org without NodeOUs has no ``peer`` role for policies)."""
    sample = REPO_ROOT / "samples" / "simple"
    crypto = yaml.safe_load((sample / "crypto-config.yaml").read_text())
    for org in crypto["PeerOrgs"]:
        if org["Name"] == ORG:
            org["EnableNodeOUs"] = False
    target.mkdir()
    (target / "crypto-config.yaml").write_text(yaml.safe_dump(crypto))
    network = {"channels": [{"name": CHANNEL, "orgs": ["Org1", ORG]}]}
    (target / "network.yaml").write_text(yaml.safe_dump(network))
    return target


@dataclass
class Rotation:
    net: LocalNetwork
    first: str
    """The Admin's certificate the channel named at first."""
    renewed: dict[str, Any] = field(default_factory=dict)
    """The identity's outputs after the renewal."""
    refused_before: str = ""
    admins_after: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    """The rotation's ``admin_certs`` output."""
    second_diff: bool = True
    sequences: list[int] = field(default_factory=list)
    """The channel's config sequence after the rotation and after a retry of it."""
    seconds: float = 0.0
    anchors_changed: list[bool] = field(default_factory=list)
    """With the new certificate: before and after the first certificate's expiry."""
    installed: bool = False
    config_updates_left: int = -1
    expired_when_used: bool = False


def orderer(net: LocalNetwork) -> Orderer:
    org, node = net.spec.node(net.channel(CHANNEL).consenters[0])
    return Orderer(orderer_address(net.addressing, node), org.domain)


def sequence(net: LocalNetwork) -> int:
    return int(live_config(net.executor("Orderer"), [orderer(net)], CHANNEL).get("sequence", 0))


@pytest.fixture(scope="module")
def rotation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rotation]:
    workdir = tmp_path_factory.mktemp("admin-certs")
    with LocalNetwork.start(spec_folder(workdir / "spec"), workdir / "net", release()) as net:
        org = net.spec.org(ORG)
        peer = org.nodes[0]
        crypto = net.crypto[ORG]
        first = renew_identity(crypto.cas, crypto.admin, FIRST_VALIDITY)
        net.crypto[ORG] = replace(crypto, admin=first)
        write_org_tree(net.crypto[ORG], net.crypto_dir)
        net.restart(peer.common_name)  # its local MSP names the admin by that certificate
        run_stages(stages(net, {}), parallel=False)
        run = Rotation(net, first.sign.cert_pem)

        provider, name = IdentityProvider(), first.common_name
        olds = {**identity_outputs(org, first, crypto.cas),
                "validity_seconds": int(RENEWED_VALIDITY.total_seconds()),
                "renew_before_seconds": int(RENEW_BEFORE.total_seconds())}
        news = inputs(olds, 0)
        assert provider.diff(name, olds, news).changes
        run.renewed = dict(provider.update(name, olds, news).outs or {})
        renewed = as_identity(run.renewed)
        with_new = SigningAs(net.executor(ORG), signer_msp(
            crypto.cas.ca.cert_pem, renewed.sign.cert_pem, renewed.sign.key_pem))
        try:
            set_own_anchor_peers(with_new, orderer(net), CHANNEL, org.msp_id, [])
        except Exception as error:  # the channel does not name the new certificate yet
            run.refused_before = str(error)

        def props(current: str) -> dict[str, Any]:
            signer = {"ca_cert": crypto.cas.ca.cert_pem, "sign_key": run.renewed["sign_key"]}
            found = admin_cert_rotation_inputs(net.spec, org, net.addressing,
                                               executor_config(net, ORG), current, signer)
            assert found is not None
            # A channel the same up adds, which no orderer has yet: left to its config.
            channels = {**found["channels"], ABSENT: found["channels"][CHANNEL]}
            return operation_inputs({**found, "channels": channels})

        # The launch created the rotation; the renewal's up updates it.
        rotator = AdminCertRotationProvider()
        created = dict(rotator.create(props(run.first)).outs or {})
        news = props(run.renewed["sign_cert"])
        assert rotator.diff(ORG, created, news).changes
        started = time.monotonic()
        rotated = dict(rotator.update(ORG, created, news).outs or {})
        run.seconds = time.monotonic() - started
        run.listed = rotated["admin_certs"]
        run.sequences.append(sequence(net))
        run.second_diff = bool(rotator.diff(ORG, rotated, news).changes)
        rotator.update(ORG, created, news)  # a retry, as after an up that failed later
        run.sequences.append(sequence(net))
        run.admins_after = msp_admins(
            live_config(net.executor("Orderer"), [orderer(net)], CHANNEL), org.msp_id)

        # What the up does next: the admin's and the peer's MSPs list both.
        net.replace_identity(ORG, renewed)
        net.restart(peer.common_name)
        anchors = [peer_address(net.addressing, peer)]
        run.anchors_changed.append(
            set_own_anchor_peers(net.executor(ORG), orderer(net), CHANNEL, org.msp_id, [])
            is not None)
        expiry = not_after(run.first)
        time.sleep(max((expiry - datetime.now(UTC)).total_seconds(), 0) + 2)
        run.expired_when_used = datetime.now(UTC) > expiry
        # An expired certificate among the admincerts: the MSP still sets up.
        net.restart(peer.common_name)
        run.anchors_changed.append(
            set_own_anchor_peers(net.executor(ORG), orderer(net), CHANNEL, org.msp_id,
                                 anchors) is not None)
        package = ccaas_package("rotated_1.0", "127.0.0.1:9999")
        address = peer_address(net.addressing, peer)
        run.installed = (ensure_installed(net.executor(ORG), address, package)
                         and package.package_id in installed_package_ids(net.executor(ORG),
                                                                         address))
        executors = {o.msp_id: net.executor(o.name) for o in net.spec.orgs}
        run.config_updates_left = ensure_config(executors, "OrdererMSP", [orderer(net)],
                                                CHANNEL, net.channel_files(CHANNEL))
        yield run


def test_the_renewal_kept_the_key(rotation: Rotation) -> None:
    renewed = rotation.renewed
    assert renewed["sign_cert"] != rotation.first

    def key(pem: str) -> object:
        return x509.load_pem_x509_certificate(pem.encode()).public_key()

    assert key(renewed["sign_cert"]) == key(rotation.first)


def test_the_channel_refused_the_new_certificate_until_the_rotation(rotation: Rotation) -> None:
    assert "policy" in rotation.refused_before.lower(), rotation.refused_before
    assert rotation.listed == [rotation.renewed["sign_cert"], rotation.first]
    assert rotation.admins_after == rotation.listed
    assert rotation.second_diff is False  # the next up has nothing to do
    first, second = rotation.sequences
    assert second == first  # a retry found both named and submitted nothing
    print(f"\nrotation: {rotation.seconds:.1f} s (one channel)")


def test_the_new_certificate_administers_the_org_past_the_first_ones_expiry(
        rotation: Rotation) -> None:
    assert rotation.anchors_changed == [True, True]
    assert rotation.expired_when_used
    assert rotation.installed
    assert rotation.config_updates_left == 0
