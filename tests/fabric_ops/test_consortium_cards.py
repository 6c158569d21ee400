"""Org cards: built from public material only, written and read back checked,
refused (naming file and field) when their CA does not sign what they list."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crypto import OrgCrypto, generate_org
from fabric_ops.consortium.card import OrgCard, build_card, card_path, read_card, write_card
from localnet.release import REPO_ROOT
from network_spec import OrgKind, SpecError, load_network

SIMPLE = REPO_ROOT / "samples" / "simple"


@pytest.fixture(scope="module")
def generated() -> dict[str, OrgCrypto]:
    spec = load_network(SIMPLE / "crypto-config.yaml", SIMPLE / "network.yaml")
    return {org.name: generate_org(org) for org in spec.orgs}


def card_of(crypto: OrgCrypto, admin_cert: str = "") -> OrgCard:
    org = crypto.org
    addresses = {n.common_name: f"10.0.0.{i}:7050" for i, n in enumerate(org.nodes)}
    tls = {cn: ident.tls.cert_pem for cn, ident in crypto.nodes.items()}
    sign = {cn: ident.sign.cert_pem for cn, ident in crypto.nodes.items()}
    anchors = [org.nodes[0].common_name] if org.kind is OrgKind.PEER else []
    return build_card(org, crypto.cas.ca.cert_pem, crypto.cas.tlsca.cert_pem,
                      admin_cert or crypto.admin.sign.cert_pem, addresses, tls, anchors, sign)


def test_a_card_round_trips_and_holds_no_private_key(tmp_path: Path,
                                                     generated: dict[str, OrgCrypto]):
    for crypto in generated.values():
        path = write_card(tmp_path, card_of(crypto))
        assert path == tmp_path / "orgs" / f"{crypto.org.msp_id}.yaml"
        assert read_card(tmp_path, crypto.org.msp_id) == card_of(crypto)
        assert "PRIVATE KEY" not in path.read_text()
    orderer = read_card(tmp_path, "OrdererMSP")
    orderer0 = generated["Orderer"].nodes["orderer0.example.com"]
    assert orderer.nodes[0].tls_cert == orderer0.tls.cert_pem
    assert orderer.nodes[0].sign_cert == orderer0.sign.cert_pem
    org1 = read_card(tmp_path, "Org1MSP")
    assert org1.anchor_peers == ("10.0.0.0:7050",) and not org1.admin_certs


def test_a_card_whose_ca_did_not_issue_its_certificates_is_refused(
        tmp_path: Path, generated: dict[str, OrgCrypto]):
    write_card(tmp_path, card_of(generated["Orderer"]))
    path = card_path(tmp_path, "OrdererMSP")
    document = yaml.safe_load(path.read_text())
    document["nodes"][0]["tlsCert"] = generated["Org1"].nodes["peer0.org1.example.com"].tls.cert_pem
    path.write_text(yaml.safe_dump(document))
    refused = r"OrdererMSP\.yaml: nodes\[0\]\.tlsCert: not issued by the card's TLS CA"
    with pytest.raises(SpecError, match=refused):
        read_card(tmp_path, "OrdererMSP")


def test_an_orderer_sign_certificate_of_another_ca_or_node_is_refused(
        tmp_path: Path, generated: dict[str, OrgCrypto]):
    """A BFT consenter's identity must be the node's own, issued by its org's CA."""
    write_card(tmp_path, card_of(generated["Orderer"]))
    path = card_path(tmp_path, "OrdererMSP")
    document = yaml.safe_load(path.read_text())
    peer = generated["Org1"].nodes["peer0.org1.example.com"]
    for sign_cert, refused in (
            (peer.sign.cert_pem, r"nodes\[0\]\.signCert: not issued by the card's CA"),
            (generated["Orderer"].admin.sign.cert_pem,
             r"nodes\[0\]\.signCert: issued to Admin@example\.com, not to the node orderer0")):
        document["nodes"][0]["signCert"] = sign_cert
        path.write_text(yaml.safe_dump(document))
        with pytest.raises(SpecError, match=refused):
            read_card(tmp_path, "OrdererMSP")


def test_a_card_under_another_name_or_missing_fields_is_refused(
        tmp_path: Path, generated: dict[str, OrgCrypto]):
    write_card(tmp_path, card_of(generated["Org1"]))
    card_path(tmp_path, "Org1MSP").rename(card_path(tmp_path, "Org2MSP"))
    with pytest.raises(SpecError, match=r"Org2MSP\.yaml: mspId: 'Org1MSP', but the file is"):
        read_card(tmp_path, "Org2MSP")
    card_path(tmp_path, "Org2MSP").write_text("mspId: Org2MSP\nkind: peer\n")
    with pytest.raises(SpecError, match=r"Org2MSP\.yaml: domain: missing"):
        read_card(tmp_path, "Org2MSP")
    with pytest.raises(SpecError, match="no card for Org3MSP"):
        read_card(tmp_path, "Org3MSP")


def test_a_card_of_an_org_without_node_ous_lists_the_admin_and_the_one_it_replaced(
        tmp_path: Path, generated: dict[str, OrgCrypto]):
    from dataclasses import replace
    from datetime import timedelta

    from crypto.renewal import renew_identity

    crypto = generated["Org2"]
    org = replace(crypto.org, enable_node_ous=False)
    first = crypto.admin.sign.cert_pem
    renewed = renew_identity(crypto.cas, crypto.admin, timedelta(days=1)).sign.cert_pem
    addresses = {n.common_name: "10.0.0.2:7051" for n in org.nodes}

    def card(admin: str, previous: str) -> OrgCard:
        return build_card(org, crypto.cas.ca.cert_pem, crypto.cas.tlsca.cert_pem, admin,
                          addresses, previous_admin_cert=previous)

    assert card(first, "").admin_certs == card(first, first).admin_certs == (first,)
    both = card(renewed, first)
    assert both.admin_certs == (renewed, first)
    write_card(tmp_path, both)
    assert read_card(tmp_path, "Org2MSP").admin_certs == (renewed, first)
