"""Prints the Fabric commands and the wall time of a first populate of the
samples on real local networks, run two ways with the same providers:
``parallel`` schedules independent operations together as the Pulumi engine does
with the components' dependencies (all orderer joins at once, then every peer
join and install, ...), ``sequential`` runs one command after another the way
fabric-samples' scripts do. Each run gets a fresh network.

Usage: venv/bin/python -m benchmarks.populate_timing [simple|scaled ...]
Figures only; nothing here asserts a time."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from fabric_components.chaincode_provider import (
    ApproveProvider,
    CommitProvider,
    DefinitionProvider,
    InstallProvider,
)
from fabric_components.channel_provider import (
    ChannelBlockProvider,
    OrdererJoinProvider,
    PeerJoinProvider,
)
from fabric_components.node_settings import orderer_address, orderer_admin_address, peer_address
from fabric_ops.ccaas_package import ccaas_package
from fabric_ops.executor_config import local_executor_config
from fabric_ops.local_executor import LocalExecutor
from localnet import FabricRelease, LocalNetwork
from localnet.chaincode_servers import chaincode_servers
from localnet.release import REPO_ROOT

MUTATING = {"join", "install", "approveformyorg", "commit", "-outputBlock"}
Stage = list[Callable[[], Any]]


def executor(net: LocalNetwork, org: str) -> dict[str, Any]:
    local = net.executor(org)
    return local_executor_config(local.bin_dir, local.base_env, local.paths)


def stages(net: LocalNetwork, servers: dict[str, str]) -> list[Stage]:
    """The populate as dependency stages; what is in one stage is independent."""
    spec, addressing = net.spec, net.addressing
    blocks: dict[str, str] = {}

    def make_block(channel: str) -> Callable[[], None]:
        def run() -> None:
            out = ChannelBlockProvider().create({
                "channel": channel,
                "files": {p: d.decode() for p, d in net.channel_files(channel).items()},
                "executor": executor(net, spec.channels[0].orderer_orgs[0])}).outs or {}
            blocks[channel] = out["block"]
        return run

    def orderer_join(channel: str, cn: str) -> Callable[[], Any]:
        org, node = spec.node(cn)
        return lambda: OrdererJoinProvider().create({
            "version": "1", "channel": channel, "node": cn, "orderer_domain": org.domain,
            "admin_address": orderer_admin_address(addressing, node),
            "block": blocks[channel], "executor": executor(net, org.name)})

    def peer_join(channel: str, org: str, cn: str) -> Callable[[], Any]:
        node = spec.org(org).node(cn)
        return lambda: PeerJoinProvider().create({
            "version": "1", "channel": channel, "node": cn, "block": blocks[channel],
            "peer_address": peer_address(addressing, node), "executor": executor(net, org)})

    def define(common: dict[str, Any], key: tuple[str, str], lead: str,
               first: dict[str, str], package_ids: dict[str, str]) -> None:
        out = DefinitionProvider().create({
            **common, "package_ids": package_ids, "peer_address": first[lead],
            "executor": executor(net, lead)}).outs or {}
        sequences[key] = out["sequence"]

    def approve(common: dict[str, Any], key: tuple[str, str], org: str,
                first: dict[str, str], package_id: str) -> None:
        ApproveProvider().create({**common, "org": org, "sequence": sequences[key],
                                  "package_id": package_id, "peer_address": first[org],
                                  "executor": executor(net, org)})

    def commit(common: dict[str, Any], key: tuple[str, str], orgs: Sequence[str],
               first: dict[str, str]) -> None:
        CommitProvider().create({
            **common, "sequence": sequences[key], "peer_address": first[orgs[0]],
            "endorsers": [{"address": first[o], "domain": spec.org(o).domain} for o in orgs],
            "executor": executor(net, orgs[0])})

    installs: Stage = []
    definitions: Stage = []
    approvals: Stage = []
    commits: Stage = []
    sequences: dict[tuple[str, str], int] = {}
    for cc in spec.chaincodes:
        packages = {o: ccaas_package(cc.label, servers[f"{cc.name}/{o}"]) for o in cc.orgs}
        for o in cc.orgs:
            for node in spec.org(o).nodes:
                props = {"version": "1", "node": node.common_name, "label": cc.label,
                         "peer_address": peer_address(addressing, node),
                         "server_address": servers[f"{cc.name}/{o}"],
                         "package_id": packages[o].package_id, "executor": executor(net, o)}
                installs.append(partial(InstallProvider().create, props))
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
        [peer_join(c.name, o, n.common_name) for c in spec.channels for o in c.orgs
         for n in spec.org(o).nodes] + installs,
        definitions,
        approvals,
        commits,
    ]


def run(sample: str, parallel: bool) -> tuple[float, Counter[str], int]:
    ran: list[Sequence[str]] = []
    lock = threading.Lock()
    original = LocalExecutor.run

    def counting(self: LocalExecutor, argv: Sequence[str], **kwargs: Any) -> Any:
        with lock:
            ran.append(tuple(argv))
        return original(self, argv, **kwargs)

    with tempfile.TemporaryDirectory() as tmp, LocalNetwork.start(
        REPO_ROOT / "samples" / sample, Path(tmp) / "net", FabricRelease.build()
    ) as net:
        labels = {f"{cc.name}/{o}": cc.label for cc in net.spec.chaincodes for o in cc.orgs}
        log_dir = Path(tmp) / "servers"
        log_dir.mkdir()
        with chaincode_servers(labels, log_dir) as servers:
            LocalExecutor.run = counting  # type: ignore[method-assign]
            try:
                start = time.perf_counter()
                for stage in stages(net, servers):
                    if parallel:
                        with ThreadPoolExecutor(max_workers=8) as pool:
                            for future in [pool.submit(step) for step in stage]:
                                future.result()
                    else:
                        for step in stage:
                            step()
                seconds = time.perf_counter() - start
            finally:
                LocalExecutor.run = original  # type: ignore[method-assign]
    verbs = Counter(word for argv in ran for word in argv if word in MUTATING)
    return seconds, verbs, len(ran)


def main(samples: list[str]) -> None:
    print(f"{'sample':<8} {'mode':<11} {'wall s':>7} {'commands':>9} {'mutating':>9}  by verb")
    for sample in samples:
        results = {}
        for parallel in (True, False):
            seconds, verbs, total = run(sample, parallel)
            mode = "parallel" if parallel else "sequential"
            results[mode] = seconds
            detail = ", ".join(f"{v} {n}" for v, n in sorted(verbs.items()))
            print(f"{sample:<8} {mode:<11} {seconds:>7.1f} {total:>9} {sum(verbs.values()):>9}"
                  f"  {detail}", flush=True)
        print(f"{sample:<8} parallel/sequential {results['parallel'] / results['sequential']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["simple", "scaled"])
