"""A channel's configuration after its genesis block (``ChannelConfig``):
orgs, consenters, anchor peers and settings, converged by config updates
(``fabric_ops.config_update``). Its ``settings`` input is the readable summary
of what the spec asks for; ``read`` (``pulumi refresh``) replaces it with the
summary of the live channel, so the next preview shows drift and every change
as old and new values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import ReadResult

from fabric_components.providers.channel import consenter_endpoints
from fabric_components.providers.idempotent import IdempotentOperation
from fabric_components.providers.operation import TYPE_MODULE, Operation
from fabric_nodes.node_settings import Addressing, orderer_address, orderer_admin_address
from fabric_ops.channel_summary import spec_summary
from network_spec import ChannelSpec, NetworkSpec

ACTIVE_TIMEOUT_SECONDS = 180.0


def _executors(props: dict[str, Any]) -> dict[str, Any]:
    from fabric_ops.executor_config import executor_from_config

    return {msp: executor_from_config(config) for msp, config in props["executors"].items()}


def _orderers(props: dict[str, Any]) -> list[Any]:
    from fabric_ops.chaincode_ops import Orderer

    return [Orderer(o["address"], o["domain"]) for o in props["orderers"]]


def _files(props: dict[str, Any]) -> dict[str, bytes]:
    return {path: text.encode() for path, text in props["files"].items()}


class ChannelConfigProvider(IdempotentOperation):
    replace_keys = ("channel",)
    update_keys = ("settings", "files", "version")

    def identity(self, props: dict[str, Any]) -> str:
        return str(props["channel"])

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.config_update import ensure_config

        executors = _executors(props)

        def wait_for_consenters(config: dict[str, Any]) -> None:
            """A consenter added by the step must run the channel as a Raft member
            before the next step changes the cluster again."""
            from fabric_ops.channel_summary import consenter_address, consenters
            from fabric_ops.config_update import wait_for

            for consenter in consenters(config):
                admin = props["consenter_admins"].get(consenter_address(consenter))
                if admin is not None:
                    wait_for(self._active(executors[admin["msp"]], admin, props["channel"]),
                             f"channel {props['channel']}: consenter at "
                             f"{admin['admin_address']} active", ACTIVE_TIMEOUT_SECONDS)

        ensure_config(executors, props["reader"], _orderers(props), props["channel"],
                      _files(props), on_applied=wait_for_consenters)

    @staticmethod
    def _active(executor: Any, admin: dict[str, str], channel: str) -> Any:
        from fabric_ops.channel_ops import orderer_channel

        def active() -> bool:
            info = orderer_channel(executor, admin["admin_address"], admin["domain"], channel)
            return bool(info and info.get("consensusRelation") == "consenter"
                        and info.get("status") == "active")

        return active

    def is_done(self, props: dict[str, Any]) -> bool:
        return self._live(props)[1]

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        summary, done = self._live(props)
        return ReadResult(id_=id_, outs={**props, "settings": summary, "done": done})

    @staticmethod
    def _live(props: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The live channel's summary, and whether it is the config the spec renders."""
        from fabric_ops.bft_config import aligned_to
        from fabric_ops.channel_summary import config_summary
        from fabric_ops.config_update import live_config, rendered_config, same_config

        tools = _executors(props)[props["reader"]]
        live = live_config(tools, _orderers(props), props["channel"])
        rendered = rendered_config(tools, props["channel"], _files(props))
        done = same_config(live, aligned_to(live, rendered))
        return config_summary(live), done


class ChannelConfig(Operation, module=TYPE_MODULE, name="ChannelConfig"):
    """``<channel>-config``: config updates until the live channel is what the spec renders."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ChannelConfigProvider(), name, props, opts)


def channel_config_inputs(
    spec: NetworkSpec,
    channel: ChannelSpec,
    addressing: Addressing,
    executors: Mapping[str, Any],
    files: Any,
) -> dict[str, Any]:
    """``executors`` by org name (the admins that may sign: the channel's orderer
    and member orgs), ``files`` the configtxgen tree (path to text) of the spec's
    channel."""
    signers = (*channel.orderer_orgs, *channel.orgs)
    consenters = [spec.node(cn) for cn in channel.consenters]
    return {
        "channel": channel.name,
        "settings": spec_summary(spec, channel, addressing),
        "files": files,
        "reader": spec.org(channel.orderer_orgs[0]).msp_id,
        "executors": {spec.org(name).msp_id: executors[name] for name in signers},
        "orderers": consenter_endpoints(spec, channel, addressing),
        "consenter_admins": {
            orderer_address(addressing, node): {
                "admin_address": orderer_admin_address(addressing, node),
                "domain": org.domain, "msp": org.msp_id,
            }
            for org, node in consenters
        },
        "done": None,
    }
