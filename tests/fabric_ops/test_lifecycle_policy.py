"""Whether the orgs that approved a chaincode definition can commit it, from
the channel config's ``LifecycleEndorsement`` as configtxlator decodes it (a
real channel with each kind: tests/localnet/test_consortium.py): ImplicitMeta
rules count orgs, signature policies are evaluated as Fabric's cauthdsl does
over one peer endorsement per approving org."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest

from fabric_ops.consortium.lifecycle_policy import (
    ImplicitQuorum,
    SignatureQuorum,
    lifecycle_quorum,
)

ORGS = ("Org1MSP", "Org2MSP", "Org3MSP")


def channel_config(policy: dict[str, Any], orgs: tuple[str, ...] = ORGS) -> dict[str, Any]:
    return {"channel_group": {"groups": {"Application": {
        "groups": {msp: {} for msp in orgs},
        "policies": {"LifecycleEndorsement": {"mod_policy": "Admins", "policy": policy}},
    }}}}


def implicit(rule: str) -> dict[str, Any]:
    return {"type": 3, "value": {"rule": rule, "sub_policy": "Endorsement"}}


def signature(principals: list[tuple[str, str]], rule: dict[str, Any],
              classification: str = "ROLE") -> dict[str, Any]:
    """A SignaturePolicyEnvelope as configtxlator decodes it; ``principals``
    are (MSP ID, role) in the order ``signed_by`` indexes them."""
    return {"type": 1, "value": {"identities": [
        {"principal": {"msp_identifier": msp, "role": role},
         "principal_classification": classification} for msp, role in principals],
        "rule": rule, "version": 0}}


def out_of(n: int, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"n_out_of": {"n": n, "rules": list(rules)}}


def by(index: int) -> dict[str, Any]:
    return {"signed_by": index}


def approving_sets(orgs: tuple[str, ...] = ORGS) -> list[frozenset[str]]:
    return [frozenset(c) for size in range(len(orgs) + 1) for c in combinations(orgs, size)]


@pytest.mark.parametrize(("rule", "count"), [("MAJORITY", 2), ("ANY", 1), ("ALL", 3)])
def test_an_implicit_meta_rule_counts_the_channels_orgs(rule: str, count: int) -> None:
    quorum = lifecycle_quorum(channel_config(implicit(rule), ("Org3MSP", "Org1MSP", "Org2MSP")))
    assert quorum == ImplicitQuorum(rule, ORGS)
    assert quorum.describe() == f"LifecycleEndorsement {rule}: {count} of {', '.join(ORGS)}"
    for approving in approving_sets():
        assert quorum.met(approving) == (len(approving) >= count), approving
    assert not quorum.met({"OtherMSP"} if count == 1 else {"Org1MSP", "OtherMSP"})


PEERS = [(msp, "PEER") for msp in ORGS]
CASES = [
    # (policy, the DSL shown, the approving sets that meet it)
    (signature(PEERS, out_of(1, by(0), by(1), by(2))),
     "OutOf(1, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')",
     lambda a: len(a) >= 1),
    (signature(PEERS, out_of(3, by(0), by(1), by(2))),
     "OutOf(3, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')",
     lambda a: len(a) == 3),
    (signature(PEERS, out_of(2, by(0), by(1), by(2))),
     "OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')",
     lambda a: len(a) >= 2),
    # AND(Org1, OR(Org2, Org3)); a member principal is met by a peer too
    (signature([("Org1MSP", "MEMBER"), ("Org2MSP", "PEER"), ("Org3MSP", "MEMBER")],
               out_of(2, by(0), out_of(1, by(1), by(2)))),
     "OutOf(2, 'Org1MSP.member', OutOf(1, 'Org2MSP.peer', 'Org3MSP.member'))",
     lambda a: "Org1MSP" in a and len(a) >= 2),
    # a bare principal (signed_by 0 as the whole rule)
    (signature([("Org2MSP", "PEER")], by(0)), "'Org2MSP.peer'", lambda a: "Org2MSP" in a),
    # an admin, client or orderer principal is never met by a peer's endorsement
    (signature([("Org1MSP", "ADMIN"), ("Org2MSP", "PEER")], out_of(1, by(0), by(1))),
     "OutOf(1, 'Org1MSP.admin', 'Org2MSP.peer')", lambda a: "Org2MSP" in a),
    (signature([("Org1MSP", "CLIENT"), ("Org1MSP", "ORDERER")], out_of(1, by(0), by(1))),
     "OutOf(1, 'Org1MSP.client', 'Org1MSP.orderer')", lambda a: False),
    # each identity serves one principal: two of Org1 need two of its endorsements
    (signature([("Org1MSP", "PEER"), ("Org1MSP", "MEMBER")], out_of(2, by(0), by(1))),
     "OutOf(2, 'Org1MSP.peer', 'Org1MSP.member')", lambda a: False),
]


@pytest.mark.parametrize(("policy", "dsl", "meets"), CASES, ids=[c[1] for c in CASES])
def test_a_signature_policy_is_evaluated_over_one_peer_of_each_approving_org(
        policy: dict[str, Any], dsl: str, meets: Any) -> None:
    quorum = lifecycle_quorum(channel_config(policy))
    assert isinstance(quorum, SignatureQuorum)
    assert quorum.describe() == f"LifecycleEndorsement {dsl}"
    for approving in approving_sets():
        assert quorum.met(approving) == meets(approving), sorted(approving)


def test_a_gate_keeps_the_identities_its_first_rules_took() -> None:
    """cauthdsl is greedy: OutOf(2, OR(A, B), A) with A and B approving takes A
    for the OR, and A is then used; Fabric refuses such a commit too."""
    principals = [("Org1MSP", "PEER"), ("Org2MSP", "PEER")]
    quorum = lifecycle_quorum(channel_config(signature(
        principals, out_of(2, out_of(1, by(0), by(1)), by(0)))))
    assert not quorum.met({"Org1MSP", "Org2MSP"})
    swapped = lifecycle_quorum(channel_config(signature(
        principals, out_of(2, by(0), out_of(1, by(0), by(1))))))
    assert swapped.met({"Org1MSP", "Org2MSP"})


@pytest.mark.parametrize("policy", [
    signature([("Org1MSP", "PEER")], by(0), classification="ORGANIZATION_UNIT"),
    signature([("Org1MSP", "PEER")], out_of(1, by(0), by(3))),
    {"type": 1, "value": {"identities": [], "rule": {}, "version": 0}},
    {"type": 2, "value": {}},
], ids=["an OU principal", "an index out of range", "no identities", "an unknown type"])
def test_a_policy_not_evaluated_here_waits_for_every_org(policy: dict[str, Any]) -> None:
    quorum = lifecycle_quorum(channel_config(policy, ("Org2MSP", "Org1MSP")))
    assert quorum == ImplicitQuorum("ALL", ("Org1MSP", "Org2MSP"))
    assert not quorum.met({"Org1MSP"}) and quorum.met({"Org1MSP", "Org2MSP"})
