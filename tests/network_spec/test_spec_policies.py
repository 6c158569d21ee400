"""Fabric signature policy strings that must be accepted, and what they name."""

import pytest

from network_spec.policies import Principal, any_member_policy, parse_policy


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
