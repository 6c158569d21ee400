"""Where a network's crypto material comes from, as Pulumi outputs.

Two sources share one shape: ``GeneratedCrypto`` issues everything with dynamic
resources kept in state (no key churn across runs; a new node gets a new
identity resource and nothing else changes), ``DirectoryCrypto`` reads an
existing cryptogen output directory. Private keys only ever travel inside
secret outputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import pulumi

from crypto import KeyPair, OrgCAs, OrgCrypto, identity_files, org_msp_files, read_org_tree
from crypto.certificates import VALIDITY
from crypto.expiry import RENEW_BEFORE
from crypto.identities import Identity
from fabric_components.providers.crypto import (
    CA_SECRET_OUTPUTS,
    IDENTITY_SECRET_OUTPUTS,
    CertificateAuthoritiesProvider,
    IdentityProvider,
)
from fabric_components.providers.operation import TYPE_MODULE, TypedResource
from fabric_components.service_sans import check_service_names
from fabric_nodes.naming import node_tls_names
from network_spec import NetworkSpec, NodeSpec, OrgKind, OrgSpec


@dataclass(frozen=True)
class CaMaterial:
    ca_cert: pulumi.Output[str]
    tlsca_cert: pulumi.Output[str]
    ca_key: pulumi.Output[str]
    tlsca_key: pulumi.Output[str]


@dataclass(frozen=True)
class IdentityMaterial:
    common_name: str
    sign_cert: pulumi.Output[str]
    tls_cert: pulumi.Output[str]
    sign_key: pulumi.Output[str]
    tls_key: pulumi.Output[str]
    node_ou: str
    server: bool


@dataclass(frozen=True)
class AdminCerts:
    """What an org's MSPs list as admin certificates (see
    ``components.admin_certs``)."""

    current: pulumi.Output[str]
    """The Admin's signing certificate."""
    previous: pulumi.Output[str] | None = None
    """The one its last renewal replaced ('' before one); None when the MSPs
    never list one (an org with NodeOUs, no rotation)."""


def _public_cas(ca_cert: str, tlsca_cert: str) -> OrgCAs:
    """The CA pair as the MSP layout needs it: certificates only."""
    return OrgCAs(ca=KeyPair(ca_cert, ""), tlsca=KeyPair(tlsca_cert, ""))


def identity_file_tree(
    org: OrgSpec, cas: CaMaterial, identity: IdentityMaterial, admin_cert: pulumi.Output[str],
    previous_admin_cert: pulumi.Output[str] | None = None,
) -> pulumi.Output[dict[str, str]]:
    """The identity's ``msp/`` and ``tls/`` trees (cryptogen's layout), secret;
    ``previous_admin_cert``: see ``crypto.msp.identity_files``."""

    def render(values: list[Any]) -> dict[str, str]:
        ca_cert, tlsca_cert, sign_cert, sign_key, tls_cert, tls_key, admin, *previous = values
        ident = Identity(
            common_name=identity.common_name,
            node_ou=identity.node_ou,
            sign=KeyPair(sign_cert, sign_key),
            tls=KeyPair(tls_cert, tls_key),
            server=identity.server,
        )
        return identity_files(org, _public_cas(ca_cert, tlsca_cert), ident, admin,
                              *previous)

    more = [] if previous_admin_cert is None else [previous_admin_cert]
    return pulumi.Output.secret(
        pulumi.Output.all(
            cas.ca_cert, cas.tlsca_cert, identity.sign_cert, identity.sign_key,
            identity.tls_cert, identity.tls_key, admin_cert, *more,
        ).apply(render)
    )


def org_msp_tree(
    org: OrgSpec, cas: CaMaterial, admin_cert: pulumi.Output[str],
    previous_admin_cert: pulumi.Output[str] | None = None,
) -> pulumi.Output[dict[str, str]]:
    """The org-level MSP (public: it goes into channel configuration);
    ``previous_admin_cert``: see ``crypto.msp.org_msp_files``."""
    more = [] if previous_admin_cert is None else [previous_admin_cert]
    return pulumi.Output.all(cas.ca_cert, cas.tlsca_cert, admin_cert, *more).apply(
        lambda v: org_msp_files(org, _public_cas(v[0], v[1]), *v[2:])
    )


class CryptoSource(Protocol):
    def cas(self, org: OrgSpec, opts: pulumi.ResourceOptions) -> CaMaterial: ...

    def node(
        self, org: OrgSpec, cas: CaMaterial, node: NodeSpec, opts: pulumi.ResourceOptions
    ) -> IdentityMaterial: ...

    def user(
        self, org: OrgSpec, cas: CaMaterial, name: str, admin: bool,
        opts: pulumi.ResourceOptions,
    ) -> IdentityMaterial: ...


