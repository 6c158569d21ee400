"""Chaincode lifecycle operations (install, approve, commit), each query-then-act
so a second run issues no mutating command. A definition is identified by the
chaincode's name on a channel; its ``sequence`` is decided once per change (see
``decide_sequence``) and shared by every org's approval and the commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fabric_ops.ccaas_package import CcaasPackage
from fabric_ops.executor import CommandFailed, CommandResult, Executor
from fabric_ops.retry import retrying

PACKAGE = "chaincode.tar.gz"
NOT_COMMITTED = "namespace {name} is not defined"
NOT_APPROVED = "could not fetch approved chaincode definition"


@dataclass(frozen=True)
class Definition:
    """What the orgs approve and commit for one chaincode on one channel."""

    channel: str
    name: str
    version: str
    sequence: int
    policy: str
    """Signature policy, e.g. ``OR('Org1MSP.member','Org2MSP.member')``."""
    init_required: bool = False

    def flags(self) -> list[str]:
        flags = [
            "-C", self.channel, "-n", self.name, "-v", self.version,
            "--sequence", str(self.sequence), "--signature-policy", self.policy,
        ]
        if self.init_required:
            flags.append("--init-required")
        return flags


@dataclass(frozen=True)
class Orderer:
    """The orderer the admin submits through, and its org's TLS CA."""

    address: str
    domain: str


def _peer_env(peer: str) -> dict[str, str]:
    return {"CORE_PEER_ADDRESS": peer}


def _orderer_flags(executor: Executor, orderer: Orderer) -> list[str]:
    return ["-o", orderer.address, "--tls", "--cafile", executor.paths.tls_ca(orderer.domain)]


def _json(result: CommandResult, context: str) -> dict[str, Any]:
    if result.returncode != 0:
        raise CommandFailed(result, context)
    value: dict[str, Any] = json.loads(result.stdout) if result.stdout.strip() else {}
    return value


def installed_package_ids(executor: Executor, peer: str) -> list[str]:
    def query() -> list[str]:
        result = executor.run(
            ["peer", "lifecycle", "chaincode", "queryinstalled", "--output", "json"],
            env=_peer_env(peer),
        )
        body = _json(result, f"queryinstalled on {peer}")
        return [c["package_id"] for c in body.get("installed_chaincodes", [])]

    return retrying(query)


def ensure_installed(executor: Executor, peer: str, package: CcaasPackage) -> bool:
    """Installs the package on ``peer`` unless it is there; True when installed now."""
    if package.package_id in installed_package_ids(executor, peer):
        return False

    def install() -> bool:
        result = executor.run(
            ["peer", "lifecycle", "chaincode", "install", PACKAGE],
            env=_peer_env(peer), inputs={PACKAGE: package.data}, timeout=300,
        )
        if result.returncode != 0 and "already successfully installed" in result.output:
            return False
        if result.returncode != 0:
            raise CommandFailed(result, f"chaincode {package.label}: install on {peer}")
        return True

    return retrying(install)


def committed(executor: Executor, peer: str, channel: str, name: str) -> dict[str, Any] | None:
    """The committed definition (sequence, version, init_required, ...) or None."""

    def query() -> dict[str, Any] | None:
        result = executor.run(
            ["peer", "lifecycle", "chaincode", "querycommitted", "-C", channel, "-n", name,
             "--output", "json"],
            env=_peer_env(peer),
        )
        if result.returncode != 0 and NOT_COMMITTED.format(name=name) in result.output:
            return None
        return _json(result, f"chaincode {name} on {channel}: querycommitted on {peer}")

    return retrying(query)


def approved(
    executor: Executor, peer: str, channel: str, name: str, sequence: int
) -> dict[str, Any] | None:
    """This org's approved definition at ``sequence`` or None."""

    def query() -> dict[str, Any] | None:
        result = executor.run(
            ["peer", "lifecycle", "chaincode", "queryapproved", "-C", channel, "-n", name,
             "--sequence", str(sequence), "--output", "json"],
            env=_peer_env(peer),
        )
        if result.returncode != 0 and NOT_APPROVED in result.output:
            return None
        return _json(result, f"chaincode {name} on {channel}: queryapproved on {peer}")

    return retrying(query)


