"""The PrometheusRule's groups through Prometheus' own rule engine (promtool,
built by tools/build-tools.sh): every shipped rule parses (``check rules``), and
the certificate expiry alert fires for a recorded certificate inside the
renewal window and not for one outside it (``test rules``; promtool's clock
starts at the epoch, so the test's certificates expire in 1970)."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from fabric_components.monitoring.certificate_rules import expiry_records, with_expiry_records
from fabric_components.monitoring.definitions import alert_groups
from localnet.release import REPO_ROOT
from tests.components.mocks import RecordingMocks
from tests.components.program import run_sample

RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


@pytest.fixture(scope="module")
def promtool() -> Path:
    built = subprocess.run([str(REPO_ROOT / "tools" / "build-tools.sh"), "promtool"],
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        pytest.fail(f"tools/build-tools.sh promtool: {built.stderr.strip()}", pytrace=False)
    return Path(built.stdout.split()[-1]) / "bin" / "promtool"


def run(promtool: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(promtool), *args], capture_output=True, text=True, check=False,
                          timeout=60)


def test_every_rule_of_the_stack_parses(promtool: Path, tmp_path: Path) -> None:
    mocks: RecordingMocks = run_sample("simple", monitoring="podmonitor")[0]
    (rule,) = [r.manifest for r in mocks.of_type(RULE)]
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    checked = run(promtool, "check", "rules", str(rules))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    count = sum(len(g["rules"]) for g in rule["spec"]["groups"])
    assert f"SUCCESS: {count} rules found" in checked.stdout


def expiry(days: int) -> dict[str, Any]:
    moment = f"1970-01-{1 + days:02d}T00:00:00Z"
    return {"notAfter": moment, "renewalDue": False}


def test_the_alert_fires_inside_the_renewal_window_only(promtool: Path, tmp_path: Path) -> None:
    report = {"Org1": {"soonestExpiry": "", "cas": {"ca": expiry(30)},
                       "identities": {"peer0.org1.example.com": {"tls": expiry(10)}}}}
    groups = with_expiry_records(alert_groups("ns", timedelta(days=7)),
                                 expiry_records("ns", report))
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}))
    peer_tls = {"severity": "warning", "namespace": "ns", "org": "Org1",
                "certificate": "peer0.org1.example.com/tls"}
    tests = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [],
        "alert_rule_test": [
            # 10 days left at day 0, 5 at day 5 (inside the 7-day window), none for the CA.
            {"eval_time": "1d", "alertname": "FabricCertificateExpiring", "exp_alerts": []},
            {"eval_time": "5d", "alertname": "FabricCertificateExpiring", "exp_alerts": [{
                "exp_labels": peer_tls,
                "exp_annotations": {
                    "summary": "Certificate peer0.org1.example.com/tls of Org1 expires soon",
                    "description": "peer0.org1.example.com/tls of Org1 in ns expires in 5d "
                                   "0h 0m 0s, inside the renewal window: renew it with pulumi "
                                   "up (see certificatesDueForRenewal).",
                },
            }]},
        ],
    }]}
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(tests))
    tested = run(promtool, "test", "rules", str(tmp_path / "tests.yaml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr
