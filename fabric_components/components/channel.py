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
    ChannelBlock,
    OrdererJoin,
    PeerJoin,
    channel_block_inputs,
    orderer_join_inputs,
    peer_join_inputs,
)
from fabric_components.providers.channel_config import ChannelConfig, channel_config_inputs
from fabric_nodes.node_settings import Addressing
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
    consenter_sign_certs: Mapping[str, pulumi.Output[str]]
    """Per consenter common name, its enrollment certificate (BFT's identity)."""


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
            identities=pulumi.Output.all(
                **{cn: args.consenter_sign_certs[cn] for cn in channel.consenters}
            ),
        ).apply(
            lambda v: {
                path: data.decode()
                for path, data in channel_config_files(
                    spec, channel, addressing, v["msps"], v["certs"], v["identities"]
                ).items()
            }
        )
        executors = args.executors
        block = ChannelBlock(
            f"{name}-block",
            channel_block_inputs(channel.name, files, executors[channel.orderer_orgs[0]]),
            child,
        )
        orderer_joins = [
            OrdererJoin(
                f"{name}-{spec.node(cn)[1].k8s_name}-join",
                orderer_join_inputs(spec, channel, cn, addressing, block.block,
                                    executors[spec.node(cn)[0].name]),
                child,
            )
            for cn in channel.consenters
        ]
        config = ChannelConfig(
            f"{name}-config",
            channel_config_inputs(spec, channel, addressing, executors, files),
            pulumi.ResourceOptions(parent=self, depends_on=orderer_joins),
        )
        for org_name in channel.orgs:
            for node in spec.org(org_name).nodes:
                PeerJoin(
                    f"{name}-{node.k8s_name}-join",
                    peer_join_inputs(spec, channel, node, addressing, block.block,
                                     executors[org_name]),
                    pulumi.ResourceOptions(parent=self, depends_on=[config]),
                )
        self.block_sha256 = block.block_sha256
        self.register_outputs({"block_sha256": self.block_sha256})
