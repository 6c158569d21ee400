"""The whole program under mocks, for both samples: what it registers, how the
objects are wired, and that no private key escapes into plain values."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.components.mocks import (
    DYNAMIC,
    RecordingMocks,
    has_secret,
    is_dynamic,
    without_secret_values,
)
from tests.components.program import run_sample

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
SECRET = "kubernetes:core/v1:Secret"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
CONFIGMAP = "kubernetes:core/v1:ConfigMap"
NAMESPACE = "kubernetes:core/v1:Namespace"


@pytest.fixture(scope="module")
def simple() -> tuple[RecordingMocks, dict[str, Any]]:
    return run_sample("simple")


@pytest.fixture(scope="module")
def scaled() -> tuple[RecordingMocks, dict[str, Any]]:
    return run_sample("scaled")


def k8s_names(mocks: RecordingMocks, typ: str) -> list[str]:
    return sorted(r.manifest["metadata"]["name"] for r in mocks.of_type(typ))


def deployment(mocks: RecordingMocks, k8s_name: str) -> dict[str, Any]:
    matches = [r.manifest for r in mocks.of_type(DEPLOYMENT)
               if r.manifest["metadata"]["name"] == k8s_name]
    assert len(matches) == 1
    return matches[0]


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_simple_registers_every_object(simple):
    mocks, _ = simple
    counts = Counter(r.typ for r in mocks.resources)
    assert counts["fabric:index:OrdererOrg"] == 1
    assert counts["fabric:index:PeerOrg"] == 2
    assert counts[NAMESPACE] == 1
    assert counts[CONFIGMAP] == 1
    assert k8s_names(mocks, DEPLOYMENT) == [
        "admin-orderer", "admin-org1", "admin-org2", "basic-org1", "basic-org2",
        "orderer0-orderer", "peer0-org1", "peer0-org2",
    ]
    assert k8s_names(mocks, SERVICE) == ["basic-org1", "basic-org2", "orderer0-orderer",
                                         "peer0-org1", "peer0-org2"]
    assert k8s_names(mocks, PVC) == ["orderer0-orderer-data", "peer0-org1-data",
                                     "peer0-org2-data"]
    assert k8s_names(mocks, SECRET) == [
        "admin-orderer-crypto", "admin-org1-crypto", "admin-org2-crypto", "basic-org1-tls",
        "basic-org2-tls", "orderer0-orderer-crypto", "peer0-org1-crypto", "peer0-org2-crypto",
        "user1-org1-crypto", "user1-org2-crypto",
    ]
    # CAs per org (3) and identities: orderer0 + its admin, and per peer org
    # peer0, Admin and User1; then mychannel's block, 1 orderer join, its
    # config and 2 peer joins.
    assert len(mocks.by_provider("CertificateAuthoritiesProvider")) == 3
    assert len(mocks.by_provider("IdentityProvider")) == 2 + 2 * 3
    assert len(mocks.by_provider("ChannelBlockProvider")) == 1
    assert len(mocks.by_provider("OrdererJoinProvider")) == 1
    assert len(mocks.by_provider("ChannelConfigProvider")) == 1
    assert len(mocks.by_provider("PeerJoinProvider")) == 2
    # basic: an install per peer, the definition, an approval per org, the commit.
    assert len(mocks.by_provider("InstallProvider")) == 2
    assert len(mocks.by_provider("DefinitionProvider")) == 1
    assert len(mocks.by_provider("ApproveProvider")) == 2
    assert len(mocks.by_provider("CommitProvider")) == 1
    # A readiness gate per node (rolling upgrades), a consenter rotation per orderer.
    assert len(mocks.by_provider("ReadinessGateProvider")) == 3
    assert len(mocks.by_provider("ConsenterRotationProvider")) == 1
    # A TLS certificate per chaincode server (basic, per org).
    assert len(mocks.by_provider("TlsCertificateProvider")) == 2
    dynamic = sum(n for typ, n in counts.items() if is_dynamic(typ))
    assert dynamic == 3 + 2 + 2 * 3 + 1 + 1 + 1 + 2 + 2 + 1 + 2 + 1 + 3 + 1 + 2


def test_every_dynamic_resource_has_a_fabric_type_of_its_own(simple):
    """A preview reads as a list of Fabric steps: one type per provider, named
    for the step (the engine tier sees them under their components)."""
    mocks, _ = simple
    kinds = {(r.typ, r.provider) for r in mocks.resources if is_dynamic(r.typ)}
    assert kinds == {(DYNAMIC + name, provider) for name, provider in [
        ("CertificateAuthorities", "CertificateAuthoritiesProvider"),
        ("IssuedIdentity", "IdentityProvider"),
        ("ChannelBlock", "ChannelBlockProvider"),
        ("OrdererJoin", "OrdererJoinProvider"),
        ("ChannelConfig", "ChannelConfigProvider"),
        ("PeerJoin", "PeerJoinProvider"),
        ("ChaincodeInstall", "InstallProvider"),
        ("ChaincodeDefinition", "DefinitionProvider"),
        ("ChaincodeApproval", "ApproveProvider"),
        ("ChaincodeCommit", "CommitProvider"),
        ("ReadinessGate", "ReadinessGateProvider"),
        ("TlsCertificate", "TlsCertificateProvider"),
        ("ConsenterRotation", "ConsenterRotationProvider"),
    ]}


def test_scaled_registers_couchdb_and_every_node(scaled):
    mocks, outputs = scaled
    assert k8s_names(mocks, SERVICE) == [
        "asset-org1", "asset-org2", "basic-org1", "basic-org2",
        "orderer0-orderer", "orderer1-orderer", "orderer2-orderer",
        "peer0-org1", "peer0-org2", "peer1-org1", "peer1-org2",
    ]
    pvcs = k8s_names(mocks, PVC)
    assert len(pvcs) == 3 + 4 * 2
    assert "peer1-org2-couchdb" in pvcs
    assert sum(1 for n in k8s_names(mocks, SECRET) if n.endswith("-couchdb")) == 4
    peer = deployment(mocks, "peer1-org2")
    containers = {c["name"]: c for c in peer["spec"]["template"]["spec"]["containers"]}
    assert set(containers) == {"peer", "couchdb"}
    env = env_of(containers["peer"])
    assert env["CORE_LEDGER_STATE_STATEDATABASE"] == "CouchDB"
    assert env["CORE_LEDGER_STATE_COUCHDBCONFIG_COUCHDBADDRESS"] == "localhost:5984"
    assert env["CORE_LEDGER_STATE_COUCHDBCONFIG_PASSWORD"] == {
        "secretKeyRef": {"name": "peer1-org2-couchdb", "key": "password"}
    }
    assert containers["couchdb"]["readinessProbe"]["httpGet"] == {"path": "/_up", "port": 5984}
    assert len(outputs["orgs"]["Orderer"]["endpoints"]) == 3


def test_peer_deployment_is_wired_to_its_secret_volume_and_service(simple):
    mocks, _ = simple
    dep = deployment(mocks, "peer0-org1")
    spec = dep["spec"]
    assert spec["replicas"] == 1 and spec["strategy"] == {"type": "Recreate"}
    pod = spec["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    (peer,) = pod["containers"]
    env = env_of(peer)
    assert env["CORE_PEER_ID"] == "peer0.org1.example.com"
    assert env["CORE_PEER_LOCALMSPID"] == "Org1MSP"
    assert env["CORE_PEER_ADDRESS"] == "peer0-org1.fabric.svc.cluster.local:7051"
    assert env["CORE_PEER_GOSSIP_EXTERNALENDPOINT"] == env["CORE_PEER_ADDRESS"]
    assert env["CORE_PEER_TLS_ENABLED"] == "true"
    assert env["CORE_VM_ENDPOINT"] == ""
    builders = json.loads(env["CORE_CHAINCODE_EXTERNALBUILDERS"])
    assert builders[0]["path"] == "/opt/hyperledger/ccaas_builder"
    assert {p["containerPort"] for p in peer["ports"]} == {7051, 7052, 9443}
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert peer[probe]["httpGet"] == {"path": "/healthz", "port": 9443, "scheme": "HTTPS"}
    assert env["CORE_OPERATIONS_TLS_ENABLED"] == "true"
    assert env["CORE_OPERATIONS_TLS_CERT_FILE"] == "/var/hyperledger/crypto/tls/server.crt"
    assert peer["resources"]["requests"] == {"cpu": "250m", "memory": "512Mi"}
    assert peer["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    sc = peer["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False
    mounts = {m["name"]: m["mountPath"] for m in peer["volumeMounts"]}
    assert mounts == {"crypto": "/var/hyperledger/crypto", "data": "/var/hyperledger/production",
                      "tmp": "/tmp", "config": "/var/hyperledger/config"}
    assert env["FABRIC_CFG_PATH"] == "/var/hyperledger/config"
    init, builds = pod["initContainers"]
    assert init["image"] == peer["image"]
    assert "/etc/hyperledger/fabric/core.yaml" in init["command"][-1]
    assert {m["name"] for m in init["volumeMounts"]} == {"config"}
    # The cached chaincode builds (with the peer's TLS pair in them) go at every start.
    assert builds["command"] == ["rm", "-rf", "/var/hyperledger/production/externalbuilder/builds"]
    assert [(m["name"], m["mountPath"]) for m in builds["volumeMounts"]] == [
        ("data", "/var/hyperledger/production")]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["data"]["persistentVolumeClaim"] == {"claimName": "peer0-org1-data"}
    crypto = volumes["crypto"]["secret"]
    assert crypto["secretName"] == "peer0-org1-crypto"
    paths = {item["path"] for item in crypto["items"]}
    assert "msp/keystore/priv_sk" in paths
    assert "msp/signcerts/peer0.org1.example.com-cert.pem" in paths
    assert {"tls/ca.crt", "tls/server.crt", "tls/server.key", "msp/config.yaml"} <= paths
    service = next(r.manifest for r in mocks.of_type(SERVICE)
                   if r.manifest["metadata"]["name"] == "peer0-org1")
    assert service["spec"]["selector"].items() <= spec["template"]["metadata"]["labels"].items()
    assert {p["port"] for p in service["spec"]["ports"]} == {7051, 7052, 9443}
    # No Docker socket, no host paths, nothing privileged anywhere.
    assert all("hostPath" not in v for v in pod["volumes"])


def test_orderer_has_channel_participation_and_admin_tls(simple):
    mocks, outputs = simple
    (orderer,) = deployment(mocks, "orderer0-orderer")["spec"]["template"]["spec"]["containers"]
    env = env_of(orderer)
    assert env["ORDERER_GENERAL_BOOTSTRAPMETHOD"] == "none"
    assert env["ORDERER_CHANNELPARTICIPATION_ENABLED"] == "true"
    assert env["ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED"] == "true"
    assert env["ORDERER_ADMIN_LISTENADDRESS"] == "0.0.0.0:7053"
    assert {p["containerPort"] for p in orderer["ports"]} == {7050, 7053, 9443}
    assert outputs["orgs"]["Orderer"]["adminEndpoints"] == [
        "orderer0-orderer.fabric.svc.cluster.local:7053"
    ]


def test_admin_toolbox_mounts_admin_identity_and_every_tls_ca(simple):
    mocks, _ = simple
    pod = deployment(mocks, "admin-org1")["spec"]["template"]["spec"]
    (tools,) = pod["containers"]
    assert tools["image"] == "docker.io/hyperledger/fabric-tools:2.5.9"
    env = env_of(tools)
    assert env["CORE_PEER_LOCALMSPID"] == "Org1MSP"
    assert env["CORE_PEER_MSPCONFIGPATH"] == "/var/hyperledger/admin/msp"
    volumes = {v["name"]: v for v in pod["volumes"]}
    paths = {i["path"] for i in volumes["admin"]["secret"]["items"]}
    assert "msp/signcerts/Admin@org1.example.com-cert.pem" in paths
    assert "tls/client.key" in paths
    assert volumes["tls-ca"]["configMap"] == {"name": "tls-ca-certs"}
    (bundle,) = [r.manifest for r in mocks.of_type(CONFIGMAP)]
    assert sorted(bundle["data"]) == ["example.com.pem", "org1.example.com.pem",
                                      "org2.example.com.pem"]


def test_every_container_has_probes_limits_and_runs_unprivileged(scaled):
    mocks, _ = scaled
    for dep in mocks.of_type(DEPLOYMENT):
        pod = dep.manifest["spec"]["template"]["spec"]
        for c in pod["containers"]:
            where = f"{dep.name}/{c['name']}"
            assert c["resources"]["requests"] and c["resources"]["limits"], where
            assert "livenessProbe" in c and "readinessProbe" in c, where
            assert c["securityContext"]["allowPrivilegeEscalation"] is False, where
            assert c["securityContext"]["runAsNonRoot"] is True, where


def test_crypto_secrets_hold_the_identity_and_are_secret(simple):
    mocks, _ = simple
    secret = next(r for r in mocks.of_type(SECRET) if r.name == "org1-peer0-crypto")
    assert has_secret(secret.inputs["stringData"])
    data = secret.manifest["stringData"]
    assert "PRIVATE KEY" in data["msp__keystore__priv_sk"]
    assert "BEGIN CERTIFICATE" in data["msp__signcerts__peer0.org1.example.com-cert.pem"]


@pytest.mark.parametrize("sample", ["simple", "scaled"])
def test_no_private_key_in_outputs_or_plain_inputs(sample, simple, scaled):
    mocks, outputs = simple if sample == "simple" else scaled
    assert "PRIVATE KEY" not in json.dumps(outputs)
    for r in mocks.resources:
        plain_inputs = json.dumps(without_secret_values(r.inputs))
        assert "PRIVATE KEY" not in plain_inputs, f"{r.typ} {r.name}"
    keys_registered = sum(
        1 for r in mocks.resources if "PRIVATE KEY" in json.dumps(r.manifest)
    )
    assert keys_registered > 0  # the keys exist, but only behind secrets


def test_connection_profile_lists_the_org_peers_and_orderers(simple):
    _, outputs = simple
    profile = outputs["connectionProfiles"]["Org1"]
    assert profile["organizations"]["Org1"]["mspid"] == "Org1MSP"
    peer = profile["peers"]["peer0.org1.example.com"]
    assert peer["url"] == "grpcs://peer0-org1.fabric.svc.cluster.local:7051"
    assert peer["tlsCACerts"]["pem"] == outputs["orgs"]["Org1"]["tlsCaCert"]
    assert "BEGIN CERTIFICATE" in peer["tlsCACerts"]["pem"]
    assert list(profile["orderers"]) == ["orderer0.example.com"]
    assert list(profile["channels"]) == ["mychannel"]


def without_material_hash(manifest: dict[str, Any]) -> dict[str, Any]:
    from fabric_components.k8s.node_objects import MATERIAL_HASH

    template = manifest.get("spec", {}).get("template", {})
    annotations = template.get("metadata", {}).get("annotations", {})
    if MATERIAL_HASH in annotations:
        annotations[MATERIAL_HASH] = "<material>"
    return manifest


def test_adding_a_peer_adds_objects_and_changes_no_existing_one(tmp_path):
    from tests.components.program import ROOT

    base = (ROOT / "samples" / "simple" / "crypto-config.yaml").read_text()
    assert "Count: 1" in base
    grown = tmp_path / "crypto-config.yaml"
    grown.write_text(base.replace("Count: 1", "Count: 2", 1))
    before, _ = run_sample("simple")
    after, _ = run_sample("simple", cryptoConfig=str(grown))

    def structural(m: RecordingMocks) -> dict[tuple[str, str], Any]:
        # Certificates differ between two mock runs (each generates afresh), so
        # compare everything that is not a secret and not a dynamic resource.
        # The pod templates' material hashes follow the certificates, so they go too.
        return {(r.typ, r.name): without_material_hash(without_secret_values(r.inputs))
                for r in m.resources if not is_dynamic(r.typ)}

    old, new = structural(before), structural(after)
    assert old.keys() <= new.keys()
    added = sorted(name for typ, name in new.keys() - old.keys())
    assert added == ["org1-peer1", "org1-peer1", "org1-peer1-crypto", "org1-peer1-data"]
    changed = [key for key in old if old[key] != new[key]
               and key[0] not in (CONFIGMAP,) and "PeerOrg" not in key[0]]
    assert changed == []
