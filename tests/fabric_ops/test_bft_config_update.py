"""A BFT channel's consenter changes on config documents shaped as
configtxlator decodes them: live IDs kept, new ones above them, one consenter
per step, each step's BlockValidation policy the quorum of its consenters."""

from __future__ import annotations

from typing import Any

import pytest

from fabric_ops.bft_config import aligned_to, bft_consenters, block_validation_policy
from fabric_ops.channel_summary import config_summary
from fabric_ops.config_update import ConfigUpdateError, same_config, update_steps
from tests.fabric_ops.test_config_update_plan import config, group


def consenter(n: int, consenter_id: int) -> dict[str, Any]:
    return {"id": consenter_id, "host": f"orderer{n}", "port": 7050, "msp_id": "OrdererMSP",
            "identity": f"sign{n}", "client_tls_cert": f"tls{n}", "server_tls_cert": f"tls{n}"}


def bft_config(nodes: list[int], ids: list[int] | None = None) -> dict[str, Any]:
    """Nodes ``orderer<n>`` with IDs ``ids`` (default 1..n, as configtxgen numbers them)."""
    mapping = [consenter(n, i) for n, i in zip(nodes, ids or range(1, len(nodes) + 1),
                                                strict=True)]
    orderer = group(BatchSize={"max_message_count": 10},
                    ConsensusType={"metadata": {}, "type": "BFT"},
                    Orderers={"consenter_mapping": mapping})
    orderer["policies"] = {"BlockValidation": {"mod_policy": "Admins", "version": "0",
                                               "policy": block_validation_policy(mapping)}}
    orderer["groups"] = {"OrdererMSP": group()}
    application = group()
    application["groups"] = {"Org1MSP": group(AnchorPeers={"anchor_peers": []})}
    root = group(Capabilities={"capabilities": {"V3_0": {}}})
    root["groups"] = {"Application": application, "Orderer": orderer}
    return {"channel_group": root, "sequence": "0"}


def ids(config: dict[str, Any]) -> list[tuple[str, int]]:
    return [(c["host"], c["id"]) for c in bft_consenters(config)]


def quorum_of(config: dict[str, Any]) -> tuple[int, list[str]]:
    policy = config["channel_group"]["groups"]["Orderer"]["policies"]["BlockValidation"]
    value = policy["policy"]["value"]
    return (value["rule"]["n_out_of"]["n"],
            [i["principal"]["id_bytes"] for i in value["identities"]])


def test_block_validation_is_a_bft_quorum_of_the_identities():
    policy = block_validation_policy([consenter(n, n + 1) for n in range(4)])
    assert policy["type"] == 1
    assert policy["value"]["rule"]["n_out_of"] == {
        "n": 3, "rules": [{"signed_by": i} for i in range(4)]}
    assert policy["value"]["identities"][2] == {
        "principal": {"id_bytes": "sign2", "mspid": "OrdererMSP"},
        "principal_classification": "IDENTITY"}


def test_the_rendered_config_keeps_live_ids_and_numbers_new_ones_above_them():
    # Live: orderer0 left long ago; orderer1..4 carry IDs 2..5.
    live = bft_config([1, 2, 3, 4], [2, 3, 4, 5])
    rendered = bft_config([1, 2, 3, 4, 5])  # the spec adds orderer5; configtxgen says 1..5
    aligned = aligned_to(live, rendered)
    assert ids(aligned) == [("orderer1", 2), ("orderer2", 3), ("orderer3", 4),
                            ("orderer4", 5), ("orderer5", 6)]
    assert quorum_of(aligned) == (4, ["sign1", "sign2", "sign3", "sign4", "sign5"])
    assert same_config(aligned_to(live, bft_config([1, 2, 3, 4])), live)


def test_add_then_remove_one_consenter_per_step_each_with_its_policy():
    live = bft_config([0, 1, 2, 3])
    target = aligned_to(live, bft_config([1, 2, 3, 4]))
    steps = update_steps(live, target)
    assert [ids(step) for step in steps] == [
        [("orderer1", 2), ("orderer2", 3), ("orderer3", 4), ("orderer4", 5), ("orderer0", 1)],
        [("orderer1", 2), ("orderer2", 3), ("orderer3", 4), ("orderer4", 5)],
    ]
    assert quorum_of(steps[0]) == (4, ["sign1", "sign2", "sign3", "sign4", "sign0"])
    assert quorum_of(steps[1]) == (3, ["sign1", "sign2", "sign3", "sign4"])
    assert same_config(steps[-1], target)
    assert update_steps(target, aligned_to(target, bft_config([1, 2, 3, 4]))) == []


def test_the_summary_names_bft_and_its_consenters():
    summary = config_summary(bft_config([0, 1, 2, 3]))
    assert summary["consensus"] == "BFT"
    assert summary["consenters"] == [f"orderer{n}:7050" for n in range(4)]


def test_a_change_of_consensus_type_is_refused():
    raft = config(["Org1MSP"], [0, 1, 2, 3])
    with pytest.raises(ConfigUpdateError, match=r"cannot change by config updates alone "
                                                 r"\(etcdraft to BFT\)"):
        update_steps(raft, bft_config([0, 1, 2, 3]))
