"""Every metric name the shipped dashboards and alert rules use is one real
nodes expose (or one the stack's own recording rules write, see
``tests/components/monitoring/test_certificate_rules.py``): a local network of
samples/simple is populated, a transaction invoked, and the ``/metrics`` of its
peers and orderer (the operations port, Prometheus format as in the cluster)
scraped."""

from __future__ import annotations

import urllib.request

import pytest

from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, invoke
from localnet import LocalNetwork
from network_spec import OrgKind
from tests.promql_names import (
    PROMETHEUS_SERIES,
    RECORDED_BY_THE_STACK,
    metric_names,
    shipped_expressions,
)

pytestmark = pytest.mark.fabric


def exposed_names(text: str) -> set[str]:
    """The sample names of a Prometheus text exposition (histograms as their
    ``_bucket``, ``_sum`` and ``_count`` series)."""
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines()
            if line and not line.startswith("#")}


def scrape(node_operations: str) -> set[str]:
    with urllib.request.urlopen(f"http://{node_operations}/metrics", timeout=10) as answer:
        return exposed_names(answer.read().decode())


def test_dashboards_and_alerts_use_only_metrics_real_nodes_expose(
    populated_simple: LocalNetwork,
) -> None:
    net = populated_simple
    cc = net.spec.chaincodes[0]
    channel = net.channel(cc.channels[0].channel)
    orgs = [net.spec.org(name) for name in cc.channels[0].orgs]
    orderer_org, orderer_node = net.spec.node(channel.consenters[0])
    written = invoke(net.executor(orgs[0].name),
                     Orderer(orderer_address(net.addressing, orderer_node), orderer_org.domain),
                     channel.name, cc.name, "CreateAsset", ["metrics-1", "v"],
                     [(peer_address(net.addressing, o.nodes[0]), o.domain) for o in orgs])
    assert written.returncode == 0, written.output

    by_kind: dict[OrgKind, set[str]] = {OrgKind.PEER: set(), OrgKind.ORDERER: set()}
    for name, node in net.nodes.items():
        org, _ = net.spec.node(name)
        by_kind[org.kind] |= scrape(node.operations)
    assert "ledger_blockchain_height" in by_kind[OrgKind.PEER] & by_kind[OrgKind.ORDERER]
    assert "consensus_etcdraft_is_leader" in by_kind[OrgKind.ORDERER]
    assert "endorser_proposal_duration_bucket" in by_kind[OrgKind.PEER]

    exposed = by_kind[OrgKind.PEER] | by_kind[OrgKind.ORDERER]
    used = {name for expr in shipped_expressions() for name in metric_names(expr)}
    assert len(used) >= 10
    assert sorted(used - PROMETHEUS_SERIES - RECORDED_BY_THE_STACK - exposed) == []


def test_a_name_no_node_exposes_is_caught() -> None:
    text = ("# TYPE ledger_block_processing_time histogram\n"
            'ledger_block_processing_time_bucket{channel="c",le="1"} 2\n'
            'ledger_block_processing_time_sum{channel="c"} 0.1\n'
            "fabric_version 1\n")
    assert exposed_names(text) == {"ledger_block_processing_time_bucket",
                                   "ledger_block_processing_time_sum", "fabric_version"}
    invented = metric_names("rate(ledger_block_commit_seconds_bucket[5m])")
    assert invented - exposed_names(text) == {"ledger_block_commit_seconds_bucket"}