def decide_sequence(
    executor: Executor, peer: str, channel: str, name: str, version: str, init_required: bool,
    changed: bool,
) -> int:
    """The sequence of the definition to approve: the committed one when it
    already is this version and nothing else ``changed``, else the next."""
    current = committed(executor, peer, channel, name)
    if current is None:
        return 1
    sequence = int(current["sequence"])
    same = current.get("version") == version and bool(current.get("init_required")) == init_required
    return sequence if same and not changed else sequence + 1


def _approved_package(approval: dict[str, Any]) -> str:
    return str(approval.get("source", {}).get("Type", {}).get("LocalPackage", {})
               .get("package_id", ""))


def ensure_approved(
    executor: Executor, peer: str, orderer: Orderer, definition: Definition, package_id: str
) -> bool:
    """Approves the definition for the executor's org unless it already has, with
    this package; True when it approved now."""
    current = approved(executor, peer, definition.channel, definition.name, definition.sequence)
    if current is not None and _approved_package(current) == package_id:
        return False

    def approve() -> bool:
        result = executor.run(
            ["peer", "lifecycle", "chaincode", "approveformyorg",
             *_orderer_flags(executor, orderer), *definition.flags(),
             "--package-id", package_id, "--waitForEvent"],
            env=_peer_env(peer), timeout=180,
        )
        if result.returncode != 0:
            raise CommandFailed(
                result, f"chaincode {definition.name} on {definition.channel}: approve"
            )
        return True

    return retrying(approve)


def commit_readiness(executor: Executor, peer: str, definition: Definition) -> dict[str, bool]:
    result = executor.run(
        ["peer", "lifecycle", "chaincode", "checkcommitreadiness", *definition.flags(),
         "--output", "json"],
        env=_peer_env(peer),
    )
    body = _json(result, f"chaincode {definition.name} on {definition.channel}: readiness")
    return {msp: bool(ok) for msp, ok in body.get("approvals", {}).items()}


def ensure_committed(
    executor: Executor, peer: str, orderer: Orderer, definition: Definition,
    endorsers: Sequence[tuple[str, str]],
) -> bool:
    """Commits the definition unless the channel already has this sequence;
    ``endorsers`` are (peer address, org domain) pairs, one per approving org.
    True when it committed now."""
    current = committed(executor, peer, definition.channel, definition.name)
    if current is not None and int(current["sequence"]) >= definition.sequence:
        return False
    peers = [flag for address, domain in endorsers
             for flag in ("--peerAddresses", address, "--tlsRootCertFiles",
                          executor.paths.tls_ca(domain))]

    def commit() -> bool:
        result = executor.run(
            ["peer", "lifecycle", "chaincode", "commit", *_orderer_flags(executor, orderer),
             *definition.flags(), *peers, "--waitForEvent"],
            env=_peer_env(peer), timeout=180,
        )
        if result.returncode != 0:
            readiness = commit_readiness(executor, peer, definition)
            raise CommandFailed(
                result,
                f"chaincode {definition.name} on {definition.channel}: commit "
                f"(approvals {readiness})",
            )
        return True

    return retrying(commit)


def invoke(
    executor: Executor, orderer: Orderer, channel: str, name: str, function: str,
    args: Sequence[str], endorsers: Sequence[tuple[str, str]],
) -> CommandResult:
    """Submits a transaction endorsed by ``endorsers`` (peer address, org domain)
    and waits until it is committed; the raw result (a chaincode error is a
    non-zero exit with the chaincode's message)."""
    peers = [flag for address, domain in endorsers
             for flag in ("--peerAddresses", address, "--tlsRootCertFiles",
                          executor.paths.tls_ca(domain))]
    call = json.dumps({"function": function, "Args": list(args)})
    return executor.run(
        ["peer", "chaincode", "invoke", *_orderer_flags(executor, orderer), "-C", channel,
         "-n", name, *peers, "--waitForEvent", "-c", call],
        timeout=120,
    )


def query(
    executor: Executor, peer: str, channel: str, name: str, function: str, args: Sequence[str]
) -> str:
    """Evaluates a chaincode function on ``peer``; its output."""
    call = json.dumps({"function": function, "Args": list(args)})
    result = executor.run(
        ["peer", "chaincode", "query", "-C", channel, "-n", name, "-c", call],
        env=_peer_env(peer),
    )
    if result.returncode != 0:
        raise CommandFailed(result, f"chaincode {name} on {channel}: query {function}")
    return result.stdout.strip()
