"""A renewal changes only the contents of a node's crypto Secret; the pod
template's material hash makes its Deployment (and an admin toolbox's, and a
chaincode server's) roll."""

from __future__ import annotations

import json
import re

from fabric_components.k8s.node_objects import MATERIAL_HASH, material_digest
from fabric_components.k8s.workload import secret_key
from fabric_nodes.node_settings import CCAAS_BUILDER_CONFIG_KEY
from tests.components.mocks import without_secret_values
from tests.components.program import run_sample

TREE = {"msp/signcerts/cert.pem": "SIGN", "msp/keystore/priv_sk": "KEY",
        "tls/server.crt": "TLS", "tls/server.key": "TLSKEY"}


def test_the_digest_follows_certificates_and_paths_not_keys_alone():
    assert material_digest(TREE) == material_digest(dict(reversed(TREE.items())))
    assert material_digest({**TREE, "tls/server.key": "OTHER"}) == material_digest(TREE)
    assert material_digest({**TREE, "tls/server.crt": "RENEWED"}) != material_digest(TREE)
    assert material_digest({**TREE, "msp/cacerts/ca.pem": "CA"}) != material_digest(TREE)


def template_hashes() -> dict[str, str]:
    mocks, _ = run_sample("simple")
    hashes = {}
    for deployment in mocks.of_type("kubernetes:apps/v1:Deployment"):
        # Registered without secrets: the hash stays readable in a preview's diff.
        manifest = without_secret_values(deployment.inputs)
        annotations = manifest["spec"]["template"]["metadata"].get("annotations", {})
        if MATERIAL_HASH in annotations:
            hashes[manifest["metadata"]["name"]] = annotations[MATERIAL_HASH]
    return hashes


def test_every_node_and_toolbox_template_carries_its_material_hash():
    first, second = template_hashes(), template_hashes()
    assert set(first) == {"orderer0-orderer", "peer0-org1", "peer0-org2",  # nodes,
                          "admin-orderer", "admin-org1", "admin-org2",  # toolboxes,
                          "basic-org1", "basic-org2"}  # chaincode servers
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in first.values())
    assert len(set(first.values())) == len(first)
    # Freshly issued material (a second program run) changes every hash.
    assert set(first) == set(second)
    assert all(first[name] != second[name] for name in first)


def test_without_cert_renewal_nothing_rolls_on_certificates_and_no_consenter_rotates():
    mocks, _ = run_sample("scaled", certRenewal="false")
    for deployment in mocks.of_type("kubernetes:apps/v1:Deployment"):
        template = deployment.manifest["spec"]["template"]["metadata"]
        assert MATERIAL_HASH not in template.get("annotations", {}), deployment.name
    assert mocks.by_provider("ConsenterRotationProvider") == []
    assert all("material" not in r.manifest for r in mocks.by_provider("ReadinessGateProvider"))
    assert {r.manifest["renew"] for r in mocks.by_provider("IdentityProvider")} == {False}
    assert {r.manifest["renew"] for r in mocks.by_provider("TlsCertificateProvider")} == {False}


def test_a_peers_builder_config_is_made_from_the_tls_pair_its_secret_lays_out():
    """The CCaaS builder config (org TLS CA, the peer's TLS pair) is derived from
    the same file tree as the Secret's files and the material hash: a renewal
    that changes ``tls/server.crt`` changes the config with it and rolls the pod,
    which reads the config from its environment only at start."""
    mocks, _ = run_sample("simple")
    peers = {secret.manifest["metadata"]["name"]: secret.manifest["stringData"]
             for secret in mocks.of_type("kubernetes:core/v1:Secret")
             if CCAAS_BUILDER_CONFIG_KEY in secret.manifest.get("stringData", {})}
    assert set(peers) == {"peer0-org1-crypto", "peer0-org2-crypto"}
    for data in peers.values():
        config = json.loads(data[CCAAS_BUILDER_CONFIG_KEY])
        assert config == {"root_cert": data[secret_key("tls/ca.crt")],
                          "client_cert": data[secret_key("tls/server.crt")],
                          "client_key": data[secret_key("tls/server.key")]}
