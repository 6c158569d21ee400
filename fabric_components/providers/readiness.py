"""The dynamic provider of a node's readiness gate: create and update wait (with
queries only) until the node serves again and has caught up on its channels;
nothing else. Diff never contacts the network: a new image or Fabric version is
an update, so ``pulumi preview`` shows the wait and ``pulumi up`` runs it again
after the Deployment rolled. Read keeps the state: a wait has no drift."""

from __future__ import annotations

from functools import partial
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from fabric_components.providers.idempotent import changed_keys

UPDATE_KEYS = ("image", "fabric_version", "address", "channels", "timeout_seconds", "version")


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
