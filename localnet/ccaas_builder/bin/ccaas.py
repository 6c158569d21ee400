"""Fabric's chaincode-as-a-service external builder in stdlib Python.

The same contract as the ``ccaas_builder`` Fabric 2.5.9 ships in its peer image
(``ccaas_builder/cmd/{detect,build,release}``), for peers that run outside that
image: the local network runs the peer binary on this machine, and the Go
module of the official builder cannot be fetched here. The official peer image
has no Python and runs its own builder at /opt/hyperledger/ccaas_builder; the
peer image the project builds (tools/images) puts this one at that path.

Behaviour kept from Fabric's builder:

* detect and build accept ``metadata.json`` whose ``type`` is ``ccaas`` in any
  letter case; JSON is read the way Go's encoding/json fills a struct (keys
  match case-insensitively, unknown keys are ignored, ``null`` is the zero
  value, a value of the wrong type is an error).
* build copies the metadata directory and ``META-INF`` to the output, and
  rewrites ``connection.json`` with its string fields expanded as Go templates
  over the JSON object in ``CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG`` (the TLS
  fields only when ``tls_required``, which also gates ``client_auth_required``).
* release copies ``META-INF/statedb`` (CouchDB indexes) to ``statedb`` and
  ``connection.json`` to ``chaincode/server/connection.json``; it does no
  templating.

Deliberate differences:

* build also runs the checks the peer makes when it launches the chaincode
  (``core/container/externalbuilder/instance.go``): a non-empty address, a
  ``dial_timeout`` Go can parse (the official build writes ``""`` when it is
  missing, which the peer rejects), and the TLS fields ``tls_required`` needs.
  Fabric's build accepts such packages and every invoke then fails; here
  ``peer lifecycle chaincode install`` fails with the reason.
* Templates support text and field references (``{{.peername}}``,
  ``{{ .a.b }}``, with ``{{-``/``-}}`` trimming) printing strings, numbers,
  booleans and null; anything else in ``{{ }}`` is an error rather than Go's
  full template language.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

CONFIG_VARIABLE = "CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"


class BuilderError(Exception):
    """Bad input: reported to the peer on stderr with a non-zero exit."""


# --- JSON the way Go's encoding/json reads it ----------------------------------------------


class _Object(list[tuple[str, object]]):
    """A JSON object as its (key, value) pairs in document order."""


def _json_kind(value: object) -> str:
    """What a parsed JSON value is, for messages: "a string", "an object", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object" if isinstance(value, _Object | dict) else "an array"


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(data: bytes, what: str) -> object:
    """Strict JSON (no NaN/Infinity, UTF-8 only, as Go), objects as ``_Object``
    so a duplicate key can win over an earlier one, as in Go."""
    try:
        return json.loads(
            data.decode("utf-8", errors="replace"),
            object_pairs_hook=_Object,
            parse_constant=_reject_constant,
        )
    except ValueError as error:
        raise BuilderError(f"{what} is not valid JSON: {error}") from None


def _struct(data: bytes, what: str, fields: dict[str, type]) -> dict[str, object]:
    """``fields`` (name -> str or bool) read from a JSON object as Go fills a
    struct with those json tags; missing fields get the zero value."""
    values: dict[str, object] = {name: kind() for name, kind in fields.items()}
    document = _parse_json(data, what)
    if document is None:
        return values
    if not isinstance(document, _Object):
        raise BuilderError(f"{what} must hold a JSON object, not {_json_kind(document)}")
    by_folded = {name.casefold(): name for name in fields}
    for key, value in document:
        name = key if key in fields else by_folded.get(key.casefold())
        if name is None or value is None:
            continue
        kind = fields[name]
        if type(value) is not kind:
            wanted = "string" if kind is str else "boolean"
            raise BuilderError(
                f"{what}: field '{name}' must be a {wanted}, not {_json_kind(value)}"
            )
        values[name] = value
    return values


def _plain(value: object) -> object:
    """A parsed value with objects as dicts (last duplicate key wins)."""
    if isinstance(value, _Object):
        return {key: _plain(item) for key, item in value}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _builder_config() -> dict[str, object]:
    text = os.environ.get(CONFIG_VARIABLE, "")
    if not text:
        return {}
    config = _plain(_parse_json(text.encode(), CONFIG_VARIABLE))
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise BuilderError(f"{CONFIG_VARIABLE} must hold a JSON object, not {_json_kind(config)}")
    return config


