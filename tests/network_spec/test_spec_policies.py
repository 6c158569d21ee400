"""Fabric signature policy strings that must be accepted, and what they name."""

import pytest

from network_spec.policies import Principal, any_member_policy, parse_policy, satisfiable_by


@pytest.mark.parametrize(
    ("policy", "principals"),
    [
        ("OR('Org1MSP.member')", [("Org1MSP", "member")]),
        ("or('Org1MSP.peer', 'Org2MSP.peer')", [("Org1MSP", "peer"), ("Org2MSP", "peer")]),
        ('AND("Org1MSP.admin","Org2MSP.client")', [("Org1MSP", "admin"), ("Org2MSP", "client")]),
        ("And('A.peer')", [("A", "peer")]),
        (
            "OutOf(2, 'Org1MSP.peer', OR('Org2MSP.peer', 'Org3MSP.peer'), 'Org4MSP.peer')",
            [("Org1MSP", "peer"), ("Org2MSP", "peer"), ("Org3MSP", "peer"), ("Org4MSP", "peer")],
        ),
        ("outof(1, 'my-org.v2.orderer')", [("my-org.v2", "orderer")]),
        (
            "  OR ( 'Org1MSP.member' , AND('Org2MSP.member') )  ",
            [
                ("Org1MSP", "member"),
                ("Org2MSP", "member"),
            ],
        ),
    ],
)
def test_accepted(policy, principals):
    assert parse_policy(policy) == tuple(Principal(m, r) for m, r in principals)


def test_any_member_policy():
    assert any_member_policy(("Org1MSP", "Org2MSP")) == "OR('Org1MSP.member','Org2MSP.member')"
    assert parse_policy(any_member_policy(("Org1MSP",))) == (Principal("Org1MSP", "member"),)


@pytest.mark.parametrize(
    ("policy", "signers", "satisfied"),
    [
        ("OR('A.peer', 'B.peer')", ("B",), True),
        ("AND('A.peer', 'B.peer')", ("A",), False),
        ("AND('A.peer', 'B.peer')", ("A", "B"), True),
        ("OutOf(2, 'A.peer', 'B.peer', 'C.peer')", ("A", "C"), True),
        ("OutOf(2, 'A.peer', 'B.peer', 'C.peer')", ("C",), False),
        ("OR(AND('A.peer', 'C.peer'), AND('B.peer', 'C.member'))", ("A", "B"), False),
        ("OR(AND('A.peer', 'C.peer'), OutOf(1, 'B.peer', 'C.member'))", ("A", "B"), True),
        ("AND('A.peer', 'A.admin')", ("A",), True),
    ],
)
def test_satisfiable_by_the_orgs_that_sign(policy, signers, satisfied):
    assert satisfiable_by(policy, signers) is satisfied