def identity_names(spec: NetworkSpec) -> set[str]:
    """The common names of every node, admin and user the network issues."""
    return {name for org in spec.orgs
            for name in (*(n.common_name for n in org.nodes), org.admin_name, *org.user_names)}


def _node_ou(org: OrgSpec) -> str:
    return "orderer" if org.kind is OrgKind.ORDERER else "peer"


def _issuer_props(org: OrgSpec) -> dict[str, Any]:
    """What the crypto providers need to know of the issuing org."""
    return {
        "org": org.name,
        "kind": org.kind.value,
        "domain": org.domain,
        "ca_common_name": org.ca_common_name,
        "subject": asdict(org.ca.subject),
    }


class CertificateAuthorities(TypedResource, module=TYPE_MODULE, name="CertificateAuthorities"):
    """An org's CA and TLS CA, generated once (``fabric:crypto:CertificateAuthorities``)."""

    ca_cert: pulumi.Output[str]
    ca_key: pulumi.Output[str]
    tlsca_cert: pulumi.Output[str]
    tlsca_key: pulumi.Output[str]

    def __init__(self, name: str, org: OrgSpec, opts: pulumi.ResourceOptions) -> None:
        props = {
            **_issuer_props(org),
            "ca_cert": None,
            "ca_key": None,
            "tlsca_cert": None,
            "tlsca_key": None,
        }
        super().__init__(CertificateAuthoritiesProvider(), name, props, opts, CA_SECRET_OUTPUTS)


class IssuedIdentity(TypedResource, module=TYPE_MODULE, name="IssuedIdentity"):
    """A node's or user's identity, issued once by its org's CAs."""

    sign_cert: pulumi.Output[str]
    sign_key: pulumi.Output[str]
    tls_cert: pulumi.Output[str]
    tls_key: pulumi.Output[str]
    sign_not_after: pulumi.Output[str]
    tls_not_after: pulumi.Output[str]
    renewal_due: pulumi.Output[bool]

    def __init__(
        self, name: str, org: OrgSpec, cas: CaMaterial, common_name: str, node_ou: str,
        server: bool, sans: tuple[str, ...], node: NodeSpec | None,
        opts: pulumi.ResourceOptions, validity: timedelta = VALIDITY,
        renew_before: timedelta = RENEW_BEFORE, key_generation: int = 0, renew: bool = True,
    ) -> None:
        props = {
            **_issuer_props(org),
            "enable_node_ous": org.enable_node_ous,
            "common_name": common_name,
            "node_ou": node_ou,
            "server": server,
            "sans": list(sans),
            "node_subject": asdict(node.subject) if node else {},
            "ca_cert": cas.ca_cert,
            "ca_key": cas.ca_key,
            "tlsca_cert": cas.tlsca_cert,
            "tlsca_key": cas.tlsca_key,
            # A new validity applies to certificates issued or renewed from now on.
            "validity_seconds": int(validity.total_seconds()),
            # The renewal window: inside it, an up renews the certificates (same keys);
            # also the policy pack's expiry rule's default horizon.
            "renew_before_seconds": int(renew_before.total_seconds()),
            # A change gives the identity new keys (``fabric:keyGenerations``).
            "key_generation": key_generation,
            # False: the certificates are renewed by hand (``fabric:certRenewal``).
            "renew": renew,
            "sign_cert": None,
            "sign_key": None,
            "tls_cert": None,
            "tls_key": None,
            "sign_not_after": None,
            "tls_not_after": None,
            "renewal_due": None,
        }
        super().__init__(IdentityProvider(), name, props, opts, IDENTITY_SECRET_OUTPUTS)


def _material(resource: IssuedIdentity, common_name: str, node_ou: str,
              server: bool) -> IdentityMaterial:
    return IdentityMaterial(
        common_name=common_name,
        sign_cert=resource.sign_cert,
        tls_cert=resource.tls_cert,
        sign_key=pulumi.Output.secret(resource.sign_key),
        tls_key=pulumi.Output.secret(resource.tls_key),
        node_ou=node_ou,
        server=server,
    )


