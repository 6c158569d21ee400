"""x509 subject names laid out as cryptogen's (Go's ``pkix.Name``) are.

Go writes the attributes in the order C, ST, L, STREET, postalCode, O, OU, CN, one
RDN per attribute type (several OUs share one multi-valued RDN), and encodes each
value as a PrintableString when its characters allow, else as a UTF8String.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from network_spec import Subject

DEFAULT_COUNTRY = "US"
DEFAULT_PROVINCE = "California"
DEFAULT_LOCALITY = "San Francisco"

_PRINTABLE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '()+,-./:=?")


def _attribute(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute[str]:
    kind = _ASN1Type.PrintableString if set(value) <= _PRINTABLE else _ASN1Type.UTF8String
    return x509.NameAttribute(oid, value, _type=kind)


def subject_name(
    subject: Subject,
    common_name: str,
    organization: str = "",
    organizational_units: Sequence[str] = (),
) -> x509.Name:
    """The subject cryptogen gives a certificate.

    ``subject`` is the org's CA subject (cryptogen copies the CA's fields into every
    certificate the CA signs); its OU, if any, comes before ``organizational_units``.
    ``organization`` is set on CA certificates only.
    """
    ous = [subject.organizational_unit] if subject.organizational_unit else []
    ous += [ou for ou in organizational_units if ou not in ous]
    groups: list[tuple[x509.ObjectIdentifier, Sequence[str]]] = [
        (NameOID.COUNTRY_NAME, [subject.country or DEFAULT_COUNTRY]),
        (NameOID.STATE_OR_PROVINCE_NAME, [subject.province or DEFAULT_PROVINCE]),
        (NameOID.LOCALITY_NAME, [subject.locality or DEFAULT_LOCALITY]),
        (NameOID.STREET_ADDRESS, [subject.street_address] if subject.street_address else []),
        (NameOID.POSTAL_CODE, [subject.postal_code] if subject.postal_code else []),
        (NameOID.ORGANIZATION_NAME, [organization] if organization else []),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, ous),
        (NameOID.COMMON_NAME, [common_name]),
    ]
    return x509.Name(
        [
            x509.RelativeDistinguishedName([_attribute(oid, value) for value in values])
            for oid, values in groups
            if values
        ]
    )
