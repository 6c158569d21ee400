"""Proposals and signatures without Fabric: envelopes taken apart and put back
around the same signed bytes, signatures checked against the signer's card
(the real ``peer channel signconfigtx`` signatures: tests/localnet/test_consortium.py),
approvals by name and digest, and what is still missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from crypto import OrgCrypto, generate_org
from fabric_ops.config_update import SignatureNeed
from fabric_ops.consortium.envelope import parse_envelope, parse_signature
from fabric_ops.consortium.proposal import (
    Proposal,
    ProposalError,
    approved,
    describe,
    load_proposal,
    sign_proposal,
    signed_envelope,
    status,
    write_proposal,
)
from fabric_ops.consortium.signing import SignatureError, verify_signature
from fabric_ops.consortium.wire import bytes_field
from localnet.release import REPO_ROOT
from network_spec import SpecError, load_network
from tests.fabric_ops.consortium_material import CHANNEL, card, signed_by, unsigned_update

SIMPLE = REPO_ROOT / "samples" / "simple"
NEED = SignatureNeed("/Channel/Application/Admins", ("Org1MSP", "Org2MSP"), 2)


@pytest.fixture(scope="module")
def generated() -> dict[str, OrgCrypto]:
    spec = load_network(SIMPLE / "crypto-config.yaml", SIMPLE / "network.yaml")
    return {org.msp_id: generate_org(org) for org in spec.peer_orgs}


def test_an_envelope_is_rebuilt_around_the_same_signed_bytes(generated: dict[str, OrgCrypto]):
    update = unsigned_update()
    envelope = parse_envelope(update)
    assert envelope.channel == CHANNEL and envelope.signatures == ()
    assert envelope.encoded() == update
    signature = signed_by("Org1MSP", generated["Org1MSP"].admin, update)
    rebuilt = parse_envelope(envelope.with_signatures((signature,)).encoded())
    assert rebuilt.config_update == envelope.config_update
    assert rebuilt.header == envelope.header
    assert rebuilt.signatures == (signature,)
    assert parse_signature(signature).msp_id == "Org1MSP"
    assert bytes_field(rebuilt.config_update, 1) == CHANNEL.encode()


def test_a_signature_holds_for_its_admin_and_its_update_only(generated: dict[str, OrgCrypto]):
    org1, org2 = generated["Org1MSP"], generated["Org2MSP"]
    update = parse_envelope(unsigned_update())
    good = signed_by("Org1MSP", org1.admin, unsigned_update())
    assert verify_signature(good, update, card(org1)).msp_id == "Org1MSP"
    with pytest.raises(SignatureError, match="not Org2MSP"):
        verify_signature(good, update, card(org2))
    changed = type(update)(update.header, update.config_update + b"\x20\x01", ())
    with pytest.raises(SignatureError, match="does not match this update"):
        verify_signature(good, changed, card(org1))
    with pytest.raises(SignatureError, match="not from the CA on its card"):
        verify_signature(signed_by("Org1MSP", org2.admin, unsigned_update()), update, card(org1))
    with pytest.raises(SignatureError, match="not an admin"):
        verify_signature(signed_by("Org1MSP", org1.users[0], unsigned_update()), update,
                         card(org1))


def proposal_in(folder: Path) -> Proposal:
    proposal = Proposal("add-org3", folder, unsigned_update(), CHANNEL, (NEED,), "Org1MSP")
    write_proposal(proposal, ["- Application: adds org Org3MSP"])
    return load_proposal(folder, "add-org3")


def test_approval_names_the_proposal_and_its_exact_update(tmp_path: Path):
    proposal = proposal_in(tmp_path)
    assert approved([proposal.approval], proposal)
    assert not approved([f"add-org3@{'0' * 64}"], proposal)
    with pytest.raises(SpecError, match=r"fabric:approve\[0\]: 'add-org3'"):
        approved(["add-org3"], proposal, "Pulumi.org2.yaml")
    with pytest.raises(ProposalError, match="has not approved"):
        sign_proposal(None, "Org2MSP", proposal, [])  # type: ignore[arg-type]
    update = tmp_path / "proposals" / "add-org3" / "update.pb"
    original = update.read_bytes()
    update.write_bytes(original + b"\x00")
    with pytest.raises(SpecError, match="the update changed after it was proposed"):
        load_proposal(tmp_path, "add-org3")
    update.write_bytes(original)
    text = (tmp_path / "proposals" / "add-org3" / "summary.md").read_text()
    assert "MAJORITY, 2 of the admins of Org1MSP, Org2MSP" in text
    assert f"      - {proposal.approval}" in text


def test_status_counts_valid_signatures_and_names_what_is_missing(
        tmp_path: Path, generated: dict[str, OrgCrypto]):
    proposal = proposal_in(tmp_path)
    cards = {msp: card(crypto) for msp, crypto in generated.items()}
    empty = status(proposal, cards.__getitem__)
    assert describe(proposal, empty) == (
        "proposal add-org3: signed by nobody; missing /Channel/Application/Admins: "
        "2 more of Org1MSP, Org2MSP")
    proposal.signature_path("Org1MSP").write_bytes(
        signed_by("Org1MSP", generated["Org1MSP"].admin, proposal.update))
    # A file under Org2's name signed by Org1 counts for nobody.
    proposal.signature_path("Org2MSP").write_bytes(
        signed_by("Org1MSP", generated["Org1MSP"].admin, proposal.update))
    half = status(proposal, cards.__getitem__)
    assert half.signed == ("Org1MSP",) and not half.ready
    assert "Org2MSP's signature refused: signed as 'Org1MSP'" in describe(proposal, half)
    proposal.signature_path("Org2MSP").write_bytes(
        signed_by("Org2MSP", generated["Org2MSP"].admin, proposal.update))
    full = status(proposal, cards.__getitem__)
    assert full.ready and describe(proposal, full).endswith("ready to submit")
    assembled = parse_envelope(signed_envelope(proposal, full))
    assert [parse_signature(s).msp_id for s in assembled.signatures] == ["Org1MSP", "Org2MSP"]
    assert assembled.config_update == proposal.envelope.config_update
