"""The crypto dynamic providers called directly, as the engine would: material
is issued once, a re-run with the same inputs changes nothing, and only a change
to what a certificate says re-issues it."""

from __future__ import annotations

from cryptography import x509

from fabric_components.providers.crypto import (
    CertificateAuthoritiesProvider,
    IdentityProvider,
    RandomSecretProvider,
)

CA_PROPS = {
    "org": "Org1",
    "kind": "peer",
    "domain": "org1.example.com",
    "ca_common_name": "ca.org1.example.com",
    "subject": {},
}


def outputs_of(result) -> dict:
    assert result.outs is not None
    return dict(result.outs)


def issue_ca() -> dict:
    return outputs_of(CertificateAuthoritiesProvider().create(dict(CA_PROPS)))


def identity_props(cas: dict, **changes) -> dict:
    props = {
        **CA_PROPS,
        "enable_node_ous": True,
        "common_name": "peer0.org1.example.com",
        "node_ou": "peer",
        "server": True,
        "sans": ["peer0.org1.example.com", "peer0", "peer0-org1.fabric.svc.cluster.local"],
        "node_subject": {},
        **{k: cas[k] for k in ("ca_cert", "ca_key", "tlsca_cert", "tlsca_key")},
    }
    props.update(changes)
    return props


def test_ca_outputs_are_a_ca_pair_and_stable_on_same_inputs():
    cas = issue_ca()
    ca = x509.load_pem_x509_certificate(cas["ca_cert"].encode())
    assert ca.subject.rfc4514_string().startswith("CN=ca.org1.example.com")
    assert "PRIVATE KEY" in cas["ca_key"] and "PRIVATE KEY" in cas["tlsca_key"]
    diff = CertificateAuthoritiesProvider().diff("id", cas, dict(CA_PROPS))
    assert diff.changes is False and diff.replaces == []
    read = CertificateAuthoritiesProvider().read("id", cas)
    assert read.outs == cas


def test_identity_is_issued_by_its_ca_with_the_sans_asked_for():
    cas = issue_ca()
    outs = outputs_of(IdentityProvider().create(identity_props(cas)))
    tls = x509.load_pem_x509_certificate(outs["tls_cert"].encode())
    tlsca = x509.load_pem_x509_certificate(cas["tlsca_cert"].encode())
    assert tls.issuer == tlsca.subject
    sans = tls.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "peer0-org1.fabric.svc.cluster.local" in sans.get_values_for_type(x509.DNSName)
    sign = x509.load_pem_x509_certificate(outs["sign_cert"].encode())
    ou = sign.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert [a.value for a in ou] == ["peer"]


def test_identity_diff_replaces_only_when_the_certificate_content_changes():
    cas = issue_ca()
    provider = IdentityProvider()
    outs = outputs_of(provider.create(identity_props(cas)))
    same = provider.diff("id", outs, identity_props(cas))
    assert same.changes is False
    more_sans = provider.diff("id", outs, identity_props(cas, sans=[*outs["sans"], "x.y"]))
    assert more_sans.changes is True and more_sans.replaces == ["sans"]
    new_ca = provider.diff("id", outs, identity_props(issue_ca()))
    assert set(new_ca.replaces or []) == {"ca_cert", "tlsca_cert"}


def test_user_identity_is_a_client_without_sans():
    cas = issue_ca()
    props = identity_props(cas, common_name="Admin@org1.example.com", node_ou="admin",
                           server=False, sans=[])
    outs = outputs_of(IdentityProvider().create(props))
    sign = x509.load_pem_x509_certificate(outs["sign_cert"].encode())
    assert sign.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == (
        "Admin@org1.example.com"
    )
    ou = sign.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert [a.value for a in ou] == ["admin"]


def test_random_secret_is_generated_once_and_kept():
    provider = RandomSecretProvider()
    outs = outputs_of(provider.create({"purpose": "peer0-org1-couchdb", "length": 24}))
    assert len(outs["value"]) >= 24
    again = outputs_of(provider.create({"purpose": "peer0-org1-couchdb", "length": 24}))
    assert again["value"] != outs["value"]
    diff = provider.diff("id", outs, {"purpose": "peer0-org1-couchdb", "length": 24})
    assert diff.changes is False


def test_identity_takes_the_validity_asked_for_and_reports_its_expiry():
    from datetime import UTC, datetime, timedelta

    outs = outputs_of(IdentityProvider().create(identity_props(issue_ca(), validity_seconds=3600)))
    for which in ("sign", "tls"):
        cert = x509.load_pem_x509_certificate(outs[f"{which}_cert"].encode())
        left = cert.not_valid_after_utc - datetime.now(UTC)
        # notBefore is backdated 5 minutes, as cryptogen's: under an hour is left.
        assert timedelta(minutes=50) < left <= timedelta(hours=1)
        assert outs[f"{which}_not_after"] == cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_identity_diff_ignores_a_new_validity_so_nothing_is_reissued():
    cas = issue_ca()
    provider = IdentityProvider()
    outs = outputs_of(provider.create(identity_props(cas, validity_seconds=3600,
                                                     renew_before_seconds=600)))
    longer = provider.diff("id", outs, identity_props(cas, validity_seconds=90 * 86400,
                                                      renew_before_seconds=600))
    assert longer.changes is False and longer.replaces == []
    # The same change alongside a new SAN still replaces, for the SAN only.
    both = provider.diff("id", outs, identity_props(cas, validity_seconds=60, sans=["x.y"],
                                                    renew_before_seconds=10))
    assert both.replaces == ["sans"]


