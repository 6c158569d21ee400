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

from fabric_components.chaincode_tls import TlsCertificate
from fabric_components.crypto_material import CaMaterial
from fabric_components.k8s.chaincode_server import ServerTls, chaincode_server, server_dns_names
from fabric_components.providers.chaincode import (
    ChaincodeApproval,
    ChaincodeCommit,
    ChaincodeDefinition,
    ChaincodeInstall,
    approval_inputs,
    chaincode_on_channel,
    commit_inputs,
    definition_inputs,
    install_inputs,
)
from fabric_components.stack_config import StackConfig
from fabric_nodes.node_settings import Addressing
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
    cas: Mapping[str, CaMaterial] | None = None
    """Per org name, its CAs, whose TLS CA issues the org's server certificate;
    needed with ``config``."""


def org_server(
    name: str, cc: ChaincodeSpec, org: OrgSpec, package_id: str, config: StackConfig,
    cas: CaMaterial, parent: pulumi.Resource,
) -> dict[str, pulumi.Output[str]]:
    """The org's chaincode server Deployment and Service (``<name>-<org>``),
    with a certificate of the org's TLS CA unless endpoint TLS is off: that
    certificate by its common name (none without TLS)."""
    namespace = config.namespace
    server_tls = None
    certs: dict[str, pulumi.Output[str]] = {}
    if config.endpoint_tls:
        names = server_dns_names(cc, org, namespace)
        cert = TlsCertificate(f"{name}-{org.k8s_name}-tls", org, cas, names[-1], names,
                              pulumi.ResourceOptions(parent=parent), config.cert_validity,
                              config.cert_renew_before, config.cert_renewal)
        certs[names[-1]] = cert.cert
        server_tls = ServerTls(cert.cert, pulumi.Output.secret(cert.key), cas.tlsca_cert)
    chaincode_server(f"{name}-{org.k8s_name}", cc, org, package_id, namespace,
                     config.pod(cc.image, "chaincode"), server_tls, parent, config.cert_renewal)
    return certs


class Chaincode(pulumi.ComponentResource):
    package_ids: pulumi.Output[dict[str, str]]
    """Per org name, the package ID its peers run."""
    server_certs: dict[str, dict[str, pulumi.Output[str]]]
    """Per org name, per common name, the TLS certificate of its chaincode
    server (none when the servers run elsewhere or without TLS)."""

    def __init__(
        self, name: str, args: ChaincodeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("fabric:index:Chaincode", name, None, opts)
        self.server_certs = {}
        spec, cc, addressing = args.spec, args.chaincode, args.addressing
        package_ids: dict[str, str] = {}
        installs: dict[str, list[pulumi.Resource]] = {}
        tls = args.config.endpoint_tls if args.config is not None else True
        for org_name in cc.orgs:
            org = spec.org(org_name)
            address = args.server_address(cc, org)
            package = ccaas_package(cc.label, address, tls=tls)
            package_ids[org_name] = package.package_id
            if args.config is not None:
                if args.cas is None:
                    raise ValueError("ChaincodeArgs: servers in the cluster need the orgs' CAs")
                certs = org_server(name, cc, org, package.package_id, args.config,
                                   args.cas[org_name], self)
                if certs:
                    self.server_certs[org_name] = certs
            installs[org_name] = [
                ChaincodeInstall(
                    f"{name}-{node.k8s_name}-install",
                    install_inputs(cc.label, node, addressing, address, package.package_id,
                                   args.executors[org_name], tls),
                    pulumi.ResourceOptions(parent=self),
                )
                for node in org.nodes
            ]
        for target in cc.channels:
            on = chaincode_on_channel(spec, cc, target, addressing)
            lead = args.executors[target.orgs[0]]
            after = [args.after[target.channel]] if args.after else []
            prefix = f"{name}-{target.channel}"
            definition = ChaincodeDefinition(
                f"{prefix}-definition",
                definition_inputs(on, package_ids, lead),
                pulumi.ResourceOptions(parent=self, depends_on=after),
            )
            approvals = [
                ChaincodeApproval(
                    f"{prefix}-{spec.org(o).k8s_name}-approve",
                    approval_inputs(on, o, definition.sequence, package_ids[o],
                                    args.executors[o]),
                    pulumi.ResourceOptions(parent=self, depends_on=[*installs[o], *after]),
                )
                for o in target.orgs
            ]
            ChaincodeCommit(
                f"{prefix}-commit",
                commit_inputs(on, definition.sequence, lead),
                pulumi.ResourceOptions(parent=self, depends_on=approvals),
            )
        self.package_ids = pulumi.Output.from_input(package_ids)
        self.register_outputs({"package_ids": self.package_ids})
