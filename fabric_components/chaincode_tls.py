"""The TLS certificate of a chaincode server, issued by its org's TLS CA for the
Service name the org's peers dial: the peers verify it against that CA and the
server demands the peers' client certificates of the same CA, so a pod that
takes over the Service's address without that CA's certificate serves nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta

import pulumi

from crypto.certificates import VALIDITY
from crypto.expiry import RENEW_BEFORE
from fabric_components.crypto_material import CaMaterial
from fabric_components.providers.operation import TYPE_MODULE, TypedResource
from fabric_components.providers.tls_certificate import (
    TLS_CERTIFICATE_SECRET_OUTPUTS,
    TlsCertificateProvider,
)
from network_spec import OrgSpec


class TlsCertificate(TypedResource, module=TYPE_MODULE, name="TlsCertificate"):
    """A TLS server key pair of an org's TLS CA, renewed with its key inside its
    window (``fabric:TlsCertificate``)."""

    cert: pulumi.Output[str]
    key: pulumi.Output[str]
    not_after: pulumi.Output[str]

    def __init__(
        self, name: str, org: OrgSpec, cas: CaMaterial, common_name: str, sans: Sequence[str],
        opts: pulumi.ResourceOptions, validity: timedelta = VALIDITY,
        renew_before: timedelta = RENEW_BEFORE, renew: bool = True,
    ) -> None:
        props = {
            "org": org.name,
            "common_name": common_name,
            "sans": list(sans),
            "subject": asdict(org.ca.subject),
            "tlsca_cert": cas.tlsca_cert,
            "tlsca_key": cas.tlsca_key,
            # Read by create only: a new validity applies to certificates issued from now on.
            "validity_seconds": int(validity.total_seconds()),
            # The renewal window (and the policy pack's expiry rule's default horizon).
            "renew_before_seconds": int(renew_before.total_seconds()),
            # fabric:certRenewal: False leaves the certificate as issued.
            "renew": renew,
            "cert": None,
            "key": None,
            "not_after": None,
        }
        super().__init__(TlsCertificateProvider(), name, props, opts,
                         TLS_CERTIFICATE_SECRET_OUTPUTS)
