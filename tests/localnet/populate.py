"""The populate steps as one ``pulumi up`` runs them, with the providers called
exactly as the engine calls them (shared by the fabric-tier tests)."""

from __future__ import annotations

from typing import Any

from fabric_components.chaincode_provider import (
    ApproveProvider,
    CommitProvider,
    DefinitionProvider,
    InstallProvider,
)
from fabric_components.channel_provider import OrdererJoinProvider, PeerJoinProvider
from fabric_components.node_settings import orderer_address, orderer_admin_address, peer_address
from fabric_ops.ccaas_package import ccaas_package
from fabric_ops.executor_config import local_executor_config
from localnet import LocalNetwork

CHANNEL = "mychannel"
ORGS = ("Org1", "Org2")


def outs(result: Any) -> dict[str, Any]:
    assert result.outs is not None
    return dict(result.outs)


def executor_config(net: LocalNetwork, org: str) -> dict[str, Any]:
    local = net.executor(org)
    return local_executor_config(local.bin_dir, local.base_env, local.paths)


def orderer_props(net: LocalNetwork, block: str) -> dict[str, Any]:
    (common_name,) = net.channel(CHANNEL).consenters
    org, node = net.spec.node(common_name)
    return {
        "version": "1", "channel": CHANNEL, "node": common_name,
        "admin_address": orderer_admin_address(net.addressing, node),
        "orderer_domain": org.domain, "block": block,
        "executor": executor_config(net, org.name),
    }


def join_all(net: LocalNetwork, block: str) -> None:
    """The orderer and every peer of the member orgs join, each create twice."""
    orderer = OrdererJoinProvider()
    props = orderer_props(net, block)
    assert outs(orderer.create(props))["done"] is True
    assert outs(orderer.create(props))["done"] is True
    for org in ORGS:
        for node in net.spec.org(org).nodes:
            peer_props = {
                "version": "1", "channel": CHANNEL, "node": node.common_name,
                "peer_address": peer_address(net.addressing, node), "block": block,
                "executor": executor_config(net, org),
            }
            first = outs(PeerJoinProvider().create(peer_props))
            assert outs(PeerJoinProvider().read("id", first))["done"] is True
            assert outs(PeerJoinProvider().create(peer_props))["done"] is True


def deploy(
    net: LocalNetwork, servers: dict[tuple[str, str], str], version: str,
    definition: dict[str, Any] | None,
) -> dict[str, Any]:
    """What one ``pulumi up`` of the Chaincode component does, in its order;
    every step twice, the second a no-op. Returns the definition's state."""
    label = f"asset_{version}"
    packages = {org: ccaas_package(label, servers[org, version]) for org in ORGS}
    first_peer = {org: peer_address(net.addressing, net.spec.org(org).nodes[0]) for org in ORGS}
    for org in ORGS:
        for node in net.spec.org(org).nodes:
            props = {"version": "1", "node": node.common_name,
                     "peer_address": peer_address(net.addressing, node), "label": label,
                     "server_address": servers[org, version],
                     "package_id": packages[org].package_id,
                     "executor": executor_config(net, org)}
            InstallProvider().create(props)
            assert outs(InstallProvider().read("id", outs(InstallProvider().create(props))))[
                "done"] is True
    common: dict[str, Any] = {"channel": CHANNEL, "name": "asset", "version": version,
              "policy": "OR('Org1MSP.peer','Org2MSP.peer')", "init_required": False}
    definition_props = {**common, "package_ids": {o: p.package_id for o, p in packages.items()},
                        "peer_address": first_peer["Org1"],
                        "executor": executor_config(net, "Org1")}
    provider = DefinitionProvider()
    if definition is None:
        state = outs(provider.create(definition_props))
    else:
        assert provider.diff("id", definition, definition_props).changes is True
        state = outs(provider.update("id", definition, definition_props))
    (consenter,) = net.channel(CHANNEL).consenters
    orderer_org, orderer_node = net.spec.node(consenter)
    orderer = {"orderer_address": orderer_address(net.addressing, orderer_node),
               "orderer_domain": orderer_org.domain}
    for org in ORGS:
        props = {**common, **orderer, "org": org, "sequence": state["sequence"],
                 "package_id": packages[org].package_id, "peer_address": first_peer[org],
                 "executor": executor_config(net, org)}
        ApproveProvider().create(props)
        assert outs(ApproveProvider().read("id", outs(ApproveProvider().create(props))))[
            "done"] is True
    commit = {**common, **orderer, "sequence": state["sequence"],
              "endorsers": [{"address": first_peer[o], "domain": net.spec.org(o).domain}
                            for o in ORGS],
              "peer_address": first_peer["Org1"], "executor": executor_config(net, "Org1")}
    CommitProvider().create(commit)
    assert outs(CommitProvider().read("id", outs(CommitProvider().create(commit))))["done"]
    return state
