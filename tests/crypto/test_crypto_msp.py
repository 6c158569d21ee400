"""MSP folders as cryptogen lays them out (file lists checked against a real
cryptogen 2.5.9 run with the same orgs)."""

from __future__ import annotations

import yaml

from crypto import Identity, identity_files, node_ous_config, org_msp_files, org_tree_files

# cryptogen 2.5.9's config.yaml for org1.example.com, byte for byte.
CRYPTOGEN_CONFIG = """\
NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca.org1.example.com-cert.pem
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca.org1.example.com-cert.pem
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca.org1.example.com-cert.pem
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca.org1.example.com-cert.pem
    OrganizationalUnitIdentifier: orderer
"""


def test_node_ous_config(peer_org):
    text = node_ous_config(peer_org)
    assert text == CRYPTOGEN_CONFIG
    node_ous = yaml.safe_load(text)["NodeOUs"]
    assert node_ous["Enable"] is True
    identifiers = {
        key: (value["Certificate"], value["OrganizationalUnitIdentifier"])
        for key, value in node_ous.items()
        if key != "Enable"
    }
    ca_file = "cacerts/ca.org1.example.com-cert.pem"
    assert identifiers == {
        "ClientOUIdentifier": (ca_file, "client"),
        "PeerOUIdentifier": (ca_file, "peer"),
        "AdminOUIdentifier": (ca_file, "admin"),
        "OrdererOUIdentifier": (ca_file, "orderer"),
    }


def test_org_msp_with_node_ous(peer_crypto):
    org, cas = peer_crypto.org, peer_crypto.cas
    files = org_msp_files(org, cas, peer_crypto.admin.sign.cert_pem)
    assert files == {
        "cacerts/ca.org1.example.com-cert.pem": cas.ca.cert_pem,
        "tlscacerts/tlsca.org1.example.com-cert.pem": cas.tlsca.cert_pem,
        "config.yaml": CRYPTOGEN_CONFIG,
    }


def test_org_msp_without_node_ous(plain_crypto):
    org, cas = plain_crypto.org, plain_crypto.cas
    admin_pem = plain_crypto.admin.sign.cert_pem
    assert org_msp_files(org, cas, admin_pem) == {
        "cacerts/ca.org2.example.com-cert.pem": cas.ca.cert_pem,
        "tlscacerts/tlsca.org2.example.com-cert.pem": cas.tlsca.cert_pem,
        "admincerts/Admin@org2.example.com-cert.pem": admin_pem,
    }


def test_peer_files_with_node_ous(peer_crypto):
    org, cas = peer_crypto.org, peer_crypto.cas
    peer = peer_crypto.nodes["peer1.org1.example.com"]
    files = identity_files(org, cas, peer, peer_crypto.admin.sign.cert_pem)
    assert files == {
        "msp/cacerts/ca.org1.example.com-cert.pem": cas.ca.cert_pem,
        "msp/tlscacerts/tlsca.org1.example.com-cert.pem": cas.tlsca.cert_pem,
        "msp/config.yaml": CRYPTOGEN_CONFIG,
        "msp/signcerts/peer1.org1.example.com-cert.pem": peer.sign.cert_pem,
        "msp/keystore/priv_sk": peer.sign.key_pem,
        "tls/ca.crt": cas.tlsca.cert_pem,
        "tls/server.crt": peer.tls.cert_pem,
        "tls/server.key": peer.tls.key_pem,
    }


def test_user_files_with_node_ous(peer_crypto):
    org, cas = peer_crypto.org, peer_crypto.cas
    for user in (peer_crypto.admin, *peer_crypto.users):
        files = identity_files(org, cas, user, peer_crypto.admin.sign.cert_pem)
        assert sorted(files) == [
            "msp/cacerts/ca.org1.example.com-cert.pem",
            "msp/config.yaml",
            "msp/keystore/priv_sk",
            f"msp/signcerts/{user.common_name}-cert.pem",
            "msp/tlscacerts/tlsca.org1.example.com-cert.pem",
            "tls/ca.crt",
            "tls/client.crt",
            "tls/client.key",
        ]
        assert files["tls/client.crt"] == user.tls.cert_pem
        assert files["tls/client.key"] == user.tls.key_pem
        assert files["msp/keystore/priv_sk"] == user.sign.key_pem


def test_admincerts_without_node_ous(plain_crypto):
    org, cas = plain_crypto.org, plain_crypto.cas
    admin, (user,) = plain_crypto.admin, plain_crypto.users
    peer = plain_crypto.nodes["peer0.org2.example.com"]
    admin_pem = admin.sign.cert_pem

    def admincerts(identity: Identity) -> dict[str, str]:
        files = identity_files(org, cas, identity, admin_pem)
        assert "msp/config.yaml" not in files
        return {p: t for p, t in files.items() if p.startswith("msp/admincerts/")}

    # Nodes and the Admin: the Admin's certificate. A user: its own (as cryptogen).
    assert admincerts(peer) == {"msp/admincerts/Admin@org2.example.com-cert.pem": admin_pem}
    assert admincerts(admin) == {"msp/admincerts/Admin@org2.example.com-cert.pem": admin_pem}
    assert admincerts(user) == {
        "msp/admincerts/User1@org2.example.com-cert.pem": user.sign.cert_pem
    }


