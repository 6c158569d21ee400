"""The Chaincode component under mocks: reproducible packages per org whose IDs
the servers run with, installs on every peer, one definition, approvals and a
commit per channel, a version bump that changes packages, and the include
filter."""

from __future__ import annotations

import pytest

from fabric_components.stack_config import load_stack_config
from fabric_ops.ccaas_package import ccaas_package
from network_spec import SpecError
from tests.components.program import run_sample


def env_of(deployment: dict) -> dict[str, str]:
    (c,) = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e["value"] for e in c["env"]}


@pytest.fixture(scope="module")
def scaled():
    mocks, _ = run_sample("scaled")
    return mocks


def test_servers_run_the_package_their_peers_install(scaled):
    installs = [r.manifest for r in scaled.by_provider("InstallProvider")
                if r.manifest["label"] == "basic_1.0"]
    assert len(installs) == 4  # 2 orgs x 2 peers
    for install in installs:
        expected = ccaas_package("basic_1.0", install["server_address"]).package_id
        assert install["package_id"] == expected
    servers = {r.manifest["metadata"]["name"]: r.manifest for r in
               scaled.of_type("kubernetes:apps/v1:Deployment")
               if r.manifest["metadata"]["name"].startswith("basic-")}
    org1 = env_of(servers["basic-org1"])
    assert org1["CHAINCODE_SERVER_ADDRESS"] == "0.0.0.0:9999"
    org1_install = next(i for i in installs if i["node"] == "peer0.org1.example.com")
    assert org1["CHAINCODE_ID"] == org1_install["package_id"]
    assert org1_install["server_address"] == "basic-org1.fabric.svc.cluster.local:9999"