# --- Go templates: text and field references -----------------------------------------------

_FIELDS = re.compile(r"(?:\.[^\W\d]\w*)+")
_GO_SPACE = " \t\r\n"


def _go_number(value: float) -> str:
    """fmt's ``%v`` of a float64 (Go decodes every JSON number as one): the
    shortest digits, in e-notation when the exponent is below -4 or at least 6
    (so 9999 -> ``9999`` but 1000000 -> ``1e+06``, as the official builder prints)."""
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    point = len(digits) + exponent - 1
    if -4 <= point < 6:
        return f"{Decimal(repr(value)).normalize():f}"
    text = "".join(map(str, digits))
    mantissa = text[0] + (f".{text[1:]}" if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'+' if point >= 0 else '-'}{abs(point):02d}"


def _lookup(config: dict[str, object], reference: str) -> str:
    value: object = config
    for key in reference[1:].split("."):
        if isinstance(value, dict):
            if key not in value:
                raise BuilderError(f'{CONFIG_VARIABLE} has no entry for key "{key}" ({reference})')
            value = value[key]
        else:
            raise BuilderError(f"cannot look up '{key}' in {_json_kind(value)} ({reference})")
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        try:
            return _go_number(float(value))
        except OverflowError:
            raise BuilderError(f"{reference}: number out of range") from None
    if isinstance(value, str):
        return value
    raise BuilderError(f"{reference} is {_json_kind(value)}; only scalars can be printed")


def expand(template: str, config: dict[str, object]) -> str:
    """``template`` with each ``{{ .a.b }}`` replaced by that value of ``config``."""
    out: list[str] = []
    position = 0
    while (start := template.find("{{", position)) >= 0:
        end = template.find("}}", start + 2)
        if end < 0:
            raise BuilderError(f"unclosed action in template {template!r}")
        out.append(template[position:start])
        body = template[start + 2 : end]
        if len(body) >= 2 and body[0] == "-" and body[1] in _GO_SPACE:
            out[-1] = out[-1].rstrip(_GO_SPACE)
            body = body[1:]
        position = end + 2
        if len(body) >= 2 and body[-1] == "-" and body[-2] in _GO_SPACE:
            body = body[:-1]
            while position < len(template) and template[position] in _GO_SPACE:
                position += 1
        reference = body.strip(_GO_SPACE)
        if not _FIELDS.fullmatch(reference):
            raise BuilderError(
                f"unsupported template action {{{{{body}}}}} in {template!r}: "
                "only field references such as {{.peername}} are supported"
            )
        out.append(_lookup(config, reference))
    out.append(template[position:])
    return "".join(out)


# --- The peer's checks of connection.json --------------------------------------------------

_DURATION_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9,
                   "m": 60 * 10**9, "h": 3600 * 10**9}
_DURATION_PART = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)")  # Go: ASCII digits
_MAX_DURATION = 2**63 - 1


def _duration_problem(text: str) -> str | None:
    """Why Go's time.ParseDuration rejects ``text`` (e.g. ``10s``, ``1m30s``), if it does."""
    unsigned = text[1:] if text[:1] in ("-", "+") else text
    if unsigned == "0":
        return None
    position = 0
    total = Fraction(0)
    while position < len(unsigned):
        part = _DURATION_PART.match(unsigned, position)
        if part is None:
            break
        total += Fraction(part[1]) * _DURATION_UNITS[part[2]]
        position = part.end()
    if not unsigned or position < len(unsigned):
        return f"invalid duration {text!r} (a Go duration such as '10s' or '1m30s')"
    if total > _MAX_DURATION:
        return f"duration {text!r} is out of range"
    return None


def _connection_problem(connection: dict[str, object]) -> str | None:
    if not connection["address"]:
        return "chaincode address not provided"
    problem = _duration_problem(str(connection["dial_timeout"]))
    if problem:
        return f"dial_timeout: {problem}"
    if not connection["tls_required"]:
        return None
    if connection["client_auth_required"] and not connection["client_key"]:
        return "chaincode tls key not provided (client_key; client_auth_required is true)"
    if connection["client_auth_required"] and not connection["client_cert"]:
        return "chaincode tls cert not provided (client_cert; client_auth_required is true)"
    if not connection["root_cert"]:
        return "chaincode tls root cert not provided (root_cert; tls_required is true)"
    return None