@dataclass(frozen=True)
class GeneratedCrypto:
    """Material generated by dynamic resources; node TLS certificates also carry
    the node's Kubernetes Service names in ``namespace``. Node and user
    certificates are issued valid for ``validity`` and renewed by an up once
    inside ``renew_before`` of their end; the CAs keep cryptogen's 10 years."""

    namespace: str
    validity: timedelta = VALIDITY
    renew_before: timedelta = RENEW_BEFORE
    external_domain: str = ""
    """Node TLS certificates also carry the node's external host name in it."""
    key_generations: Mapping[str, int] = field(default_factory=dict)
    """Per common name, the identity's key generation (0 when absent)."""
    renew: bool = True
    """False (``fabric:certRenewal: false``): an up never renews a certificate."""
    admincerts_rotated: bool = True
    """False: the stack's channels are not its own to update (populate off, or
    a consortium's org stack, whose channels come from cards), so no
    ``AdminCertRotation`` would name a renewed Admin of an org without NodeOUs
    there, and an up never renews such an Admin."""

    def cas(self, org: OrgSpec, opts: pulumi.ResourceOptions) -> CaMaterial:
        res = CertificateAuthorities(f"{org.k8s_name}-cas", org, opts)
        return CaMaterial(
            ca_cert=res.ca_cert,
            tlsca_cert=res.tlsca_cert,
            ca_key=pulumi.Output.secret(res.ca_key),
            tlsca_key=pulumi.Output.secret(res.tlsca_key),
        )

    def node(
        self, org: OrgSpec, cas: CaMaterial, node: NodeSpec, opts: pulumi.ResourceOptions
    ) -> IdentityMaterial:
        sans = tuple(dict.fromkeys(
            (*node.sans, *node_tls_names(node, self.namespace, self.external_domain))))
        ou = _node_ou(org)
        res = IssuedIdentity(
            f"{node.k8s_name}-identity", org, cas, node.common_name, ou, True, sans, node, opts,
            self.validity, self.renew_before, self.key_generations.get(node.common_name, 0),
            self.renew,
        )
        return _material(res, node.common_name, ou, True)

    def user(
        self, org: OrgSpec, cas: CaMaterial, name: str, admin: bool,
        opts: pulumi.ResourceOptions,
    ) -> IdentityMaterial:
        ou = "admin" if admin else "client"
        local = name.split("@")[0].lower()
        named_by_cert = admin and not org.enable_node_ous
        res = IssuedIdentity(
            f"{local}-{org.k8s_name}-identity", org, cas, name, ou, False, (), None, opts,
            self.validity, self.renew_before, self.key_generations.get(name, 0),
            self.renew and (self.admincerts_rotated or not named_by_cert),
        )
        return _material(res, name, ou, False)


class DirectoryCrypto:
    """Material read from an existing cryptogen output directory (bring your own
    crypto). Every org is read when this is built, so a missing or bad file stops
    the program before any resource is registered; keys become secrets at once."""

    def __init__(self, root: str, spec: NetworkSpec, namespace: str | None = None,
                 external_domain: str = "") -> None:
        """``namespace``: where the nodes run as Services, whose names (and external
        host names in ``external_domain``) every node's TLS certificate must carry;
        None for nodes that do not (a local network)."""
        self._orgs = {org.name: read_org_tree(Path(root), org) for org in spec.orgs}
        for crypto in self._orgs.values():
            if namespace is not None:
                check_service_names(crypto, Path(root), namespace, external_domain)

    def _org(self, org: OrgSpec) -> OrgCrypto:
        return self._orgs[org.name]

    def cas(self, org: OrgSpec, opts: pulumi.ResourceOptions) -> CaMaterial:
        cas = self._org(org).cas
        return CaMaterial(
            ca_cert=pulumi.Output.from_input(cas.ca.cert_pem),
            tlsca_cert=pulumi.Output.from_input(cas.tlsca.cert_pem),
            ca_key=pulumi.Output.secret(cas.ca.key_pem),
            tlsca_key=pulumi.Output.secret(cas.tlsca.key_pem),
        )

    @staticmethod
    def _material(ident: Identity) -> IdentityMaterial:
        return IdentityMaterial(
            common_name=ident.common_name,
            sign_cert=pulumi.Output.from_input(ident.sign.cert_pem),
            tls_cert=pulumi.Output.from_input(ident.tls.cert_pem),
            sign_key=pulumi.Output.secret(ident.sign.key_pem),
            tls_key=pulumi.Output.secret(ident.tls.key_pem),
            node_ou=ident.node_ou,
            server=ident.server,
        )

    def node(
        self, org: OrgSpec, cas: CaMaterial, node: NodeSpec, opts: pulumi.ResourceOptions
    ) -> IdentityMaterial:
        return self._material(self._org(org).nodes[node.common_name])

    def user(
        self, org: OrgSpec, cas: CaMaterial, name: str, admin: bool,
        opts: pulumi.ResourceOptions,
    ) -> IdentityMaterial:
        crypto = self._org(org)
        if admin:
            return self._material(crypto.admin)
        return self._material(next(u for u in crypto.users if u.common_name == name))
