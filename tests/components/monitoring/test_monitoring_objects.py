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
    endpoints = monitor["spec"]["podMetricsEndpoints"]
    selected = [d for d in (r.manifest for r in monitored.of_type(DEPLOYMENT))
                if d["spec"]["template"]["metadata"]["labels"][expression["key"]]
                in expression["values"]]
    names = sorted(d["metadata"]["name"] for d in selected)
    assert names == ["orderer0-orderer", "peer0-org1", "peer0-org2"]
    kept = {e["relabelings"][0]["regex"]: e for e in endpoints}
    assert sorted(kept) == names and len(endpoints) == 3
    for deployment in selected:
        ports = {p["name"]: p["containerPort"]
                 for c in deployment["spec"]["template"]["spec"]["containers"]
                 for p in c.get("ports", [])}
        endpoint = kept[deployment["metadata"]["name"]]
        assert ports[endpoint["port"]] == 9443
        assert endpoint["relabelings"][0]["action"] == "keep"
        assert {r.get("targetLabel") for r in endpoint["relabelings"][1:]} == {
            "node", "role", "org"}
        assert (endpoint["path"], endpoint["scheme"]) == ("/metrics", "https")


def test_every_scrape_verifies_the_node_by_its_org_tls_ca_and_service_name(monitored):
    (monitor,) = [r.manifest for r in monitored.of_type(POD_MONITOR)]
    tls_cas = next(r.manifest for r in monitored.of_type(CONFIGMAP)
                   if r.manifest["metadata"]["name"] == "tls-ca-certs")
    tls = {e["relabelings"][0]["regex"]: e["tlsConfig"]
           for e in monitor["spec"]["podMetricsEndpoints"]}
    assert tls["peer0-org2"] == {
        "ca": {"configMap": {"name": "tls-ca-certs", "key": "org2.example.com.pem"}},
        "serverName": "peer0-org2.fabric.svc.cluster.local",
        "cert": {"secret": {"name": "operations-scraper", "key": "tls.crt"}},
        "keySecret": {"name": "operations-scraper", "key": "tls.key"},
    }
    assert tls["orderer0-orderer"]["ca"]["configMap"]["key"] == "example.com.pem"
    assert all("insecureSkipVerify" not in t for t in tls.values())
    assert {t["ca"]["configMap"]["key"] for t in tls.values()} <= set(tls_cas["data"])


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


def test_the_scraper_has_a_client_certificate_whose_ca_only_the_operations_endpoints_trust(
        monitored):
    (identity,) = [r.manifest for r in monitored.by_provider("ScraperIdentityProvider")]
    assert identity["common_name"] == "prometheus.fabric"
    (secret,) = [r.manifest for r in monitored.of_type("kubernetes:core/v1:Secret")
                 if r.manifest["metadata"]["name"] == "operations-scraper"]
    assert secret["type"] == "kubernetes.io/tls"
    for name, container, variable, expected in (
        ("peer0-org1", "peer", "CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES",
         "/var/hyperledger/crypto/tls/ca.crt /var/hyperledger/crypto/operations/client-ca.crt"),
        ("orderer0-orderer", "orderer", "ORDERER_OPERATIONS_TLS_CLIENTROOTCAS",
         "[/var/hyperledger/crypto/tls/ca.crt,/var/hyperledger/crypto/operations/client-ca.crt]"),
    ):
        deployment = next(r.manifest for r in monitored.of_type(DEPLOYMENT)
                          if r.manifest["metadata"]["name"] == name)
        pod = deployment["spec"]["template"]["spec"]
        c = next(c for c in pod["containers"] if c["name"] == container)
        env = {e["name"]: e.get("value") for e in c["env"]}
        assert env[variable] == expected
        assert "ORDERER_ADMIN_TLS_CLIENTROOTCAS" not in env or "operations" not in env[
            "ORDERER_ADMIN_TLS_CLIENTROOTCAS"]
        crypto = next(v for v in pod["volumes"] if v["name"] == "crypto")
        assert "operations/client-ca.crt" in [i["path"] for i in crypto["secret"]["items"]]


def test_without_monitoring_nodes_trust_only_their_org_tls_ca_for_operations():
    mocks, _ = run_sample("simple")
    assert mocks.by_provider("ScraperIdentityProvider") == []
    peer = next(r.manifest for r in mocks.of_type(DEPLOYMENT)
                if r.manifest["metadata"]["name"] == "peer0-org1")
    c = next(c for c in peer["spec"]["template"]["spec"]["containers"] if c["name"] == "peer")
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES"] == "/var/hyperledger/crypto/tls/ca.crt"
