"""``fabric:index:Chaincode``: one chaincode as a service on every channel it
targets. Per org: a reproducible CCaaS package (its ID known at preview time), the
chaincode server Deployment and Service, and an install on every peer; per
channel: the definition's sequence, each org's approval, and the commit once
they are all in. A new ``version`` gives new packages and the next sequence."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from fabric_components.k8s.chaincode_server import chaincode_server
from fabric_components.providers.chaincode import (
    ApproveProvider,
    CommitProvider,
    DefinitionProvider,
    InstallProvider,
)
from fabric_components.providers.operation import Operation
from fabric_components.stack_config import StackConfig
from fabric_nodes.node_settings import Addressing, orderer_address, peer_address
from fabric_ops.ccaas_package import ccaas_package
from network_spec import ChaincodeSpec, NetworkSpec, OrgSpec


@dataclass(frozen=True)
class ChaincodeArgs:
    spec: NetworkSpec
    chaincode: ChaincodeSpec
    addressing: Addressing
    executors: Mapping[str, pulumi.Input[dict[str, Any]]]
    """Per org name, the executor its admin's commands run with."""
    server_address: Callable[[ChaincodeSpec, OrgSpec], str]
    """Where an org's peers reach its chaincode server (goes into the package)."""
    config: StackConfig | None = None
    """Stack settings for the server Deployments; None when the servers run elsewhere
    (the local network runs them as processes)."""
    after: Mapping[str, pulumi.Resource] | None = None
    """Per channel name, what must exist first (the channel's joins)."""


class Install(Operation):
    pass


class ChaincodeDefinition(Operation):
    pass


class Approve(Operation):
    pass


class Commit(Operation):
    pass


class Chaincode(pulumi.ComponentResource):
    package_ids: pulumi.Output[dict[str, str]]
    """Per org name, the package ID its peers run."""

    def __init__(
        self, name: str, args: ChaincodeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("fabric:index:Chaincode", name, None, opts)
        spec, cc, addressing = args.spec, args.chaincode, args.addressing
        package_ids: dict[str, str] = {}
        installs: dict[str, list[pulumi.Resource]] = {}
        for org_name in cc.orgs:
            org = spec.org(org_name)
            address = args.server_address(cc, org)
            package = ccaas_package(cc.label, address)
            package_ids[org_name] = package.package_id
            if args.config is not None:
                chaincode_server(f"{name}-{org.k8s_name}", cc, org, package.package_id,
                                 args.config, self)
            installs[org_name] = [
                Install(
                    InstallProvider(),
                    f"{name}-{node.k8s_name}-install",
                    {
                        "node": node.common_name,
                        "peer_address": peer_address(addressing, node),
                        "label": cc.label,
                        "server_address": address,
                        "package_id": package.package_id,
                        "executor": args.executors[org_name],
                        "done": None,
                    },
                    pulumi.ResourceOptions(parent=self),
                )
                for node in org.nodes
            ]
        for target in cc.channels:
            channel = next(c for c in spec.channels if c.name == target.channel)
            orderer_org, orderer_node = spec.node(channel.consenters[0])
            first_peer = {o: peer_address(addressing, spec.org(o).nodes[0]) for o in target.orgs}
            common = {
                "channel": target.channel,
                "name": cc.name,
                "version": cc.version,
                "policy": target.policy,
                "init_required": cc.init_required,
            }
            after = [args.after[target.channel]] if args.after else []
            prefix = f"{name}-{target.channel}"
            definition = ChaincodeDefinition(
                DefinitionProvider(),
                f"{prefix}-definition",
                {
                    **common,
                    "package_ids": {o: package_ids[o] for o in target.orgs},
                    "peer_address": first_peer[target.orgs[0]],
                    "executor": args.executors[target.orgs[0]],
                    "sequence": None,
                },
                pulumi.ResourceOptions(parent=self, depends_on=after),
            )
            orderer = {
                "orderer_address": orderer_address(addressing, orderer_node),
                "orderer_domain": orderer_org.domain,
            }
            approvals = [
                Approve(
                    ApproveProvider(),
                    f"{prefix}-{spec.org(o).k8s_name}-approve",
                    {
                        **common,
                        **orderer,
                        "org": o,
                        "sequence": definition.sequence,  # type: ignore[attr-defined]
                        "package_id": package_ids[o],
                        "peer_address": first_peer[o],
                        "executor": args.executors[o],
                        "done": None,
                    },
                    pulumi.ResourceOptions(parent=self, depends_on=[*installs[o], *after]),
                )
                for o in target.orgs
            ]
            Commit(
                CommitProvider(),
                f"{prefix}-commit",
                {
                    **common,
                    **orderer,
                    "sequence": definition.sequence,  # type: ignore[attr-defined]
                    "endorsers": [
                        {"address": first_peer[o], "domain": spec.org(o).domain}
                        for o in target.orgs
                    ],
                    "peer_address": first_peer[target.orgs[0]],
                    "executor": args.executors[target.orgs[0]],
                    "done": None,
                },
                pulumi.ResourceOptions(parent=self, depends_on=approvals),
            )
        self.package_ids = pulumi.Output.from_input(package_ids)
        self.register_outputs({"package_ids": self.package_ids})
