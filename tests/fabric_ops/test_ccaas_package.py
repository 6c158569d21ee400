"""The CCaaS package is what Fabric's builder expects and is reproducible: the
same inputs give the same bytes (so the same package ID) in another process."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile

from fabric_ops.ccaas_package import ccaas_builder_config, ccaas_package


def members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def test_layout_matches_the_ccaas_builder_contract():
    pkg = ccaas_package("basic_1.0", "basic-org1.fabric.svc.cluster.local:9999")
    outer = members(pkg.data)
    assert sorted(outer) == ["code.tar.gz", "metadata.json"]
    assert json.loads(outer["metadata.json"]) == {"label": "basic_1.0", "type": "ccaas"}
    inner = members(outer["code.tar.gz"])
    assert json.loads(inner["connection.json"]) == {
        "address": "basic-org1.fabric.svc.cluster.local:9999",
        "dial_timeout": "10s",
        "tls_required": True,
        "client_auth_required": True,
        "root_cert": "{{.root_cert}}",
        "client_cert": "{{.client_cert}}",
        "client_key": "{{.client_key}}",
    }
    assert pkg.package_id == "basic_1.0:" + hashlib.sha256(pkg.data).hexdigest()


def test_package_id_is_stable_across_processes_and_sensitive_to_inputs():
    code = ("from fabric_ops.ccaas_package import ccaas_builder_config, ccaas_package;"
            "print(ccaas_package('basic_1.0', 'a:9999').package_id)")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert other == ccaas_package("basic_1.0", "a:9999").package_id
    assert ccaas_package("basic_1.1", "a:9999").package_id != other
    assert ccaas_package("basic_1.0", "b:9999").package_id != other


def test_the_builder_config_fills_the_tls_templates():
    config = json.loads(ccaas_builder_config("CA PEM", "CERT PEM", "KEY PEM"))
    assert config == {"root_cert": "CA PEM", "client_cert": "CERT PEM", "client_key": "KEY PEM"}


def test_without_tls_the_package_is_the_one_networks_had_before_tls():
    """Byte for byte what the program built before mutual TLS, so a stack with
    ``fabric:endpointTls: false`` keeps its package IDs."""
    pkg = ccaas_package("basic_1.0", "a:9999", tls=False)
    inner = members(members(pkg.data)["code.tar.gz"])
    assert inner["connection.json"] == (
        b'{"address":"a:9999","dial_timeout":"10s","tls_required":false}')
    assert pkg.package_id != ccaas_package("basic_1.0", "a:9999").package_id
