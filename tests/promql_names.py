"""The metric names a PromQL expression reads, and every expression the network's
alert rules and dashboards hold: what the fabric tier checks against the
``/metrics`` of real nodes, so that no dashboard or alert uses an invented name."""

from __future__ import annotations

import re
from typing import Any

from crypto.expiry import RENEW_BEFORE
from fabric_components.monitoring.certificate_rules import EXPIRY_METRIC
from fabric_components.monitoring.definitions import alert_groups, dashboards

STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
LABEL_LISTS = re.compile(
    r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
MATCHERS_AND_RANGES = re.compile(r"\{[^}]*\}|\[[^\]]*\]")
IDENTIFIER = re.compile(r"(?<![\w:$.])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()")
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on",
            "ignoring", "group_left", "group_right"}
PROMETHEUS_SERIES = {"up"}
"""Series Prometheus itself writes per scrape target, not a node's metrics."""
RECORDED_BY_THE_STACK = {EXPIRY_METRIC}
"""Series the stack's own recording rules write (``certificate_rules``)."""


def metric_names(expr: str) -> set[str]:
    """Identifiers that are neither functions (followed by ``(``), label names
    (in matchers or grouping lists), keywords, numbers nor ``$`` variables."""
    text = STRINGS.sub('""', expr)
    text = LABEL_LISTS.sub(" ", text)
    text = MATCHERS_AND_RANGES.sub(" ", text)
    return {name for name in IDENTIFIER.findall(text) if name.lower() not in KEYWORDS}


def shipped_expressions() -> list[str]:
    """Every alert expression and every dashboard query (targets and variables)."""
    exprs = [rule["expr"] for group in alert_groups("fabric", RENEW_BEFORE)
             for rule in group["rules"]]
    for dashboard in dashboards().values():
        exprs += [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
        exprs += [_variable_query(v) for v in dashboard["templating"]["list"]
                  if v["type"] == "query"]
    return exprs


def _variable_query(variable: dict[str, Any]) -> str:
    """``label_values(<metric>, <label>)``: the metric, as an expression."""
    query: str = variable["query"]
    match = re.fullmatch(r"label_values\((\w+),\s*\w+\)", query)
    assert match, f"dashboard variable {variable['name']}: {query!r}"
    return match.group(1)
