"""Renewal of a lone TLS certificate kept in state with its key (a chaincode
server's, the metrics scraper's), as the identities are renewed
(``providers/crypto.py``): inside its renewal window, at a preview or up, the
same CA issues it again with the same key, so whoever checks it against that
CA needs no change; what serves or presents it restarts through its pod
annotation. Providers import inside their methods: see ``providers/crypto.py``."""

from __future__ import annotations

from typing import Any


def leaf_renewal_due(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """Whether the certificate ``olds["cert"]`` is inside the renewal window
    ``news`` asks for (``renew_before_seconds``), unless ``news`` turns renewal
    off (``renew`` False: ``fabric:certRenewal``)."""
    from datetime import timedelta

    from crypto.expiry import RENEW_BEFORE, not_after, renewal_due

    if news.get("renew") is False or not olds.get("cert"):
        return False
    seconds = news.get("renew_before_seconds")
    window = timedelta(seconds=int(seconds)) if seconds else RENEW_BEFORE
    return renewal_due(not_after(olds["cert"]), window)


def renewed_leaf(ca_cert: str, ca_key: str, olds: dict[str, Any],
                 news: dict[str, Any]) -> dict[str, str]:
    """``cert`` (``olds``' renewed by the CA, same key, for ``news``'
    ``validity_seconds``), ``key`` and ``not_after``."""
    from datetime import timedelta

    from crypto import KeyPair
    from crypto.certificates import VALIDITY
    from crypto.expiry import iso_utc, not_after
    from crypto.renewal import renew_certificate

    seconds = news.get("validity_seconds")
    validity = timedelta(seconds=int(seconds)) if seconds else VALIDITY
    renewed = renew_certificate(KeyPair(ca_cert, ca_key), KeyPair(olds["cert"], olds["key"]),
                                validity)
    return {"cert": renewed.cert_pem, "key": renewed.key_pem,
            "not_after": iso_utc(not_after(renewed.cert_pem))}
