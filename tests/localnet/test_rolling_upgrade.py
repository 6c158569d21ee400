"""A Fabric upgrade rolled one node at a time on a real local network, from
2.5.0 to 2.5.9 and from 2.5.9 to 3.1.1: the scaled sample starts on the old
release and is populated (channels, chaincodes); while two clients keep
writing, every orderer and then every peer is restarted on the new release on
its own data (with that release's core.yaml and orderer.yaml, as its image
brings them), and the next node waits for its readiness gate, called as the
engine calls it (create on the first launch, update for the new version).
On Fabric 3 the channels' capability is then raised to V3_0 by a config update
(the ChannelConfig operation) and a write goes through. Afterwards every node
runs the new release, every acknowledged write reads back on every peer, and a
second run of every gate issues only queries."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fabric_components.providers.channel_config import (
    ChannelConfigProvider,
    channel_config_inputs,
)
from fabric_components.providers.operation import operation_inputs
from fabric_components.providers.readiness import ReadinessGateProvider, gate_inputs
from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, invoke, query
from fabric_ops.channel_ops import channel_config
from fabric_ops.channel_summary import config_summary
from fabric_ops.readiness import NotCaughtUp
from localnet import FabricRelease, LocalNetwork
from localnet.release import REPO_ROOT, ReleaseError
from network_spec import OrgKind
from tests.components.program import sample_config
from tests.localnet.commands import Recorded, recording_commands
from tests.localnet.populate import executor_config, outs, populated
from tests.localnet.traffic import Traffic

pytestmark = pytest.mark.fabric

ROLLS = [("2.5.0", "2.5.9"), ("2.5.9", "3.1.1")]
CHANNEL, CHAINCODE = "common", "basic"
DOWN_SECONDS = 4.0
"""Each node stays down this long (a pod's image pull): with writes cut into a
block every 2 s (BatchTimeout), it misses blocks that its gate waits for."""


@dataclass
class Roll:
    old: str
    new: str
    net: LocalNetwork
    order: list[str]
    """Common names in the order they rolled."""
    first_launch: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each gate's state after its create on the old release."""
    upgraded: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each gate's state after its update to the new release."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Per node: restart on the new release plus its gate."""
    acknowledged: dict[str, int] = field(default_factory=dict)
    """Per node: writes acknowledged from its stop until its gate passed."""
    traffic: list[Traffic] = field(default_factory=list)
    versions_before: dict[str, str] = field(default_factory=dict)
    """Per node, what its operations endpoint's /version said before the roll."""
    first_launch_commands: Recorded = field(default_factory=Recorded)
    second_run_commands: Recorded = field(default_factory=Recorded)
    second_run_changes: dict[str, bool] = field(default_factory=dict)
    capabilities: dict[str, str] = field(default_factory=dict)
    """Per channel, its channel capability once the roll (and, on Fabric 3,
    the config update raising it) is done."""
    written_after: str = ""
    """A key written after the capability raise (Fabric 3 only)."""


def release(version: str) -> FabricRelease:
    try:
        return FabricRelease.build(version)
    except ReleaseError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


def props(net: LocalNetwork, common_name: str, version: str) -> dict[str, Any]:
    """The gate's inputs as the program registers them (``Operation`` adds the
    operations version) for a stack on ``version``."""
    org, node = net.spec.node(common_name)
    executors = {o.name: executor_config(net, o.name) for o in net.spec.orgs}
    images = sample_config("scaled", fabricVersion=version).images
    image = images.peer if org.kind is OrgKind.PEER else images.orderer
    return operation_inputs(
        gate_inputs(net.spec, org, node, net.addressing, executors, image, version))


def traffic(net: LocalNetwork, peer_index: int) -> Traffic:
    """Writes endorsed by peer<peer_index> of both orgs (the other peers when
    one is down), through every orderer in turn."""
    channel = net.channel(CHANNEL)
    orderers = []
    for common_name in channel.consenters:
        org, node = net.spec.node(common_name)
        orderers.append(Orderer(orderer_address(net.addressing, node), org.domain))

    def endorsers(index: int) -> list[tuple[str, str]]:
        return [(peer_address(net.addressing, net.spec.org(o).nodes[index]),
                 net.spec.org(o).domain) for o in channel.orgs]

    return Traffic(net.executor("Org1"), orderers, CHANNEL, CHAINCODE, endorsers(peer_index),
                   prefix=f"via-peer{peer_index}", alternatives=[endorsers(1 - peer_index)])


def raise_channel_capability(net: LocalNetwork, level: str) -> None:
    """What ``pulumi up`` does once network.yaml says ``capabilities: {channel:
    <level>}`` for every channel: each channel's ChannelConfig operation."""
    spec = dataclasses.replace(net.spec, channels=tuple(
        dataclasses.replace(c, settings=dataclasses.replace(
            c.settings, capabilities=dataclasses.replace(c.settings.capabilities,
                                                         channel=level)))
        for c in net.spec.channels))
    net.spec = spec
    for channel in spec.channels:
        executors = {o: executor_config(net, o) for o in (*channel.orderer_orgs, *channel.orgs)}
        files = {p: d.decode() for p, d in net.channel_files(channel.name).items()}
        ChannelConfigProvider().create(operation_inputs(
            channel_config_inputs(spec, channel, net.addressing, executors, files)))


def channel_capabilities(net: LocalNetwork) -> dict[str, str]:
    result = {}
    for channel in net.spec.channels:
        org, node = net.spec.node(channel.consenters[0])
        config = channel_config(net.executor(org.name), orderer_address(net.addressing, node),
                                org.domain, channel.name)
        result[channel.name] = config_summary(config)["capabilities"]["channel"]
    return result


@pytest.fixture(scope="module", params=ROLLS, ids=[f"{a}-to-{b}" for a, b in ROLLS])
def roll(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Roll]:
    old_version, new_version = request.param
    old, new = release(old_version), release(new_version)
    workdir = tmp_path_factory.mktemp("upgrade")
    with populated(REPO_ROOT / "samples" / "scaled", workdir, old) as (net, _):
        order = [n.common_name for org in (*net.spec.orderer_orgs, *net.spec.peer_orgs)
                 for n in org.nodes]
        result = Roll(old_version, new_version, net, order)
        for cn in order:
            _, body = net.nodes[cn].operations_get("/version")
            result.versions_before[cn] = json.loads(body)["Version"]
        provider = ReadinessGateProvider()
        with recording_commands() as ran:
            for cn in order:
                result.first_launch[cn] = outs(provider.create(props(net, cn, old_version)))
        result.first_launch_commands = ran
        result.traffic = [traffic(net, 0), traffic(net, 1)]
        with result.traffic[0], result.traffic[1]:
            time.sleep(3)  # both clients writing before the first restart
            for cn in order:
                started = time.monotonic()
                acked = sum(len(t.acknowledged) for t in result.traffic)
                net.upgrade(cn, new, DOWN_SECONDS)
                news = props(net, cn, new_version)
                assert provider.diff(cn, result.first_launch[cn], news).changes
                result.upgraded[cn] = outs(provider.update(cn, result.first_launch[cn],
                                                           news))
                result.seconds[cn] = time.monotonic() - started
                result.acknowledged[cn] = sum(
                    len(t.acknowledged) for t in result.traffic) - acked
            time.sleep(3)
        with recording_commands() as again:
            for cn in order:
                news = props(net, cn, new_version)
                result.second_run_changes[cn] = bool(provider.diff(
                    cn, result.upgraded[cn], news).changes)
                provider.update(cn, result.upgraded[cn], news)
        result.second_run_commands = again
        if new_version.startswith("3."):
            net.use_release(new)  # the toolbox image of the upgraded stack
            raise_channel_capability(net, "V3_0")
            result.written_after = "after-v3"
            written = result.traffic[0]
            orderer = written.orderers[0]
            done = invoke(net.executor("Org1"), orderer, CHANNEL, CHAINCODE, "CreateAsset",
                          [result.written_after, "3"], written.endorsers)
            assert done.returncode == 0, done.output
        result.capabilities = channel_capabilities(net)
        yield result


def test_every_node_runs_the_new_release(roll: Roll):
    new_bin = release(roll.new).bin_dir.resolve()
    for cn in roll.order:
        node = roll.net.nodes[cn]
        assert node.process.running(), cn
        assert Path(f"/proc/{node.process.pid}/exe").resolve().parent == new_bin, cn
        status, body = node.operations_get("/version")
        assert (status, json.loads(body)["Version"]) == (200, roll.new), (cn, body)
        status, body = node.operations_get("/healthz")
        assert status == 200, (cn, body)
    assert set(roll.versions_before.values()) == {roll.old}, roll.versions_before


def test_the_channel_capability_follows_the_release(roll: Roll):
    """2.5: V2_0 as the channels were made; 3.x: V3_0, raised after the roll."""
    level = "V3_0" if roll.new.startswith("3.") else "V2_0"
    assert roll.capabilities == dict.fromkeys(["common", "private-org1"], level)


def test_the_first_launch_gates_only_queried(roll: Roll):
    assert roll.first_launch_commands
    assert roll.first_launch_commands.mutating() == []
    for cn, state in roll.first_launch.items():
        assert set(state["heights"]) == set(state["channels"]), cn


def test_every_gate_waited_until_its_node_caught_up(roll: Roll):
    for cn in roll.order:
        before, after = roll.first_launch[cn]["heights"], roll.upgraded[cn]["heights"]
        assert set(after) == set(before), cn
        # Writes went on during the roll: every node's common channel grew.
        assert after[CHANNEL] > before[CHANNEL], cn
    print("\nseconds per node (down, restart, gate):",
          {cn: round(s, 1) for cn, s in roll.seconds.items()})
    print("heights per node before/after:",
          {cn: (roll.first_launch[cn]["heights"], roll.upgraded[cn]["heights"])
           for cn in roll.order})


def test_the_network_served_and_kept_every_acknowledged_write(roll: Roll):
    for client in roll.traffic:
        kinds = Counter(re.sub(r"127\.0\.0\.1:[0-9]+", "<node>", f)[:110]
                        for f in client.failures)
        print(f"\n{client.prefix}: {len(client.acknowledged)} acknowledged, "
              f"{len(client.failures)} failed: {dict(kinds)}")
    print("writes acknowledged while each node was rolled:", roll.acknowledged)
    assert all(client.acknowledged for client in roll.traffic)
    # The network kept serving: writes went through during the roll (not in
    # every step: a Raft leader's restart stalls ordering for an election).
    assert sum(roll.acknowledged.values()) >= len(roll.order), roll.acknowledged
    expected = {key: key.rsplit("-", 1)[1] for c in roll.traffic for key in c.acknowledged}
    if roll.written_after:
        expected[roll.written_after] = "3"
    for org_name in roll.net.channel(CHANNEL).orgs:
        for node in roll.net.spec.org(org_name).nodes:
            address = peer_address(roll.net.addressing, node)
            assets = json.loads(query(roll.net.executor(org_name), address, CHANNEL, CHAINCODE,
                                      "GetAllAssets", []))
            missing = {k: v for k, v in expected.items() if assets.get(k) != v}
            assert missing == {}, node.common_name


def test_a_second_run_of_every_gate_issues_no_mutating_command(roll: Roll):
    assert roll.second_run_changes == dict.fromkeys(roll.order, False)
    assert roll.second_run_commands
    assert roll.second_run_commands.mutating() == []


def test_a_gate_whose_node_does_not_come_back_fails_naming_it(roll: Roll):
    """Last in the module: it stops a node."""
    common_name = roll.order[-1]
    roll.net.kill(common_name)
    stuck = {**props(roll.net, common_name, roll.new), "timeout_seconds": 3}
    with pytest.raises(NotCaughtUp) as error:
        ReadinessGateProvider().update(common_name, roll.upgraded[common_name], stuck)
    message = str(error.value)
    assert message.startswith(f"{common_name}: channel {CHANNEL}: not caught up after 3 s: ")
    assert "connection refused" in message
