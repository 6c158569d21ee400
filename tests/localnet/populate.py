"""The populate steps as one ``pulumi up`` runs them, with the providers called
exactly as the engine calls them (shared by the fabric-tier tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from crypto.certificates import VALIDITY
from fabric_components.providers.chaincode import (
    ApproveProvider,
    ChaincodeOnChannel,
    CommitProvider,
    DefinitionProvider,
    InstallProvider,
    approval_inputs,
    chaincode_on_channel,
    commit_inputs,
    definition_inputs,
    install_inputs,
)
from fabric_components.providers.channel import (
    ChannelBlockProvider,
    OrdererJoinProvider,
    PeerJoinProvider,
    channel_block_inputs,
    orderer_join_inputs,
    peer_join_inputs,
)
from fabric_components.providers.channel_config import (
    ChannelConfigProvider,
    channel_config_inputs,
)
from fabric_components.providers.operation import operation_inputs
from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.ccaas_package import ccaas_package
from fabric_ops.executor_config import local_executor_config
from localnet import FabricRelease, LocalNetwork
from localnet.chaincode_servers import ChaincodeServers, chaincode_servers
from localnet.state_database import CouchDBServer
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
    org, _ = net.spec.node(common_name)
    return operation_inputs(orderer_join_inputs(
        net.spec, net.channel(CHANNEL), common_name, net.addressing, block,
        executor_config(net, org.name)))


def join_all(net: LocalNetwork, block: str) -> None:
    """The orderer and every peer of the member orgs join, each create twice."""
    orderer = OrdererJoinProvider()
    props = orderer_props(net, block)
    assert outs(orderer.create(props))["done"] is True
    assert outs(orderer.create(props))["done"] is True
    for org in ORGS:
        for node in net.spec.org(org).nodes:
            peer_props = operation_inputs(peer_join_inputs(
                net.spec, net.channel(CHANNEL), node, net.addressing, block,
                executor_config(net, org)))
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
    for org in ORGS:
        for node in net.spec.org(org).nodes:
            props = operation_inputs(install_inputs(
                label, node, net.addressing, servers[org, version], packages[org].package_id,
                executor_config(net, org)))
            InstallProvider().create(props)
            assert outs(InstallProvider().read("id", outs(InstallProvider().create(props))))[
                "done"] is True
    (consenter,) = net.channel(CHANNEL).consenters
    orderer_org, orderer_node = net.spec.node(consenter)
    on = ChaincodeOnChannel(
        definition={"channel": CHANNEL, "name": "asset", "version": version,
                    "policy": "OR('Org1MSP.peer','Org2MSP.peer')", "init_required": False},
        orderer={"orderer_address": orderer_address(net.addressing, orderer_node),
                 "orderer_domain": orderer_org.domain},
        orgs=ORGS,
        first_peers={o: peer_address(net.addressing, net.spec.org(o).nodes[0]) for o in ORGS},
        domains={o: net.spec.org(o).domain for o in ORGS},
    )
    definition_props = operation_inputs(definition_inputs(
        on, {o: p.package_id for o, p in packages.items()}, executor_config(net, "Org1")))
    provider = DefinitionProvider()
    if definition is None:
        state = outs(provider.create(definition_props))
    else:
        assert provider.diff("id", definition, definition_props).changes is True
        state = outs(provider.update("id", definition, definition_props))
    for org in ORGS:
        props = operation_inputs(approval_inputs(
            on, org, state["sequence"], packages[org].package_id, executor_config(net, org)))
        ApproveProvider().create(props)
        assert outs(ApproveProvider().read("id", outs(ApproveProvider().create(props))))[
            "done"] is True
    commit = operation_inputs(commit_inputs(on, state["sequence"], executor_config(net, "Org1")))
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

    def make_block(channel: str) -> Callable[[], None]:
        def run() -> None:
            files = {p: d.decode() for p, d in net.channel_files(channel).items()}
            executor = executor_config(net, spec.channels[0].orderer_orgs[0])
            blocks[channel] = apply(f"{channel}-block", ChannelBlockProvider(), operation_inputs(
                channel_block_inputs(channel, files, executor)))["block"]
        return run

    def orderer_join(channel: ChannelSpec, cn: str) -> Callable[[], Any]:
        org, node = spec.node(cn)
        return lambda: apply(
            f"{channel.name}-{node.k8s_name}-join", OrdererJoinProvider(),
            operation_inputs(orderer_join_inputs(spec, channel, cn, addressing,
                                                 blocks[channel.name],
                                                 executor_config(net, org.name))))

    def channel_config(channel: ChannelSpec) -> Callable[[], Any]:
        files = {p: d.decode() for p, d in net.channel_files(channel.name).items()}
        executors = {o: executor_config(net, o) for o in (*channel.orderer_orgs, *channel.orgs)}
        props = channel_config_inputs(spec, channel, addressing, executors, files)
        return lambda: apply(f"{channel.name}-config", ChannelConfigProvider(),
                             operation_inputs(props))

    def peer_join(channel: ChannelSpec, org: str, node: NodeSpec) -> Callable[[], Any]:
        return lambda: apply(
            f"{channel.name}-{node.k8s_name}-join", PeerJoinProvider(),
            operation_inputs(peer_join_inputs(spec, channel, node, addressing,
                                              blocks[channel.name], executor_config(net, org))))

    def install(cc: ChaincodeSpec, org: str, node: NodeSpec, package_id: str) -> Callable[[], Any]:
        return partial(apply, f"{cc.name}-{node.k8s_name}-install", InstallProvider(),
                       operation_inputs(install_inputs(
                           cc.label, node, addressing, servers[f"{cc.name}/{org}"], package_id,
                           executor_config(net, org))))

    def define(on: ChaincodeOnChannel, key: tuple[str, str], package_ids: dict[str, str]) -> None:
        out = apply(f"{key[0]}-{key[1]}-definition", DefinitionProvider(), operation_inputs(
            definition_inputs(on, package_ids, executor_config(net, on.orgs[0]))))
        sequences[key] = out["sequence"]

    def approve(on: ChaincodeOnChannel, key: tuple[str, str], org: str, package_id: str) -> None:
        apply(f"{key[0]}-{key[1]}-{spec.org(org).k8s_name}-approve", ApproveProvider(),
              operation_inputs(approval_inputs(on, org, sequences[key], package_id,
                                               executor_config(net, org))))

    def commit(on: ChaincodeOnChannel, key: tuple[str, str]) -> None:
        apply(f"{key[0]}-{key[1]}-commit", CommitProvider(), operation_inputs(
            commit_inputs(on, sequences[key], executor_config(net, on.orgs[0]))))

    installs: Stage = []
    definitions: Stage = []
    approvals: Stage = []
    commits: Stage = []
    for cc in spec.chaincodes:
        packages = {o: ccaas_package(cc.label, servers[f"{cc.name}/{o}"]) for o in cc.orgs}
        installs += [install(cc, o, node, packages[o].package_id)
                     for o in cc.orgs for node in spec.org(o).nodes]
        for target in cc.channels:
            on = chaincode_on_channel(spec, cc, target, addressing)
            key = (cc.name, target.channel)
            definitions.append(partial(define, on, key,
                                       {o: packages[o].package_id for o in target.orgs}))
            for o in target.orgs:
                approvals.append(partial(approve, on, key, o, packages[o].package_id))
            commits.append(partial(commit, on, key))
    return [
        [make_block(c.name) for c in spec.channels],
        [orderer_join(c, cn) for c in spec.channels for cn in c.consenters],
        [channel_config(c) for c in spec.channels],
        [peer_join(c, o, n) for c in spec.channels for o in c.orgs
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
    extra_servers: Mapping[str, str] | None = None, scraper_ca: str | None = None,
    cert_validity: timedelta = VALIDITY, couchdb: Mapping[str, CouchDBServer] | None = None,
) -> Iterator[tuple[LocalNetwork, ChaincodeServers]]:
    """A network started from ``source`` under ``workdir`` with every chaincode
    package served (plus ``extra_servers``: ``<chaincode>/<org>`` to a label, for
    orgs a later spec adds) and the whole populate run; yields the network and
    the servers' addresses, stops both on exit. ``scraper_ca`` and ``couchdb``:
    see ``LocalNetwork.start``."""
    with LocalNetwork.start(source, workdir / "net", release, scraper_ca=scraper_ca,
                            cert_validity=cert_validity, couchdb=couchdb) as net:
        labels = {f"{cc.name}/{o}": cc.label for cc in net.spec.chaincodes for o in cc.orgs}
        servers_dir = workdir / "servers"
        servers_dir.mkdir(parents=True, exist_ok=True)
        with chaincode_servers({**labels, **(extra_servers or {})}, servers_dir,
                               lambda key: net.tls_ca(key.split("/")[1]),
                               cert_validity) as servers:
            run_stages(stages(net, servers), parallel=True)
            yield net, servers
