"""The subset of Go's text/template that cryptogen's crypto-config.yaml uses:
field references such as ``{{.Prefix}}{{.Index}}`` or ``{{ .Hostname }}``.

Which fields exist depends on where the template sits (see cryptogen):
``Template.Hostname`` has ``.Prefix``, ``.Index``, ``.Domain``; ``CommonName`` has
``.Hostname``, ``.Domain``; ``SANS`` entries have ``.Hostname``, ``.Domain``,
``.CommonName``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_ACTION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_FIELD_REFERENCE = re.compile(r"\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*")


class TemplateError(ValueError):
    """A template this subset cannot render; the text is the user's message."""


def _listing(names: Mapping[str, object]) -> str:
    return ", ".join(f"{{{{.{name}}}}}" for name in names)


def render(template: str, values: Mapping[str, str | int]) -> str:
    """Replace each ``{{.Field}}`` with ``values[Field]``; other text is kept."""
    parts: list[str] = []
    position = 0
    for action in _ACTION.finditer(template):
        parts.append(template[position : action.start()])
        reference = _FIELD_REFERENCE.fullmatch(action.group(1))
        if reference is None:
            raise TemplateError(
                f"unsupported template action '{action.group(0)}' in '{template}'; "
                f"only field references are supported here: {_listing(values)}"
            )
        name = reference.group(1)
        if name not in values:
            raise TemplateError(
                f"unknown template field '{{{{.{name}}}}}' in '{template}'; "
                f"available here: {_listing(values)}"
            )
        parts.append(str(values[name]))
        position = action.end()
    rest = template[position:]
    if "{{" in rest:
        raise TemplateError(f"unclosed '{{{{' in template '{template}'")
    parts.append(rest)
    return "".join(parts)
