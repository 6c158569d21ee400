"""Brought-your-own crypto must fit the cluster: other nodes reach a node by its
Service names (and clients outside by its external host name, with
``fabric:externalAccess``), so its TLS certificate must carry them, or every TLS
handshake with it fails once the network runs. Checked when the directory is read."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from crypto import OrgCrypto
from crypto.layout import node_dir, org_dir
from fabric_nodes.naming import node_tls_names
from network_spec import SpecError


def check_service_names(
    crypto: OrgCrypto, root: Path, namespace: str, external_domain: str = "",
) -> None:
    org = crypto.org
    for node in org.nodes:
        identity = crypto.nodes[node.common_name]
        cert = identity.tls.certificate()
        try:
            sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            dns_names = set(sans.get_values_for_type(x509.DNSName))
        except x509.ExtensionNotFound:
            dns_names = set()
        missing = [name for name in node_tls_names(node, namespace, external_domain)
                   if name not in dns_names]
        if missing:
            what, keys, who = (("names", "fabric:namespace, fabric:externalDomain",
                                "and clients ") if external_domain
                               else ("Service names", "fabric:namespace", ""))
            path = root / org_dir(org) / node_dir(org, node.common_name) / "tls" / "server.crt"
            raise SpecError(
                str(path), "",
                f"org {org.name} ({org.domain}), {identity.node_ou} {node.common_name} TLS "
                f"certificate: lacks the {what} {', '.join(missing)} of namespace "
                f"'{namespace}' ({keys}), by which the other nodes {who}reach it; add "
                "them to the node's SANS and generate the directory again",
            )
