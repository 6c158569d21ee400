"""A renewed Admin certificate of an org without NodeOUs into the org's MSP of
a channel, signed with the certificate the channel names now.

Without NodeOUs, an identity is an admin of an MSP only if its certificate
bytes equal one of the MSP's ``admins`` (``admincerts``), and only the org's
Admins policy may change the org's group: the new certificate must go into
the channel config before the admin uses it, by an update its previous
certificate signs (valid still: the renewal happens inside the window). The
org's MSP then lists both, current and previous: Fabric validates an admin
certificate at its NotBefore (``getValidityOptsForCert``) and checks no
expiry when it evaluates signatures, so the previous certificate, once
expired, harms nothing; the next renewal drops it."""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.config_update import (
    SECTIONS,
    ConfigUpdateError,
    applied_config,
    live_config,
    required_signers,
    sign_and_submit,
    update_envelope,
)
from fabric_ops.executor import DEFAULT_TIMEOUT_SECONDS, AdminPaths, CommandResult, Executor

SIGNER_CERT = "signcerts/cert.pem"
SIGNER_KEY = "keystore/priv_sk"


def _msp_config(config: dict[str, Any], msp_id: str) -> dict[str, Any] | None:
    """The ``FabricMSPConfig`` of ``msp_id`` in either section of ``config``."""
    groups = config["channel_group"]["groups"]
    for section in SECTIONS:
        org = groups.get(section, {}).get("groups", {}).get(msp_id)
        if org is not None:
            found: dict[str, Any] = org["values"]["MSP"]["value"]["config"]
            return found
    return None


def msp_admins(config: dict[str, Any], msp_id: str) -> list[str]:
    """The admin certificates (PEM) the channel's MSP of ``msp_id`` lists."""
    msp = _msp_config(config, msp_id)
    if msp is None:
        raise ConfigUpdateError(f"{msp_id} is no org of the channel")
    return [base64.b64decode(entry).decode() for entry in msp.get("admins") or []]


def with_admin_certs(
    config: dict[str, Any], msp_id: str, admin_certs: Sequence[str]
) -> dict[str, Any] | None:
    """``config`` with ``msp_id``'s MSP listing exactly ``admin_certs`` (PEM,
    in that order, as configtxgen renders them from ``admincerts/``); None
    when it lists those already, in any order."""
    if set(msp_admins(config, msp_id)) == set(admin_certs):
        return None
    target = copy.deepcopy(config)
    msp = _msp_config(target, msp_id)
    assert msp is not None
    msp["admins"] = [base64.b64encode(pem.encode()).decode() for pem in admin_certs]
    return target


def signer_msp(ca_cert: str, sign_cert: str, sign_key: str) -> dict[str, bytes]:
    """An MSP folder that signs as ``sign_cert`` (with its key ``sign_key``)
    of the org whose CA is ``ca_cert``; its only admin is that certificate."""
    return {
        "cacerts/ca.pem": ca_cert.encode(),
        "admincerts/admin.pem": sign_cert.encode(),
        SIGNER_CERT: sign_cert.encode(),
        SIGNER_KEY: sign_key.encode(),
    }


@dataclass(frozen=True)
class SigningAs:
    """``inner`` (the org admin's executor, for its tools, TLS client pair and
    CA files) with every ``peer`` command signing as ``msp`` (``signer_msp``);
    other tools never see the key."""

    inner: Executor
    msp: Mapping[str, bytes]

    @property
    def paths(self) -> AdminPaths:
        return self.inner.paths

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, bytes] | None = None,
        outputs: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        signer_msp: Mapping[str, bytes] | None = None,
    ) -> CommandResult:
        if argv[0] == "peer" and signer_msp is None:
            signer_msp = self.msp
        return self.inner.run(argv, env=env, inputs=inputs, outputs=outputs, timeout=timeout,
                              signer_msp=signer_msp)


def rotate_admin_certs(
    reader: Executor, signer: Executor, msp_id: str, orderers: Sequence[Orderer], channel: str,
    admin_certs: Sequence[str],
) -> int:
    """Makes ``channel``'s MSP of ``msp_id`` list ``admin_certs`` and waits
    until the orderers apply it: ``reader`` (the org's admin as it is) fetches
    and computes, ``signer`` signs and submits as an admin the channel names
    now (``SigningAs`` the previous certificate). Returns the number of updates
    submitted: 0 when the channel lists them already (nothing is signed)."""
    current = live_config(reader, orderers, channel)
    target = with_admin_certs(current, msp_id, admin_certs)
    if target is None:
        return 0
    signers = required_signers(current, target, [msp_id])
    sign_and_submit({msp_id: signer}, signers, orderers, channel,
                    update_envelope(reader, channel, current, target))
    applied_config(reader, orderers, channel, target)
    return 1
