"""The dynamic provider of a node's readiness gate: create and update wait (with
queries only) until the node serves again and has caught up on its channels;
nothing else. Diff never contacts the network: a new image or Fabric version, or
renewed certificates, is an update, so ``pulumi preview`` shows the wait and
``pulumi up`` runs it again after the Deployment rolled. Read keeps the state:
a wait has no drift."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from fabric_components.providers.idempotent import changed_keys
from fabric_components.providers.operation import TYPE_MODULE, Operation
from fabric_nodes.node_settings import Addressing, orderer_admin_address, peer_address
from network_spec import NetworkSpec, NodeSpec, OrgKind, OrgSpec

UPDATE_KEYS = ("image", "fabric_version", "address", "channels", "timeout_seconds", "version",
               "material")
"""``material``: the hash of the node's certificates (a renewal rolls the node)."""


def wait_for_node(props: dict[str, Any]) -> dict[str, int]:
    """Runs the wait the props describe; returns the heights reached per channel."""
    from fabric_ops.executor_config import executor_from_config
    from fabric_ops.readiness import OrdererAdmin, WaitedNode, orderers_height, wait_caught_up

    executors = {org: executor_from_config(config) for org, config in props["executors"].items()}

    def admin(orderer: dict[str, Any]) -> OrdererAdmin:
        return OrdererAdmin(orderer["node"], orderer["admin_address"],
                            orderer["orderer_domain"], executors[orderer["org"]])

    own = executors[props["org"]]
    if props["kind"] == "peer":
        node = WaitedNode(props["node"], own, peer_address=props["address"])
    else:
        node = WaitedNode(props["node"], own, orderer=admin({
            "node": props["node"], "admin_address": props["address"],
            "orderer_domain": props["orderer_domain"], "org": props["org"]}))
    channels = {name: partial(orderers_height, props["node"], name,
                              [admin(o) for o in consenters])
                for name, consenters in props["channels"].items()}
    return wait_caught_up(node, channels, float(props["timeout_seconds"]))


class ReadinessGateProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        heights = wait_for_node(props)
        return CreateResult(id_=props["node"], outs={**props, "heights": heights})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs={**news, "heights": wait_for_node(news)})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = changed_keys(olds, news, ("node", "kind"))
        updates = changed_keys(olds, news, UPDATE_KEYS)
        return DiffResult(changes=bool(replaces or updates), replaces=replaces,
                          delete_before_replace=True)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)


GATE_TIMEOUT_SECONDS = 600
"""How long a gate waits for its node: a restarted peer replays no blocks, but
one that was down during heavy traffic pulls what it missed."""


def gate_inputs(
    spec: NetworkSpec,
    org: OrgSpec,
    node: NodeSpec,
    addressing: Addressing,
    executors: Mapping[str, Any],
    image: str,
    fabric_version: str,
) -> dict[str, Any]:
    """The inputs of ``node``'s gate: where to query it, per channel it belongs
    to the consenters whose height it must reach, the executors of every org
    involved, and its image and Fabric version (a new one is an update)."""
    if org.kind is OrgKind.PEER:
        kind, address = "peer", peer_address(addressing, node)
        member = [c for c in spec.channels if org.name in c.orgs]
    else:
        kind = "orderer"
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
        "fabric_version": fabric_version,
        "channels": channels,
        "executors": {name: executors[name] for name in sorted(orgs)},
        "timeout_seconds": GATE_TIMEOUT_SECONDS,
        "heights": None,
    }


class ReadinessGate(Operation, module=TYPE_MODULE, name="ReadinessGate"):
    """``<node>-ready``: waits, with queries only, until the node serves again
    and has caught up (``fabric_ops.readiness``)."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ReadinessGateProvider(), name, props, opts)
