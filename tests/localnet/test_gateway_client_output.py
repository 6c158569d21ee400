"""The ``gatewayClients`` values of a local network open a real TLS connection to
its peers: the endpoint answers, the TLS root verifies the peer's certificate
for the host name override, and another peer's name does not verify."""

from __future__ import annotations

import socket
import ssl

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from fabric_nodes.gateway_clients import gateway_client
from localnet import LocalNetwork

pytestmark = pytest.mark.fabric


def handshake(endpoint: str, tls_root: str, server_name: str) -> str:
    """Returns the common name of the certificate the server presented."""
    host, port = endpoint.rsplit(":", 1)
    context = ssl.create_default_context(cadata=tls_root)
    context.set_alpn_protocols(["h2"])
    with (socket.create_connection((host, int(port)), timeout=10) as raw,
          context.wrap_socket(raw, server_hostname=server_name) as tls):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    (name,) = x509.load_der_x509_certificate(der).subject.get_attributes_for_oid(
        NameOID.COMMON_NAME)
    return str(name.value)


def test_each_peer_verifies_with_the_output_values(net: LocalNetwork) -> None:
    for org in net.spec.peer_orgs:
        client = gateway_client(org, net.addressing, net.tls_ca_file(org.name).read_text())
        assert client["mspId"] == org.msp_id
        for common_name, peer in client["peers"].items():
            assert peer["endpoint"].startswith("127.0.0.1:")
            assert handshake(peer["endpoint"], client["tlsRootCert"],
                             peer["hostNameOverride"]) == common_name


def test_another_name_or_root_does_not_verify(net: LocalNetwork) -> None:
    org1, org2 = net.spec.peer_orgs[:2]
    client = gateway_client(org1, net.addressing, net.tls_ca_file(org1.name).read_text())
    endpoint = client["peers"][org1.nodes[0].common_name]["endpoint"]
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        handshake(endpoint, client["tlsRootCert"], org2.nodes[0].common_name)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(endpoint, net.tls_ca_file(org2.name).read_text(), org1.nodes[0].common_name)
