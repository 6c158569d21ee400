"""Rolling upgrades under mocks: node Deployments are chained, the orderers one
at a time, then each peer org's peers one at a time (all orgs at once), each
after its predecessor's readiness gate with populate or its predecessor's
Deployment without; a new fabric:fabricVersion changes every Fabric image and
is an update (not a replacement) of every gate."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor

from benchmarks.program_evaluation import PEERS_PER_ORG, write_network
from fabric_components.components import rollout
from fabric_components.network import crypto_source, deploy_network
from fabric_components.providers.readiness import ReadinessGateProvider
from network_spec.load import load_network
from tests.components.mocks import RecordingMocks
from tests.components.program import run_sample, sample_config

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
ORDERERS = ["orderer0-orderer", "orderer1-orderer", "orderer2-orderer"]
PEER_ORGS = [["peer0-org1", "peer1-org1"], ["peer0-org2", "peer1-org2"]]
SCALED_NODES = [*ORDERERS, *(peer for org in PEER_ORGS for peer in org)]
PREDECESSORS = {
    **{b: a for a, b in pairwise(ORDERERS)},
    **{org[0]: ORDERERS[-1] for org in PEER_ORGS},
    **{b: a for org in PEER_ORGS for a, b in pairwise(org)},
}
"""Node -> the node it rolls after: the previous orderer; a peer org's first
peer after the last orderer, its next peers after the previous one."""


def deployed_all(nodes: list[str]) -> dict[str, Any]:
    return {"namespace": "fabric-test", "deployedNodes": nodes}


def first_launch(_nodes: list[str]) -> dict[str, Any]:
    return {}


class DependencyMonitor(MockMonitor):
    """Also records the dependencies each resource is registered with, by name."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.dependencies: dict[str, set[str]] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.dependencies[request.name] = {urn.rsplit("::", 1)[1]
                                           for urn in request.dependencies}
        return super().RegisterResource(request)


def dependencies(
    sample: str, previous: Callable[[list[str]], dict[str, Any]] | None = None,
    **overrides: str,
) -> tuple[RecordingMocks, dict[str, set[str]]]:
    """The program's resources and their dependencies, after a last update whose
    outputs ``previous`` gives from the spec's nodes (default: it deployed them all)."""
    config = sample_config(sample, **overrides)
    spec = load_network(config.crypto_config, config.network)
    nodes = [node.k8s_name for org in spec.orgs for node in org.nodes]
    mocks = RecordingMocks(previous_outputs=(previous or deployed_all)(nodes))
    monitor = DependencyMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="fabric", stack="test", preview=False,
                             monitor=monitor)

    @pulumi.runtime.test
    def evaluate() -> pulumi.Output[Any]:
        outputs = deploy_network(spec, config, crypto_source(spec, config), "test")
        return pulumi.Output.all(**outputs)

    evaluate()
    return mocks, monitor.dependencies


def node_deployments(mocks: RecordingMocks) -> dict[str, str]:
    """Kubernetes name -> Pulumi name of every Fabric node's Deployment."""
    return {r.manifest["metadata"]["name"]: r.name for r in mocks.of_type(DEPLOYMENT)
            if r.manifest["metadata"]["labels"]["app.kubernetes.io/name"]
            in ("fabric-peer", "fabric-orderer")}


def test_with_populate_each_node_rolls_after_its_predecessors_gate():
    mocks, deps = dependencies("scaled")
    names = node_deployments(mocks)
    assert sorted(names) == sorted(SCALED_NODES)
    gates = {r.name for r in mocks.by_provider("ReadinessGateProvider")}
    assert gates == {f"{node}-ready" for node in SCALED_NODES}
    assert not deps[names[ORDERERS[0]]] & gates
    for node, previous in PREDECESSORS.items():
        assert deps[names[node]] & (gates | set(names.values())) == {f"{previous}-ready"}, node
    for node in SCALED_NODES:
        # The gate waits for its own node's rollout, and for the toolboxes it queries through.
        assert names[node] in deps[f"{node}-ready"]
        assert "orderer-admin" in deps[f"{node}-ready"]
    assert "org1-admin" in deps["peer0-org1-ready"]
    # Only those: a gate of org1 does not wait for org2's toolbox.
    assert "org2-admin" not in deps["peer0-org1-ready"]


def test_without_populate_each_node_rolls_after_its_predecessors_deployment():
    mocks, deps = dependencies("scaled", populate="false")
    names = node_deployments(mocks)
    assert mocks.by_provider("ReadinessGateProvider") == []
    assert not deps[names[ORDERERS[0]]] & set(names.values())
    for node, previous in PREDECESSORS.items():
        assert deps[names[node]] & set(names.values()) == {names[previous]}, node


def test_orgs_of_a_single_peer_roll_one_after_another():
    """The simple sample: two orgs of one peer each; rolled together, neither
    org could endorse for a while."""
    mocks, deps = dependencies("simple")
    names = node_deployments(mocks)
    gates = {r.name for r in mocks.by_provider("ReadinessGateProvider")}
    assert deps[names["peer0-org1"]] & gates == {"orderer0-orderer-ready"}
    assert deps[names["peer0-org2"]] & gates == {"peer0-org1-ready"}


