"""A chaincode server's TLS certificate and the metrics scraper's client
certificate, renewed by their providers as the engine calls them: nothing
before their window, inside it a certificate of the same CA with the same key
and a later end, nothing again after it, nothing with ``renew`` off; a
scraper state without its CA's key gets a new CA."""

from __future__ import annotations

from typing import Any

from cryptography import x509

from crypto.certificates import create_ca
from fabric_components.providers.scraper_identity import ScraperIdentityProvider
from fabric_components.providers.tls_certificate import TlsCertificateProvider
from network_spec import Subject

TWENTY_MINUTES, HOUR, HALF_HOUR = 1200, 3600, 1800
"""Issued for 20 minutes (15 left: issuing backdates by 5), a window of 30:
due; renewed for an hour (59 left): not due."""


def cert(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def server_props(**changes: Any) -> dict[str, Any]:
    tlsca = create_ca("tlsca.org1.example.com", "org1.example.com", Subject())
    name = "basic-org1.fabric.svc.cluster.local"
    return {"org": "Org1", "common_name": name, "sans": ["basic-org1", name], "subject": {},
            "tlsca_cert": tlsca.cert_pem, "tlsca_key": tlsca.key_pem,
            "validity_seconds": TWENTY_MINUTES, "renew_before_seconds": HALF_HOUR,
            "renew": True, "cert": None, "key": None, "not_after": None, **changes}


def renews(provider: Any, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    diff = provider.diff("id", olds, news)
    assert (diff.changes, diff.replaces) == (True, [])
    outs = provider.update("id", olds, news).outs
    assert outs is not None
    return dict(outs)


def assert_renewed_with_the_same_key(old: dict[str, Any], new: dict[str, Any],
                                     ca_pem: str) -> None:
    before, after = cert(old["cert"]), cert(new["cert"])
    after.verify_directly_issued_by(cert(ca_pem))
    assert new["key"] == old["key"]
    assert after.public_key() == before.public_key()
    assert after.serial_number != before.serial_number
    assert after.subject == before.subject
    assert list(after.extensions) == list(before.extensions)
    assert after.not_valid_after_utc > before.not_valid_after_utc
    assert new["not_after"] == after.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_chaincode_server_certificate_is_renewed_inside_its_window_with_its_key():
    provider = TlsCertificateProvider()
    props = server_props()
    outs = dict(provider.create(props).outs or {})
    assert provider.diff("id", outs, {**props, "renew_before_seconds": 600}).changes is False
    news = {**props, "validity_seconds": HOUR}
    renewed = renews(provider, outs, news)
    assert_renewed_with_the_same_key(outs, renewed, props["tlsca_cert"])
    assert provider.diff("id", renewed, news).changes is False
    assert provider.diff("id", outs, {**news, "renew": False}).changes is False


def test_a_changed_name_still_replaces_the_server_certificate():
    provider = TlsCertificateProvider()
    props = server_props()
    outs = dict(provider.create(props).outs or {})
    diff = provider.diff("id", outs, {**props, "sans": ["other"]})
    assert (diff.changes, diff.replaces) == (True, ["sans"])


def scraper_props(**changes: Any) -> dict[str, Any]:
    return {"common_name": "prometheus.fabric", "validity_seconds": TWENTY_MINUTES,
            "renew_before_seconds": HALF_HOUR, "renew": True, "ca_cert": None,
            "ca_key": None, "cert": None, "key": None, "not_after": None, **changes}


def test_the_scraper_certificate_is_renewed_by_the_ca_the_nodes_trust():
    provider = ScraperIdentityProvider()
    props = scraper_props()
    outs = dict(provider.create(props).outs or {})
    assert outs["ca_key"]
    news = {**props, "validity_seconds": HOUR}
    renewed = renews(provider, outs, news)
    assert (renewed["ca_cert"], renewed["ca_key"]) == (outs["ca_cert"], outs["ca_key"])
    assert_renewed_with_the_same_key(outs, renewed, outs["ca_cert"])
    assert provider.diff("id", renewed, news).changes is False
    assert provider.diff("id", outs, {**news, "renew": False}).changes is False


def test_a_scraper_state_without_its_ca_key_gets_a_new_ca_and_certificate():
    provider = ScraperIdentityProvider()
    props = scraper_props()
    outs = {k: v for k, v in (provider.create(props).outs or {}).items() if k != "ca_key"}
    renewed = renews(provider, outs, {**props, "validity_seconds": HOUR})
    assert renewed["ca_cert"] != outs["ca_cert"] and renewed["ca_key"]
    cert(renewed["cert"]).verify_directly_issued_by(cert(renewed["ca_cert"]))
    assert cert(renewed["cert"]).subject == cert(outs["cert"]).subject
