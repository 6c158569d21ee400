"""A consenter's new TLS certificate into a channel's consenter set, before the
node presents it.

Raft pins each consenter by its TLS certificate (compared by public key), so a
node that restarts with a new key is cut off from its cluster until the channel
names the new certificate. The update replaces the consenter's entry in place
(Fabric takes one consenter added and one removed in an update as a rotation),
and is waited for; the node still runs on its old certificate meanwhile, one
member of the cluster out of step, so one consenter is rotated at a time."""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.channel_summary import consenter_address, consenters
from fabric_ops.config_update import (
    applied_config,
    live_config,
    required_signers,
    sign_and_submit,
    update_envelope,
)
from fabric_ops.executor import Executor


def same_key(pinned: str, tls_cert_pem: str) -> bool:
    """Whether the pinned certificate (base64 of its PEM, as in the config) and
    ``tls_cert_pem`` hold the same public key."""
    try:
        old = x509.load_pem_x509_certificate(base64.b64decode(pinned))
        new = x509.load_pem_x509_certificate(tls_cert_pem.encode())
    except ValueError:
        return False
    return bool(old.public_key() == new.public_key())


def with_consenter_certificate(
    config: dict[str, Any], address: str, tls_cert_pem: str
) -> dict[str, Any] | None:
    """``config`` with the consenter at ``address`` pinning ``tls_cert_pem``
    (client and server); None when no consenter is at ``address`` or it pins
    a certificate of the same key already (Fabric compares public keys: a
    renewed certificate needs no update)."""
    cert = base64.b64encode(tls_cert_pem.encode()).decode()
    for consenter in consenters(config):
        if consenter_address(consenter) != address:
            continue
        if all(same_key(consenter[which], tls_cert_pem)
               for which in ("client_tls_cert", "server_tls_cert")):
            return None
        target = copy.deepcopy(config)
        for entry in consenters(target):
            if consenter_address(entry) == address:
                entry["client_tls_cert"] = entry["server_tls_cert"] = cert
        return target
    return None


def rotate_consenter(
    executors: Mapping[str, Executor], reader: str, orderers: Sequence[Orderer], channel: str,
    address: str, tls_cert_pem: str,
) -> int:
    """Makes ``channel`` pin ``tls_cert_pem`` for its consenter at ``address``
    and waits until the orderers apply it. ``executors`` by MSP ID (the admins
    that may sign), ``reader`` the one that fetches. Returns the number of
    updates submitted: 0 when nothing is to change."""
    tools = executors[reader]
    current = live_config(tools, orderers, channel)
    target = with_consenter_certificate(current, address, tls_cert_pem)
    if target is None:
        return 0
    signers = required_signers(current, target, list(executors))
    sign_and_submit(executors, signers, orderers, channel,
                    update_envelope(tools, channel, current, target))
    applied_config(tools, orderers, channel, target)
    return 1
