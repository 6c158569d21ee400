"""Certificate expiry in Prometheus without an exporter: under mocks, the
PrometheusRule's ``fabric-certificates`` group records the notAfter of every
certificate of the ``certificates`` output (one constant series each, labelled
with its namespace, org and certificate) before the ``FabricCertificateExpiring``
alert, whose window is ``fabric:certRenewBefore``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fabric_components.monitoring.certificate_rules import EXPIRY_METRIC, expiry_records
from tests.components.mocks import RecordingMocks
from tests.components.program import run_sample
from tests.promql_names import metric_names

RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


@pytest.fixture(scope="module")
def monitored() -> tuple[RecordingMocks, dict[str, Any]]:
    return run_sample("simple", monitoring="podmonitor", certRenewBefore="7d")


def epoch(iso: str) -> int:
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def test_every_certificate_is_recorded_before_the_alert(monitored):
    mocks, outputs = monitored
    (rule,) = [r.manifest for r in mocks.of_type(RULE)]
    (group,) = [g for g in rule["spec"]["groups"] if g["name"] == "fabric-certificates"]
    *records, alert = group["rules"]
    expected = set()
    for org, entry in outputs["certificates"].items():
        expected |= {(org, name, epoch(c["notAfter"])) for name, c in entry["cas"].items()}
        expected |= {(org, f"{cn}/{which}", epoch(c["notAfter"]))
                     for cn, certs in entry["identities"].items() for which, c in certs.items()}
    assert len(expected) > 10
    assert {(r["labels"]["org"], r["labels"]["certificate"], int(r["expr"][7:-1]))
            for r in records} == expected
    for r in records:
        assert r["record"] == EXPIRY_METRIC
        assert r["expr"] == f"vector({r['expr'][7:-1]})"
        assert r["labels"]["namespace"] == "fabric"
    assert alert["alert"] == "FabricCertificateExpiring"
    assert metric_names(alert["expr"]) == {EXPIRY_METRIC}
    assert alert["expr"].replace(" ", "") == (
        f'{EXPIRY_METRIC}{{namespace="fabric"}}-time()<{7 * 86400}')


def test_peer_tls_certificate_record() -> None:
    report = {"Org1": {
        "soonestExpiry": "2027-01-01T00:00:00Z",
        "cas": {"ca": {"notAfter": "2036-01-01T00:00:00Z", "renewalDue": False}},
        "identities": {"peer0.org1.example.com": {
            "tls": {"notAfter": "2027-01-01T00:00:00Z", "renewalDue": False}}},
    }}
    assert expiry_records("ns", report) == [
        {"record": EXPIRY_METRIC, "expr": "vector(2082758400)",
         "labels": {"namespace": "ns", "org": "Org1", "certificate": "ca"}},
        {"record": EXPIRY_METRIC, "expr": "vector(1798761600)",
         "labels": {"namespace": "ns", "org": "Org1",
                    "certificate": "peer0.org1.example.com/tls"}},
    ]
