"""Bring-your-own crypto: with ``fabric:cryptoDir`` the program uses the
cryptogen directory's material (no dynamic resources) and a missing file stops it
with the file named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crypto import generate_org, write_org_tree
from fabric_components.network import crypto_source
from fabric_nodes.naming import service_dns_names
from network_spec import SpecError
from network_spec.load import load_network
from tests.components.mocks import is_dynamic
from tests.components.program import ROOT, run_program, sample_config


@pytest.fixture(scope="module")
def cryptogen_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("crypto-config")
    spec = load_network(ROOT / "samples/simple/crypto-config.yaml",
                        ROOT / "samples/simple/network.yaml")
    orgs = {org.name: generate_org(org, lambda n: service_dns_names(n, "fabric"))
            for org in spec.orgs}
    for crypto in orgs.values():
        write_org_tree(crypto, root)
    return root, orgs


def test_program_uses_the_directory_material(cryptogen_dir):
    root, orgs = cryptogen_dir
    config = sample_config("simple", cryptoDir=str(root))
    mocks, outputs = run_program(load_network(config.crypto_config, config.network), config)
    crypto = [r for r in mocks.resources if is_dynamic(r.typ) and r.provider in
              ("CertificateAuthoritiesProvider", "IdentityProvider")]
    assert crypto == []
    secret = next(r.manifest for r in mocks.resources if r.name == "org1-peer0-crypto")
    identity = orgs["Org1"].nodes["peer0.org1.example.com"]
    assert secret["stringData"]["tls__server.crt"] == identity.tls.cert_pem
    assert secret["stringData"]["msp__keystore__priv_sk"] == identity.sign.key_pem
    assert outputs["orgs"]["Org1"]["tlsCaCert"] == orgs["Org1"].cas.tlsca.cert_pem


def test_missing_file_names_it(cryptogen_dir, tmp_path):
    import shutil

    root, _ = cryptogen_dir
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    victim = (copy / "peerOrganizations/org2.example.com/peers/peer0.org2.example.com"
              / "tls/server.key")
    victim.unlink()
    config = sample_config("simple", cryptoDir=str(copy))
    with pytest.raises(SpecError) as error:
        crypto_source(load_network(config.crypto_config, config.network), config)
    assert "server.key" in str(error.value)
    assert "peer0.org2.example.com" in str(error.value)


def test_tls_certificates_must_carry_the_service_names_of_the_namespace(cryptogen_dir):
    root, _ = cryptogen_dir  # issued for namespace "fabric"
    config = sample_config("simple", cryptoDir=str(root), namespace="fabric-dev")
    with pytest.raises(SpecError) as error:
        crypto_source(load_network(config.crypto_config, config.network), config)
    cert = root / "ordererOrganizations/example.com/orderers/orderer0.example.com/tls/server.crt"
    assert str(error.value) == (
        f"{cert}: org Orderer (example.com), orderer orderer0.example.com TLS certificate: "
        "lacks the Service names orderer0-orderer.fabric-dev, orderer0-orderer.fabric-dev.svc, "
        "orderer0-orderer.fabric-dev.svc.cluster.local of namespace 'fabric-dev' "
        "(fabric:namespace), by which the other nodes reach it; add them to the node's SANS "
        "and generate the directory again"
    )


def test_a_local_network_needs_no_service_names(cryptogen_dir):
    root, _ = cryptogen_dir
    config = sample_config("simple", cryptoDir=str(root), namespace="fabric-dev",
                           localNetwork="network.json")
    crypto_source(load_network(config.crypto_config, config.network), config)


def test_an_expired_directory_is_refused(tmp_path):
    spec = load_network(ROOT / "samples/simple/crypto-config.yaml",
                        ROOT / "samples/simple/network.yaml")
    long_ago = datetime.now(UTC) - timedelta(days=3651)
    for org in spec.orgs:
        write_org_tree(generate_org(org, lambda n: service_dns_names(n, "fabric"), long_ago),
                       tmp_path)
    config = sample_config("simple", cryptoDir=str(tmp_path))
    with pytest.raises(SpecError) as error:
        crypto_source(spec, config)
    cert = tmp_path / "ordererOrganizations/example.com/ca/ca.example.com-cert.pem"
    assert str(error.value).startswith(
        f"{cert}: org Orderer (example.com), CA certificate: expired on "
    )