def test_a_renewed_admin_is_listed_beside_the_certificate_it_replaced(plain_crypto):
    from dataclasses import replace
    from datetime import timedelta

    from crypto.renewal import renew_identity

    org, cas = plain_crypto.org, plain_crypto.cas
    first = plain_crypto.admin.sign.cert_pem
    renewed = renew_identity(cas, plain_crypto.admin, timedelta(days=1))
    current = renewed.sign.cert_pem
    both = {"admincerts/Admin@org2.example.com-cert.pem": current,
            "admincerts/Admin@org2.example.com-previous-cert.pem": first}

    def admincerts(files: dict[str, str], prefix: str = "") -> dict[str, str]:
        return {p.removeprefix(prefix): t for p, t in files.items()
                if p.startswith(f"{prefix}admincerts/")}

    # configtxgen reads the folder sorted: the current certificate comes first.
    assert sorted(both) == list(both)
    assert admincerts(org_msp_files(org, cas, current, first)) == both
    peer = plain_crypto.nodes["peer0.org2.example.com"]
    assert admincerts(identity_files(org, cas, peer, current, first), "msp/") == both
    assert admincerts(identity_files(org, cas, renewed, current, first), "msp/") == both
    (user,) = plain_crypto.users
    assert admincerts(identity_files(org, cas, user, current, first), "msp/") == {
        "admincerts/User1@org2.example.com-cert.pem": user.sign.cert_pem}
    # Before a renewal (or the same certificate twice): listed once, as before.
    assert admincerts(org_msp_files(org, cas, first, first)) == admincerts(
        org_msp_files(org, cas, first))
    tree = org_tree_files(replace(plain_crypto, admin=renewed, previous_admin_cert=first))
    assert tree["msp/admincerts/Admin@org2.example.com-previous-cert.pem"] == first
    assert tree["peers/peer0.org2.example.com/msp/admincerts/"
                "Admin@org2.example.com-previous-cert.pem"] == first


def test_whole_tree_without_node_ous_matches_cryptogen(plain_crypto):
    node = "peers/peer0.org2.example.com"
    admin = "users/Admin@org2.example.com"
    user = "users/User1@org2.example.com"
    expected = [
        "ca/ca.org2.example.com-cert.pem",
        "ca/priv_sk",
        "msp/admincerts/Admin@org2.example.com-cert.pem",
        "msp/cacerts/ca.org2.example.com-cert.pem",
        "msp/tlscacerts/tlsca.org2.example.com-cert.pem",
        f"{node}/msp/admincerts/Admin@org2.example.com-cert.pem",
        f"{node}/msp/cacerts/ca.org2.example.com-cert.pem",
        f"{node}/msp/keystore/priv_sk",
        f"{node}/msp/signcerts/peer0.org2.example.com-cert.pem",
        f"{node}/msp/tlscacerts/tlsca.org2.example.com-cert.pem",
        f"{node}/tls/ca.crt",
        f"{node}/tls/server.crt",
        f"{node}/tls/server.key",
        "tlsca/priv_sk",
        "tlsca/tlsca.org2.example.com-cert.pem",
        f"{admin}/msp/admincerts/Admin@org2.example.com-cert.pem",
        f"{admin}/msp/cacerts/ca.org2.example.com-cert.pem",
        f"{admin}/msp/keystore/priv_sk",
        f"{admin}/msp/signcerts/Admin@org2.example.com-cert.pem",
        f"{admin}/msp/tlscacerts/tlsca.org2.example.com-cert.pem",
        f"{admin}/tls/ca.crt",
        f"{admin}/tls/client.crt",
        f"{admin}/tls/client.key",
        f"{user}/msp/admincerts/User1@org2.example.com-cert.pem",
        f"{user}/msp/cacerts/ca.org2.example.com-cert.pem",
        f"{user}/msp/keystore/priv_sk",
        f"{user}/msp/signcerts/User1@org2.example.com-cert.pem",
        f"{user}/msp/tlscacerts/tlsca.org2.example.com-cert.pem",
        f"{user}/tls/ca.crt",
        f"{user}/tls/client.crt",
        f"{user}/tls/client.key",
    ]
    files = org_tree_files(plain_crypto)
    assert sorted(files) == sorted(expected)
    assert files["ca/priv_sk"] == plain_crypto.cas.ca.key_pem
    assert files["tlsca/priv_sk"] == plain_crypto.cas.tlsca.key_pem


def test_orderer_tree_uses_orderers_folder_and_has_no_users(orderer_crypto):
    files = org_tree_files(orderer_crypto)
    tops = {path.split("/")[0] for path in files}
    assert tops == {"ca", "tlsca", "msp", "orderers", "users"}
    folders = {
        "/".join(path.split("/")[:2])
        for path in files
        if path.split("/")[0] in {"orderers", "users"}
    }
    assert folders == {
        "orderers/orderer.example.com",
        "orderers/orderer2.example.com",
        "users/Admin@example.com",
    }
    assert "orderers/orderer.example.com/tls/server.key" in files
    assert "msp/config.yaml" in files
    assert not any("keystore" in path for path in files if path.startswith("msp/"))