def test_renewal_due_is_set_on_create_and_recomputed_on_refresh():
    provider = IdentityProvider()
    cas = issue_ca()
    # 55 minutes left (backdated by 5): outside a 30-minute window, inside a 59-minute one.
    outs = outputs_of(provider.create(identity_props(
        cas, validity_seconds=3600, renew_before_seconds=1800)))
    assert outs["renewal_due"] is False
    read = provider.read("id", {**outs, "renew_before_seconds": 59 * 60})
    assert read.outs is not None and read.outs["renewal_due"] is True
    # An identity issued before these outputs existed gets them on refresh, with
    # the default 30-day window (its 55 minutes are inside it).
    old = {k: v for k, v in outs.items()
           if k not in ("sign_not_after", "tls_not_after", "renewal_due", "renew_before_seconds")}
    refreshed = provider.read("id", old).outs
    assert refreshed is not None and refreshed["tls_not_after"] == outs["tls_not_after"]
    assert refreshed["renewal_due"] is True


def public_key_of(pem: str) -> object:
    return x509.load_pem_x509_certificate(pem.encode()).public_key()


def test_an_identity_inside_its_window_is_renewed_with_its_keys_then_left_alone():
    provider = IdentityProvider()
    cas = issue_ca()
    # 55 minutes left: outside a 30-minute window, so the first diff finds nothing.
    props = identity_props(cas, validity_seconds=3600, renew_before_seconds=1800)
    outs = outputs_of(provider.create(props))
    assert provider.diff("id", outs, props).changes is False
    # A wider window (or time passing) puts it inside: an update, not a replace.
    wide = {**props, "renew_before_seconds": 57 * 60}
    due = provider.diff("id", outs, wide)
    assert (due.changes, due.replaces) == (True, [])
    renewed = outputs_of(provider.update("id", outs, wide))
    for which in ("sign", "tls"):
        assert renewed[f"{which}_key"] == outs[f"{which}_key"]
        assert renewed[f"{which}_cert"] != outs[f"{which}_cert"]
        assert public_key_of(renewed[f"{which}_cert"]) == public_key_of(outs[f"{which}_cert"])
        # Renewed 1 minute back, not cryptogen's 5: 59 minutes left, past the old end.
        assert renewed[f"{which}_not_after"] > outs[f"{which}_not_after"]
    # 59 minutes left, outside the 57-minute window: the next up renews nothing.
    assert renewed["renewal_due"] is False
    assert provider.diff("id", renewed, wide).changes is False


def test_a_new_key_generation_renews_with_new_keys_once():
    provider = IdentityProvider()
    cas = issue_ca()
    props = identity_props(cas, renew_before_seconds=600)
    outs = outputs_of(provider.create(props))
    # State written before key generations existed counts as generation 0.
    legacy = {k: v for k, v in outs.items() if k != "key_generation"}
    assert provider.diff("id", legacy, {**props, "key_generation": 0}).changes is False
    rotate = {**props, "key_generation": 1}
    diff = provider.diff("id", legacy, rotate)
    assert (diff.changes, diff.replaces) == (True, [])
    rotated = outputs_of(provider.update("id", legacy, rotate))
    for which in ("sign", "tls"):
        assert rotated[f"{which}_key"] != outs[f"{which}_key"]
        assert public_key_of(rotated[f"{which}_cert"]) != public_key_of(outs[f"{which}_cert"])
    assert rotated["common_name"] == outs["common_name"] and rotated["key_generation"] == 1
    assert provider.diff("id", rotated, rotate).changes is False


def test_the_admin_of_an_org_without_node_ous_is_renewed_with_its_key():
    # Its channels name it by its certificate: its org's AdminCertRotation
    # lists the renewed one there (beside this one) before it is used.
    provider = IdentityProvider()
    props = identity_props(issue_ca(), common_name="Admin@org1.example.com", node_ou="admin",
                           server=False, sans=[], enable_node_ous=False,
                           validity_seconds=3600, renew_before_seconds=59 * 60)
    outs = outputs_of(provider.create(props))
    assert outs["renewal_due"] is True
    assert provider.diff("id", outs, props).changes is True
    renewed = outputs_of(provider.update("id", outs, props))
    assert renewed["sign_cert"] != outs["sign_cert"]
    assert renewed["sign_key"] == outs["sign_key"]


def test_an_identity_registered_without_renewal_is_left_alone_but_a_new_key_still_applies():
    provider = IdentityProvider()
    props = identity_props(issue_ca(), validity_seconds=3600, renew_before_seconds=59 * 60,
                           renew=False)
    outs = outputs_of(provider.create(props))
    assert outs["renewal_due"] is True
    assert provider.diff("id", outs, props).changes is False
    assert provider.diff("id", outs, {**props, "key_generation": 1}).changes is True
