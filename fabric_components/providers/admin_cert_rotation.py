"""A renewed Admin certificate of an org without NodeOUs into the org's MSP in
each of its channels (``AdminCertRotation``), registered between the Admin's
identity and what uses the new certificate (the admin toolbox, the nodes'
local MSPs): the channels name an admin by its certificate, so the update
(signed with the previous certificate, the one they name) goes in first, one
channel at a time, each waited for (``fabric_ops.admin_cert_rotation``).

Before the first renewal the identity has no previous certificate and there
is nothing to do: create and update record the inputs without contacting the
network (on a new stack the channels do not exist yet). A renewal gives the
identity a ``previous_sign_cert``: the inputs change, and the update acts.
A channel no orderer has yet (added by the same up) is left to its
``ChannelConfig``, which renders both certificates."""

from __future__ import annotations

from typing import Any

import pulumi

from fabric_components.providers.channel import consenter_endpoints
from fabric_components.providers.idempotent import IdempotentOperation
from fabric_components.providers.operation import TYPE_MODULE, Operation
from fabric_nodes.node_settings import Addressing
from network_spec import NetworkSpec, OrgSpec

SECRET_INPUTS = ["signer"]
"""The signer carries the Admin's private key."""
NOT_CREATED = "NOT_FOUND"
"""How an orderer answers a fetch of a channel it does not have."""


def admin_certs(current: str, previous: str | None) -> list[str]:
    """What the org's MSPs list: the current certificate, then the one its last
    renewal replaced (when there is one and it differs), as configtxgen orders
    the files of ``crypto.msp.org_msp_files``."""
    return [current, previous] if previous and previous != current else [current]


class AdminCertRotationProvider(IdempotentOperation):
    replace_keys = ("msp_id",)
    update_keys = ("admin_certs", "channels", "version")

    def identity(self, props: dict[str, Any]) -> str:
        return str(props["msp_id"])

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.admin_cert_rotation import SigningAs, rotate_admin_certs, signer_msp
        from fabric_ops.chaincode_ops import Orderer
        from fabric_ops.config_update import ConfigUpdateError
        from fabric_ops.executor_config import executor_from_config

        if len(props["admin_certs"]) < 2:
            return
        signer = props["signer"]
        executor = SigningAs(executor_from_config(props["executor"]),
                             signer_msp(signer["ca_cert"], signer["sign_cert"],
                                        signer["sign_key"]))
        for name, channel in props["channels"].items():
            orderers = [Orderer(o["address"], o["domain"]) for o in channel["orderers"]]
            try:
                rotate_admin_certs(executor, props["msp_id"], orderers, name,
                                   props["admin_certs"])
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
    certs: Any, signer: Any,
) -> dict[str, Any] | None:
    """The inputs of ``org``'s rotation: per channel it belongs to, its
    consenters; the org's executor; ``certs`` (``admin_certs``) and ``signer``
    (``ca_cert``, ``sign_cert``: the certificate the channels name now,
    ``sign_key``). None for an org with NodeOUs or of no channel."""
    if org.enable_node_ous:
        return None
    channels = {}
    for channel in spec.channels:
        if org.name not in (*channel.orderer_orgs, *channel.orgs):
            continue
        channels[channel.name] = {"orderers": consenter_endpoints(spec, channel, addressing)}
    if not channels:
        return None
    return {"msp_id": org.msp_id, "admin_certs": certs, "signer": signer,
            "channels": channels, "executor": executor, "done": None}
