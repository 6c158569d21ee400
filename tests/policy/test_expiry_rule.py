"""The stack-level expiry rule over the resources the program registers (their
outputs, as the engine hands the pack a stack's state): it fails once a
certificate is inside the horizon, and passes freshly issued short-lived ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from policy.rules import EXPIRY_RULE, certificates_expiring, horizon_of
from tests.components.mocks import plain
from tests.components.program import run_sample


def state(**config: str) -> list[tuple[str, dict]]:
    mocks, _ = run_sample("simple", **config)
    return [(r.typ, plain(r.outputs)) for r in mocks.resources]


def test_short_lived_certificates_outside_their_window_pass():
    # 55 minutes left (cryptogen backdates by 5), a 30-minute window.
    assert EXPIRY_RULE.check(state(certValidity="1h", certRenewBefore="30m")) == []


def test_certificates_inside_their_window_fail_the_stack():
    violations = EXPIRY_RULE.check(state(certValidity="1h", certRenewBefore="58m"))
    assert any(v.startswith("peer0.org1.example.com tls: expires ") for v in violations)
    assert any(v.startswith("Admin@org1.example.com sign: expires ") for v in violations)
    assert all("within 0:58:00" in v for v in violations)
    assert any(v.startswith("basic-org1.fabric.svc.cluster.local cert: expires ")
               for v in violations)
    assert not any(v.startswith("ca.") or v.startswith("tlsca.") for v in violations)


def test_a_configured_horizon_overrides_each_identitys_window():
    resources = state()
    assert certificates_expiring(resources) == []
    assert certificates_expiring(resources, timedelta(days=3640)) == []
    # Ten years ahead every certificate, CAs included, is inside the horizon.
    every = certificates_expiring(resources, timedelta(days=3651))
    assert any(v.startswith("ca.org1.example.com ca: ") for v in every)
    assert any(v.startswith("ca.org1.example.com tlsca: ") for v in every)


def test_the_horizon_is_read_strictly_from_the_policy_config():
    assert horizon_of({}) is None
    assert horizon_of({"horizon": "14d"}) == timedelta(days=14)
    with pytest.raises(ValueError, match="horizon: '2 weeks' is not valid"):
        horizon_of({"horizon": "2 weeks"})
    with pytest.raises(ValueError, match="horizon: '0m' is not valid"):
        horizon_of({"horizon": "0m"})