def test_servers_serve_mutual_tls_with_a_certificate_of_their_org_tls_ca(scaled):
    (cert,) = [r.manifest for r in scaled.by_provider("TlsCertificateProvider")
               if r.manifest["common_name"].startswith("basic-org1.")]
    assert cert["sans"] == ["basic-org1", "basic-org1.fabric", "basic-org1.fabric.svc",
                            "basic-org1.fabric.svc.cluster.local"]
    assert cert["common_name"] == "basic-org1.fabric.svc.cluster.local"
    assert cert["org"] == "Org1"
    server = next(r.manifest for r in scaled.of_type("kubernetes:apps/v1:Deployment")
                  if r.manifest["metadata"]["name"] == "basic-org1")
    pod = server["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = env_of(server)
    mount = next(m for m in container["volumeMounts"] if m["name"] == "tls")
    assert mount["readOnly"] is True
    assert {name: env[name] for name in ("CHAINCODE_TLS_CERT", "CHAINCODE_TLS_KEY",
                                         "CHAINCODE_CLIENT_CA_CERT")} == {
        "CHAINCODE_TLS_CERT": f"{mount['mountPath']}/tls.crt",
        "CHAINCODE_TLS_KEY": f"{mount['mountPath']}/tls.key",
        "CHAINCODE_CLIENT_CA_CERT": f"{mount['mountPath']}/ca.crt"}
    volume = next(v for v in pod["volumes"] if v["name"] == "tls")
    assert volume["secret"]["secretName"] == "basic-org1-tls"
    assert {i["path"]: i["mode"] for i in volume["secret"]["items"]} == {
        "ca.crt": 0o444, "tls.crt": 0o444, "tls.key": 0o400}


def test_peers_read_their_builder_tls_settings_from_their_crypto_secret(scaled):
    peer = next(r.manifest for r in scaled.of_type("kubernetes:apps/v1:Deployment")
                if r.manifest["metadata"]["name"] == "peer1-org2")
    container = next(c for c in peer["spec"]["template"]["spec"]["containers"]
                     if c["name"] == "peer")
    (config,) = [e for e in container["env"]
                 if e["name"] == "CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"]
    assert config["valueFrom"]["secretKeyRef"] == {"name": "peer1-org2-crypto",
                                                   "key": "ccaas-builder-config.json"}


def test_each_channel_has_a_definition_approvals_and_a_commit(scaled):
    for channel, orgs in (("common", {"Org1", "Org2"}), ("private-org1", {"Org1"})):
        approvals = [r.manifest for r in scaled.by_provider("ApproveProvider")
                     if r.manifest["channel"] == channel and r.manifest["name"] == "basic"]
        assert {a["org"] for a in approvals} == orgs
        (commit,) = [r.manifest for r in scaled.by_provider("CommitProvider")
                     if r.manifest["channel"] == channel and r.manifest["name"] == "basic"]
        assert {e["domain"] for e in commit["endorsers"]} == {f"{o.lower()}.example.com"
                                                            for o in orgs}
        assert commit["orderer_address"] == "orderer0-orderer.fabric.svc.cluster.local:7050"
    (private,) = [r.manifest for r in scaled.by_provider("CommitProvider")
                  if r.manifest["channel"] == "private-org1"]
    assert private["policy"] == "OR('Org1MSP.peer')"


def test_a_new_version_changes_every_package(tmp_path):
    from tests.components.program import ROOT

    network = (ROOT / "samples/simple/network.yaml").read_text()
    bumped = tmp_path / "network.yaml"
    bumped.write_text(network.replace('version: "1.0"', 'version: "1.1"'))
    before, _ = run_sample("simple")
    after, _ = run_sample("simple", network=str(bumped))

    def ids(mocks):
        return {r.manifest["node"]: r.manifest["package_id"]
                for r in mocks.by_provider("InstallProvider")}

    assert set(ids(before)) == set(ids(after))
    assert all(ids(after)[n].startswith("basic_1.1:") and ids(after)[n] != ids(before)[n]
               for n in ids(before))
    (definition,) = [r.manifest for r in after.by_provider("DefinitionProvider")]
    assert definition["version"] == "1.1"


def test_include_filter_deploys_only_the_named_chaincodes():
    mocks, _ = run_sample("scaled", chaincodes="asset")
    assert {r.manifest["name"] for r in mocks.by_provider("CommitProvider")} == {"asset"}
    names = [r.manifest["metadata"]["name"] for r in
             mocks.of_type("kubernetes:apps/v1:Deployment")]
    assert "asset-org1" in names and not any(n.startswith("basic-") for n in names)


def test_include_filter_rejects_an_unknown_chaincode():
    from fabric_components.network import check_compatible
    from network_spec.load import load_network
    from tests.components.program import ROOT

    spec = load_network(ROOT / "samples/scaled/crypto-config.yaml",
                        ROOT / "samples/scaled/network.yaml")
    config = load_stack_config("prod", {"chaincodes": "basic,nope"}.get)
    with pytest.raises(SpecError) as error:
        check_compatible(spec, config, "network.yaml", "Pulumi.prod.yaml")
    assert str(error.value) == ("Pulumi.prod.yaml: fabric:chaincodes: unknown chaincode 'nope'; "
                                "network.yaml has basic, asset")


def test_upgrading_one_chaincode_leaves_the_other_untouched(tmp_path):
    from tests.components.mocks import without_secret_values
    from tests.components.program import ROOT

    network = (ROOT / "samples/scaled/network.yaml").read_text()
    assert network.count('version: "1.0"') == 1  # basic's; asset has its own
    bumped = tmp_path / "network.yaml"
    bumped.write_text(network.replace('version: "1.0"', 'version: "1.1"'))
    before, _ = run_sample("scaled")
    after, _ = run_sample("scaled", network=str(bumped))

    def chaincode_ops(mocks, name):
        return {r.name: without_secret_values(r.inputs) for r in mocks.resources
                if r.provider in ("InstallProvider", "DefinitionProvider", "ApproveProvider",
                                  "CommitProvider") and r.name.startswith(f"{name}-")}

    assert chaincode_ops(before, "asset") == chaincode_ops(after, "asset")
    old, new = chaincode_ops(before, "basic"), chaincode_ops(after, "basic")
    assert old.keys() == new.keys() and all(old[k] != new[k] for k in old)


def test_an_org_joining_an_unchanged_definition_keeps_the_sequence():
    from fabric_components.providers.chaincode import next_sequence

    olds = {"version": "1.0", "policy": "P", "init_required": False, "sequence": 2,
            "package_ids": {"Org1": "a", "Org2": "b"}}
    joined = {**olds, "package_ids": {"Org1": "a", "Org2": "b", "Org3": "c"}}
    assert next_sequence(olds, joined, committed_sequence=2) == 2
    assert next_sequence(olds, {**joined, "policy": "Q"}, committed_sequence=2) == 3
    assert next_sequence(olds, {**olds, "package_ids": {"Org1": "a", "Org2": "z"}}, 2) == 3
    assert next_sequence(olds, {**olds, "version": "1.1"}, committed_sequence=2) == 3
    # An interrupted run already committed the next sequence: keep it.
    assert next_sequence(olds, {**olds, "version": "1.1"}, committed_sequence=3) == 3
