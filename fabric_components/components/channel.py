"""``fabric:index:Channel``: an application channel created from a genesis block
(configtxgen on configtx.yaml rendered from the spec, anchor peers included),
joined by every consenter through the channel participation API, kept at what
the spec says by config updates (orgs, consenters, anchor peers, settings), and
joined by every peer of the member orgs. Each step is a dynamic resource, so
``pulumi preview`` lists every join and config update, and independent joins run
in parallel.

Order within one ``pulumi up``: orderer joins (a new consenter joins as a
follower), then the config update (a new org becomes a member, a new consenter
a Raft member), then peer joins (a new org's peers can only pull blocks once
it is a member). Removed consenters leave the channel at the end, when Pulumi
deletes their joins, after the update that removed them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from fabric_components.providers.channel import (
    ChannelBlockProvider,
    OrdererJoinProvider,
    PeerJoinProvider,
)
from fabric_components.providers.channel_config import ChannelConfigProvider
from fabric_components.providers.operation import Operation
from fabric_nodes.node_settings import (
    Addressing,
    orderer_address,
    orderer_admin_address,
    peer_address,
)
from fabric_ops.channel_summary import spec_summary
from fabric_ops.configtx import channel_config_files
from network_spec import ChannelSpec, NetworkSpec


@dataclass(frozen=True)
class ChannelArgs:
    spec: NetworkSpec
    channel: ChannelSpec
    addressing: Addressing
    """How the channel's nodes are reached (the cluster's Service names)."""
    executors: Mapping[str, pulumi.Input[dict[str, Any]]]
    """Per org name, the executor config its admin's commands run with."""
    org_msps: Mapping[str, pulumi.Output[dict[str, str]]]
    """Per org name, its org-level MSP files."""
    consenter_tls_certs: Mapping[str, pulumi.Output[str]]
    """Per consenter common name, its TLS server certificate."""


class ChannelBlock(Operation):
    pass


class OrdererJoin(Operation):
    pass


class PeerJoin(Operation):
    pass


class ChannelConfig(Operation):
    pass


def channel_config_inputs(
    spec: NetworkSpec,
    channel: ChannelSpec,
    addressing: Addressing,
    executors: Mapping[str, Any],
    files: Any,
) -> dict[str, Any]:
    """The inputs of a channel's ChannelConfig operation: ``executors`` by org
    name (the admins that may sign: the channel's orderer and member orgs),
    ``files`` the configtxgen tree (path to text) of the spec's channel."""
    signers = (*channel.orderer_orgs, *channel.orgs)
    consenters = [spec.node(cn) for cn in channel.consenters]
    return {
        "channel": channel.name,
        "settings": spec_summary(spec, channel, addressing),
        "files": files,
        "reader": spec.org(channel.orderer_orgs[0]).msp_id,
        "executors": {spec.org(name).msp_id: executors[name] for name in signers},
        "orderers": [{"address": orderer_address(addressing, node), "domain": org.domain}
                     for org, node in consenters],
        "consenter_admins": {
            orderer_address(addressing, node): {
                "admin_address": orderer_admin_address(addressing, node),
                "domain": org.domain, "msp": org.msp_id,
            }
            for org, node in consenters
        },
        "done": None,
    }


class Channel(pulumi.ComponentResource):
    block_sha256: pulumi.Output[str]

    def __init__(
        self, name: str, args: ChannelArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("fabric:index:Channel", name, None, opts)
        spec, channel, addressing = args.spec, args.channel, args.addressing
        child = pulumi.ResourceOptions(parent=self)
        files = pulumi.Output.all(
            msps=pulumi.Output.all(**{o: args.org_msps[o] for o in args.org_msps}),
            certs=pulumi.Output.all(
                **{cn: args.consenter_tls_certs[cn] for cn in channel.consenters}
            ),
        ).apply(
            lambda v: {
                path: data.decode()
                for path, data in channel_config_files(
                    spec, channel, addressing, v["msps"], v["certs"]
                ).items()
            }
        )
        first_orderer_org = channel.orderer_orgs[0]
        block = ChannelBlock(
            ChannelBlockProvider(),
            f"{name}-block",
            {
                "channel": channel.name,
                "files": files,
                "executor": args.executors[first_orderer_org],
                "block": None,
                "block_sha256": None,
            },
            child,
        )
        orderers = [{"address": orderer_address(addressing, spec.node(cn)[1]),
                     "domain": spec.node(cn)[0].domain} for cn in channel.consenters]
        orderer_joins = []
        for common_name in channel.consenters:
            org, node = spec.node(common_name)
            orderer_joins.append(
                OrdererJoin(
                    OrdererJoinProvider(),
                    f"{name}-{node.k8s_name}-join",
                    {
                        "channel": channel.name,
                        "node": common_name,
                        "admin_address": orderer_admin_address(addressing, node),
                        "orderer_domain": org.domain,
                        "block": block.block,  # type: ignore[attr-defined]
                        "other_consenters": [
                            o for cn, o in zip(channel.consenters, orderers, strict=True)
                            if cn != common_name
                        ],
                        "executor": args.executors[org.name],
                        "done": None,
                    },
                    child,
                )
            )
        config = ChannelConfig(
            ChannelConfigProvider(),
            f"{name}-config",
            channel_config_inputs(spec, channel, addressing, args.executors, files),
            pulumi.ResourceOptions(parent=self, depends_on=orderer_joins),
        )
        for org_name in channel.orgs:
            org = spec.org(org_name)
            for node in org.nodes:
                PeerJoin(
                    PeerJoinProvider(),
                    f"{name}-{node.k8s_name}-join",
                    {
                        "channel": channel.name,
                        "node": node.common_name,
                        "peer_address": peer_address(addressing, node),
                        "block": block.block,  # type: ignore[attr-defined]
                        "orderers": orderers,
                        "executor": args.executors[org_name],
                        "done": None,
                    },
                    pulumi.ResourceOptions(parent=self, depends_on=[config]),
                )
        self.block_sha256 = block.block_sha256  # type: ignore[attr-defined]
        self.register_outputs({"block_sha256": self.block_sha256})
