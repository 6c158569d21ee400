"""``fabric:monitoring``: none registers nothing; podmonitor registers a
PodMonitor on the nodes' operations ports, a PrometheusRule for the network's
namespace and the dashboards as sidecar ConfigMaps; the shipped PromQL parses
into the metric names the fabric tier checks against real nodes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.components.mocks import RecordingMocks
from tests.components.program import run_sample
from tests.promql_names import PROMETHEUS_SERIES, metric_names, shipped_expressions

POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
CONFIGMAP = "kubernetes:core/v1:ConfigMap"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


@pytest.fixture(scope="module")
def monitored() -> RecordingMocks:
    return run_sample("simple", monitoring="podmonitor")[0]


def dashboard_maps(mocks: RecordingMocks) -> list[dict[str, Any]]:
    return [r.manifest for r in mocks.of_type(CONFIGMAP)
            if r.manifest["metadata"]["labels"].get("grafana_dashboard") == "1"]


def test_none_registers_no_monitoring_object():
    mocks, _ = run_sample("simple")
    assert mocks.of_type(POD_MONITOR) == mocks.of_type(RULE) == []
    assert dashboard_maps(mocks) == []


def test_the_pod_monitor_scrapes_the_operations_port_of_every_node(monitored):
    (monitor,) = [r.manifest for r in monitored.of_type(POD_MONITOR)]
    assert monitor["metadata"]["namespace"] == "fabric"
    (expression,) = monitor["spec"]["selector"]["matchExpressions"]
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    selected = [d for d in (r.manifest for r in monitored.of_type(DEPLOYMENT))
                if d["spec"]["template"]["metadata"]["labels"][expression["key"]]
                in expression["values"]]
    names = sorted(d["metadata"]["name"] for d in selected)
    assert names == ["orderer0-orderer", "peer0-org1", "peer0-org2"]
    for deployment in selected:
        ports = {p["name"]: p["containerPort"]
                 for c in deployment["spec"]["template"]["spec"]["containers"]
                 for p in c.get("ports", [])}
        assert ports[endpoint["port"]] == 9443
    assert (endpoint["path"], endpoint["scheme"]) == ("/metrics", "http")
    assert {r["targetLabel"] for r in endpoint["relabelings"]} == {"node", "role", "org"}


def test_the_alert_rules_name_the_network_namespace(monitored):
    (rule,) = [r.manifest for r in monitored.of_type(RULE)]
    rules = [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]
    assert {r["alert"] for r in rules} == {"FabricNodeDown", "FabricNoRaftLeader",
                                          "FabricRaftLeaderChanges", "FabricPeerHeightLagging",
                                          "FabricCertificateExpiring"}
    for r in rules:
        assert '{namespace="fabric"' in r["expr"].replace(" ", "")
        assert "${namespace}" not in r["expr"]
        assert r["labels"]["severity"] in ("warning", "critical")


def test_dashboards_are_sidecar_config_maps_of_valid_json(monitored):
    (board,) = dashboard_maps(monitored)
    assert board["metadata"]["namespace"] == "fabric"
    dashboard = json.loads(board["data"]["fabric-network.json"])
    assert dashboard["uid"] == "fabric-network"
    assert len(dashboard["panels"]) >= 8


@pytest.mark.parametrize(("expr", "names"), [
    ('histogram_quantile(0.95, sum by (le, channel) (rate(endorser_proposal_duration_bucket'
     '{namespace="$namespace", code!="OK"}[$__rate_interval])))',
     {"endorser_proposal_duration_bucket"}),
    ('(max by (namespace, channel) (ledger_blockchain_height{namespace="x"}) - on (namespace, '
     'channel) group_right ledger_blockchain_height{role="fabric-peer"}) > 10',
     {"ledger_blockchain_height"}),
    ("up == 0 and on (node) consensus_etcdraft_is_leader", {"up", "consensus_etcdraft_is_leader"}),
    ("increase(consensus_etcdraft_leader_changes[15m]) > 3 or vector(0)",
     {"consensus_etcdraft_leader_changes"}),
])
def test_metric_names_are_parsed_out_of_promql(expr, names):
    assert metric_names(expr) == names


def test_every_shipped_expression_names_a_metric():
    exprs = shipped_expressions()
    assert len(exprs) >= 15
    for expr in exprs:
        assert metric_names(expr), expr
    used = set().union(*map(metric_names, exprs))
    assert used & PROMETHEUS_SERIES == {"up"}
