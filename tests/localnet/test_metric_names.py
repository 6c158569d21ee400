"""Every metric name the shipped dashboards and alert rules use is one real
nodes expose (or one the stack's own recording rules write, see
``tests/components/monitoring/test_certificate_rules.py``): a local network of
samples/simple is populated, a transaction invoked, and the ``/metrics`` of its
peers and orderer (the operations port, Prometheus format as in the cluster)
scraped. One peer keeps its state in CouchDB, so the CouchDB names are checked
too. Its server is pouchdb-server's HTTP layer (express-pouchdb, in memory,
``tests/localnet/couchdb_server.py``), a CouchDB-compatible server, because
Apache CouchDB cannot be obtained on the machines the tests run on; the metric
names and labels come from the Fabric peer itself (its CouchDB client)."""

from __future__ import annotations

import ssl
import urllib.error

import pytest

from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, invoke
from localnet import LocalNetwork
from localnet.network import LocalNode
from localnet.process import http_get, operations_tls
from network_spec import OrgKind
from tests.localnet.couchdb_server import COUCHDB_PEER
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


def label_names(text: str, sample: str) -> set[str]:
    """The label names of every series of ``sample`` in a text exposition."""
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith(sample + "{"):
            labels = line[len(sample) + 1:line.rindex("}")]
            names |= {pair.split("=", 1)[0] for pair in labels.split('",') if pair}
    return names


def metrics_text(node: LocalNode) -> str:
    status, text = node.operations_get("/metrics")
    assert status == 200, (node.name, text)
    return text


def scrape(node: LocalNode) -> set[str]:
    return exposed_names(metrics_text(node))


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
        by_kind[org.kind] |= scrape(node)
    assert "ledger_blockchain_height" in by_kind[OrgKind.PEER] & by_kind[OrgKind.ORDERER]
    assert "consensus_etcdraft_is_leader" in by_kind[OrgKind.ORDERER]
    assert "endorser_proposal_duration_bucket" in by_kind[OrgKind.PEER]
    couchdb_text = metrics_text(net.nodes[COUCHDB_PEER])
    assert label_names(couchdb_text, "couchdb_processing_time_bucket") == {
        "database", "function_name", "result", "le"}
    assert 'function_name="BatchUpdateDocuments"' in couchdb_text  # its commits went there
    leveldb_peers = [node for node in net.nodes.values()
                     if node.org.kind is OrgKind.PEER and node.name != COUCHDB_PEER]
    assert leveldb_peers and not any("couchdb_processing_time_bucket" in scrape(node)
                                     for node in leveldb_peers)

    exposed = by_kind[OrgKind.PEER] | by_kind[OrgKind.ORDERER]
    used = {name for expr in shipped_expressions() for name in metric_names(expr)}
    assert len(used) >= 10
    assert sorted(used - PROMETHEUS_SERIES - RECORDED_BY_THE_STACK - exposed) == []


def test_operations_endpoints_serve_verified_tls_only(populated_simple: LocalNetwork) -> None:
    """Every node's operations port speaks TLS only, with a certificate its org's
    TLS CA verifies for 127.0.0.1; /healthz needs no client certificate (as a
    kubelet probe presents none), /metrics one of the org's TLS CA."""
    net = populated_simple
    other_ca = {node.org.name: net.tls_ca_file(node.org.name) for node in net.nodes.values()}
    for node in net.nodes.values():
        own_ca = f"{node.paths.tls_dir}/ca.crt"
        assert http_get(node.operations_url("/healthz"), operations_tls(own_ca))[0] == 200
        status, text = http_get(node.operations_url("/metrics"), operations_tls(own_ca))
        assert status == 401, (node.name, status, text)
        assert node.operations_get("/metrics")[0] == 200
        plain_status, plain = http_get(f"http://{node.operations}/healthz")
        assert plain_status == 400 and "HTTPS server" in plain, (node.name, plain)
        stranger = next(ca for org, ca in other_ca.items() if org != node.org.name)
        with pytest.raises(urllib.error.URLError) as refused:
            http_get(node.operations_url("/healthz"), operations_tls(stranger))
        assert isinstance(refused.value.reason, ssl.SSLCertVerificationError), node.name


def test_the_scraper_certificate_opens_metrics_and_no_admin_endpoint(
        populated_simple: LocalNetwork, scraper: dict[str, str]) -> None:
    """Every node's operations endpoint trusts the scraper's own CA besides its
    org's TLS CA; the orderer's channel participation API does not."""
    net = populated_simple
    for node in net.nodes.values():
        context = operations_tls(f"{node.paths.tls_dir}/ca.crt",
                                 (scraper["cert_file"], scraper["key_file"]))
        status, text = http_get(node.operations_url("/metrics"), context)
        assert status == 200 and "ledger_blockchain_height" in text, (node.name, status)
        if node.admin_endpoint is not None:
            channels = f"https://{node.admin_endpoint}/participation/v1/channels"
            assert http_get(channels, node.operations_tls)[0] == 200  # the org admin's pair
            with pytest.raises((urllib.error.URLError, ConnectionError, ssl.SSLError)):
                http_get(channels, context)


def test_a_name_no_node_exposes_is_caught() -> None:
    text = ("# TYPE ledger_block_processing_time histogram\n"
            'ledger_block_processing_time_bucket{channel="c",le="1"} 2\n'
            'ledger_block_processing_time_sum{channel="c"} 0.1\n'
            "fabric_version 1\n")
    assert exposed_names(text) == {"ledger_block_processing_time_bucket",
                                   "ledger_block_processing_time_sum", "fabric_version"}
    assert label_names(text, "ledger_block_processing_time_bucket") == {"channel", "le"}
    invented = metric_names("rate(ledger_block_commit_seconds_bucket[5m])")
    assert invented - exposed_names(text) == {"ledger_block_commit_seconds_bucket"}
