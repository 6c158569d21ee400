"""A TLS server certificate issued once by an org's TLS CA and kept in state
(a chaincode server's): no signing identity, so nothing the org's MSP would
accept as a member. Like the identities (``providers/crypto.py``), created
once and re-issued only when what the certificate says or its issuer changes."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

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
        changed = [k for k in TLS_CERTIFICATE_INPUTS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)
