"""``fabric:monitoring: podmonitor`` with endpoint TLS: Fabric answers
``/metrics`` over TLS only to a client certificate its operations endpoint
trusts, so the stack issues the scraper one (``ScraperIdentity``), puts it in a
Secret the PodMonitor names, and the nodes trust its CA besides their org's TLS
CA (``fabric_nodes.node_settings``)."""

from __future__ import annotations

from datetime import timedelta

import pulumi
import pulumi_kubernetes as k8s

from crypto.certificates import VALIDITY
from crypto.expiry import RENEW_BEFORE
from fabric_components.providers.operation import TYPE_MODULE, TypedResource
from fabric_components.providers.scraper_identity import (
    SCRAPER_SECRET_OUTPUTS,
    ScraperIdentityProvider,
)

SCRAPER_SECRET = "operations-scraper"
"""The Secret with the scraper's ``tls.crt`` and ``tls.key``."""


class ScraperIdentity(TypedResource, module=TYPE_MODULE, name="ScraperIdentity"):
    """A scraper's client certificate and its own CA (``fabric:ScraperIdentity``)."""

    common_name: pulumi.Output[str]
    ca_cert: pulumi.Output[str]
    cert: pulumi.Output[str]
    key: pulumi.Output[str]

    def __init__(self, name: str, common_name: str, opts: pulumi.ResourceOptions,
                 validity: timedelta = VALIDITY, renew_before: timedelta = RENEW_BEFORE,
                 renew: bool = True) -> None:
        props = {"common_name": common_name,
                 "validity_seconds": int(validity.total_seconds()),
                 # The renewal window (and the policy pack's expiry rule's default horizon).
                 "renew_before_seconds": int(renew_before.total_seconds()),
                 # fabric:certRenewal: False leaves the certificate as issued.
                 "renew": renew,
                 "ca_cert": None, "ca_key": None, "cert": None, "key": None, "not_after": None}
        super().__init__(ScraperIdentityProvider(), name, props, opts, SCRAPER_SECRET_OUTPUTS)


def scraper_common_name(namespace: str) -> str:
    return f"prometheus.{namespace}"


def scraper_identity(namespace: str, validity: timedelta, renew_before: timedelta,
                     opts: pulumi.ResourceOptions, renew: bool = True) -> ScraperIdentity:
    """Issues the scraper's identity and its Secret (a renewed pair needs no
    restart: the Prometheus Operator copies the Secret into Prometheus' TLS
    assets and Prometheus reloads certificate files that changed); returns
    the identity, whose CA the nodes trust."""
    identity = ScraperIdentity("operations-scraper", scraper_common_name(namespace), opts,
                               validity, renew_before, renew)
    def pair(values: list[str]) -> dict[str, str]:
        return {"tls.crt": values[0], "tls.key": values[1]}

    files: pulumi.Output[dict[str, str]] = pulumi.Output.secret(
        pulumi.Output.all(identity.cert, identity.key).apply(pair))
    k8s.core.v1.Secret(
        "operations-scraper",
        metadata={"name": SCRAPER_SECRET, "namespace": namespace,
                  "labels": {"app.kubernetes.io/part-of": "fabric-network"}},
        type="kubernetes.io/tls",
        string_data=files,
        opts=opts,
    )
    return identity
