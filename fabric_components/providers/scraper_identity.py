"""The client identity a metrics scraper presents to the nodes' operations
endpoints: a CA of its own (self-signed) and one client certificate of it.
The nodes trust the CA for their operations endpoint only, so the scraper's
key opens ``/metrics`` (and ``/logspec``) and nothing else: a certificate of an
orderer org's TLS CA would also open the orderers' channel participation API.

The CA's key stays in state (secret, as the orgs' CA keys) for one use: the
client certificate is renewed in place with its key inside its renewal
window (``providers/leaf_renewal.py``), by the CA the nodes already trust, so
no node restarts for it. A state from before the key was kept has none: its
renewal issues a new CA and certificate, and the nodes, whose crypto Secrets
carry the CA, roll onto it through their readiness gates in the same up."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

SCRAPER_SECRET_OUTPUTS = ["key", "ca_key"]
SCRAPER_INPUTS = ("common_name",)


def _issue(props: dict[str, Any]) -> dict[str, Any]:
    from datetime import timedelta

    from crypto.certificates import VALIDITY, create_ca, issue_tls_cert
    from crypto.expiry import iso_utc, not_after
    from network_spec import Subject

    seconds = props.get("validity_seconds")
    validity = timedelta(seconds=int(seconds)) if seconds else VALIDITY
    name = props["common_name"]
    ca = create_ca(f"ca.{name}", name, Subject())
    client = issue_tls_cert(ca, name, Subject(), validity=validity)
    return {"ca_cert": ca.cert_pem, "ca_key": ca.key_pem, "cert": client.cert_pem,
            "key": client.key_pem, "not_after": iso_utc(not_after(client.cert_pem))}


class ScraperIdentityProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["common_name"], outs={**props, **_issue(props)})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        from fabric_components.providers.leaf_renewal import leaf_renewal_due

        changed = [k for k in SCRAPER_INPUTS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed) or leaf_renewal_due(olds, news),
                          replaces=changed, delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        from fabric_components.providers.leaf_renewal import renewed_leaf

        if not olds.get("ca_key"):
            return UpdateResult(outs={**news, **_issue(news)})
        ca = {"ca_cert": olds["ca_cert"], "ca_key": olds["ca_key"]}
        return UpdateResult(outs={**news, **ca, **renewed_leaf(ca["ca_cert"], ca["ca_key"],
                                                               olds, news)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)
