"""A renewed Admin certificate of an org without NodeOUs into the org's MSP in
each of its channels (``AdminCertRotation``), registered between the Admin's
identity and what uses the new certificate (the admin toolbox, the nodes'
local MSPs): the channels name an admin by its certificate, so the update
(signed with the previous certificate, the one they name) goes in first, one
channel at a time, each waited for (``fabric_ops.admin_cert_rotation``).

The resource keeps what the org's MSPs list in its own state: its input
``current`` is the Admin's certificate, its output ``admin_certs`` that
certificate and, once a renewal changed it, the one it replaced (read from
the state). Create records ``[current]`` and contacts nothing (on a new stack
the channels do not exist yet). ``admin_certs`` is also an input,
``[current]``, for previews only: a preview shows a resource's inputs as its
outputs until it has run; ``update_keys`` leaves it out. A channel no orderer
has yet (added by the same up) is left to its ``ChannelConfig``, which
renders both certificates."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from fabric_components.providers.channel import consenter_endpoints
from fabric_components.providers.idempotent import IdempotentOperation
from fabric_components.providers.operation import TYPE_MODULE, Operation
from fabric_nodes.node_settings import Addressing
from network_spec import NetworkSpec, OrgSpec

SECRET_INPUTS = ["signer"]
"""The signer carries the Admin's private key."""
NOT_CREATED = "NOT_FOUND"
"""How an orderer answers a fetch of a channel it does not have."""


def listed_after(olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
    """What the org's MSPs list once ``news`` applies to the state ``olds``:
    the new current certificate, then the one it replaces; what was listed
    when the certificate did not change."""
    if news["current"] == olds["current"]:
        return list(olds.get("admin_certs") or [olds["current"]])
    return [news["current"], olds["current"]]


class AdminCertRotationProvider(IdempotentOperation):
    replace_keys = ("msp_id",)
    update_keys = ("current", "channels", "version")

    def identity(self, props: dict[str, Any]) -> str:
        return str(props["msp_id"])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=self.identity(props),
                            outs={**props, "admin_certs": [props["current"]], "done": True})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        certs = listed_after(olds, news)
        outs = {**news, "admin_certs": certs, "done": True}
        if len(certs) > 1:
            self.act(outs)
        return UpdateResult(outs=outs)

    def act(self, props: dict[str, Any]) -> None:
        """Every channel of ``props`` made to list ``admin_certs`` (current,
        previous), signed with the previous one."""
        from fabric_ops.admin_cert_rotation import SigningAs, rotate_admin_certs, signer_msp
        from fabric_ops.chaincode_ops import Orderer
        from fabric_ops.config_update import ConfigUpdateError
        from fabric_ops.executor_config import executor_from_config

        current, previous = props["admin_certs"]
        reader = executor_from_config(props["executor"])
        signer = SigningAs(reader, signer_msp(props["signer"]["ca_cert"], previous,
                                              props["signer"]["sign_key"]))
        for name, channel in props["channels"].items():
            orderers = [Orderer(o["address"], o["domain"]) for o in channel["orderers"]]
            try:
                rotate_admin_certs(reader, signer, props["msp_id"], orderers, name,
                                   [current, previous])
            except ConfigUpdateError as error:
                if NOT_CREATED not in str(error):
                    raise

    def is_done(self, props: dict[str, Any]) -> bool:
        return True


class AdminCertRotation(Operation, module=TYPE_MODULE, name="AdminCertRotation"):
    """``<org>-admin-certs``: the Admin's renewed certificate named by the org's
    channels before anything signs with it."""

    admin_certs: pulumi.Output[list[str]]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=SECRET_INPUTS))
        super().__init__(AdminCertRotationProvider(), name, props, opts)


def admin_cert_rotation_inputs(
    spec: NetworkSpec, org: OrgSpec, addressing: Addressing, executor: Any,
    current: Any, signer: Any,
) -> dict[str, Any] | None:
    """The inputs of ``org``'s rotation: per channel it belongs to, its
    consenters; the org's executor; the Admin's ``current`` certificate and
    ``signer`` (``ca_cert`` and ``sign_key``, the key every certificate of
    the Admin has: a same-key renewal). None for an org with NodeOUs or of no
    channel."""
    if org.enable_node_ous:
        return None
    channels = {}
    for channel in spec.channels:
        if org.name not in (*channel.orderer_orgs, *channel.orgs):
            continue
        channels[channel.name] = {"orderers": consenter_endpoints(spec, channel, addressing)}
    if not channels:
        return None
    return {"msp_id": org.msp_id, "current": current,
            "admin_certs": [current],
            "signer": signer, "channels": channels, "executor": executor, "done": None}
