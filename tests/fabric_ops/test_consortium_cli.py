"""``python -m fabric_ops.consortium``: a card written from a cryptogen
directory's public half, each proposal's status, and a signature check that
fails on a signature that does not hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from crypto import generate_org, write_org_tree
from fabric_ops.config_update import SignatureNeed
from fabric_ops.consortium.__main__ import main
from fabric_ops.consortium.card import read_card, write_card
from fabric_ops.consortium.proposal import Proposal, write_proposal
from localnet.release import REPO_ROOT
from network_spec import load_network
from tests.fabric_ops.consortium_material import CHANNEL, card, signed_by, unsigned_update

SIMPLE = REPO_ROOT / "samples" / "simple"


def test_card_status_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    spec = load_network(SIMPLE / "crypto-config.yaml", SIMPLE / "network.yaml")
    org1, org2 = generate_org(spec.org("Org1")), generate_org(spec.org("Org2"))
    write_org_tree(org1, tmp_path / "crypto")
    folder = tmp_path / "consortium"
    assert main(["card", str(folder), str(SIMPLE / "crypto-config.yaml"),
                 str(tmp_path / "crypto"), "Org1", "peer0.org1.example.com=10.1.0.5:7051"]) == 0
    written = read_card(folder, "Org1MSP")
    assert written.ca_cert == org1.cas.ca.cert_pem
    assert written.anchor_peers == ("10.1.0.5:7051",)
    assert "PRIVATE KEY" not in (folder / "orgs" / "Org1MSP.yaml").read_text()
    assert main(["card", str(folder), str(SIMPLE / "crypto-config.yaml"),
                 str(tmp_path / "crypto"), "Org1", "peer9=1:2"]) == 1
    assert "no address for peer0.org1.example.com" in capsys.readouterr().err
    orderer = generate_org(spec.org("Orderer"))
    write_org_tree(orderer, tmp_path / "crypto")
    assert main(["card", str(folder), str(SIMPLE / "crypto-config.yaml"),
                 str(tmp_path / "crypto"), "Orderer", "orderer0.example.com=10.1.0.9:7050"]) == 0
    (node,) = read_card(folder, "OrdererMSP").nodes
    assert node.sign_cert == orderer.nodes["orderer0.example.com"].sign.cert_pem
    capsys.readouterr()

    write_card(folder, card(org2))
    need = SignatureNeed("/Channel/Application/Admins", ("Org1MSP", "Org2MSP"), 2)
    proposal = Proposal("add-org3", folder, unsigned_update(), CHANNEL, (need,), "Org1MSP")
    write_proposal(proposal, ["- Application: adds org Org3MSP"])
    proposal.signature_path("Org1MSP").write_bytes(
        signed_by("Org1MSP", org1.admin, proposal.update))
    assert main(["status", str(folder)]) == 0
    assert capsys.readouterr().out == ("proposal add-org3: signed by Org1MSP; missing "
                                       "/Channel/Application/Admins: 1 more of Org2MSP\n")
    assert main(["verify", str(folder), "add-org3"]) == 0
    proposal.signature_path("Org2MSP").write_bytes(
        signed_by("Org1MSP", org1.admin, proposal.update))
    assert main(["verify", str(folder), "add-org3"]) == 1
    assert "Org2MSP.pb: REFUSED: signed as 'Org1MSP', not Org2MSP" in capsys.readouterr().out
