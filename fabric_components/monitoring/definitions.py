"""The alert rules (``alerts.yaml``) and Grafana dashboards (``dashboards/*.json``)
the network ships, read from the files next to this module: the PromQL stays in
data files a reviewer reads as Prometheus and Grafana do."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent
NAMESPACE = "${namespace}"
"""Where an alert expression names the network's namespace."""
RENEW_BEFORE = "${renewBeforeSeconds}"
"""Where an alert expression names the renewal window (``fabric:certRenewBefore``)."""


def alert_groups(namespace: str, renew_before: timedelta) -> list[dict[str, Any]]:
    """The rule groups of a PrometheusRule's spec, for the network in ``namespace``."""
    groups: list[dict[str, Any]] = yaml.safe_load((DATA / "alerts.yaml").read_text())["groups"]
    for group in groups:
        for rule in group["rules"]:
            rule["expr"] = (rule["expr"].replace(NAMESPACE, namespace)
                            .replace(RENEW_BEFORE, str(int(renew_before.total_seconds()))))
    return groups


def dashboards() -> dict[str, dict[str, Any]]:
    """Each dashboard by its file name (``fabric-network.json``)."""
    return {
        path.name: json.loads(path.read_text())
        for path in sorted((DATA / "dashboards").glob("*.json"))
    }
