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
from fabric_components.providers.readiness import ReadinessGate, gate_inputs
from fabric_components.stack_config import StackConfig
from fabric_nodes.local_network import LocalNetworkManifest
from fabric_nodes.node_settings import (
    Addressing,
    ClusterAddressing,
)
from network_spec import NetworkSpec, NodeSpec, OrgKind, OrgSpec


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
        images = self.config.images
        image = images.peer if org.kind is OrgKind.PEER else images.orderer
        props = gate_inputs(self.gates.spec, org, node, self.gates.addressing,
                            self.gates.executors, image, self.config.fabric_version)
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
