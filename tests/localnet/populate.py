"""The populate steps as one ``pulumi up`` runs them, with the providers called
exactly as the engine calls them (shared by the fabric-tier tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from fabric_components.components.channel import channel_config_inputs
from fabric_components.providers.chaincode import (
    ApproveProvider,
    CommitProvider,
    DefinitionProvider,
    InstallProvider,
)
from fabric_components.providers.channel import (
    ChannelBlockProvider,
    OrdererJoinProvider,
    PeerJoinProvider,
)
from fabric_components.providers.channel_config import ChannelConfigProvider
from fabric_nodes.node_settings import orderer_address, orderer_admin_address, peer_address
from fabric_ops.ccaas_package import ccaas_package
from fabric_ops.executor_config import local_executor_config
from localnet import FabricRelease, LocalNetwork
from localnet.chaincode_servers import chaincode_servers
from network_spec import ChaincodeSpec, ChannelSpec, NodeSpec

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


Stage = list[Callable[[], Any]]
Apply = Callable[[str, Any, dict[str, Any]], dict[str, Any]]
"""Runs one resource (name, provider, inputs) and returns its outputs."""


def create(_name: str, provider: Any, props: dict[str, Any]) -> dict[str, Any]:
    """Every resource as a first ``pulumi up`` (or one with lost state) runs it."""
    return outs(provider.create(props))


def stages(
    net: LocalNetwork, servers: dict[str, str], apply: Apply = create,
) -> list[Stage]:
    """Every channel and chaincode operation of the network as dependency stages
    (what one stage holds is independent, as the engine would run it);
    ``servers`` maps ``<chaincode>/<org>`` to a running chaincode server;
    ``apply`` runs each resource (names as the components give them)."""
    spec, addressing = net.spec, net.addressing
    blocks: dict[str, str] = {}
    sequences: dict[tuple[str, str], int] = {}

    def consenter_endpoints(channel: str) -> list[dict[str, str]]:
        return [{"address": orderer_address(addressing, spec.node(cn)[1]),
                 "domain": spec.node(cn)[0].domain} for cn in net.channel(channel).consenters]

    def make_block(channel: str) -> Callable[[], None]:
        def run() -> None:
            blocks[channel] = apply(f"{channel}-block", ChannelBlockProvider(), {
                "channel": channel,
                "files": {p: d.decode() for p, d in net.channel_files(channel).items()},
                "executor": executor_config(net, spec.channels[0].orderer_orgs[0])})["block"]
        return run

    def orderer_join(channel: str, cn: str) -> Callable[[], Any]:
        org, node = spec.node(cn)
        others = [o for other, o in zip(net.channel(channel).consenters,
                                        consenter_endpoints(channel), strict=True)
                  if other != cn]
        return lambda: apply(f"{channel}-{node.k8s_name}-join", OrdererJoinProvider(), {
            "version": "1", "channel": channel, "node": cn, "orderer_domain": org.domain,
            "admin_address": orderer_admin_address(addressing, node), "block": blocks[channel],
            "other_consenters": others, "executor": executor_config(net, org.name)})

    def channel_config(channel: ChannelSpec) -> Callable[[], Any]:
        files = {p: d.decode() for p, d in net.channel_files(channel.name).items()}
        executors = {o: executor_config(net, o) for o in (*channel.orderer_orgs, *channel.orgs)}
        props = channel_config_inputs(spec, channel, addressing, executors, files)
        return lambda: apply(f"{channel.name}-config", ChannelConfigProvider(),
                             {"version": "1", **props})

    def peer_join(channel: str, org: str, cn: str) -> Callable[[], Any]:
        node = spec.org(org).node(cn)
        orderers = consenter_endpoints(channel)
        return lambda: apply(f"{channel}-{node.k8s_name}-join", PeerJoinProvider(), {
            "version": "1", "channel": channel, "node": cn, "block": blocks[channel],
            "orderers": orderers, "peer_address": peer_address(addressing, node),
            "executor": executor_config(net, org)})

    def install(cc: ChaincodeSpec, org: str, node: NodeSpec, package_id: str) -> Callable[[], Any]:
        return partial(apply, f"{cc.name}-{node.k8s_name}-install", InstallProvider(), {
            "version": "1", "node": node.common_name, "label": cc.label,
            "peer_address": peer_address(addressing, node),
            "server_address": servers[f"{cc.name}/{org}"], "package_id": package_id,
            "executor": executor_config(net, org)})

    def define(common: dict[str, Any], key: tuple[str, str], lead: str,
               first: dict[str, str], package_ids: dict[str, str]) -> None:
        out = apply(f"{key[0]}-{key[1]}-definition", DefinitionProvider(), {
            **common, "package_ids": package_ids, "peer_address": first[lead],
            "executor": executor_config(net, lead)})
        sequences[key] = out["sequence"]

    def approve(common: dict[str, Any], key: tuple[str, str], org: str,
                first: dict[str, str], package_id: str) -> None:
        apply(f"{key[0]}-{key[1]}-{spec.org(org).k8s_name}-approve", ApproveProvider(), {
            **common, "org": org, "sequence": sequences[key], "package_id": package_id,
            "peer_address": first[org], "executor": executor_config(net, org)})

    def commit(common: dict[str, Any], key: tuple[str, str], orgs: Sequence[str],
               first: dict[str, str]) -> None:
        apply(f"{key[0]}-{key[1]}-commit", CommitProvider(), {
            **common, "sequence": sequences[key], "peer_address": first[orgs[0]],
            "endorsers": [{"address": first[o], "domain": spec.org(o).domain} for o in orgs],
            "executor": executor_config(net, orgs[0])})

    installs: Stage = []
    definitions: Stage = []
    approvals: Stage = []
    commits: Stage = []
    for cc in spec.chaincodes:
        packages = {o: ccaas_package(cc.label, servers[f"{cc.name}/{o}"]) for o in cc.orgs}
        installs += [install(cc, o, node, packages[o].package_id)
                     for o in cc.orgs for node in spec.org(o).nodes]
        for target in cc.channels:
            channel = next(c for c in spec.channels if c.name == target.channel)
            orderer_org, orderer_node = spec.node(channel.consenters[0])
            first = {o: peer_address(addressing, spec.org(o).nodes[0]) for o in target.orgs}
            common = {"channel": target.channel, "name": cc.name, "version": cc.version,
                      "policy": target.policy, "init_required": cc.init_required,
                      "orderer_address": orderer_address(addressing, orderer_node),
                      "orderer_domain": orderer_org.domain}
            key = (cc.name, target.channel)
            definitions.append(partial(define, common, key, target.orgs[0], first,
                                       {o: packages[o].package_id for o in first}))
            for o in target.orgs:
                approvals.append(partial(approve, common, key, o, first, packages[o].package_id))
            commits.append(partial(commit, common, key, target.orgs, first))
    return [
        [make_block(c.name) for c in spec.channels],
        [orderer_join(c.name, cn) for c in spec.channels for cn in c.consenters],
        [channel_config(c) for c in spec.channels],
        [peer_join(c.name, o, n.common_name) for c in spec.channels for o in c.orgs
         for n in spec.org(o).nodes] + installs,
        definitions,
        approvals,
        commits,
    ]


def run_stages(all_stages: list[Stage], parallel: bool) -> None:
    for stage in all_stages:
        if not parallel:
            for step in stage:
                step()
            continue
        with ThreadPoolExecutor(max_workers=8) as pool:
            for future in [pool.submit(step) for step in stage]:
                future.result()


@contextmanager
def populated(
    source: Path, workdir: Path, release: FabricRelease,
    extra_servers: Mapping[str, str] | None = None,
) -> Iterator[tuple[LocalNetwork, dict[str, str]]]:
    """A network started from ``source`` under ``workdir`` with every chaincode
    package served (plus ``extra_servers``: ``<chaincode>/<org>`` to a label, for
    orgs a later spec adds) and the whole populate run; yields the network and
    the servers' addresses, stops both on exit."""
    with LocalNetwork.start(source, workdir / "net", release) as net:
        labels = {f"{cc.name}/{o}": cc.label for cc in net.spec.chaincodes for o in cc.orgs}
        servers_dir = workdir / "servers"
        servers_dir.mkdir(parents=True, exist_ok=True)
        with chaincode_servers({**labels, **(extra_servers or {})}, servers_dir) as servers:
            run_stages(stages(net, servers), parallel=True)
            yield net, servers
