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
only.

Only nodes that already ran wait: a node the stack has not deployed before
(the whole network on a first launch, an added peer) has no availability to
protect, so its Deployment waits for no other node's, and nodes after it in the
chain wait for the previous node that already ran. What already ran is the
stack's own ``deployedNodes`` output of its last update (``deployed_before``)."""

from __future__ import annotations

import time
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


Link = tuple[str, pulumi.Resource]
"""A node of a chain: its Kubernetes name and its gate (or Deployment)."""


@dataclass
class RolloutOrder:
    """Orders node Deployments as the components register them (deploy_network:
    orderer orgs, then peer orgs): one chain through every orderer, then one
    chain per peer org of several peers and one through the single-peer orgs,
    each starting after the last orderer. ``gates`` None (populate off): each
    Deployment waits for its predecessor's Deployment."""

    config: StackConfig
    gates: Gates | None
    deployed_before: pulumi.Output[frozenset[str]]
    """The nodes (Kubernetes names) the stack's last update deployed."""
    orderers: list[Link] = field(default_factory=list)
    """The orderers registered so far, in order."""
    peers: dict[str, list[Link]] = field(default_factory=dict)
    """Per peer chain (``peer_chain``): its peers registered so far, in order."""
    toolboxes: dict[str, pulumi.Resource] = field(default_factory=dict)
    """Per org: its admin toolbox, where the gates run their queries."""

    def after(self, org: OrgSpec, node: NodeSpec) -> pulumi.Output[list[pulumi.Resource]]:
        """What ``node`` of ``org`` must wait for before its Deployment changes:
        nothing when it has not run before, else the last node before it in its
        chain (for a peer org's first peer, the last orderer) that has."""
        chain = list(self.orderers)
        if org.kind is OrgKind.PEER:
            chain += self.peers.get(peer_chain(org), [])

        def predecessor(before: frozenset[str]) -> list[pulumi.Resource]:
            if node.k8s_name not in before:
                return []
            ran = [done for name, done in chain if name in before]
            return ran[-1:]

        return self.deployed_before.apply(predecessor)

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
            pulumi.ResourceOptions(parent=parent, depends_on=self.after(org, node).apply(
                lambda after: [*after, *toolboxes])),
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
        chain = (self.peers.setdefault(peer_chain(org), []) if org.kind is OrgKind.PEER
                 else self.orderers)
        chain.append((node.k8s_name, done))

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


DEPLOYED_NODES = "deployedNodes"
"""The stack output naming the nodes an update deployed: what the next update
reads as ``deployed_before``."""


READ_STACK_OUTPUTS = "pulumi:pulumi:readStackOutputs"
"""The engine's built-in function that returns a stack's outputs: unlike a
StackReference resource it keeps nothing in the state, so a refresh right after
an update has nothing to bring up to date."""


TORN_READ = "failed to load checkpoint: EOF"
"""How a read of the file backend's state fails when it lands while the engine
saves that state: the backend rewrites a metadata file beside the state in
place (truncate, then write) on every save, so a read in between decodes an
empty file. The next read, a moment later, finds it whole."""

READ_ATTEMPTS = 10
READ_RETRY_SECONDS = 0.3


def read_stack_outputs(name: str) -> dict[str, Any]:
    """The outputs of stack ``name``'s last update; a read torn by a
    concurrent save of the state (``TORN_READ``) is read again, up to
    ``READ_ATTEMPTS`` reads; any other failure is raised at once."""
    for _ in range(READ_ATTEMPTS - 1):
        try:
            return _outputs_read(name)
        except Exception as error:
            if TORN_READ not in str(error):
                raise
            time.sleep(READ_RETRY_SECONDS)
    return _outputs_read(name)


def _outputs_read(name: str) -> dict[str, Any]:
    read = pulumi.runtime.invoke(READ_STACK_OUTPUTS, {"name": name})
    outputs: dict[str, Any] = (read.value or {}).get("outputs") or {}
    return outputs


def nodes_deployed_before(spec: NetworkSpec) -> pulumi.Output[frozenset[str]]:
    """The nodes the stack's last update deployed, read from the stack's own
    outputs (``<org>/<project>/<stack>``). A stack last updated before that
    output existed, which has a namespace output, counts every node as
    deployed: every node waits, as before."""
    own = f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"
    outputs = read_stack_outputs(own)
    listed = outputs.get(DEPLOYED_NODES)
    if listed is not None:
        before = frozenset(listed)
    elif outputs.get("namespace") is not None:
        before = frozenset(node.k8s_name for org in spec.orgs for node in org.nodes)
    else:
        before = frozenset()
    return pulumi.Output.from_input(before)


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
