"""The line a preview shows on who approved a chaincode definition (whether
they are enough: test_lifecycle_policy.py)."""

from __future__ import annotations

from fabric_ops.consortium.chaincode import approvals_line


def test_the_line_names_who_approved_and_who_not():
    assert approvals_line({"Org2MSP": False, "Org1MSP": True}) == (
        "approved by Org1MSP; not yet Org2MSP")
    assert approvals_line({"Org1MSP": False}) == "approved by no org yet; not yet Org1MSP"
    assert approvals_line({"Org1MSP": True}) == "approved by Org1MSP"
