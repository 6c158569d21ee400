"""Which config a consenter's new TLS certificate makes, on config documents
shaped as configtxlator decodes them."""

from __future__ import annotations

import base64
from datetime import timedelta

from crypto import issue_user, new_org_cas
from crypto.renewal import renew_identity
from fabric_ops.channel_summary import consenters
from fabric_ops.consenter_rotation import with_consenter_certificate
from network_spec import CaSpec, OrgKind, OrgSpec, Subject

PEM = "-----BEGIN CERTIFICATE-----\nnew\n-----END CERTIFICATE-----\n"
NEW = base64.b64encode(PEM.encode()).decode()


def config() -> dict:
    entries = [{"host": f"orderer{n}", "port": 7050, "client_tls_cert": f"c{n}",
                "server_tls_cert": f"c{n}"} for n in range(3)]
    orderer = {"groups": {}, "values": {"ConsensusType": {"value": {
        "metadata": {"consenters": entries}, "type": "etcdraft"}}}}
    return {"channel_group": {"groups": {"Orderer": orderer}, "values": {}}}


def test_the_consenter_at_the_address_pins_the_new_certificate_in_place():
    current = config()
    target = with_consenter_certificate(current, "orderer1:7050", PEM)
    assert target is not None
    assert [(c["host"], c["client_tls_cert"], c["server_tls_cert"])
            for c in consenters(target)] == [
        ("orderer0", "c0", "c0"), ("orderer1", NEW, NEW), ("orderer2", "c2", "c2")]
    assert consenters(current)[1]["client_tls_cert"] == "c1"  # the input is left alone


def test_nothing_to_change_for_the_same_key_or_an_unknown_address():
    org = OrgSpec(name="Orderer", domain="example.com", kind=OrgKind.ORDERER,
                  msp_id="OrdererMSP", enable_node_ous=True, nodes=(), users=0,
                  k8s_name="orderer", ca=CaSpec(common_name="ca.example.com", subject=Subject()))
    cas = new_org_cas(org)
    first = issue_user(org, cas, "Admin@example.com", admin=True)
    pinned = with_consenter_certificate(config(), "orderer1:7050", first.tls.cert_pem)
    assert pinned is not None
    renewed = renew_identity(cas, first, timedelta(hours=1))
    rekeyed = renew_identity(cas, first, timedelta(hours=1), new_key=True)
    assert renewed.tls.cert_pem != first.tls.cert_pem
    assert with_consenter_certificate(pinned, "orderer1:7050", renewed.tls.cert_pem) is None
    assert with_consenter_certificate(pinned, "orderer1:7050", rekeyed.tls.cert_pem) is not None
    assert with_consenter_certificate(config(), "orderer9:7050", PEM) is None
