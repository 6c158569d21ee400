"""The client identity a metrics scraper presents to the nodes' operations
endpoints: a CA of its own (self-signed, its key discarded once the one client
certificate is issued) and that certificate. The nodes trust the CA for their
operations endpoint only, so the scraper's key opens ``/metrics`` (and
``/logspec``) and nothing else: a certificate of an orderer org's TLS CA would
also open the orderers' channel participation API."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

SCRAPER_SECRET_OUTPUTS = ["key"]
SCRAPER_INPUTS = ("common_name",)


class ScraperIdentityProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        from datetime import timedelta

        from crypto.certificates import VALIDITY, create_ca, issue_tls_cert
        from network_spec import Subject

        seconds = props.get("validity_seconds")
        validity = timedelta(seconds=int(seconds)) if seconds else VALIDITY
        name = props["common_name"]
        ca = create_ca(f"ca.{name}", name, Subject())
        client = issue_tls_cert(ca, name, Subject(), validity=validity)
        outs = {**props, "ca_cert": ca.cert_pem, "cert": client.cert_pem, "key": client.key_pem}
        return CreateResult(id_=name, outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in SCRAPER_INPUTS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)