def longest_chain(deps: dict[str, set[str]], names: dict[str, str]) -> int:
    """How many node Deployments the longest dependency path passes through."""
    deployments = set(names.values())
    depth: dict[str, int] = {}

    def of(name: str) -> int:
        if name not in depth:
            depth[name] = 0  # a cycle would count once, not loop
            below = max((of(d) for d in deps.get(name, ()) if d in deps), default=0)
            depth[name] = below + (name in deployments)
        return depth[name]

    return max(of(name) for name in deps)


def test_the_longest_chain_is_the_orderers_and_the_largest_org(tmp_path):
    crypto_config, network = write_network(tmp_path, 6)  # 6 orgs x 4 peers, 3 orderers
    mocks, deps = dependencies("simple", cryptoConfig=str(crypto_config),
                               network=str(network))
    names = node_deployments(mocks)
    assert len(names) == 3 + 6 * PEERS_PER_ORG
    assert longest_chain(deps, names) == 3 + PEERS_PER_ORG


def test_a_first_launch_starts_every_node_at_once():
    """Nothing runs yet, so no node has availability to protect: no Deployment
    waits for another node's gate or Deployment."""
    mocks, deps = dependencies("scaled", first_launch)
    names = node_deployments(mocks)
    gates = {r.name for r in mocks.by_provider("ReadinessGateProvider")}
    assert len(gates) == len(SCALED_NODES)
    for node in SCALED_NODES:
        assert not deps[names[node]] & (gates | set(names.values())), node
    assert longest_chain(deps, names) == 1


def test_an_added_peer_waits_for_no_node_and_its_successor_skips_it():
    """peer0-org2 is new: it starts at once; peer1-org2, which ran before, rolls
    after the last node before it in its chain that ran (the last orderer)."""
    def added(nodes: list[str]) -> dict[str, Any]:
        return {"namespace": "fabric-test",
                "deployedNodes": [n for n in nodes if n != "peer0-org2"]}

    mocks, deps = dependencies("scaled", added)
    names = node_deployments(mocks)
    gates = {r.name for r in mocks.by_provider("ReadinessGateProvider")}
    nodes = gates | set(names.values())
    assert not deps[names["peer0-org2"]] & nodes
    assert deps[names["peer1-org2"]] & nodes == {f"{ORDERERS[-1]}-ready"}
    assert deps[names["peer1-org1"]] & nodes == {"peer0-org1-ready"}


def test_a_stack_updated_before_the_nodes_output_existed_rolls_every_node_in_turn():
    """Its outputs have a namespace but no ``deployedNodes``: every node counts as
    running, so an upgrade is still one node at a time."""
    mocks, deps = dependencies("scaled", lambda _nodes: {"namespace": "fabric-test"})
    names = node_deployments(mocks)
    for node, previous in PREDECESSORS.items():
        assert f"{previous}-ready" in deps[names[node]], node


def test_the_stack_records_the_nodes_it_deployed():
    mocks, outputs = run_sample("scaled")
    assert sorted(outputs["deployedNodes"]) == sorted(SCALED_NODES)
    (read,) = [args for token, args in mocks.calls
               if token == "pulumi:pulumi:readStackOutputs"]
    assert read["name"].endswith("/fabric/test")


def read_own_outputs(monkeypatch: pytest.MonkeyPatch, mocks: RecordingMocks) -> dict[str, Any]:
    """Reads the stack's outputs through ``mocks``; the retry does not sleep."""
    monkeypatch.setattr("fabric_components.components.rollout.time.sleep", lambda _seconds: None)
    pulumi.runtime.set_mocks(mocks, project="fabric", stack="test", preview=False)
    return rollout.read_stack_outputs("organization/fabric/test")


def failing_reads(*reasons: str) -> RecordingMocks:
    return RecordingMocks(previous_outputs={"deployedNodes": ["peer0-org1"]},
                          failed_reads=list(reasons))


def reads(mocks: RecordingMocks) -> int:
    return sum(token == rollout.READ_STACK_OUTPUTS for token, _ in mocks.calls)


def test_a_read_torn_by_a_concurrent_save_of_the_state_is_read_again(monkeypatch):
    """The file backend fails a read that lands while the engine saves the
    state (as a CI run showed, on a new stack's first update)."""
    torn = f"invocation of {rollout.READ_STACK_OUTPUTS} returned an error: {rollout.TORN_READ}"
    mocks = failing_reads(torn, torn)
    assert read_own_outputs(monkeypatch, mocks) == {"deployedNodes": ["peer0-org1"]}
    assert reads(mocks) == 3


def test_a_read_torn_every_time_fails_after_the_last_attempt(monkeypatch):
    mocks = failing_reads(*[rollout.TORN_READ] * rollout.READ_ATTEMPTS)
    with pytest.raises(Exception, match=rollout.TORN_READ):
        read_own_outputs(monkeypatch, mocks)
    assert reads(mocks) == rollout.READ_ATTEMPTS


