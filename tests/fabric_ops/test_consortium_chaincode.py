"""How many approvals a chaincode definition needs before a member commits,
from the channel config's ``LifecycleEndorsement`` as configtxlator decodes it
(the real channel: tests/engine/test_consortium_stack.py), and the line a
preview shows."""

from __future__ import annotations

from typing import Any

import pytest

from fabric_ops.consortium.chaincode import Quorum, approvals_line, lifecycle_quorum


def channel_config(policy: dict[str, Any], orgs: tuple[str, ...]) -> dict[str, Any]:
    return {"channel_group": {"groups": {"Application": {
        "groups": {msp: {} for msp in orgs},
        "policies": {"LifecycleEndorsement": {"mod_policy": "Admins", "policy": policy}},
    }}}}


def implicit(rule: str) -> dict[str, Any]:
    return {"type": 3, "value": {"rule": rule, "sub_policy": "Endorsement"}}


@pytest.mark.parametrize(("rule", "orgs", "count"), [
    ("MAJORITY", ("Org1MSP", "Org2MSP"), 2),
    ("MAJORITY", ("Org1MSP", "Org2MSP", "Org3MSP"), 2),
    ("ANY", ("Org1MSP", "Org2MSP", "Org3MSP"), 1),
    ("ALL", ("Org1MSP", "Org2MSP", "Org3MSP"), 3),
])
def test_an_implicit_meta_rule_counts_the_channels_orgs(rule: str, orgs: tuple[str, ...],
                                                        count: int):
    quorum = lifecycle_quorum(channel_config(implicit(rule), orgs))
    assert quorum == Quorum(rule, tuple(sorted(orgs)))
    assert quorum.count == count
    assert quorum.describe().startswith(f"LifecycleEndorsement {rule}: {count} of Org1MSP")


def test_a_signature_policy_waits_for_every_org():
    signature = {"type": 1, "value": {"identities": [], "rule": {}, "version": 0}}
    quorum = lifecycle_quorum(channel_config(signature, ("Org2MSP", "Org1MSP")))
    assert (quorum.rule, quorum.count) == ("ALL", 2)


def test_the_line_names_who_approved_and_who_not():
    assert approvals_line({"Org2MSP": False, "Org1MSP": True}) == (
        "approved by Org1MSP; not yet Org2MSP")
    assert approvals_line({"Org1MSP": False}) == "approved by no org yet; not yet Org1MSP"
    assert approvals_line({"Org1MSP": True}) == "approved by Org1MSP"
