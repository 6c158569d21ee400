"""network.yaml's chaincodes in an org stack: on each channel the stack joins
(``fabric:joinChannels``), its orgs install their own packages and approve
with their own admins, and the stack commits once the approvals of the
channel's orgs meet its ``LifecycleEndorsement`` (``OrgChaincode``). A preview
says, from the org's own peer, who has approved and who has not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from fabric_components.components.org_chaincode import OrgChaincode, OrgChaincodeArgs
from fabric_components.crypto_material import CaMaterial
from fabric_components.k8s.chaincode_server import server_address
from fabric_components.stack_config import StackConfig
from fabric_nodes.node_settings import Addressing, peer_address
from fabric_ops.consortium.card import OrgCard
from network_spec import ChaincodeChannel, ChaincodeSpec, NetworkSpec, OrgKind, OrgSpec


def endorsers(spec: NetworkSpec, others: Sequence[OrgCard],
              addressing: Addressing) -> dict[str, dict[str, str]]:
    """Per peer org, own or by its card, the first peer and its TLS CA domain."""
    found = {card.msp_id: {"address": card.nodes[0].address, "domain": card.domain}
             for card in others if card.kind is OrgKind.PEER and card.nodes}
    for org in spec.peer_orgs:
        found[org.msp_id] = {"address": peer_address(addressing, org.nodes[0]),
                             "domain": org.domain}
    return found


def _report(executor: dict[str, Any], peer: str, cc: ChaincodeSpec,
            target: ChaincodeChannel) -> None:
    from fabric_ops.chaincode_ops import Definition
    from fabric_ops.consortium.chaincode import lifecycle_report
    from fabric_ops.executor import CommandFailed
    from fabric_ops.executor_config import executor_from_config

    definition = Definition(target.channel, cc.name, cc.version, 0, target.policy,
                            cc.init_required)
    try:
        pulumi.log.info(lifecycle_report(executor_from_config(executor), peer, definition))
    except CommandFailed as error:
        pulumi.log.warn(f"chaincode {cc.name} on {target.channel}: not readable from "
                        f"{peer}: {error}")


def chaincode_steps(
    spec: NetworkSpec, config: StackConfig, executors: Mapping[str, pulumi.Input[Any]],
    cas: Mapping[str, CaMaterial], others: Sequence[OrgCard], orderer: OrgCard,
    addressing: Addressing, servers: Mapping[str, str],
    joins: Mapping[str, Sequence[pulumi.Resource]],
) -> list[OrgChaincode]:
    """An ``OrgChaincode`` per chaincode of the stack's orgs, on the channels it joins."""

    def address(cc: ChaincodeSpec, org: OrgSpec) -> str:
        return servers.get(f"{cc.name}/{org.name}") or server_address(cc, org, config.namespace)

    include = config.chaincode_include
    steps = []
    for cc in spec.chaincodes:
        if include and cc.name not in include:
            continue
        targets = []
        for target in cc.channels:
            if target.channel in config.consortium.join_channels:
                targets.append(target)
            else:
                pulumi.log.warn(f"chaincode {cc.name} on {target.channel}: left out, this "
                                "stack does not join the channel (fabric:joinChannels)")
        if not targets:
            continue
        chaincode = ChaincodeSpec(cc.name, cc.version, cc.label, cc.image, cc.orgs,
                                  tuple(targets), cc.init_required)
        steps.append(OrgChaincode(cc.name, OrgChaincodeArgs(
            spec=spec, chaincode=chaincode, addressing=addressing, executors=executors,
            server_address=address, config=config, cas=cas,
            orderer={"address": orderer.nodes[0].address, "domain": orderer.domain},
            endorsers=endorsers(spec, others, addressing), after=joins)))
        if pulumi.runtime.is_dry_run():
            for target in targets:
                preview_report(spec, executors, addressing, chaincode, target)
    return steps


def preview_report(
    spec: NetworkSpec, executors: Mapping[str, pulumi.Input[Any]], addressing: Addressing,
    cc: ChaincodeSpec, target: ChaincodeChannel,
) -> None:
    """Logs where the chaincode stands on the channel once the executor is known."""
    lead = spec.org(target.orgs[0])
    peer = peer_address(addressing, lead.nodes[0])

    def report(executor: dict[str, Any]) -> None:
        _report(executor, peer, cc, target)

    pulumi.Output.from_input(executors[lead.name]).apply(report)
