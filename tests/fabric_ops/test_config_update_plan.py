"""Which admins sign a config update and how a consenter change is split into
steps, on config documents shaped as configtxlator decodes them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fabric_ops.channel_summary import consenters
from fabric_ops.config_update import (
    ConfigUpdateError,
    required_signers,
    same_config,
    update_steps,
)


def group(version: str = "0", **values: Any) -> dict[str, Any]:
    return {"groups": {}, "mod_policy": "Admins", "policies": {}, "version": version,
            "values": {k: {"mod_policy": "Admins", "value": v, "version": version}
                       for k, v in values.items()}}


def consenter(n: int) -> dict[str, Any]:
    return {"host": f"orderer{n}", "port": 7050, "client_tls_cert": f"c{n}",
            "server_tls_cert": f"c{n}"}


def config(orgs: list[str], nodes: list[int], batch: int = 10, version: str = "0") -> dict:
    application = group(version)
    application["groups"] = {msp: group(version, AnchorPeers={"anchor_peers": []})
                             for msp in orgs}
    orderer = group(version, BatchSize={"max_message_count": batch},
                    ConsensusType={"metadata": {"consenters": [consenter(n) for n in nodes]},
                                   "type": "etcdraft"})
    orderer["groups"] = {"OrdererMSP": group(version)}
    root = group(version, Capabilities={"capabilities": {"V2_0": {}}})
    root["groups"] = {"Application": application, "Orderer": orderer}
    return {"channel_group": root, "sequence": version}


AVAILABLE = ["OrdererMSP", "Org1MSP", "Org2MSP", "Org3MSP"]


def test_versions_are_history_not_content():
    assert same_config(config(["Org1MSP"], [0], version="0"), config(["Org1MSP"], [0], version="7"))
    assert not same_config(config(["Org1MSP"], [0]), config(["Org1MSP"], [0], batch=20))


def test_adding_an_org_needs_a_majority_of_the_current_members():
    two, three = config(["Org1MSP", "Org2MSP"], [0]), config(["Org1MSP", "Org2MSP", "Org3MSP"], [0])
    assert required_signers(two, three, AVAILABLE) == ["Org1MSP", "Org2MSP"]
    # Removing one of three: 2 of the 3 current members (the removed one may sign).
    assert required_signers(three, two, AVAILABLE) == ["Org1MSP", "Org2MSP"]
    assert required_signers(three, two, ["Org2MSP", "Org3MSP"]) == ["Org2MSP", "Org3MSP"]


def test_an_orgs_own_group_needs_its_admin_only():
    before = config(["Org1MSP", "Org2MSP"], [0])
    after = copy.deepcopy(before)
    after["channel_group"]["groups"]["Application"]["groups"]["Org2MSP"]["values"][
        "AnchorPeers"]["value"] = {"anchor_peers": [{"host": "peer1", "port": 7051}]}
    assert required_signers(before, after, AVAILABLE) == ["Org2MSP"]


def test_orderer_values_need_the_orderer_orgs_and_channel_values_both_sections():
    before = config(["Org1MSP", "Org2MSP", "Org3MSP"], [0])
    assert required_signers(before, config(["Org1MSP", "Org2MSP", "Org3MSP"], [0], batch=20),
                            AVAILABLE) == ["OrdererMSP"]
    after = copy.deepcopy(before)
    after["channel_group"]["values"]["Capabilities"]["value"] = {"capabilities": {"V3_0": {}}}
    assert required_signers(before, after, AVAILABLE) == ["OrdererMSP", "Org1MSP", "Org2MSP"]


def test_too_few_admins_is_a_clear_error():
    two, three = config(["Org1MSP", "Org2MSP"], [0]), config(["Org1MSP", "Org2MSP", "Org3MSP"], [0])
    with pytest.raises(ConfigUpdateError) as error:
        required_signers(two, three, ["OrdererMSP", "Org1MSP"])
    assert str(error.value) == ("Application changes need 2 of the admins of Org1MSP, Org2MSP; "
                                "only Org1MSP can sign here")


def addresses(step: dict) -> list[str]:
    return [c["host"] for c in consenters(step)]


def test_a_consenter_swap_adds_before_it_removes_one_per_step():
    steps = update_steps(config(["Org1MSP"], [0, 1, 2]), config(["Org1MSP"], [1, 2, 3, 4]))
    assert [addresses(s) for s in steps] == [
        ["orderer1", "orderer2", "orderer3", "orderer0"],
        ["orderer1", "orderer2", "orderer3", "orderer4", "orderer0"],
        ["orderer1", "orderer2", "orderer3", "orderer4"],
    ]


def test_new_tls_certificates_rotate_each_consenter_in_place_in_its_own_step():
    current = config(["Org1MSP"], [0, 1, 2])
    target = copy.deepcopy(current)
    rotated = consenters(target)
    for n in (2, 0):
        rotated[n]["client_tls_cert"] = rotated[n]["server_tls_cert"] = f"new{n}"
    steps = update_steps(current, target)
    assert [[c["client_tls_cert"] for c in consenters(s)] for s in steps] == [
        ["new0", "c1", "c2"],
        ["new0", "c1", "new2"],
    ]
    assert same_config(steps[-1], target)


def test_other_changes_follow_the_consenter_steps_and_nothing_is_no_step():
    current = config(["Org1MSP"], [0, 1])
    target = config(["Org1MSP", "Org2MSP"], [0, 1, 2], batch=20)
    steps = update_steps(current, target)
    assert len(steps) == 2
    assert addresses(steps[0]) == ["orderer0", "orderer1", "orderer2"]
    assert same_config(steps[0], config(["Org1MSP"], [0, 1, 2]))
    assert steps[1] is target
    assert update_steps(current, copy.deepcopy(current)) == []
