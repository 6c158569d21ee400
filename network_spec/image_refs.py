"""Container image references as the container runtime parses them
(``[registry[:port]/]path[:tag][@digest]``): a reference it cannot parse makes
every pod that uses it fail to start (``InvalidImageName``) long after
``pulumi up`` registered it, so the loader refuses it first."""

from __future__ import annotations

import re

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"(?P<name>(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)(?::{_TAG})?(?:@{_DIGEST})?"
)
_NAME_MAX = 255

IMAGE_RULE = (
    "an image reference [registry[:port]/]path[:tag][@digest], with a lowercase path "
    "(letters, digits, and '.', '_' or '-' between them), e.g. docker.io/hyperledger/"
    "fabric-peer:2.5.9"
)


def image_reference_problem(what: str, reference: str) -> str | None:
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        return f"{what} {reference!r} is not {IMAGE_RULE}"
    if len(match.group("name")) > _NAME_MAX:
        return f"{what} {reference!r} has a name longer than {_NAME_MAX} characters"
    return None
