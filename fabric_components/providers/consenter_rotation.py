"""A Raft consenter's TLS certificate in the consenter sets of its channels
(``ConsenterRotation``), registered between the orderer's identity and its
Deployment: when the identity gets a new key (``fabric:keyGenerations``), the
update puts the new certificate into each channel the node is a consenter of,
one channel at a time, each update waited for, before the Deployment restarts
the node with it (``fabric_ops.consenter_rotation``). A renewal with the same
key changes the certificate too, but Fabric compares pinned certificates by
public key: no update is made then.

Create only records the certificate: a new orderer is in no consenter set
until its channels' ``ChannelConfig`` adds it (with its certificate). Channels
none of whose other consenters has joined yet are left to their config
resource as well."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult

from fabric_components.providers.channel import consenter_endpoints
from fabric_components.providers.idempotent import IdempotentOperation
from fabric_components.providers.operation import TYPE_MODULE, Operation
from fabric_nodes.node_settings import Addressing, orderer_address, orderer_admin_address
from network_spec import NetworkSpec, NodeSpec


class ConsenterRotationProvider(IdempotentOperation):
    replace_keys = ("node",)
    update_keys = ("tls_cert", "address", "channels", "version")

    def identity(self, props: dict[str, Any]) -> str:
        return str(props["node"])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=self.identity(props), outs={**props, "done": True})

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.chaincode_ops import Orderer
        from fabric_ops.consenter_rotation import rotate_consenter
        from fabric_ops.executor_config import executor_from_config

        executors = {msp: executor_from_config(c) for msp, c in props["executors"].items()}
        for name, channel in props["channels"].items():
            if not self._created(executors, channel["admins"], name):
                continue
            orderers = [Orderer(o["address"], o["domain"]) for o in channel["orderers"]
                        if o["address"] != props["address"]]
            rotate_consenter({msp: executors[msp] for msp in channel["signers"]},
                             channel["reader"], orderers, name, props["address"],
                             props["tls_cert"])

    @staticmethod
    def _created(executors: dict[str, Any], admins: list[dict[str, str]], channel: str) -> bool:
        """Whether any of the channel's other consenters serves it."""
        from fabric_ops.channel_ops import orderer_channel
        from fabric_ops.executor import CommandFailed

        for admin in admins:
            try:
                if orderer_channel(executors[admin["msp"]], admin["admin_address"],
                                   admin["domain"], channel) is not None:
                    return True
            except CommandFailed:
                continue
        return False

    def is_done(self, props: dict[str, Any]) -> bool:
        return True


class ConsenterRotation(Operation, module=TYPE_MODULE, name="ConsenterRotation"):
    """``<node>-consenter``: the node's TLS certificate pinned by its channels
    before the node restarts with it."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ConsenterRotationProvider(), name, props, opts)


def consenter_rotation_inputs(
    spec: NetworkSpec, node: NodeSpec, addressing: Addressing, executors: dict[str, Any],
    tls_cert: Any,
) -> dict[str, Any] | None:
    """The inputs of ``node``'s rotation: per channel it is a consenter of, the
    other consenters (to submit to and to ask whether the channel exists), the
    admins that may sign (its orderer and member orgs, by MSP ID) and the one
    that reads. ``executors`` by org name. None for a node of no channel."""
    channels: dict[str, Any] = {}
    signing: dict[str, Any] = {}
    for channel in spec.channels:
        if node.common_name not in channel.consenters:
            continue
        signers = [spec.org(name) for name in (*channel.orderer_orgs, *channel.orgs)]
        signing.update({org.msp_id: executors[org.name] for org in signers})
        others = [spec.node(cn) for cn in channel.consenters if cn != node.common_name]
        channels[channel.name] = {
            "orderers": consenter_endpoints(spec, channel, addressing),
            "reader": spec.org(channel.orderer_orgs[0]).msp_id,
            "signers": [org.msp_id for org in signers],
            "admins": [{"admin_address": orderer_admin_address(addressing, other),
                        "domain": org.domain, "msp": org.msp_id} for org, other in others],
        }
    if not channels:
        return None
    return {"node": node.common_name, "address": orderer_address(addressing, node),
            "tls_cert": tls_cert, "channels": channels, "executors": signing, "done": None}
