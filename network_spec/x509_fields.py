"""What certificates can hold: the x509 subject fields of cryptogen's specs and
the TLS SANs. A value that certificate issuance refuses (a Country that is not
two letters) or that no TLS client can match (a SAN that is neither a DNS name
nor an IP address) is refused when the file is loaded, not when crypto material
is issued during ``pulumi up``."""

from __future__ import annotations

import ipaddress
import re

from network_spec.names import is_dns_name

_COUNTRY = re.compile(r"[A-Za-z]{2}")
_NUMERIC_LABEL = re.compile(r"[0-9]+")
UPPER_BOUNDS = {
    "Province": 128,
    "Locality": 128,
    "OrganizationalUnit": 64,
    "StreetAddress": 128,
    "PostalCode": 40,
}
"""RFC 5280's upper bounds (ub-state-name, ub-locality-name,
ub-organizational-unit-name; X.520's for street address and postal code)."""


def subject_field_problem(key: str, value: str) -> str | None:
    if key == "Country":
        if value and not _COUNTRY.fullmatch(value):
            return f"{value!r} is not a country: an x509 Country is a 2-letter code such as US"
        return None
    if any(not character.isprintable() for character in value):
        return f"{value!r} contains control characters"
    bound = UPPER_BOUNDS[key]
    if len(value) > bound:
        return f"has {len(value)} characters; an x509 {key} has at most {bound}"
    return None


def san_problem(san: str) -> str | None:
    """A SAN is an IP address, or a DNS name (its first label may be ``*``)."""
    try:
        ipaddress.ip_address(san)
        return None
    except ValueError:
        pass
    name = san.lower()
    if name.startswith("*."):
        name = name[2:]
    if is_dns_name(name) and _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1]):
        # 300.1.1.1 would go in as a DNS name that no client dialing it matches.
        return f"SAN {san!r} ends in a numeric label, but is not an IP address"
    if is_dns_name(name):
        return None
    return (
        f"SAN {san!r} is neither an IP address nor a DNS name (dot-separated labels of "
        "letters, digits and '-', each starting and ending with a letter or digit; "
        "optionally '*.' first)"
    )
