"""cryptogen's expansion of an org's ``CA``, ``Specs`` and ``Template`` into nodes.

Explicit ``Specs`` come first, then the ``Template`` nodes (hostnames
``{{.Prefix}}{{.Index}}`` by default, Index from ``Start`` to ``Start+Count-1``).
A node's CommonName defaults to ``{{.Hostname}}.{{.Domain}}``; its TLS SANs are
the CommonName, the hostname, then the rendered ``SANS``, without repeats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from network_spec.fields import Field, Record
from network_spec.limits import MAX_TEMPLATE_COUNT
from network_spec.model import CaSpec, NodeSpec, Subject
from network_spec.names import (
    dns_label_problem,
    dns_name_problem,
    hostname_problem,
    node_k8s_name,
)
from network_spec.templates import TemplateError, render
from network_spec.x509_fields import san_problem, subject_field_problem

DEFAULT_HOSTNAME_TEMPLATE = "{{.Prefix}}{{.Index}}"
DEFAULT_COMMON_NAME_TEMPLATE = "{{.Hostname}}.{{.Domain}}"
DEFAULT_CA_HOSTNAME = "ca"

SUBJECT_KEYS = (
    "Country",
    "Province",
    "Locality",
    "OrganizationalUnit",
    "StreetAddress",
    "PostalCode",
)
SPEC_KEYS = ("Hostname", "CommonName", *SUBJECT_KEYS, "SANS")
TEMPLATE_KEYS = ("Count", "Start", "Hostname", "SANS")


@dataclass(frozen=True)
class PlacedNode:
    """A node and the fields it came from, for messages about it."""

    node: NodeSpec
    owner: str
    """Where the node is defined, e.g. ``PeerOrgs[0].Specs[1]`` or
    ``PeerOrgs[0].Template (Index 2)``."""
    hostname_at: Field
    common_name_at: Field


@dataclass(frozen=True)
class _Org:
    name: str
    domain: str


def _render(template: str, values: Mapping[str, str | int], at: Field) -> str:
    try:
        return render(template, values)
    except TemplateError as error:
        raise at.error(str(error)) from None


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _subject(spec: Record) -> Subject:
    return Subject(
        country=_subject_field(spec, "Country"),
        province=_subject_field(spec, "Province"),
        locality=_subject_field(spec, "Locality"),
        organizational_unit=_subject_field(spec, "OrganizationalUnit"),
        street_address=_subject_field(spec, "StreetAddress"),
        postal_code=_subject_field(spec, "PostalCode"),
    )


def _subject_field(spec: Record, key: str) -> str:
    found = spec.get(key)
    if found is None:
        return ""
    value = found.text(allow_empty=True)
    problem = subject_field_problem(key, value)
    if problem:
        raise found.error(problem)
    return value


def _common_name(hostname: str, org: _Org, template: Field | None, at: Field) -> tuple[str, Field]:
    text = DEFAULT_COMMON_NAME_TEMPLATE if template is None else template.text()
    where = at if template is None else template
    common_name = _render(text, {"Hostname": hostname, "Domain": org.domain}, where)
    problem = dns_name_problem("common name", common_name)
    if problem:
        raise where.error(problem)
    return common_name, where


def _sans(hostname: str, common_name: str, org: _Org, sans: list[Field]) -> tuple[str, ...]:
    values = {"Hostname": hostname, "Domain": org.domain, "CommonName": common_name}
    rendered = []
    for san in sans:
        text = _render(san.text(), values, san)
        if not text.strip():
            raise san.error(f"SAN '{san.value}' renders to an empty string")
        problem = san_problem(text)
        if problem:
            raise san.error(problem)
        rendered.append(text)
    return _unique([common_name, hostname, *rendered])


def _node(
    hostname: str,
    org: _Org,
    *,
    owner: str,
    hostname_at: Field,
    common_name: Field | None,
    sans: list[Field],
    subject: Subject,
) -> PlacedNode:
    problem = hostname_problem(hostname, org.name)
    if problem:
        raise hostname_at.error(problem)
    cn, cn_at = _common_name(hostname, org, common_name, hostname_at)
    node = NodeSpec(
        hostname=hostname,
        common_name=cn,
        sans=_sans(hostname, cn, org, sans),
        k8s_name=node_k8s_name(hostname, org.name),
        subject=subject,
    )
    return PlacedNode(node, owner, hostname_at, cn_at)


def _spec_node(item: Field, org: _Org) -> PlacedNode:
    spec = item.record(SPEC_KEYS)
    hostname_at = spec.require("Hostname")
    return _node(
        hostname_at.text(),
        org,
        owner=item.path,
        hostname_at=hostname_at,
        common_name=spec.get("CommonName"),
        sans=spec.items("SANS"),
        subject=_subject(spec),
    )


def _template_nodes(field: Field, org: _Org, prefix: str) -> list[PlacedNode]:
    template = field.record(TEMPLATE_KEYS)
    count_at = template.require("Count")
    count = count_at.integer()
    if count < 1:
        raise count_at.error(
            f"must be at least 1, got {count}; remove Template for an org without template nodes"
        )
    if count > MAX_TEMPLATE_COUNT:
        raise count_at.error(f"must be at most {MAX_TEMPLATE_COUNT}, got {count}")
    start_at = template.get("Start")
    start = 0 if start_at is None else start_at.integer()
    if start_at is not None and start < 0:
        raise start_at.error(f"must be 0 or more, got {start}")
    hostname_template = template.get("Hostname")
    text = DEFAULT_HOSTNAME_TEMPLATE if hostname_template is None else hostname_template.text()
    hostname_at = field if hostname_template is None else hostname_template
    sans = template.items("SANS")
    nodes = []
    for index in range(start, start + count):
        values: dict[str, str | int] = {"Prefix": prefix, "Index": index, "Domain": org.domain}
        nodes.append(
            _node(
                _render(text, values, hostname_at),
                org,
                owner=f"{field.path} (Index {index})",
                hostname_at=hostname_at,
                common_name=None,
                sans=sans,
                subject=Subject(),
            )
        )
    return nodes


def expand_nodes(org: Record, name: str, domain: str, prefix: str) -> list[PlacedNode]:
    """The org's nodes in cryptogen's order: ``Specs``, then ``Template`` nodes."""
    owner = _Org(name, domain)
    nodes = [_spec_node(item, owner) for item in org.items("Specs")]
    template = org.get("Template")
    if template is not None:
        nodes.extend(_template_nodes(template, owner, prefix))
    return nodes


def read_ca(org: Record, domain: str) -> CaSpec:
    """The org's CA: hostname ``ca`` and CN ``ca.<domain>`` unless its ``CA`` spec says
    otherwise. SANs follow the node rule (cryptogen computes them, though it puts
    none in CA certificates)."""
    field = org.get("CA") or org.field.key("CA", {})
    spec = field.record(SPEC_KEYS)
    hostname_at = spec.get("Hostname") or field
    hostname = spec.text("Hostname", DEFAULT_CA_HOSTNAME)
    problem = dns_label_problem("CA hostname", hostname)
    if problem:
        raise hostname_at.error(problem)
    ca_org = _Org("", domain)
    common_name, _ = _common_name(hostname, ca_org, spec.get("CommonName"), hostname_at)
    return CaSpec(
        hostname=hostname,
        common_name=common_name,
        subject=_subject(spec),
        sans=_sans(hostname, common_name, ca_org, spec.items("SANS")),
    )
