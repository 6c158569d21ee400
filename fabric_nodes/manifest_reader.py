"""Reading a local network manifest (``fabric:localNetwork``) strictly, and
checking that it fits the stack: every node of the spec has its ports, every org
its executor, the crypto is the stack's. A manifest that does not fit would
otherwise fail with a ``KeyError`` or ``AttributeError`` while the populate
resources register, after the nodes were."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from fabric_nodes.node_settings import OrdererPorts, PeerPorts
from network_spec import NetworkSpec, OrgKind, SpecError
from network_spec.fields import Field
from network_spec.key_guard import refuse_private_key

TOP_KEYS = ("peers", "orderers", "executors", "crypto_dir", "chaincode_servers")
PATHS_KEYS = ("admin_dir", "tls_ca_dir")
EXECUTOR_KEYS = {
    "local": ("kind", "bin_dir", "env", "paths"),
    "pod": ("kind", "namespace", "deployment", "kubeconfig", "context", "paths"),
}
_OPTIONAL = ("kubeconfig", "context")
_MAX_PORT = 65535
Ports = TypeVar("Ports", PeerPorts, OrdererPorts)


def _port(at: Field) -> int:
    port = at.integer()
    if not 1 <= port <= _MAX_PORT:
        raise at.error(f"must be a port from 1 to {_MAX_PORT}, got {port}")
    return port


def _ports(at: Field, kind: type[Ports]) -> Ports:
    names = tuple(f.name for f in fields(kind))
    record = at.record(names)
    return kind(**{name: _port(record.require(name)) for name in names})


def _executor(at: Field) -> dict[str, Any]:
    kind = at.record(tuple({*EXECUTOR_KEYS["local"], *EXECUTOR_KEYS["pod"]})).require("kind")
    name = kind.text()
    if name not in EXECUTOR_KEYS:
        raise kind.error(f"must be one of {', '.join(EXECUTOR_KEYS)}, got '{name}'")
    record = at.record(EXECUTOR_KEYS[name])
    config: dict[str, Any] = {"kind": name}
    for key in EXECUTOR_KEYS[name][1:]:
        if key == "paths":
            paths = record.require(key).record(PATHS_KEYS)
            config[key] = {part: paths.require(part).text() for part in PATHS_KEYS}
        elif key == "env":
            config[key] = {k: v.text(allow_empty=True) for k, v in record.require(key).entries()}
        elif key in _OPTIONAL:
            found = record.get(key)
            config[key] = "" if found is None else found.text(allow_empty=True)
        else:
            config[key] = record.require(key).text()
    return config


def read_manifest(path: str) -> dict[str, Any]:
    """The manifest's parts, each checked for shape; raises SpecError naming the
    manifest file and the field."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SpecError(path, "", f"cannot read the file: {error.strerror}") from None
    except UnicodeDecodeError:
        raise SpecError(path, "", "is not UTF-8 text") from None
    refuse_private_key(path, text)
    try:
        data = json.loads(text)
    except ValueError as error:
        raise SpecError(path, "", f"not JSON: {error}") from None
    top = Field.root(path, data).record(TOP_KEYS)
    servers = top.get("chaincode_servers")
    return {
        "peers": {cn: _ports(at, PeerPorts) for cn, at in top.require("peers").entries()},
        "orderers": {cn: _ports(at, OrdererPorts)
                     for cn, at in top.require("orderers").entries()},
        "executors": {org: _executor(at) for org, at in top.require("executors").entries()},
        "crypto_dir": top.require("crypto_dir").text(),
        "chaincode_servers": {} if servers is None
        else {key: at.text() for key, at in servers.entries()},
    }


def check_fits(parts: dict[str, Any], spec: NetworkSpec, crypto_dir: str, path: str) -> None:
    """Every node of ``spec`` has ports, every org an executor, every chaincode
    server entry names a chaincode and an org that runs it, and the crypto is the
    stack's ``fabric:cryptoDir``."""
    for org in spec.orgs:
        listed = parts["peers" if org.kind is OrgKind.PEER else "orderers"]
        for node in org.nodes:
            if node.common_name not in listed:
                where = "peers" if org.kind is OrgKind.PEER else "orderers"
                raise SpecError(path, where, f"no ports for node {node.common_name} of org "
                                f"'{org.name}': the manifest is of another network")
        if org.name not in parts["executors"]:
            raise SpecError(path, "executors", f"no executor for org '{org.name}'")
    runs = {f"{cc.name}/{org}" for cc in spec.chaincodes for org in cc.orgs}
    for key in parts["chaincode_servers"]:
        if key not in runs:
            raise SpecError(path, f"chaincode_servers.{key}",
                            f"no chaincode/org pair of network.yaml; they are "
                            f"{', '.join(sorted(runs)) or 'none'}")
    theirs = parts["crypto_dir"]
    if not crypto_dir or Path(crypto_dir).resolve() != Path(theirs).resolve():
        raise SpecError(path, "crypto_dir", f"'{theirs}' is not the stack's fabric:cryptoDir "
                        f"('{crypto_dir}'): the channels would be configured with other "
                        "crypto than the running nodes'; set fabric:cryptoDir to it")
