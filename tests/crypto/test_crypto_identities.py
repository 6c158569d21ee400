"""Which identities an org gets, as cryptogen expands it."""

from __future__ import annotations

import dataclasses

from cryptography import x509
from cryptography.x509.oid import NameOID

from crypto import generate_org, issue_node, issue_user, new_org_cas


def common_name(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def test_peer_org_identities(peer_crypto, peer_org):
    assert list(peer_crypto.nodes) == ["peer0.org1.example.com", "peer1.org1.example.com"]
    assert peer_crypto.org is peer_org
    assert peer_crypto.admin.common_name == "Admin@org1.example.com"
    assert [u.common_name for u in peer_crypto.users] == [
        "User1@org1.example.com",
        "User2@org1.example.com",
    ]
    assert {(i.node_ou, i.server) for i in peer_crypto.nodes.values()} == {("peer", True)}
    assert (peer_crypto.admin.node_ou, peer_crypto.admin.server) == ("admin", False)
    assert {(u.node_ou, u.server) for u in peer_crypto.users} == {("client", False)}
    for identity in (*peer_crypto.nodes.values(), peer_crypto.admin, *peer_crypto.users):
        assert common_name(identity.sign.certificate()) == identity.common_name
        assert common_name(identity.tls.certificate()) == identity.common_name
        assert identity.sign.key_pem != identity.tls.key_pem
    assert common_name(peer_crypto.cas.ca.certificate()) == "ca.org1.example.com"
    assert common_name(peer_crypto.cas.tlsca.certificate()) == "tlsca.org1.example.com"


def test_orderer_org_gets_admin_only_even_with_a_user_count(orderer_org):
    crypto = generate_org(dataclasses.replace(orderer_org, users=3))
    assert crypto.users == ()
    assert crypto.admin.common_name == "Admin@example.com"
    assert list(crypto.nodes) == ["orderer.example.com", "orderer2.example.com"]
    assert {(i.node_ou, i.server) for i in crypto.nodes.values()} == {("orderer", True)}


def test_first_of_two_nodes_with_one_common_name_is_kept(peer_org):
    first, _ = peer_org.nodes
    twin = dataclasses.replace(first, hostname="twin", sans=("other.example.org",))
    crypto = generate_org(dataclasses.replace(peer_org, nodes=(first, twin), users=0))
    assert list(crypto.nodes) == [first.common_name]
    sans = (
        crypto.nodes[first.common_name]
        .tls.certificate()
        .extensions.get_extension_for_class(x509.SubjectAlternativeName)
    )
    assert "other.example.org" not in sans.value.get_values_for_type(x509.DNSName)


def test_issue_node_deduplicates_sans_keeping_order(peer_org):
    cas = new_org_cas(peer_org)
    node = peer_org.nodes[0]
    extra = ["peer0", "svc.example.org", "10.1.2.3", "svc.example.org"]
    identity = issue_node(peer_org, cas, node, extra)
    value = identity.tls.certificate().extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert value.value.get_values_for_type(x509.DNSName) == [
        "peer0.org1.example.com",
        "peer0",
        "peer0.alt.example.org",
        "svc.example.org",
    ]
    assert [str(ip) for ip in value.value.get_values_for_type(x509.IPAddress)] == ["10.1.2.3"]
    identity.sign.certificate().verify_directly_issued_by(cas.ca.certificate())
    identity.tls.certificate().verify_directly_issued_by(cas.tlsca.certificate())


def test_issue_user_roles(peer_org):
    cas = new_org_cas(peer_org)
    admin = issue_user(peer_org, cas, "Admin@org1.example.com", admin=True)
    user = issue_user(peer_org, cas, "User7@org1.example.com", admin=False)
    assert (admin.node_ou, admin.server) == ("admin", False)
    assert (user.node_ou, user.server) == ("client", False)
    assert common_name(user.sign.certificate()) == "User7@org1.example.com"


def test_each_generation_gets_fresh_keys(peer_org):
    one, two = generate_org(peer_org), generate_org(peer_org)
    assert one.cas.ca.key_pem != two.cas.ca.key_pem
    assert one.admin.sign.key_pem != two.admin.sign.key_pem