def test_any_other_failed_read_is_raised_at_once(monkeypatch):
    mocks = failing_reads("failed to load checkpoint: permission denied")
    with pytest.raises(Exception, match="permission denied"):
        read_own_outputs(monkeypatch, mocks)
    assert reads(mocks) == 1


def gate(mocks: RecordingMocks, node: str) -> dict[str, Any]:
    (found,) = [r.manifest for r in mocks.by_provider("ReadinessGateProvider")
                if r.name == f"{node}-ready"]
    return found


def test_gate_inputs_name_the_channels_and_their_consenters():
    mocks, _ = run_sample("scaled")
    peer = gate(mocks, "peer0-org2")
    assert (peer["kind"], peer["fabric_version"]) == ("peer", "2.5.9")
    assert list(peer["channels"]) == ["common"]
    assert [c["node"] for c in peer["channels"]["common"]] == [
        "orderer0.example.com", "orderer1.example.com", "orderer2.example.com"]
    assert sorted(peer["executors"]) == ["Orderer", "Org2"]
    assert sorted(gate(mocks, "peer1-org1")["channels"]) == ["common", "private-org1"]
    orderer = gate(mocks, "orderer1-orderer")
    assert orderer["kind"] == "orderer"
    assert orderer["address"].startswith("orderer1-orderer.")
    assert sorted(orderer["channels"]) == ["common", "private-org1"]


@pytest.fixture(scope="module")
def versions() -> tuple[RecordingMocks, RecordingMocks]:
    return run_sample("scaled", fabricVersion="2.5.0")[0], run_sample("scaled")[0]


def images(mocks: RecordingMocks) -> dict[str, list[str]]:
    return {r.manifest["metadata"]["name"]: [c["image"] for c in [
        *r.manifest["spec"]["template"]["spec"].get("initContainers", []),
        *r.manifest["spec"]["template"]["spec"]["containers"]]]
        for r in mocks.of_type(DEPLOYMENT)}


def test_a_new_fabric_version_changes_every_fabric_image(versions):
    old, new = images(versions[0]), images(versions[1])
    fabric = [name for name in new if not name.startswith(("basic-", "asset-"))]
    assert len(fabric) == 7 + 3  # nodes and admin toolboxes
    for name in fabric:
        fabric_images = [i for i in new[name] if "/fabric-" in i]
        assert fabric_images, name
        assert all(i.endswith(":2.5.9") for i in fabric_images), (name, new[name])
        assert [i.replace(":2.5.9", ":2.5.0") for i in new[name]] == old[name], name


def test_a_new_fabric_version_is_an_update_of_every_gate(versions):
    provider = ReadinessGateProvider()
    for node in SCALED_NODES:
        old, new = gate(versions[0], node), gate(versions[1], node)
        diff = provider.diff(f"{node}", old, new)
        assert (diff.changes, diff.replaces) == (True, []), node
        assert provider.diff(node, new, dict(new)).changes is False, node



def test_renewed_certificates_are_an_update_of_the_gate_that_waits_for_the_node():
    from fabric_components.k8s.node_objects import MATERIAL_HASH

    mocks, _ = run_sample("scaled")
    provider = ReadinessGateProvider()
    templates = {r.name: r.manifest["spec"]["template"]["metadata"].get("annotations", {})
                 for r in mocks.of_type(DEPLOYMENT)}
    for node, name in node_deployments(mocks).items():
        props = gate(mocks, node)
        assert props["material"] == templates[name][MATERIAL_HASH], node
        renewed = {**props, "material": "0" * 64}
        diff = provider.diff(node, props, renewed)
        assert (diff.changes, diff.replaces) == (True, []), node


def test_each_consenter_restarts_after_its_certificate_rotation_which_follows_the_previous_gate():
    mocks, deps = dependencies("scaled")
    names = node_deployments(mocks)
    rotations = {r.name: r.manifest for r in mocks.by_provider("ConsenterRotationProvider")}
    assert set(rotations) == {f"{node}-consenter" for node in ORDERERS}
    tls = {r.outputs["common_name"]: r.outputs["tls_cert"]
           for r in mocks.by_provider("IdentityProvider")}
    for index, node in enumerate(ORDERERS):
        rotation = f"{node}-consenter"
        assert rotation in deps[names[node]], node
        previous = {f"{ORDERERS[index - 1]}-ready"} if index else set()
        assert deps[rotation] & {f"{n}-ready" for n in ORDERERS} == previous, node
        assert "orderer-admin" in deps[rotation]
        props = rotations[rotation]
        common_name = props["node"]
        assert props["tls_cert"] == tls[common_name]
        assert set(props["channels"]) == {"common", "private-org1"}
        common = props["channels"]["common"]
        assert common["reader"] == "OrdererMSP"
        assert common["signers"] == ["OrdererMSP", "Org1MSP", "Org2MSP"]
        assert [a["msp"] for a in common["admins"]] == ["OrdererMSP", "OrdererMSP"]
        assert props["address"] not in {a["admin_address"] for a in common["admins"]}
