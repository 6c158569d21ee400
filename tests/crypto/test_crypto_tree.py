"""Writing cryptogen's folder layout and reading it back."""

from __future__ import annotations

import dataclasses
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509

from crypto import read_org_tree, write_org_tree
from network_spec import SpecError

ORG1 = "peerOrganizations/org1.example.com"
PEER1 = f"{ORG1}/peers/peer1.org1.example.com"


@pytest.fixture
def written(tmp_path: Path, peer_crypto, orderer_crypto, plain_crypto) -> Path:
    for crypto in (peer_crypto, orderer_crypto, plain_crypto):
        write_org_tree(crypto, tmp_path)
    return tmp_path


def listing(folder: Path) -> list[str]:
    """Files and empty folders, as ``find -type f -o -type d -empty`` lists them."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() or (p.is_dir() and not any(p.iterdir()))
    )


def test_write_returns_the_org_folder(tmp_path, peer_crypto, orderer_crypto):
    assert write_org_tree(peer_crypto, tmp_path) == tmp_path / ORG1
    assert write_org_tree(orderer_crypto, tmp_path) == tmp_path / "ordererOrganizations/example.com"


def test_layout_with_node_ous_matches_cryptogen(written):
    peer0 = "peers/peer0.org1.example.com"
    admin = "users/Admin@org1.example.com"
    expected = [
        "ca/ca.org1.example.com-cert.pem",
        "ca/priv_sk",
        "msp/admincerts",
        "msp/cacerts/ca.org1.example.com-cert.pem",
        "msp/config.yaml",
        "msp/tlscacerts/tlsca.org1.example.com-cert.pem",
        "tlsca/priv_sk",
        "tlsca/tlsca.org1.example.com-cert.pem",
    ]
    for folder, cn, tls in (
        (peer0, "peer0.org1.example.com", "server"),
        ("peers/peer1.org1.example.com", "peer1.org1.example.com", "server"),
        (admin, "Admin@org1.example.com", "client"),
        ("users/User1@org1.example.com", "User1@org1.example.com", "client"),
        ("users/User2@org1.example.com", "User2@org1.example.com", "client"),
    ):
        expected += [
            f"{folder}/msp/admincerts",  # empty, as cryptogen leaves it
            f"{folder}/msp/cacerts/ca.org1.example.com-cert.pem",
            f"{folder}/msp/config.yaml",
            f"{folder}/msp/keystore/priv_sk",
            f"{folder}/msp/signcerts/{cn}-cert.pem",
            f"{folder}/msp/tlscacerts/tlsca.org1.example.com-cert.pem",
            f"{folder}/tls/ca.crt",
            f"{folder}/tls/{tls}.crt",
            f"{folder}/tls/{tls}.key",
        ]
    assert listing(written / ORG1) == sorted(expected)


def test_private_keys_mode_0600_and_certs_0644(written):
    keys = [p for p in written.rglob("*") if p.name == "priv_sk" or p.suffix == ".key"]
    others = [p for p in written.rglob("*") if p.is_file() and p not in keys]
    assert len(keys) == 2 * 11 + 2 * 3  # two keys per identity, one per CA
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in keys)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in others)
    for key in keys:
        assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----\n")


def test_rewrite_restores_a_loosened_key_mode(tmp_path, peer_crypto):
    base = write_org_tree(peer_crypto, tmp_path)
    (base / "ca/priv_sk").chmod(0o644)
    write_org_tree(peer_crypto, tmp_path)
    assert stat.S_IMODE((base / "ca/priv_sk").stat().st_mode) == 0o600


def test_round_trip(written, peer_crypto, orderer_crypto, plain_crypto):
    for crypto in (peer_crypto, orderer_crypto, plain_crypto):
        read = read_org_tree(written, crypto.org)
        assert read == crypto
        assert list(read.nodes) == list(crypto.nodes)


def test_reads_older_cryptogen_key_names(written, peer_crypto):
    # cryptogen before 2.0 named keys <SKI hex>_sk.
    for key in list((written / ORG1).rglob("priv_sk")):
        key.rename(key.with_name("4f2a9c0e_sk"))
    assert read_org_tree(written, peer_crypto.org) == peer_crypto


def error_for(written: Path, org) -> SpecError:
    with pytest.raises(SpecError) as caught:
        read_org_tree(written, org)
    error = caught.value
    assert error.path == ""
    assert str(error).startswith(f"{error.file}: org {org.name} ({org.domain}), ")
    return error


def test_missing_key_names_the_file_and_the_node(written, peer_org):
    missing = written / PEER1 / "msp/keystore/priv_sk"
    missing.unlink()
    error = error_for(written, peer_org)
    assert error.file == str(missing)
    assert "peer peer1.org1.example.com private key: missing file" in error.message


def test_missing_tls_cert(written, peer_org):
    missing = written / PEER1 / "tls/server.crt"
    missing.unlink()
    error = error_for(written, peer_org)
    assert error.file == str(missing)
    assert "peer peer1.org1.example.com TLS certificate: missing file" in error.message


def test_missing_node_folder(written, peer_org):
    shutil.rmtree(written / PEER1)
    error = error_for(written, peer_org)
    assert error.file == str(written / PEER1 / "msp/signcerts/peer1.org1.example.com-cert.pem")
    assert "peer peer1.org1.example.com certificate: missing file" in error.message
    assert f"(no folder {written / PEER1})" in error.message


def test_missing_user(written, peer_org):
    shutil.rmtree(written / ORG1 / "users/User2@org1.example.com")
    assert "user User2@org1.example.com" in error_for(written, peer_org).message


def test_missing_ca_cert(written, plain_org):
    missing = written / "peerOrganizations/org2.example.com/ca/ca.org2.example.com-cert.pem"
    missing.unlink()
    error = error_for(written, plain_org)
    assert error.file == str(missing)
    assert "CA certificate: missing file" in error.message


def test_missing_org(tmp_path, peer_org):
    error = error_for(tmp_path, peer_org)
    assert error.file == str(tmp_path / ORG1)
    assert "missing folder" in error.message


def test_key_of_another_identity(written, peer_org):
    peer0_key = written / ORG1 / "peers/peer0.org1.example.com/tls/server.key"
    shutil.copy(peer0_key, written / PEER1 / "tls/server.key")
    error = error_for(written, peer_org)
    assert error.file == str(written / PEER1 / "tls/server.key")
    assert "does not match" in error.message


def test_cert_of_another_org(written, peer_org):
    foreign = written / "peerOrganizations/org2.example.com/peers/peer0.org2.example.com"
    for name in ("msp/signcerts/peer0.org2.example.com-cert.pem", "msp/keystore/priv_sk"):
        target = written / PEER1 / name.replace("peer0.org2", "peer1.org1")
        shutil.copy(foreign / name, target)
    error = error_for(written, peer_org)
    assert error.file == str(written / PEER1 / "msp/signcerts/peer1.org1.example.com-cert.pem")
    assert "not issued by the org's CA" in error.message


def test_garbage_certificate(written, peer_org):
    bad = written / PEER1 / "tls/ca.crt"  # not read: ca.crt is the TLS CA's copy
    bad.write_text("junk")
    read_org_tree(written, peer_org)
    bad = written / PEER1 / "tls/server.crt"
    bad.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    error = error_for(written, peer_org)
    assert error.file == str(bad)
    assert "not a PEM certificate" in error.message


def test_node_ous_demand_the_node_ou(written, plain_org):
    # The tree was made without NodeOUs: its sign certs carry no node OU.
    error = error_for(written, dataclasses.replace(plain_org, enable_node_ous=True))
    assert "has no OU=peer" in error.message


PEER0 = f"{ORG1}/peers/peer0.org1.example.com"


@pytest.mark.parametrize(("files", "wrong"), [
    (("msp/signcerts/{}-cert.pem", "msp/keystore/priv_sk"), "msp/signcerts/{}-cert.pem"),
    (("tls/server.crt", "tls/server.key"), "tls/server.crt"),
])
def test_identity_of_another_node_of_the_org(written, peer_org, files, wrong):
    """Files copied from peer0 would make peer1 present itself as peer0."""
    for name in files:
        shutil.copy(written / PEER0 / name.format("peer0.org1.example.com"),
                    written / PEER1 / name.format("peer1.org1.example.com"))
    error = error_for(written, peer_org)
    assert error.file == str(written / PEER1 / wrong.format("peer1.org1.example.com"))
    assert error.message.endswith(
        "certificate: has CN=peer0.org1.example.com, not CN=peer1.org1.example.com: it is the "
        "certificate of another identity"
    )


@pytest.mark.parametrize(("now", "problem"), [
    (datetime(2200, 1, 1, tzinfo=UTC), "expired on {after}"),
    (datetime(2000, 1, 1, tzinfo=UTC), "not valid before {before}"),
])
def test_certificates_valid_now(written, peer_org, now, problem):
    ca_cert = written / ORG1 / "ca/ca.org1.example.com-cert.pem"
    cert = x509.load_pem_x509_certificate(ca_cert.read_bytes())
    with pytest.raises(SpecError) as caught:
        read_org_tree(written, peer_org, now)
    after = cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    before = cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert str(caught.value) == (
        f"{ca_cert}: org Org1 (org1.example.com), CA certificate: "
        + problem.format(after=after, before=before)
    )


def test_a_bad_key_file_is_not_quoted(written, peer_org):
    secret = "MHcCAQEEIBc0ntentThatMustNotAppearInAnyMessage"
    key = written / PEER1 / "tls/server.key"
    key.write_text(f"-----BEGIN EC PRIVATE KEY-----\n{secret}\n-----END EC PRIVATE KEY-----\n")
    error = error_for(written, peer_org)
    assert error.file == str(key)
    assert error.message.endswith("TLS private key: not a PEM EC private key")
    assert secret not in str(error)
