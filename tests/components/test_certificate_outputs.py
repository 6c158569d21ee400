"""Certificate expiry under mocks: a stack with a one-hour validity issues
certificates that end within the hour (55 minutes left: cryptogen backdates by
5), the identity resources and the stack outputs say when, and every one is due
for renewal when the window is longer than what is left."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509

from tests.components.mocks import RecordingMocks, plain
from tests.components.program import run_sample

IDENTITY = "IdentityProvider"


@pytest.fixture(scope="module")
def one_hour() -> tuple[RecordingMocks, dict[str, Any]]:
    return run_sample("simple", certValidity="1h", certRenewBefore="58m")


@pytest.fixture(scope="module")
def default() -> tuple[RecordingMocks, dict[str, Any]]:
    return run_sample("simple")


def ends(pem: str) -> datetime:
    return x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc


def test_identities_are_issued_for_the_validity_asked_and_say_when_they_end(one_hour):
    mocks, _ = one_hour
    now = datetime.now(UTC)
    identities = mocks.by_provider(IDENTITY)
    assert len(identities) >= 5
    for resource in identities:
        outs = plain(resource.outputs)
        for which in ("sign", "tls"):
            end = ends(outs[f"{which}_cert"])
            assert now < end <= now + timedelta(hours=1), resource.name
            assert outs[f"{which}_not_after"] == end.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert resource.manifest["validity_seconds"] == 3600


def test_outputs_list_every_certificate_and_all_are_due_inside_the_window(one_hour):
    mocks, outputs = one_hour
    report = outputs["certificates"]
    identities = {plain(r.outputs)["common_name"]: plain(r.outputs)
                  for r in mocks.by_provider(IDENTITY)}
    servers = {plain(r.outputs)["common_name"]: plain(r.outputs)
               for r in mocks.by_provider("TlsCertificateProvider")}
    assert set(servers) == {"basic-org1.fabric.svc.cluster.local",
                            "basic-org2.fabric.svc.cluster.local"}
    listed = {cn for org in report.values() for cn in org["identities"]}
    assert listed == set(identities) | set(servers)
    # A chaincode server's certificate is its org's, under its common name, due as the others.
    server = report["Org2"]["identities"]["basic-org2.fabric.svc.cluster.local"]
    assert server == {"tls": {"notAfter": servers["basic-org2.fabric.svc.cluster.local"][
        "not_after"], "renewalDue": True}}
    org1 = report["Org1"]
    peer = org1["identities"]["peer0.org1.example.com"]
    assert peer["tls"]["notAfter"] == identities["peer0.org1.example.com"]["tls_not_after"]
    assert peer["sign"]["renewalDue"] is True
    # The soonest expiry of the org is a leaf's; its CAs keep ten years, not due.
    assert org1["soonestExpiry"] == min(
        c["notAfter"] for certs in org1["identities"].values() for c in certs.values())
    assert org1["cas"]["tlsca"]["notAfter"] >= "2036" and not org1["cas"]["ca"]["renewalDue"]
    due = outputs["certificatesDueForRenewal"]
    assert "Org1/peer0.org1.example.com/tls" in due and "Org1/Admin@org1.example.com/sign" in due
    assert "Org1/basic-org1.fabric.svc.cluster.local/tls" in due
    assert len(due) == 2 * len(identities) + len(servers)
    assert "PRIVATE KEY" not in json.dumps(outputs)


def test_the_scraper_has_an_entry_of_its_own():
    mocks, outputs = run_sample("simple", monitoring="podmonitor", certValidity="1h",
                                certRenewBefore="58m")
    (scraper,) = [plain(r.outputs) for r in mocks.by_provider("ScraperIdentityProvider")]
    entry = outputs["certificates"]["operations-scraper"]
    assert entry["identities"] == {"prometheus.fabric": {"tls": {
        "notAfter": scraper["not_after"], "renewalDue": True}}}
    assert entry["cas"]["ca"]["renewalDue"] is False
    assert entry["soonestExpiry"] == scraper["not_after"]
    assert "operations-scraper/prometheus.fabric/tls" in outputs["certificatesDueForRenewal"]
    assert "PRIVATE KEY" not in json.dumps(outputs)


def test_with_cryptogens_validity_nothing_is_due(default):
    _, outputs = default
    assert outputs["certificatesDueForRenewal"] == []
    assert outputs["certificates"]["Org1"]["soonestExpiry"] >= "2036"


def test_key_generations_reach_the_named_identities_only():
    mocks, _ = run_sample("simple", keyGenerations="orderer0.example.com=2")
    generations = {plain(r.outputs)["common_name"]: r.manifest["key_generation"]
                   for r in mocks.by_provider(IDENTITY)}
    assert generations.pop("orderer0.example.com") == 2
    assert set(generations.values()) == {0}


def test_a_key_generation_for_an_unknown_identity_names_the_key():
    from fabric_components.network import check_compatible
    from fabric_components.stack_config import load_stack_config
    from network_spec import SpecError
    from network_spec.load import load_network
    from tests.components.program import ROOT

    spec = load_network(ROOT / "samples/simple/crypto-config.yaml",
                        ROOT / "samples/simple/network.yaml")
    config = load_stack_config("dev", {"keyGenerations": "orderer9.example.com=1"}.get)
    with pytest.raises(SpecError) as error:
        check_compatible(spec, config, "network.yaml", "Pulumi.dev.yaml")
    assert str(error.value) == ("Pulumi.dev.yaml: fabric:keyGenerations: 'orderer9.example.com' "
                                "is no node or user of crypto-config.yaml")


def test_new_keys_need_cert_renewal():
    from fabric_components.network import check_compatible
    from fabric_components.stack_config import load_stack_config
    from network_spec import SpecError
    from network_spec.load import load_network
    from tests.components.program import ROOT

    spec = load_network(ROOT / "samples/simple/crypto-config.yaml",
                        ROOT / "samples/simple/network.yaml")
    config = load_stack_config("dev", {"keyGenerations": "orderer0.example.com=1",
                                       "certRenewal": "false"}.get)
    with pytest.raises(SpecError) as error:
        check_compatible(spec, config, "network.yaml", "Pulumi.dev.yaml")
    assert str(error.value) == ("Pulumi.dev.yaml: fabric:keyGenerations: new keys need "
                                "fabric:certRenewal (the nodes roll on them)")


def test_no_new_key_for_the_admin_of_an_org_without_node_ous(tmp_path):
    from fabric_components.network import check_compatible
    from fabric_components.stack_config import load_stack_config
    from network_spec import SpecError
    from network_spec.load import load_network
    from tests.components.program import ROOT

    text = (ROOT / "samples/simple/crypto-config.yaml").read_text()
    plain = tmp_path / "crypto-config.yaml"
    plain.write_text(text.replace("EnableNodeOUs: true", "EnableNodeOUs: false"))
    spec = load_network(plain, ROOT / "samples/simple/network.yaml")
    config = load_stack_config("dev", {"keyGenerations": "Admin@org1.example.com=1"}.get)
    with pytest.raises(SpecError) as error:
        check_compatible(spec, config, "network.yaml", "Pulumi.dev.yaml")
    assert str(error.value) == (
        "Pulumi.dev.yaml: fabric:keyGenerations: Admin@org1.example.com: an Admin of an org "
        "without NodeOUs is named by its certificate (admincerts), and its channels keep the "
        "previous one beside a renewed one: the old key would stay an admin; enable NodeOUs "
        "to give it a new key")
