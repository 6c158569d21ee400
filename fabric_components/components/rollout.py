"""The rollout order of node Deployments: a change of ``fabric:fabricVersion``
(or of any node setting) rolls the orderers one after another (at most one Raft
consenter down), then in every peer org of several peers its peers one after
another, all such orgs at once (at most one peer of each org down), and beside
them the orgs of a single peer one after another (at most one org without a
serving peer). Each node's Deployment depends on its predecessor's readiness
gate (``fabric:populate`` on: the node serves again and has caught up on its
channels) or, without populate, on its predecessor's Deployment, whose rollout
the Kubernetes provider awaits.

The longest dependency chain is the orderers plus the largest peer org (or the
single-peer orgs), not the whole network: the time of a roll, and the depth of
the dependency graph the Pulumi SDK walks on every registration, grow with it
only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from fabric_components.components.executors import toolbox_executors
from fabric_components.providers.consenter_rotation import (
    ConsenterRotation,
    consenter_rotation_inputs,
)
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


SINGLE_PEER_ORGS = ""
"""The chain of the orgs of one peer: rolled together, two of them would leave
two orgs unable to endorse at once."""


def peer_chain(org: OrgSpec) -> str:
    """The chain ``org``'s peers roll in: the org's own, or the single-peer orgs'."""
    return org.name if len(org.nodes) > 1 else SINGLE_PEER_ORGS


@dataclass
class RolloutOrder:
    """Orders node Deployments as the components register them (deploy_network:
    orderer orgs, then peer orgs): one chain through every orderer, then one
    chain per peer org of several peers and one through the single-peer orgs,
    each starting after the last orderer. ``gates`` None (populate off): each
    Deployment waits for its predecessor's Deployment."""

    config: StackConfig
    gates: Gates | None
    last_orderer: pulumi.Resource | None = None
    """The gate (or Deployment) of the last orderer registered."""
    last_peer: dict[str, pulumi.Resource] = field(default_factory=dict)
    """Per peer chain (``peer_chain``): the gate (or Deployment) of its last
    peer registered."""
    toolboxes: dict[str, pulumi.Resource] = field(default_factory=dict)
    """Per org: its admin toolbox, where the gates run their queries."""

    def after(self, org: OrgSpec) -> list[pulumi.Resource]:
        """What the next node of ``org`` must wait for before its Deployment
        changes."""
        previous = self.last_peer.get(peer_chain(org)) if org.kind is OrgKind.PEER else None
        previous = previous or self.last_orderer
        return [previous] if previous is not None else []

    def before_restart(
        self, org: OrgSpec, node: NodeSpec, tls_cert: pulumi.Output[str],
        parent: pulumi.Resource,
    ) -> list[pulumi.Resource]:
        """What ``node``'s Deployment also waits for: for a Raft consenter (with
        populate), its ``ConsenterRotation``, after the previous node's gate, so
        a new TLS key is in its channels before the node presents it."""
        if self.gates is None or org.kind is not OrgKind.ORDERER or not self.config.cert_renewal:
            return []
        props = consenter_rotation_inputs(self.gates.spec, node, self.gates.addressing,
                                          dict(self.gates.executors), tls_cert)
        if props is None:
            return []
        toolboxes = [self.toolboxes[o.name] for o in self.gates.spec.orgs
                     if o.msp_id in props["executors"] and o.name in self.toolboxes]
        return [ConsenterRotation(
            f"{node.k8s_name}-consenter", props,
            pulumi.ResourceOptions(parent=parent, depends_on=[*self.after(org), *toolboxes]),
        )]

    def add_toolbox(self, org: OrgSpec, toolbox: pulumi.Resource) -> None:
        self.toolboxes[org.name] = toolbox

    def node_deployed(
        self, org: OrgSpec, node: NodeSpec, deployment: pulumi.Resource,
        parent: pulumi.Resource, material: pulumi.Output[str] | None = None,
    ) -> None:
        """Registers ``node``'s gate after its Deployment (with populate); the
        org's next node waits for it. ``material``: the hash of the node's
        certificates; a renewal changes it, and the gate waits again."""
        done = deployment if self.gates is None else self.gate(
            self.gates, org, node, deployment, parent, material)
        if org.kind is OrgKind.PEER:
            self.last_peer[peer_chain(org)] = done
        else:
            self.last_orderer = done

    def gate(
        self, gates: Gates, org: OrgSpec, node: NodeSpec, deployment: pulumi.Resource,
        parent: pulumi.Resource, material: pulumi.Output[str] | None = None,
    ) -> ReadinessGate:
        """``node``'s gate: after its Deployment and the toolboxes registered so
        far that it queries through (its org's, its channels' orderer orgs')."""
        images = self.config.images
        image = images.peer if org.kind is OrgKind.PEER else images.orderer
        props = gate_inputs(gates.spec, org, node, gates.addressing, gates.executors,
                            image, self.config.fabric_version)
        toolboxes = [self.toolboxes[name] for name in props["executors"]
                     if name in self.toolboxes]
        if material is not None:
            props["material"] = material
        return ReadinessGate(
            f"{node.k8s_name}-ready", props,
            pulumi.ResourceOptions(parent=parent, depends_on=[deployment, *toolboxes]),
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
