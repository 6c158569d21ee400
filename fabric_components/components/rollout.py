"""Rolling one node at a time: a change of ``fabric:fabricVersion`` (or of any
node setting) rolls the orderers one after another, then the peers one after
another. Each node's Deployment depends on the previous node's readiness gate
(``fabric:populate`` on: the node serves again and has caught up on its
channels) or, without populate, on the previous node's Deployment, whose
rollout the Kubernetes provider awaits. One node at a time, across orgs, keeps
a single Raft consenter and a single peer down at any moment, whatever the
endorsement policies ask or however few peers an org has."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from fabric_components.components.executors import toolbox_executors
from fabric_components.providers.operation import Operation
from fabric_components.providers.readiness import ReadinessGateProvider
from fabric_components.stack_config import StackConfig
from fabric_nodes.local_network import LocalNetworkManifest
from fabric_nodes.node_settings import (
    Addressing,
    ClusterAddressing,
    orderer_admin_address,
    peer_address,
)
from network_spec import NetworkSpec, NodeSpec, OrgKind, OrgSpec

GATE_TIMEOUT_SECONDS = 600
"""How long a gate waits for its node: a restarted peer replays no blocks, but
one that was down during heavy traffic pulls what it missed."""


def gate_props(
    spec: NetworkSpec,
    org: OrgSpec,
    node: NodeSpec,
    addressing: Addressing,
    executors: Mapping[str, pulumi.Input[dict[str, Any]]],
    config: StackConfig,
) -> dict[str, Any]:
    """The inputs of ``node``'s gate: where to query it, per channel it belongs
    to the consenters whose height it must reach, the executors of every org
    involved, and its image and Fabric version (a new one is an update)."""
    if org.kind is OrgKind.PEER:
        kind, image, address = "peer", config.images.peer, peer_address(addressing, node)
        member = [c for c in spec.channels if org.name in c.orgs]
    else:
        kind, image = "orderer", config.images.orderer
        address = orderer_admin_address(addressing, node)
        member = [c for c in spec.channels if node.common_name in c.consenters]
    channels: dict[str, list[dict[str, str]]] = {}
    orgs = {org.name}
    for channel in member:
        consenters = []
        for common_name in channel.consenters:
            orderer_org, orderer = spec.node(common_name)
            orgs.add(orderer_org.name)
            consenters.append({
                "node": common_name, "org": orderer_org.name,
                "admin_address": orderer_admin_address(addressing, orderer),
                "orderer_domain": orderer_org.domain,
            })
        channels[channel.name] = consenters
    return {
        "node": node.common_name,
        "kind": kind,
        "org": org.name,
        "address": address,
        "orderer_domain": org.domain if kind == "orderer" else "",
        "image": image,
        "fabric_version": config.fabric_version,
        "channels": channels,
        "executors": {name: executors[name] for name in sorted(orgs)},
        "timeout_seconds": GATE_TIMEOUT_SECONDS,
        "heights": None,
    }


class ReadinessGate(Operation):
    """``<node>-ready``: waits, with queries only, until the node serves again
    and has caught up (``fabric_ops.readiness``)."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ReadinessGateProvider(), name, props, opts)


@dataclass(frozen=True)
class Gates:
    """What gates need: the spec, how nodes are reached and the executors."""

    spec: NetworkSpec
    addressing: Addressing
    executors: Mapping[str, pulumi.Input[dict[str, Any]]]


@dataclass
class RolloutChain:
    """Orders node Deployments one after another, in the order the components
    register them (deploy_network: orderer orgs, then peer orgs). ``gates``
    None (populate off): each Deployment waits for the previous one."""

    config: StackConfig
    gates: Gates | None
    last: pulumi.Resource | None = None
    """The previous node's gate (or Deployment)."""
    toolboxes: list[pulumi.Resource] = field(default_factory=list)
    """The admin toolboxes registered so far: the gates run their queries there."""

    def after(self) -> list[pulumi.Resource]:
        """What the next node's Deployment must depend on."""
        return [self.last] if self.last is not None else []

    def add_toolbox(self, toolbox: pulumi.Resource) -> None:
        self.toolboxes.append(toolbox)

    def node_deployed(
        self, org: OrgSpec, node: NodeSpec, deployment: pulumi.Resource,
        parent: pulumi.Resource,
    ) -> None:
        """Registers ``node``'s gate after its Deployment (with populate); the
        next node waits for it."""
        if self.gates is None:
            self.last = deployment
            return
        props = gate_props(self.gates.spec, org, node, self.gates.addressing,
                           self.gates.executors, self.config)
        self.last = ReadinessGate(
            f"{node.k8s_name}-ready", props,
            pulumi.ResourceOptions(parent=parent,
                                   depends_on=[deployment, *self.toolboxes]),
        )


def rollout_gates(
    spec: NetworkSpec, config: StackConfig, kubeconfig: pulumi.Output[str] | None,
    local: LocalNetworkManifest | None,
) -> Gates | None:
    """The gates' targets, the same populate's operations use: the admin
    toolboxes, or a local network (``fabric:localNetwork``); None without
    populate."""
    if not config.populate:
        return None
    if local is not None:
        return Gates(spec, local.addressing, dict(local.executors))
    return Gates(spec, ClusterAddressing(config.namespace),
                 toolbox_executors(spec, config, kubeconfig))
