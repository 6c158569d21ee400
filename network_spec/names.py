"""Naming rules: Kubernetes (DNS-1123) and Fabric (channels, chaincodes).

Each ``*_problem`` function returns ``None`` for a good name, otherwise the
sentence that explains the rule to the user.
"""

from __future__ import annotations

import re

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_LABEL_MAX = 63
_DNS_SUBDOMAIN_MAX = 253

DNS_LABEL_RULE = (
    "a DNS-1123 label: lowercase letters, digits and '-', starting and ending "
    f"with a letter or digit, at most {_DNS_LABEL_MAX} characters"
)
DNS_NAME_RULE = (
    "a DNS-1123 subdomain: dot-separated DNS-1123 labels (lowercase letters, digits "
    f"and '-', each starting and ending with a letter or digit), at most "
    f"{_DNS_SUBDOMAIN_MAX} characters"
)

# Fabric's common/configtx/validator.go.
_CHANNEL_NAME = re.compile(r"[a-z][a-z0-9.-]*")
_CHANNEL_NAME_MAX = 249
# Fabric's core/chaincode/lifecycle (name, version) and persistence (label).
_CHAINCODE_NAME = re.compile(r"[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*")
_CHAINCODE_VERSION = re.compile(r"[A-Za-z0-9_.+-]+")
_CHAINCODE_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")
_SYSTEM_CHAINCODES = frozenset({"cscc", "escc", "lscc", "qscc", "vscc"})


def org_k8s_name(org_name: str) -> str:
    """Kubernetes name of an org: its name lowercased (``Org1`` -> ``org1``)."""
    return org_name.lower()


def node_k8s_name(hostname: str, org_name: str) -> str:
    """Kubernetes name of a node: ``<hostname>-<org name lowercased>``."""
    return f"{hostname}-{org_k8s_name(org_name)}"


def is_dns_label(name: str) -> bool:
    return len(name) <= _DNS_LABEL_MAX and _DNS_LABEL.fullmatch(name) is not None


def is_dns_name(name: str) -> bool:
    """A DNS-1123 subdomain, e.g. ``peer0.org1.example.com``."""
    return len(name) <= _DNS_SUBDOMAIN_MAX and all(
        _DNS_LABEL.fullmatch(label) is not None and len(label) <= _DNS_LABEL_MAX
        for label in name.split(".")
    )


def org_name_problem(name: str) -> str | None:
    k8s_name = org_k8s_name(name)
    if is_dns_label(k8s_name):
        return None
    return (
        f"org name {name!r} cannot become a Kubernetes name: the name lowercased "
        f"({k8s_name!r}) names the org's Kubernetes objects and must be {DNS_LABEL_RULE}"
    )


def dns_label_problem(what: str, name: str) -> str | None:
    if is_dns_label(name):
        return None
    return f"{what} {name!r} must be {DNS_LABEL_RULE}"


def hostname_problem(hostname: str, org_name: str) -> str | None:
    """A node's hostname is a TLS SAN and, with its org, its Kubernetes name."""
    problem = dns_label_problem("hostname", hostname)
    if problem:
        return problem
    k8s_name = node_k8s_name(hostname, org_name)
    if len(k8s_name) > _DNS_LABEL_MAX:
        return (
            f"hostname {hostname!r} gives the Kubernetes name {k8s_name!r} "
            f"({len(k8s_name)} characters): '<hostname>-<org name lowercased>' must be "
            f"{DNS_LABEL_RULE}"
        )
    return None


def dns_name_problem(what: str, name: str) -> str | None:
    if is_dns_name(name):
        return None
    return f"{what} {name!r} must be {DNS_NAME_RULE}"


def channel_name_problem(name: str) -> str | None:
    if _CHANNEL_NAME.fullmatch(name) and len(name) <= _CHANNEL_NAME_MAX:
        return None
    return (
        f"invalid channel name {name!r}: Fabric channel names start with a lowercase "
        f"letter, contain only lowercase letters, digits, '.' and '-', and are at most "
        f"{_CHANNEL_NAME_MAX} characters"
    )


def chaincode_name_problem(name: str) -> str | None:
    if name in _SYSTEM_CHAINCODES:
        return f"chaincode name '{name}' is the name of a Fabric system chaincode"
    if _CHAINCODE_NAME.fullmatch(name):
        return None
    return (
        f"invalid chaincode name {name!r}: Fabric chaincode names consist of letters "
        "and digits, optionally joined by single '-' or '_'"
    )


def chaincode_version_problem(version: str) -> str | None:
    if _CHAINCODE_VERSION.fullmatch(version):
        return None
    return (
        f"invalid chaincode version {version!r}: Fabric chaincode versions consist only "
        "of letters, digits, '_', '-', '+' and '.'"
    )


def chaincode_label_problem(label: str) -> str | None:
    if _CHAINCODE_LABEL.fullmatch(label):
        return None
    return (
        f"invalid chaincode label {label!r}: Fabric package labels start with a letter "
        "or digit and contain only letters, digits, '_', '.', '+' and '-'"
    )
