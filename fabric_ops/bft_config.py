"""A BFT channel's consenter set in its decoded config (configtxlator JSON).

The consenters are the ``Orderers`` value's ``consenter_mapping``, each with an
ID that must stay the node's for the channel's life, and the Orderer group's
``BlockValidation`` policy must be the signature policy Fabric derives from the
mapping (a BFT quorum of the consenters' identities): the orderers refuse a
config whose policy does not match its consenters. So every change of the set
rewrites both, and the config the spec renders (IDs 1..n in the spec's order)
is aligned to the live IDs before the two are compared."""

from __future__ import annotations

import copy
from typing import Any

from network_spec.bft import bft_quorum

CONSENSUS_TYPE_BFT = "BFT"


def _orderer(config: dict[str, Any]) -> dict[str, Any]:
    group: dict[str, Any] = config["channel_group"]["groups"]["Orderer"]
    return group


def is_bft(config: dict[str, Any]) -> bool:
    consensus = _orderer(config).get("values", {}).get("ConsensusType", {})
    return bool(consensus.get("value", {}).get("type") == CONSENSUS_TYPE_BFT)


def bft_consenters(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The consenter mapping (id, host, port, msp_id, identity and TLS
    certificates in base64)."""
    orderers = _orderer(config).get("values", {}).get("Orderers", {})
    mapping: list[dict[str, Any]] = orderers.get("value", {}).get("consenter_mapping", [])
    return mapping


def block_validation_policy(mapping: list[dict[str, Any]]) -> dict[str, Any]:
    """The signature policy Fabric requires for ``mapping``: any BFT quorum of
    the consenters' identities, in the mapping's order."""
    return {
        "type": 1,
        "value": {
            "identities": [
                {"principal": {"id_bytes": c["identity"], "mspid": c["msp_id"]},
                 "principal_classification": "IDENTITY"}
                for c in mapping
            ],
            "rule": {"n_out_of": {"n": bft_quorum(len(mapping)),
                                  "rules": [{"signed_by": i} for i in range(len(mapping))]}},
            "version": 0,
        },
    }


def with_bft_consenters(config: dict[str, Any], mapping: list[dict[str, Any]]) -> dict[str, Any]:
    """``config`` with the consenter mapping ``mapping`` and its BlockValidation policy."""
    changed = copy.deepcopy(config)
    orderer = _orderer(changed)
    orderer["values"]["Orderers"]["value"]["consenter_mapping"] = copy.deepcopy(mapping)
    orderer["policies"]["BlockValidation"]["policy"] = block_validation_policy(mapping)
    return changed


def consenter_key(consenter: dict[str, Any]) -> tuple[str, str, str, str]:
    """What identifies a consenter whatever its ID: address, TLS certificates
    and (BFT) enrollment certificate."""
    return (f"{consenter['host']}:{consenter['port']}", consenter["client_tls_cert"],
            consenter["server_tls_cert"], consenter.get("identity", ""))


def aligned_to(current: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """``target`` with each consenter it shares with ``current`` under its live
    ID, and each new one under the next free ID (above every live one) in the
    target's order; unchanged when either is not BFT."""
    if not (is_bft(current) and is_bft(target)):
        return target
    live = {consenter_key(c): c["id"] for c in bft_consenters(current)}
    next_id = max(live.values(), default=0) + 1
    mapping = []
    for consenter in bft_consenters(target):
        key = consenter_key(consenter)
        if key in live:
            consenter_id = live[key]
        else:
            consenter_id, next_id = next_id, next_id + 1
        mapping.append({**consenter, "id": consenter_id})
    return with_bft_consenters(target, mapping)
