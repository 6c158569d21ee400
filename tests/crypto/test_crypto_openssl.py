"""Chains checked by the real ``openssl verify`` (fails, not skips, without it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def verify(
    openssl: str, tmp_path: Path, ca_pem: str, cert_pems: list[str], purpose: str | None = None
) -> subprocess.CompletedProcess[str]:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(ca_pem)
    cert_files = []
    for index, pem in enumerate(cert_pems):
        path = tmp_path / f"cert{index}.pem"
        path.write_text(pem)
        cert_files.append(str(path))
    options = ["-x509_strict"] + (["-purpose", purpose] if purpose else [])
    return subprocess.run(
        [openssl, "verify", *options, "-CAfile", str(ca_file), *cert_files],
        capture_output=True,
        text=True,
        check=False,
    )


def assert_verifies(result: subprocess.CompletedProcess[str], count: int) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == count, result.stdout


@pytest.mark.parametrize("org", ["peer_crypto", "orderer_crypto", "plain_crypto"])
def test_openssl_verifies_every_chain(openssl, tmp_path, request, org):
    crypto = request.getfixturevalue(org)
    cas = crypto.cas
    identities = [*crypto.nodes.values(), crypto.admin, *crypto.users]
    servers = [i for i in identities if i.server]
    clients = [i for i in identities if not i.server]
    assert servers and clients

    result = verify(openssl, tmp_path, cas.ca.cert_pem, [cas.ca.cert_pem])
    assert_verifies(result, 1)
    result = verify(openssl, tmp_path, cas.tlsca.cert_pem, [cas.tlsca.cert_pem])
    assert_verifies(result, 1)
    signs = [i.sign.cert_pem for i in identities]
    assert_verifies(verify(openssl, tmp_path, cas.ca.cert_pem, signs), len(signs))
    server_tls = [i.tls.cert_pem for i in servers]
    result = verify(openssl, tmp_path, cas.tlsca.cert_pem, server_tls, "sslserver")
    assert_verifies(result, len(server_tls))
    client_tls = [i.tls.cert_pem for i in clients]
    result = verify(openssl, tmp_path, cas.tlsca.cert_pem, client_tls, "sslclient")
    assert_verifies(result, len(client_tls))


def test_openssl_rejects_certs_of_another_org_or_the_other_ca(
    openssl, tmp_path, peer_crypto, plain_crypto
):
    peer0 = peer_crypto.nodes["peer0.org1.example.com"]
    for ca_pem, cert_pem in (
        (plain_crypto.cas.ca.cert_pem, peer0.sign.cert_pem),  # another org's CA
        (plain_crypto.cas.tlsca.cert_pem, peer0.tls.cert_pem),  # another org's TLS CA
        (peer_crypto.cas.tlsca.cert_pem, peer0.sign.cert_pem),  # own TLS CA, sign cert
        (peer_crypto.cas.ca.cert_pem, peer0.tls.cert_pem),  # own CA, TLS cert
    ):
        result = verify(openssl, tmp_path, ca_pem, [cert_pem])
        assert result.returncode != 0
        assert "unable to get local issuer certificate" in result.stdout + result.stderr
