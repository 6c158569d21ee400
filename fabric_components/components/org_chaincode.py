"""``fabric:index:OrgChaincode``: a chaincode of network.yaml in an org stack.
Per org of the stack that runs it: its CCaaS package, its server Deployment and
an install on each of its peers; per channel the org approves it on: the
org's approval with its own admin (once its peer joined) and a commit that
waits until the approvals of the channel's orgs, each from its own stack, meet
the channel's ``LifecycleEndorsement``. Every member stack has that commit
step: whichever runs first once the approvals are in commits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from fabric_components.components.chaincode import org_server
from fabric_components.crypto_material import CaMaterial
from fabric_components.providers.chaincode import ChaincodeInstall, install_inputs
from fabric_components.providers.consortium_chaincode import (
    ChaincodeCommitWhenReady,
    OrgChaincodeApproval,
)
from fabric_components.stack_config import StackConfig
from fabric_nodes.node_settings import Addressing, peer_address
from fabric_ops.ccaas_package import ccaas_package
from network_spec import ChaincodeSpec, NetworkSpec, OrgSpec


@dataclass(frozen=True)
class OrgChaincodeArgs:
    spec: NetworkSpec
    """The org stack's spec: only its orgs."""
    chaincode: ChaincodeSpec
    """Cut to the stack's orgs (``org_stack_spec``)."""
    addressing: Addressing
    executors: Mapping[str, pulumi.Input[dict[str, Any]]]
    server_address: Callable[[ChaincodeSpec, OrgSpec], str]
    config: StackConfig
    cas: Mapping[str, CaMaterial]
    orderer: dict[str, str]
    """``address`` and ``domain`` of an orderer, from its org's card."""
    endorsers: dict[str, dict[str, str]]
    """Per MSP ID, one peer (``address``, ``domain``) that endorses a commit."""
    after: Mapping[str, Sequence[pulumi.Resource]]
    """Per channel, what the approval waits for (the org's own joins)."""


class OrgChaincode(pulumi.ComponentResource):
    server_certs: dict[str, dict[str, pulumi.Output[str]]]
    """Per org name, per common name, the TLS certificate of its chaincode
    server (none without TLS)."""

    def __init__(self, name: str, args: OrgChaincodeArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fabric:index:OrgChaincode", name, None, opts)
        self.server_certs = {}
        cc, tls = args.chaincode, args.config.endpoint_tls
        package_ids: dict[str, str] = {}
        installs: dict[str, list[pulumi.Resource]] = {}
        # The joins wait for the stack's nodes: the installs wait for them too.
        nodes_up = [r for target in cc.channels for r in args.after.get(target.channel, ())]
        for org_name in cc.orgs:
            org = args.spec.org(org_name)
            address = args.server_address(cc, org)
            package = ccaas_package(cc.label, address, tls=tls)
            package_ids[org_name] = package.package_id
            certs = org_server(name, cc, org, package.package_id, args.config,
                               args.cas[org_name], self)
            if certs:
                self.server_certs[org_name] = certs
            installs[org_name] = [ChaincodeInstall(
                f"{name}-{node.k8s_name}-install",
                install_inputs(cc.label, node, args.addressing, address, package.package_id,
                               args.executors[org_name], tls),
                pulumi.ResourceOptions(parent=self, depends_on=nodes_up)) for node in org.nodes]
        for target in cc.channels:
            definition = {"channel": target.channel, "name": cc.name, "version": cc.version,
                          "policy": target.policy, "init_required": cc.init_required}
            after = list(args.after.get(target.channel, ()))
            approvals = []
            for org_name in target.orgs:
                org = args.spec.org(org_name)
                approvals.append(OrgChaincodeApproval(
                    f"{name}-{target.channel}-{org.k8s_name}-approve",
                    {**definition, "org": org_name, "orderer": args.orderer,
                     "package_ids": {org_name: package_ids[org_name]},
                     "peer_address": peer_address(args.addressing, org.nodes[0]),
                     "executor": args.executors[org_name]},
                    pulumi.ResourceOptions(parent=self,
                                           depends_on=[*installs[org_name], *after])))
            lead = args.spec.org(target.orgs[0])
            ChaincodeCommitWhenReady(
                f"{name}-{target.channel}-commit",
                {**definition, "sequence": approvals[0].sequence, "orderer": args.orderer,
                 "endorsers": args.endorsers,
                 "peer_address": peer_address(args.addressing, lead.nodes[0]),
                 "executor": args.executors[lead.name]},
                pulumi.ResourceOptions(parent=self, depends_on=approvals))
        self.register_outputs({})
