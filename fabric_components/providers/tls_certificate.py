"""A TLS server certificate issued by an org's TLS CA and kept in state (a
chaincode server's): no signing identity, so nothing the org's MSP would
accept as a member. Like the identities (``providers/crypto.py``), re-issued
only when what the certificate says or its issuer changes, and renewed in
place with its key inside its renewal window (``providers/leaf_renewal.py``)."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

TLS_CERTIFICATE_SECRET_OUTPUTS = ["key"]
TLS_CERTIFICATE_INPUTS = ("common_name", "sans", "subject", "tlsca_cert")


class TlsCertificateProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        from datetime import timedelta

        from crypto import KeyPair
        from crypto.certificates import VALIDITY, issue_tls_cert
        from crypto.expiry import iso_utc, not_after
        from network_spec import Subject

        seconds = props.get("validity_seconds")
        validity = timedelta(seconds=int(seconds)) if seconds else VALIDITY
        issued = issue_tls_cert(
            KeyPair(cert_pem=props["tlsca_cert"], key_pem=props["tlsca_key"]),
            props["common_name"], Subject(**props.get("subject", {})), tuple(props["sans"]),
            validity=validity,
        )
        outs = {**props, "cert": issued.cert_pem, "key": issued.key_pem,
                "not_after": iso_utc(not_after(issued.cert_pem))}
        return CreateResult(id_=props["common_name"], outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        from fabric_components.providers.leaf_renewal import leaf_renewal_due

        changed = [k for k in TLS_CERTIFICATE_INPUTS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed) or leaf_renewal_due(olds, news),
                          replaces=changed, delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        from fabric_components.providers.leaf_renewal import renewed_leaf

        return UpdateResult(outs={**news, **renewed_leaf(news["tlsca_cert"], news["tlsca_key"],
                                                         olds, news)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)
