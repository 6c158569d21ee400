"""``--chaincode-server <chaincode>/<org>=<host>:<port>`` of ``python -m localnet
up``: a malformed value or one naming no chaincode/org pair of network.yaml is
refused with the option and value; a server someone else runs is told the
package ID to run with and gets a TLS certificate of its org's TLS CA for its
host (the peers dial chaincode servers over mutual TLS only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography import x509

from crypto.certificates import create_ca
from fabric_ops.ccaas_package import ccaas_package
from localnet.chaincode_servers import given_server_tls, given_servers, server_lines
from localnet.network import load_spec_dir
from localnet.release import REPO_ROOT
from network_spec import Subject

SPEC = load_spec_dir(REPO_ROOT / "samples" / "simple")


def test_a_given_server_is_read() -> None:
    assert given_servers(["basic/Org1=127.0.0.1:9999"], SPEC, "--opt") == {
        "basic/Org1": "127.0.0.1:9999"}


@pytest.mark.parametrize(("value", "message"), [
    ("basic/Org1", "--opt basic/Org1: expected <chaincode>/<org>=<host>:<port>"),
    ("basic/Org1=127.0.0.1:port", "expected <chaincode>/<org>=<host>:<port>"),
    *((f"basic/Org1=127.0.0.1:{port}", "expected <chaincode>/<org>=<host>:<port>")
      for port in ("\u0663\u0663", "0", "65536")),
    ("basic/Org3=127.0.0.1:9999",
     "--opt basic/Org3=127.0.0.1:9999: basic/Org3 is no chaincode/org pair of network.yaml; "
     "they are basic/Org1, basic/Org2"),
])
def test_a_bad_value_is_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        given_servers([value], SPEC, "--opt")


def test_a_server_you_run_is_told_its_package_id_and_tls_files(tmp_path: Path) -> None:
    ca = create_ca("tlsca.org1.example.com", "org1.example.com", Subject())
    servers = {"basic/Org1": "cc.example.test:9999", "basic/Org2": "127.0.0.1:9998"}
    given = {"basic/Org1": servers["basic/Org1"]}
    tls = given_server_tls(given, tmp_path, lambda key: ca if key == "basic/Org1" else None)
    tls_dir = tmp_path / "basic-Org1-tls"
    assert tls == {"basic/Org1": {"CHAINCODE_TLS_CERT": f"{tls_dir}/tls.crt",
                                  "CHAINCODE_TLS_KEY": f"{tls_dir}/tls.key",
                                  "CHAINCODE_CLIENT_CA_CERT": f"{tls_dir}/ca.crt"}}
    cert = x509.load_pem_x509_certificate((tls_dir / "tls.crt").read_bytes())
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca.cert_pem.encode()))
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "cc.example.test" in sans.get_values_for_type(x509.DNSName)
    assert (tls_dir / "ca.crt").read_text() == ca.cert_pem

    lines = server_lines(SPEC, servers, {"basic/Org2": "127.0.0.1:9998"}, Path("/logs"), tls)
    org1_id = ccaas_package("basic_1.0", "cc.example.test:9999").package_id
    assert lines[0].endswith(f"(yours: run it with CHAINCODE_ID={org1_id} "
                             "CHAINCODE_SERVER_ADDRESS=cc.example.test:9999 "
                             f"CHAINCODE_TLS_CERT={tls_dir}/tls.crt "
                             f"CHAINCODE_TLS_KEY={tls_dir}/tls.key "
                             f"CHAINCODE_CLIENT_CA_CERT={tls_dir}/ca.crt)")
    assert lines[1].endswith("(started, log /logs/basic-Org2.log)")


def test_a_server_of_an_org_without_tls_ca_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="basic/Org1: its org has no TLS CA"):
        given_server_tls({"basic/Org1": "127.0.0.1:9999"}, tmp_path, lambda key: None)