# --- The three steps -----------------------------------------------------------------------

_CONNECTION_FIELDS: dict[str, type] = {
    "address": str,
    "dial_timeout": str,
    "tls_required": bool,
    "client_auth_required": bool,
    "root_cert": str,
    "client_key": str,
    "client_cert": str,
}
"""connection.json's fields, in the order Fabric's build writes them."""

_TLS_TEMPLATES = ("root_cert", "client_key", "client_cert")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BuilderError(f"{path} not found") from None


def _check_type(metadata_dir: Path, problem: str) -> None:
    path = metadata_dir / "metadata.json"
    metadata = _struct(_read(path), str(path), {"type": str})
    if str(metadata["type"]).lower() != "ccaas":
        raise BuilderError(f"{problem}: '{metadata['type']}' (expected 'ccaas')")


def detect(source_dir: Path, metadata_dir: Path) -> None:
    """Succeeds only for a package whose metadata.json has type ccaas."""
    del source_dir  # part of the contract; the type alone decides
    _check_type(metadata_dir, "chaincode type not supported")


def build(source_dir: Path, metadata_dir: Path, output_dir: Path) -> None:
    _check_type(metadata_dir, "chaincode type should be ccaas")
    shutil.copytree(metadata_dir, output_dir, symlinks=True, dirs_exist_ok=True)
    if (source_dir / "META-INF").exists():
        shutil.copytree(source_dir / "META-INF", output_dir / "META-INF", symlinks=True,
                        dirs_exist_ok=True)
    source = source_dir / "connection.json"
    original = _struct(_read(source), str(source), _CONNECTION_FIELDS)
    config = _builder_config()
    connection: dict[str, object] = {name: kind() for name, kind in _CONNECTION_FIELDS.items()}
    templated = ["address", "dial_timeout"]
    if original["tls_required"]:
        connection["tls_required"] = True
        connection["client_auth_required"] = original["client_auth_required"]
        templated += _TLS_TEMPLATES
    for name in templated:
        try:
            connection[name] = expand(str(original[name]), config)
        except BuilderError as error:
            raise BuilderError(f"{source}: cannot expand the {name} template: {error}") from None
    problem = _connection_problem(connection)
    if problem:
        raise BuilderError(f"{source}: {problem}")
    mode = source.stat().st_mode & 0o777
    descriptor = os.open(output_dir / "connection.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                         mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(json.dumps(connection, separators=(",", ":"), ensure_ascii=False))


def release(build_output_dir: Path, release_dir: Path) -> None:
    statedb = build_output_dir / "META-INF" / "statedb"
    if statedb.exists():
        shutil.copytree(statedb, release_dir / "statedb", symlinks=True, dirs_exist_ok=True)
    source = build_output_dir / "connection.json"
    if not source.is_file():
        raise BuilderError(f"connection.json not found in the build output {build_output_dir}")
    server_dir = release_dir / "chaincode" / "server"
    server_dir.mkdir(mode=0o750, parents=True, exist_ok=True)
    shutil.copyfile(source, server_dir / "connection.json")


_STEPS: dict[str, tuple[Callable[..., None], tuple[str, ...], str]] = {
    "detect": (detect, ("CHAINCODE_SOURCE_DIR", "CHAINCODE_METADATA_DIR"),
               "Type detected as ccaas"),
    "build": (build, ("CHAINCODE_SOURCE_DIR", "CHAINCODE_METADATA_DIR", "BUILD_OUTPUT_DIR"),
              "Build phase completed"),
    "release": (release, ("BUILD_OUTPUT_DIR", "RELEASE_OUTPUT_DIR"), "Release phase completed"),
}


def main(step: str, args: Sequence[str]) -> int:
    """Run ``step`` on ``args`` (extra arguments are ignored, as in Fabric);
    progress and errors go to stderr, which the peer logs."""
    function, parameters, done = _STEPS[step]
    print(f"::{step.capitalize()}", file=sys.stderr)
    try:
        if len(args) < len(parameters):
            raise BuilderError(f"usage: {step} {' '.join(parameters)}")
        function(*(Path(arg) for arg in args[: len(parameters)]))
    except (BuilderError, OSError) as error:
        print(f"::Error: {error}", file=sys.stderr)
        return 1
    print(f"::{done}", file=sys.stderr)
    return 0
